import {
  API_MAPPING_KEY,
  AUTHORIZATION_TYPE,
  AUTHORIZER_CONTEXT_HEADERS,
  AUTHORIZER_FUNCTION_ARN,
  CERTIFICATE_ARN,
  DOMAIN_IP_ADDRESS_TYPE,
  DOMAIN_NAME,
  HOSTED_ZONE_ID,
  IDENTITY_SOURCES,
  ROLE_ARN,
  Rule,
} from "../../constructs/rules";
import { AUTHORIZER_PRECONDITIONS, DOMAIN_PRECONDITIONS } from "../../stacks/module/websocket-edges";
import { resourcesOf, synthJson } from "../helpers";
import { buildStacks, EDGE_OUTPUTS, EDGE_VARIABLES, only, ref } from "./support";

/**
 * The production edges of both seed modules (issue 14): custom domain,
 * `$connect` authorization, per-route throttling of custom routes. Checked
 * on the synthesized JSON; terraform validate/plan of each feature is in
 * __tests__/terraform/modules.test.ts.
 */
const stacks = buildStacks({});
const MODULES: Record<string, any> = { "websocket-nlb": synthJson(stacks.nlb), "websocket-alb": synthJson(stacks.alb) };
const json = (m: string) => structuredClone(MODULES[m]);
const names = Object.keys(MODULES);

/** The one resource of a type whose logical id starts with `prefix`. */
function at(j: any, type: string, prefix: string): [string, any] {
  const found = Object.entries<any>(resourcesOf(j, type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.map(([id]) => id).join(", ") || "none"}`);
  return found[0];
}

describe.each(names)("%s module: production edges", (m) => {
  describe("variables", () => {
    test("are optional, with defaults that create no domain and leave $connect as it was", () => {
      const variables = json(m).variable;
      for (const [name, value] of Object.entries(EDGE_VARIABLES)) expect({ name, default: variables[name].default }).toEqual({ name, default: value });
    });

    test.each([
      ["domain_name", DOMAIN_NAME, true],
      ["domain_certificate_arn", CERTIFICATE_ARN, true],
      ["domain_hosted_zone_id", HOSTED_ZONE_ID, true],
      ["domain_api_mapping_key", API_MAPPING_KEY, true],
      ["domain_ip_address_type", DOMAIN_IP_ADDRESS_TYPE, false],
      ["connect_authorization_type", AUTHORIZATION_TYPE, false],
      ["connect_authorizer_function_arn", AUTHORIZER_FUNCTION_ARN, true],
      ["connect_authorizer_identity_sources", IDENTITY_SOURCES, false],
      ["connect_authorizer_credentials_role_arn", ROLE_ARN, true],
      ["authorizer_context_headers", AUTHORIZER_CONTEXT_HEADERS, false],
    ] as const)("%s takes its validation from the shared rule", (name, rule, nullable) => {
      const v = (rule as Rule<unknown>).hcl(name, { nullable });
      expect(json(m).variable[name].validation).toEqual([{ condition: v.condition, error_message: v.errorMessage }]);
      expect(json(m).variable[name].nullable).toBe(nullable);
    });

    test("custom_routes entries may carry their own limits, each null or greater than 0, the burst limit whole", () => {
      const custom = json(m).variable.custom_routes;
      expect(custom.type).toContain("throttling_burst_limit = optional(number), throttling_rate_limit = optional(number)");
      expect(custom.validation[1].condition).toBe(
        "${alltrue([for k, r in var.custom_routes : coalesce(r.throttling_burst_limit, 1) > 0 && floor(coalesce(r.throttling_burst_limit, 1)) == coalesce(r.throttling_burst_limit, 1) && coalesce(r.throttling_rate_limit, 1) > 0])}",
      );
      expect(custom.validation[1].error_message).toMatch(
        /^custom_routes throttling_burst_limit must be a whole number greater than 0 and throttling_rate_limit a number greater than 0 .*Entries breaking a rule: \$\{jsonencode\(\[for k, r in var\.custom_routes : k if !\(/,
      );
    });
  });

  describe("custom domain", () => {
    test("exists only with domain_name and a certificate or zone; the certificate only without domain_certificate_arn; the records only with domain_hosted_zone_id", () => {
      const j = json(m);
      // Without certificate or zone nothing is planned: the output's precondition says what is missing.
      const enabled = "((var.domain_name != null) && ((var.domain_certificate_arn != null) || (var.domain_hosted_zone_id != null)))";
      expect(at(j, "aws_apigatewayv2_domain_name", "custom-domain")[1].count).toBe(`\${${enabled} ? 1 : 0}`);
      expect(at(j, "aws_apigatewayv2_api_mapping", "custom-domain_mapping")[1].count).toBe(`\${${enabled} ? 1 : 0}`);
      const certified = `(${enabled}) && ((var.domain_certificate_arn == null))`;
      for (const [type, prefix] of [
        ["aws_acm_certificate", "custom-domain_Certificate"],
        ["aws_acm_certificate_validation", "custom-domain_CertificateValidation"],
        ["aws_route53_record", "custom-domain_ValidationRecord"],
      ]) {
        expect([prefix, at(j, type, prefix)[1].count]).toEqual([prefix, `\${${certified} ? 1 : 0}`]);
      }
      const recorded = `(${enabled}) && ((var.domain_hosted_zone_id != null))`;
      expect(at(j, "aws_route53_record", "custom-domain_AliasA_")[1].count).toBe(`\${${recorded} ? 1 : 0}`);
      expect(at(j, "aws_route53_record", "custom-domain_AliasAAAA")[1].count).toBe(`\${(${recorded}) && (var.domain_ip_address_type == "dualstack") ? 1 : 0}`);
    });

    test("is regional with TLS 1.2, and maps the stage under the optional key", () => {
      const j = json(m);
      const [, domain] = at(j, "aws_apigatewayv2_domain_name", "custom-domain");
      expect(domain.domain_name_configuration).toMatchObject({
        endpoint_type: "REGIONAL",
        security_policy: "TLS_1_2",
        ip_address_type: "${var.domain_ip_address_type}",
      });
      const [stage] = only(j, "aws_apigatewayv2_stage");
      expect(at(j, "aws_apigatewayv2_api_mapping", "custom-domain_mapping")[1]).toMatchObject({
        api_id: ref("aws_apigatewayv2_stage", stage, "api_id"),
        stage: ref("aws_apigatewayv2_stage", stage, "name"),
        api_mapping_key: "${var.domain_api_mapping_key}",
      });
    });
  });

  describe("$connect authorization", () => {
    test("is the variable's type on $connect only, with the Lambda authorizer's id (null unless CUSTOM)", () => {
      const j = json(m);
      const [authorizer] = at(j, "aws_apigatewayv2_authorizer", "connect-authorizer");
      const routes = Object.values<any>(resourcesOf(j, "aws_apigatewayv2_route"));
      const connect = routes.find((r) => r.route_key === "$connect");
      expect(connect).toMatchObject({
        authorization_type: "${var.connect_authorization_type}",
        authorizer_id: `\${one(aws_apigatewayv2_authorizer.${authorizer}[*].id)}`,
      });
      for (const r of routes.filter((x) => x.route_key !== "$connect")) expect(r.authorization_type).toBeUndefined();
    });

    test("creates the REQUEST authorizer and its invoke permission only for CUSTOM, the permission only without a credentials role", () => {
      const j = json(m);
      const [id, authorizer] = at(j, "aws_apigatewayv2_authorizer", "connect-authorizer");
      expect(authorizer).toMatchObject({
        // CUSTOM without a function plans no authorizer: the output's precondition says what is missing.
        count: '${((var.connect_authorization_type == "CUSTOM") && (var.connect_authorizer_function_arn != null)) ? 1 : 0}',
        authorizer_type: "REQUEST",
        identity_sources: "${var.connect_authorizer_identity_sources}",
        authorizer_credentials_arn: "${var.connect_authorizer_credentials_role_arn}",
        name: "${substr(var.api_name, 0, 120)}-connect",
      });
      // No result caching for WebSocket authorizers: AWS rejects the TTL.
      expect(authorizer.authorizer_result_ttl_in_seconds).toBeUndefined();
      const [, permission] = at(j, "aws_lambda_permission", "connect-authorizer_InvokePermission");
      expect(permission.count).toBe(
        '${(((var.connect_authorization_type == "CUSTOM") && (var.connect_authorizer_function_arn != null)) && (var.connect_authorizer_credentials_role_arn == null)) ? 1 : 0}',
      );
      const [api] = only(j, "aws_apigatewayv2_api");
      expect(permission.source_arn).toBe(`${ref("aws_apigatewayv2_api", api, "execution_arn")}/authorizers/\${one(aws_apigatewayv2_authorizer.${id}[*].id)}`);
    });

    test("makes an authorizer change redeploy an explicit deployment", () => {
      const j = json(m);
      const [authorizer] = at(j, "aws_apigatewayv2_authorizer", "connect-authorizer");
      expect(only(j, "aws_apigatewayv2_deployment")[1].triggers.redeployment).toContain(`aws_apigatewayv2_authorizer.${authorizer}`);
    });

    test("passes the authorizer's result to every integration as the headers authorizer_context_headers names", () => {
      const integrations = Object.values<any>(resourcesOf(json(m), "aws_apigatewayv2_integration"));
      expect(integrations).toHaveLength(4);
      for (const i of integrations) {
        expect(i.request_parameters).toBe(
          '${merge({"integration.request.header.connectionId" = "context.connectionId"}, merge({"integration.request.header.routeKey" = "context.routeKey"}, zipmap(formatlist("integration.request.header.%s", keys(var.authorizer_context_headers)), formatlist("context.authorizer.%s", values(var.authorizer_context_headers)))))}',
        );
      }
    });
  });

  describe("per-route throttling", () => {
    test("gives each custom route with a limit a route_settings entry with both limits, the missing one the stage's", () => {
      const [, stage] = only(json(m), "aws_apigatewayv2_stage");
      expect(stage.route_settings).toBeUndefined();
      expect(stage.dynamic.route_settings).toEqual({
        for_each: "${{ for key, val in var.custom_routes: key => val if val.throttling_burst_limit != null || val.throttling_rate_limit != null }}",
        iterator: "each",
        content: {
          route_key: "${each.key}",
          throttling_burst_limit: "${coalesce(each.value.throttling_burst_limit, var.throttling_burst_limit)}",
          throttling_rate_limit: "${coalesce(each.value.throttling_rate_limit, var.throttling_rate_limit)}",
          // The stage's own effective logging: off until the region's role is declared.
          logging_level: '${local.logging_enabled ? coalesce(var.logging_level, "ERROR") : "OFF"}',
          data_trace_enabled: "${(local.logging_enabled && var.data_trace_enabled)}",
          detailed_metrics_enabled: "${var.detailed_metrics_enabled}",
        },
      });
    });

    test("makes the stage wait for the custom routes (API Gateway rejects settings of a route it does not have)", () => {
      const j = json(m);
      const [route] = Object.entries<any>(resourcesOf(j, "aws_apigatewayv2_route")).find(([, r]) => r.for_each)!;
      expect(only(j, "aws_apigatewayv2_stage")[1].depends_on).toContain(`aws_apigatewayv2_route.${route}`);
    });
  });

  describe("outputs", () => {
    test("give the custom domain's URL and DNS target, the certificate, the authorizer and the $connect resource, each described", () => {
      const j = json(m);
      for (const name of EDGE_OUTPUTS) expect({ name, described: (j.output[name]?.description ?? "").length > 20 }).toEqual({ name, described: true });
      const [domain] = at(j, "aws_apigatewayv2_domain_name", "custom-domain");
      expect(j.output.custom_domain_url.value).toBe(
        `\${((var.domain_name != null) && ((var.domain_certificate_arn != null) || (var.domain_hosted_zone_id != null))) ? join("/", compact([format("wss://%s", one(aws_apigatewayv2_domain_name.${domain}[*].domain_name)), var.domain_api_mapping_key])) : null}`,
      );
      expect(j.output.custom_domain_target_domain_name.value).toBe(
        `\${one(aws_apigatewayv2_domain_name.${domain}[*].domain_name_configuration.0.target_domain_name)}`,
      );
      const [api] = only(j, "aws_apigatewayv2_api");
      const [stage] = only(j, "aws_apigatewayv2_stage");
      expect(j.output.connect_route_arn.value).toBe(
        `${ref("aws_apigatewayv2_api", api, "execution_arn")}/${ref("aws_apigatewayv2_stage", stage, "name")}/$connect`,
      );
    });

    test("check the rules between the edge variables as preconditions, in the house format", () => {
      const j = json(m);
      expect(j.output.custom_domain_url.precondition).toEqual(DOMAIN_PRECONDITIONS);
      expect(j.output.connect_authorizer_id.precondition).toEqual(AUTHORIZER_PRECONDITIONS);
      for (const p of [...DOMAIN_PRECONDITIONS, ...AUTHORIZER_PRECONDITIONS]) expect(p.error_message).toMatch(/^[a-z_ ]+ must be .+, got .+: .+\.$/);
    });
  });
});
