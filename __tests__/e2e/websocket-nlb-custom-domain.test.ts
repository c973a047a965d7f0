import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetAuthorizerCommand,
  GetDomainNameCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import * as fs from "fs";
import * as path from "path";
import { Emulator } from "../../scripts/emulator";
import { apply, applyEdgeFixture, describeE2e, destroy, emulatorFor, overrideProviderForEmulator, sdkConfig, secondPlanChanges } from "../support/e2e";
import { copyExample, removeWorkdir, terraform } from "../support/terraform";

/**
 * examples/websocket-nlb-custom-domain on the emulator: the module's custom
 * domain (certificate requested and validated in a Route 53 zone, alias
 * records, mapping key), Lambda authorizer on $connect and per-route
 * throttling, applied with an empty second plan and destroyed.
 *
 * What the emulator cannot show: the authorizer never runs (moto does not
 * invoke Lambda functions), DNS never resolves and no TLS handshake happens
 * (the domain's TLS 1.2 policy is stored, not enforced); ACM would never
 * validate a certificate in a zone the domain is not delegated to, which
 * moto issues anyway.
 */
describeE2e()("websocket-nlb module with a custom domain and a $connect authorizer (examples/websocket-nlb-custom-domain), on the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let fixture: string;
  let root: string;
  let vars: string[];
  let outputs: Record<string, any>;
  let cfg: ReturnType<typeof sdkConfig>;
  let zoneId: string;
  let functionArn: string;
  const apiId = () => new URL(outputs.execute_api_url).hostname.split(".")[0];

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("websocket-nlb-custom-domain"));
    cfg = sdkConfig(emulator);
    // What the example expects to exist: a public zone and an authorizer function.
    ({ zoneId, functionArn } = applyEdgeFixture(path.join(dir, "fixture"), emulator, "game-authorizer"));
    fixture = path.join(dir, "fixture");

    root = path.join(dir, "root");
    fs.mkdirSync(root);
    copyExample("websocket-nlb-custom-domain", root);
    overrideProviderForEmulator(root, emulator);
    vars = ["-var", "domain_name=game.example.com", "-var", `hosted_zone_id=${zoneId}`, "-var", `authorizer_function_arn=${functionArn}`];
    outputs = apply(root, vars);
  }, 20 * 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  });

  test("serves the stage at wss://<domain>/game on a regional TLS 1.2 domain with the certificate ACM issued", async () => {
    expect(outputs.websocket_url).toBe("wss://game.example.com/game");
    const apigw = new ApiGatewayV2Client(cfg);
    const domain = await apigw.send(new GetDomainNameCommand({ DomainName: "game.example.com" }));
    expect(domain.DomainNameConfigurations).toEqual([
      expect.objectContaining({ EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2", IpAddressType: "dualstack", CertificateArn: outputs.certificate_arn }),
    ]);
    expect(outputs.certificate_arn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
    expect(outputs.custom_domain_target_domain_name).toMatch(/^d-[0-9a-f]+\.execute-api\.us-east-1\.amazonaws\.com$/);
    const mappings = (await apigw.send(new GetApiMappingsCommand({ DomainName: "game.example.com" }))).Items ?? [];
    expect(mappings).toEqual([expect.objectContaining({ ApiId: apiId(), Stage: "prod", ApiMappingKey: "game" })]);
  });

  test("validates the certificate and points A and AAAA aliases at API Gateway in the zone", () => {
    const state = terraform(root, ["state", "list"]).split("\n");
    for (const record of ["custom-domain_ValidationRecord", "custom-domain_AliasA_", "custom-domain_AliasAAAA"]) {
      expect([record, state.some((a) => a.startsWith("module.websocket_api.aws_route53_record.") && a.includes(record))]).toEqual([record, true]);
    }
    const alias = terraform(root, ["state", "show", state.find((a) => a.includes("custom-domain_AliasA_"))!]);
    expect(alias).toMatch(new RegExp(`zone_id\\s+= "${zoneId}"`));
    expect(alias).toContain(outputs.custom_domain_target_domain_name);
  });

  test("authorizes $connect, and only $connect, with a REQUEST authorizer that reads the token query string parameter and caches nothing", async () => {
    const apigw = new ApiGatewayV2Client(cfg);
    // moto has no GetAuthorizers (list): the authorizer is read by the id the module outputs.
    const authorizer = await apigw.send(new GetAuthorizerCommand({ ApiId: apiId(), AuthorizerId: outputs.connect_authorizer_id }));
    expect(authorizer).toMatchObject({
      AuthorizerId: outputs.connect_authorizer_id,
      AuthorizerType: "REQUEST",
      IdentitySource: ["route.request.querystring.token"],
      AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    });
    expect(authorizer.AuthorizerResultTtlInSeconds ?? 0).toBe(0);
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: apiId() }))).Items ?? [];
    expect(Object.fromEntries(routes.map((r) => [r.RouteKey, [r.AuthorizationType, r.AuthorizerId ?? null]]))).toEqual({
      $connect: ["CUSTOM", outputs.connect_authorizer_id],
      $disconnect: ["NONE", null],
      $default: ["NONE", null],
      joinGame: ["NONE", null],
      makeMove: ["NONE", null],
    });
  });

  test("lets API Gateway invoke the function for this API's authorizers only", () => {
    const state = terraform(root, ["state", "list"]).split("\n");
    const permission = terraform(root, ["state", "show", state.find((a) => a.includes("aws_lambda_permission.connect-authorizer_InvokePermission"))!]);
    expect(permission).toMatch(/principal\s+= "apigateway.amazonaws.com"/);
    expect(permission).toMatch(new RegExp(`source_arn\\s+= "arn:aws:execute-api:us-east-1:\\d{12}:${apiId()}/authorizers/${outputs.connect_authorizer_id}"`));
  });

  test("sends the authorizer's principal id to the backend in the x-player-id header of every route", async () => {
    const integrations = (await new ApiGatewayV2Client(cfg).send(new GetIntegrationsCommand({ ApiId: apiId() }))).Items ?? [];
    expect(integrations).toHaveLength(5);
    for (const i of integrations) {
      expect(i.RequestParameters).toEqual({
        "integration.request.header.connectionId": "context.connectionId",
        "integration.request.header.routeKey": "context.routeKey",
        "integration.request.header.x-player-id": "context.authorizer.principalId",
      });
    }
  });

  test("throttles makeMove with limits of its own and the other routes with the stage's", async () => {
    const stage = await new ApiGatewayV2Client(cfg).send(new GetStageCommand({ ApiId: apiId(), StageName: "prod" }));
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500 });
    expect(stage.RouteSettings).toEqual({ makeMove: expect.objectContaining({ ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }) });
  });

  test("a second plan after apply is empty", () => {
    expect(secondPlanChanges(root, vars)).toBe("");
  });

  test("destroy removes everything", () => {
    destroy(root, vars);
    expect(secondPlanChanges(root, vars)).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    destroy(fixture);
  });
});
