import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Testing } from "cdktf";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketHttpProxyIntegration } from "../../constructs/websocket-integration";
import { newStack, resourcesOf, synthJson } from "../helpers";

const integration = () => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" });

describe("WebSocketApi", () => {
  test("creates a WEBSOCKET API that selects routes by the frame's action", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new WebSocketApi(stack, "api", { apiName: "chat" });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Api, {
      name: "chat",
      protocol_type: "WEBSOCKET",
      route_selection_expression: "$request.body.action",
    });
  });

  test("adds the predefined routes given as props and custom routes with addRoute", () => {
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", {
      apiName: "chat",
      connectRoute: { integration: integration() },
      disconnectRoute: { integration: integration() },
      defaultRoute: { integration: integration() },
    });
    api.addRoute("sendMessage", { integration: integration() });

    const routes = Object.values(resourcesOf(synthJson(stack), "aws_apigatewayv2_route")).map((r: any) => r.route_key);
    expect(routes.sort()).toEqual(["$connect", "$default", "$disconnect", "sendMessage"]);
    expect(api.routes.map((r) => r.routeKey)).toEqual(["$connect", "$disconnect", "$default", "sendMessage"]);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Route, {
      route_key: "sendMessage",
      target: expect.stringMatching(/^integrations\/\$\{aws_apigatewayv2_integration\..+\.id\}$/),
    });
  });

  test("keeps the route's construct id derived from its key (ids are a contract)", () => {
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat" });
    const route = api.addRoute("join", { integration: integration() });
    expect(route.node.id).toBe("route-join");
    expect(api.resource.node.id).toBe("Resource");
  });

  test("fails when a route key is added twice", () => {
    const api = new WebSocketApi(newStack(), "api", { apiName: "chat" });
    api.addRoute("join", { integration: integration() });
    expect(() => api.addRoute("join", { integration: integration() })).toThrow(/route key of .* must be unique within the API, got "join"/);
  });

  test("fails when the name is empty or longer than 128 characters", () => {
    expect(() => new WebSocketApi(newStack(), "api", { apiName: "" })).toThrow(/WebSocketApi.apiName must be 1 to 128 characters, got ""/);
    expect(() => new WebSocketApi(newStack(), "api", { apiName: "x".repeat(129) })).toThrow(/WebSocketApi.apiName must be 1 to 128 characters/);
  });

  test("fails when the description is longer than 1024 characters", () => {
    expect(() => new WebSocketApi(newStack(), "api", { apiName: "chat", description: "d".repeat(1025) })).toThrow(
      /WebSocketApi.description must be at most 1024 characters/,
    );
  });

  test("fails when the route selection expression does not select from the body", () => {
    expect(() => new WebSocketApi(newStack(), "api", { apiName: "chat", routeSelectionExpression: "$request.header.action" })).toThrow(
      /WebSocketApi.routeSelectionExpression must be a \$request.body.<path> expression .*got "\$request.header.action"/,
    );
  });

  test("accepts the wrapped form of the route selection expression", () => {
    expect(
      () => new WebSocketApi(newStack(), "api", { apiName: "chat", routeSelectionExpression: "${request.body.service}/${request.body.action}" }),
    ).not.toThrow();
  });
});
