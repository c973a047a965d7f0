// The chat stack's production edges as deployed: a custom domain under a
// mapping key (certificate requested and validated in a Route 53 zone), the
// Lambda authorizer on $connect, per-route throttling (tests moved unchanged
// from the former __tests__/e2e/chat-edges.test.ts, which applied the chat
// stack a second time for them). Called by __tests__/e2e/chat.test.ts.
//
// Not shown here: the authorizer never runs (moto does not invoke Lambda
// functions), DNS and TLS are not served, and the frontend (Amplify) is not
// emulated, so its WEBSOCKET_URL is checked by the unit and plan tests only.
import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetDomainNameCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import type { DeploymentContext } from "../../support/deployment";

export function chatEdgeChecks(ctx: () => DeploymentContext): void {
  test("serves the stage at wss://chat.example.com/chat", async () => {
    const { sdk: cfg, outputs } = ctx();
    expect(outputs.custom_domain_url).toBe("wss://chat.example.com/chat");
    const apigw = new ApiGatewayV2Client(cfg);
    const domain = await apigw.send(new GetDomainNameCommand({ DomainName: "chat.example.com" }));
    expect(domain.DomainNameConfigurations).toEqual([expect.objectContaining({ EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2" })]);
    expect((await apigw.send(new GetApiMappingsCommand({ DomainName: "chat.example.com" }))).Items).toEqual([
      expect.objectContaining({ ApiId: outputs.api_id, Stage: "prod", ApiMappingKey: "chat" }),
    ]);
  });

  test("gives the backend the API's own @connections URL and the authorizer's principal id", async () => {
    const { sdk: cfg, outputs } = ctx();
    const integrations = (await new ApiGatewayV2Client(cfg).send(new GetIntegrationsCommand({ ApiId: outputs.api_id }))).Items ?? [];
    const online = integrations.find((i) => i.IntegrationUri?.endsWith("/online"))!;
    const template = online.RequestTemplates!.$default;
    // Resolved by Terraform: the execute-api host, whatever host the client used; the stage from the request.
    expect(template).toContain(`"url":"https://${outputs.api_id}.execute-api.us-east-1.amazonaws.com/$context.stage"`);
    expect(template).toContain('"principalId":"$util.escapeJavaScript($context.authorizer.principalId)');
  });

  test("authorizes $connect only, and throttles the message route with its own limits", async () => {
    const { sdk: cfg, outputs } = ctx();
    const apigw = new ApiGatewayV2Client(cfg);
    const routes = (await apigw.send(new GetRoutesCommand({ ApiId: outputs.api_id }))).Items ?? [];
    const connect = routes.find((r) => r.RouteKey === "$connect")!;
    expect(connect).toMatchObject({ AuthorizationType: "CUSTOM", AuthorizerId: outputs.connect_authorizer_id });
    expect(routes.filter((r) => r.RouteKey !== "$connect").every((r) => (r.AuthorizationType ?? "NONE") === "NONE")).toBe(true);
    const stage = await apigw.send(new GetStageCommand({ ApiId: outputs.api_id, StageName: "prod" }));
    expect(stage.RouteSettings).toEqual({ message: expect.objectContaining({ ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }) });
  });
}
