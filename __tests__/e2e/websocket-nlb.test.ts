import { APIGatewayClient, GetVpcLinkCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describeE2e, destroy, secondPlanChanges, useDeployedExample } from "../support/e2e";

describeE2e()("websocket-nlb module, consumed by examples/websocket-nlb, deployed on the emulator", () => {
  const e = useDeployedExample("websocket-nlb");

  test("every route integrates through the v1 VPC link with the connection id forwarded", async () => {
    const apiId = new URL(e.outputs.websocket_url).hostname.split(".")[0];
    const apigw = new ApiGatewayV2Client(e.cfg);
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect", "joinGame", "makeMove"]);
    const integrations = (await apigw.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
    expect(integrations).toHaveLength(5);
    for (const i of integrations) {
      expect(i).toMatchObject({ IntegrationType: "HTTP_PROXY", ConnectionType: "VPC_LINK", ConnectionId: e.outputs.vpc_link_id, IntegrationMethod: "POST" });
      expect(i.RequestParameters).toMatchObject({ "integration.request.header.connectionId": "context.connectionId" });
    }
    expect(integrations.map((i) => new URL(i.IntegrationUri!).pathname).sort()).toEqual(["/connect", "/default", "/disconnect", "/joinGame", "/makeMove"]);
  });

  test("the v1 VPC link targets the module's internal NLB, whose target group takes ip targets", async () => {
    const link = await new APIGatewayClient(e.cfg).send(new GetVpcLinkCommand({ vpcLinkId: e.outputs.vpc_link_id }));
    const elb = new ElasticLoadBalancingV2Client(e.cfg);
    const nlb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["turtle-battleships-nlb"] }))).LoadBalancers![0];
    expect(link.targetArns).toEqual([nlb.LoadBalancerArn]);
    expect(nlb).toMatchObject({ Type: "network", Scheme: "internal" });
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [e.outputs.target_group_arn] }))).TargetGroups![0];
    expect(tg).toMatchObject({ TargetType: "ip", Protocol: "TCP", Port: 3000, TargetGroupName: "turtle-battleships-tg" });
  });

  test("the stage has access logs and the throttling given", async () => {
    const apiId = new URL(e.outputs.websocket_url).hostname.split(".")[0];
    const stage = await new ApiGatewayV2Client(e.cfg).send(new GetStageCommand({ ApiId: apiId, StageName: "prod" }));
    expect(stage.AccessLogSettings?.DestinationArn).toMatch(/log-group:\/aws\/apigatewayv2\/turtle-battleships-websocket$/);
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500, LoggingLevel: "INFO" });
    expect(stage.AutoDeploy).toBe(true);
  });

  test("the example's ECS service is registered in the module's target group", async () => {
    const service = (await new ECSClient(e.cfg).send(new DescribeServicesCommand({ cluster: "turtle-battleships", services: ["turtle-battleships-backend"] }))).services![0];
    expect(service.loadBalancers).toEqual([expect.objectContaining({ targetGroupArn: e.outputs.target_group_arn, containerName: "backend", containerPort: 3000 })]);
  });

  test("a second plan after apply is empty", () => {
    expect(secondPlanChanges(e.root)).toBe("");
  });

  test("destroy removes everything", () => {
    destroy(e.root);
    expect(secondPlanChanges(e.root)).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
  });
});
