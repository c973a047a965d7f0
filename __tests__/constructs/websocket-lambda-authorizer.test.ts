import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { TerraformVariable, Testing } from "cdktf";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketHttpProxyIntegration, WebSocketMockIntegration } from "../../constructs/websocket-integration";
import {
  authorizerHeaders,
  authorizerTemplateJsonString,
  authorizerTemplateValue,
  functionArns,
  WebSocketLambdaAuthorizer,
  WebSocketLambdaAuthorizerProps,
} from "../../constructs/websocket-lambda-authorizer";
import { errorOf, newStack, resourcesOf, synthJson } from "../helpers";

const FN = "arn:aws:lambda:eu-west-1:123456789012:function:ws-auth";
const INVOKE = `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FN}/invocations`;

function authorizer(props: Partial<WebSocketLambdaAuthorizerProps> = {}) {
  const stack = newStack();
  const api = new WebSocketApi(stack, "api", { apiName: "chat" });
  const authz = new WebSocketLambdaAuthorizer(stack, "authorizer", { api, functionArn: FN, identitySources: ["route.request.querystring.token"], ...props });
  return { stack, api, authz };
}

describe("WebSocketLambdaAuthorizer", () => {
  test("is a REQUEST authorizer calling the function's invocation ARN, without result caching", () => {
    // GIVEN / WHEN
    const { stack, api, authz } = authorizer();
    // THEN
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_apigatewayv2_authorizer")[authz.resource.friendlyUniqueId]).toEqual({
      api_id: `\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.id}`,
      name: "authorizer",
      authorizer_type: "REQUEST",
      authorizer_uri: INVOKE,
      identity_sources: ["route.request.querystring.token"],
    });
  });

  test("lets API Gateway invoke the function for this API's authorizers only", () => {
    const { stack, api, authz } = authorizer();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunction",
      function_name: FN,
      principal: "apigateway.amazonaws.com",
      source_arn: `\${aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.execution_arn}/authorizers/\${aws_apigatewayv2_authorizer.${authz.resource.friendlyUniqueId}.id}`,
    });
    expect([authz.resource.node.id, authz.permission!.node.id]).toEqual(["Resource", "InvokePermission"]);
  });

  test("accepts the invocation ARN and grants on the function", () => {
    const { stack } = authorizer({ functionArn: INVOKE });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(Apigatewayv2Authorizer, { authorizer_uri: INVOKE });
    expect(synth).toHaveResourceWithProperties(LambdaPermission, { function_name: FN });
  });

  test("grants on an alias through the permission's qualifier", () => {
    const { stack } = authorizer({ functionArn: `${FN}:live` });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(LambdaPermission, { function_name: FN, qualifier: "live" });
    expect(synth).toHaveResourceWithProperties(Apigatewayv2Authorizer, {
      authorizer_uri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FN}:live/invocations`,
    });
  });

  test("uses a credentials role instead of a permission when given one", () => {
    const role = "arn:aws:iam::123456789012:role/apigw-invoke-auth";
    const { stack, authz } = authorizer({ credentialsRoleArn: role });
    expect(authz.permission).toBeUndefined();
    expect(resourcesOf(synthJson(stack), "aws_lambda_permission")).toEqual({});
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2Authorizer, { authorizer_credentials_arn: role });
  });

  test("authorizes $connect as CUSTOM, and its changes redeploy the API", () => {
    const { stack, api, authz } = authorizer({ authorizerName: "chat-users" });
    const route = api.addRoute("$connect", { integration: new WebSocketMockIntegration(), authorizer: authz });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_apigatewayv2_route")[route.resource.friendlyUniqueId]).toMatchObject({
      route_key: "$connect",
      authorization_type: "CUSTOM",
      authorizer_id: `\${aws_apigatewayv2_authorizer.${authz.resource.friendlyUniqueId}.id}`,
    });
    expect(resourcesOf(json, "aws_apigatewayv2_authorizer")[authz.resource.friendlyUniqueId].name).toBe("chat-users");
    expect(route.deploymentTriggers).toContain(authz.resource.fqn);
  });

  test("keeps the permission exactly when a credentials role given as an expression is null", () => {
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat" });
    const role = new TerraformVariable(stack, "role", { type: "string", nullable: true });
    const authz = new WebSocketLambdaAuthorizer(stack, "authorizer", {
      api,
      functionArn: FN,
      identitySources: ["route.request.querystring.token"],
      credentialsRoleArn: role.stringValue,
    });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_lambda_permission")[authz.permission!.friendlyUniqueId].count).toBe("${(var.role == null) ? 1 : 0}");
    expect(resourcesOf(json, "aws_apigatewayv2_authorizer")[authz.resource.friendlyUniqueId].authorizer_credentials_arn).toBe("${var.role}");
  });

  describe("with a function ARN from a Terraform variable", () => {
    function moduleAuthorizer() {
      const stack = newStack();
      const api = new WebSocketApi(stack, "api", { apiName: "chat" });
      const fn = new TerraformVariable(stack, "fn", { type: "string", nullable: true });
      const on = new TerraformVariable(stack, "on", { type: "bool" });
      const authz = new WebSocketLambdaAuthorizer(stack, "authorizer", {
        api,
        functionArn: fn.stringValue,
        identitySources: ["route.request.header.Authorization"],
        enabled: on.value as any,
      });
      const route = api.addRoute("$connect", { integration: new WebSocketMockIntegration(), authorizer: authz });
      return { json: synthJson(stack), authz, route };
    }

    test("converts either ARN form in Terraform", () => {
      const { json, authz } = moduleAuthorizer();
      const isInvocation = 'strcontains(var.fn, ":apigateway:")';
      expect(resourcesOf(json, "aws_apigatewayv2_authorizer")[authz.resource.friendlyUniqueId].authorizer_uri).toBe(
        `\${${isInvocation} ? var.fn : format("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", element(split(":", var.fn), 1), element(split(":", var.fn), 3), var.fn)}`,
      );
    });

    test("counts the authorizer and the permission, and leaves $connect open when off", () => {
      const { json, authz, route } = moduleAuthorizer();
      expect(resourcesOf(json, "aws_apigatewayv2_authorizer")[authz.resource.friendlyUniqueId].count).toBe("${var.on ? 1 : 0}");
      expect(resourcesOf(json, "aws_lambda_permission")[authz.permission!.friendlyUniqueId].count).toBe("${var.on ? 1 : 0}");
      expect(resourcesOf(json, "aws_apigatewayv2_route")[route.resource.friendlyUniqueId]).toMatchObject({
        authorization_type: '${var.on ? "CUSTOM" : "NONE"}',
        authorizer_id: `\${one(aws_apigatewayv2_authorizer.${authz.resource.friendlyUniqueId}[*].id)}`,
      });
    });
  });

  test("fails when the function ARN is not a Lambda function", () => {
    for (const bad of [
      "arn:aws:iam::123456789012:role/auth",
      "ws-auth",
      "arn:aws:lambda:eu-west-1:123456789012:layer:auth:1",
      "arn:aws:execute-api:eu-west-1:123456789012:abc123",
    ]) {
      expect(errorOf(() => authorizer({ functionArn: bad }))).toBe(
        `WebSocketLambdaAuthorizer.functionArn must be the ARN of a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]) or its invocation ARN (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations), got ${JSON.stringify(bad)}: give the ARN of the authorizer function (aws_lambda_function.arn or .invoke_arn), not a role, layer or API ARN`,
      );
    }
  });

  test("fails when there is no identity source", () => {
    expect(errorOf(() => authorizer({ identitySources: [] }))).toBe(
      'WebSocketLambdaAuthorizer.identitySources must be a list of at least 1 item(s), got []: name where the credentials are, e.g. ["route.request.querystring.token"]',
    );
  });

  test("fails when an identity source is not a request parameter, stage variable or context variable", () => {
    expect(errorOf(() => authorizer({ identitySources: ["route.request.querystring.token", "method.request.header.Authorization"] }))).toMatch(
      /^WebSocketLambdaAuthorizer\.identitySources\[1\] must be route\.request\.header\.<name>, .*, got "method\.request\.header\.Authorization": use for example "route\.request\.querystring\.token"/,
    );
  });

  test("fails when an identity source is listed twice", () => {
    expect(errorOf(() => authorizer({ identitySources: ["route.request.querystring.token", "route.request.querystring.token"] }))).toContain(
      "WebSocketLambdaAuthorizer.identitySources must be a list without duplicates",
    );
  });

  test("fails when the credentials role is not a role ARN", () => {
    expect(errorOf(() => authorizer({ credentialsRoleArn: FN }))).toContain("WebSocketLambdaAuthorizer.credentialsRoleArn must be an IAM role ARN");
  });

  test("fails when the name is longer than 128 characters", () => {
    expect(errorOf(() => authorizer({ authorizerName: "a".repeat(129) }))).toContain(
      "WebSocketLambdaAuthorizer.authorizerName must be 1 to 128 printable characters",
    );
  });
});

describe("functionArns", () => {
  test("derives each form from the other", () => {
    expect(functionArns(FN)).toEqual({ functionArn: FN, invocationArn: INVOKE });
    expect(functionArns(INVOKE)).toEqual({ functionArn: FN, invocationArn: INVOKE });
    expect(functionArns("arn:aws-cn:lambda:cn-north-1:123456789012:function:a").invocationArn).toBe(
      "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:a/invocations",
    );
  });
});

describe("authorizer context for the backend", () => {
  test("passes the principal id and context values as headers of a proxy integration", () => {
    const headers = authorizerHeaders({ "x-principal-id": "principalId", "x-user-id": "userId" });
    expect(headers).toEqual({
      "integration.request.header.x-principal-id": "context.authorizer.principalId",
      "integration.request.header.x-user-id": "context.authorizer.userId",
    });
    // They merge into an integration's request parameters.
    const config = new WebSocketHttpProxyIntegration({ url: "http://backend.internal/connect", requestParameters: headers }).bind();
    expect(config.requestParameters).toMatchObject(headers);
  });

  test("gives template values, JSON-quoted on request", () => {
    expect(authorizerTemplateValue("principalId")).toBe("$context.authorizer.principalId");
    expect(authorizerTemplateValue("userId")).toBe("$context.authorizer.userId");
    expect(authorizerTemplateJsonString()).toBe(`"$util.escapeJavaScript($context.authorizer.principalId).replaceAll("\\\\'","'")"`);
  });

  test("fails when a header name or context key has characters a mapping cannot carry", () => {
    const badName = errorOf(() => authorizerHeaders({ "x principal": "principalId" }));
    expect(badName).toContain("authorizerHeaders must be a map of HTTP header names");
    expect(badName).toContain('got {"x principal":"principalId"}: rename header "x principal"');
    const badKey = errorOf(() => authorizerHeaders({ "x-user": "user id" }));
    expect(badKey).toContain("whose values are a key of the authorizer's context map");
    expect(badKey).toContain('change the value of header "x-user"');
    expect(errorOf(() => authorizerTemplateValue("a b"))).toContain("authorizer context key must be a key of the authorizer's context map");
  });

  test("fails when a header would replace the connection id or route key the integration sets", () => {
    // WebSocketHttpProxyIntegration spreads requestParameters after its own
    // connectionId header, so this header would silently replace the connection id.
    const error = errorOf(() => authorizerHeaders({ connectionId: "principalId" }));
    expect(error).toContain("authorizerHeaders must be");
    expect(error).toContain("that leaves out connectionId and routeKey");
    expect(error).toContain('rename header "connectionId"');
    expect(errorOf(() => authorizerHeaders({ RouteKey: "userId" }))).toContain('rename header "RouteKey"');
  });
});
