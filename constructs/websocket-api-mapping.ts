import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { API_MAPPING_KEY } from "./rules";
import { isUnresolved } from "./validation";

/**
 * What a mapping needs of a stage: its API id and name as references to the
 * stage resource, so the mapping is created after the stage
 * (`WebSocketStage` fits).
 */
export interface IWebSocketMappableStage {
  readonly resource: {
    /** `api_id` of the `aws_apigatewayv2_stage`. */
    readonly apiId: string;
    /** `name` of the `aws_apigatewayv2_stage`. */
    readonly name: string;
  };
}

/** Options of an API mapping, as given to `WebSocketDomainName.addApiMapping`. */
export interface WebSocketApiMappingOptions {
  /** The stage clients reach through the domain. */
  readonly stage: IWebSocketMappableStage;
  /**
   * Path under the domain: clients connect to `wss://<domain>/<key>`. One
   * segment of letters, digits and `$-_.+!*'()`, at most 300 characters (no
   * slash). May be a Terraform expression; null or "" means none.
   * @default - none: the stage is served at `wss://<domain>`
   */
  readonly mappingKey?: string;
}

/** Properties of {@link WebSocketApiMapping}. */
export interface WebSocketApiMappingProps extends WebSocketApiMappingOptions {
  /** The custom domain name, as a reference to its `aws_apigatewayv2_domain_name` (e.g. `WebSocketDomainName.domainName`). */
  readonly domainName: string;
  /**
   * Creates the mapping. May be a Terraform expression (the domain's own
   * condition): the mapping then gets `count = enabled ? 1 : 0`.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * An API mapping (`aws_apigatewayv2_api_mapping`, id `Resource`): serves a
 * stage of a WebSocket API under a custom domain name, at its root or under
 * a one-segment mapping key.
 *
 * The @connections API keeps its own address: a backend answers clients at
 * `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`, whatever
 * domain they connected through (see `callbackUrlTemplate`).
 */
export class WebSocketApiMapping extends Construct {
  /** The `aws_apigatewayv2_api_mapping`. */
  public readonly resource: Apigatewayv2ApiMapping;
  /**
   * The URL clients connect to: `wss://<domain>` or `wss://<domain>/<key>`
   * (null in Terraform when `enabled` evaluates to false).
   */
  public readonly url: string;
  /** The mapping key as given (undefined: none). */
  public readonly mappingKey?: string;

  constructor(scope: Construct, id: string, props: WebSocketApiMappingProps) {
    super(scope, id);
    const key = props.mappingKey === "" ? undefined : props.mappingKey;
    API_MAPPING_KEY.check("WebSocketApiMapping.mappingKey", key);
    this.mappingKey = key;
    const conditional = isUnresolved(props.enabled);
    const count = conditional ? Token.asNumber(Fn.conditional(props.enabled, 1, 0)) : props.enabled === false ? 0 : undefined;

    this.resource = new Apigatewayv2ApiMapping(this, "Resource", {
      count,
      apiId: props.stage.resource.apiId,
      domainName: props.domainName,
      stage: props.stage.resource.name,
      apiMappingKey: key,
    });

    const root = `wss://${props.domainName}`;
    // compact() drops a null or empty key, so an optional module variable works.
    const url = key === undefined ? root : isUnresolved(key) ? Fn.join("/", Fn.compact([Fn.format("wss://%s", [props.domainName]), key])) : `${root}/${key}`;
    this.url = conditional ? Fn.conditional(props.enabled, url, Token.nullValue()) : url;
  }
}
