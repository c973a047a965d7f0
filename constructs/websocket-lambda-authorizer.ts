import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { AUTHORIZER_CONTEXT_HEADERS, AUTHORIZER_CONTEXT_KEY, AUTHORIZER_FUNCTION_ARN, AUTHORIZER_NAME, IDENTITY_SOURCE, ROLE_ARN } from "./rules";
import { IWebSocketRouteAuthorizer, WebSocketRouteAuthorizerConfig } from "./websocket-route-authorizer";
import { checkMinItems, invalid, isUnresolved } from "./validation";

/** What an authorizer needs of its API. */
export interface IWebSocketAuthorizerApi {
  /** Id of the `aws_apigatewayv2_api`. */
  readonly apiId: string;
  /** Execution ARN of the API, `arn:aws:execute-api:<region>:<account>:<api-id>`. */
  readonly executionArn: string;
}

/** Properties of {@link WebSocketLambdaAuthorizer}. */
export interface WebSocketLambdaAuthorizerProps {
  /** The API the authorizer belongs to. */
  readonly api: IWebSocketAuthorizerApi;
  /**
   * The authorizer function: its ARN (`aws_lambda_function.arn`, optionally
   * with a version or alias) or its invocation ARN (`invoke_arn`). The
   * function receives the connect request's headers, query string, stage
   * variables and context, and returns `principalId`, a policy that allows
   * `execute-api:Invoke` on the `$connect` method ARN, and optionally a
   * `context` map (see
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
   * May be a Terraform expression (a module variable).
   */
  readonly functionArn: string;
  /**
   * Where the client's credentials are: `route.request.querystring.<name>`,
   * `route.request.header.<name>`, `stageVariables.<name>` or
   * `context.<name>`. API Gateway answers 401 without calling the function
   * when one of them is missing. Browsers cannot set headers when they open
   * a WebSocket: browser clients pass a token in the query string.
   */
  readonly identitySources: string[];
  /**
   * Name of the authorizer, 1 to 128 characters.
   * @default - the construct id
   */
  readonly authorizerName?: string;
  /**
   * An IAM role API Gateway assumes to invoke the function (it must trust
   * `apigateway.amazonaws.com` and allow `lambda:InvokeFunction`). Use it
   * when the function's resource policy cannot be changed, e.g. a function
   * of another account.
   * May be a Terraform expression that is null for "no role": the
   * permission then exists exactly when it is null.
   * @default - a resource-based permission on the function (`aws_lambda_permission`) for this API's authorizers only
   */
  readonly credentialsRoleArn?: string;
  /**
   * Creates the authorizer. May be a Terraform expression (e.g. a module
   * variable): the resources then get `count = enabled ? 1 : 0`, and the
   * route's authorization is `CUSTOM` or `NONE` accordingly.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * A Lambda `REQUEST` authorizer of a WebSocket API
 * (`aws_apigatewayv2_authorizer`, id `Resource`) and the permission that
 * lets API Gateway invoke the function for this API's authorizers only
 * (`aws_lambda_permission`, id `InvokePermission`, source ARN
 * `<execution ARN>/authorizers/<authorizer id>`, as AWS CDK's
 * `WebSocketLambdaAuthorizer` grants it).
 *
 * Give it as `authorizer` of the `$connect` route: WebSocket APIs authorize
 * a client once, when it connects.
 *
 * No result caching: `authorizer_result_ttl_in_seconds` is "supported only
 * for HTTP API Lambda authorizers" (ApiGatewayV2 API reference, Authorizer),
 * and API Gateway rejects it for WebSocket APIs ("AuthorizerResultTtlInSeconds
 * cannot be set for WEBSOCKET protocol Apis", hashicorp/terraform-provider-aws#15232,
 * which is why the provider sends no default for them). The function runs
 * once per connection attempt; keep it fast (it counts against the
 * 29 s connect timeout) and cache keys or JWKS inside the function.
 */
export class WebSocketLambdaAuthorizer extends Construct implements IWebSocketRouteAuthorizer {
  /** The `aws_apigatewayv2_authorizer`. */
  public readonly resource: Apigatewayv2Authorizer;
  /** The invoke permission, unless a credentials role is used. */
  public readonly permission?: LambdaPermission;
  /** Id of the authorizer (null in Terraform when `enabled` evaluates to false). */
  public readonly authorizerId: string;
  /** The invocation ARN API Gateway calls (`authorizer_uri`). */
  public readonly authorizerUri: string;
  /** The function ARN the permission is granted on. */
  public readonly functionArn: string;
  private readonly enabled: boolean | undefined;

  constructor(scope: Construct, id: string, props: WebSocketLambdaAuthorizerProps) {
    super(scope, id);
    validate(props);
    const conditional = isUnresolved(props.enabled);
    this.enabled = props.enabled;
    const count = conditional ? Token.asNumber(Fn.conditional(props.enabled, 1, 0)) : props.enabled === false ? 0 : undefined;
    const { functionArn, invocationArn } = functionArns(props.functionArn);
    this.functionArn = functionArn;
    this.authorizerUri = invocationArn;

    this.resource = new Apigatewayv2Authorizer(this, "Resource", {
      count,
      apiId: props.api.apiId,
      name: props.authorizerName ?? id,
      authorizerType: "REQUEST",
      authorizerUri: invocationArn,
      identitySources: props.identitySources,
      authorizerCredentialsArn: props.credentialsRoleArn,
    });
    const counted = count !== undefined;
    this.authorizerId = counted ? Fn.one(Fn.lookupNested(this.resource.fqn, ["*", "id"])) : this.resource.id;

    // A role given as an expression (a module variable) may be null: the
    // permission then exists exactly when it is.
    const role = props.credentialsRoleArn;
    const roleIsExpression = isUnresolved(role);
    if (role === undefined || roleIsExpression) {
      const { name, qualifier } = splitQualifier(functionArn);
      const permissionCount = roleIsExpression
        ? Token.asNumber(Fn.conditional(conditional ? Op.and(props.enabled, Op.eq(role, Token.nullValue())) : Op.eq(role, Token.nullValue()), 1, 0))
        : count;
      this.permission = new LambdaPermission(this, "InvokePermission", {
        count: props.enabled === false ? 0 : permissionCount,
        action: "lambda:InvokeFunction",
        functionName: name,
        qualifier,
        principal: "apigateway.amazonaws.com",
        // Only this API's authorizers, as AWS CDK's WebSocketLambdaAuthorizer does.
        sourceArn: `${props.api.executionArn}/authorizers/${counted ? this.authorizerId : this.resource.id}`,
      });
    }
  }

  /** `CUSTOM` with this authorizer (`NONE` when `enabled` evaluates to false). */
  public bind(): WebSocketRouteAuthorizerConfig {
    const conditional = isUnresolved(this.enabled);
    if (this.enabled === false) return { authorizationType: "NONE" };
    return {
      authorizationType: conditional ? Fn.conditional(this.enabled, "CUSTOM", "NONE") : "CUSTOM",
      authorizerId: this.authorizerId,
      deploymentTriggers: [this.resource.fqn],
    };
  }
}

function validate(props: WebSocketLambdaAuthorizerProps): void {
  AUTHORIZER_FUNCTION_ARN.check("WebSocketLambdaAuthorizer.functionArn", props.functionArn);
  const sources = props.identitySources;
  if (!isUnresolved(sources)) {
    checkMinItems("WebSocketLambdaAuthorizer.identitySources", sources, 1, 'name where the credentials are, e.g. ["route.request.querystring.token"]');
    sources.forEach((s, i) => IDENTITY_SOURCE.check(`WebSocketLambdaAuthorizer.identitySources[${i}]`, s));
    const seen = new Set<string>();
    for (const s of sources) {
      if (isUnresolved(s)) continue;
      if (seen.has(s))
        throw invalid("WebSocketLambdaAuthorizer.identitySources", "a list without duplicates", sources, `remove the second ${JSON.stringify(s)}`);
      seen.add(s);
    }
  }
  if (props.authorizerName !== undefined) AUTHORIZER_NAME.check("WebSocketLambdaAuthorizer.authorizerName", props.authorizerName);
  if (props.credentialsRoleArn !== undefined) ROLE_ARN.check("WebSocketLambdaAuthorizer.credentialsRoleArn", props.credentialsRoleArn);
}

const INVOCATION = /^arn:([^:]+):apigateway:([^:]+):lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/**
 * The function ARN and the invocation ARN of a function given by either.
 * Literal ARNs are converted at synth; an expression is converted by
 * Terraform (partition and region are the 2nd and 4th fields of a function ARN).
 */
export function functionArns(arn: string): { functionArn: string; invocationArn: string } {
  if (!isUnresolved(arn)) {
    const m = INVOCATION.exec(arn);
    if (m) return { functionArn: m[3], invocationArn: arn };
    const [, partition, , region] = arn.split(":");
    return { functionArn: arn, invocationArn: `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations` };
  }
  const isInvocation = Fn.strcontains(arn, ":apigateway:");
  const built = Fn.format("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", [
    Fn.element(Fn.split(":", arn), 1),
    Fn.element(Fn.split(":", arn), 3),
    arn,
  ]);
  return {
    functionArn: Fn.conditional(isInvocation, Fn.element(Fn.regex("functions/(.+)/invocations$", arn), 0), arn),
    invocationArn: Fn.conditional(isInvocation, arn, built),
  };
}

/**
 * The unqualified function ARN and the version or alias of a function ARN
 * (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`), for
 * `aws_lambda_permission`'s `function_name` and `qualifier`.
 */
function splitQualifier(arn: string): { name: string; qualifier?: string } {
  if (!isUnresolved(arn)) {
    const parts = arn.split(":");
    return parts.length > 7 ? { name: parts.slice(0, 7).join(":"), qualifier: parts.slice(7).join(":") } : { name: arn };
  }
  const parts = Fn.split(":", arn);
  return {
    name: Fn.join(":", Fn.slice(parts, 0, 7)),
    qualifier: Fn.conditional(Op.gt(Fn.lengthOf(parts), 7), Fn.element(parts, 7), Token.nullValue()),
  };
}

/** The principal id a Lambda authorizer returned, for a request template. */
const AUTHORIZER_PRINCIPAL_ID = "$context.authorizer.principalId";

/**
 * A value of the authorizer's result for request templates:
 * `$context.authorizer.principalId` or `$context.authorizer.<context key>`.
 * API Gateway keeps the result of the `$connect` authorizer for the whole
 * connection, so every route's template can read it. Quote it in JSON
 * bodies through {@link authorizerTemplateJsonString}.
 */
export function authorizerTemplateValue(key: string): string {
  if (key === "principalId") return AUTHORIZER_PRINCIPAL_ID;
  AUTHORIZER_CONTEXT_KEY.check("authorizer context key", key);
  return `$context.authorizer.${key}`;
}

/**
 * A JSON string of an authorizer value for a request template, with
 * quotes and backslashes escaped (Velocity's `$util.escapeJavaScript`,
 * without its JSON-invalid `\'`), e.g.
 * `{"connectionId":"$context.connectionId","principalId":<this>}`.
 */
export function authorizerTemplateJsonString(key = "principalId"): string {
  return `"$util.escapeJavaScript(${authorizerTemplateValue(key)}).replaceAll("\\\\'","'")"`;
}

/**
 * Request parameters that pass the authorizer's result to an `HTTP_PROXY`
 * integration as headers, keyed by header name, e.g.
 * `authorizerHeaders({ "x-principal-id": "principalId", "x-user-id": "userId" })`
 * gives `{"integration.request.header.x-principal-id": "context.authorizer.principalId", ...}`
 * (WebSocket data mapping accepts `context.<variable>` sources,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-mapping.html).
 * Merge them into the integration's `requestParameters`. The backend must
 * trust these headers only because it is reachable through the VPC link alone.
 */
export function authorizerHeaders(headers: Record<string, string>): Record<string, string> {
  // The modules' rule: besides the characters, it keeps out the headers the
  // integration sets itself (connectionId, routeKey), which the spread of
  // requestParameters would otherwise silently replace. Entries Terraform
  // resolves later cannot be checked.
  const known = Object.entries(headers).filter(([header, key]) => !isUnresolved(header) && !isUnresolved(key));
  AUTHORIZER_CONTEXT_HEADERS.check("authorizerHeaders", Object.fromEntries(known));
  const out: Record<string, string> = {};
  for (const [header, key] of Object.entries(headers)) out[`integration.request.header.${header}`] = `context.authorizer.${key}`;
  return out;
}
