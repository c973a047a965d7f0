import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { TerraformIterator, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { WebSocketHttpIntegration, WebSocketHttpProxyIntegration, WebSocketMockIntegration } from "../../constructs/websocket-integration";
import { IWebSocketApi, validateRouteKey, WebSocketRoute } from "../../constructs/websocket-route";
import { newStack, resourcesOf, synthJson } from "../helpers";

const api: IWebSocketApi = { apiId: "api-123" };
const proxy = () => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" });
const http = () => new WebSocketHttpIntegration({ url: "https://backend.example.com/join", requestTemplates: { $default: "{}" } });

/** The synthesized block of one resource. */
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];

/** A map variable and an iterator over it, as `forEach` routes use. */
function routesVariable(stack: TerraformStack, id = "routes") {
  const variable = new TerraformVariable(stack, id, { type: "map(any)" });
  return TerraformIterator.fromMap(variable.value);
}

describe("WebSocketRoute", () => {
  test("targets its own integration", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: proxy(), operationName: "Join" });
    // THEN
    const json = synthJson(stack);
    expect(tf(json, route.resource)).toEqual({
      api_id: "api-123",
      route_key: "join",
      operation_name: "Join",
      target: `integrations/\${aws_apigatewayv2_integration.${route.integration.friendlyUniqueId}.id}`,
    });
    expect(tf(json, route.integration)).toMatchObject({ api_id: "api-123", integration_type: "HTTP_PROXY" });
  });

  test("keeps its construct ids (ids are a contract)", () => {
    const route = new WebSocketRoute(newStack(), "route", { api, routeKey: "join", integration: http(), returnResponse: true });
    expect([route.resource, route.integration, route.integrationResponse!, route.routeResponse!].map((r) => r.node.id)).toEqual([
      "Resource",
      "Integration",
      "IntegrationResponse",
      "RouteResponse",
    ]);
  });

  test("adds a $default integration response for a non-proxy HTTP integration", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: http() });
    const json = synthJson(stack);
    expect(tf(json, route.integrationResponse!)).toEqual({
      api_id: "api-123",
      integration_id: `\${aws_apigatewayv2_integration.${route.integration.friendlyUniqueId}.id}`,
      integration_response_key: "$default",
    });
  });

  test("adds a $default integration response for a mock integration", () => {
    const stack = newStack();
    new WebSocketRoute(stack, "route", { api, routeKey: "$default", integration: new WebSocketMockIntegration() });
    expect(Object.keys(resourcesOf(synthJson(stack), "aws_apigatewayv2_integration_response"))).toHaveLength(1);
  });

  test("adds no integration response for a proxy integration", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: proxy() });
    expect(route.integrationResponse).toBeUndefined();
    expect(resourcesOf(synthJson(stack), "aws_apigatewayv2_integration_response")).toEqual({});
  });

  test("makes a two-way route with a $default route response and selection expression", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: proxy(), returnResponse: true });
    const json = synthJson(stack);
    expect(tf(json, route.resource).route_response_selection_expression).toBe("$default");
    expect(tf(json, route.routeResponse!)).toEqual({
      api_id: "api-123",
      route_id: `\${aws_apigatewayv2_route.${route.resource.friendlyUniqueId}.id}`,
      route_response_key: "$default",
    });
  });

  test("makes a one-way route without route response by default", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: http() });
    const json = synthJson(stack);
    expect(route.routeResponse).toBeUndefined();
    expect(resourcesOf(json, "aws_apigatewayv2_route_response")).toEqual({});
    expect(tf(json, route.resource).route_response_selection_expression).toBeUndefined();
  });

  test("lists every one of its resources as deployment triggers", () => {
    const stack = newStack();
    const route = new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: http(), returnResponse: true });
    expect(route.resources).toEqual([route.integration, route.integrationResponse, route.resource, route.routeResponse]);
    expect(route.deploymentTriggers).toEqual(route.resources.map((r) => r.fqn));
  });

  test("leaves absent resources out of the deployment triggers", () => {
    const route = new WebSocketRoute(newStack(), "route", { api, routeKey: "join", integration: proxy() });
    expect(route.resources).toEqual([route.integration, route.resource]);
  });

  describe("with forEach", () => {
    test("iterates the integration and the route, which references its integration by each.key", () => {
      // GIVEN
      const stack = newStack();
      const routes = routesVariable(stack);
      // WHEN
      const route = new WebSocketRoute(stack, "custom", { api, forEach: routes, routeKey: routes.key, integration: proxy() });
      // THEN
      const json = synthJson(stack);
      expect(tf(json, route.integration).for_each).toBe("${var.routes}");
      expect(tf(json, route.resource)).toMatchObject({
        for_each: "${var.routes}",
        route_key: "${each.key}",
        target: `integrations/\${aws_apigatewayv2_integration.${route.integration.friendlyUniqueId}[each.key].id}`,
      });
    });

    test("iterates the integration responses of non-proxy integrations by each.key", () => {
      const stack = newStack();
      const routes = routesVariable(stack);
      const route = new WebSocketRoute(stack, "custom", { api, forEach: routes, routeKey: routes.key, integration: http() });
      expect(tf(synthJson(stack), route.integrationResponse!)).toMatchObject({
        for_each: "${var.routes}",
        integration_id: `\${aws_apigatewayv2_integration.${route.integration.friendlyUniqueId}[each.key].id}`,
      });
    });

    test("gives every iterated route a route response when returnResponse is set", () => {
      const stack = newStack();
      const routes = routesVariable(stack);
      const route = new WebSocketRoute(stack, "custom", { api, forEach: routes, routeKey: routes.key, integration: proxy(), returnResponse: true });
      expect(tf(synthJson(stack), route.routeResponse!)).toEqual({
        for_each: "${var.routes}",
        api_id: "api-123",
        route_id: `\${aws_apigatewayv2_route.${route.resource.friendlyUniqueId}[each.key].id}`,
        route_response_key: "$default",
      });
    });

    test("gives route responses only to the entries of returnResponseForEach", () => {
      // GIVEN
      const stack = newStack();
      const routes = routesVariable(stack);
      const twoWay = routesVariable(stack, "two_way");
      // WHEN
      const route = new WebSocketRoute(stack, "custom", {
        api,
        forEach: routes,
        routeKey: routes.key,
        integration: proxy(),
        returnResponseForEach: twoWay,
        routeResponseSelectionExpression: routes.getString("route_response_selection_expression"),
      });
      // THEN
      const json = synthJson(stack);
      expect(tf(json, route.routeResponse!)).toMatchObject({
        for_each: "${var.two_way}",
        route_id: `\${aws_apigatewayv2_route.${route.resource.friendlyUniqueId}[each.key].id}`,
      });
      expect(tf(json, route.resource).route_response_selection_expression).toBe("${each.value.route_response_selection_expression}");
    });
  });

  test("fails when a custom route key is empty or longer than 128 characters", () => {
    const rule = 'one of "$connect", "$disconnect", "$default", or a custom key of 1 to 128 printable characters that does not start with "$" or white space';
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: "", integration: proxy() })).toThrow(
      `route key must be ${rule}, got "": shorten the key or give one`,
    );
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: "k".repeat(129), integration: proxy() })).toThrow(
      /^route key must be one of .*: shorten the key or give one$/,
    );
  });

  test('fails when a custom route key starts with "$"', () => {
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: "$join", integration: proxy() })).toThrow(
      /^route key must be one of .*, got "\$join": API Gateway reserves "\$" keys for the predefined routes; drop the "\$"$/,
    );
  });

  test("fails when a route key has surrounding white space or non-printable characters", () => {
    const fix = "remove control characters, non-ASCII characters and surrounding spaces";
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: " join", integration: proxy() })).toThrow(new RegExp(`got " join": ${fix}$`));
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: "join\n", integration: proxy() })).toThrow(new RegExp(`: ${fix}$`));
    expect(() => new WebSocketRoute(newStack(), "route", { api, routeKey: "jöin", integration: proxy() })).toThrow(new RegExp(`got "jöin": ${fix}$`));
  });

  test("accepts the predefined route keys and printable custom keys", () => {
    for (const key of ["$connect", "$disconnect", "$default", "sendMessage", "a b", "x".repeat(128)]) {
      expect(() => validateRouteKey(key)).not.toThrow();
    }
  });

  test("does not check an unresolved route key", () => {
    const stack = newStack();
    const routeKey = new TerraformVariable(stack, "key", { type: "string" }).stringValue;
    new WebSocketRoute(stack, "route", { api, routeKey, integration: proxy() });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Route, { route_key: "${var.key}" });
  });

  test("fails when the route response selection expression is not $default", () => {
    expect(
      () => new WebSocketRoute(newStack(), "route", { api, routeKey: "join", integration: proxy(), routeResponseSelectionExpression: "$request.body.x" }),
    ).toThrow(
      'route join: routeResponseSelectionExpression must be "$default" (the only route response selection expression API Gateway supports for WebSocket APIs), got "$request.body.x": use "$default" or leave it unset for a one-way route',
    );
  });

  test("does not check an unresolved route response selection expression", () => {
    const stack = newStack();
    const expression = new TerraformVariable(stack, "rrse", { type: "string" }).stringValue;
    new WebSocketRoute(stack, "route", { api, routeKey: "join", integration: proxy(), routeResponseSelectionExpression: expression });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Route, { route_response_selection_expression: "${var.rrse}" });
  });
});
