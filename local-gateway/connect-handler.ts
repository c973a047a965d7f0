import * as http from "http";
import { Duplex } from "stream";
import { WebSocket, WebSocketServer } from "ws";
import { ApiModel } from "./api-model";
import { ConnectAuthorization } from "./connect-authorization";
import { ConnectionLimits } from "./connection-limits";
import { Connection, Connections } from "./connections";
import { CustomDomains, pathSegments } from "./custom-domains";
import { EventLog } from "./event-log";
import { FrameSizeGuard } from "./frame-size-guard";
import { GatewayClock } from "./gateway-clock";
import { errorBody, GatewayError } from "./gateway-errors";
import { newId } from "./ids";
import { IntegrationInvoker, IntegrationResult } from "./integration-invoker";
import { GatewayLimits } from "./limits";
import { MessageRouter } from "./message-router";
import { requestContext } from "./request-context";
import { Throttles } from "./throttles";

/** What the handshake needs of the gateway. */
export interface ConnectHandlerDeps {
  readonly api: ApiModel;
  readonly limits: GatewayLimits;
  readonly clock: GatewayClock;
  readonly connections: Connections;
  readonly connectionLimits: ConnectionLimits;
  readonly domains: CustomDomains;
  readonly invoker: IntegrationInvoker;
  readonly throttles: Throttles;
  readonly router: MessageRouter;
  readonly log: EventLog;
  /** How `$connect` is authorized (its `authorization_type`); undefined: anyone may connect. */
  readonly authorization?: ConnectAuthorization;
  readonly port: () => number;
  readonly stopping: () => boolean;
}

/**
 * The WebSocket handshake: the stage's paths (its own and its custom
 * domains' mappings), AWS's URL length quota, the new-connection and
 * `$connect` throttles, `$connect`'s authorization and integration before the
 * handshake completes, then the connection with its frame guard and limits.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html
 */
export class ConnectHandler {
  private readonly wss: WebSocketServer;
  private readonly protocols = new WeakMap<http.IncomingMessage, string>();

  constructor(private readonly deps: ConnectHandlerDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // A message (all its frames) above 128 KB closes the connection with 1009.
      maxPayload: deps.limits.messageBytes,
      handleProtocols: (_offered, request) => this.protocols.get(request) ?? false,
    });
  }

  public async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { api, clock, domains, throttles, router, invoker, log, limits } = this.deps;
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://gateway");
    const addressed = domains.handshake(req.headers.host, pathSegments(url.pathname));
    if (!addressed) return refuse(socket, 403, "Forbidden");
    if (this.deps.stopping()) return refuse(socket, 503, "Service Unavailable");
    // "Length, in characters, of the URL for a WebSocket API: 4096" (quotas
    // page), counted on the URL as it reads on AWS. AWS publishes no answer
    // for a longer one; 414 is HTTP's for a target longer than the server
    // interprets (RFC 9110 section 15.5.15).
    const awsUrlLength = `wss://${addressed.awsHost}${req.url ?? "/"}`.length;
    if (awsUrlLength > limits.urlCharacters) return refuse(socket, 414, "Request-URI Too Long");
    // An invalid handshake is refused before $connect runs (RFC 6455 section 4.2.1).
    if (!req.headers["sec-websocket-key"] || req.headers["sec-websocket-version"] !== "13") return refuse(socket, 400, "Bad Request");
    const connectionId = newId();
    const now = clock.now();
    const sourceIp = remoteAddress(req);
    const userAgent = req.headers["user-agent"] ?? "";
    const base = { connectionId, connectedAt: now, sourceIp, userAgent, domainName: addressed.domainName };
    let context = requestContext(api, { ...base, eventType: "CONNECT", routeKey: "$connect", requestId: newId(), now });
    if (throttles.newConnection()) {
      log.record({ context, status: 429, error: "throttled", note: "new connections per second" });
      return refuse(socket, 429, GatewayError.throttled.message);
    }
    if (throttles.route("$connect")) {
      log.record({ context, status: 429, error: "throttled" });
      return refuse(socket, 429, GatewayError.throttled.message);
    }
    let authorized: { authorizer?: Connection["authorizer"]; identity?: Connection["identity"]; note?: string } = {};
    if (this.deps.authorization) {
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      const outcome = await this.deps.authorization.authorize({ req, url, context, port: this.deps.port(), secure });
      if (!outcome.ok) {
        log.record({ context, status: outcome.status, errorMessage: outcome.message, responseType: outcome.responseType, note: outcome.note });
        return refuse(socket, outcome.status, outcome.message, outcome.body, outcome.errorType);
      }
      authorized = outcome;
      context = requestContext(api, { ...base, eventType: "CONNECT", routeKey: "$connect", requestId: String(context.requestId), now, ...outcome });
    }
    const route = router.route("$connect");
    let result: IntegrationResult | undefined;
    if (route?.integration) {
      result = await invoker.invoke(route.integration, {
        eventType: "CONNECT",
        body: Buffer.alloc(0),
        context,
        // Every value of each header, by lower-case name (no joining or dropping duplicates).
        headers: req.headersDistinct,
        query: url.searchParams,
      });
      // "If the $connect request fails (for example, due to AuthN/AuthZ failure
      // or integration failure), the connection will not be made."
      if (!result.ok) {
        log.record({ context, status: GatewayError[result.error].status, result, error: result.error });
        return refuse(socket, GatewayError[result.error].status, GatewayError[result.error].message);
      }
      if (result.status < 200 || result.status > 299) {
        log.record({ context, status: result.status, result, note: "refused: the integration did not answer 2xx" });
        return refuse(socket, result.status, http.STATUS_CODES[result.status] ?? "Error");
      }
      // A subprotocol is chosen only when the integration answers one.
      const protocol = result.headers["sec-websocket-protocol"];
      if (protocol) this.protocols.set(req, protocol.split(",")[0].trim());
    }
    if (socket.destroyed || this.deps.stopping()) return;
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.accept(ws, socket, { ...base, lastActiveAt: now, lastTrafficAt: now, authorizer: authorized.authorizer, identity: authorized.identity }),
    );
    log.record({ context, status: 200, result, note: authorized.note });
  }

  private accept(ws: WebSocket, socket: Duplex, info: Omit<Connection, "socket" | "id" | "timers" | "closing"> & { connectionId: string }): void {
    const { connections, connectionLimits, router, log } = this.deps;
    const { connectionId, ...rest } = info;
    const conn: Connection = { ...rest, id: connectionId, socket: ws, timers: {}, closing: false };
    connections.add(conn);
    const guard = new FrameSizeGuard(this.deps.limits.frameBytes, () => connections.close(conn, 1009, ""));
    // No guard.feed(head): ws's setSocket() unshifts `head` back onto the
    // socket, so this listener sees those bytes with the socket's first data.
    socket.prependListener("data", (chunk: Buffer) => guard.feed(chunk));
    connectionLimits.arm(conn);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // "If a client app sends a binary frame, API Gateway rejects it and
      // disconnects the client with code 1003."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
      if (isBinary) return connections.close(conn, 1003, "");
      void router.onMessage(conn, data).catch((e: unknown) => log.error("MESSAGE", conn.id, e));
    });
    ws.on(
      "close",
      (code: number, reason: Buffer) => void router.onClose(conn, code, reason.toString("utf8")).catch((e: unknown) => log.error("DISCONNECT", conn.id, e)),
    );
    ws.on("error", () => undefined);
  }
}

/** Refuses a handshake with an HTTP answer: `{"message": ...}` unless another body is given. */
function refuse(socket: Duplex, status: number, message: string, body = errorBody(message), errorType?: string): void {
  if (socket.destroyed) return;
  const extra = errorType ? `x-amzn-ErrorType: ${errorType}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The client's address; a TLS socket over the replayed stream has none, and the gateway listens on 127.0.0.1 only. */
function remoteAddress(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}
