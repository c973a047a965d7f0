import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2IntegrationResponse } from "@cdktf/provider-aws/lib/apigatewayv2-integration-response";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2RouteResponse } from "@cdktf/provider-aws/lib/apigatewayv2-route-response";
import { Fn, MapTerraformIterator } from "cdktf";
import { Construct } from "constructs";
import { WebSocketIntegration } from "./websocket-integration";
import { CUSTOM_ROUTE_KEY, PREDEFINED_ROUTE_KEYS } from "./rules";
import { IWebSocketRouteAuthorizer, validateRouteAuthorization } from "./websocket-route-authorizer";
import { invalid, isUnresolved } from "./validation";

/** What a route needs of its API. */
export interface IWebSocketApi {
  /** Id of the `aws_apigatewayv2_api`. */
  readonly apiId: string;
}

/** Options for a route, as given to `WebSocketApi.addRoute`. */
export interface WebSocketRouteOptions {
  /** The backend this route calls. */
  readonly integration: WebSocketIntegration;
  /**
   * Makes the route two-way: a `$default` route response sends the backend's
   * reply to the client. Without it the reply is dropped.
   * @default false
   */
  readonly returnResponse?: boolean;
  /**
   * Operation name, shown in logs and metrics.
   * @default - none
   */
  readonly operationName?: string;
  /**
   * Who may connect: `WebSocketIamAuthorizer` (`AWS_IAM`), a
   * `WebSocketLambdaAuthorizer` (`CUSTOM`), or a `WebSocketRouteAuthorization`
   * of expressions. Only the `$connect` route may have one: WebSocket APIs
   * authorize a client once, when it connects.
   * @default - no authorization (`NONE`): anyone may connect
   */
  readonly authorizer?: IWebSocketRouteAuthorizer;
}

/** Properties of {@link WebSocketRoute}. */
export interface WebSocketRouteProps extends WebSocketRouteOptions {
  /** The API the route belongs to. */
  readonly api: IWebSocketApi;
  /**
   * Route key: `$connect`, `$disconnect`, `$default`, or a custom key matched
   * against the API's route selection expression. With `forEach`, pass
   * `iterator.key`.
   */
  readonly routeKey: string;
  /**
   * Creates one route (with its integration and responses) per entry of a
   * map known at plan time, e.g. a Terraform variable.
   * @default - a single route
   */
  readonly forEach?: MapTerraformIterator;
  /**
   * With `forEach`: the entries (a subset of `forEach`'s keys) that get a
   * `$default` route response. Their routes should set
   * `routeResponseSelectionExpression`.
   * @default - every entry when `returnResponse` is true, none otherwise
   */
  readonly returnResponseForEach?: MapTerraformIterator;
  /**
   * Route response selection expression, for iterated routes whose
   * two-way-ness comes from data. Only `$default` is supported by API Gateway.
   * @default - "$default" when `returnResponse` is true, none otherwise
   */
  readonly routeResponseSelectionExpression?: string;
}

/**
 * A WebSocket route with its integration, the `$default` integration
 * response non-proxy integrations need, and an optional `$default` route
 * response. The route itself has the id `Resource`.
 */
export class WebSocketRoute extends Construct {
  /** The `aws_apigatewayv2_route`. */
  public readonly resource: Apigatewayv2Route;
  /** The `aws_apigatewayv2_integration`. */
  public readonly integration: Apigatewayv2Integration;
  /** The `$default` integration response (non-proxy integrations only). */
  public readonly integrationResponse?: Apigatewayv2IntegrationResponse;
  /** The `$default` route response (two-way routes only). */
  public readonly routeResponse?: Apigatewayv2RouteResponse;
  /** The route key as given. */
  public readonly routeKey: string;
  private readonly authorizationTriggers: string[];

  constructor(scope: Construct, id: string, props: WebSocketRouteProps) {
    super(scope, id);
    validateRouteKey(props.routeKey);
    if (
      props.routeResponseSelectionExpression !== undefined &&
      !isUnresolved(props.routeResponseSelectionExpression) &&
      props.routeResponseSelectionExpression !== "$default"
    ) {
      throw invalid(
        `route ${props.routeKey}: routeResponseSelectionExpression`,
        '"$default" (the only route response selection expression API Gateway supports for WebSocket APIs)',
        props.routeResponseSelectionExpression,
        'use "$default" or leave it unset for a one-way route',
      );
    }
    this.routeKey = props.routeKey;
    const authorization = props.authorizer?.bind();
    if (authorization) validateRouteAuthorization(props.routeKey, authorization);
    this.authorizationTriggers = authorization?.deploymentTriggers ?? [];
    const config = props.integration.bind();
    const iterated = props.forEach !== undefined;
    const byKey = (resource: { fqn: string }, key: string): string => Fn.lookupNested(resource.fqn, [key, "id"]);

    this.integration = new Apigatewayv2Integration(this, "Integration", {
      forEach: props.forEach,
      apiId: props.api.apiId,
      integrationType: config.integrationType,
      integrationUri: config.integrationUri,
      integrationMethod: config.integrationMethod,
      connectionType: config.connectionType,
      connectionId: config.connectionId,
      requestParameters: config.requestParameters,
      requestTemplates: config.requestTemplates,
      templateSelectionExpression: config.templateSelectionExpression,
      passthroughBehavior: config.passthroughBehavior,
      timeoutMilliseconds: config.timeoutMilliseconds,
      description: config.description,
    });
    const integrationId = iterated ? byKey(this.integration, props.forEach!.key) : this.integration.id;

    if (!config.proxy) {
      this.integrationResponse = new Apigatewayv2IntegrationResponse(this, "IntegrationResponse", {
        forEach: props.forEach,
        apiId: props.api.apiId,
        integrationId: iterated ? byKey(this.integration, props.forEach!.key) : this.integration.id,
        integrationResponseKey: "$default",
        responseTemplates: config.responseTemplates,
        templateSelectionExpression: config.responseTemplates ? "\\$default" : undefined,
      });
    }

    const twoWay = props.returnResponse ?? false;
    this.resource = new Apigatewayv2Route(this, "Resource", {
      forEach: props.forEach,
      apiId: props.api.apiId,
      routeKey: props.routeKey,
      target: `integrations/${integrationId}`,
      operationName: props.operationName,
      authorizationType: authorization?.authorizationType,
      authorizerId: authorization?.authorizerId,
      routeResponseSelectionExpression: props.routeResponseSelectionExpression ?? (twoWay ? "$default" : undefined),
    });

    const responseForEach = props.returnResponseForEach ?? (twoWay ? props.forEach : undefined);
    if (twoWay || props.returnResponseForEach) {
      this.routeResponse = new Apigatewayv2RouteResponse(this, "RouteResponse", {
        forEach: responseForEach,
        apiId: props.api.apiId,
        routeId: responseForEach ? byKey(this.resource, responseForEach.key) : this.resource.id,
        routeResponseKey: "$default",
      });
    }
  }

  /**
   * References to every resource of the route, for deployment triggers: a
   * change to any of them must produce a new deployment.
   */
  public get deploymentTriggers(): string[] {
    return [this.integration, this.integrationResponse, this.resource, this.routeResponse]
      .filter((r): r is NonNullable<typeof r> => r !== undefined)
      .map((r) => r.fqn)
      .concat(this.authorizationTriggers);
  }

  /** Every Terraform resource of the route, for `depends_on`. */
  public get resources(): Array<Apigatewayv2Integration | Apigatewayv2IntegrationResponse | Apigatewayv2Route | Apigatewayv2RouteResponse> {
    return [this.integration, this.integrationResponse, this.resource, this.routeResponse].filter((r): r is NonNullable<typeof r> => r !== undefined);
  }
}

/**
 * Checks a route key API Gateway would accept: one of the predefined keys, or
 * a custom key of 1 to 128 printable characters that does not start with `$`
 * (reserved for the predefined routes) and has no surrounding white space.
 */
export function validateRouteKey(routeKey: string, setting = "route key"): void {
  if ((PREDEFINED_ROUTE_KEYS as readonly string[]).includes(routeKey)) return;
  CUSTOM_ROUTE_KEY.check(setting, routeKey);
}
