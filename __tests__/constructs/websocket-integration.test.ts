import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { PrivateLink } from "../../constructs/private-link";
import { WebSocketApi } from "../../constructs/websocket-api";
import {
  stageVariable,
  WebSocketHttpIntegration,
  WebSocketHttpProxyIntegration,
  WebSocketIntegration,
  WebSocketMockIntegration,
} from "../../constructs/websocket-integration";
import { newStack, onlyResource, synthJson } from "../helpers";

/** Synthesizes one route using `integration` and returns the JSON. */
function synthRoute(stack: TerraformStack, integration: WebSocketIntegration, returnResponse = false): any {
  const api = new WebSocketApi(stack, "api", { apiName: "chat" });
  api.addRoute("sendMessage", { integration, returnResponse });
  return synthJson(stack);
}

const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

describe("WebSocketHttpProxyIntegration", () => {
  test("creates an HTTP_PROXY integration over the internet with POST and a 29 s timeout by default", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" }));
    // THEN
    const integration = onlyResource(json, "aws_apigatewayv2_integration");
    expect(integration).toMatchObject({
      integration_type: "HTTP_PROXY",
      integration_uri: "https://backend.example.com/ws",
      integration_method: "POST",
      connection_type: "INTERNET",
      timeout_milliseconds: 29000,
    });
    expect(integration.connection_id).toBeUndefined();
    expect(integration.request_templates).toBeUndefined();
  });

  test("forwards the connection id in the connectionId header", () => {
    const stack = newStack();
    synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" }));
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Integration, {
      request_parameters: { "integration.request.header.connectionId": "context.connectionId" },
    });
  });

  test("adds the given request parameters to the connection id header", () => {
    const stack = newStack();
    const json = synthRoute(
      stack,
      new WebSocketHttpProxyIntegration({
        url: "https://backend.example.com/ws",
        requestParameters: { "integration.request.header.routeKey": "context.routeKey" },
      }),
    );
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_parameters).toEqual({
      "integration.request.header.connectionId": "context.connectionId",
      "integration.request.header.routeKey": "context.routeKey",
    });
  });

  test("merges request parameters known only at plan time into the connection id header in Terraform", () => {
    const stack = newStack();
    const extra = new TerraformVariable(stack, "headers", { type: "map(string)" }).value;
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws", requestParameters: extra }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_parameters).toBe(
      '${merge({"integration.request.header.connectionId" = "context.connectionId"}, var.headers)}',
    );
  });

  test("passes request parameters known only at plan time as they are when the connection id is not forwarded", () => {
    const stack = newStack();
    const extra = new TerraformVariable(stack, "headers", { type: "map(string)" }).value;
    const json = synthRoute(
      stack,
      new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws", requestParameters: extra, forwardConnectionId: false }),
    );
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_parameters).toBe("${var.headers}");
  });

  test("sends no request parameters when forwarding the connection id is turned off", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws", forwardConnectionId: false }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_parameters).toBeUndefined();
  });

  test("goes through the v1 VPC link of a PrivateLink", () => {
    // GIVEN
    const stack = newStack();
    const link = new PrivateLink(stack, "link", {
      vpcId: "vpc-1",
      subnetIds: ["subnet-1"],
      nlbName: "chat-nlb",
      targetGroupName: "chat-tg",
      vpcLinkName: "chat-link",
      target: { kind: "ip", port: 8080 },
    });
    // WHEN
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: link.urlFor("/ws"), vpcLink: link }));
    // THEN
    const integration = onlyResource(json, "aws_apigatewayv2_integration");
    expect(integration.connection_type).toBe("VPC_LINK");
    expect(integration.connection_id).toMatch(/^\$\{aws_api_gateway_vpc_link\.link_VpcLink_[A-Z0-9]+\.id\}$/);
    expect(integration.integration_uri).toMatch(/^http:\/\/\$\{aws_lb\.link_[A-Z0-9]+\.dns_name\}:8080\/ws$/);
  });

  test("upper-cases the method and keeps the given timeout", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws", method: "get", timeoutMilliseconds: 5000 }));
    expect(onlyResource(json, "aws_apigatewayv2_integration")).toMatchObject({ integration_method: "GET", timeout_milliseconds: 5000 });
  });

  test("escapes stage variables in the URL so Terraform passes them to API Gateway", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: `http://${stageVariable("backendHost")}/connect` }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").integration_uri).toBe("http://$${stageVariables.backendHost}/connect");
  });

  test("is a proxy integration (no $default integration response)", () => {
    expect(new WebSocketHttpProxyIntegration({ url: "https://backend.example.com" }).bind().proxy).toBe(true);
  });

  test("fails when the method is not an HTTP method API Gateway knows", () => {
    expect(() => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com", method: "FETCH" })).toThrow(
      'WebSocketHttpProxyIntegration.method must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", got "FETCH": use one of the allowed values',
    );
  });

  test("does not check an unresolved method (and keeps it a reference)", () => {
    const stack = newStack();
    const method = stringVar(stack);
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com", method }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").integration_method).toBe("${var.s}");
  });

  test("fails when the timeout is outside 50 to 29000 ms", () => {
    const fix = "API Gateway allows 50 ms to 29 s for WebSocket integrations";
    expect(() => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com", timeoutMilliseconds: 49 })).toThrow(
      `WebSocketHttpProxyIntegration.timeoutMilliseconds must be a whole number from 50 to 29000, got 49: ${fix}`,
    );
    expect(() => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com", timeoutMilliseconds: 29001 })).toThrow(
      `WebSocketHttpProxyIntegration.timeoutMilliseconds must be a whole number from 50 to 29000, got 29001: ${fix}`,
    );
  });

  test("does not check an unresolved timeout", () => {
    const stack = newStack();
    const timeout = numberVar(stack);
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url: "https://backend.example.com", timeoutMilliseconds: timeout }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").timeout_milliseconds).toBe("${var.n}");
  });

  test("fails when the URL is not an http:// or https:// URL", () => {
    expect(() => new WebSocketHttpProxyIntegration({ url: "ftp://backend.example.com" })).toThrow(
      'WebSocketHttpProxyIntegration.url must be an http:// or https:// URL, got "ftp://backend.example.com": give the full URL of the backend endpoint',
    );
    expect(() => new WebSocketHttpProxyIntegration({ url: "backend.example.com/ws" })).toThrow(
      /WebSocketHttpProxyIntegration.url must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  test("does not check an unresolved URL", () => {
    const stack = newStack();
    const url = stringVar(stack);
    const json = synthRoute(stack, new WebSocketHttpProxyIntegration({ url }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").integration_uri).toBe("${var.s}");
  });
});

describe("WebSocketHttpIntegration", () => {
  const template = '{"action":"join","connectionId":"$context.connectionId","name":$input.json(\'$.name\')}';

  test("creates a non-proxy HTTP integration with the request template, always selected, and no passthrough", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketHttpIntegration({ url: "https://backend.example.com/join", requestTemplates: { $default: template } }));
    expect(onlyResource(json, "aws_apigatewayv2_integration")).toMatchObject({
      integration_type: "HTTP",
      integration_method: "POST",
      integration_uri: "https://backend.example.com/join",
      request_templates: { $default: template },
      template_selection_expression: "\\$default",
      passthrough_behavior: "NEVER",
      timeout_milliseconds: 29000,
    });
  });

  test("escapes Velocity's formal ${...} notation in templates", () => {
    const stack = newStack();
    const json = synthRoute(
      stack,
      new WebSocketHttpIntegration({ url: "https://backend.example.com/join", requestTemplates: { $default: '{"id":"${context.connectionId}"}' } }),
    );
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_templates).toEqual({ $default: '{"id":"$${context.connectionId}"}' });
  });

  test("keeps the given template selection expression and passthrough behaviour", () => {
    const stack = newStack();
    const json = synthRoute(
      stack,
      new WebSocketHttpIntegration({
        url: "https://backend.example.com/join",
        requestTemplates: { join: template },
        templateSelectionExpression: "$request.body.action",
        passthroughBehavior: "WHEN_NO_MATCH",
      }),
    );
    expect(onlyResource(json, "aws_apigatewayv2_integration")).toMatchObject({
      template_selection_expression: "$request.body.action",
      passthrough_behavior: "WHEN_NO_MATCH",
    });
  });

  test("is not a proxy integration (its routes get a $default integration response)", () => {
    expect(new WebSocketHttpIntegration({ url: "https://backend.example.com", requestTemplates: { $default: "{}" } }).bind().proxy).toBe(false);
  });

  test("fails when no request template is given", () => {
    expect(() => new WebSocketHttpIntegration({ url: "https://backend.example.com", requestTemplates: {} })).toThrow(
      /^WebSocketHttpIntegration.requestTemplates must be at least one template, got \{\}: a non-proxy integration needs a template/,
    );
  });

  test("does not check unresolved request templates", () => {
    const stack = newStack();
    const templates = new TerraformVariable(stack, "templates", { type: "map(string)" }).value as Record<string, string>;
    const json = synthRoute(stack, new WebSocketHttpIntegration({ url: "https://backend.example.com", requestTemplates: templates }));
    expect(onlyResource(json, "aws_apigatewayv2_integration").request_templates).toBe("${var.templates}");
  });

  test("fails when the passthrough behaviour is unknown", () => {
    expect(
      () => new WebSocketHttpIntegration({ url: "https://backend.example.com", requestTemplates: { $default: "{}" }, passthroughBehavior: "ALWAYS" as any }),
    ).toThrow(
      'WebSocketHttpIntegration.passthroughBehavior must be one of "WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES", got "ALWAYS": use one of the allowed values',
    );
  });

  test("does not check an unresolved passthrough behaviour", () => {
    const stack = newStack();
    const passthroughBehavior = stringVar(stack) as "NEVER";
    const json = synthRoute(
      stack,
      new WebSocketHttpIntegration({ url: "https://backend.example.com", requestTemplates: { $default: "{}" }, passthroughBehavior }),
    );
    expect(onlyResource(json, "aws_apigatewayv2_integration").passthrough_behavior).toBe("${var.s}");
  });

  test("names itself in the errors of the shared URL, method and timeout checks", () => {
    const templates = { $default: "{}" };
    expect(() => new WebSocketHttpIntegration({ url: "ws://backend", requestTemplates: templates })).toThrow(
      /^WebSocketHttpIntegration.url must be an http:\/\/ or https:\/\/ URL, got "ws:\/\/backend"/,
    );
    expect(() => new WebSocketHttpIntegration({ url: "https://b.example.com", method: "TRACE", requestTemplates: templates })).toThrow(
      /^WebSocketHttpIntegration.method must be one of/,
    );
    expect(() => new WebSocketHttpIntegration({ url: "https://b.example.com", timeoutMilliseconds: 30000, requestTemplates: templates })).toThrow(
      /^WebSocketHttpIntegration.timeoutMilliseconds must be a whole number from 50 to 29000, got 30000/,
    );
  });
});

describe("WebSocketMockIntegration", () => {
  test("creates a MOCK integration that answers 200 without a backend", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketMockIntegration({ description: "Unknown actions" }), true);
    const integration = onlyResource(json, "aws_apigatewayv2_integration");
    expect(integration).toMatchObject({
      integration_type: "MOCK",
      connection_type: "INTERNET",
      request_templates: { $default: '{"statusCode": 200}' },
      template_selection_expression: "\\$default",
      passthrough_behavior: "NEVER",
      description: "Unknown actions",
    });
    expect(integration.integration_uri).toBeUndefined();
  });

  test("sends the response template, escaped, through the $default integration response", () => {
    const stack = newStack();
    const json = synthRoute(stack, new WebSocketMockIntegration({ responseTemplate: '{"error":"unknown action ${x}"}' }), true);
    expect(onlyResource(json, "aws_apigatewayv2_integration_response")).toMatchObject({
      integration_response_key: "$default",
      response_templates: { $default: '{"error":"unknown action $${x}"}' },
      template_selection_expression: "\\$default",
    });
  });
});

describe("stageVariable", () => {
  test("writes the reference API Gateway substitutes per stage", () => {
    expect(stageVariable("backendHost")).toBe("${stageVariables.backendHost}");
  });

  test("fails when the name has characters other than letters, digits or underscores", () => {
    expect(() => stageVariable("backend-host")).toThrow(
      'stage variable name must be letters, digits or underscores, got "backend-host": rename the stage variable',
    );
  });
});
