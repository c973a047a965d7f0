import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketApiMapping } from "../../constructs/websocket-api-mapping";
import { DomainIpAddressType, WebSocketDomainName } from "../../constructs/websocket-domain-name";
import { WebSocketLambdaAuthorizer } from "../../constructs/websocket-lambda-authorizer";
import { IWebSocketRouteAuthorizer } from "../../constructs/websocket-route-authorizer";
import { WebSocketStage } from "../../constructs/websocket-stage";
import { output } from "../fixed-names";
import { WebSocketEdgeInputs } from "./websocket-edge-inputs";

/**
 * The production edges of a seed module (issue 14), built from its
 * variables: the `$connect` authorizer, the authorizer's result as request
 * headers, the custom domain with its mapping, and their outputs. Every
 * resource exists only when its variables ask for it (counts), so the
 * defaults create nothing.
 */

/** Authorization of `$connect` from the module's variables. */
export interface ModuleConnectAuthorization {
  /** The Lambda REQUEST authorizer (count 1 exactly when `connect_authorization_type` is `CUSTOM`). */
  readonly authorizer: WebSocketLambdaAuthorizer;
  /** What the `$connect` route gets: `var.connect_authorization_type` and the authorizer's id. */
  readonly routeAuthorizer: IWebSocketRouteAuthorizer;
}

/**
 * The `$connect` authorizer (construct id `connect-authorizer`, in `scope`)
 * and the route authorization of `$connect`: `NONE`, `AWS_IAM` or `CUSTOM`
 * as the variable says. A change of the authorizer makes a new explicit
 * deployment (auto_deploy = false), as a route change does.
 */
export function moduleConnectAuthorization(scope: Construct, e: WebSocketEdgeInputs, api: WebSocketApi, apiName: string): ModuleConnectAuthorization {
  // CUSTOM without a function is rejected by a precondition of the outputs;
  // no authorizer is planned then, so that message is the one the plan shows.
  const custom = Op.and(Op.eq(e.connectAuthorizationType, "CUSTOM"), Op.neq(e.connectAuthorizerFunctionArn, Token.nullValue()));
  const authorizer = new WebSocketLambdaAuthorizer(scope, "connect-authorizer", {
    api,
    functionArn: e.connectAuthorizerFunctionArn,
    identitySources: e.connectAuthorizerIdentitySources,
    // Null: a resource-based permission instead (its count reads the role).
    credentialsRoleArn: e.connectAuthorizerCredentialsRoleArn,
    // CreateAuthorizer allows 128 characters.
    authorizerName: `${Fn.substr(apiName, 0, 120)}-connect`,
    enabled: custom as unknown as boolean,
  });
  const routeAuthorizer: IWebSocketRouteAuthorizer = {
    bind: () => ({ authorizationType: e.connectAuthorizationType, authorizerId: authorizer.authorizerId, deploymentTriggers: [authorizer.resource.fqn] }),
  };
  return { authorizer, routeAuthorizer };
}

/**
 * Request parameters of every integration: the route key header, and one
 * header per `authorizer_context_headers` entry carrying
 * `context.authorizer.<key>` (WebSocket data mapping accepts `context.*`
 * sources for integration request headers,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-mapping.html).
 * Known at plan time only, so merged by Terraform; with no headers it is the
 * route key header alone, as before.
 */
export function moduleRequestParameters(e: WebSocketEdgeInputs): Record<string, string> {
  const headers = e.authorizerContextHeaders;
  // keys() is sorted and values() follows the same order, so zipmap pairs them right.
  const fromAuthorizer = Fn.zipmap(
    Fn.formatlist("integration.request.header.%s", [Fn.keys(headers)]),
    Fn.formatlist("context.authorizer.%s", [Fn.values(headers)]),
  );
  return Fn.merge([{ "integration.request.header.routeKey": "context.routeKey" }, fromAuthorizer]) as unknown as Record<string, string>;
}

/** The custom domain of a module and its mapping. */
export interface ModuleCustomDomain {
  readonly domain: WebSocketDomainName;
  readonly mapping: WebSocketApiMapping;
}

/**
 * The custom domain (construct id `custom-domain`, in `scope`), created when
 * `domain_name` is set: the certificate when `domain_certificate_arn` is
 * null, the DNS records when `domain_hosted_zone_id` is set, and the
 * mapping of the stage under `domain_api_mapping_key`.
 */
export function moduleCustomDomain(scope: Construct, e: WebSocketEdgeInputs, stage: WebSocketStage, tags: Record<string, string>): ModuleCustomDomain {
  // Op.eq(x, Token.nullValue()), not Op.eq(x, null): cdktf writes a literal null as nothing.
  const isSet = (x: string) => Op.neq(x, Token.nullValue());
  // A name without certificate or zone is rejected by a precondition of the
  // outputs; nothing is planned then, so that message is the one the plan shows.
  const enabled = Op.and(isSet(e.domainName), Op.or(isSet(e.domainCertificateArn), isSet(e.domainHostedZoneId)));
  const domain = new WebSocketDomainName(scope, "custom-domain", {
    domainName: e.domainName,
    certificateArn: e.domainCertificateArn,
    hostedZoneId: e.domainHostedZoneId,
    ipAddressType: e.domainIpAddressType as DomainIpAddressType,
    enabled: enabled as unknown as boolean,
    createCertificate: Op.eq(e.domainCertificateArn, Token.nullValue()) as unknown as boolean,
    createRecords: isSet(e.domainHostedZoneId) as unknown as boolean,
    tags,
  });
  const mapping = domain.addApiMapping("mapping", { stage, mappingKey: e.domainApiMappingKey });
  return { domain, mapping };
}

/** A precondition block of an output, as Terraform JSON. */
interface Precondition {
  readonly condition: string;
  readonly error_message: string;
}

/**
 * Rules between the edge variables, checked at plan time as preconditions
 * of the outputs (a variable's validation may not read another variable
 * before Terraform 1.9; an output's precondition is evaluated whether or not
 * the caller reads the output). Terraform evaluates an error message even
 * when its condition holds, so the messages read nullable variables through
 * jsonencode() only.
 */
export const DOMAIN_PRECONDITIONS: readonly Precondition[] = [
  {
    condition: "${var.domain_name == null || var.domain_certificate_arn != null || var.domain_hosted_zone_id != null}",
    error_message:
      "domain_certificate_arn or domain_hosted_zone_id must be set when domain_name is, got neither: give the ARN of an issued ACM certificate for ${jsonencode(var.domain_name)}, or the Route 53 zone in which the module requests and validates one.",
  },
  {
    condition: "${var.domain_name != null || (var.domain_certificate_arn == null && var.domain_hosted_zone_id == null && var.domain_api_mapping_key == null)}",
    error_message:
      "domain_name must be set when domain_certificate_arn, domain_hosted_zone_id or domain_api_mapping_key is, got null: name the custom domain, or remove the other domain_* inputs.",
  },
];

export const AUTHORIZER_PRECONDITIONS: readonly Precondition[] = [
  {
    condition: '${(var.connect_authorization_type == "CUSTOM") == (var.connect_authorizer_function_arn != null)}',
    error_message:
      'connect_authorizer_function_arn must be set exactly when connect_authorization_type is "CUSTOM", got ${jsonencode(var.connect_authorizer_function_arn)} with connect_authorization_type ${jsonencode(var.connect_authorization_type)}: give the authorizer function\'s ARN and "CUSTOM" together, or neither.',
  },
  {
    condition: '${var.connect_authorizer_credentials_role_arn == null || var.connect_authorization_type == "CUSTOM"}',
    error_message:
      'connect_authorizer_credentials_role_arn must be null unless connect_authorization_type is "CUSTOM", got ${jsonencode(var.connect_authorizer_credentials_role_arn)}: it is the role API Gateway assumes to call the authorizer function.',
  },
  {
    condition: '${length(var.authorizer_context_headers) == 0 || var.connect_authorization_type == "CUSTOM"}',
    error_message:
      'authorizer_context_headers must be empty unless connect_authorization_type is "CUSTOM", got ${jsonencode(keys(var.authorizer_context_headers))}: only a Lambda authorizer returns a result to pass on.',
  },
];

/** What the edge outputs read. */
export interface ModuleEdges {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly connect: ModuleConnectAuthorization;
  readonly customDomain: ModuleCustomDomain;
}

/**
 * Declares the outputs of the production edges, with fixed snake_case
 * names; null where the feature is off. The cross-variable rules are their
 * preconditions.
 */
export function declareWebSocketEdgeOutputs(scope: Construct, edges: ModuleEdges): void {
  const { domain, mapping } = edges.customDomain;
  output(scope, "custom_domain_url", {
    value: mapping.url,
    description:
      "URL clients connect to through the custom domain: wss://<domain_name> or wss://<domain_name>/<domain_api_mapping_key> (null without domain_name).",
  }).addOverride("precondition", DOMAIN_PRECONDITIONS);
  output(scope, "custom_domain_target_domain_name", {
    value: domain.targetDomainName,
    description: "Regional API Gateway host name the custom domain's DNS must point at (alias, or CNAME outside Route 53); null without domain_name.",
  });
  output(scope, "custom_domain_hosted_zone_id", {
    value: domain.hostedZoneId,
    description: "Route 53 zone of custom_domain_target_domain_name, for an alias record made outside the module; null without domain_name.",
  });
  output(scope, "custom_domain_certificate_arn", {
    value: domain.certificateArn,
    description: "ACM certificate the custom domain serves (the one given, or the one the module requested once issued); null without domain_name.",
  });
  output(scope, "connect_authorizer_id", {
    value: edges.connect.authorizer.authorizerId,
    description: 'ID of the $connect Lambda authorizer (null unless connect_authorization_type is "CUSTOM").',
  }).addOverride("precondition", AUTHORIZER_PRECONDITIONS);
  output(scope, "connect_route_arn", {
    value: `${edges.api.executionArn}/${edges.stage.resource.name}/$connect`,
    description:
      'Resource of the $connect route for IAM policies: with connect_authorization_type "AWS_IAM", a client may connect when its identity is allowed execute-api:Invoke on it.',
  });
}
