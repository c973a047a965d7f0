import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { TerraformIterator, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { WebSocketApi } from "../../constructs/websocket-api";
import { stageVariable, WebSocketHttpIntegration, WebSocketHttpProxyIntegration } from "../../constructs/websocket-integration";
import { WebSocketDeployment } from "../../constructs/websocket-deployment";
import { DEFAULT_ACCESS_LOG_FORMAT, IWebSocketStageApi, WebSocketStage, WebSocketStageProps } from "../../constructs/websocket-stage";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const proxy = () => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" });
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

/** A stack with an API ("chat", one `join` route) and a stage with `props`. */
function stageWith(props: Partial<WebSocketStageProps> = {}, stack = newStack()) {
  const api = new WebSocketApi(stack, "api", { apiName: "chat" });
  api.addRoute("join", { integration: proxy() });
  const stage = new WebSocketStage(stack, "stage", { api, ...props });
  return { stack, api, stage };
}

/** What Terraform receives for a string attribute of a construct. */
function rendered(stack: TerraformStack, value: string): string {
  new TerraformOutput(stack, "probe", { value });
  return synthJson(stack).output.probe.value;
}

describe("WebSocketStage", () => {
  test("creates the prod stage, not auto-deployed, with throttling and error logging on every route", () => {
    // GIVEN / WHEN
    const { stack } = stageWith();
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: "prod",
      auto_deploy: false,
      default_route_settings: {
        throttling_burst_limit: 5000,
        throttling_rate_limit: 10000,
        logging_level: "ERROR",
        data_trace_enabled: false,
        detailed_metrics_enabled: false,
      },
    });
  });

  test("writes JSON access logs to its own log group", () => {
    const { stack, stage } = stageWith();
    const json = synthJson(stack);
    expect(tf(json, stage.accessLogGroup!)).toEqual({ name: "/aws/apigatewayv2/chat/prod", retention_in_days: 14 });
    expect(tf(json, stage.resource).access_log_settings).toEqual({
      destination_arn: `\${aws_cloudwatch_log_group.${stage.accessLogGroup!.friendlyUniqueId}.arn}`,
      format: DEFAULT_ACCESS_LOG_FORMAT,
    });
    expect(JSON.parse(DEFAULT_ACCESS_LOG_FORMAT)).toMatchObject({
      requestId: "$context.requestId",
      connectionId: "$context.connectionId",
      routeKey: "$context.routeKey",
    });
  });

  test("names the access log group after the API with the characters log group names reject written as -", () => {
    // GIVEN an API name with a space, a colon and a non-ASCII letter
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "Chat API: Zürich" });
    // WHEN
    const stage = new WebSocketStage(stack, "stage", { api });
    // THEN
    expect(tf(synthJson(stack), stage.accessLogGroup!).name).toBe("/aws/apigatewayv2/Chat-API--Z-rich/prod");
  });

  test("sanitizes an API name known only to Terraform with Terraform's replace", () => {
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: stringVar(stack, "api_name") });
    const stage = new WebSocketStage(stack, "stage", { api });
    expect(tf(synthJson(stack), stage.accessLogGroup!).name).toBe('/aws/apigatewayv2/${replace(var.api_name, "/[^-._/A-Za-z0-9]/", "-")}/prod');
  });

  test("creates the execution log group before the stage, so it has a retention", () => {
    const { stack, api, stage } = stageWith();
    const json = synthJson(stack);
    expect(tf(json, stage.executionLogGroup!)).toEqual({
      name: `API-Gateway-Execution-Logs_\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.id}/prod`,
      retention_in_days: 14,
    });
    expect(tf(json, stage.resource).depends_on).toEqual([`aws_cloudwatch_log_group.${stage.executionLogGroup!.friendlyUniqueId}`]);
  });

  test("uses the given log group name, retention, KMS key and tags", () => {
    const { stack } = stageWith({
      accessLogGroupName: "/chat/access",
      logRetentionInDays: 90,
      logKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      tags: { team: "chat" },
    });
    const groups = Object.values(resourcesOf(synthJson(stack), "aws_cloudwatch_log_group"));
    expect(groups.map((g: any) => g.name)).toContain("/chat/access");
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 90, kms_key_id: "arn:aws:kms:us-east-1:123456789012:key/k", tags: { team: "chat" } });
  });

  test("waits for the given resources, e.g. the account's CloudWatch role", () => {
    const stack = newStack();
    const other = new CloudwatchLogGroup(stack, "other", { name: "x" });
    const { stage } = stageWith({ dependsOn: [other] }, stack);
    expect(tf(synthJson(stack), stage.resource).depends_on).toEqual([
      `aws_cloudwatch_log_group.${other.friendlyUniqueId}`,
      `aws_cloudwatch_log_group.${stage.executionLogGroup!.friendlyUniqueId}`,
    ]);
  });

  test("writes no access logs when access logging is off, and leaves the execution log group to API Gateway when asked", () => {
    const { stack, stage } = stageWith({ accessLogging: false, manageExecutionLogGroup: false });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_cloudwatch_log_group")).toEqual({});
    expect(tf(json, stage.resource).access_log_settings).toBeUndefined();
    expect(tf(json, stage.resource).depends_on ?? []).toEqual([]);
  });

  test("passes stage variables to API Gateway, which substitutes the escaped ${stageVariables.x} of integration URLs", () => {
    // GIVEN
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat" });
    api.addRoute("join", {
      integration: new WebSocketHttpIntegration({ url: `http://${stageVariable("backendHost")}/join`, requestTemplates: { $default: "{}" } }),
    });
    // WHEN
    new WebSocketStage(stack, "stage", { api, stageVariables: { backendHost: "nlb.internal:8080" } });
    // THEN
    const json = synthJson(stack);
    expect(onlyResource(json, "aws_apigatewayv2_stage").stage_variables).toEqual({ backendHost: "nlb.internal:8080" });
    expect(onlyResource(json, "aws_apigatewayv2_integration").integration_uri).toBe("http://$${stageVariables.backendHost}/join");
  });

  test("takes any API that gives what a stage needs, and has it feed the stage's deployment", () => {
    // GIVEN an API that is not a WebSocketApi
    const fed: WebSocketDeployment[] = [];
    const api: IWebSocketStageApi = {
      apiId: "api-123",
      apiName: "chat",
      executionArn: "arn:aws:execute-api:us-east-1:123456789012:api-123",
      routes: [],
      addDeployment: (d) => fed.push(d),
    };
    // WHEN
    let stage: WebSocketStage | undefined;
    const json = Testing.synthScope((scope) => {
      stage = new WebSocketStage(scope, "stage", { api });
    });
    // THEN
    expect(fed).toEqual([stage!.deployment]);
    expect(json).toHaveResourceWithProperties(Apigatewayv2Stage, {
      api_id: "api-123",
      name: "prod",
      deployment_id: `\${aws_apigatewayv2_deployment.${stage!.deployment!.resource.friendlyUniqueId}.id}`,
    });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/apigatewayv2/chat/prod" });
  });

  describe("deployment", () => {
    test("deploys explicitly, with triggers that hash every route, integration and response", () => {
      // GIVEN
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat", defaultRoute: { integration: proxy(), returnResponse: true } });
      const join = api.addRoute("join", {
        integration: new WebSocketHttpIntegration({ url: "https://b.example.com/join", requestTemplates: { $default: "{}" } }),
      });
      // WHEN
      const stage = new WebSocketStage(stack, "stage", { api });
      // THEN
      const json = synthJson(stack);
      const deployment = tf(json, stage.deployment!.resource);
      const references = [...api.routes[0].resources, ...join.resources].map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
      expect(references).toHaveLength(6);
      expect(deployment.triggers.redeployment).toBe(`\${sha1(jsonencode([${references.join(", ")}]))}`);
      expect(deployment).toMatchObject({ api_id: `\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.id}`, lifecycle: { create_before_destroy: true } });
      expect(tf(json, stage.resource).deployment_id).toBe(`\${aws_apigatewayv2_deployment.${stage.deployment!.resource.friendlyUniqueId}.id}`);
    });

    test("includes routes added after the stage in the triggers", () => {
      const { stack, api, stage } = stageWith();
      const late = api.addRoute("leave", { integration: proxy(), returnResponse: true });
      const triggers = tf(synthJson(stack), stage.deployment!.resource).triggers.redeployment;
      for (const r of late.resources) expect(triggers).toContain(`${r.terraformResourceType}.${r.friendlyUniqueId}`);
    });

    test("includes iterated (forEach) routes in the triggers", () => {
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat" });
      const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
      const custom = api.addIteratedRoutes("custom", { forEach: routes, routeKey: routes.key, integration: proxy() });
      const stage = new WebSocketStage(stack, "stage", { api });
      expect(tf(synthJson(stack), stage.deployment!.resource).triggers.redeployment).toContain(`aws_apigatewayv2_route.${custom.resource.friendlyUniqueId}`);
    });

    test("makes no deployment when API Gateway deploys automatically", () => {
      const { stack, stage } = stageWith({ autoDeploy: true });
      const json = synthJson(stack);
      expect(stage.deployment).toBeUndefined();
      expect(resourcesOf(json, "aws_apigatewayv2_deployment")).toEqual({});
      expect(tf(json, stage.resource)).toMatchObject({ auto_deploy: true });
      expect(tf(json, stage.resource).deployment_id).toBeUndefined();
    });

    test("deploys explicitly only when an autoDeploy expression is false", () => {
      // GIVEN
      const stack = newStack();
      const autoDeploy = new TerraformVariable(stack, "auto_deploy", { type: "bool" }).value as boolean;
      // WHEN
      const { stage } = stageWith({ autoDeploy }, stack);
      // THEN
      const json = synthJson(stack);
      expect(tf(json, stage.deployment!.resource).count).toBe("${var.auto_deploy ? 0 : 1}");
      expect(tf(json, stage.resource)).toMatchObject({
        auto_deploy: "${var.auto_deploy}",
        deployment_id: `\${one(aws_apigatewayv2_deployment.${stage.deployment!.resource.friendlyUniqueId}[*].id)}`,
      });
    });

    test("makes no deployment when explicit deployment is turned off", () => {
      const { stack, stage } = stageWith({ explicitDeployment: false });
      const json = synthJson(stack);
      expect(resourcesOf(json, "aws_apigatewayv2_deployment")).toEqual({});
      expect(tf(json, stage.resource)).toMatchObject({ auto_deploy: false });
      expect(tf(json, stage.resource).deployment_id).toBeUndefined();
    });
  });

  describe("route settings", () => {
    test("sets throttling per route and inherits the stage's logging settings", () => {
      const { stack } = stageWith({
        loggingLevel: "INFO",
        detailedMetricsEnabled: true,
        routeSettings: { join: { throttle: { burstLimit: 10, rateLimit: 5 }, dataTraceEnabled: true } },
      });
      expect(onlyResource(synthJson(stack), "aws_apigatewayv2_stage").route_settings).toEqual([
        {
          route_key: "join",
          throttling_burst_limit: 10,
          throttling_rate_limit: 5,
          logging_level: "INFO",
          data_trace_enabled: true,
          detailed_metrics_enabled: true,
        },
      ]);
    });

    test("fails when a route setting has no throttling", () => {
      const fix = "a route setting without throttling limits throttles the route to 0 and every call gets 429; set both limits";
      expect(() => stageWith({ routeSettings: { join: {} as any } })).toThrow(
        `WebSocketStage.routeSettings["join"].throttle must be set with both burstLimit and rateLimit, got nothing: ${fix}`,
      );
      expect(() => stageWith({ routeSettings: { join: { throttle: { burstLimit: 10 } as any } } })).toThrow(
        `WebSocketStage.routeSettings["join"].throttle must be set with both burstLimit and rateLimit, got {"burstLimit":10}: ${fix}`,
      );
    });

    test("fails when a route setting throttles to 0", () => {
      expect(() => stageWith({ routeSettings: { join: { throttle: { burstLimit: 10, rateLimit: 0 } } } })).toThrow(
        'WebSocketStage.routeSettings["join"].throttle.rateLimit must be a number greater than 0, got 0: a limit of 0 rejects every call with 429',
      );
    });

    test("does not check unresolved route throttling limits", () => {
      const stack = newStack();
      expect(() =>
        stageWith({ routeSettings: { join: { throttle: { burstLimit: numberVar(stack, "b"), rateLimit: numberVar(stack, "r") } } } }, stack),
      ).not.toThrow();
    });

    test("fails when a route setting has an unknown logging level", () => {
      expect(() => stageWith({ routeSettings: { join: { throttle: { burstLimit: 1, rateLimit: 1 }, loggingLevel: "DEBUG" as any } } })).toThrow(
        'WebSocketStage.routeSettings["join"].loggingLevel must be one of "OFF", "ERROR", "INFO", got "DEBUG": use one of the allowed values',
      );
    });

    test("does not check an unresolved route logging level", () => {
      const stack = newStack();
      expect(() =>
        stageWith({ routeSettings: { join: { throttle: { burstLimit: 1, rateLimit: 1 }, loggingLevel: stringVar(stack) as any } } }, stack),
      ).not.toThrow();
    });

    test("fails at synth when a route setting names a route the API does not have", () => {
      const { stack } = stageWith({ routeSettings: { leave: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      expect(() => Testing.synth(stack, true)).toThrow(
        'routeSettings key of stage prod must be a route of the API (join), got "leave": add the route or remove its settings',
      );
    });

    test("accepts route settings for routes added after the stage", () => {
      const { stack, api } = stageWith({ routeSettings: { leave: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      api.addRoute("leave", { integration: proxy() });
      expect(() => Testing.synth(stack, true)).not.toThrow();
    });

    test("makes the stage wait for the routes its settings name, also when API Gateway deploys automatically", () => {
      // GIVEN
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat" });
      const join = api.addRoute("join", { integration: proxy() });
      const other = api.addRoute("other", { integration: proxy() });
      // WHEN
      const stage = new WebSocketStage(stack, "stage", { api, autoDeploy: true, routeSettings: { join: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      // THEN
      const dependsOn = tf(synthJson(stack), stage.resource).depends_on;
      expect(dependsOn).toEqual([
        `aws_cloudwatch_log_group.${stage.executionLogGroup!.friendlyUniqueId}`,
        `aws_apigatewayv2_route.${join.resource.friendlyUniqueId}`,
      ]);
      expect(dependsOn).not.toContain(`aws_apigatewayv2_route.${other.resource.friendlyUniqueId}`);
    });

    test("makes the stage wait for routes with settings that are added after the stage", () => {
      const { stack, api, stage } = stageWith({ explicitDeployment: false, routeSettings: { leave: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      const leave = api.addRoute("leave", { integration: proxy() });
      expect(tf(synthJson(stack), stage.resource).depends_on).toContain(`aws_apigatewayv2_route.${leave.resource.friendlyUniqueId}`);
    });

    test("makes the stage wait for routes from a Terraform map when a setting names no other route", () => {
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat" });
      const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
      const custom = api.addIteratedRoutes("custom", { forEach: routes, routeKey: routes.key, integration: proxy() });
      const stage = new WebSocketStage(stack, "stage", { api, autoDeploy: true, routeSettings: { leave: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      expect(tf(synthJson(stack), stage.resource).depends_on).toContain(`aws_apigatewayv2_route.${custom.resource.friendlyUniqueId}`);
    });

    test("does not make the stage wait for any route without route settings", () => {
      const { stack, stage } = stageWith({ autoDeploy: true });
      expect(tf(synthJson(stack), stage.resource).depends_on).toEqual([`aws_cloudwatch_log_group.${stage.executionLogGroup!.friendlyUniqueId}`]);
    });

    describe("of routes from a Terraform map (iteratedRouteSettings)", () => {
      /** A module-like stack: routes from a map variable, limits from each entry or the stage's variables. */
      function iterated(extra: Partial<WebSocketStageProps> = {}) {
        const stack = newStack();
        const api = new WebSocketApi(stack, "api", { apiName: "chat" });
        const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
        const custom = api.addIteratedRoutes("custom", { forEach: routes, routeKey: routes.key, integration: proxy() });
        const limited = TerraformIterator.fromMap(routes.forExpressionForMap("key", "val if val.burst != null") as any);
        const stage = new WebSocketStage(stack, "stage", {
          api,
          autoDeploy: true,
          loggingLevel: "INFO",
          iteratedRouteSettings: {
            forEach: limited,
            routes: custom,
            throttle: { burstLimit: limited.getNumber("burst"), rateLimit: numberVar(stack, "rate") },
          },
          ...extra,
        });
        return { stack, custom, stage };
      }

      test("writes one dynamic route_settings block with both limits and the stage's logging settings", () => {
        const { stack, stage } = iterated();
        const json = tf(synthJson(stack), stage.resource);
        expect(json.route_settings).toBeUndefined();
        expect(json.dynamic.route_settings).toEqual({
          for_each: "${{ for key, val in var.routes: key => val if val.burst != null }}",
          iterator: "each",
          content: {
            route_key: "${each.key}",
            throttling_burst_limit: "${each.value.burst}",
            throttling_rate_limit: "${var.rate}",
            logging_level: "INFO",
            data_trace_enabled: false,
            detailed_metrics_enabled: false,
          },
        });
      });

      test("makes the stage wait for the iterated routes", () => {
        const { stack, custom, stage } = iterated();
        expect(tf(synthJson(stack), stage.resource).depends_on).toContain(`aws_apigatewayv2_route.${custom.resource.friendlyUniqueId}`);
      });

      test("passes the guardrails' route settings rule (both limits in the content)", () => {
        const { stack } = iterated();
        expect(() => Testing.synth(stack, true)).not.toThrow();
      });

      test("fails when static route settings are given too", () => {
        expect(() => iterated({ routeSettings: { $connect: { throttle: { burstLimit: 1, rateLimit: 1 } } } })).toThrow(
          'WebSocketStage.iteratedRouteSettings must be unset when routeSettings are given (a stage has either static or dynamic route_settings blocks), got ["$connect"]',
        );
      });

      test("fails when a literal limit is 0", () => {
        const stack = newStack();
        const api = new WebSocketApi(stack, "api", { apiName: "chat" });
        const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
        const custom = api.addIteratedRoutes("custom", { forEach: routes, routeKey: routes.key, integration: proxy() });
        expect(
          () =>
            new WebSocketStage(stack, "stage", { api, iteratedRouteSettings: { forEach: routes, routes: custom, throttle: { burstLimit: 0, rateLimit: 1 } } }),
        ).toThrow("WebSocketStage.iteratedRouteSettings.throttle.burstLimit must be a number greater than 0, got 0");
      });
    });

    test("does not check route setting keys when routes come from a Terraform map", () => {
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat" });
      const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
      api.addIteratedRoutes("custom", { forEach: routes, routeKey: routes.key, integration: proxy() });
      new WebSocketStage(stack, "stage", { api, routeSettings: { leave: { throttle: { burstLimit: 1, rateLimit: 1 } } } });
      expect(() => Testing.synth(stack, true)).not.toThrow();
    });
  });

  describe("attributes", () => {
    test("gives the wss invoke URL and the https callback URL of the @connections API", () => {
      const a = stageWith();
      expect(rendered(a.stack, a.stage.invokeUrl)).toBe(`\${aws_apigatewayv2_stage.${a.stage.resource.friendlyUniqueId}.invoke_url}`);
      const b = stageWith();
      expect(rendered(b.stack, b.stage.callbackUrl)).toBe(
        `\${replace(aws_apigatewayv2_stage.${b.stage.resource.friendlyUniqueId}.invoke_url, "wss://", "https://")}`,
      );
    });

    test("gives the ARN of the stage's @connections resources", () => {
      const { stack, api, stage } = stageWith();
      expect(rendered(stack, stage.connectionsArn)).toBe(
        `\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.execution_arn}/\${aws_apigatewayv2_stage.${stage.resource.friendlyUniqueId}.name}/*/@connections/*`,
      );
    });
  });

  describe("grantManageConnections", () => {
    test("allows only execute-api:ManageConnections on this stage's @connections", () => {
      // GIVEN
      const { stack, api, stage } = stageWith({ stageName: "dev" });
      // WHEN
      const policy = stage.grantManageConnections({ name: "backend-task" });
      // THEN
      const json = synthJson(stack);
      const block = tf(json, policy);
      expect(block).toMatchObject({ name: "manage-connections-dev", role: "backend-task" });
      expect(policyDocumentOf(json, block.policy).statement).toEqual([
        {
          sid: "ManageStageConnections",
          effect: "Allow",
          actions: ["execute-api:ManageConnections"],
          resources: [
            `\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.execution_arn}/\${aws_apigatewayv2_stage.${stage.resource.friendlyUniqueId}.name}/*/@connections/*`,
          ],
        },
      ]);
    });
  });

  describe("grantManageConnections policy names", () => {
    test("take the given name, so one role can be granted on two stages of the same name", () => {
      // GIVEN
      const stack = newStack();
      const role = { name: "backend-task" };
      const first = stageWith({}, stack).stage;
      const otherApi = new WebSocketApi(stack, "api2", { apiName: "admin" });
      const second = new WebSocketStage(stack, "stage2", { api: otherApi });
      // WHEN
      const a = first.grantManageConnections(role);
      const b = second.grantManageConnections(role, "AdminConnections", "manage-admin-connections-prod");
      // THEN
      const json = synthJson(stack);
      expect([tf(json, a).name, tf(json, b).name]).toEqual(["manage-connections-prod", "manage-admin-connections-prod"]);
    });

    test("stay within IAM's 128 characters for the longest stage name", () => {
      const { stack, stage } = stageWith({ stageName: "s".repeat(128) });
      const policy = stage.grantManageConnections({ name: "backend-task" });
      const name = tf(synthJson(stack), policy).name;
      expect(name).toBe(`manage-connections-${"s".repeat(109)}`);
    });

    test("cut an unresolved stage name in Terraform", () => {
      const stack = newStack();
      const { stage } = stageWith({ stageName: stringVar(stack) }, stack);
      const policy = stage.grantManageConnections({ name: "backend-task" });
      expect(tf(synthJson(stack), policy).name).toBe("manage-connections-${substr(var.s, 0, 109)}");
    });

    test("fails when the given policy name is not an IAM policy name", () => {
      const { stage } = stageWith({});
      expect(() => stage.grantManageConnections({ name: "backend-task" }, "X", "manage connections")).toThrow(
        'WebSocketStage.grantManageConnections policyName must be 1 to 128 letters, digits or + = , . @ _ -, got "manage connections": use an IAM policy name',
      );
    });
  });

  describe("validation", () => {
    test("fails when the stage name has characters other than letters, digits, hyphens or underscores", () => {
      expect(() => stageWith({ stageName: "my stage" })).toThrow(
        'WebSocketStage.stageName must be 1 to 128 letters, digits, hyphens or underscores, got "my stage": pick a stage name such as "prod" or "dev"',
      );
      expect(() => stageWith({ stageName: "s".repeat(129) })).toThrow(/^WebSocketStage.stageName must be 1 to 128 letters/);
    });

    test("fails when the stage name is $default", () => {
      expect(() => stageWith({ stageName: "$default" })).toThrow(/^WebSocketStage.stageName must be .*, got "\$default"/);
    });

    test("does not check an unresolved stage name", () => {
      const stack = newStack();
      stageWith({ stageName: stringVar(stack) }, stack);
      expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Stage, { name: "${var.s}" });
    });

    test("fails when a throttling limit of the stage is 0 or negative", () => {
      expect(() => stageWith({ throttle: { burstLimit: 0, rateLimit: 10 } })).toThrow(
        "WebSocketStage.throttle.burstLimit must be a number greater than 0, got 0: a limit of 0 rejects every call with 429",
      );
      expect(() => stageWith({ throttle: { burstLimit: 10, rateLimit: -1 } })).toThrow(
        "WebSocketStage.throttle.rateLimit must be a number greater than 0, got -1: a limit of 0 rejects every call with 429",
      );
    });

    test("fails when the burst limit is not a whole number", () => {
      expect(() => stageWith({ throttle: { burstLimit: 1.5, rateLimit: 10 } })).toThrow(
        "WebSocketStage.throttle.burstLimit must be a whole number, got 1.5: round it",
      );
    });

    test("does not check unresolved throttling limits", () => {
      const stack = newStack();
      stageWith({ throttle: { burstLimit: numberVar(stack, "b"), rateLimit: numberVar(stack, "r") } }, stack);
      expect(onlyResource(synthJson(stack), "aws_apigatewayv2_stage").default_route_settings).toMatchObject({
        throttling_burst_limit: "${var.b}",
        throttling_rate_limit: "${var.r}",
      });
    });

    test("fails when the logging level is unknown", () => {
      expect(() => stageWith({ loggingLevel: "WARN" as any })).toThrow(
        'WebSocketStage.loggingLevel must be one of "OFF", "ERROR", "INFO", got "WARN": use one of the allowed values',
      );
    });

    test("does not check an unresolved logging level", () => {
      const stack = newStack();
      expect(() => stageWith({ loggingLevel: stringVar(stack) as any }, stack)).not.toThrow();
    });

    test("fails when the log retention is not one CloudWatch Logs accepts", () => {
      expect(() => stageWith({ logRetentionInDays: 15 })).toThrow(
        /^WebSocketStage.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(.*\), got 15: pick the nearest accepted value$/,
      );
    });

    test("does not check an unresolved log retention", () => {
      const stack = newStack();
      expect(() => stageWith({ logRetentionInDays: numberVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the access log format has no request id", () => {
      expect(() => stageWith({ accessLogFormat: '{"status":"$context.status"}' })).toThrow(
        'WebSocketStage.accessLogFormat must be a format that includes $context.requestId, got "{\\"status\\":\\"$context.status\\"}": add the request id; API Gateway rejects access log formats without it',
      );
    });

    test("does not check an unresolved access log format", () => {
      const stack = newStack();
      expect(() => stageWith({ accessLogFormat: stringVar(stack) }, stack)).not.toThrow();
    });
  });
});
