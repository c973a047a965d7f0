import * as path from "path";
import { EDGE_OUTPUTS } from "../stacks/support";
import {
  describeWith,
  errorsByInstance,
  failedChecks,
  instancePlan,
  MODULE_INPUTS,
  ModuleInstance,
  plannedResources as planned,
  removeWorkdir,
  synthInto,
  terraformAsync,
  terraformJsonAsync,
  terraformRunAsync,
  workdir,
  writeModulesRoot,
} from "../support/terraform";

/**
 * The synthesized modules (websocket-nlb, websocket-alb) as child modules
 * of HCL roots, validated and planned offline with the real provider: each
 * logging mode and its warning, the dashboard, custom routes, the
 * production edges of issue 14 (custom domain, `$connect` authorization,
 * per-route throttling), and bad inputs rejected at plan time with the
 * variable named.
 *
 * Every configuration a test reads is a module instance of one of three
 * roots, planned once (docs/testing.md, "What was merged"): the plannable
 * configurations in one root (`instancePlan` reads an instance back as if
 * planned alone, its check blocks from the plan's `checks`), and the bad
 * inputs in two, since Terraform stops at the first phase that fails:
 * input variable validations (every instance's) before the plan walk, the
 * modules' output preconditions (every instance's) during it.
 */

const ZONE = "Z0123456789ABCDEFGHIJ";
const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:ws-auth";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";

type Module = "websocket-nlb" | "websocket-alb";
/** Instance name -> the module, the inputs beside its required ones (or instead of them: `replace`), the outputs read. */
type Instances = Record<string, { module: Module; inputs: Record<string, unknown>; outputs?: readonly string[]; replace?: boolean }>;

/** The configurations that plan. */
const PLANNED: Instances = {
  nlb_custom_routes: {
    module: "websocket-nlb",
    inputs: {
      auto_deploy: false,
      custom_routes: {
        joinGame: { route_response_selection_expression: null },
        makeMove: { route_response_selection_expression: "$default", path: "/moves" },
      },
    },
  },
  alb_given_listener: { module: "websocket-alb", inputs: { alb_listener_port: 443, manage_api_gateway_account: true } },
  // The seed README's logging inputs, and an API name CloudWatch Logs would refuse as a log group name.
  nlb_seed_usage: {
    module: "websocket-nlb",
    inputs: { api_name: "Turtle Battleships", log_retention_days: 7, logging_level: "INFO" },
    outputs: ["logging_enabled"],
  },
  nlb_existing_role: { module: "websocket-nlb", inputs: { api_gateway_account_role: "existing", logging_level: "INFO" } },
  // The dashboard on, and an API name PutDashboard would refuse as it is.
  nlb_dashboard: { module: "websocket-nlb", inputs: { api_name: "Game API", dashboard_enabled: true }, outputs: ["cloudwatch_dashboard_name"] },
  nlb_dashboard_off: { module: "websocket-nlb", inputs: {}, outputs: ["cloudwatch_dashboard_name"] },
  nlb_domain_zone_authorizer: {
    module: "websocket-nlb",
    inputs: {
      domain_name: "ws.example.com",
      domain_hosted_zone_id: ZONE,
      domain_api_mapping_key: "chat",
      connect_authorization_type: "CUSTOM",
      connect_authorizer_function_arn: FUNCTION,
      authorizer_context_headers: { "x-player-id": "principalId" },
      custom_routes: { joinGame: { throttling_burst_limit: 10 }, makeMove: { route_response_selection_expression: "$default" } },
    },
    outputs: EDGE_OUTPUTS,
  },
  nlb_domain_certificate_iam: {
    module: "websocket-nlb",
    inputs: { domain_name: "ws.example.com", domain_certificate_arn: CERTIFICATE, domain_ip_address_type: "ipv4", connect_authorization_type: "AWS_IAM" },
    outputs: EDGE_OUTPUTS,
  },
  alb_authorizer_role: {
    module: "websocket-alb",
    inputs: {
      connect_authorization_type: "CUSTOM",
      connect_authorizer_function_arn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}:live/invocations`,
      connect_authorizer_identity_sources: ["route.request.header.Authorization", "route.request.querystring.room"],
      connect_authorizer_credentials_role_arn: "arn:aws:iam::123456789012:role/apigw-invoke-auth",
      custom_routes: { sendMessage: { throttling_burst_limit: 50, throttling_rate_limit: 25.5 } },
    },
    outputs: EDGE_OUTPUTS,
  },
};

/** Inputs that break input variable validations. */
const BAD_VARIABLES: Instances = {
  nlb_bad_inputs: {
    module: "websocket-nlb",
    replace: true,
    inputs: {
      api_name: "game",
      nlb_name: "-bad-",
      nlb_subnet_ids: ["subnet-0123456789abcdef0"],
      target_group_name: "game-tg",
      vpc_id: "vpc-0123456789abcdef0",
      vpc_link_name: "game",
      vpc_link_subnet_ids: ["subnet-0123456789abcdef0"],
      vpc_link_security_group_ids: ["sg-0123456789abcdef0"],
      logging_level: "DEBUG",
      api_gateway_account_role: "yes",
      custom_routes: { $join: { route_response_selection_expression: null } },
    },
  },
  nlb_bad_edges: {
    module: "websocket-nlb",
    inputs: {
      domain_name: "WS.Example.com",
      domain_hosted_zone_id: `/hostedzone/${ZONE}`,
      domain_api_mapping_key: "v1/chat",
      connect_authorization_type: "CUSTOM",
      connect_authorizer_function_arn: "arn:aws:iam::123456789012:role/auth",
      connect_authorizer_identity_sources: ["method.request.header.Authorization"],
      authorizer_context_headers: { connectionId: "principalId" },
      custom_routes: { joinGame: { throttling_rate_limit: 0 }, makeMove: { throttling_burst_limit: 1.5 } },
    },
  },
};

/** Inputs that pass each variable's validation but break the modules' preconditions between variables. */
const BAD_COMBINATIONS: Instances = {
  nlb_domain_without_certificate: { module: "websocket-nlb", inputs: { domain_name: "ws.example.com", authorizer_context_headers: { "x-user": "userId" } } },
  alb_mapping_without_domain: { module: "websocket-alb", inputs: { domain_api_mapping_key: "chat", connect_authorization_type: "CUSTOM" } },
};

describeWith(["terraform"])("the modules as child modules of HCL roots, validated and planned with the real provider", () => {
  let outdir: string;
  const roots: Record<"planned" | "badVariables" | "badCombinations", string> = { planned: "", badVariables: "", badCombinations: "" };
  let plan: any;
  let output: string;
  let failed: Record<"badVariables" | "badCombinations", { status: number; errors: Record<string, string> }>;

  function write(dir: string, instances: Instances): void {
    const calls: Record<string, ModuleInstance> = {};
    for (const [name, i] of Object.entries(instances))
      calls[name] = {
        source: path.join(outdir, "stacks", i.module),
        inputs: i.replace ? i.inputs : { ...MODULE_INPUTS[i.module], ...i.inputs },
        outputs: i.outputs,
      };
    writeModulesRoot(dir, calls);
  }

  beforeAll(async () => {
    outdir = workdir("modules");
    synthInto(outdir);
    roots.planned = workdir("modules-planned");
    roots.badVariables = workdir("modules-bad-variables");
    roots.badCombinations = workdir("modules-bad-combinations");
    write(roots.planned, PLANNED);
    write(roots.badVariables, BAD_VARIABLES);
    write(roots.badCombinations, BAD_COMBINATIONS);
    // One init at a time (the plugin cache is not safe for concurrent installs), then the plans at once.
    for (const dir of Object.values(roots)) await terraformAsync(dir, ["init", "-input=false"]);
    const failing = async (dir: string) => {
      const r = await terraformRunAsync(dir, ["plan", "-input=false", "-lock=false"]);
      return { status: r.status, errors: errorsByInstance(r.output) };
    };
    const [planOutput, badVariables, badCombinations] = await Promise.all([
      terraformAsync(roots.planned, ["plan", "-input=false", "-lock=false", "-out=plan.bin"]),
      failing(roots.badVariables),
      failing(roots.badCombinations),
    ]);
    output = planOutput;
    plan = await terraformJsonAsync(roots.planned, ["show", "-json", "plan.bin"]);
    failed = { badVariables, badCombinations };
  }, 10 * 60_000);

  afterAll(() => {
    for (const dir of [...Object.values(roots), outdir]) if (dir) removeWorkdir(dir);
  });

  /** The plan of one instance of the plannable root. */
  const instance = (name: keyof typeof PLANNED) => instancePlan(plan, name);

  /** The errors of one instance of a root that must fail to plan. */
  function errorsOf(root: "badVariables" | "badCombinations", name: string): string {
    expect(failed[root].status).not.toBe(0);
    expect(Object.keys(failed[root].errors)).toContain(name);
    return failed[root].errors[name];
  }

  test("the root of every plannable configuration passes terraform validate (the plan's first walk), and its plan prints no deprecation of a setting the modules do not make", () => {
    // VALIDATED_BY_PLAN: the plan above succeeded, so the validate walk found no error.
    expect(output).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/m);
    expect(output).not.toContain("reset_on_delete");
  });

  test("websocket-nlb plans as a child module, one route per custom_routes entry", () => {
    const p = instance("nlb_custom_routes");
    const keys = planned(p, "aws_apigatewayv2_route").map((r) => r.values.route_key);
    expect(keys.sort()).toEqual(["$connect", "$default", "$disconnect", "joinGame", "makeMove"]);
    // Two-way: $default and makeMove.
    expect(planned(p, "aws_apigatewayv2_route_response")).toHaveLength(2);
    expect(planned(p, "aws_apigatewayv2_deployment")).toHaveLength(1);
    expect(planned(p, "aws_api_gateway_account")).toHaveLength(0);
    const tg = planned(p, "aws_lb_target_group")[0];
    expect(tg.values).toMatchObject({ target_type: "ip", port: 3000, protocol: "TCP" });
    const nlb = planned(p, "aws_lb")[0];
    expect(nlb.values).toMatchObject({ internal: true, load_balancer_type: "network", enforce_security_group_inbound_rules_on_private_link_traffic: "off" });
  });

  test("websocket-alb plans as a child module without AWS reads when vpc_id and alb_listener_port are given", () => {
    const p = instance("alb_given_listener");
    const tg = planned(p, "aws_lb_target_group")[0];
    expect(tg.values).toMatchObject({ target_type: "alb", port: 443, protocol: "TCP", name: "my-vpc-link-alb", vpc_id: "vpc-0123456789abcdef0" });
    const attachment = planned(p, "aws_lb_target_group_attachment")[0];
    expect(attachment.values).toMatchObject({
      target_id: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188",
      port: 443,
    });
    expect(planned(p, "aws_lb")[0].values.name).toBe("my-vpc-link-nlb");
    // manage_api_gateway_account = true is still api_gateway_account_role = "managed": the module's account function shares the setting, and logs
    expect(planned(p, "aws_api_gateway_account")).toHaveLength(0);
    expect(planned(p, "aws_lambda_function").map((f) => f.values.function_name)).toEqual(["my-websocket-api-apigw-account"]);
    expect(planned(p, "aws_lambda_invocation").map((i) => i.values.lifecycle_scope)).toEqual(["CRUD"]);
    const stage = planned(p, "aws_apigatewayv2_stage")[0].values;
    expect(stage.access_log_settings).toHaveLength(1);
    expect(stage.default_route_settings[0].logging_level).toBe("ERROR");
  });

  test("websocket-nlb as the seed's usage writes it (logging_level INFO, no account role, a name with a space) plans on any account: no logs, and a warning that says what to set", () => {
    const p = instance("nlb_seed_usage");
    // the stage asks for no logs (CreateStage would fail without the region's role), and the plan warns
    const stage = planned(p, "aws_apigatewayv2_stage")[0].values;
    expect(stage.access_log_settings).toEqual([]);
    expect(stage.default_route_settings[0]).toMatchObject({ logging_level: "OFF", data_trace_enabled: false });
    expect(planned(p, "aws_api_gateway_account")).toHaveLength(0);
    expect(p.planned_values.outputs.logging_enabled.value).toBe(false);
    // the warning is printed, and it is this instance's check that failed
    expect(output).toContain("Warning: Check block assertion failed");
    const warning = 'logging_level is "INFO" and data_trace_enabled is false, but the stage writes no logs';
    const advice = 'Set api_gateway_account_role = "existing" if the region has one';
    expect(output.replace(/\s+/g, " ")).toContain(warning);
    expect(output.replace(/\s+/g, " ")).toContain(advice);
    expect(failedChecks(p)).toEqual([expect.stringContaining(warning)]);
    expect(failedChecks(p)[0]).toContain(advice);
    // the log groups exist, named with the characters CloudWatch Logs accepts
    expect(planned(p, "aws_cloudwatch_log_group").map((g) => g.values.name)).toContain("/aws/apigatewayv2/Turtle-Battleships");
  });

  test("websocket-nlb with api_gateway_account_role existing logs through the region's role without touching the setting, and plans without a warning", () => {
    const p = instance("nlb_existing_role");
    const stage = planned(p, "aws_apigatewayv2_stage")[0].values;
    expect(stage.access_log_settings).toHaveLength(1);
    expect(stage.default_route_settings[0].logging_level).toBe("INFO");
    expect(planned(p, "aws_api_gateway_account")).toHaveLength(0);
    expect(planned(p, "aws_iam_role")).toHaveLength(0);
    // its check blocks ran, and none failed
    expect(p.checks.length).toBeGreaterThan(0);
    expect(failedChecks(p)).toEqual([]);
  });

  test("websocket-nlb with dashboard_enabled plans the dashboard and its five metric filters, warns while the stage writes no access logs, and names the dashboard after the API and stage", () => {
    const p = instance("nlb_dashboard");
    const [dashboard] = planned(p, "aws_cloudwatch_dashboard");
    expect(dashboard.values.dashboard_name).toBe("Game-API-prod");
    expect(p.planned_values.outputs.cloudwatch_dashboard_name.value).toBe("Game-API-prod");
    expect(
      planned(p, "aws_cloudwatch_log_metric_filter")
        .map((f) => f.values.metric_transformation[0].name)
        .sort(),
    ).toEqual(["ConnectionsClosed", "ConnectionsOpened", "ConnectsRejected", "ThrottledConnects", "ThrottledMessages"]);
    for (const f of planned(p, "aws_cloudwatch_log_metric_filter")) expect(f.values.log_group_name).toBe("/aws/apigatewayv2/Game-API");
    const warning = "dashboard_enabled is true, but the stage writes no access logs";
    expect(output.replace(/\s+/g, " ")).toContain(warning);
    expect(failedChecks(p)).toContainEqual(expect.stringContaining(warning));
    // and off (the default), neither the dashboard nor a filter is planned, and no warning
    const quiet = instance("nlb_dashboard_off");
    expect(planned(quiet, "aws_cloudwatch_dashboard")).toHaveLength(0);
    expect(planned(quiet, "aws_cloudwatch_log_metric_filter")).toHaveLength(0);
    expect(quiet.planned_values.outputs.cloudwatch_dashboard_name?.value ?? null).toBeNull();
    expect(quiet.checks.length).toBeGreaterThan(0);
    expect(failedChecks(quiet).filter((m) => m.includes("dashboard_enabled is true"))).toEqual([]);
  });

  test("the modules reject bad inputs at plan time with the variable's message", () => {
    const errors = errorsOf("badVariables", "nlb_bad_inputs");
    expect(errors).toMatch(/nlb_name must be 1 to 32 letters, digits or hyphens/);
    expect(errors).toMatch(/logging_level must be one of "OFF", "ERROR", "INFO", got "DEBUG"/);
    expect(errors).toMatch(/api_gateway_account_role must be one of "none", "existing", "managed", got "yes"/);
    expect(errors).toMatch(/custom_routes keys must be 1 to 128 printable ASCII characters, not starting with "\$"/);
  });

  test("websocket-nlb: a domain with a certificate requested in a Route 53 zone, a mapping key, a Lambda authorizer and a limited route", () => {
    const p = instance("nlb_domain_zone_authorizer");
    // THEN the certificate, its DNS validation and the A/AAAA aliases are made in the zone
    expect(planned(p, "aws_acm_certificate").map((r) => r.values)).toEqual([
      expect.objectContaining({ domain_name: "ws.example.com", validation_method: "DNS" }),
    ]);
    expect(planned(p, "aws_acm_certificate_validation")).toHaveLength(1);
    expect(
      planned(p, "aws_route53_record")
        .map((r) => r.values.type ?? "(validation)")
        .sort(),
    ).toEqual(["(validation)", "A", "AAAA"]);
    expect(planned(p, "aws_route53_record").every((r) => r.values.zone_id === ZONE)).toBe(true);
    const [domain] = planned(p, "aws_apigatewayv2_domain_name");
    expect(domain.values).toMatchObject({ domain_name: "ws.example.com" });
    expect(domain.values.domain_name_configuration[0]).toMatchObject({ endpoint_type: "REGIONAL", security_policy: "TLS_1_2", ip_address_type: "dualstack" });
    expect(planned(p, "aws_apigatewayv2_api_mapping").map((r) => r.values.api_mapping_key)).toEqual(["chat"]);
    expect(p.planned_values.outputs.custom_domain_url.value).toBe("wss://ws.example.com/chat");
    // AND a REQUEST authorizer without result caching, invokable by this API's authorizers only, on $connect
    const [authorizer] = planned(p, "aws_apigatewayv2_authorizer");
    expect(authorizer.values).toMatchObject({
      authorizer_type: "REQUEST",
      authorizer_uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}/invocations`,
      identity_sources: ["route.request.querystring.token"],
      name: "game-connect",
    });
    expect(authorizer.values.authorizer_result_ttl_in_seconds ?? null).toBeNull();
    expect(planned(p, "aws_lambda_permission").map((r) => r.values)).toEqual([
      expect.objectContaining({ function_name: FUNCTION, principal: "apigateway.amazonaws.com", qualifier: null }),
    ]);
    const routes = Object.fromEntries(planned(p, "aws_apigatewayv2_route").map((r) => [r.values.route_key, r.values.authorization_type]));
    expect(routes).toEqual({ $connect: "CUSTOM", $disconnect: "NONE", $default: "NONE", joinGame: "NONE", makeMove: "NONE" });
    // AND the authorizer's principal id reaches every integration as a header, beside the connection id and route key
    for (const i of planned(p, "aws_apigatewayv2_integration")) {
      expect(i.values.request_parameters).toEqual({
        "integration.request.header.connectionId": "context.connectionId",
        "integration.request.header.routeKey": "context.routeKey",
        "integration.request.header.x-player-id": "context.authorizer.principalId",
      });
    }
    // AND only the limited route gets route settings, with the stage's rate limit beside its own burst limit
    // and the stage's effective logging level (off by default: the module does not manage the account's role)
    expect(planned(p, "aws_apigatewayv2_stage")[0].values.route_settings).toEqual([
      expect.objectContaining({ route_key: "joinGame", throttling_burst_limit: 10, throttling_rate_limit: 10000, logging_level: "OFF" }),
    ]);
  });

  test("websocket-nlb: a domain with a given certificate, IPv4 only and no DNS records, and IAM authorization", () => {
    const p = instance("nlb_domain_certificate_iam");
    for (const type of [
      "aws_acm_certificate",
      "aws_acm_certificate_validation",
      "aws_route53_record",
      "aws_apigatewayv2_authorizer",
      "aws_lambda_permission",
    ]) {
      expect([type, planned(p, type).length]).toEqual([type, 0]);
    }
    const [domain] = planned(p, "aws_apigatewayv2_domain_name");
    expect(domain.values.domain_name_configuration[0]).toMatchObject({ certificate_arn: CERTIFICATE, ip_address_type: "ipv4" });
    expect(planned(p, "aws_apigatewayv2_api_mapping").map((r) => r.values.api_mapping_key)).toEqual([null]);
    expect(p.planned_values.outputs.custom_domain_url.value).toBe("wss://ws.example.com");
    expect(p.planned_values.outputs.custom_domain_certificate_arn.value).toBe(CERTIFICATE);
    expect(planned(p, "aws_apigatewayv2_route").find((r) => r.values.route_key === "$connect").values).toMatchObject({
      authorization_type: "AWS_IAM",
      authorizer_id: null,
    });
  });

  test("websocket-alb: a Lambda authorizer by invocation ARN with a credentials role (no permission), both limits on a route", () => {
    const p = instance("alb_authorizer_role");
    expect(planned(p, "aws_apigatewayv2_authorizer")[0].values).toMatchObject({
      authorizer_credentials_arn: "arn:aws:iam::123456789012:role/apigw-invoke-auth",
      authorizer_uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}:live/invocations`,
      identity_sources: ["route.request.header.Authorization", "route.request.querystring.room"],
    });
    expect(planned(p, "aws_lambda_permission")).toHaveLength(0);
    expect(planned(p, "aws_apigatewayv2_domain_name")).toHaveLength(0);
    expect(p.planned_values.outputs.custom_domain_url?.value ?? null).toBeNull();
    expect(planned(p, "aws_apigatewayv2_stage")[0].values.route_settings).toEqual([
      expect.objectContaining({ route_key: "sendMessage", throttling_burst_limit: 50, throttling_rate_limit: 25.5 }),
    ]);
  });

  test("rejects bad edge inputs at plan time, naming each variable", () => {
    const output = errorsOf("badVariables", "nlb_bad_edges");
    expect(output).toContain(
      'domain_name must be a fully qualified lowercase host name of at most 253 characters such as ws.example.com (labels of letters, digits and hyphens, no trailing dot), got "WS.Example.com"',
    );
    expect(output).toContain(`domain_hosted_zone_id must be a Route 53 hosted zone id`);
    expect(output).toContain(
      'domain_api_mapping_key must be 1 to 300 letters, digits or $-_.+!*\'() (WebSocket API mappings have a single level: no slash), got "v1/chat"',
    );
    expect(output).toContain("connect_authorizer_function_arn must be the ARN of a Lambda function");
    expect(output).toContain('got "arn:aws:iam::123456789012:role/auth"');
    expect(output).toContain("connect_authorizer_identity_sources must be a list of one or more distinct identity sources");
    expect(output).toContain("authorizer_context_headers must be a map of HTTP header names to keys of the authorizer's result");
    expect(output).toContain("custom_routes throttling_burst_limit must be a whole number greater than 0 and throttling_rate_limit a number greater than 0");
    expect(output).toContain('Entries breaking a rule: ["joinGame","makeMove"]');
  });

  test("rejects a domain without certificate or zone, and authorizer headers without a Lambda authorizer, naming the variables", () => {
    const output = errorsOf("badCombinations", "nlb_domain_without_certificate");
    expect(output).toContain(
      'domain_certificate_arn or domain_hosted_zone_id must be set when domain_name is, got neither: give the ARN of an issued ACM certificate for "ws.example.com"',
    );
    expect(output).toContain('authorizer_context_headers must be empty unless connect_authorization_type is "CUSTOM", got ["x-user"]');
  });

  test("rejects domain inputs without a domain name, and CUSTOM without a function, naming the variables", () => {
    const output = errorsOf("badCombinations", "alb_mapping_without_domain");
    expect(output).toContain("domain_name must be set when domain_certificate_arn, domain_hosted_zone_id or domain_api_mapping_key is, got null");
    expect(output).toContain(
      'connect_authorizer_function_arn must be set exactly when connect_authorization_type is "CUSTOM", got null with connect_authorization_type "CUSTOM"',
    );
  });
});
