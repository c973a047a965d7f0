import { AUTHORIZATION_TYPE, AuthorizationType } from "./rules";
import { invalid, isUnresolved } from "./validation";

/**
 * What a route's authorization becomes in Terraform: the route's
 * `authorization_type` and, for `CUSTOM`, its `authorizer_id`.
 *
 * WebSocket APIs authorize a client once, when it connects: only the
 * `$connect` route may have an authorization other than `NONE`
 * ("You can only use a Lambda authorizer function for the $connect route",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html;
 * IAM authorization likewise applies to `$connect`,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html).
 */
export interface WebSocketRouteAuthorizerConfig {
  /**
   * `NONE`, `AWS_IAM` (clients sign the connect request with SigV4 and need
   * `execute-api:Invoke` on the `$connect` route) or `CUSTOM` (a Lambda
   * REQUEST authorizer). May be a Terraform expression (a module variable).
   */
  readonly authorizationType: string;
  /**
   * Id of the `aws_apigatewayv2_authorizer`, with `CUSTOM` only. May be an
   * expression that is null when the type is not `CUSTOM`.
   * @default - none
   */
  readonly authorizerId?: string;
  /**
   * References to the resources behind the authorization (the authorizer),
   * for the explicit deployment's triggers: API Gateway serves an authorizer
   * change only after a new deployment.
   * @default - none
   */
  readonly deploymentTriggers?: string[];
}

/** Authorizes the clients of a route: give it as `authorizer` of the `$connect` route. */
export interface IWebSocketRouteAuthorizer {
  /** The route's authorization settings. */
  bind(): WebSocketRouteAuthorizerConfig;
}

/**
 * IAM authorization (`AWS_IAM`) of the `$connect` route: the client signs
 * the WebSocket handshake with SigV4, and API Gateway admits it when its
 * identity may call `execute-api:Invoke` on
 * `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/$connect`.
 */
export class WebSocketIamAuthorizer implements IWebSocketRouteAuthorizer {
  public bind(): WebSocketRouteAuthorizerConfig {
    return { authorizationType: "AWS_IAM" };
  }
}

/** An authorization given as its Terraform values, e.g. expressions of module variables. */
export class WebSocketRouteAuthorization implements IWebSocketRouteAuthorizer {
  /**
   * @param authorizationType `NONE`, `AWS_IAM`, `CUSTOM`, or an expression
   *   that evaluates to one of them
   * @param authorizerId the authorizer's id when the type is `CUSTOM` (an
   *   expression that is null otherwise, for a type decided at plan time)
   */
  constructor(
    private readonly authorizationType: string,
    private readonly authorizerId?: string,
  ) {}

  public bind(): WebSocketRouteAuthorizerConfig {
    return { authorizationType: this.authorizationType, authorizerId: this.authorizerId };
  }
}

/**
 * Checks a route's authorization: a known type, an authorizer id exactly
 * for `CUSTOM`, and nothing but `NONE` on a route other than `$connect`.
 * Values Terraform resolves later are skipped; a route key known only at
 * plan time (iterated routes) is never `$connect`.
 */
export function validateRouteAuthorization(routeKey: string, config: WebSocketRouteAuthorizerConfig): void {
  const type = config.authorizationType;
  const where = `route ${isUnresolved(routeKey) ? "(iterated)" : routeKey}: authorizer`;
  AUTHORIZATION_TYPE.check(`${where} authorizationType`, type as AuthorizationType);
  const isConnect = !isUnresolved(routeKey) && routeKey === "$connect";
  if (!isConnect && (isUnresolved(type) || type !== "NONE")) {
    throw invalid(
      `${where} authorizationType`,
      '"NONE" on any route but $connect (WebSocket APIs authorize a client once, when it connects)',
      isUnresolved(type) ? "an expression" : type,
      "put the authorizer on the $connect route only",
    );
  }
  if (isUnresolved(type)) return;
  if (type === "CUSTOM" && (config.authorizerId === undefined || config.authorizerId === "")) {
    throw invalid(
      `${where} authorizerId`,
      'set when authorizationType is "CUSTOM"',
      config.authorizerId,
      "use a WebSocketLambdaAuthorizer as the route's authorizer",
    );
  }
  if (type !== "CUSTOM" && config.authorizerId !== undefined && !isUnresolved(config.authorizerId)) {
    throw invalid(`${where} authorizerId`, 'unset unless authorizationType is "CUSTOM"', config.authorizerId, "drop the authorizer id, or use CUSTOM");
  }
}
