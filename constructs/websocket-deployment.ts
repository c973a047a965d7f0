import { Apigatewayv2Deployment } from "@cdktf/provider-aws/lib/apigatewayv2-deployment";
import { Fn, Lazy } from "cdktf";
import { Construct } from "constructs";
import { IWebSocketApi } from "./websocket-route";

/** What a deployment needs of a route. */
export interface IWebSocketDeployedRoute {
  /**
   * References (`<type>.<name>`) to every resource of the route whose change
   * must make a new deployment: route, integration and responses.
   */
  readonly deploymentTriggers: string[];
}

/** Properties of {@link WebSocketDeployment}. */
export interface WebSocketDeploymentProps {
  /** The API to deploy. */
  readonly api: IWebSocketApi;
  /**
   * Description of the deployment.
   * @default - none
   */
  readonly description?: string;
  /**
   * Number of deployments (0 or 1), for a deployment that exists only when a
   * Terraform expression says so, e.g. `var.auto_deploy ? 0 : 1`.
   * {@link WebSocketDeployment.deploymentId} then reads the one instance, or
   * null when there is none.
   * @default - exactly one deployment, no `count`
   */
  readonly count?: number;
}

/**
 * An explicit deployment of a WebSocket API (`aws_apigatewayv2_deployment`)
 * that is replaced whenever one of its routes changes: its `triggers` hash a
 * reference to every resource of every route given to {@link addRoute}.
 * `WebSocketApi.addDeployment` feeds it the API's routes, those added so far
 * and every later one, so no route can be forgotten. The new deployment is
 * created before the old one is destroyed, so a stage always has one.
 *
 * The resource has the id `Default`, which cdktf leaves out of logical ids:
 * the resource keeps the address it had when stages created it directly
 * (`<stage>/Deployment`).
 */
export class WebSocketDeployment extends Construct {
  /** The `aws_apigatewayv2_deployment`. */
  public readonly resource: Apigatewayv2Deployment;
  /** Id of the deployment, for a stage's `deployment_id` (null when `count` is 0). */
  public readonly deploymentId: string;
  private readonly triggers: string[] = [];

  constructor(scope: Construct, id: string, props: WebSocketDeploymentProps) {
    super(scope, id);
    this.resource = new Apigatewayv2Deployment(this, "Default", {
      count: props.count,
      apiId: props.api.apiId,
      description: props.description,
      triggers: {
        // Resolved at synth, so routes added after the deployment count.
        redeployment: Lazy.stringValue({ produce: () => Fn.sha1(Fn.jsonencode(this.triggers)) }),
      },
      lifecycle: { createBeforeDestroy: true },
    });
    this.deploymentId = props.count === undefined ? this.resource.id : Fn.one(Fn.lookupNested(this.resource.fqn, ["*", "id"]));
  }

  /** Adds a route's resources to the triggers: a change to any of them makes a new deployment. */
  public addRoute(route: IWebSocketDeployedRoute): void {
    this.triggers.push(...route.deploymentTriggers);
  }
}
