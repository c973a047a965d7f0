import { Connection, Connections } from "./connections";
import { GatewayClock } from "./gateway-clock";
import { GatewayLimits } from "./limits";

/**
 * The close sent when a connection reaches its idle timeout or its maximum
 * duration: 1001 (Going away, RFC 6455 section 7.4.1, "an endpoint is going
 * away, such as a server going down"). AWS documents the two limits (10
 * minutes, 2 hours: "Idle Connection Timeout", "Connection duration for
 * WebSocket API",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html)
 * but not the close frame it sends then; 1001 is the protocol's code for a
 * server ending a connection it will not keep.
 */
export const LIMIT_CLOSE = { code: 1001, reason: "Going away" } as const;

/**
 * The idle timeout and the maximum duration of each connection, on the
 * gateway's clock. The idle timeout counts from the last data frame in
 * either direction (a client's frame, a two-way answer, an error frame, a
 * @connections message): see the README ("Idle timeout") for the evidence.
 * Client pings do not count.
 */
export class ConnectionLimits {
  constructor(
    private readonly limits: GatewayLimits,
    private readonly clock: GatewayClock,
    private readonly connections: Connections,
  ) {}

  /** Starts a new connection's two timers. */
  public arm(conn: Connection): void {
    this.schedule(conn, "idle");
    this.schedule(conn, "max");
  }

  /**
   * Fast-forwards the clock for every open connection: those whose idle time
   * or age reaches a limit are closed as the limit closes them; the others'
   * timers are set to what is left. Returns the ids closed.
   */
  public advance(ms: number): string[] {
    this.clock.advance(ms);
    const closed: string[] = [];
    for (const conn of [...this.connections.values()]) {
      if (conn.closing) continue;
      if (this.expired(conn)) {
        closed.push(conn.id);
        continue;
      }
      this.arm(conn);
    }
    return closed;
  }

  /** When a limit is reached, closes the connection and returns true. */
  private expired(conn: Connection): boolean {
    const now = this.clock.now();
    if (now < conn.lastTrafficAt + this.limits.idleTimeoutMs && now < conn.connectedAt + this.limits.maxConnectionMs) return false;
    this.connections.close(conn, LIMIT_CLOSE.code, LIMIT_CLOSE.reason);
    return true;
  }

  /**
   * Sets a limit's timer for its deadline on the gateway's clock. Activity only moves
   * `lastTrafficAt` (nothing to reset per frame); the idle timer, when it
   * fires early for that reason, sets itself again for what is left.
   */
  private schedule(conn: Connection, which: "idle" | "max"): void {
    const old = conn.timers[which];
    if (old) clearTimeout(old);
    const deadline = which === "idle" ? conn.lastTrafficAt + this.limits.idleTimeoutMs : conn.connectedAt + this.limits.maxConnectionMs;
    const timer = setTimeout(
      () => {
        if (!conn.closing && !this.expired(conn)) this.schedule(conn, which);
      },
      Math.max(0, deadline - this.clock.now()),
    );
    timer.unref();
    conn.timers[which] = timer;
  }
}
