import { ApiModel, IntegrationModel, IntegrationResponseModel, PrivateTargetModel } from "./api-model";
import { BackendCallError, BackendClient, BackendRequest } from "./backend-client";
import { GatewayErrorKind } from "./gateway-errors";
import { MISSING, selectJsonPath } from "./json-path";
import { MappingTemplate } from "./mapping-template";
import { evaluateSelectionExpression, selectionPattern } from "./selection-expression";

/** An event a route's integration handles. */
export interface IntegrationEvent {
  readonly eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
  /** The frame (MESSAGE); empty for CONNECT and DISCONNECT, which have no body. */
  readonly body: Buffer;
  /** `$context` of the event. */
  readonly context: Record<string, unknown>;
  /** Headers of the handshake (lower-case names, CONNECT only), each with all its values. */
  readonly headers?: Readonly<NodeJS.Dict<readonly string[]>>;
  /** Query string of the handshake (CONNECT only). */
  readonly query?: URLSearchParams;
}

/** What an integration gave back. */
export type IntegrationResult =
  | {
      readonly ok: true;
      /** The integration's status: the backend's, or the MOCK template's `statusCode`. */
      readonly status: number;
      /** The answer after integration response templates: what a two-way route sends back. */
      readonly body: string;
      readonly headers: Readonly<Record<string, string>>;
      /** Where the request went, for the console. */
      readonly target: string;
      readonly latencyMs: number;
    }
  | {
      readonly ok: false;
      readonly error: GatewayErrorKind;
      /** What went wrong, for the console and `$context.integration.error`. */
      readonly detail: string;
      readonly status?: number;
      readonly target?: string;
      readonly latencyMs?: number;
    };

/** Where a call goes, or why it cannot. */
type Target = { readonly url: URL; readonly label: string } | { readonly error: string; readonly noBackend?: boolean };

/** A URL hostname on this machine: the only hosts the local gateway calls (backends, HTTP integrations). */
export const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
const HOP_BY_HOP = new Set(["connection", "upgrade", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection", "te", "trailer"]);

/**
 * Runs a route's integration as API Gateway does: request parameters, the
 * request template chosen by the template selection expression and
 * `passthrough_behavior` (non-proxy), the backend call within the
 * integration's timeout, and the integration response chosen by status code
 * with its template (non-proxy); proxy integrations pass the backend's answer
 * through. References:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-mapping.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-responses.html
 *
 * Integrations through the API's VPC link to a port of the NLB go to the
 * local backend; INTERNET integrations are called only on loopback.
 */
export class IntegrationInvoker {
  private readonly targets = new Map<string, Target>();

  /**
   * @param rewrite applied to what templates and request parameters render
   *   (the API's own @connections URL made local, see custom-domains.ts)
   */
  constructor(
    private readonly api: ApiModel,
    private readonly client: BackendClient,
    private readonly backend: URL | undefined,
    private readonly maxTimeoutMs: number,
    private readonly rewrite: (text: string) => string = (text) => text,
  ) {}

  /** Where an integration's requests go, for the start-up summary. */
  public describeTarget(integration: IntegrationModel): string {
    const uri = substituteStageVariables(integration.uri, this.api.stage.variables);
    const target = this.target(integration);
    if (!("error" in target)) return `${integration.method} ${uri} -> ${target.url.href}`;
    return target.noBackend ? `${integration.method} ${uri} -> nothing (no --backend)` : target.error;
  }

  public async invoke(integration: IntegrationModel, event: IntegrationEvent): Promise<IntegrationResult> {
    const proxy = integration.type === "HTTP_PROXY";
    if (integration.type === "AWS" || integration.type === "AWS_PROXY") {
      return { ok: false, error: "internal", detail: `${integration.type} integrations (Lambda, AWS services) are not emulated` };
    }
    let body: Buffer;
    try {
      body = proxy ? event.body : this.requestBody(integration, event);
    } catch (e) {
      return e instanceof UnsupportedMediaType
        ? { ok: false, error: "unsupportedMediaType", detail: e.message }
        : { ok: false, error: "internal", detail: `request template: ${(e as Error).message}` };
    }
    if (integration.type === "MOCK") return this.mock(integration, event, body);

    const target = this.cachedTarget(integration);
    if ("error" in target) return { ok: false, error: "internal", detail: target.error };
    const url = new URL(target.url);
    const headers: Record<string, string> = {};
    if (proxy && event.eventType === "CONNECT" && event.headers) {
      // $connect through a proxy integration: the handshake's headers and query string.
      for (const [name, values] of Object.entries(event.headers)) if (values && !HOP_BY_HOP.has(name)) headers[name] = values.join(",");
      event.query?.forEach((value, name) => url.searchParams.append(name, value));
    }
    for (const [to, from] of Object.entries(integration.requestParameters)) {
      const raw = this.parameter(from, event);
      if (raw === undefined) continue;
      const value = this.rewrite(raw);
      const header = /^integration\.request\.header\.(.+)$/.exec(to);
      const query = /^integration\.request\.querystring\.(.+)$/.exec(to);
      if (header) headers[header[1]] = value;
      else if (query) url.searchParams.set(query[1], value);
    }
    if (body.length > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    headers.host = url.host;

    const request: BackendRequest = {
      url,
      method: integration.method === "ANY" ? "POST" : integration.method,
      headers,
      body,
      timeoutMs: Math.min(integration.timeoutMilliseconds, this.maxTimeoutMs),
    };
    const label = `${request.method} ${target.label}`;
    const started = performance.now();
    let response;
    try {
      response = await this.client.call(request);
    } catch (e) {
      const latencyMs = performance.now() - started;
      if (e instanceof BackendCallError && e.kind === "timeout")
        return { ok: false, error: "timeout", detail: `${label}: ${e.message}`, target: label, latencyMs };
      return { ok: false, error: "internal", detail: `${label}: ${(e as Error).message}`, target: label, latencyMs };
    }
    const latencyMs = performance.now() - started;
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(",") : v;
    const text = response.body.toString("utf8");
    if (proxy) return { ok: true, status: response.status, body: text, headers: responseHeaders, target: label, latencyMs };
    const mapped = this.integrationResponse(integration, response.status, text, responseHeaders, event);
    if (!mapped.ok) return { ...mapped, status: response.status, target: label, latencyMs };
    return { ok: true, status: response.status, body: mapped.body, headers: responseHeaders, target: label, latencyMs };
  }

  /** MOCK: the request template's `statusCode` selects the integration response. */
  private mock(integration: IntegrationModel, event: IntegrationEvent, rendered: Buffer): IntegrationResult {
    let status = 200;
    try {
      const parsed = JSON.parse(rendered.toString("utf8") || "{}");
      if (typeof parsed.statusCode === "number") status = parsed.statusCode;
    } catch {
      // API Gateway reads statusCode from the template's output; without one the mock answers 200.
    }
    const mapped = this.integrationResponse(integration, status, event.body.toString("utf8"), {}, event);
    if (!mapped.ok) return { ...mapped, status };
    return { ok: true, status, body: mapped.body, headers: {}, target: "MOCK", latencyMs: 0 };
  }

  /** Non-proxy request body: the template the selection expression picks, or the frame as `passthrough_behavior` allows. */
  private requestBody(integration: IntegrationModel, event: IntegrationEvent): Buffer {
    const templates = integration.requestTemplates;
    const keys = Object.keys(templates);
    const text = event.body.toString("utf8");
    const key = evaluateSelectionExpression(integration.templateSelectionExpression || "\\$default", (name) => this.requestVariable(name, event));
    const template = key !== undefined && key in templates ? templates[key] : templates.$default;
    if (template !== undefined) {
      return Buffer.from(
        this.rewrite(MappingTemplate.of(template).render({ body: text, context: event.context, stageVariables: this.api.stage.variables })),
        "utf8",
      );
    }
    const passes = integration.passthroughBehavior === "WHEN_NO_MATCH" || (integration.passthroughBehavior === "WHEN_NO_TEMPLATES" && keys.length === 0);
    if (!passes)
      throw new UnsupportedMediaType(
        `no request template for ${JSON.stringify(key ?? "")} (templates: ${keys.join(", ") || "none"}) and passthrough_behavior ${integration.passthroughBehavior}`,
      );
    return event.body;
  }

  /** The integration response for a status code, rendered. */
  private integrationResponse(
    integration: IntegrationModel,
    status: number,
    body: string,
    headers: Record<string, string>,
    event: IntegrationEvent,
  ): { ok: true; body: string } | { ok: false; error: GatewayErrorKind; detail: string } {
    const code = String(status);
    const chosen: IntegrationResponseModel | undefined =
      integration.responses.find((r) => r.key !== "$default" && selectionPattern(r.key)?.test(code)) ?? integration.responses.find((r) => r.key === "$default");
    if (!chosen) {
      // "Execution failed due to configuration error: No match for output mapping and no default output mapping configured"
      return { ok: false, error: "internal", detail: `no integration response matches status ${code} and there is no $default integration response` };
    }
    const templates = chosen.templates;
    if (Object.keys(templates).length === 0) return { ok: true, body };
    const key = evaluateSelectionExpression(chosen.templateSelectionExpression || "\\$default", (name) => {
      if (name === "integration.response.statuscode") return code;
      const header = /^integration\.response\.header\.(.+)$/.exec(name);
      return header ? headers[header[1].toLowerCase()] : undefined;
    });
    const template = key !== undefined && key in templates ? templates[key] : templates.$default;
    if (template === undefined) return { ok: true, body };
    try {
      return { ok: true, body: MappingTemplate.of(template).render({ body, context: event.context, stageVariables: this.api.stage.variables }) };
    } catch (e) {
      return { ok: false, error: "internal", detail: `response template: ${(e as Error).message}` };
    }
  }

  /** A request parameter's value (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-mapping.html). */
  private parameter(source: string, event: IntegrationEvent): string | undefined {
    const s = source.trim();
    if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1);
    if (s.startsWith("context.")) return stringOf(lookup(event.context, s.slice("context.".length)));
    if (s.startsWith("stageVariables.")) return this.api.stage.variables[s.slice("stageVariables.".length)];
    return stringOf(this.requestVariable(s.replace(/^route\./, ""), event));
  }

  /** `request.body.<path>`, and for $connect `request.header.x` and `request.querystring.x` (single or multi-value). */
  private requestVariable(name: string, event: IntegrationEvent): unknown {
    const body = /^request\.body\.?(.*)$/.exec(name);
    if (body) {
      try {
        const value = selectJsonPath(JSON.parse(event.body.toString("utf8")), body[1] ? `$.${body[1]}` : "$");
        return value === MISSING ? undefined : value;
      } catch {
        return undefined;
      }
    }
    const m = /^request\.(header|multivalueheader|querystring|multivaluequerystring)\.(.+)$/.exec(name);
    if (!m) return undefined;
    if (m[1].endsWith("header")) {
      const values = event.headers?.[m[2].toLowerCase()];
      return values ? (m[1] === "header" ? values[values.length - 1] : values.join(",")) : undefined;
    }
    const values = event.query?.getAll(m[2]) ?? [];
    return values.length ? (m[1] === "querystring" ? values[values.length - 1] : values.join(",")) : undefined;
  }

  /** {@link target}, once per integration: the URI and stage variables do not change while serving. */
  private cachedTarget(integration: IntegrationModel): Target {
    let target = this.targets.get(integration.id);
    if (!target) {
      target = this.target(integration);
      this.targets.set(integration.id, target);
    }
    return target;
  }

  /**
   * Where an integration's requests go. Through a VPC link API Gateway
   * reaches the link's NLB on the URI's port: a listener there means the
   * backend behind it, which runs locally at `--backend`.
   */
  private target(integration: IntegrationModel): Target {
    const raw = substituteStageVariables(integration.uri, this.api.stage.variables);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { error: `integration ${integration.id}: URI ${JSON.stringify(raw)} is not a URL` };
    }
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (integration.connectionType === "VPC_LINK") {
      const links = this.api.privateTargets.filter((t) => t.vpcLinkId === integration.vpcLinkId);
      const candidates: readonly PrivateTargetModel[] = links.length ? links : this.api.privateTargets.filter((t) => t.host === url.hostname);
      const listener = candidates.find((t) => t.port === port);
      if (!listener) {
        const known = candidates.map((t) => `${t.host}:${t.port}`).join(", ");
        return {
          error: `integration ${integration.id}: VPC link ${integration.vpcLinkId} reaches no NLB listener on port ${port}${known ? ` (it reaches ${known})` : ""}`,
        };
      }
      if (!this.backend)
        return {
          noBackend: true,
          error: `no backend for ${listener.host}:${listener.port} (the NLB behind VPC link ${integration.vpcLinkId}): start one and pass --backend http://127.0.0.1:<port>`,
        };
      const local = new URL(`${this.backend.origin}${joinPath(this.backend.pathname, url.pathname)}${url.search}`);
      return { url: local, label: `${local.origin}${local.pathname}${local.search} (for ${listener.host}:${listener.port})` };
    }
    if (!LOOPBACK.test(url.hostname))
      return { error: `integration ${integration.id} calls ${url.origin} over the internet: the local gateway calls only loopback addresses` };
    return { url, label: url.href };
  }
}

class UnsupportedMediaType extends Error {}

/** Replaces `${stageVariables.name}` in a URI (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-stages.html). */
function substituteStageVariables(uri: string, variables: Readonly<Record<string, string>>): string {
  return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, name) => variables[name] ?? "");
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}` || "/";
}

function lookup(root: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = root;
  for (const key of dotted.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function stringOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
