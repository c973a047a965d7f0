import { defineRule } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { asNumber, asString, blocks, dynamicContents, referencedAddresses, UNKNOWN, Unknown } from "./values";

const API = "aws_apigatewayv2_api";
const INTEGRATION = "aws_apigatewayv2_integration";
const V2_LINK = "aws_apigatewayv2_vpc_link";

/** Protocol of each API of the stack, by address. */
function protocols(ctx: RuleContext): Map<string, string | Unknown> {
  const out = new Map<string, string | Unknown>();
  for (const api of ctx.model.resources(API)) out.set(api.address, asString(api.config.protocol_type) ?? UNKNOWN);
  return out;
}

/** The protocol of the API a block belongs to (`api_id`), or UNKNOWN. */
function protocolOf(block: TfBlock, apis: Map<string, string | Unknown>): string | Unknown {
  const ref = typeof block.config.api_id === "string" ? referencedAddresses(block.config.api_id, API)[0] : undefined;
  return (ref && apis.get(ref)) ?? UNKNOWN;
}

function v2LinkOf(integration: TfBlock): string | undefined {
  const id = integration.config.connection_id;
  return typeof id === "string" ? referencedAddresses(id, V2_LINK)[0] : undefined;
}

/** WSG-WS-001: no v2 VPC link beside a WebSocket API. */
export const noV2VpcLink = defineRule({
  id: "WSG-WS-001",
  description:
    "A stack with a WEBSOCKET API has no aws_apigatewayv2_vpc_link, unless an HTTP API's integration uses it: WebSocket APIs accept only v1 VPC links (aws_api_gateway_vpc_link) on an NLB.",
  fix: "use an aws_api_gateway_vpc_link (v1) targeting an internal NLB (the PrivateLink construct) and remove the v2 link",
  severity: "error",
  details: "Only an integration of an `HTTP` API in the same stack makes a v2 link acceptable.",
  suppressOn: "the link, for mixed stacks the rule cannot see",
  check: (ctx, report) => {
    const links = ctx.model.resources(V2_LINK);
    if (links.length === 0) return;
    const apis = protocols(ctx);
    if (![...apis.values()].includes("WEBSOCKET")) return;
    const usedByHttp = new Set<string>();
    for (const integration of ctx.model.resources(INTEGRATION)) {
      const link = v2LinkOf(integration);
      if (link && protocolOf(integration, apis) === "HTTP") usedByHttp.add(link);
    }
    for (const link of links) {
      if (!usedByHttp.has(link.address)) report(link, "resource type", "aws_api_gateway_vpc_link in a stack with a WebSocket API", V2_LINK);
    }
  },
});

/** WSG-WS-002: no WebSocket integration through a v2 VPC link. */
export const noV2VpcLinkIntegration = defineRule({
  id: "WSG-WS-002",
  description: "No WebSocket integration's connection_id references an aws_apigatewayv2_vpc_link.",
  fix: "point connection_id at an aws_api_gateway_vpc_link (v1) on an NLB: give the integration a PrivateLink as vpcLink",
  severity: "error",
  suppressOn: "—",
  check: (ctx, report) => {
    const apis = protocols(ctx);
    const values = [...apis.values()];
    const onlyWebSocket = values.includes("WEBSOCKET") && !values.includes("HTTP");
    for (const integration of ctx.model.resources(INTEGRATION)) {
      const link = v2LinkOf(integration);
      if (!link) continue;
      const protocol = protocolOf(integration, apis);
      if (protocol === "WEBSOCKET" || (protocol === UNKNOWN && onlyWebSocket)) {
        report(integration, "connection_id", "the id of an aws_api_gateway_vpc_link (v1)", integration.config.connection_id);
      }
    }
  },
});

/** WSG-WS-003: per-route settings set both throttling limits. */
export const routeSettingsThrottling = defineRule({
  id: "WSG-WS-003",
  description:
    "Every route_settings entry of a stage, static or from a dynamic block, sets throttling_burst_limit and throttling_rate_limit above 0 (an unset limit is sent as 0: every call to the route gets 429).",
  fix: "give the route's settings both limits (WebSocketStage routeSettings[key].throttle), or remove the entry",
  severity: "error",
  details: 'A `dynamic "route_settings"` block (route settings from a module variable) must have both limits in its content, literal values greater than 0.',
  suppressOn: "the stage",
  check: (ctx, report) => {
    const limits = ["throttling_burst_limit", "throttling_rate_limit"];
    for (const stage of ctx.model.resources("aws_apigatewayv2_stage")) {
      const routes = blocks(stage.config.route_settings);
      if (routes !== UNKNOWN) {
        routes.forEach((r, i) => {
          for (const key of limits) {
            const n = asNumber(r[key]);
            if (n === UNKNOWN) continue;
            if (n === undefined || !(n > 0)) report(stage, `route_settings[${i}] (${r.route_key ?? "?"}).${key}`, "a number greater than 0", r[key]);
          }
        });
      }
      // A dynamic block (route settings from a module variable): each limit
      // must at least be in the content; literal values are checked too.
      const dynamic = dynamicContents(stage.config, "route_settings");
      if (dynamic === UNKNOWN) continue;
      for (const content of dynamic) {
        for (const key of limits) {
          const n = asNumber(content[key]);
          if (n === UNKNOWN) continue;
          if (n === undefined || !(n > 0)) report(stage, `dynamic "route_settings" content.${key}`, "set in every entry, greater than 0", content[key]);
        }
      }
    }
  },
});

/** WSG-WS-004: non-proxy integrations have a $default integration response. */
export const nonProxyIntegrationResponse = defineRule({
  id: "WSG-WS-004",
  description:
    'Every non-proxy integration (integration_type HTTP, MOCK or AWS) has an aws_apigatewayv2_integration_response with key "$default"; without it the backend\'s reply never reaches the route response.',
  fix: 'add an aws_apigatewayv2_integration_response with integration_response_key "$default" for the integration (WebSocketRoute adds it for WebSocketHttpIntegration and WebSocketMockIntegration)',
  severity: "error",
  details: "A response whose integration cannot be placed makes the rule *cannot tell*.",
  suppressOn: "the integration",
  check: (ctx, report) => {
    const answered = new Set<string>();
    let unknownTarget = false;
    for (const response of ctx.model.resources("aws_apigatewayv2_integration_response")) {
      const key = asString(response.config.integration_response_key);
      if (key !== UNKNOWN && key !== "$default") continue;
      const target = typeof response.config.integration_id === "string" ? referencedAddresses(response.config.integration_id, INTEGRATION) : [];
      if (target.length === 0) unknownTarget = true;
      target.forEach((t) => answered.add(t));
    }
    if (unknownTarget) return; // a response we cannot place may answer any integration
    for (const integration of ctx.model.resources(INTEGRATION)) {
      const type = asString(integration.config.integration_type);
      if (type !== "HTTP" && type !== "MOCK" && type !== "AWS") continue;
      if (!answered.has(integration.address)) {
        report(integration, 'aws_apigatewayv2_integration_response "$default"', `present for a non-proxy ${type} integration`, undefined);
      }
    }
  },
});

/** WSG-WS-005: HTTP integrations of WebSocket APIs go through a VPC link. */
export const privateHttpIntegration = defineRule({
  id: "WSG-WS-005",
  description:
    "Every HTTP or HTTP_PROXY integration of a WebSocket API goes through a VPC link (connection_type VPC_LINK): with INTERNET (the default) API Gateway calls a public URL, so the backend is reachable from the internet by anyone, with any connectionId and callback url.",
  fix: "give the integration a vpcLink (a PrivateLink: v1 VPC link to an internal NLB) and a URL inside the VPC; for a backend that is public on purpose, suppress the rule on the integration with the reason",
  severity: "error",
  details: 'Every `HTTP` / `HTTP_PROXY` integration of a WebSocket API has `connection_type = "VPC_LINK"` (unset means `INTERNET`).',
  suppressOn: "the integration, with why the backend is public on purpose",
  check: (ctx, report) => {
    const apis = protocols(ctx);
    const values = [...apis.values()];
    const onlyWebSocket = values.includes("WEBSOCKET") && !values.includes("HTTP");
    for (const integration of ctx.model.resources(INTEGRATION)) {
      const type = asString(integration.config.integration_type);
      if (type !== "HTTP" && type !== "HTTP_PROXY") continue;
      const protocol = protocolOf(integration, apis);
      if (protocol !== "WEBSOCKET" && !(protocol === UNKNOWN && onlyWebSocket)) continue;
      const connection = asString(integration.config.connection_type);
      if (connection === UNKNOWN || connection === "VPC_LINK") continue;
      report(integration, "connection_type", `"VPC_LINK" for an ${type} integration of a WebSocket API`, connection ?? "INTERNET (unset)");
    }
  },
});

/** WSG-WS-006: who may connect. */
export const connectAuthorization = defineRule({
  id: "WSG-WS-006",
  description:
    "A WebSocket API's $connect route has an authorization (AWS_IAM or a Lambda REQUEST authorizer, authorization_type CUSTOM); without one, or without a $connect route, anyone who knows the URL can connect and send frames to the backend.",
  fix: "give the $connect route an authorizer (WebSocketLambdaAuthorizer, or WebSocketIamAuthorizer for SigV4-signed clients); if the API is public on purpose, suppress the rule on the route (or the API) with the reason",
  severity: "info",
  details: "Reads the `$connect` route's `authorization_type` (`AWS_IAM` or `CUSTOM` pass).",
  suppressOn: "the route or the API, when it is public on purpose",
  checkovDeviation:
    "Checkov has no such check. WSG-WS-006 is informational: the seed modules keep `$connect` open by default, and an open `$connect` is a product decision (a public chat), not a misconfiguration. It prints only with the `reportInfo` option (the shipped stacks leave it off); `Guardrails.evaluate` always reports it.",
  check: (ctx, report) => {
    const apis = protocols(ctx);
    const connected = new Set<string>();
    const unplaced = new Set<string>();
    for (const route of ctx.model.resources("aws_apigatewayv2_route")) {
      const api = typeof route.config.api_id === "string" ? referencedAddresses(route.config.api_id, API)[0] : undefined;
      const key = asString(route.config.route_key);
      if (key === UNKNOWN) {
        if (api) unplaced.add(api);
        continue;
      }
      if (key !== "$connect") continue;
      if (api) connected.add(api);
      if (protocolOf(route, apis) === "HTTP") continue;
      const type = asString(route.config.authorization_type);
      if (type === UNKNOWN) continue;
      if (type === undefined || type === "NONE") report(route, "authorization_type", '"AWS_IAM" or "CUSTOM" on $connect', route.config.authorization_type);
    }
    for (const api of ctx.model.resources(API)) {
      if (apis.get(api.address) !== "WEBSOCKET" || connected.has(api.address) || unplaced.has(api.address)) continue;
      report(
        api,
        'route "$connect"',
        "present with an authorization",
        undefined,
        "add a $connect route with an authorizer: without one every client is admitted",
      );
    }
  },
});

export const WEBSOCKET_RULES = [
  noV2VpcLink,
  noV2VpcLinkIntegration,
  routeSettingsThrottling,
  nonProxyIntegrationResponse,
  privateHttpIntegration,
  connectAuthorization,
];
