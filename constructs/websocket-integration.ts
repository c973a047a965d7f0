import { Fn } from "cdktf";
import { escapeTerraformTemplate } from "./escape";
import { INTEGRATION_TIMEOUT } from "./rules";
import { checkOneOf, invalid, isUnresolved } from "./validation";

/**
 * A private connection API Gateway can use for a WebSocket integration.
 *
 * WebSocket APIs accept only the REST-style (v1) VPC link,
 * `aws_api_gateway_vpc_link`, which targets Network Load Balancers. The
 * `vpcLinkKind` brand keeps an HTTP-API (v2) link from being passed by mistake.
 */
export interface IWebSocketVpcLink {
  /** Id of the `aws_api_gateway_vpc_link`. */
  readonly vpcLinkId: string;
  /** Always `"api-gateway-v1"`: the only kind of VPC link a WebSocket API accepts. */
  readonly vpcLinkKind: "api-gateway-v1";
}

/** What an integration becomes in Terraform; produced by {@link WebSocketIntegration.bind}. */
export interface WebSocketIntegrationConfig {
  readonly integrationType: "HTTP" | "HTTP_PROXY" | "MOCK";
  readonly integrationUri?: string;
  readonly integrationMethod?: string;
  readonly connectionType: "INTERNET" | "VPC_LINK";
  readonly connectionId?: string;
  readonly requestParameters?: Record<string, string>;
  readonly requestTemplates?: Record<string, string>;
  readonly templateSelectionExpression?: string;
  readonly passthroughBehavior?: "WHEN_NO_MATCH" | "NEVER" | "WHEN_NO_TEMPLATES";
  readonly timeoutMilliseconds?: number;
  readonly description?: string;
  /** Templates of the `$default` integration response (non-proxy only). */
  readonly responseTemplates?: Record<string, string>;
  /**
   * True for proxy integrations. Non-proxy (`HTTP`) integrations need a
   * `$default` integration response, or the backend's reply never reaches the
   * route response and the client gets nothing.
   */
  readonly proxy: boolean;
}

/** Properties of {@link WebSocketMockIntegration}. */
export interface WebSocketMockIntegrationProps {
  /**
   * Text sent back to the client (the route must return a response).
   * @default - an empty reply
   */
  readonly responseTemplate?: string;
  /**
   * Description of the integration.
   * @default - none
   */
  readonly description?: string;
}

/** Properties shared by the HTTP integrations. */
export interface WebSocketHttpIntegrationBaseProps {
  /**
   * URL API Gateway calls: `http://` or `https://`. It may hold stage
   * variables written as `${stageVariables.name}` (see {@link stageVariable}),
   * so one API can serve several stages.
   */
  readonly url: string;
  /**
   * HTTP method of the backend call.
   * @default "POST"
   */
  readonly method?: string;
  /**
   * Private path to the backend. Without it API Gateway calls the URL over
   * the internet.
   * @default - no VPC link: the URL must be reachable from the internet
   */
  readonly vpcLink?: IWebSocketVpcLink;
  /**
   * Integration timeout in milliseconds, 50 to 29000.
   * @default 29000
   */
  readonly timeoutMilliseconds?: number;
  /**
   * Request parameters, e.g. `{"integration.request.header.x-route": "context.routeKey"}`.
   * May be a map known only at plan time (a Terraform expression such as
   * `merge(...)` of module variables).
   * @default - none (the proxy integration adds the connection id header)
   */
  readonly requestParameters?: Record<string, string>;
  /**
   * Description of the integration.
   * @default - none
   */
  readonly description?: string;
}

/** Properties of {@link WebSocketHttpProxyIntegration}. */
export interface WebSocketHttpProxyIntegrationProps extends WebSocketHttpIntegrationBaseProps {
  /**
   * Sends the connection id to the backend in the `connectionId` request
   * header (`integration.request.header.connectionId = context.connectionId`).
   * Without it the backend cannot answer through the @connections API.
   * @default true
   */
  readonly forwardConnectionId?: boolean;
}

/** Properties of {@link WebSocketHttpIntegration}. */
export interface WebSocketHttpIntegrationProps extends WebSocketHttpIntegrationBaseProps {
  /**
   * Velocity request templates keyed by the value of the template selection
   * expression. A single template is usually keyed `$default`.
   */
  readonly requestTemplates: Record<string, string>;
  /**
   * Template selection expression.
   * @default "\\$default" (always the `$default` template)
   */
  readonly templateSelectionExpression?: string;
  /**
   * What API Gateway does with a frame no template matches.
   * @default "NEVER" (reject it instead of passing raw frames through)
   */
  readonly passthroughBehavior?: "WHEN_NO_MATCH" | "NEVER" | "WHEN_NO_TEMPLATES";
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/**
 * Writes a reference to a stage variable for use in an integration URL, e.g.
 * `http://${stageVariable("backendHost")}/connect`. API Gateway substitutes it
 * per stage; the integration escapes it so Terraform leaves it alone.
 */
export function stageVariable(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw invalid("stage variable name", "letters, digits or underscores", name, "rename the stage variable");
  }
  return "${stageVariables." + name + "}";
}

function escapeTemplates(templates: Record<string, string>): Record<string, string> {
  if (isUnresolved(templates)) return templates;
  return Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, escapeTerraformTemplate(v)]));
}

/** An integration between a WebSocket route and a backend. */
export abstract class WebSocketIntegration {
  /** Renders the integration; called once per route that uses it. */
  public abstract bind(): WebSocketIntegrationConfig;
}

abstract class HttpIntegrationBase extends WebSocketIntegration {
  protected readonly base: Omit<WebSocketIntegrationConfig, "integrationType" | "proxy">;

  protected constructor(kind: string, props: WebSocketHttpIntegrationBaseProps) {
    super();
    const given = props.method ?? "POST";
    const method = isUnresolved(given) ? given : given.toUpperCase();
    checkOneOf(`${kind}.method`, method, METHODS);
    INTEGRATION_TIMEOUT.check(`${kind}.timeoutMilliseconds`, props.timeoutMilliseconds);
    if (!isUnresolved(props.url)) {
      const withoutVars = props.url.replace(STAGE_VARIABLE, "x");
      if (!/^https?:\/\/[^\s/]+/.test(withoutVars)) {
        throw invalid(`${kind}.url`, "an http:// or https:// URL", props.url, "give the full URL of the backend endpoint");
      }
    }
    this.base = {
      integrationUri: escapeTerraformTemplate(props.url),
      integrationMethod: method,
      connectionType: props.vpcLink ? "VPC_LINK" : "INTERNET",
      connectionId: props.vpcLink?.vpcLinkId,
      requestParameters: props.requestParameters,
      timeoutMilliseconds: props.timeoutMilliseconds ?? 29000,
      description: props.description,
    };
  }
}

/**
 * `HTTP_PROXY` integration: API Gateway forwards each frame's body to the
 * backend as is, with the connection id in a header, and relays the backend's
 * response body when the route returns a response.
 */
export class WebSocketHttpProxyIntegration extends HttpIntegrationBase {
  private readonly config: WebSocketIntegrationConfig;

  constructor(props: WebSocketHttpProxyIntegrationProps) {
    super("WebSocketHttpProxyIntegration", props);
    const forward = props.forwardConnectionId ?? true;
    const connectionIdHeader: Record<string, string> = forward ? { "integration.request.header.connectionId": "context.connectionId" } : {};
    let requestParameters: Record<string, string> | undefined;
    if (isUnresolved(props.requestParameters)) {
      // A map known only at plan time (e.g. built from a module variable):
      // spreading its token would write garbage, so Terraform merges it.
      requestParameters = forward ? (Fn.merge([connectionIdHeader, props.requestParameters]) as unknown as Record<string, string>) : props.requestParameters;
    } else {
      const merged = { ...connectionIdHeader, ...(props.requestParameters ?? {}) };
      requestParameters = Object.keys(merged).length ? merged : undefined;
    }
    this.config = {
      ...this.base,
      integrationType: "HTTP_PROXY",
      proxy: true,
      requestParameters,
    };
  }

  public bind(): WebSocketIntegrationConfig {
    return this.config;
  }
}

/**
 * Non-proxy `HTTP` integration: a Velocity request template builds the body
 * the backend expects from `$context` and the frame (`$input.json(...)`).
 * Routes using it get a `$default` integration response.
 */
export class WebSocketHttpIntegration extends HttpIntegrationBase {
  private readonly config: WebSocketIntegrationConfig;

  constructor(props: WebSocketHttpIntegrationProps) {
    super("WebSocketHttpIntegration", props);
    const templates = props.requestTemplates;
    if (!isUnresolved(templates) && Object.keys(templates ?? {}).length === 0) {
      throw invalid(
        "WebSocketHttpIntegration.requestTemplates",
        "at least one template",
        templates,
        'a non-proxy integration needs a template, e.g. {"$default": "{\\"connectionId\\":\\"$context.connectionId\\"}"}',
      );
    }
    checkOneOf("WebSocketHttpIntegration.passthroughBehavior", props.passthroughBehavior, ["WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"]);
    this.config = {
      ...this.base,
      integrationType: "HTTP",
      proxy: false,
      requestTemplates: escapeTemplates(templates),
      templateSelectionExpression: props.templateSelectionExpression ?? "\\$default",
      passthroughBehavior: props.passthroughBehavior ?? "NEVER",
    };
  }

  public bind(): WebSocketIntegrationConfig {
    return this.config;
  }
}

/**
 * `MOCK` integration: API Gateway answers by itself, without a backend;
 * e.g. a `$default` route that tells clients their action is unknown.
 */
export class WebSocketMockIntegration extends WebSocketIntegration {
  private readonly config: WebSocketIntegrationConfig;

  constructor(props: WebSocketMockIntegrationProps = {}) {
    super();
    this.config = {
      integrationType: "MOCK",
      connectionType: "INTERNET",
      proxy: false,
      requestTemplates: { $default: '{"statusCode": 200}' },
      templateSelectionExpression: "\\$default",
      passthroughBehavior: "NEVER",
      description: props.description,
      responseTemplates: props.responseTemplate !== undefined ? escapeTemplates({ $default: props.responseTemplate }) : undefined,
    };
  }

  public bind(): WebSocketIntegrationConfig {
    return this.config;
  }
}
