import { APIGatewayClient, GetAccountCommand, GetVpcLinkCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describeDeployment } from "../support/deployment";
import { exampleDeployment } from "../support/deployments";
import { dashboardChecks } from "./checks/dashboard";
import { LOCAL_GATEWAY_MODULE_ARGUMENTS, localGatewayModuleChecks } from "./checks/local-gateway-module";

describeDeployment(
  "websocket-nlb module, consumed by examples/websocket-nlb, deployed on the emulator",
  exampleDeployment("websocket-nlb", { moduleArguments: { websocket_api: { dashboard_enabled: true, ...LOCAL_GATEWAY_MODULE_ARGUMENTS } } }),
  (ctx) => {
    // The example with the module's optional dashboard switched on, makeMove two-way at its own path (/moves)
    // and a 1.5 s integration timeout (LOCAL_GATEWAY_MODULE_ARGUMENTS: the local gateway's checks below use them).
    test("every route integrates through the v1 VPC link with the connection id forwarded", async () => {
      const apiId = new URL(ctx().outputs.websocket_url).hostname.split(".")[0];
      const apigw = new ApiGatewayV2Client(ctx().sdk);
      const routes = (await apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
      expect(routes.map((r) => r.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect", "joinGame", "makeMove"]);
      const integrations = (await apigw.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
      expect(integrations).toHaveLength(5);
      for (const i of integrations) {
        expect(i).toMatchObject({
          IntegrationType: "HTTP_PROXY",
          ConnectionType: "VPC_LINK",
          ConnectionId: ctx().outputs.vpc_link_id,
          IntegrationMethod: "POST",
        });
        expect(i.RequestParameters).toMatchObject({ "integration.request.header.connectionId": "context.connectionId" });
      }
      expect(integrations.map((i) => new URL(i.IntegrationUri!).pathname).sort()).toEqual(["/connect", "/default", "/disconnect", "/joinGame", "/moves"]);
      expect(integrations.map((i) => i.TimeoutInMillis)).toEqual([1500, 1500, 1500, 1500, 1500]);
    });

    test("the v1 VPC link targets the module's internal NLB, whose target group takes ip targets", async () => {
      const link = await new APIGatewayClient(ctx().sdk).send(new GetVpcLinkCommand({ vpcLinkId: ctx().outputs.vpc_link_id }));
      const elb = new ElasticLoadBalancingV2Client(ctx().sdk);
      const nlb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["turtle-battleships-nlb"] }))).LoadBalancers![0];
      expect(link.targetArns).toEqual([nlb.LoadBalancerArn]);
      expect(nlb).toMatchObject({ Type: "network", Scheme: "internal" });
      const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [ctx().outputs.target_group_arn] }))).TargetGroups![0];
      expect(tg).toMatchObject({ TargetType: "ip", Protocol: "TCP", Port: 3000, TargetGroupName: "turtle-battleships-tg" });
    });

    test("the stage has the throttling given and writes no logs, the region having no CloudWatch role declared, and the account setting is untouched", async () => {
      // As in the seed's usage (logging_level = "INFO", no account role): a
      // fresh account's CreateStage would refuse logs, so none are asked for.
      const apiId = new URL(ctx().outputs.websocket_url).hostname.split(".")[0];
      const stage = await new ApiGatewayV2Client(ctx().sdk).send(new GetStageCommand({ ApiId: apiId, StageName: "prod" }));
      expect(stage.AccessLogSettings?.DestinationArn).toBeUndefined();
      expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500, LoggingLevel: "OFF", DataTraceEnabled: false });
      expect(stage.AutoDeploy).toBe(true);
      expect(ctx().outputs.logging_enabled).toBe(false);
      expect((await new APIGatewayClient(ctx().sdk).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "").toBe("");
    });

    test("the example's tasks can pull their image: private subnets route through a NAT gateway and the tasks may send HTTPS out", async () => {
      const ec2 = new EC2Client(ctx().sdk);
      const nats = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways ?? [];
      expect(nats).toHaveLength(1);
      const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
      const privateTable = tables.find((t) => (t.Routes ?? []).some((r) => r.NatGatewayId === nats[0].NatGatewayId))!;
      expect(privateTable.Associations?.filter((a) => a.SubnetId)).toHaveLength(2);
      expect(tables.some((t) => (t.Routes ?? []).some((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId?.startsWith("igw-")))).toBe(true);
      const tasks = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["turtle-battleships-tasks"] }] })))
        .SecurityGroups![0];
      expect(tasks.IpPermissionsEgress).toEqual([
        expect.objectContaining({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [expect.objectContaining({ CidrIp: "0.0.0.0/0" })] }),
      ]);
    });

    test("the example's backend is a real public image with a command that answers the routes and the health check on port 3000", async () => {
      const ecs = new ECSClient(ctx().sdk);
      const service = (await ecs.send(new DescribeServicesCommand({ cluster: "turtle-battleships", services: ["turtle-battleships-backend"] }))).services![0];
      const [backend] = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!.containerDefinitions!;
      expect(backend.image).toBe("public.ecr.aws/docker/library/node:22-alpine");
      expect(backend.command?.slice(0, 2)).toEqual(["node", "-e"]);
      expect(backend.command?.[2]).toContain("listen(3000)");
      expect(backend.command?.[2]).toContain("'/healthz' ? 'healthy'");
    });

    test("the example's ECS service is registered in the module's target group", async () => {
      const service = (
        await new ECSClient(ctx().sdk).send(new DescribeServicesCommand({ cluster: "turtle-battleships", services: ["turtle-battleships-backend"] }))
      ).services![0];
      expect(service.loadBalancers).toEqual([
        expect.objectContaining({ targetGroupArn: ctx().outputs.target_group_arn, containerName: "backend", containerPort: 3000 }),
      ]);
    });

    localGatewayModuleChecks(ctx);

    dashboardChecks(() => ({
      cfg: ctx().sdk,
      dashboardName: "turtle-battleships-websocket-prod",
      apiId: new URL(ctx().outputs.websocket_url).hostname.split(".")[0],
      stageName: "prod",
      accessLogGroupName: "/aws/apigatewayv2/turtle-battleships-websocket",
      loadBalancerName: "turtle-battleships-nlb",
    }));
  },
);
