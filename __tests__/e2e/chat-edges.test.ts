import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetDomainNameCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import * as path from "path";
import { Emulator } from "../../scripts/emulator";
import { apply, applyEdgeFixture, describeE2e, destroy, EdgeFixture, emulatorFor, localState, sdkConfig, secondPlanChanges } from "../support/e2e";
import { removeWorkdir, synthInto } from "../support/terraform";

/**
 * The chat stack with its production edges on the emulator: a custom domain
 * under a mapping key (certificate requested and validated in a Route 53
 * zone), the Lambda authorizer on $connect, per-route throttling. Applied,
 * read back, planned again (empty), destroyed.
 *
 * Not shown here: the authorizer never runs (moto does not invoke Lambda
 * functions), DNS and TLS are not served, and the frontend (Amplify) is not
 * emulated, so its WEBSOCKET_URL is checked by the unit and plan tests only.
 */
describeE2e()("chat stack with a custom domain, a $connect authorizer and route limits, on the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let stackDir: string;
  let fixture: EdgeFixture;
  let outputs: Record<string, any>;
  let cfg: ReturnType<typeof sdkConfig>;

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("chat-edges"));
    cfg = sdkConfig(emulator);
    fixture = applyEdgeFixture(path.join(dir, "fixture"), emulator, "chat-authorizer");
    synthInto(path.join(dir, "out"), {
      target: { kind: "emulator", emulatorEndpoint: emulator.endpoint },
      chat: {
        domain: { name: "chat.example.com", hostedZoneId: fixture.zoneId, mappingKey: "chat" },
        api: { authorization: { type: "CUSTOM", functionArn: fixture.functionArn }, routeThrottle: { message: { burstLimit: 20, rateLimit: 10 } } },
      },
    });
    stackDir = path.join(dir, "out", "stacks", "chat");
    localState(stackDir);
    outputs = apply(stackDir);
  }, 20 * 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  });

  test("serves the stage at wss://chat.example.com/chat", async () => {
    expect(outputs.custom_domain_url).toBe("wss://chat.example.com/chat");
    const apigw = new ApiGatewayV2Client(cfg);
    const domain = await apigw.send(new GetDomainNameCommand({ DomainName: "chat.example.com" }));
    expect(domain.DomainNameConfigurations).toEqual([expect.objectContaining({ EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2" })]);
    expect((await apigw.send(new GetApiMappingsCommand({ DomainName: "chat.example.com" }))).Items).toEqual([
      expect.objectContaining({ ApiId: outputs.api_id, Stage: "prod", ApiMappingKey: "chat" }),
    ]);
  });

  test("gives the backend the API's own @connections URL and the authorizer's principal id", async () => {
    const integrations = (await new ApiGatewayV2Client(cfg).send(new GetIntegrationsCommand({ ApiId: outputs.api_id }))).Items ?? [];
    const online = integrations.find((i) => i.IntegrationUri?.endsWith("/online"))!;
    const template = online.RequestTemplates!.$default;
    // Resolved by Terraform: the execute-api host, whatever host the client used; the stage from the request.
    expect(template).toContain(`"url":"https://${outputs.api_id}.execute-api.us-east-1.amazonaws.com/$context.stage"`);
    expect(template).toContain('"principalId":"$util.escapeJavaScript($context.authorizer.principalId)');
  });

  test("authorizes $connect only, and throttles the message route with its own limits", async () => {
    const apigw = new ApiGatewayV2Client(cfg);
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: outputs.api_id }))).Items ?? [];
    const connect = routes.find((r) => r.RouteKey === "$connect")!;
    expect(connect).toMatchObject({ AuthorizationType: "CUSTOM", AuthorizerId: outputs.connect_authorizer_id });
    expect(routes.filter((r) => r.RouteKey !== "$connect").every((r) => (r.AuthorizationType ?? "NONE") === "NONE")).toBe(true);
    const stage = await apigw.send(new GetStageCommand({ ApiId: outputs.api_id, StageName: "prod" }));
    expect(stage.RouteSettings).toEqual({ message: expect.objectContaining({ ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }) });
  });

  test("a second plan after apply is empty", () => {
    expect(secondPlanChanges(stackDir)).toBe("");
  });

  test("destroy removes everything", () => {
    destroy(stackDir);
    expect(secondPlanChanges(stackDir)).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    destroy(fixture.dir);
  });
});
