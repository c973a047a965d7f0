import * as path from "path";
import { apiFromSynthesizedStack, apiFromTerraformState, pointModuleSources } from "../../local-gateway";
import { shownFromPulledState } from "../../local-gateway/terraform-state";
import { CHAT_ROUTES, UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";
import { removeWorkdir, synthInto, workdir } from "../support/terraform";

describe("apiFromSynthesizedStack", () => {
  let dir: string;

  beforeAll(() => {
    dir = workdir("gateway-loaders");
    synthInto(path.join(dir, "out"));
  }, 120_000);

  afterAll(() => {
    if (dir) removeWorkdir(dir);
  });

  test("reads the chat stack's routes, templates, responses and stage from cdk.tf.json", () => {
    const api = apiFromSynthesizedStack(path.join(dir, "out", "stacks", "chat"));
    expect(api.routeSelectionExpression).toBe("$request.body.action");
    expect(api.routes.map((r) => r.key).sort()).toEqual([...CHAT_ROUTES.map((r) => r.routeKey), "$default"].sort());
    for (const route of CHAT_ROUTES) {
      const model = api.routes.find((r) => r.key === route.routeKey)!;
      // Terraform's $${ escapes are undone: what API Gateway receives.
      expect(model.integration).toMatchObject({
        type: "HTTP",
        uri: `http://\${stageVariables.backendHost}${route.path}`,
        requestTemplates: { $default: route.template },
        connectionType: "VPC_LINK",
      });
      expect(model.integration!.responses.map((r) => r.key)).toEqual(["$default"]);
      expect(model.twoWay).toBe(true);
    }
    const fallback = api.routes.find((r) => r.key === "$default")!;
    expect(fallback.integration).toMatchObject({ type: "MOCK", responses: [{ key: "$default", templates: { $default: UNKNOWN_ACTION_REPLY } }] });
    // The stage variable names the NLB the VPC link targets, on its listener's port.
    expect(api.stage.variables.backendHost).toBe(`${api.privateTargets[0].host}:80`);
    expect(api.privateTargets).toEqual([{ vpcLinkId: api.routes[0].integration!.vpcLinkId, host: expect.stringMatching(/^chat-dev-nlb-/), port: 80 }]);
    expect(api.stage.defaultThrottle).toEqual({ burstLimit: 1000, rateLimit: 500 });
    expect(JSON.parse(api.stage.accessLogFormat!)).toMatchObject({ requestId: "$context.requestId" });
  });

  test("reads the chat stack's production edges: the $connect authorizer, the custom domain's mapping, the execute-api callback URL", () => {
    // GIVEN the chat with a Lambda authorizer and a custom domain (its certificate still being validated: not read)
    synthInto(path.join(dir, "edges"), {
      chat: {
        domain: { name: "chat.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", mappingKey: "chat" },
        api: { authorization: { type: "CUSTOM", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:auth" } },
      },
    });
    // WHEN
    const api = apiFromSynthesizedStack(path.join(dir, "edges", "stacks", "chat"));
    // THEN
    expect(api.routes.find((r) => r.key === "$connect")).toMatchObject({
      authorizationType: "CUSTOM",
      authorizer: { name: "chat-dev-connect", identitySources: ["route.request.querystring.token"], resultTtlSeconds: 0 },
    });
    expect(api.mappings).toEqual([{ domainName: "chat.example.com", key: "chat" }]);
    expect(api.endpointHost).toBe(`${api.id}.execute-api.us-east-1.amazonaws.com`);
    // replace(api_endpoint, "wss://", "https://") evaluated as Terraform would
    const online = api.routes.find((r) => r.key === "online")!.integration!.requestTemplates.$default;
    expect(online).toContain(`"url":"https://${api.endpointHost}/$context.stage"`);
    expect(online).toContain('"principalId":"$util.escapeJavaScript($context.authorizer.principalId)');
  });

  test("fails when a module stack's routes need Terraform to evaluate (for_each over custom_routes)", () => {
    expect(() => apiFromSynthesizedStack(path.join(dir, "out", "stacks", "websocket-nlb"))).toThrow(
      /uses for_each, which only Terraform evaluates: apply the stack \(npm run local\)/,
    );
  });

  test("fails when the stack was not synthesized", () => {
    expect(() => apiFromSynthesizedStack(path.join(dir, "nowhere"))).toThrow(/cdk\.tf\.json does not exist: run npm run synth first/);
  });
});

describe("apiFromTerraformState", () => {
  const resource = (type: string, values: Record<string, unknown>) => ({ address: `${type}.x`, mode: "managed", type, values });
  const api = (id: string, name: string) =>
    resource("aws_apigatewayv2_api", {
      id,
      name,
      protocol_type: "WEBSOCKET",
      route_selection_expression: "$request.body.action",
      arn: `arn:aws:apigateway:eu-west-1::/apis/${id}`,
      execution_arn: `arn:aws:execute-api:eu-west-1:123456789012:${id}`,
      api_endpoint: `wss://${id}.execute-api.eu-west-1.amazonaws.com`,
    });
  const stage = (apiId: string) =>
    resource("aws_apigatewayv2_stage", {
      api_id: apiId,
      name: "prod",
      stage_variables: null,
      default_route_settings: [],
      route_settings: [{ route_key: "hot", throttling_burst_limit: 2, throttling_rate_limit: 1 }],
    });

  test("reads resources of child modules and the route settings' throttling", () => {
    const state = { values: { root_module: { child_modules: [{ resources: [api("a1", "one"), stage("a1")] }] } } };
    const model = apiFromTerraformState(state);
    expect(model).toMatchObject({
      id: "a1",
      name: "one",
      region: "eu-west-1",
      stage: { name: "prod", routeThrottles: { hot: { burstLimit: 2, rateLimit: 1 } } },
    });
    expect(model.stage.defaultThrottle).toBeUndefined();
  });

  test("fails when the state holds several WebSocket APIs and none is chosen", () => {
    const state = { values: { root_module: { resources: [api("a1", "one"), api("a2", "two"), stage("a1"), stage("a2")] } } };
    expect(() => apiFromTerraformState(state)).toThrow(/holds 2 WebSocket APIs \(one \(a1\), two \(a2\)\): choose one by id or name/);
    expect(apiFromTerraformState(state, { api: "two" }).id).toBe("a2");
  });

  test("reads the $connect authorization, its authorizer and the stage's API mappings", () => {
    // GIVEN a state with a Lambda authorizer on $connect and the stage mapped under two custom domains
    const edges = [
      resource("aws_apigatewayv2_authorizer", {
        id: "au1",
        api_id: "a1",
        name: "chat-dev-connect",
        authorizer_type: "REQUEST",
        authorizer_uri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations",
        identity_sources: ["route.request.querystring.token"],
        authorizer_result_ttl_in_seconds: 0,
      }),
      resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "CUSTOM", authorizer_id: "au1" }),
      resource("aws_apigatewayv2_route", { id: "r2", api_id: "a1", route_key: "$default", authorization_type: "NONE" }),
      resource("aws_apigatewayv2_domain_name", { id: "chat.example.com", domain_name: "chat.example.com" }),
      resource("aws_apigatewayv2_api_mapping", { id: "m1", api_id: "a1", stage: "prod", domain_name: "chat.example.com", api_mapping_key: "chat" }),
      resource("aws_apigatewayv2_api_mapping", { id: "m2", api_id: "a1", stage: "prod", domain_name: "ws.example.com", api_mapping_key: null }),
      resource("aws_apigatewayv2_api_mapping", { id: "m3", api_id: "a1", stage: "dev", domain_name: "dev.example.com", api_mapping_key: null }),
    ];
    // WHEN
    const model = apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), ...edges] } } });
    // THEN
    const connect = model.routes.find((r) => r.key === "$connect")!;
    expect(connect).toMatchObject({
      authorizationType: "CUSTOM",
      authorizer: { id: "au1", name: "chat-dev-connect", identitySources: ["route.request.querystring.token"], resultTtlSeconds: 0 },
    });
    expect(model.routes.find((r) => r.key === "$default")).toMatchObject({ authorizationType: "NONE", authorizer: undefined });
    expect(model.mappings).toEqual([
      { domainName: "chat.example.com", key: "chat" },
      { domainName: "ws.example.com", key: "" },
    ]);
    expect(model.executionArn).toBe("arn:aws:execute-api:eu-west-1:123456789012:a1");
    expect(model.endpointHost).toBe("a1.execute-api.eu-west-1.amazonaws.com");
    expect(model.notEmulated).toEqual([]);

    const iam = resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "AWS_IAM" });
    expect(apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), iam] } } }).routes[0].authorizationType).toBe("AWS_IAM");
  });

  test("names what the gateway does not emulate: a custom domain's mutual TLS", () => {
    const edges = [
      resource("aws_apigatewayv2_domain_name", {
        domain_name: "chat.example.com",
        mutual_tls_authentication: [{ truststore_uri: "s3://bucket/truststore.pem", truststore_version: null }],
      }),
      resource("aws_apigatewayv2_api_mapping", { id: "m1", api_id: "a1", stage: "prod", domain_name: "chat.example.com", api_mapping_key: "chat" }),
    ];
    expect(apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), ...edges] } } }).notEmulated).toEqual([
      "custom domain chat.example.com: mutual TLS (truststore s3://bucket/truststore.pem) not emulated, clients connect without a certificate",
    ]);
  });

  test("fails when a CUSTOM route's authorizer is not in the state", () => {
    const route = resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "CUSTOM", authorizer_id: "gone" });
    expect(() => apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), route] } } })).toThrow(
      /route \$connect is CUSTOM with authorizer "gone", which the Terraform state does not hold/,
    );
  });

  test("fails when the state holds no API", () => {
    expect(() => apiFromTerraformState({ values: { root_module: {} } })).toThrow(/holds no WebSocket API: deploy the stack first/);
    expect(() => apiFromTerraformState({})).toThrow(/holds no resources/);
  });
});

describe("shownFromPulledState", () => {
  test("lists every managed instance of every module with show -json's address, type and values; data sources left out", () => {
    const pulled = {
      version: 4,
      resources: [
        { mode: "managed", type: "aws_apigatewayv2_api", name: "api", instances: [{ attributes: { id: "a1" } }] },
        {
          module: 'module.ws["eu"]',
          mode: "managed",
          type: "aws_apigatewayv2_route",
          name: "custom",
          instances: [
            { index_key: "joinGame", attributes: { id: "r1" } },
            { index_key: 0, attributes: { id: "r2" } },
          ],
        },
        { mode: "data", type: "aws_vpc", name: "this", instances: [{ attributes: { id: "vpc-1" } }] },
      ],
    };
    expect(shownFromPulledState(pulled)).toEqual({
      values: {
        root_module: {
          resources: [
            { address: "aws_apigatewayv2_api.api", mode: "managed", type: "aws_apigatewayv2_api", name: "api", values: { id: "a1" } },
            {
              address: 'module.ws["eu"].aws_apigatewayv2_route.custom["joinGame"]',
              mode: "managed",
              type: "aws_apigatewayv2_route",
              name: "custom",
              values: { id: "r1" },
            },
            {
              address: 'module.ws["eu"].aws_apigatewayv2_route.custom[0]',
              mode: "managed",
              type: "aws_apigatewayv2_route",
              name: "custom",
              values: { id: "r2" },
            },
          ],
        },
      },
    });
  });

  test("an empty state has no values, as terraform show -json prints it", () => {
    expect(shownFromPulledState({ version: 4, resources: [] })).toEqual({ values: { root_module: { resources: [] } } });
    expect(shownFromPulledState(undefined)).toEqual({});
  });
});

describe("pointModuleSources", () => {
  test("points both forms of an example's module source at the modules the run synthesized", () => {
    const hcl =
      'module "a" {\n  source = "../../cdktf.out/stacks/websocket-nlb"\n}\nmodule "b" {\n  source = "../../modules/websocket-alb"\n}\nmodule "c" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n';
    const out = pointModuleSources(hcl, "/p/.local/websocket-nlb", "/p/.local/cdktf.out");
    expect(out).toContain('source = "../cdktf.out/stacks/websocket-nlb"');
    expect(out).toContain('source = "../cdktf.out/stacks/websocket-alb"');
    expect(out).toContain('source = "terraform-aws-modules/vpc/aws"');
  });
});
