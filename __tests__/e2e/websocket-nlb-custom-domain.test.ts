import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetAuthorizerCommand,
  GetDomainNameCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import { describeDeployment, RootEnv } from "../support/deployment";
import { edgeFixture, exampleDeployment } from "../support/deployments";

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
const EXAMPLE = "websocket-nlb-custom-domain";
// What the example expects to exist: a public zone and an authorizer function (the `edge` fixture root).
const CUSTOM_DOMAIN = exampleDeployment(
  EXAMPLE,
  {
    after: ["edge"],
    vars: (env: RootEnv) => [
      "-var",
      "domain_name=game.example.com",
      "-var",
      `hosted_zone_id=${env.outputsOf("edge").zone_id}`,
      "-var",
      `authorizer_function_arn=${env.outputsOf("edge").function_arn}`,
    ],
  },
  { edge: edgeFixture("game-authorizer") },
);

/** An attribute of the one resource instance in the state whose address contains `part`. */
function stateInstance(state: any, part: string): any {
  const found = state.resources.filter((r: any) => `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}`.includes(part));
  if (found.length !== 1 || found[0].instances.length !== 1)
    throw new Error(`expected one instance whose address contains ${part}, found ${found.length} resources`);
  return found[0].instances[0].attributes;
}

describeDeployment(
  "websocket-nlb module with a custom domain and a $connect authorizer (examples/websocket-nlb-custom-domain), on the emulator",
  CUSTOM_DOMAIN,
  (ctx) => {
    const apiId = () => new URL(ctx().outputs.execute_api_url).hostname.split(".")[0];
    const zoneId = () => ctx().roots.edge.outputs.zone_id;
    const functionArn = () => ctx().roots.edge.outputs.function_arn;

    test("serves the stage at wss://<domain>/game on a regional TLS 1.2 domain with the certificate ACM issued", async () => {
      expect(ctx().outputs.websocket_url).toBe("wss://game.example.com/game");
      const apigw = new ApiGatewayV2Client(ctx().sdk);
      const domain = await apigw.send(new GetDomainNameCommand({ DomainName: "game.example.com" }));
      expect(domain.DomainNameConfigurations).toEqual([
        expect.objectContaining({
          EndpointType: "REGIONAL",
          SecurityPolicy: "TLS_1_2",
          IpAddressType: "dualstack",
          CertificateArn: ctx().outputs.certificate_arn,
        }),
      ]);
      expect(ctx().outputs.certificate_arn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
      expect(ctx().outputs.custom_domain_target_domain_name).toMatch(/^d-[0-9a-f]+\.execute-api\.us-east-1\.amazonaws\.com$/);
      const mappings = (await apigw.send(new GetApiMappingsCommand({ DomainName: "game.example.com" }))).Items ?? [];
      expect(mappings).toEqual([expect.objectContaining({ ApiId: apiId(), Stage: "prod", ApiMappingKey: "game" })]);
    });

    test("validates the certificate and points A and AAAA aliases at API Gateway in the zone", async () => {
      const addresses = await ctx().stateList();
      for (const record of ["custom-domain_ValidationRecord", "custom-domain_AliasA_", "custom-domain_AliasAAAA"]) {
        expect([record, addresses.some((a) => a.startsWith("module.websocket_api.aws_route53_record.") && a.includes(record))]).toEqual([record, true]);
      }
      // The record as stored in the state (what `terraform state show` prints).
      const alias = stateInstance(await ctx().state(), "custom-domain_AliasA_");
      expect(alias.zone_id).toBe(zoneId());
      expect(JSON.stringify(alias.alias)).toContain(ctx().outputs.custom_domain_target_domain_name);
    });

    test("authorizes $connect, and only $connect, with a REQUEST authorizer that reads the token query string parameter and caches nothing", async () => {
      const apigw = new ApiGatewayV2Client(ctx().sdk);
      // moto has no GetAuthorizers (list): the authorizer is read by the id the module outputs.
      const authorizer = await apigw.send(new GetAuthorizerCommand({ ApiId: apiId(), AuthorizerId: ctx().outputs.connect_authorizer_id }));
      expect(authorizer).toMatchObject({
        AuthorizerId: ctx().outputs.connect_authorizer_id,
        AuthorizerType: "REQUEST",
        IdentitySource: ["route.request.querystring.token"],
        AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn()}/invocations`,
      });
      expect(authorizer.AuthorizerResultTtlInSeconds ?? 0).toBe(0);
      const routes = (await apigw.send(new GetRoutesCommand({ ApiId: apiId() }))).Items ?? [];
      expect(Object.fromEntries(routes.map((r) => [r.RouteKey, [r.AuthorizationType, r.AuthorizerId ?? null]]))).toEqual({
        $connect: ["CUSTOM", ctx().outputs.connect_authorizer_id],
        $disconnect: ["NONE", null],
        $default: ["NONE", null],
        joinGame: ["NONE", null],
        makeMove: ["NONE", null],
      });
    });

    test("lets API Gateway invoke the function for this API's authorizers only", async () => {
      const permission = stateInstance(await ctx().state(), "aws_lambda_permission.connect-authorizer_InvokePermission");
      expect(permission.principal).toBe("apigateway.amazonaws.com");
      expect(permission.source_arn).toMatch(
        new RegExp(`^arn:aws:execute-api:us-east-1:\\d{12}:${apiId()}/authorizers/${ctx().outputs.connect_authorizer_id}$`),
      );
    });

    test("sends the authorizer's principal id to the backend in the x-player-id header of every route", async () => {
      const integrations = (await new ApiGatewayV2Client(ctx().sdk).send(new GetIntegrationsCommand({ ApiId: apiId() }))).Items ?? [];
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
      const stage = await new ApiGatewayV2Client(ctx().sdk).send(new GetStageCommand({ ApiId: apiId(), StageName: "prod" }));
      expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 1000, ThrottlingRateLimit: 500 });
      expect(stage.RouteSettings).toEqual({ makeMove: expect.objectContaining({ ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }) });
    });
  },
);
