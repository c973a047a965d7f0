import type { TerraformJson } from "../constructs/terraform-json";
import {
  ApiMappingModel,
  ApiModel,
  AuthorizationType,
  AuthorizerModel,
  IntegrationModel,
  IntegrationResponseModel,
  IntegrationType,
  PassthroughBehavior,
  PrivateTargetModel,
  RouteModel,
  ThrottleModel,
} from "./api-model";

/** One Terraform resource instance with its attribute values (state or resolved configuration). */
export interface TerraformResource {
  /** Terraform address, e.g. `module.websocket_api.aws_apigatewayv2_route.x["joinGame"]`. */
  readonly address: string;
  readonly type: string;
  readonly values: TerraformJson;
}

/** Which API and stage to serve when the resources hold several. */
export interface ApiSelection {
  /**
   * Id or name of the WebSocket API.
   * @default - the only WebSocket API of the resources
   */
  readonly api?: string;
  /**
   * Stage name.
   * @default - the only stage of the API
   */
  readonly stage?: string;
}

const INTEGRATION_TYPES: readonly IntegrationType[] = ["HTTP", "HTTP_PROXY", "MOCK", "AWS", "AWS_PROXY"];
const AUTHORIZATION_TYPES: readonly AuthorizationType[] = ["NONE", "AWS_IAM", "CUSTOM"];

/** A block Terraform stores as a list of one object in state and the configuration writes as an object. */
function block(value: unknown): TerraformJson | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one && typeof one === "object" ? (one as TerraformJson) : undefined;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function throttle(settings: TerraformJson | undefined): ThrottleModel | undefined {
  if (!settings) return undefined;
  const burst = settings.throttling_burst_limit;
  const rate = settings.throttling_rate_limit;
  if (typeof burst !== "number" || typeof rate !== "number") return undefined;
  return { burstLimit: burst, rateLimit: rate };
}

/**
 * Builds the model of one stage of one WebSocket API from Terraform resource
 * attributes: the API, its routes, integrations, integration responses, route
 * responses and stage, and the VPC links with the NLB listeners they reach.
 * Fails with a message naming the choices when the selection is ambiguous.
 */
export function buildApiModel(resources: readonly TerraformResource[], selection: ApiSelection, source: string): ApiModel {
  const of = (type: string) => resources.filter((r) => r.type === type);
  const apis = of("aws_apigatewayv2_api").filter((r) => r.values.protocol_type === "WEBSOCKET");
  const api = pick(
    ["WebSocket API", "WebSocket APIs"],
    apis.filter((r) => selection.api === undefined || r.values.id === selection.api || r.values.name === selection.api),
    (r) => `${r.values.name} (${r.values.id})`,
    selection.api,
    source,
    "choose one by id or name",
  );
  const apiId: string = api.values.id;
  const stage = pick(
    [`stage of API ${api.values.name}`, `stages of API ${api.values.name}`],
    of("aws_apigatewayv2_stage").filter((r) => r.values.api_id === apiId && (selection.stage === undefined || r.values.name === selection.stage)),
    (r) => r.values.name,
    selection.stage,
    source,
    "choose one by name",
  );

  const responsesByIntegration = new Map<string, IntegrationResponseModel[]>();
  for (const r of of("aws_apigatewayv2_integration_response").filter((r) => r.values.api_id === apiId)) {
    const list = responsesByIntegration.get(r.values.integration_id) ?? [];
    list.push({
      key: text(r.values.integration_response_key),
      templates: r.values.response_templates ?? {},
      templateSelectionExpression: text(r.values.template_selection_expression),
    });
    responsesByIntegration.set(r.values.integration_id, list);
  }
  const integrations = new Map<string, IntegrationModel>();
  for (const r of of("aws_apigatewayv2_integration").filter((r) => r.values.api_id === apiId)) {
    const v = r.values;
    const type = v.integration_type as IntegrationType;
    if (!INTEGRATION_TYPES.includes(type))
      throw new Error(`${r.address}: integration_type must be one of ${INTEGRATION_TYPES.join(", ")}, got ${JSON.stringify(type)} (${source})`);
    integrations.set(v.id, {
      id: v.id,
      type,
      uri: text(v.integration_uri),
      method: text(v.integration_method) || "POST",
      connectionType: v.connection_type === "VPC_LINK" ? "VPC_LINK" : "INTERNET",
      vpcLinkId: text(v.connection_id),
      requestParameters: v.request_parameters ?? {},
      requestTemplates: v.request_templates ?? {},
      templateSelectionExpression: text(v.template_selection_expression),
      passthroughBehavior: ((v.passthrough_behavior as PassthroughBehavior) || "WHEN_NO_MATCH") as PassthroughBehavior,
      // The provider's default, and API Gateway's: 29 s.
      timeoutMilliseconds: typeof v.timeout_milliseconds === "number" && v.timeout_milliseconds > 0 ? v.timeout_milliseconds : 29000,
      responses: responsesByIntegration.get(v.id) ?? [],
    });
  }
  const routeResponses = new Set(
    of("aws_apigatewayv2_route_response")
      .filter((r) => r.values.api_id === apiId && r.values.route_response_key === "$default")
      .map((r) => r.values.route_id as string),
  );
  const authorizers = new Map<string, AuthorizerModel>();
  for (const r of of("aws_apigatewayv2_authorizer").filter((r) => r.values.api_id === apiId)) {
    const v = r.values;
    authorizers.set(v.id, {
      id: v.id,
      name: text(v.name),
      uri: text(v.authorizer_uri),
      identitySources: Array.isArray(v.identity_sources) ? v.identity_sources.filter((s: unknown) => typeof s === "string") : [],
      resultTtlSeconds: typeof v.authorizer_result_ttl_in_seconds === "number" ? v.authorizer_result_ttl_in_seconds : 0,
    });
  }
  const routes: RouteModel[] = of("aws_apigatewayv2_route")
    .filter((r) => r.values.api_id === apiId)
    .map((r) => {
      const target = /^integrations\/(.+)$/.exec(text(r.values.target));
      const integration = target ? integrations.get(target[1]) : undefined;
      if (target && !integration) throw new Error(`${r.address}: route ${r.values.route_key} targets integration ${target[1]}, which ${source} does not hold`);
      const authorizationType = (AUTHORIZATION_TYPES.find((t) => t === r.values.authorization_type) ?? "NONE") as AuthorizationType;
      const authorizer = authorizationType === "CUSTOM" ? authorizers.get(text(r.values.authorizer_id)) : undefined;
      if (authorizationType === "CUSTOM" && !authorizer)
        throw new Error(
          `${r.address}: route ${r.values.route_key} is CUSTOM with authorizer ${JSON.stringify(r.values.authorizer_id)}, which ${source} does not hold`,
        );
      return {
        id: r.values.id,
        key: r.values.route_key,
        integration,
        authorizationType,
        authorizer,
        twoWay: text(r.values.route_response_selection_expression) !== "" && routeResponses.has(r.values.id),
      };
    });
  const mappings: ApiMappingModel[] = of("aws_apigatewayv2_api_mapping")
    .filter((r) => r.values.api_id === apiId && r.values.stage === stage.values.name)
    .map((r) => ({ domainName: text(r.values.domain_name), key: text(r.values.api_mapping_key) }));

  const s = stage.values;
  const access = block(s.access_log_settings);
  const routeThrottles: Record<string, ThrottleModel> = {};
  for (const setting of Array.isArray(s.route_settings) ? s.route_settings : []) {
    const t = throttle(setting);
    if (t && typeof setting.route_key === "string") routeThrottles[setting.route_key] = t;
  }

  const region = regionOf(api.values.arn) ?? regionOf(api.values.execution_arn) ?? "us-east-1";
  return {
    id: apiId,
    name: api.values.name,
    region,
    executionArn: text(api.values.execution_arn) || `arn:aws:execute-api:${region}:000000000000:${apiId}`,
    endpointHost: hostOf(api.values.api_endpoint) ?? `${apiId}.execute-api.${region}.amazonaws.com`,
    routeSelectionExpression: text(api.values.route_selection_expression) || "$request.body.action",
    routes,
    stage: {
      name: s.name,
      variables: s.stage_variables ?? {},
      defaultThrottle: throttle(block(s.default_route_settings)),
      routeThrottles,
      accessLogFormat: access && text(access.format) ? access.format : undefined,
    },
    privateTargets: privateTargets(resources),
    mappings,
    notEmulated: notEmulated(resources, mappings),
    source,
  };
}

/**
 * What the API's production edges have that the gateway serves without:
 * mutual TLS on a custom domain the stage is mapped under (the gateway's
 * TLS asks no client certificate). Authorizers, IAM and the mappings
 * themselves are served (see lambda-authorizer.ts, iam-authorizer.ts,
 * custom-domains.ts).
 */
function notEmulated(resources: readonly TerraformResource[], mappings: readonly ApiMappingModel[]): string[] {
  const lines: string[] = [];
  for (const domain of new Set(mappings.map((m) => m.domainName))) {
    const resource = resources.find((r) => r.type === "aws_apigatewayv2_domain_name" && r.values.domain_name === domain);
    const mtls = block(resource?.values.mutual_tls_authentication);
    if (mtls && text(mtls.truststore_uri))
      lines.push(`custom domain ${domain}: mutual TLS (truststore ${text(mtls.truststore_uri)}) not emulated, clients connect without a certificate`);
  }
  return lines;
}

/**
 * The host:port pairs each v1 VPC link reaches: the DNS names of the NLBs it
 * targets and the ports of their listeners. (API Gateway sends a VPC-link
 * integration's request to the link's NLB, which must have a listener on the
 * URI's port: https://docs.aws.amazon.com/apigateway/latest/developerguide/vpc-links-v1.html
 * and, for WebSocket APIs, https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/websocket-api.html)
 */
function privateTargets(resources: readonly TerraformResource[]): PrivateTargetModel[] {
  const lbs = resources.filter((r) => r.type === "aws_lb" && (r.values.load_balancer_type ?? "application") === "network");
  const listeners = resources.filter((r) => r.type === "aws_lb_listener");
  const out: PrivateTargetModel[] = [];
  for (const link of resources.filter((r) => r.type === "aws_api_gateway_vpc_link")) {
    for (const arn of (link.values.target_arns ?? []) as string[]) {
      const lb = lbs.find((l) => l.values.arn === arn);
      if (!lb) continue;
      for (const listener of listeners.filter((l) => l.values.load_balancer_arn === arn)) {
        if (typeof listener.values.port === "number") out.push({ vpcLinkId: link.values.id, host: lb.values.dns_name, port: listener.values.port });
      }
    }
  }
  return out;
}

function regionOf(arn: unknown): string | undefined {
  return typeof arn === "string" ? /^arn:[^:]+:(?:apigateway|execute-api):([^:]+):/.exec(arn)?.[1] : undefined;
}

/** The host of `api_endpoint` (`wss://<id>.execute-api.<region>.amazonaws.com`). */
function hostOf(endpoint: unknown): string | undefined {
  if (typeof endpoint !== "string" || endpoint === "") return undefined;
  try {
    return new URL(endpoint).hostname || undefined;
  } catch {
    return undefined;
  }
}

function pick(
  [one, many]: [string, string],
  found: TerraformResource[],
  label: (r: TerraformResource) => string,
  wanted: string | undefined,
  source: string,
  fix: string,
): TerraformResource {
  if (found.length === 1) return found[0];
  if (found.length === 0)
    throw new Error(`${source} holds no ${one}${wanted !== undefined ? ` matching ${JSON.stringify(wanted)}` : ""}: deploy the stack first (npm run local)`);
  throw new Error(`${source} holds ${found.length} ${many} (${found.map(label).join(", ")}): ${fix}`);
}
