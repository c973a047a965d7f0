import { APIGatewayClient, GetAccountCommand, GetVpcLinkCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetIntegrationsCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DeploymentContext, describeDeployment } from "../support/deployment";
import { exampleDeployment, lambdaStandIn } from "../support/deployments";

// The example's module call with the account setting managed by the module,
// as its comment suggests: logs on, the shared role set by the module's
// function (run by the Lambda stand-in in front of the emulator), and reset on destroy.
const ALB = {
  ...exampleDeployment("websocket-alb", { moduleArguments: { websocket_api: { api_gateway_account_role: "managed" } } }),
  front: lambdaStandIn,
  destroyTitle: "destroy removes everything and resets the region's CloudWatch role setting",
  afterDestroy: async (ctx: DeploymentContext) => {
    expect((await new APIGatewayClient(ctx.sdk).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "").toBe("");
  },
};

describeDeployment("websocket-alb module, consumed by examples/websocket-alb, deployed on the emulator", ALB, (ctx) => {
  test("the existing ALB is registered in an alb-type target group of an internal NLB on the listener's port", async () => {
    const elb = new ElasticLoadBalancingV2Client(ctx().sdk);
    const alb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["my-backend-alb"] }))).LoadBalancers![0];
    const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.LoadBalancerArn }))).Listeners![0];
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["my-vpc-link-alb"] }))).TargetGroups![0];
    expect(tg).toMatchObject({ TargetType: "alb", Protocol: "TCP", Port: listener.Port, VpcId: alb.VpcId });
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(health.TargetHealthDescriptions?.map((d) => d.Target)).toEqual([expect.objectContaining({ Id: alb.LoadBalancerArn, Port: 80 })]);
    const nlb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["my-vpc-link-nlb"] }))).LoadBalancers![0];
    expect(nlb).toMatchObject({ Type: "network", Scheme: "internal" });
    expect(tg.LoadBalancerArns).toEqual([nlb.LoadBalancerArn]);
  });

  test("the v1 VPC link targets that NLB and every integration uses it", async () => {
    const elb = new ElasticLoadBalancingV2Client(ctx().sdk);
    const nlb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["my-vpc-link-nlb"] }))).LoadBalancers![0];
    const link = await new APIGatewayClient(ctx().sdk).send(new GetVpcLinkCommand({ vpcLinkId: ctx().outputs.vpc_link_id }));
    expect(link.targetArns).toEqual([nlb.LoadBalancerArn]);
    const integrations = (await new ApiGatewayV2Client(ctx().sdk).send(new GetIntegrationsCommand({ ApiId: ctx().outputs.websocket_api_id }))).Items ?? [];
    expect(integrations).toHaveLength(3);
    for (const i of integrations)
      expect(i).toMatchObject({ ConnectionType: "VPC_LINK", ConnectionId: ctx().outputs.vpc_link_id, IntegrationType: "HTTP_PROXY" });
  });

  test("with api_gateway_account_role managed, the module sets the region's CloudWatch role and the stage writes access and error logs", async () => {
    const stage = await new ApiGatewayV2Client(ctx().sdk).send(new GetStageCommand({ ApiId: ctx().outputs.websocket_api_id, StageName: "prod" }));
    expect(stage.AccessLogSettings?.DestinationArn).toMatch(/log-group:\/aws\/apigatewayv2\/my-websocket-api$/);
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, LoggingLevel: "ERROR" });
    const account = await new APIGatewayClient(ctx().sdk).send(new GetAccountCommand({}));
    expect(account.cloudwatchRoleArn).toMatch(/:role\/websocket-gateway\/apigateway-cloudwatch-logs$/);
  });
});
