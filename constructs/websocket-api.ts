import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Construct } from "constructs";
import { WebSocketDeployment } from "./websocket-deployment";
import { WebSocketRoute, WebSocketRouteOptions, WebSocketRouteProps } from "./websocket-route";
import { IWebSocketStageApi } from "./websocket-stage";
import { API_DESCRIPTION, API_NAME, ROUTE_SELECTION_EXPRESSION } from "./rules";
import { invalid, isUnresolved } from "./validation";

/** Properties of {@link WebSocketApi}. */
export interface WebSocketApiProps {
  /** Name of the API, 1 to 128 characters. */
  readonly apiName: string;
  /**
   * Description of the API, at most 1024 characters.
   * @default - none
   */
  readonly description?: string;
  /**
   * Where API Gateway finds the route key in a frame. WebSocket APIs support
   * only `$request.body.<path>` (or `${request.body.<path>}` forms).
   * @default "$request.body.action"
   */
  readonly routeSelectionExpression?: string;
  /**
   * The `$connect` route, called when a client opens a connection.
   * @default - no `$connect` route
   */
  readonly connectRoute?: WebSocketRouteOptions;
  /**
   * The `$disconnect` route, called (best effort) after a connection closed.
   * @default - no `$disconnect` route
   */
  readonly disconnectRoute?: WebSocketRouteOptions;
  /**
   * The `$default` route, for frames whose route key matches no route.
   * Without it such frames fail.
   * @default - no `$default` route
   */
  readonly defaultRoute?: WebSocketRouteOptions;
  /**
   * Tags of the API.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * An API Gateway v2 WebSocket API (`aws_apigatewayv2_api`, id `Resource`)
 * and its routes.
 */
export class WebSocketApi extends Construct implements IWebSocketStageApi {
  /** The `aws_apigatewayv2_api`. */
  public readonly resource: Apigatewayv2Api;
  /** Id of the API. */
  public readonly apiId: string;
  /** `wss://` endpoint of the API, without a stage. */
  public readonly apiEndpoint: string;
  /** Execution ARN, `arn:aws:execute-api:<region>:<account>:<api-id>`. */
  public readonly executionArn: string;
  /** Name of the API as given. */
  public readonly apiName: string;
  private readonly routeList: WebSocketRoute[] = [];
  private readonly deployments: WebSocketDeployment[] = [];

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    validateApiProps(props);
    this.apiName = props.apiName;
    this.resource = new Apigatewayv2Api(this, "Resource", {
      name: props.apiName,
      description: props.description || undefined,
      protocolType: "WEBSOCKET",
      routeSelectionExpression: props.routeSelectionExpression ?? "$request.body.action",
      tags: props.tags,
    });
    this.apiId = this.resource.id;
    this.apiEndpoint = this.resource.apiEndpoint;
    this.executionArn = this.resource.executionArn;

    if (props.connectRoute) this.addRoute("$connect", props.connectRoute);
    if (props.disconnectRoute) this.addRoute("$disconnect", props.disconnectRoute);
    if (props.defaultRoute) this.addRoute("$default", props.defaultRoute);
  }

  /** The routes added so far. */
  public get routes(): readonly WebSocketRoute[] {
    return this.routeList;
  }

  /**
   * Adds a route. Its construct id is derived from the route key, so keep
   * keys stable: renaming one replaces the route.
   */
  public addRoute(routeKey: string, options: WebSocketRouteOptions): WebSocketRoute {
    if (!isUnresolved(routeKey) && this.routeList.some((r) => r.routeKey === routeKey)) {
      throw invalid(`route key of ${this.node.path}`, "unique within the API", routeKey, "each route key can be added once");
    }
    return this.addRouteWithId(`route-${routeKey}`, { ...options, routeKey });
  }

  /**
   * Adds routes from a map known at plan time (`for_each`); use it for routes
   * that come from Terraform variables.
   */
  public addIteratedRoutes(id: string, options: Omit<WebSocketRouteProps, "api">): WebSocketRoute {
    return this.addRouteWithId(id, options);
  }

  /**
   * Feeds an explicit deployment with the API's routes: every route added so
   * far and every route added later, so the deployment is replaced when any
   * route, integration or response changes.
   */
  public addDeployment(deployment: WebSocketDeployment): void {
    this.deployments.push(deployment);
    for (const route of this.routeList) deployment.addRoute(route);
  }

  private addRouteWithId(id: string, options: Omit<WebSocketRouteProps, "api">): WebSocketRoute {
    const route = new WebSocketRoute(this, id, { ...options, api: this });
    this.routeList.push(route);
    for (const deployment of this.deployments) deployment.addRoute(route);
    return route;
  }
}

function validateApiProps(props: WebSocketApiProps): void {
  API_NAME.check("WebSocketApi.apiName", props.apiName);
  API_DESCRIPTION.check("WebSocketApi.description", props.description);
  ROUTE_SELECTION_EXPRESSION.check("WebSocketApi.routeSelectionExpression", props.routeSelectionExpression);
}
