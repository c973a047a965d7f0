import { Testing } from "cdktf";
import { LOG_RETENTION_DAYS } from "../../constructs/validation";
import { WEBSOCKET_NLB_STACK, WebSocketNlbStack } from "../../stacks/websocket-nlb-stack";
import { resourcesOf, synthJson } from "../helpers";
import { dashboardLogSources, dashboardMetrics, dashboardRegions } from "../support/dashboard";
import { EDGE_OUTPUTS, EDGE_VARIABLES, SEED_CUSTOM_ROUTES_TYPE } from "./support";
import { buildStacks, only, ref, synthesizedStack } from "./support";

const REQUIRED = undefined;
/** The seed module's inputs (websocket-api-module-readme.txt, variant B): type and default (undefined: required). */
const SEED_VARIABLES: Record<string, [string, unknown]> = {
  api_name: ["string", REQUIRED],
  api_description: ["string", ""],
  stage_name: ["string", "prod"],
  nlb_name: ["string", REQUIRED],
  nlb_internal: ["bool", true],
  nlb_subnet_ids: ["list(string)", REQUIRED],
  target_group_name: ["string", REQUIRED],
  fargate_port: ["number", 3000],
  vpc_id: ["string", REQUIRED],
  vpc_link_name: ["string", REQUIRED],
  vpc_link_subnet_ids: ["list(string)", REQUIRED],
  vpc_link_security_group_ids: ["list(string)", REQUIRED],
  // The seed's custom_routes, with the optional per-route limits (issue 14): HCL written for the seed still fits.
  custom_routes: [
    SEED_CUSTOM_ROUTES_TYPE.replace(
      "path = optional(string)",
      "path = optional(string), throttling_burst_limit = optional(number), throttling_rate_limit = optional(number)",
    ),
    {},
  ],
  log_retention_days: ["number", 14],
  // null: "ERROR" once the stage may log (api_gateway_account_role), else "OFF".
  logging_level: ["string", null],
  throttling_burst_limit: ["number", 5000],
  throttling_rate_limit: ["number", 10000],
  auto_deploy: ["bool", true],
  tags: ["map(string)", {}],
};
/** Inputs beyond the seed's: all optional, so HCL written for the seed module keeps working. */
const EXTRA_VARIABLES = [
  "api_gateway_account_role",
  "dashboard_enabled",
  "dashboard_name",
  "data_trace_enabled",
  "detailed_metrics_enabled",
  "health_check_path",
  "integration_timeout_milliseconds",
  "manage_api_gateway_account",
  "nlb_deletion_protection",
  "route_selection_expression",
  ...Object.keys(EDGE_VARIABLES),
];
const SEED_OUTPUTS = [
  "websocket_api_id",
  "websocket_stage_invoke_url",
  "nlb_arn",
  "nlb_dns_name",
  "target_group_arn",
  "vpc_link_id",
  "cloudwatch_log_group_name",
];
const EXTRA_OUTPUTS = [
  "connections_callback_url",
  "api_execution_arn",
  "connections_arn",
  "execution_log_group_name",
  "api_gateway_cloudwatch_role_arn",
  "logging_enabled",
  "cloudwatch_dashboard_name",
  ...EDGE_OUTPUTS,
];
const NAME_REGEX = "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$";

/** The module's Terraform JSON, from a fresh project build. */
let nlbJson: any;
/** The module stack as synthesized (built once; each caller gets a copy). */
const moduleJson = () => structuredClone((nlbJson ??= synthJson(buildStacks({}).nlb)));

describe("WebSocketNlbStack", () => {
  test("is the websocket-nlb stack of the project", () => {
    const { nlb } = buildStacks({});
    expect(nlb.node.id).toBe(WEBSOCKET_NLB_STACK);
    expect(WEBSOCKET_NLB_STACK).toBe("websocket-nlb");
  });

  test("passes its validations (the guardrails rule pack)", () => {
    const { nlb } = buildStacks({});
    expect(nlb).toBeInstanceOf(WebSocketNlbStack);
    expect(() => Testing.synth(nlb, true)).not.toThrow();
  });

  describe("variables", () => {
    test("are the seed module's inputs with the seed's names, types and defaults", () => {
      // GIVEN / WHEN
      const variables = moduleJson().variable;
      // THEN
      for (const [name, [type, defaultValue]] of Object.entries(SEED_VARIABLES)) {
        expect({ name, type: variables[name]?.type, default: variables[name]?.default }).toEqual({ name, type, default: defaultValue });
      }
    });

    test("leave the seed's required inputs without a default, and make every other input optional", () => {
      const variables = moduleJson().variable;
      const required = Object.keys(variables).filter((name) => !("default" in variables[name]));
      expect(required.sort()).toEqual(
        Object.keys(SEED_VARIABLES)
          .filter((n) => SEED_VARIABLES[n][1] === REQUIRED)
          .sort(),
      );
      expect(Object.keys(variables).sort()).toEqual([...Object.keys(SEED_VARIABLES), ...EXTRA_VARIABLES].sort());
      for (const name of required) expect(variables[name].nullable).toBe(false);
    });

    test("are all described", () => {
      for (const [name, v] of Object.entries<any>(moduleJson().variable)) {
        expect({ name, described: typeof v.description === "string" && v.description.length > 20 }).toEqual({ name, described: true });
      }
    });

    test("validate names, ports, logging level, retention, throttling and custom route keys", () => {
      // GIVEN / WHEN
      const variables = moduleJson().variable;
      const conditions = (name: string) => (variables[name].validation ?? []).map((v: any) => v.condition);
      // THEN
      expect(conditions("nlb_name")).toEqual([`\${can(regex("${NAME_REGEX}", var.nlb_name)) && !can(regex("^(?i)internal-", var.nlb_name))}`]);
      expect(conditions("target_group_name")).toEqual([
        `\${can(regex("${NAME_REGEX}", var.target_group_name)) && !can(regex("^(?i)internal-", var.target_group_name))}`,
      ]);
      expect(conditions("api_name")).toEqual(["${length(var.api_name) >= 1 && length(var.api_name) <= 128}"]);
      expect(conditions("stage_name")).toEqual(['${can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))}']);
      expect(conditions("fargate_port")).toEqual(["${var.fargate_port >= 1 && var.fargate_port <= 65535 && floor(var.fargate_port) == var.fargate_port}"]);
      expect(conditions("logging_level")).toEqual(['${var.logging_level == null ? true : contains(["OFF", "ERROR", "INFO"], var.logging_level)}']);
      expect(conditions("api_gateway_account_role")).toEqual(['${contains(["none", "existing", "managed"], var.api_gateway_account_role)}']);
      expect(conditions("log_retention_days")).toEqual([`\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`]);
      expect(conditions("throttling_burst_limit")).toEqual([
        "${var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit}",
      ]);
      expect(conditions("throttling_rate_limit")).toEqual(["${var.throttling_rate_limit > 0}"]);
      expect(conditions("custom_routes")).toEqual([
        '${alltrue([for k, r in var.custom_routes : can(regex("^[!-#%-~]([ -~]{0,126}[!-~])?$", k)) && (r.route_response_selection_expression == null || r.route_response_selection_expression == "$default") && (r.path == null || startswith(coalesce(r.path, "/"), "/"))])}',
        "${alltrue([for k, r in var.custom_routes : coalesce(r.throttling_burst_limit, 1) > 0 && floor(coalesce(r.throttling_burst_limit, 1)) == coalesce(r.throttling_burst_limit, 1) && coalesce(r.throttling_rate_limit, 1) > 0])}",
        "${length(var.custom_routes) <= 297}",
      ]);
      for (const [name, v] of Object.entries<any>(variables)) {
        for (const rule of v.validation ?? [])
          expect({ name, message: rule.error_message }).toEqual({ name, message: expect.stringMatching(new RegExp(`^${name} .+\\.$`)) });
      }
    });

    test("name the custom_routes entries that break a rule in the error message", () => {
      for (const rule of moduleJson().variable.custom_routes.validation.slice(0, 2)) {
        const check = /^\$\{alltrue\(\[for k, r in var\.custom_routes : (.+)\]\)\}$/.exec(rule.condition)![1];
        expect(rule.error_message).toContain(`Entries breaking a rule: \${jsonencode([for k, r in var.custom_routes : k if !(${check})])}.`);
      }
    });

    test("accept the load balancer names AWS accepts and reject the others", () => {
      const re = new RegExp(NAME_REGEX);
      for (const ok of ["a", "chat-nlb", "turtle-battleships-nlb", "x".repeat(32)]) expect({ ok, valid: re.test(ok) }).toEqual({ ok, valid: true });
      for (const bad of ["", "-chat", "chat-", "chat_nlb", "x".repeat(33)]) expect({ bad, valid: re.test(bad) }).toEqual({ bad, valid: false });
    });
  });

  describe("outputs", () => {
    test("are the seed module's outputs plus the callback URL and execution ARN, each described", () => {
      const outputs = moduleJson().output;
      expect(Object.keys(outputs).sort()).toEqual([...SEED_OUTPUTS, ...EXTRA_OUTPUTS].sort());
      for (const [name, o] of Object.entries<any>(outputs))
        expect({ name, described: typeof o.description === "string" && o.description.length > 10 }).toEqual({ name, described: true });
    });

    test("point at the resources they name", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [api] = only(json, "aws_apigatewayv2_api");
      const [stage] = only(json, "aws_apigatewayv2_stage");
      const [nlb] = only(json, "aws_lb");
      const [tg] = only(json, "aws_lb_target_group");
      const [link] = only(json, "aws_api_gateway_vpc_link");
      const value = (name: string) => json.output[name].value;
      // THEN
      expect(value("websocket_api_id")).toBe(ref("aws_apigatewayv2_api", api));
      expect(value("api_execution_arn")).toBe(ref("aws_apigatewayv2_api", api, "execution_arn"));
      expect(value("websocket_stage_invoke_url")).toBe(ref("aws_apigatewayv2_stage", stage, "invoke_url"));
      expect(value("connections_callback_url")).toBe(`\${replace(aws_apigatewayv2_stage.${stage}.invoke_url, "wss://", "https://")}`);
      expect(value("nlb_arn")).toBe(ref("aws_lb", nlb, "arn"));
      expect(value("nlb_dns_name")).toBe(ref("aws_lb", nlb, "dns_name"));
      expect(value("target_group_arn")).toBe(ref("aws_lb_target_group", tg, "arn"));
      expect(value("vpc_link_id")).toBe(ref("aws_api_gateway_vpc_link", link));
      expect(value("cloudwatch_log_group_name")).toMatch(/^\$\{aws_cloudwatch_log_group\.stage_AccessLogs_[0-9A-F]{8}\.name\}$/);
      expect(value("connections_arn")).toBe(`\${aws_apigatewayv2_api.${api}.execution_arn}/\${aws_apigatewayv2_stage.${stage}.name}/*/@connections/*`);
    });

    test("give target_group_arn only once the NLB listener forwards to the target group, so an ECS service using it waits", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [listener] = only(json, "aws_lb_listener");
      // THEN
      expect(json.output.target_group_arn.depends_on).toEqual([`aws_lb_listener.${listener}`]);
    });
  });

  describe("as a Terraform module", () => {
    test("has no backend and no provider block, and requires hashicorp/aws 5.x from 5.100", () => {
      // GIVEN
      const stacks = buildStacks({});
      // WHEN the app is synthesized as the CLI does
      const json = synthesizedStack(stacks, WEBSOCKET_NLB_STACK);
      // THEN
      expect(json.provider).toBeUndefined();
      expect(json.terraform.backend).toBeUndefined();
      expect(json.terraform.cloud).toBeUndefined();
      expect(json.terraform.required_providers).toEqual({ aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } });
    });
  });

  describe("private path", () => {
    test("uses only the v1 VPC link, on the NLB, for every integration", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [link, vpcLink] = only(json, "aws_api_gateway_vpc_link");
      const [nlb] = only(json, "aws_lb");
      // THEN
      expect(resourcesOf(json, "aws_apigatewayv2_vpc_link")).toEqual({});
      expect(vpcLink).toMatchObject({ name: "${var.vpc_link_name}", target_arns: [ref("aws_lb", nlb, "arn")] });
      const integrations = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_integration"));
      expect(integrations).toHaveLength(4);
      for (const i of integrations) expect(i).toMatchObject({ connection_type: "VPC_LINK", connection_id: ref("aws_api_gateway_vpc_link", link) });
    });

    test("builds the NLB and the ip target group from the variables", () => {
      const json = moduleJson();
      expect(only(json, "aws_lb")[1]).toMatchObject({
        name: "${var.nlb_name}",
        internal: "${var.nlb_internal}",
        load_balancer_type: "network",
        subnets: "${var.nlb_subnet_ids}",
        security_groups: "${var.vpc_link_security_group_ids}",
      });
      expect(only(json, "aws_lb_target_group")[1]).toMatchObject({
        name: "${var.target_group_name}",
        target_type: "ip",
        port: "${var.fargate_port}",
        protocol: "TCP",
        vpc_id: "${var.vpc_id}",
      });
      expect(only(json, "aws_lb_listener")[1]).toMatchObject({ port: "${var.fargate_port}", protocol: "TCP" });
    });

    test("calls the backend on the NLB at /connect, /disconnect and /default, with the connection id in a header", () => {
      const json = moduleJson();
      const [nlb] = only(json, "aws_lb");
      const uris = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_integration"))
        .filter((i) => !i.for_each)
        .map((i) => i.integration_uri)
        .sort();
      const base = `http://${ref("aws_lb", nlb, "dns_name")}:\${var.fargate_port}`;
      expect(uris).toEqual([`${base}/connect`, `${base}/default`, `${base}/disconnect`]);
      for (const i of Object.values<any>(resourcesOf(json, "aws_apigatewayv2_integration"))) {
        expect(i).toMatchObject({ integration_type: "HTTP_PROXY", integration_method: "POST" });
        // A map Terraform merges: the connection id and route key headers, then the authorizer's (none by default).
        expect(i.request_parameters).toMatch(
          /^\$\{merge\(\{"integration\.request\.header\.connectionId" = "context\.connectionId"\}, merge\(\{"integration\.request\.header\.routeKey" = "context\.routeKey"\}, /,
        );
      }
    });
  });

  describe("custom routes", () => {
    test("are one route and one integration per entry of var.custom_routes (for_each), keyed by each.key", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [integrationId, integration] = Object.entries<any>(resourcesOf(json, "aws_apigatewayv2_integration")).find(([, i]) => i.for_each)!;
      const [routeId, route] = Object.entries<any>(resourcesOf(json, "aws_apigatewayv2_route")).find(([, r]) => r.for_each)!;
      const [nlb] = only(json, "aws_lb");
      // THEN
      expect(integration.for_each).toBe("${var.custom_routes}");
      expect(integration.integration_uri).toBe(
        `http://${ref("aws_lb", nlb, "dns_name")}:\${var.fargate_port}\${coalesce(each.value.path, "/\${urlencode(each.key)}")}`,
      );
      expect(route).toMatchObject({
        for_each: "${var.custom_routes}",
        route_key: "${each.key}",
        route_response_selection_expression: "${each.value.route_response_selection_expression}",
        target: `integrations/\${aws_apigatewayv2_integration.${integrationId}[each.key].id}`,
      });
      expect(routeId).toMatch(/^api_custom-routes_/);
    });

    test("answer the client only on two-way routes (route_response_selection_expression set)", () => {
      const json = moduleJson();
      const [routeId] = Object.entries<any>(resourcesOf(json, "aws_apigatewayv2_route")).find(([, r]) => r.for_each)!;
      const responses = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_route_response")).filter((r) => r.for_each);
      expect(responses).toEqual([
        expect.objectContaining({
          for_each: "${{ for key, val in var.custom_routes: key => val if val.route_response_selection_expression != null }}",
          route_id: `\${aws_apigatewayv2_route.${routeId}[each.key].id}`,
          route_response_key: "$default",
        }),
      ]);
    });
  });

  describe("stage", () => {
    test("takes throttling, logging, retention and auto deploy from the variables", () => {
      const json = moduleJson();
      expect(only(json, "aws_apigatewayv2_stage")[1]).toMatchObject({
        name: "${var.stage_name}",
        auto_deploy: "${var.auto_deploy}",
        default_route_settings: {
          throttling_burst_limit: "${var.throttling_burst_limit}",
          throttling_rate_limit: "${var.throttling_rate_limit}",
          logging_level: '${local.logging_enabled ? coalesce(var.logging_level, "ERROR") : "OFF"}',
          data_trace_enabled: "${(local.logging_enabled && var.data_trace_enabled)}",
        },
      });
      for (const group of Object.values<any>(resourcesOf(json, "aws_cloudwatch_log_group"))) expect(group.retention_in_days).toBe("${var.log_retention_days}");
      expect(only(json, "aws_apigatewayv2_deployment")[1].count).toBe("${var.auto_deploy ? 0 : 1}");
    });

    test("writes logs only when the region has its API Gateway CloudWatch role (api_gateway_account_role existing or managed)", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [, stage] = only(json, "aws_apigatewayv2_stage");
      const [accessLogs] = Object.entries<any>(resourcesOf(json, "aws_cloudwatch_log_group")).find(([id]) => id.startsWith("stage_AccessLogs_"))!;
      // THEN manage_api_gateway_account = true still means "managed"
      expect(json.locals).toEqual({
        api_gateway_account_role: '${var.manage_api_gateway_account ? "managed" : var.api_gateway_account_role}',
        logging_enabled: '${(local.api_gateway_account_role != "none")}',
        dashboard_name: expect.stringMatching(/^\$\{coalesce\(var\.dashboard_name, /),
      });
      // and access logs are a block that exists only with the role
      expect(stage.access_log_settings).toBeUndefined();
      expect(stage.dynamic.access_log_settings).toMatchObject({
        for_each: "${local.logging_enabled ? [1] : []}",
        content: { destination_arn: ref("aws_cloudwatch_log_group", accessLogs, "arn"), format: expect.stringContaining('"requestId":"$context.requestId"') },
      });
      expect(json.output.logging_enabled.value).toBe("${local.logging_enabled}");
    });

    test("warns at plan time, naming the variable to set, when logging is asked for but no role is declared", () => {
      const [assertion] = moduleJson().check.api_gateway_logging.assert;
      expect(assertion.condition).toBe('${local.logging_enabled || ((var.logging_level == null || var.logging_level == "OFF") && !var.data_trace_enabled)}');
      expect(assertion.error_message).toContain('Set api_gateway_account_role = "existing" if the region has one');
      expect(assertion.error_message).toContain('or "managed" to have this module create and set it');
    });

    test("names the access log group after the API, with the characters log group names reject written as -", () => {
      const json = moduleJson();
      const [, group] = Object.entries<any>(resourcesOf(json, "aws_cloudwatch_log_group")).find(([id]) => id.startsWith("stage_AccessLogs_"))!;
      expect(group.name).toBe('/aws/apigatewayv2/${replace(var.api_name, "/[^-._/A-Za-z0-9]/", "-")}');
    });

    test("leaves the region's API Gateway CloudWatch role alone unless api_gateway_account_role is managed, then shares it through the account function", () => {
      const json = moduleJson();
      const count = '${(local.api_gateway_account_role == "managed") ? 1 : 0}';
      // No setting of its own: a function of the module joins the region's shared role (a CRUD invocation).
      expect(resourcesOf(json, "aws_api_gateway_account")).toEqual({});
      const [, invocation] = only(json, "aws_lambda_invocation");
      expect(invocation).toMatchObject({ count, lifecycle_scope: "CRUD" });
      expect(invocation.input).toContain('"user" = join(" ", ["module", var.api_name, aws_apigatewayv2_api.');
      expect(invocation.input).toContain(`"keepHint" = "set api_gateway_account_role to 'existing'`);
      const [, fn] = only(json, "aws_lambda_function");
      expect(fn).toMatchObject({ count, function_name: '${substr(replace(join("", [var.api_name, "-apigw-account"]), "/[^0-9A-Za-z_-]/", "-"), 0, 64)}' });
      // The module's archive, found from the caller's folder.
      expect(fn.filename).toMatch(/^\$\{path\.module\}\/assets\/.+\/(archive|deploy-actions)\.zip$/);
      expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename}")}`);
      expect(only(json, "aws_iam_role")[1].count).toBe(count);
      // What release 2.0.0 made is forgotten, not destroyed (destroying it would reset the setting).
      expect(json.removed.map((r: any) => r.from)).toEqual([
        "aws_iam_role.cloudwatch-role_Role_E17F69E7",
        "aws_iam_role_policy_attachment.cloudwatch-role_PushToCloudWatchLogs_CAD7F66D",
        "aws_api_gateway_account.cloudwatch-role_9D28046D",
      ]);
      expect(json.removed.every((r: any) => r.lifecycle.destroy === false)).toBe(true);
    });
  });

  describe("dashboard", () => {
    test("is off by default: the dashboard and its metric filters exist only with dashboard_enabled", () => {
      const json = moduleJson();
      const count = "${var.dashboard_enabled ? 1 : 0}";
      expect(only(json, "aws_cloudwatch_dashboard")[1].count).toBe(count);
      const filters = Object.values<any>(resourcesOf(json, "aws_cloudwatch_log_metric_filter"));
      expect(filters).toHaveLength(5);
      for (const f of filters) expect(f.count).toBe(count);
      expect(json.variable.dashboard_enabled).toMatchObject({ type: "bool", default: false });
      expect(json.output.cloudwatch_dashboard_name.value).toBe("${var.dashboard_enabled ? local.dashboard_name : null}");
    });

    test("reads only what the module creates: the API and stage, the NLB and its target group, the stage's access log group", () => {
      // GIVEN the module as synthesized
      const json = moduleJson();
      const [, dashboard] = only(json, "aws_cloudwatch_dashboard");
      const [apiId] = only(json, "aws_apigatewayv2_api");
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      const [lbId] = only(json, "aws_lb");
      const [tgId] = only(json, "aws_lb_target_group");
      const stage = { ApiId: ref("aws_apigatewayv2_api", apiId), Stage: ref("aws_apigatewayv2_stage", stageId, "name") };
      const nlb = { LoadBalancer: ref("aws_lb", lbId, "arn_suffix") };
      // WHEN its body is read
      const metrics = dashboardMetrics(dashboard.dashboard_body);
      // THEN every dimension names a resource of the module, and nothing of the caller's backend is drawn
      expect([...new Set(metrics.map((m) => m.namespace))].sort()).toEqual(["AWS/ApiGateway", "AWS/NetworkELB", "WebSocketGateway"]);
      for (const m of metrics) {
        const wanted =
          m.namespace === "AWS/NetworkELB"
            ? /HostCount$/.test(m.metricName)
              ? { ...nlb, TargetGroup: ref("aws_lb_target_group", tgId, "arn_suffix") }
              : nlb
            : stage;
        expect({ widget: m.widget, dimensions: m.dimensions }).toEqual({ widget: m.widget, dimensions: wanted });
      }
      const accessLogs = ref(
        "aws_cloudwatch_log_group",
        Object.keys(resourcesOf(json, "aws_cloudwatch_log_group")).find((id) => id.startsWith("stage_AccessLogs_"))!,
        "name",
      );
      for (const s of dashboardLogSources(dashboard.dashboard_body)) expect(s.sources).toEqual([accessLogs]);
      for (const f of Object.values<any>(resourcesOf(json, "aws_cloudwatch_log_metric_filter"))) expect(f.log_group_name).toBe(accessLogs);
      expect(dashboardRegions(dashboard.dashboard_body)).toEqual(["${data.aws_region.region.name}"]);
      expect(dashboard.dashboard_name).toBe("${local.dashboard_name}");
      expect(json.locals.dashboard_name).toBe(
        '${coalesce(var.dashboard_name, substr(replace("${var.api_name}-${var.stage_name}", "/[^A-Za-z0-9_-]/", "-"), 0, 255))}',
      );
    });

    test("warns at plan time when it is on while the stage writes no access logs", () => {
      expect(moduleJson().check.dashboard_access_logs.assert).toEqual([
        { condition: "${!var.dashboard_enabled || local.logging_enabled}", error_message: expect.stringContaining('api_gateway_account_role = "existing"') },
      ]);
    });

    test("validates dashboard_name as PutDashboard does", () => {
      const [validation] = moduleJson().variable.dashboard_name.validation;
      expect(validation.error_message).toMatch(/^dashboard_name must be 1 to 255 letters, digits, hyphens or underscores, got /);
    });
  });
});
