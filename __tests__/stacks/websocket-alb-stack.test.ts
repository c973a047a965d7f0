import { Testing } from "cdktf";
import { ALB_LISTENER_ARN_PATTERN, WEBSOCKET_ALB_STACK, WebSocketAlbStack } from "../../stacks/websocket-alb-stack";
import { dataOf, resourcesOf, synthJson } from "../helpers";
import { buildStacks, EDGE_OUTPUTS, EDGE_VARIABLES, only, ref, synthesizedStack } from "./support";

/** The seed module's inputs (websocket-api-module-readme.txt, variant A): all required, plus tags. */
const SEED_REQUIRED: Record<string, string> = {
  api_name: "string",
  alb_listener_arn: "string",
  vpc_link_name: "string",
  vpc_link_subnet_ids: "list(string)",
  vpc_link_security_group_ids: "list(string)",
};
/** Optional inputs beyond the seed's (the shared API settings and the ALB lookups), with their defaults. */
const OPTIONAL_DEFAULTS: Record<string, unknown> = {
  tags: {},
  api_description: "",
  stage_name: "prod",
  route_selection_expression: "$request.body.action",
  custom_routes: {},
  dashboard_enabled: false,
  dashboard_name: null,
  log_retention_days: 14,
  logging_level: null,
  data_trace_enabled: false,
  detailed_metrics_enabled: false,
  throttling_burst_limit: 5000,
  throttling_rate_limit: 10000,
  auto_deploy: true,
  integration_timeout_milliseconds: 29000,
  api_gateway_account_role: "none",
  manage_api_gateway_account: false,
  vpc_id: null,
  alb_listener_port: null,
  nlb_name: null,
  target_group_name: null,
  health_check_path: "/",
  nlb_deletion_protection: false,
  ...EDGE_VARIABLES,
};
const SEED_OUTPUTS = ["websocket_stage_invoke_url", "websocket_api_id", "vpc_link_id"];
const LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/chat-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";

let albJson: any;
/** The module stack as synthesized (built once; each caller gets a copy). */
const moduleJson = () => structuredClone((albJson ??= synthJson(buildStacks({}).alb)));

describe("WebSocketAlbStack", () => {
  test("is the websocket-alb stack of the project and passes its validations", () => {
    const { alb } = buildStacks({});
    expect(alb).toBeInstanceOf(WebSocketAlbStack);
    expect(alb.node.id).toBe("websocket-alb");
    expect(WEBSOCKET_ALB_STACK).toBe("websocket-alb");
    expect(() => Testing.synth(alb, true)).not.toThrow();
  });

  describe("variables", () => {
    test("require exactly the seed module's inputs, with the seed's names and types", () => {
      // GIVEN / WHEN
      const variables = moduleJson().variable;
      const required = Object.fromEntries(
        Object.entries<any>(variables)
          .filter(([, v]) => !("default" in v))
          .map(([n, v]) => [n, v.type]),
      );
      // THEN
      expect(required).toEqual(SEED_REQUIRED);
      for (const name of Object.keys(SEED_REQUIRED)) expect(variables[name].nullable).toBe(false);
    });

    test("make every other input optional, with these defaults", () => {
      const variables = moduleJson().variable;
      const defaults = Object.fromEntries(
        Object.entries<any>(variables)
          .filter(([, v]) => "default" in v)
          .map(([n, v]) => [n, v.default]),
      );
      expect(defaults).toEqual(OPTIONAL_DEFAULTS);
      expect(variables.tags.type).toBe("map(string)");
      for (const name of ["vpc_id", "alb_listener_port", "nlb_name", "target_group_name"]) expect(variables[name].nullable).toBe(true);
    });

    test("are all described", () => {
      for (const [name, v] of Object.entries<any>(moduleJson().variable)) {
        expect({ name, described: typeof v.description === "string" && v.description.length > 20 }).toEqual({ name, described: true });
      }
    });

    test("validate the listener ARN and the optional names only when they are given", () => {
      const variables = moduleJson().variable;
      expect(variables.alb_listener_arn.validation[0].condition).toBe(
        `\${can(regex("${ALB_LISTENER_ARN_PATTERN.replace(/\\/g, "\\\\")}", var.alb_listener_arn))}`,
      );
      expect(variables.nlb_name.validation[0].condition).toBe(
        '${var.nlb_name == null || can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.nlb_name)) && !can(regex("^(?i)internal-", var.nlb_name))}',
      );
      expect(variables.target_group_name.validation[0].condition).toBe(
        '${var.target_group_name == null || can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.target_group_name)) && !can(regex("^(?i)internal-", var.target_group_name))}',
      );
      expect(variables.logging_level.validation[0].condition).toBe(
        '${var.logging_level == null ? true : contains(["OFF", "ERROR", "INFO"], var.logging_level)}',
      );
      expect(variables.custom_routes.validation).toHaveLength(3);
    });

    test("accept ALB listener ARNs and reject NLB listeners and load balancer ARNs", () => {
      const re = new RegExp(ALB_LISTENER_ARN_PATTERN);
      expect(re.test(LISTENER_ARN)).toBe(true);
      expect(re.test(LISTENER_ARN.replace("arn:aws:", "arn:aws-us-gov:"))).toBe(true);
      expect(re.test(LISTENER_ARN.replace("listener/app/", "listener/net/"))).toBe(false);
      expect(re.test("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/chat-alb/50dc6c495c0c9188")).toBe(false);
    });
  });

  describe("outputs", () => {
    test("are the seed module's outputs plus the callback URL and execution ARN, each described", () => {
      const outputs = moduleJson().output;
      for (const name of [...SEED_OUTPUTS, "connections_callback_url", "api_execution_arn"]) expect(Object.keys(outputs)).toContain(name);
      expect(Object.keys(outputs).sort()).toEqual(
        [
          ...SEED_OUTPUTS,
          "connections_callback_url",
          "api_execution_arn",
          "alb_arn",
          "api_gateway_cloudwatch_role_arn",
          "cloudwatch_dashboard_name",
          "cloudwatch_log_group_name",
          "connections_arn",
          "execution_log_group_name",
          "logging_enabled",
          "nlb_arn",
          "nlb_dns_name",
          "target_group_arn",
          ...EDGE_OUTPUTS,
        ].sort(),
      );
      for (const [name, o] of Object.entries<any>(outputs))
        expect({ name, described: typeof o.description === "string" && o.description.length > 10 }).toEqual({ name, described: true });
    });

    test("point at the resources they name", () => {
      const json = moduleJson();
      const [api] = only(json, "aws_apigatewayv2_api");
      const [stage] = only(json, "aws_apigatewayv2_stage");
      const [link] = only(json, "aws_api_gateway_vpc_link");
      expect(json.output.websocket_api_id.value).toBe(ref("aws_apigatewayv2_api", api));
      expect(json.output.websocket_stage_invoke_url.value).toBe(ref("aws_apigatewayv2_stage", stage, "invoke_url"));
      expect(json.output.vpc_link_id.value).toBe(ref("aws_api_gateway_vpc_link", link));
      expect(json.output.api_execution_arn.value).toBe(ref("aws_apigatewayv2_api", api, "execution_arn"));
      expect(json.output.alb_arn.value).toBe("${local.alb_arn}");
      expect(json.output.connections_arn.value).toBe(`\${aws_apigatewayv2_api.${api}.execution_arn}/\${aws_apigatewayv2_stage.${stage}.name}/*/@connections/*`);
    });

    test("give target_group_arn only once the NLB listener forwards to the target group", () => {
      const json = moduleJson();
      const [listener] = only(json, "aws_lb_listener");
      expect(json.output.target_group_arn.depends_on).toEqual([`aws_lb_listener.${listener}`]);
    });
  });

  describe("as a Terraform module", () => {
    test("has no backend and no provider block, and requires hashicorp/aws 5.x from 5.100", () => {
      const json = synthesizedStack(buildStacks({}), WEBSOCKET_ALB_STACK);
      expect(json.provider).toBeUndefined();
      expect(json.terraform.backend).toBeUndefined();
      expect(json.terraform.cloud).toBeUndefined();
      expect(json.terraform.required_providers).toEqual({ aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } });
    });
  });

  describe("private path to the existing ALB", () => {
    test("puts an internal NLB with an alb-type target group in front of the ALB", () => {
      // GIVEN / WHEN
      const json = moduleJson();
      const [tg, targetGroup] = only(json, "aws_lb_target_group");
      // THEN
      expect(targetGroup).toMatchObject({
        target_type: "alb",
        protocol: "TCP",
        port: "${local.alb_listener_port}",
        vpc_id: "${local.vpc_id}",
        name: "${local.target_group_name}",
      });
      expect(only(json, "aws_lb_target_group_attachment")[1]).toMatchObject({
        target_group_arn: ref("aws_lb_target_group", tg, "arn"),
        target_id: "${local.alb_arn}",
        port: "${local.alb_listener_port}",
      });
      expect(only(json, "aws_lb")[1]).toMatchObject({
        internal: true,
        load_balancer_type: "network",
        name: "${local.nlb_name}",
        subnets: "${var.vpc_link_subnet_ids}",
        security_groups: "${var.vpc_link_security_group_ids}",
      });
      expect(resourcesOf(json, "aws_lb_listener_rule")).toEqual({});
      expect(resourcesOf(json, "aws_security_group_rule")).toEqual({});
    });

    test("uses only the v1 VPC link, on the NLB, for every integration", () => {
      const json = moduleJson();
      const [link, vpcLink] = only(json, "aws_api_gateway_vpc_link");
      const [nlb] = only(json, "aws_lb");
      expect(resourcesOf(json, "aws_apigatewayv2_vpc_link")).toEqual({});
      expect(vpcLink.target_arns).toEqual([ref("aws_lb", nlb, "arn")]);
      const integrations = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_integration"));
      expect(integrations).toHaveLength(4);
      for (const i of integrations) {
        expect(i).toMatchObject({ connection_type: "VPC_LINK", connection_id: ref("aws_api_gateway_vpc_link", link) });
        expect(i.integration_uri).toContain(`http://${ref("aws_lb", nlb, "dns_name")}:\${local.alb_listener_port}`);
      }
    });

    test("looks up the listener port and the VPC only when they are not given", () => {
      const json = moduleJson();
      expect(dataOf(json, "aws_lb_listener")).toEqual({
        alb_listener: { arn: "${var.alb_listener_arn}", count: "${var.alb_listener_port == null ? 1 : 0}", lifecycle: expect.anything() },
      });
      expect(dataOf(json, "aws_subnet")).toEqual({
        first_vpc_link_subnet: { id: "${element(var.vpc_link_subnet_ids, 0)}", count: "${var.vpc_id == null ? 1 : 0}" },
      });
      expect(json.locals.alb_listener_port).toBe("${coalesce(var.alb_listener_port, one(data.aws_lb_listener.alb_listener[*].port))}");
      expect(json.locals.vpc_id).toBe("${coalesce(var.vpc_id, one(data.aws_subnet.first_vpc_link_subnet[*].vpc_id))}");
    });

    test("fails the plan when the looked-up listener is not HTTP (the NLB forwards TCP and integrations call http://)", () => {
      const listener = dataOf(moduleJson(), "aws_lb_listener").alb_listener;
      expect(listener.lifecycle).toEqual({
        postcondition: [
          {
            condition: '${self.protocol == "HTTP"}',
            error_message: expect.stringMatching(
              /^alb_listener_arn must be an HTTP listener, got a \$\{self\.protocol\} listener on port \$\{self\.port\}: .+\.$/,
            ),
          },
        ],
      });
    });

    test("documents that alb_listener_arn must be an HTTP listener", () => {
      expect(moduleJson().variable.alb_listener_arn.description).toMatch(
        /must be an HTTP listener, not HTTPS: the NLB forwards TCP to its port unchanged and the integrations call http:\/\//,
      );
    });

    test("derives the ALB's ARN from the listener ARN", () => {
      // GIVEN the local Terraform evaluates
      const local: string = moduleJson().locals.alb_arn;
      expect(local).toBe(`\${replace(var.alb_listener_arn, "/${ALB_LISTENER_ARN_PATTERN}/", "$1:loadbalancer/app/$2/$3")}`);
      // WHEN the same replacement is applied to a listener ARN
      const albArn = LISTENER_ARN.replace(new RegExp(ALB_LISTENER_ARN_PATTERN), "$1:loadbalancer/app/$2/$3");
      // THEN
      expect(albArn).toBe("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/chat-alb/50dc6c495c0c9188");
    });

    test("derives NLB and target group names from vpc_link_name when they are not given", () => {
      const locals = moduleJson().locals;
      expect(locals.nlb_name).toBe('${coalesce(var.nlb_name, "${trim(substr(replace(lower(var.vpc_link_name), "/[^a-z0-9-]/", "-"), 0, 28), "-")}-nlb")}');
      expect(locals.target_group_name).toBe(
        '${coalesce(var.target_group_name, "${trim(substr(replace(lower(var.vpc_link_name), "/[^a-z0-9-]/", "-"), 0, 28), "-")}-alb")}',
      );
    });
  });

  describe("custom routes", () => {
    test("are for_each over var.custom_routes, with two-way routes filtered on route_response_selection_expression", () => {
      const json = moduleJson();
      const [integrationId, integration] = Object.entries<any>(resourcesOf(json, "aws_apigatewayv2_integration")).find(([, i]) => i.for_each)!;
      const [routeId, route] = Object.entries<any>(resourcesOf(json, "aws_apigatewayv2_route")).find(([, r]) => r.for_each)!;
      const response = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_route_response")).find((r) => r.for_each);
      expect(integration.for_each).toBe("${var.custom_routes}");
      expect(integration.integration_uri).toMatch(/\$\{coalesce\(each\.value\.path, "\/\$\{urlencode\(each\.key\)\}"\)\}$/);
      expect(route).toMatchObject({
        for_each: "${var.custom_routes}",
        route_key: "${each.key}",
        target: `integrations/\${aws_apigatewayv2_integration.${integrationId}[each.key].id}`,
      });
      expect(response).toMatchObject({
        for_each: "${{ for key, val in var.custom_routes: key => val if val.route_response_selection_expression != null }}",
        route_id: `\${aws_apigatewayv2_route.${routeId}[each.key].id}`,
      });
    });
  });
});
