import { randomBytes } from "crypto";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import { Duplex } from "stream";
import { WebSocket, WebSocketServer } from "ws";
import { AccessLog } from "./access-log";
import { ApiModel, RouteModel } from "./api-model";
import { BackendClient } from "./backend-client";
import { FrameSizeGuard } from "./frame-size-guard";
import { errorBody, errorFrame, GatewayError, GatewayErrorKind } from "./gateway-errors";
import { IntegrationInvoker, IntegrationResult, LOOPBACK } from "./integration-invoker";
import { AWS_LIMITS, GatewayLimits } from "./limits";
import { evaluateSelectionExpression } from "./selection-expression";
import { selectJsonPath, MISSING } from "./json-path";
import { TokenBucket } from "./token-bucket";

/** Properties of {@link LocalGateway}. */
export interface LocalGatewayProps {
  /** The API and stage to serve (see apiFromTerraformState, apiFromSynthesizedStack). */
  readonly api: ApiModel;
  /**
   * Base URL of the backend that stands for the NLB behind the VPC link:
   * `http://127.0.0.1:<port>` (loopback only).
   * @default - none: integrations through the VPC link fail with "Internal server error"
   */
  readonly backend?: string;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Certificate and key for `https://` and `wss://` on the same port (the
   * first byte of a connection tells TLS from plain HTTP), so the
   * @connections callback URL `https://$context.domainName/$context.stage`
   * works unmodified.
   * @default - plain ws:// and http:// only
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /**
   * AWS's limits, each replaceable.
   * @default AWS_LIMITS
   */
  readonly limits?: Partial<GatewayLimits>;
  /**
   * Applies the stage's and routes' throttling. Off only for measurements
   * beyond the stage's limits (the benchmark).
   * @default true
   */
  readonly throttling?: boolean;
  /**
   * File the stage's access log lines are appended to.
   * @default - no access log file
   */
  readonly accessLogFile?: string;
  /**
   * Receives one compact line per event (connect, message, disconnect,
   * @connections call), e.g. `console.log`.
   * @default - no event lines
   */
  readonly log?: (line: string) => void;
}

/** A connected client. */
interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly timers: NodeJS.Timeout[];
  closing: boolean;
  /** Close code and reason the gateway chose, for `$context.disconnectStatusCode/disconnectReason`. */
  closedBy?: { code: number; reason: string };
}

/** What an event gives the access log and the console. */
interface EventRecord {
  readonly context: Record<string, unknown>;
  readonly status: number;
  readonly result?: IntegrationResult;
  readonly error?: GatewayErrorKind;
  readonly note?: string;
}

const RESPONSE_TYPES: Record<GatewayErrorKind, string> = {
  forbidden: "MISSING_AUTHENTICATION_TOKEN",
  internal: "INTEGRATION_FAILURE",
  timeout: "INTEGRATION_TIMEOUT",
  throttled: "THROTTLED",
  unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

let pool: Buffer = Buffer.alloc(0);
let poolOffset = 0;

/** An id in the form API Gateway gives connections and requests (`L0SM9cOFvHcCIhw=`): 11 random bytes, from a pool refilled 4 KB at a time. */
export function newId(): string {
  if (poolOffset + 11 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const id = `${pool.toString("base64url", poolOffset, poolOffset + 11)}=`;
  poolOffset += 11;
  return id;
}

/**
 * A local data plane for an API Gateway WebSocket API: serves one stage of a
 * deployed (or synthesized) API on 127.0.0.1, with its routes, route
 * selection, integrations, templates, integration and route responses,
 * throttling, limits and access log, and the @connections API at the callback
 * URL its templates build. The README beside this file lists each behaviour
 * with the AWS page it follows, and what is not emulated.
 */
export class LocalGateway {
  /** Starts serving; resolves once the port is listening. */
  public static async start(props: LocalGatewayProps): Promise<LocalGateway> {
    const gateway = new LocalGateway(props);
    await gateway.listen(props.port ?? 0);
    return gateway;
  }

  public readonly api: ApiModel;
  public readonly limits: GatewayLimits;
  private readonly props: LocalGatewayProps;
  private readonly client = new BackendClient();
  private readonly invoker: IntegrationInvoker;
  private readonly routes = new Map<string, RouteModel>();
  private readonly connections = new Map<string, Connection>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly accountBucket: TokenBucket;
  private readonly newConnectionBucket: TokenBucket;
  private readonly wss: WebSocketServer;
  private readonly plain: http.Server;
  private readonly secure?: https.Server;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly accessLog?: AccessLog;
  private readonly protocols = new WeakMap<http.IncomingMessage, string>();
  private pendingDisconnects = 0;
  private stopping = false;
  private listeningPort = 0;

  private constructor(props: LocalGatewayProps) {
    this.props = props;
    this.api = props.api;
    this.limits = { ...AWS_LIMITS, ...props.limits };
    let backend: URL | undefined;
    if (props.backend !== undefined) {
      backend = checkBackendUrl(props.backend);
    }
    this.invoker = new IntegrationInvoker(this.api, this.client, backend, this.limits.maxIntegrationTimeoutMs);
    for (const route of this.api.routes) this.routes.set(route.key, route);
    this.accountBucket = new TokenBucket(this.limits.accountThrottle.burstLimit, this.limits.accountThrottle.rateLimit);
    this.newConnectionBucket = new TokenBucket(this.limits.newConnectionsPerSecond, this.limits.newConnectionsPerSecond);
    if (this.api.stage.accessLogFormat && props.accessLogFile) this.accessLog = new AccessLog(this.api.stage.accessLogFormat, props.accessLogFile);

    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // A message (all its frames) above 128 KB closes the connection with 1009.
      maxPayload: this.limits.messageBytes,
      handleProtocols: (_offered, request) => this.protocols.get(request) ?? false,
    });
    // The handlers are async: a rejection (a request target `new URL` cannot
    // parse, a client resetting mid-body) ends that request, not the process.
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400);
        res.end();
      });
    const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head).catch(() => socket.destroy());
    this.plain = http.createServer(onRequest).on("upgrade", onUpgrade);
    if (props.tls) this.secure = https.createServer({ key: props.tls.key, cert: props.tls.cert }, onRequest).on("upgrade", onUpgrade);
    this.server = net.createServer((socket) => this.dispatch(socket));
  }

  /** The port on 127.0.0.1. */
  public get port(): number {
    return this.listeningPort;
  }

  /** `$context.domainName`: host and port clients and backends reach the gateway at. */
  public get domainName(): string {
    return `127.0.0.1:${this.listeningPort}`;
  }

  /** `ws://127.0.0.1:<port>/<stage>`: what clients connect to. */
  public get url(): string {
    return `ws://${this.domainName}/${this.api.stage.name}`;
  }

  /** Base URL of the @connections API (`https://` with TLS, else `http://`). */
  public get connectionsUrl(): string {
    return `${this.secure ? "https" : "http"}://${this.domainName}/${this.api.stage.name}`;
  }

  /** Where each route's requests go, for a start-up summary. */
  public describeRoutes(): Array<{ routeKey: string; integration: string; target: string; twoWay: boolean }> {
    return this.api.routes.map((r) => ({
      routeKey: r.key,
      integration: r.integration ? r.integration.type : "none",
      target: r.integration ? (r.integration.type === "MOCK" ? "MOCK" : this.invoker.describeTarget(r.integration)) : "no integration",
      twoWay: r.twoWay,
    }));
  }

  /** What the gateway holds: connections, calls in progress and pending $disconnect calls (all 0 when idle). */
  public stats(): { connections: number; pendingIntegrations: number; pendingDisconnects: number; sockets: number } {
    return {
      connections: this.connections.size,
      pendingIntegrations: this.client.pending,
      pendingDisconnects: this.pendingDisconnects,
      sockets: this.sockets.size,
    };
  }

  /**
   * Stops: no new connections; every connection is closed with 1001 (Going
   * away) and gets its $disconnect call (waited for up to 5 s); then the
   * port, the backend connections and the access log file are closed.
   */
  public async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.connections.values()]) this.close(conn, 1001, "Going away");
    const deadline = Date.now() + 5000;
    while ((this.connections.size > 0 || this.pendingDisconnects > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.connections.values()) conn.socket.terminate();
    for (const socket of this.sockets) socket.destroy();
    this.plain.closeAllConnections();
    this.secure?.closeAllConnections();
    this.client.close();
    await closed;
    await this.accessLog?.close();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        reject(e.code === "EADDRINUSE" ? new Error(`port ${port} on 127.0.0.1 is in use: pick another port, or 0 for a free one`) : e);
      };
      this.server.once("error", onError);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", onError);
        this.listeningPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Plain HTTP/WebSocket or TLS on the same port: a TLS handshake starts with byte 0x16. */
  private dispatch(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x16 && this.secure) {
        // The TLS server reads through a stream that replays the first chunk
        // (a socket's own handle would skip data already read).
        this.secure.emit("connection", new ReplaySocket(socket, first));
      } else {
        socket.unshift(first);
        this.plain.emit("connection", socket);
        socket.resume();
      }
    });
  }

  private bucketFor(routeKey: string): TokenBucket | undefined {
    const stage = this.api.stage;
    const limits = stage.routeThrottles[routeKey] ?? stage.defaultThrottle;
    if (!limits) return undefined;
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(limits.burstLimit, limits.rateLimit);
      this.buckets.set(routeKey, bucket);
    }
    return bucket;
  }

  /** Route and account throttling (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html). */
  private throttled(routeKey: string): boolean {
    if (this.props.throttling === false) return false;
    const route = this.bucketFor(routeKey);
    if (route && !route.take()) return true;
    return !this.accountBucket.take();
  }

  private context(fields: {
    connectionId: string;
    connectedAt: number;
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
    routeKey: string;
    requestId: string;
    messageId?: string;
    sourceIp: string;
    userAgent: string;
    disconnect?: { code: number; reason: string };
  }): Record<string, unknown> {
    const now = Date.now();
    return {
      apiId: this.api.id,
      connectedAt: fields.connectedAt,
      connectionId: fields.connectionId,
      domainName: this.domainName,
      domainPrefix: "127",
      eventType: fields.eventType,
      extendedRequestId: fields.requestId,
      messageDirection: "IN",
      messageId: fields.messageId ?? "",
      requestId: fields.requestId,
      requestTime: clfTime(now),
      requestTimeEpoch: now,
      routeKey: fields.routeKey,
      stage: this.api.stage.name,
      identity: {
        sourceIp: fields.sourceIp,
        userAgent: fields.userAgent,
        accountId: "",
        apiKey: "",
        apiKeyId: "",
        caller: "",
        user: "",
        userArn: "",
        cognitoIdentityId: "",
        cognitoIdentityPoolId: "",
        cognitoAuthenticationType: "",
        cognitoAuthenticationProvider: "",
        principalOrgId: "",
      },
      authorizer: { principalId: "" },
      error: { message: "", messageString: '""', responseType: "", validationErrorString: "" },
      disconnectStatusCode: fields.disconnect?.code ?? "",
      disconnectReason: fields.disconnect?.reason ?? "",
    };
  }

  /** Writes the access log line and the console line of an event. */
  private record(event: EventRecord): void {
    const c = event.context;
    const r = event.result;
    if (this.accessLog) {
      const errorMessage = event.error ? GatewayError[event.error].message : "";
      this.accessLog.write({
        ...c,
        status: event.status,
        integrationStatus: r?.status ?? "",
        integrationLatency: r?.latencyMs !== undefined ? Math.round(r.latencyMs) : "",
        integration: {
          status: r?.status ?? "",
          latency: r?.latencyMs !== undefined ? Math.round(r.latencyMs) : "",
          error: r && !r.ok ? r.detail : "",
          integrationStatus: r?.status ?? "",
          requestId: c.requestId,
        },
        error: { message: errorMessage, messageString: JSON.stringify(errorMessage), responseType: event.error ? RESPONSE_TYPES[event.error] : "" },
      });
    }
    if (this.props.log) {
      const time = new Date().toISOString().slice(11, 23);
      const what = r
        ? r.ok
          ? `${r.target} ${r.status} ${r.latencyMs.toFixed(1)} ms`
          : `${GatewayError[r.error].message}: ${r.detail}`
        : event.error
          ? GatewayError[event.error].message
          : "";
      this.props.log(
        `${time} ${String(c.eventType).padEnd(10)} ${String(c.routeKey).padEnd(14)} ${c.connectionId} ${event.status} ${what}${event.note ? ` (${event.note})` : ""}`.trimEnd(),
      );
    }
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://gateway");
    if (!this.isStagePath(url.pathname)) return refuse(socket, 403, "Forbidden");
    if (this.stopping) return refuse(socket, 503, "Service Unavailable");
    // An invalid handshake is refused before $connect runs (RFC 6455 section 4.2.1).
    if (!req.headers["sec-websocket-key"] || req.headers["sec-websocket-version"] !== "13") return refuse(socket, 400, "Bad Request");
    const connectionId = newId();
    const requestId = newId();
    const connectedAt = Date.now();
    const sourceIp = remoteAddress(req);
    const userAgent = req.headers["user-agent"] ?? "";
    const context = this.context({ connectionId, connectedAt, eventType: "CONNECT", routeKey: "$connect", requestId, sourceIp, userAgent });
    if (this.props.throttling !== false && !this.newConnectionBucket.take()) {
      this.record({ context, status: 429, error: "throttled", note: "new connections per second" });
      return refuse(socket, 429, GatewayError.throttled.message);
    }
    if (this.throttled("$connect")) {
      this.record({ context, status: 429, error: "throttled" });
      return refuse(socket, 429, GatewayError.throttled.message);
    }
    const route = this.routes.get("$connect");
    let result: IntegrationResult | undefined;
    if (route?.integration) {
      result = await this.invoker.invoke(route.integration, {
        eventType: "CONNECT",
        body: Buffer.alloc(0),
        context,
        // Every value of each header, by lower-case name (no joining or dropping duplicates).
        headers: req.headersDistinct,
        query: url.searchParams,
      });
      // "If the $connect request fails (for example, due to AuthN/AuthZ failure
      // or integration failure), the connection will not be made."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html
      if (!result.ok) {
        this.record({ context, status: GatewayError[result.error].status, result, error: result.error });
        return refuse(socket, GatewayError[result.error].status, GatewayError[result.error].message);
      }
      if (result.status < 200 || result.status > 299) {
        this.record({ context, status: result.status, result, note: "refused: the integration did not answer 2xx" });
        return refuse(socket, result.status, http.STATUS_CODES[result.status] ?? "Error");
      }
      // A subprotocol is chosen only when the integration answers one.
      const protocol = result.headers["sec-websocket-protocol"];
      if (protocol) this.protocols.set(req, protocol.split(",")[0].trim());
    }
    if (socket.destroyed || this.stopping) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, { connectionId, connectedAt, sourceIp, userAgent }));
    this.record({ context, status: 200, result });
  }

  private accept(ws: WebSocket, socket: Duplex, info: { connectionId: string; connectedAt: number; sourceIp: string; userAgent: string }): void {
    const conn: Connection = {
      id: info.connectionId,
      socket: ws,
      connectedAt: info.connectedAt,
      lastActiveAt: info.connectedAt,
      sourceIp: info.sourceIp,
      userAgent: info.userAgent,
      timers: [],
      closing: false,
    };
    this.connections.set(conn.id, conn);
    const guard = new FrameSizeGuard(this.limits.frameBytes, () => this.close(conn, 1009, ""));
    // No guard.feed(head): ws's setSocket() unshifts `head` back onto the
    // socket, so this listener sees those bytes with the socket's first data.
    socket.prependListener("data", (chunk: Buffer) => guard.feed(chunk));
    const idle = setTimeout(() => this.close(conn, 1001, "Going away"), this.limits.idleTimeoutMs);
    const max = setTimeout(() => this.close(conn, 1001, "Going away"), this.limits.maxConnectionMs);
    idle.unref();
    max.unref();
    conn.timers.push(idle, max);
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // "If a client app sends a binary frame, API Gateway rejects it and
      // disconnects the client with code 1003."
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-binary-media-types.html
      if (isBinary) return this.close(conn, 1003, "");
      void this.onMessage(conn, data).catch((e: unknown) => this.logError("MESSAGE", conn, e));
    });
    ws.on(
      "close",
      (code: number, reason: Buffer) => void this.onClose(conn, code, reason.toString("utf8")).catch((e: unknown) => this.logError("DISCONNECT", conn, e)),
    );
    ws.on("error", () => undefined);
  }

  /** A handler that failed unexpectedly: one line on the log (stderr without one), and the gateway carries on. */
  private logError(eventType: string, conn: Connection, error: unknown): void {
    const line = `${new Date().toISOString().slice(11, 23)} ${eventType.padEnd(10)} ${"error".padEnd(14)} ${conn.id} ${error instanceof Error ? error.message : String(error)}`;
    (this.props.log ?? console.error)(line);
  }

  private selectRoute(text: string): RouteModel | undefined {
    let document: unknown = MISSING;
    const key = evaluateSelectionExpression(this.api.routeSelectionExpression, (name) => {
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

  private async onMessage(conn: Connection, data: Buffer): Promise<void> {
    if (conn.closing) return;
    conn.lastActiveAt = Date.now();
    conn.timers[0].refresh();
    const requestId = newId();
    const messageId = newId();
    const text = data.toString("utf8");
    const route = this.selectRoute(text);
    const context = this.context({
      connectionId: conn.id,
      connectedAt: conn.connectedAt,
      eventType: "MESSAGE",
      routeKey: route?.key ?? "$default",
      requestId,
      messageId,
      sourceIp: conn.sourceIp,
      userAgent: conn.userAgent,
    });
    const fail = (error: GatewayErrorKind, result?: IntegrationResult, note?: string) => {
      this.sendText(conn, errorFrame(error, conn.id, requestId));
      this.record({ context, status: GatewayError[error].status, result, error, note });
    };
    if (!route) return fail("forbidden", undefined, "no route matches and the API has no $default route");
    if (this.throttled(route.key)) return fail("throttled");
    if (!route.integration) return fail("internal", undefined, `route ${route.key} has no integration`);
    const result = await this.invoker.invoke(route.integration, { eventType: "MESSAGE", body: data, context });
    if (!result.ok) return fail(result.error, result);
    // Two-way routes send the integration's answer back; one-way routes drop it.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html
    const reply = route.twoWay && result.body.length > 0;
    if (reply) this.sendText(conn, result.body);
    this.record({ context, status: 200, result, note: route.twoWay ? (reply ? "answered" : "empty answer") : "one-way" });
  }

  private async onClose(conn: Connection, code: number, reason: string): Promise<void> {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    for (const t of conn.timers) clearTimeout(t);
    const disconnect = conn.closedBy ?? { code, reason };
    const context = this.context({
      connectionId: conn.id,
      connectedAt: conn.connectedAt,
      eventType: "DISCONNECT",
      routeKey: "$disconnect",
      requestId: newId(),
      sourceIp: conn.sourceIp,
      userAgent: conn.userAgent,
      disconnect,
    });
    const route = this.routes.get("$disconnect");
    if (!route?.integration) return this.record({ context, status: 200, note: `closed ${disconnect.code}` });
    // "$disconnect is a best-effort event": its result reaches no one.
    this.pendingDisconnects++;
    try {
      const result = await this.invoker.invoke(route.integration, { eventType: "DISCONNECT", body: Buffer.alloc(0), context });
      this.record({
        context,
        status: result.ok ? 200 : GatewayError[result.error].status,
        result,
        error: result.ok ? undefined : result.error,
        note: `closed ${disconnect.code}`,
      });
    } finally {
      this.pendingDisconnects--;
    }
  }

  /** Closes a connection from the gateway's side (limits, DELETE @connections, stop). */
  private close(conn: Connection, code: number, reason: string): void {
    if (conn.closing) return;
    conn.closing = true;
    conn.closedBy = { code, reason };
    conn.socket.close(code, reason);
    const kill = setTimeout(() => conn.socket.terminate(), 1000);
    kill.unref();
    conn.timers.push(kill);
  }

  /** Sends a text message, in frames of at most the frame size (as API Gateway splits @connections messages). */
  private sendText(conn: Connection, text: string | Buffer): boolean {
    if (conn.socket.readyState !== WebSocket.OPEN) return false;
    const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
    if (bytes.length <= this.limits.frameBytes) {
      conn.socket.send(bytes, { binary: false });
      return true;
    }
    for (let offset = 0; offset < bytes.length; offset += this.limits.frameBytes) {
      const end = Math.min(bytes.length, offset + this.limits.frameBytes);
      conn.socket.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length });
    }
    return true;
  }

  private isStagePath(pathname: string): boolean {
    return pathname === `/${this.api.stage.name}` || pathname === `/${this.api.stage.name}/`;
  }

  /**
   * The @connections API at `<callback URL>/@connections/{connectionId}`:
   * POST sends, GET describes, DELETE closes; 410 (GoneException) for a
   * connection that is not there, 413 (PayloadTooLargeException) past 128 KB,
   * 403 without a SigV4 signature (not verified).
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
   */
  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req, this.limits.messageBytes);
    const url = new URL(req.url ?? "/", "http://gateway");
    const m = /^\/([^/]+)\/@connections\/([^/]+)\/?$/.exec(url.pathname);
    const requestId = newId();
    const answer = (status: number, payload?: string, errorType?: string) => {
      const headers: Record<string, string> = { "x-amzn-RequestId": requestId, "content-type": "application/json" };
      if (errorType) headers["x-amzn-ErrorType"] = errorType;
      res.writeHead(status, headers);
      res.end(payload);
      this.props.log?.(
        `${new Date().toISOString().slice(11, 23)} ${"@connections".padEnd(10)} ${`${req.method}`.padEnd(14)} ${m ? safeDecode(m[2]) : url.pathname} ${status}${errorType ? ` ${errorType}` : ""}`,
      );
    };
    if (!m || safeDecode(m[1]) !== this.api.stage.name) {
      if (!m && this.isStagePath(url.pathname)) return answer(426, errorBody("Upgrade Required"));
      return answer(403, errorBody("Forbidden"), "ForbiddenException");
    }
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("AWS4-HMAC-SHA256 ") && !url.searchParams.has("X-Amz-Signature")) {
      return answer(403, errorBody("Missing Authentication Token"), "MissingAuthenticationTokenException");
    }
    const conn = this.connections.get(safeDecode(m[2]));
    const live = conn && !conn.closing && conn.socket.readyState === WebSocket.OPEN ? conn : undefined;
    switch (req.method) {
      case "POST":
        if (body.tooLarge) return answer(413, errorBody(`Message too long: the limit is ${this.limits.messageBytes} bytes`), "PayloadTooLargeException");
        if (!live) return answer(410, "{}", "GoneException");
        this.sendText(live, body.data);
        return answer(200);
      case "GET":
        if (!live) return answer(410, "{}", "GoneException");
        return answer(
          200,
          JSON.stringify({
            connectedAt: new Date(live.connectedAt).toISOString(),
            identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
            lastActiveAt: new Date(live.lastActiveAt).toISOString(),
          }),
        );
      case "DELETE":
        if (!live) return answer(410, "{}", "GoneException");
        this.close(live, 1000, "");
        return answer(204);
      default:
        return answer(403, errorBody("Forbidden"), "ForbiddenException");
    }
  }
}

/** A stream over a socket that first replays bytes already read from it. */
class ReplaySocket extends Duplex {
  constructor(
    private readonly socket: net.Socket,
    first: Buffer,
  ) {
    super();
    this.push(first);
    socket.on("data", (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
  }

  public setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  public setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms, callback);
    return this;
  }

  public setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  _read(): void {
    this.socket.resume();
  }

  _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

/** Checks a backend URL: http(s) on loopback. */
export function checkBackendUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--backend must be an http:// URL on loopback, got ${JSON.stringify(value)}: e.g. --backend http://127.0.0.1:8080`);
  }
  if (!/^https?:$/.test(url.protocol) || !LOOPBACK.test(url.hostname)) {
    throw new Error(
      `--backend must be an http:// URL on loopback (127.0.0.1, localhost or [::1]), got ${JSON.stringify(value)}: the local gateway calls only a backend on this machine, e.g. --backend http://127.0.0.1:8080`,
    );
  }
  return url;
}

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = errorBody(message);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The client's address; a TLS socket over the replayed stream has none, and the gateway listens on 127.0.0.1 only. */
function remoteAddress(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<{ data: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return { data: Buffer.concat(chunks), tooLarge: size > limit };
}

/** `$context.requestTime`: CLF format, `dd/MMM/yyyy:HH:mm:ss +0000`. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
