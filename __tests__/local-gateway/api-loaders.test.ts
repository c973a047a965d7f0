import * as path from "path";
import { apiFromSynthesizedStack, apiFromTerraformState, pointModuleSources } from "../../local-gateway";
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

  test("names no production edge the gateway leaves out when the API has none", () => {
    const state = {
      values: {
        root_module: {
          resources: [
            api("a1", "one"),
            stage("a1"),
            resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "NONE" }),
          ],
        },
      },
    };
    expect(apiFromTerraformState(state).notEmulated).toEqual([]);
  });

  test("names each production edge the gateway does not emulate: a $connect authorizer, IAM authorization, a custom domain's mapping", () => {
    // GIVEN a state with a Lambda authorizer on $connect and the stage mapped under a custom domain
    const edges = [
      resource("aws_apigatewayv2_authorizer", { id: "au1", api_id: "a1", name: "chat-dev-connect", authorizer_type: "REQUEST" }),
      resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "CUSTOM", authorizer_id: "au1" }),
      resource("aws_apigatewayv2_route", { id: "r2", api_id: "a1", route_key: "$default", authorization_type: "NONE" }),
      resource("aws_apigatewayv2_domain_name", { id: "chat.example.com", domain_name: "chat.example.com" }),
      resource("aws_apigatewayv2_api_mapping", { id: "m1", api_id: "a1", stage: "prod", domain_name: "chat.example.com", api_mapping_key: "chat" }),
    ];
    // WHEN
    const model = apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), ...edges] } } });
    // THEN one line per feature
    expect(model.notEmulated).toEqual([
      "$connect authorizer (CUSTOM, chat-dev-connect): not emulated, every connection is accepted and $context.authorizer is empty",
      "custom domain wss://chat.example.com/chat (API mapping): not emulated, clients connect to this gateway's WebSocket URL, and a @connections url naming the API's execute-api host (the chat's with a domain) does not reach it",
    ]);

    const iam = resource("aws_apigatewayv2_route", { id: "r1", api_id: "a1", route_key: "$connect", authorization_type: "AWS_IAM" });
    const root = resource("aws_apigatewayv2_api_mapping", { id: "m2", api_id: "a1", stage: "prod", domain_name: "ws.example.com", api_mapping_key: null });
    expect(apiFromTerraformState({ values: { root_module: { resources: [api("a1", "one"), stage("a1"), iam, root] } } }).notEmulated).toEqual([
      "$connect IAM authorization (AWS_IAM): not emulated, every connection is accepted unsigned",
      "custom domain wss://ws.example.com (API mapping): not emulated, clients connect to this gateway's WebSocket URL, and a @connections url naming the API's execute-api host (the chat's with a domain) does not reach it",
    ]);
  });

  test("fails when the state holds no API", () => {
    expect(() => apiFromTerraformState({ values: { root_module: {} } })).toThrow(/holds no WebSocket API: deploy the stack first/);
    expect(() => apiFromTerraformState({})).toThrow(/holds no resources/);
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
