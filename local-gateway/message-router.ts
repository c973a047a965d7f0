import { ApiModel, RouteModel } from "./api-model";
import { Connection, Connections } from "./connections";
import { EventLog } from "./event-log";
import { GatewayClock } from "./gateway-clock";
import { errorFrame, GatewayError, GatewayErrorKind } from "./gateway-errors";
import { IntegrationInvoker, IntegrationResult } from "./integration-invoker";
import { MISSING, selectJsonPath } from "./json-path";
import { newId } from "./ids";
import { requestContext } from "./request-context";
import { evaluateSelectionExpression } from "./selection-expression";
import { Throttles } from "./throttles";

/** What the router needs of the gateway. */
export interface MessageRouterDeps {
  readonly api: ApiModel;
  readonly clock: GatewayClock;
  readonly connections: Connections;
  readonly invoker: IntegrationInvoker;
  readonly throttles: Throttles;
  readonly log: EventLog;
}

/**
 * Routes a client's frames: the route selection expression on the frame
 * (`$default` for non-JSON frames and unmatched keys), the route's
 * throttling, its integration, and the answer of a two-way route; AWS's
 * error frames otherwise. `$disconnect` after a close, best effort.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html
 */
export class MessageRouter {
  private readonly routes = new Map<string, RouteModel>();
  private pending = 0;

  constructor(private readonly deps: MessageRouterDeps) {
    for (const route of deps.api.routes) this.routes.set(route.key, route);
  }

  /** `$disconnect` calls in progress. */
  public get pendingDisconnects(): number {
    return this.pending;
  }

  public route(key: string): RouteModel | undefined {
    return this.routes.get(key);
  }

  public async onMessage(conn: Connection, data: Buffer): Promise<void> {
    if (conn.closing) return;
    const { clock, throttles, invoker, connections, log } = this.deps;
    const now = clock.now();
    conn.lastActiveAt = now;
    conn.lastTrafficAt = now;
    const requestId = newId();
    const text = data.toString("utf8");
    const route = this.selectRoute(text);
    const context = this.context(conn, { eventType: "MESSAGE", routeKey: route?.key ?? "$default", requestId, messageId: newId(), now });
    const fail = (error: GatewayErrorKind, result?: IntegrationResult, note?: string) => {
      connections.send(conn, errorFrame(error, conn.id, requestId));
      log.record({ context, status: GatewayError[error].status, result, error, note });
    };
    if (!route) return fail("forbidden", undefined, "no route matches and the API has no $default route");
    if (throttles.route(route.key)) return fail("throttled");
    if (!route.integration) return fail("internal", undefined, `route ${route.key} has no integration`);
    const result = await invoker.invoke(route.integration, { eventType: "MESSAGE", body: data, context });
    if (!result.ok) return fail(result.error, result);
    // Two-way routes send the integration's answer back; one-way routes drop it.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html
    const reply = route.twoWay && result.body.length > 0;
    if (reply) connections.send(conn, result.body);
    log.record({ context, status: 200, result, note: route.twoWay ? (reply ? "answered" : "empty answer") : "one-way" });
  }

  /** After a close: forgets the connection and calls `$disconnect` ("a best-effort event": its result reaches no one). */
  public async onClose(conn: Connection, code: number, reason: string): Promise<void> {
    const { connections, invoker, log, clock } = this.deps;
    if (!connections.remove(conn)) return;
    const disconnect = conn.closedBy ?? { code, reason };
    const context = this.context(conn, { eventType: "DISCONNECT", routeKey: "$disconnect", requestId: newId(), now: clock.now(), disconnect });
    const route = this.routes.get("$disconnect");
    if (!route?.integration) return log.record({ context, status: 200, note: `closed ${disconnect.code}` });
    this.pending++;
    try {
      const result = await invoker.invoke(route.integration, { eventType: "DISCONNECT", body: Buffer.alloc(0), context });
      log.record({
        context,
        status: result.ok ? 200 : GatewayError[result.error].status,
        result,
        error: result.ok ? undefined : result.error,
        note: `closed ${disconnect.code}`,
      });
    } finally {
      this.pending--;
    }
  }

  private context(
    conn: Connection,
    f: {
      eventType: "MESSAGE" | "DISCONNECT";
      routeKey: string;
      requestId: string;
      now: number;
      messageId?: string;
      disconnect?: { code: number; reason: string };
    },
  ): Record<string, unknown> {
    return requestContext(this.deps.api, {
      ...f,
      connectionId: conn.id,
      connectedAt: conn.connectedAt,
      domainName: conn.domainName,
      sourceIp: conn.sourceIp,
      userAgent: conn.userAgent,
      authorizer: conn.authorizer,
      identity: conn.identity,
    });
  }

  private selectRoute(text: string): RouteModel | undefined {
    let document: unknown = MISSING;
    const key = evaluateSelectionExpression(this.deps.api.routeSelectionExpression, (name) => {
      const m = /^request\.body\.?(.*)$/.exec(name);
      if (!m) return undefined;
      if (document === MISSING) {
        try {
          document = JSON.parse(text);
        } catch {
          // "Non-JSON messages are directed to a $default route."
          document = undefined;
        }
      }
      if (document === undefined || document === null || typeof document !== "object") return undefined;
      const value = selectJsonPath(document, m[1] ? `$.${m[1]}` : "$");
      return value === MISSING ? undefined : value;
    });
    return (key !== undefined ? this.routes.get(key) : undefined) ?? this.routes.get("$default");
  }
}
