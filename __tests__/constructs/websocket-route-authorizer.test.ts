import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { TerraformIterator, TerraformVariable, Testing } from "cdktf";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketMockIntegration } from "../../constructs/websocket-integration";
import { IWebSocketApi, WebSocketRoute } from "../../constructs/websocket-route";
import { WebSocketIamAuthorizer, WebSocketRouteAuthorization } from "../../constructs/websocket-route-authorizer";
import { errorOf, newStack, resourcesOf, synthJson } from "../helpers";

const api: IWebSocketApi = { apiId: "api-123" };
const mock = () => new WebSocketMockIntegration();

describe("WebSocketIamAuthorizer", () => {
  test("makes $connect AWS_IAM, without an authorizer", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new WebSocketApi(stack, "api", { apiName: "chat", connectRoute: { integration: mock(), authorizer: new WebSocketIamAuthorizer() } });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Route, { route_key: "$connect", authorization_type: "AWS_IAM" });
    const route = Object.values(resourcesOf(synthJson(stack), "aws_apigatewayv2_route"))[0];
    expect(route).not.toHaveProperty("authorizer_id");
  });

  test("fails when it is put on a route other than $connect", () => {
    expect(
      errorOf(() => new WebSocketRoute(newStack(), "r", { api, routeKey: "$default", integration: mock(), authorizer: new WebSocketIamAuthorizer() })),
    ).toBe(
      'route $default: authorizer authorizationType must be "NONE" on any route but $connect (WebSocket APIs authorize a client once, when it connects), got "AWS_IAM": put the authorizer on the $connect route only',
    );
  });
});

describe("WebSocketRouteAuthorization", () => {
  test("leaves a route without authorizer unchanged (no authorization_type)", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "r", { api, routeKey: "$connect", integration: mock() });
    expect(resourcesOf(synthJson(stack), "aws_apigatewayv2_route")[route.resource.friendlyUniqueId]).not.toHaveProperty("authorization_type");
  });

  test("passes a type and id decided at plan time to $connect", () => {
    const stack = newStack();
    const type = new TerraformVariable(stack, "type", { type: "string" });
    const id = new TerraformVariable(stack, "id", { type: "string", nullable: true });
    const route = new WebSocketRoute(stack, "r", {
      api,
      routeKey: "$connect",
      integration: mock(),
      authorizer: new WebSocketRouteAuthorization(type.stringValue, id.stringValue),
    });
    expect(resourcesOf(synthJson(stack), "aws_apigatewayv2_route")[route.resource.friendlyUniqueId]).toMatchObject({
      authorization_type: "${var.type}",
      authorizer_id: "${var.id}",
    });
  });

  test("accepts NONE on any route", () => {
    const stack = newStack();
    new WebSocketRoute(stack, "r", { api, routeKey: "join", integration: mock(), authorizer: new WebSocketRouteAuthorization("NONE") });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Route, { route_key: "join", authorization_type: "NONE" });
  });

  test("fails when the type is unknown", () => {
    expect(
      errorOf(
        () => new WebSocketRoute(newStack(), "r", { api, routeKey: "$connect", integration: mock(), authorizer: new WebSocketRouteAuthorization("JWT") }),
      ),
    ).toBe('route $connect: authorizer authorizationType must be one of "NONE", "AWS_IAM", "CUSTOM", got "JWT": use one of the allowed values');
  });

  test("fails when CUSTOM has no authorizer id", () => {
    expect(
      errorOf(
        () => new WebSocketRoute(newStack(), "r", { api, routeKey: "$connect", integration: mock(), authorizer: new WebSocketRouteAuthorization("CUSTOM") }),
      ),
    ).toBe(
      'route $connect: authorizer authorizerId must be set when authorizationType is "CUSTOM", got nothing: use a WebSocketLambdaAuthorizer as the route\'s authorizer',
    );
  });

  test("fails when a type other than CUSTOM has an authorizer id", () => {
    expect(
      errorOf(
        () =>
          new WebSocketRoute(newStack(), "r", {
            api,
            routeKey: "$connect",
            integration: mock(),
            authorizer: new WebSocketRouteAuthorization("AWS_IAM", "abc123"),
          }),
      ),
    ).toContain('route $connect: authorizer authorizerId must be unset unless authorizationType is "CUSTOM", got "abc123"');
  });

  test("fails when iterated (custom) routes get an authorization decided at plan time", () => {
    const stack = newStack();
    const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
    const type = new TerraformVariable(stack, "type", { type: "string" });
    expect(
      errorOf(
        () =>
          new WebSocketRoute(stack, "r", {
            api,
            routeKey: routes.key,
            forEach: routes,
            integration: mock(),
            authorizer: new WebSocketRouteAuthorization(type.stringValue),
          }),
      ),
    ).toContain('route (iterated): authorizer authorizationType must be "NONE" on any route but $connect');
  });
});
