import { WebSocket } from "ws";
import { GatewayClock } from "./gateway-clock";
import { GatewayLimits } from "./limits";

/** What a `$connect` Lambda authorizer returned, kept for the connection's life (`$context.authorizer`). */
export interface AuthorizerResult {
  readonly principalId: string;
  /** The `context` map: string, number and boolean values only. */
  readonly context: Readonly<Record<string, string | number | boolean>>;
}

/** Who signed an IAM-authorized handshake (`$context.identity.*`). */
export interface CallerIdentity {
  readonly accessKey: string;
  readonly accountId: string;
  readonly caller: string;
  readonly user: string;
  readonly userArn: string;
}

/** A connected client. */
export interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  /** The last frame from the client: @connections GET's `lastActiveAt`. */
  lastActiveAt: number;
  /** The last data frame in either direction: what the idle timeout counts from. */
  lastTrafficAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** `$context.domainName` of this connection's events: the host it connected to. */
  readonly domainName: string;
  /** The `$connect` authorizer's result, for every event of the connection. */
  readonly authorizer?: AuthorizerResult;
  /** The signer of an IAM-authorized handshake. */
  readonly identity?: CallerIdentity;
  /** Idle and maximum-duration timers, and the one that ends a close handshake the client never answers. */
  readonly timers: { idle?: NodeJS.Timeout; max?: NodeJS.Timeout; kill?: NodeJS.Timeout };
  closing: boolean;
  /** Close code and reason the gateway chose, for `$context.disconnectStatusCode/disconnectReason`. */
  closedBy?: { code: number; reason: string };
}

/**
 * The open connections: lookup by id, sending (in frames of at most the
 * frame size, as API Gateway splits @connections messages) and closing from
 * the gateway's side.
 */
export class Connections {
  private readonly byId = new Map<string, Connection>();

  constructor(
    private readonly limits: GatewayLimits,
    private readonly clock: GatewayClock,
  ) {}

  public get size(): number {
    return this.byId.size;
  }

  public add(conn: Connection): void {
    this.byId.set(conn.id, conn);
  }

  /** Forgets a connection; false when it was already forgotten (or replaced). */
  public remove(conn: Connection): boolean {
    if (this.byId.get(conn.id) !== conn) return false;
    this.byId.delete(conn.id);
    for (const t of Object.values(conn.timers)) if (t) clearTimeout(t);
    return true;
  }

  public values(): IterableIterator<Connection> {
    return this.byId.values();
  }

  /** The connection with an id if it is open and not closing (@connections answers 410 otherwise). */
  public live(id: string): Connection | undefined {
    const conn = this.byId.get(id);
    return conn && !conn.closing && conn.socket.readyState === WebSocket.OPEN ? conn : undefined;
  }

  /**
   * Sends a text message, in frames of at most the frame size. Traffic to
   * the client counts as activity for the idle timeout (see limits.ts).
   */
  public send(conn: Connection, text: string | Buffer): boolean {
    if (conn.socket.readyState !== WebSocket.OPEN) return false;
    conn.lastTrafficAt = this.clock.now();
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

  /** Closes a connection from the gateway's side (limits, DELETE @connections, stop); the client gets 1 s to answer. */
  public close(conn: Connection, code: number, reason: string): void {
    if (conn.closing) return;
    conn.closing = true;
    conn.closedBy = { code, reason };
    conn.socket.close(code, reason);
    const kill = setTimeout(() => conn.socket.terminate(), 1000);
    kill.unref();
    conn.timers.kill = kill;
  }
}
