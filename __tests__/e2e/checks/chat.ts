// The chat stack as deployed (tests moved unchanged from the former
// __tests__/e2e/chat.test.ts, which applied the chat stack without edges:
// none of them reads an edge). Called by __tests__/e2e/chat.test.ts.
import { APIGatewayClient, GetAccountCommand, GetVpcLinkCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, GetIntegrationResponsesCommand, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { CHAT_ROUTES } from "../../../stacks/chat-contract";
import type { DeploymentContext } from "../../support/deployment";

export function chatChecks(ctx: () => DeploymentContext): void {
  test("every backend route integrates through the v1 VPC link, whose target is the internal NLB", async () => {
    const { sdk: cfg, outputs } = ctx();
    const apigw = new ApiGatewayV2Client(cfg);
    const integrations = (await apigw.send(new GetIntegrationsCommand({ ApiId: outputs.api_id }))).Items ?? [];
    const http = integrations.filter((i) => i.IntegrationType === "HTTP");
    expect(http).toHaveLength(CHAT_ROUTES.length);
    const linkIds = new Set(http.map((i) => i.ConnectionId));
    expect(linkIds.size).toBe(1);
    expect(http.every((i) => i.ConnectionType === "VPC_LINK")).toBe(true);
    expect(http.map((i) => i.IntegrationUri).sort()).toEqual(CHAT_ROUTES.map((r) => `http://\${stageVariables.backendHost}${r.path}`).sort());

    const link = await new APIGatewayClient(cfg).send(new GetVpcLinkCommand({ vpcLinkId: [...linkIds][0]! }));
    const lbs = (await new ElasticLoadBalancingV2Client(cfg).send(new DescribeLoadBalancersCommand({ Names: ["chat-dev-nlb"] }))).LoadBalancers!;
    expect(link.targetArns).toEqual([lbs[0].LoadBalancerArn]);
    expect(lbs[0]).toMatchObject({ Type: "network", Scheme: "internal" });
  });

  test("every route has its $default integration response and the routes are the contract's plus $default", async () => {
    const { sdk: cfg, outputs } = ctx();
    const apigw = new ApiGatewayV2Client(cfg);
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: outputs.api_id }))).Items ?? [];
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...CHAT_ROUTES.map((r) => r.routeKey), "$default"].sort());
    expect(routes.every((r) => r.RouteResponseSelectionExpression === "$default")).toBe(true);
    for (const integration of (await apigw.send(new GetIntegrationsCommand({ ApiId: outputs.api_id }))).Items ?? []) {
      const responses = (await apigw.send(new GetIntegrationResponsesCommand({ ApiId: outputs.api_id, IntegrationId: integration.IntegrationId }))).Items ?? [];
      expect(responses.map((r) => r.IntegrationResponseKey)).toEqual(["$default"]);
    }
  });

  test("the stage writes JSON access logs, throttles, and points the backend host at the NLB", async () => {
    const { sdk: cfg, outputs } = ctx();
    const stage = await new ApiGatewayV2Client(cfg).send(new GetStageCommand({ ApiId: outputs.api_id, StageName: "prod" }));
    expect(stage.AccessLogSettings?.DestinationArn).toMatch(/^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/apigatewayv2\/chat-dev-websocket\/prod$/);
    expect(JSON.parse(stage.AccessLogSettings!.Format!)).toMatchObject({ requestId: "$context.requestId", connectionId: "$context.connectionId" });
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500, LoggingLevel: "ERROR", DataTraceEnabled: false });
    expect(stage.StageVariables?.backendHost).toMatch(/^chat-dev-nlb-.+:80$/);
    const account = await new APIGatewayClient(cfg).send(new GetAccountCommand({}));
    expect(account.cloudwatchRoleArn).toMatch(/:role\/websocket-gateway\/apigateway-cloudwatch-logs$/);
  });

  test("the ECS service runs in the ip target group, without public IPs, with the ADOT collector sidecar", async () => {
    const { sdk: cfg, outputs } = ctx();
    const ecs = new ECSClient(cfg);
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: outputs.ecs_cluster_name, services: [outputs.ecs_service_name] }))).services![0];
    const groups = (await new ElasticLoadBalancingV2Client(cfg).send(new DescribeTargetGroupsCommand({ Names: ["chat-dev-8080"] }))).TargetGroups!;
    expect(groups[0]).toMatchObject({ TargetType: "ip", Protocol: "TCP", Port: 8080, HealthCheckPath: "/healthz" });
    expect(service.loadBalancers).toEqual([
      expect.objectContaining({ targetGroupArn: groups[0].TargetGroupArn, containerName: "backend", containerPort: 8080 }),
    ]);
    expect(service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe("DISABLED");
    expect(service.desiredCount).toBe(2);

    const task = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!;
    const [backend, sidecar] = ["backend", "otel-collector"].map((n) => task.containerDefinitions!.find((c) => c.name === n)!);
    expect(sidecar.portMappings).toEqual([expect.objectContaining({ containerPort: 2000, protocol: "udp" })]);
    expect(sidecar.image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v/);
    expect(backend.dependsOn).toEqual([{ containerName: "otel-collector", condition: "START" }]);
    const env = Object.fromEntries(backend.environment!.map((e) => [e.name, e.value]));
    expect(env).toEqual({
      AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
      DB_TYPE: "DYNAMODB",
      DYNAMODB_TABLE_NAME: outputs.connections_table_name,
      ENV: "production",
      HTTP_PORT: "8080",
    });
    expect(backend.logConfiguration?.options).toMatchObject({ "awslogs-group": outputs.backend_log_group_name, "awslogs-region": "us-east-1" });
    // The digest the image build (run by the Lambda stand-in in front of the emulator) pushed.
    expect(backend.image).toMatch(new RegExp(`^${outputs.ecr_repository_url}@sha256:[0-9a-f]{64}$`));
    expect(task.executionRoleArn).not.toBe(task.taskRoleArn);
  });

  test("the task role may manage exactly this stage's connections and use only the connections table", async () => {
    const { sdk: cfg, outputs } = ctx();
    const iam = new IAMClient(cfg);
    const roleName = "chat-dev-backend-task";
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames!.sort();
    expect(names).toEqual(["connections-table", "manage-connections-prod", "xray-write"]);
    const doc = async (name: string) =>
      JSON.parse(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument!));
    const manage = await doc("manage-connections-prod");
    expect(manage.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "execute-api:ManageConnections",
        Resource: expect.stringMatching(new RegExp(`^arn:aws:execute-api:us-east-1:\\d{12}:${outputs.api_id}/prod/\\*/@connections/\\*$`)),
      }),
    ]);
    const table = await doc("connections-table");
    expect(table.Statement[0].Resource).toMatch(new RegExp(`:table/${outputs.connections_table_name}$`));
  });

  test("the connections table is keyed by connectionId, on demand, and advertises no TTL (the backend writes none)", async () => {
    const { sdk: cfg, outputs } = ctx();
    const db = new DynamoDBClient(cfg);
    const table = (await db.send(new DescribeTableCommand({ TableName: outputs.connections_table_name }))).Table!;
    expect(table.KeySchema).toEqual([{ AttributeName: "connectionId", KeyType: "HASH" }]);
    expect(table.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: outputs.connections_table_name }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED");
    expect(ttl.TimeToLiveDescription?.AttributeName).toBeUndefined();
  });
}
