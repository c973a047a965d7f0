import * as http from "http";
import { Duplex } from "stream";
import { ApiModel, connectMethodArn, routeOf } from "./api-model";
import { AuthorizerHandler } from "./authorizer-handler";
import { BackendClient } from "./backend-client";
import { ClockControl, CLOCK_PATH } from "./clock-control";
import { ConnectAuthorization } from "./connect-authorization";
import { ConnectHandler } from "./connect-handler";
import { ConnectionLimits } from "./connection-limits";
import { Connections } from "./connections";
import { ConnectionsApi } from "./connections-api";
import { CustomDomains, pathSegments } from "./custom-domains";
import { EventLog } from "./event-log";
import { GatewayClock } from "./gateway-clock";
import { errorBody } from "./gateway-errors";
import { GatewayServer } from "./gateway-server";
import { EMULATOR_CREDENTIALS, IamAuthorizer } from "./iam-authorizer";
import { evaluatePolicy } from "./iam-policy";
import { IntegrationInvoker, LOOPBACK } from "./integration-invoker";
import { LambdaAuthorizer } from "./lambda-authorizer";
import { AWS_LIMITS, GatewayLimits } from "./limits";
import { MessageRouter } from "./message-router";
import { SigningCredentials } from "./sigv4";
import { Throttles } from "./throttles";

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
   * works unmodified. To serve a custom domain or the execute-api host over
   * TLS by name, the certificate must name them (see {@link LocalGateway.hostNames}).
   * @default - plain ws:// and http:// only
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /**
   * AWS's limits, each replaceable (e.g. `idleTimeoutMs`, `maxConnectionMs`).
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
   * Runs the `$connect` route's Lambda authorizer (a route with
   * `authorization_type = "CUSTOM"`): the user's handler, loaded with
   * `loadAuthorizerHandler` from a file or a loopback URL.
   * @default - not run: every connection is accepted and `$context.authorizer` is empty
   */
  readonly authorizer?: AuthorizerHandler;
  /**
   * How long the authorizer may take; past it the handshake is refused with
   * 500. (On AWS the function's own timeout applies; Lambda's default is 3 s.)
   * @default 10000
   */
  readonly authorizerTimeoutMs?: number;
  /**
   * Credentials whose SigV4 signatures are accepted: `AWS_IAM` handshakes and
   * @connections calls.
   * @default EMULATOR_CREDENTIALS (test / test)
   */
  readonly credentials?: readonly SigningCredentials[];
  /**
   * The identity policy of whoever signs an `AWS_IAM` handshake: it must
   * allow `execute-api:Invoke` on the `$connect` route's ARN.
   * @default - none: every valid signature may connect
   */
  readonly iamPolicy?: unknown;
  /**
   * File the stage's access log lines are appended to.
   * @default - no access log file
   */
  readonly accessLogFile?: string;
  /**
   * Receives one compact line per event (connect, message, disconnect,
   * @connections call, clock), e.g. `console.log`.
   * @default - no event lines
   */
  readonly log?: (line: string) => void;
}

/**
 * A local data plane for an API Gateway WebSocket API: serves one stage of a
 * deployed (or synthesized) API on 127.0.0.1, with its routes, route
 * selection, integrations, templates, integration and route responses,
 * throttling, limits and access log, its `$connect` authorization (a Lambda
 * authorizer, IAM), its custom domains' mapping paths, and the @connections
 * API. The README beside this file lists each behaviour with the AWS page it
 * follows, and what is not emulated. Each job is a file: the server
 * (gateway-server.ts), the handshake (connect-handler.ts), frames and routes
 * (message-router.ts), connections (connections.ts), limits
 * (connection-limits.ts, throttles.ts), @connections (connections-api.ts),
 * logs (event-log.ts), the authorizer (lambda-authorizer.ts), IAM
 * (iam-authorizer.ts, sigv4.ts) and domains (custom-domains.ts).
 */
export class LocalGateway {
  /** Starts serving; resolves once the port is listening. */
  public static async start(props: LocalGatewayProps): Promise<LocalGateway> {
    const gateway = new LocalGateway(props);
    await gateway.server.listen(props.port ?? 0);
    return gateway;
  }

  public readonly api: ApiModel;
  public readonly limits: GatewayLimits;
  /** The gateway's clock: real time plus what {@link advanceClock} added. */
  public readonly clock = new GatewayClock();
  private readonly client = new BackendClient();
  private readonly invoker: IntegrationInvoker;
  private readonly connections: Connections;
  private readonly connectionLimits: ConnectionLimits;
  private readonly domains: CustomDomains;
  private readonly router: MessageRouter;
  private readonly connectHandler: ConnectHandler;
  private readonly connectionsApi: ConnectionsApi;
  private readonly clockControl: ClockControl;
  private readonly log: EventLog;
  private readonly server: GatewayServer;
  private readonly authorization?: ConnectAuthorization;
  private readonly props: LocalGatewayProps;
  private stopping = false;

  private constructor(props: LocalGatewayProps) {
    this.props = props;
    this.api = props.api;
    this.limits = { ...AWS_LIMITS, ...props.limits };
    const backend = props.backend !== undefined ? checkBackendUrl(props.backend) : undefined;
    this.log = new EventLog(this.api.stage.accessLogFormat, props.accessLogFile, props.log);
    this.domains = new CustomDomains(
      this.api,
      () => this.domainName,
      () => this.connectionsOrigin,
    );
    this.invoker = new IntegrationInvoker(this.api, this.client, backend, this.limits.maxIntegrationTimeoutMs, (text) =>
      this.domains.localizeCallbackUrls(text),
    );
    this.connections = new Connections(this.limits, this.clock);
    this.connectionLimits = new ConnectionLimits(this.limits, this.clock, this.connections);
    const throttles = new Throttles(this.api.stage, this.limits, props.throttling !== false);
    const iam = new IamAuthorizer(this.api, props.credentials ?? EMULATOR_CREDENTIALS, props.iamPolicy);
    if (props.iamPolicy !== undefined) evaluatePolicy(props.iamPolicy, "execute-api:Invoke", connectMethodArn(this.api)); // a malformed policy fails now
    this.authorization = this.connectAuthorization(iam);
    const common = { api: this.api, clock: this.clock, connections: this.connections, invoker: this.invoker, throttles, log: this.log };
    this.router = new MessageRouter(common);
    this.connectHandler = new ConnectHandler({
      ...common,
      limits: this.limits,
      connectionLimits: this.connectionLimits,
      domains: this.domains,
      router: this.router,
      authorization: this.authorization,
      port: () => this.port,
      stopping: () => this.stopping,
    });
    this.connectionsApi = new ConnectionsApi({ limits: this.limits, connections: this.connections, domains: this.domains, log: this.log, signatures: iam });
    this.clockControl = new ClockControl(this.clock, this.limits, this.connectionLimits, (line) => this.log.line(line));
    this.server = new GatewayServer(
      { onRequest: (req, res) => this.onRequest(req, res), onUpgrade: (req, socket, head) => this.onUpgrade(req, socket, head) },
      props.tls,
    );
  }

  /** The port on 127.0.0.1. */
  public get port(): number {
    return this.server.port;
  }

  /** `$context.domainName` of connections to 127.0.0.1: host and port clients and backends reach the gateway at. */
  public get domainName(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `ws://127.0.0.1:<port>/<stage>`: what clients connect to. */
  public get url(): string {
    return `ws://${this.domainName}/${this.api.stage.name}`;
  }

  /** Base URL of the @connections API (`https://` with TLS, else `http://`). */
  public get connectionsUrl(): string {
    return `${this.connectionsOrigin}/${this.api.stage.name}`;
  }

  /** The custom domains' URLs on this gateway: `ws://127.0.0.1:<port>/<key>` (or `/`) for each `wss://<domain>[/<key>]`. */
  public get domainUrls(): Array<{ url: string; domainUrl: string }> {
    return this.domains.mappings.map((m) => ({ url: `ws://${this.domainName}${m.path}`, domainUrl: m.domainUrl }));
  }

  /** Host names the gateway answers for besides 127.0.0.1 (the execute-api host, custom domains): a TLS certificate should name them. */
  public get hostNames(): string[] {
    return this.domains.hostNames;
  }

  /** The clock control endpoint: GET it for the clock, POST `?advance=<seconds>` to fast-forward. */
  public get clockUrl(): string {
    return `http://${this.domainName}${CLOCK_PATH}`;
  }

  private get connectionsOrigin(): string {
    return `${this.server.tls ? "https" : "http"}://${this.domainName}`;
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

  /** How `$connect` is authorized here, one line (undefined when it has no authorization). */
  public describeAuthorization(): string | undefined {
    const connect = routeOf(this.api, "$connect");
    if (connect?.authorizationType === "CUSTOM") {
      const a = connect.authorizer!;
      const head = `$connect authorizer (CUSTOM, ${a.name}, identity sources ${a.identitySources.join(", ") || "none"})`;
      if (!this.props.authorizer)
        return `${head}: not run, every connection is accepted and $context.authorizer is empty (pass --authorizer <file.js[:export]> or <loopback URL> to run yours)`;
      const cache = a.resultTtlSeconds > 0 ? `results cached ${a.resultTtlSeconds} s by identity source values` : "no result caching (deployed TTL 0)";
      return `${head}: runs ${this.props.authorizer.description}, ${cache}, timeout ${(this.props.authorizerTimeoutMs ?? 10_000) / 1000} s`;
    }
    if (connect?.authorizationType === "AWS_IAM") {
      const keys = (this.props.credentials ?? EMULATOR_CREDENTIALS).map((c) => c.accessKeyId).join(", ");
      const policy =
        this.props.iamPolicy !== undefined
          ? `execute-api:Invoke on ${connectMethodArn(this.api)} checked against --iam-policy`
          : "any valid signature may connect (no --iam-policy)";
      return `$connect IAM authorization (AWS_IAM): SigV4 verified (header or query string, service execute-api, region ${this.api.region}, access key ${keys}); ${policy}`;
    }
    return undefined;
  }

  /** What the gateway holds: connections, calls in progress and pending $disconnect calls (all 0 when idle). */
  public stats(): { connections: number; pendingIntegrations: number; pendingDisconnects: number; sockets: number } {
    return {
      connections: this.connections.size,
      pendingIntegrations: this.client.pending,
      pendingDisconnects: this.router.pendingDisconnects,
      sockets: this.server.socketCount,
    };
  }

  /**
   * Fast-forwards the gateway's clock for every open connection (and the
   * authorizer cache); connections that reach their idle timeout or maximum
   * duration are closed with 1001 now. Returns the ids closed.
   */
  public advanceClock(seconds: number): string[] {
    return this.connectionLimits.advance(seconds * 1000);
  }

  /**
   * Stops: no new connections; every connection is closed with 1001 (Going
   * away) and gets its $disconnect call (waited for up to 5 s); then the
   * port, the backend connections and the access log file are closed.
   */
  public async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closed = this.server.close();
    for (const conn of [...this.connections.values()]) this.connections.close(conn, 1001, "Going away");
    const deadline = Date.now() + 5000;
    while ((this.connections.size > 0 || this.router.pendingDisconnects > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of this.connections.values()) conn.socket.terminate();
    this.server.destroySockets();
    this.client.close();
    await closed;
    await this.log.close();
  }

  /** The `$connect` route's authorization, as its `authorization_type` says. */
  private connectAuthorization(iam: IamAuthorizer): ConnectAuthorization | undefined {
    const connect = routeOf(this.api, "$connect");
    if (connect?.authorizationType === "AWS_IAM") return iam;
    if (connect?.authorizationType === "CUSTOM" && this.props.authorizer)
      return new LambdaAuthorizer(this.api, connect.authorizer!, this.props.authorizer, this.clock, this.props.authorizerTimeoutMs ?? 10_000);
    return undefined;
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return this.connectHandler.onUpgrade(req, socket, head);
  }

  /** Plain HTTP: the clock control, the @connections API, 426 on the stage's paths, 403 elsewhere. */
  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (this.clockControl.handle(req, res, url)) return;
    if (await this.connectionsApi.handle(req, res, url)) return;
    req.resume();
    const upgradeRequired = this.domains.isStagePath(req.headers.host, pathSegments(url.pathname));
    res.writeHead(upgradeRequired ? 426 : 403, {
      "content-type": "application/json",
      ...(upgradeRequired ? {} : { "x-amzn-ErrorType": "ForbiddenException" }),
    });
    res.end(errorBody(upgradeRequired ? "Upgrade Required" : "Forbidden"));
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
