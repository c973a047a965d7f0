/**
 * What the local gateway serves: one stage of one WebSocket API, as Terraform
 * applied it (see terraform-state.ts) or as a stack synthesized it where no
 * expression needs evaluating (see synthesized-stack.ts). Both loaders build
 * this model from the same resource attributes, so nothing here is a second
 * copy of a stack's API.
 */

/** Integration types of `aws_apigatewayv2_integration` a WebSocket API accepts. */
export type IntegrationType = "HTTP" | "HTTP_PROXY" | "MOCK" | "AWS" | "AWS_PROXY";

/** Pass-through behaviour of a non-proxy integration whose templates match nothing. */
export type PassthroughBehavior = "WHEN_NO_MATCH" | "WHEN_NO_TEMPLATES" | "NEVER";

/** An `aws_apigatewayv2_integration_response`. */
export interface IntegrationResponseModel {
  /** `$default`, or a pattern such as `/4\d\d/` matched against the status code. */
  readonly key: string;
  /** Velocity templates keyed by the value of {@link templateSelectionExpression}. */
  readonly templates: Readonly<Record<string, string>>;
  /** Selects one of {@link templates}; empty means `$default`. */
  readonly templateSelectionExpression: string;
}

/** An `aws_apigatewayv2_integration` with its integration responses. */
export interface IntegrationModel {
  readonly id: string;
  readonly type: IntegrationType;
  /** URI as stored, stage variables (`${stageVariables.x}`) not yet substituted. */
  readonly uri: string;
  readonly method: string;
  readonly connectionType: "INTERNET" | "VPC_LINK";
  /** VPC link id when {@link connectionType} is `VPC_LINK`. */
  readonly vpcLinkId: string;
  /** `integration.request.header.x` -> `context.connectionId` and the like. */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly templateSelectionExpression: string;
  readonly passthroughBehavior: PassthroughBehavior;
  readonly timeoutMilliseconds: number;
  readonly responses: readonly IntegrationResponseModel[];
}

/** Authorization types of a route (only `$connect` may have one other than `NONE`). */
export type AuthorizationType = "NONE" | "AWS_IAM" | "CUSTOM";

/** An `aws_apigatewayv2_authorizer` of type REQUEST (the only type WebSocket APIs have). */
export interface AuthorizerModel {
  readonly id: string;
  readonly name: string;
  /** `authorizer_uri`: the Lambda function's invocation ARN. */
  readonly uri: string;
  /**
   * `identity_sources`: `route.request.header.<name>`,
   * `route.request.querystring.<name>`, `stageVariables.<name>`,
   * `context.<name>`. A missing one refuses the handshake with 401 without
   * calling the function.
   */
  readonly identitySources: readonly string[];
  /**
   * `authorizer_result_ttl_in_seconds`; 0 (no caching) for every WebSocket
   * API, since API Gateway refuses a TTL for them.
   */
  readonly resultTtlSeconds: number;
}

/** An `aws_apigatewayv2_route` with its integration. */
export interface RouteModel {
  readonly id: string;
  readonly key: string;
  /** Undefined when the route has no `integrations/<id>` target. */
  readonly integration?: IntegrationModel;
  /** `authorization_type` (`NONE` when unset). */
  readonly authorizationType: AuthorizationType;
  /** The Lambda authorizer, with `CUSTOM`. */
  readonly authorizer?: AuthorizerModel;
  /**
   * Two-way: the route sets `route_response_selection_expression` and has its
   * `$default` route response, so the integration's answer goes back to the
   * client. One-way routes answer only with error frames.
   */
  readonly twoWay: boolean;
}

/** Throttling limits of a stage or a route. */
export interface ThrottleModel {
  readonly burstLimit: number;
  /** Requests per second. */
  readonly rateLimit: number;
}

/** An `aws_apigatewayv2_stage`. */
export interface StageModel {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  /** `default_route_settings` throttling; undefined where the stage sets none (account limits apply). */
  readonly defaultThrottle?: ThrottleModel;
  /** `route_settings` throttling by route key. */
  readonly routeThrottles: Readonly<Record<string, ThrottleModel>>;
  /** `access_log_settings.format`, undefined without access logging. */
  readonly accessLogFormat?: string;
}

/**
 * The private path: a v1 VPC link and the host:port pairs of the NLB
 * listeners it reaches. A request through the link to one of these ports
 * goes to the local backend (`--backend`).
 */
export interface PrivateTargetModel {
  readonly vpcLinkId: string;
  /** DNS name of the NLB the link targets. */
  readonly host: string;
  readonly port: number;
}

/** An `aws_apigatewayv2_api_mapping` of the stage: the stage served under a custom domain name. */
export interface ApiMappingModel {
  /** The custom domain name, e.g. `chat.example.com`. */
  readonly domainName: string;
  /** The mapping key (one path segment), or "" for the domain's root. */
  readonly key: string;
}

/** One stage of one WebSocket API. */
export interface ApiModel {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  /**
   * The API's execution ARN, `arn:aws:execute-api:<region>:<account>:<api-id>`:
   * the prefix of the `$connect` method ARN an authorizer's policy and an IAM
   * policy name.
   */
  readonly executionArn: string;
  /** The API's own host, `<api-id>.execute-api.<region>.amazonaws.com` (from `api_endpoint`). */
  readonly endpointHost: string;
  readonly routeSelectionExpression: string;
  readonly routes: readonly RouteModel[];
  readonly stage: StageModel;
  readonly privateTargets: readonly PrivateTargetModel[];
  /** The stage's API mappings under custom domain names. */
  readonly mappings: readonly ApiMappingModel[];
  /**
   * What the deployed API has that the gateway does not emulate, one line
   * each (`npm run local` prints them), e.g. mutual TLS of a custom domain.
   */
  readonly notEmulated: readonly string[];
  /** Where the model was read from, for messages. */
  readonly source: string;
}

/** The `$connect` method ARN, `<execution ARN>/<stage>/$connect`: what authorizer and IAM policies allow. */
export function connectMethodArn(api: ApiModel): string {
  return `${api.executionArn}/${api.stage.name}/$connect`;
}

/** The route with a key, if any. */
export function routeOf(api: ApiModel, key: string): RouteModel | undefined {
  return api.routes.find((r) => r.key === key);
}
