import * as path from "path";
import { EDGE_OUTPUTS } from "../stacks/support";
import {
  describeWith,
  MODULE_INPUTS,
  planJson,
  plannedResources as planned,
  removeWorkdir,
  synthInto,
  terraform,
  terraformRun,
  workdir,
  writeModuleRoot,
} from "../support/terraform";

/**
 * The production edges of the modules (issue 14) with the real provider:
 * HCL roots call the synthesized modules with each feature on, and
 * Terraform validates and plans them offline; bad inputs are rejected at
 * plan time with the variable named.
 */

const ZONE = "Z0123456789ABCDEFGHIJ";
const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:ws-auth";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";

describeWith(["terraform"])("the modules' custom domain, $connect authorization and per-route throttling, planned with the real provider", () => {
  let outdir: string;
  const roots: string[] = [];
  beforeAll(() => {
    outdir = workdir("module-edges");
    synthInto(outdir);
  });
  afterAll(() => {
    for (const r of roots) removeWorkdir(r);
    removeWorkdir(outdir);
  });

  /** An HCL root calling `module` with its required inputs and `inputs`, forwarding the edge outputs. */
  function root(module: string, inputs: Record<string, unknown>): string {
    const dir = workdir(`${module}-edges`);
    roots.push(dir);
    writeModuleRoot(dir, path.join(outdir, "stacks", module), { ...MODULE_INPUTS[module], ...inputs }, EDGE_OUTPUTS);
    return dir;
  }

  /** The error diagnostics of a plan that must fail. */
  function planErrors(dir: string): string {
    terraform(dir, ["init", "-input=false"]);
    const r = terraformRun(dir, ["plan", "-input=false", "-lock=false"]);
    expect(r.status).not.toBe(0);
    // Terraform wraps long messages: compare them on one line.
    return r.output.replace(/\n│\s*/g, " ").replace(/\s+/g, " ");
  }

  test("websocket-nlb: a domain with a certificate requested in a Route 53 zone, a mapping key, a Lambda authorizer and a limited route", () => {
    // GIVEN
    const dir = root("websocket-nlb", {
      domain_name: "ws.example.com",
      domain_hosted_zone_id: ZONE,
      domain_api_mapping_key: "chat",
      connect_authorization_type: "CUSTOM",
      connect_authorizer_function_arn: FUNCTION,
      authorizer_context_headers: { "x-player-id": "principalId" },
      custom_routes: { joinGame: { throttling_burst_limit: 10 }, makeMove: { route_response_selection_expression: "$default" } },
    });
    terraform(dir, ["init", "-input=false"]);
    expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
    // WHEN
    const plan = planJson(dir);
    // THEN the certificate, its DNS validation and the A/AAAA aliases are made in the zone
    expect(planned(plan, "aws_acm_certificate").map((r) => r.values)).toEqual([
      expect.objectContaining({ domain_name: "ws.example.com", validation_method: "DNS" }),
    ]);
    expect(planned(plan, "aws_acm_certificate_validation")).toHaveLength(1);
    expect(
      planned(plan, "aws_route53_record")
        .map((r) => r.values.type ?? "(validation)")
        .sort(),
    ).toEqual(["(validation)", "A", "AAAA"]);
    expect(planned(plan, "aws_route53_record").every((r) => r.values.zone_id === ZONE)).toBe(true);
    const [domain] = planned(plan, "aws_apigatewayv2_domain_name");
    expect(domain.values).toMatchObject({ domain_name: "ws.example.com" });
    expect(domain.values.domain_name_configuration[0]).toMatchObject({ endpoint_type: "REGIONAL", security_policy: "TLS_1_2", ip_address_type: "dualstack" });
    expect(planned(plan, "aws_apigatewayv2_api_mapping").map((r) => r.values.api_mapping_key)).toEqual(["chat"]);
    expect(plan.planned_values.outputs.custom_domain_url.value).toBe("wss://ws.example.com/chat");
    // AND a REQUEST authorizer without result caching, invokable by this API's authorizers only, on $connect
    const [authorizer] = planned(plan, "aws_apigatewayv2_authorizer");
    expect(authorizer.values).toMatchObject({
      authorizer_type: "REQUEST",
      authorizer_uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}/invocations`,
      identity_sources: ["route.request.querystring.token"],
      name: "game-connect",
    });
    expect(authorizer.values.authorizer_result_ttl_in_seconds ?? null).toBeNull();
    expect(planned(plan, "aws_lambda_permission").map((r) => r.values)).toEqual([
      expect.objectContaining({ function_name: FUNCTION, principal: "apigateway.amazonaws.com", qualifier: null }),
    ]);
    const routes = Object.fromEntries(planned(plan, "aws_apigatewayv2_route").map((r) => [r.values.route_key, r.values.authorization_type]));
    expect(routes).toEqual({ $connect: "CUSTOM", $disconnect: "NONE", $default: "NONE", joinGame: "NONE", makeMove: "NONE" });
    // AND the authorizer's principal id reaches every integration as a header, beside the connection id and route key
    for (const i of planned(plan, "aws_apigatewayv2_integration")) {
      expect(i.values.request_parameters).toEqual({
        "integration.request.header.connectionId": "context.connectionId",
        "integration.request.header.routeKey": "context.routeKey",
        "integration.request.header.x-player-id": "context.authorizer.principalId",
      });
    }
    // AND only the limited route gets route settings, with the stage's rate limit beside its own burst limit
    // and the stage's effective logging level (off by default: the module does not manage the account's role)
    expect(planned(plan, "aws_apigatewayv2_stage")[0].values.route_settings).toEqual([
      expect.objectContaining({ route_key: "joinGame", throttling_burst_limit: 10, throttling_rate_limit: 10000, logging_level: "OFF" }),
    ]);
  });

  test("websocket-nlb: a domain with a given certificate, IPv4 only and no DNS records, and IAM authorization", () => {
    const plan = planJson(
      root("websocket-nlb", {
        domain_name: "ws.example.com",
        domain_certificate_arn: CERTIFICATE,
        domain_ip_address_type: "ipv4",
        connect_authorization_type: "AWS_IAM",
      }),
    );
    for (const type of [
      "aws_acm_certificate",
      "aws_acm_certificate_validation",
      "aws_route53_record",
      "aws_apigatewayv2_authorizer",
      "aws_lambda_permission",
    ]) {
      expect([type, planned(plan, type).length]).toEqual([type, 0]);
    }
    const [domain] = planned(plan, "aws_apigatewayv2_domain_name");
    expect(domain.values.domain_name_configuration[0]).toMatchObject({ certificate_arn: CERTIFICATE, ip_address_type: "ipv4" });
    expect(planned(plan, "aws_apigatewayv2_api_mapping").map((r) => r.values.api_mapping_key)).toEqual([null]);
    expect(plan.planned_values.outputs.custom_domain_url.value).toBe("wss://ws.example.com");
    expect(plan.planned_values.outputs.custom_domain_certificate_arn.value).toBe(CERTIFICATE);
    expect(planned(plan, "aws_apigatewayv2_route").find((r) => r.values.route_key === "$connect").values).toMatchObject({
      authorization_type: "AWS_IAM",
      authorizer_id: null,
    });
  });

  test("websocket-alb: a Lambda authorizer by invocation ARN with a credentials role (no permission), both limits on a route", () => {
    const role = "arn:aws:iam::123456789012:role/apigw-invoke-auth";
    const plan = planJson(
      root("websocket-alb", {
        connect_authorization_type: "CUSTOM",
        connect_authorizer_function_arn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}:live/invocations`,
        connect_authorizer_identity_sources: ["route.request.header.Authorization", "route.request.querystring.room"],
        connect_authorizer_credentials_role_arn: role,
        custom_routes: { sendMessage: { throttling_burst_limit: 50, throttling_rate_limit: 25.5 } },
      }),
    );
    expect(planned(plan, "aws_apigatewayv2_authorizer")[0].values).toMatchObject({
      authorizer_credentials_arn: role,
      authorizer_uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}:live/invocations`,
      identity_sources: ["route.request.header.Authorization", "route.request.querystring.room"],
    });
    expect(planned(plan, "aws_lambda_permission")).toHaveLength(0);
    expect(planned(plan, "aws_apigatewayv2_domain_name")).toHaveLength(0);
    expect(plan.planned_values.outputs.custom_domain_url?.value ?? null).toBeNull();
    expect(planned(plan, "aws_apigatewayv2_stage")[0].values.route_settings).toEqual([
      expect.objectContaining({ route_key: "sendMessage", throttling_burst_limit: 50, throttling_rate_limit: 25.5 }),
    ]);
  });

  test("rejects bad edge inputs at plan time, naming each variable", () => {
    const output = planErrors(
      root("websocket-nlb", {
        domain_name: "WS.Example.com",
        domain_hosted_zone_id: `/hostedzone/${ZONE}`,
        domain_api_mapping_key: "v1/chat",
        connect_authorization_type: "CUSTOM",
        connect_authorizer_function_arn: "arn:aws:iam::123456789012:role/auth",
        connect_authorizer_identity_sources: ["method.request.header.Authorization"],
        authorizer_context_headers: { connectionId: "principalId" },
        custom_routes: { joinGame: { throttling_rate_limit: 0 }, makeMove: { throttling_burst_limit: 1.5 } },
      }),
    );
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
    const output = planErrors(root("websocket-nlb", { domain_name: "ws.example.com", authorizer_context_headers: { "x-user": "userId" } }));
    expect(output).toContain(
      'domain_certificate_arn or domain_hosted_zone_id must be set when domain_name is, got neither: give the ARN of an issued ACM certificate for "ws.example.com"',
    );
    expect(output).toContain('authorizer_context_headers must be empty unless connect_authorization_type is "CUSTOM", got ["x-user"]');
  });

  test("rejects domain inputs without a domain name, and CUSTOM without a function, naming the variables", () => {
    const output = planErrors(root("websocket-alb", { domain_api_mapping_key: "chat", connect_authorization_type: "CUSTOM" }));
    expect(output).toContain("domain_name must be set when domain_certificate_arn, domain_hosted_zone_id or domain_api_mapping_key is, got null");
    expect(output).toContain(
      'connect_authorizer_function_arn must be set exactly when connect_authorization_type is "CUSTOM", got null with connect_authorization_type "CUSTOM"',
    );
  });
});
