import * as http from "http";
import { ConnectionLimits } from "./connection-limits";
import { GatewayClock } from "./gateway-clock";
import { GatewayLimits } from "./limits";

/** The control endpoint's path: `@` cannot begin a stage name or a mapping key, so no API path collides with it. */
export const CLOCK_PATH = "/@local/clock";

/**
 * The gateway's clock control, on the gateway's port: `GET /@local/clock` tells
 * the clock's offset and the limits; `POST /@local/clock?advance=<seconds>`
 * fast-forwards time for every open connection (those past their idle
 * timeout or maximum duration are closed with 1001 at once, as at the real
 * deadline, and get their `$disconnect`), and for the authorizer cache.
 * Answers JSON.
 */
export class ClockControl {
  constructor(
    private readonly clock: GatewayClock,
    private readonly limits: GatewayLimits,
    private readonly connectionLimits: ConnectionLimits,
    private readonly log: (line: string) => void,
  ) {}

  /** Answers a request to {@link CLOCK_PATH}; false for other paths. */
  public handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    if (url.pathname !== CLOCK_PATH) return false;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET") return (send(200, this.state()), true);
    if (req.method !== "POST") return (send(405, { message: "use GET, or POST ?advance=<seconds>" }), true);
    const text = url.searchParams.get("advance") ?? "";
    const seconds = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(seconds))
      return (send(400, { message: `advance must be a number of seconds >= 0, got ${JSON.stringify(text)}: e.g. POST ${CLOCK_PATH}?advance=600` }), true);
    const closed = this.connectionLimits.advance(seconds * 1000);
    this.log(`${"CLOCK".padEnd(10)} ${"advance".padEnd(14)} +${seconds} s (${closed.length} connection(s) closed at a limit)`);
    send(200, { ...this.state(), advancedSeconds: seconds, closed });
    return true;
  }

  private state(): Record<string, unknown> {
    return {
      now: new Date(this.clock.now()).toISOString(),
      offsetSeconds: this.clock.offset / 1000,
      idleTimeoutSeconds: this.limits.idleTimeoutMs / 1000,
      maxConnectionSeconds: this.limits.maxConnectionMs / 1000,
    };
  }
}
