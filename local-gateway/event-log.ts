import { AccessLog } from "./access-log";
import { GatewayError, GatewayErrorKind } from "./gateway-errors";
import { IntegrationResult } from "./integration-invoker";

/** What an event gives the access log and the console. */
export interface EventRecord {
  readonly context: Record<string, unknown>;
  readonly status: number;
  readonly result?: IntegrationResult;
  readonly error?: GatewayErrorKind;
  /** `$context.error.message` of a refusal the gateway errors do not name (an authorizer's 401/403). */
  readonly errorMessage?: string;
  /** `$context.error.responseType` with {@link errorMessage}, e.g. `UNAUTHORIZED`, `ACCESS_DENIED`. */
  readonly responseType?: string;
  readonly note?: string;
}

const RESPONSE_TYPES: Record<GatewayErrorKind, string> = {
  forbidden: "MISSING_AUTHENTICATION_TOKEN",
  internal: "INTEGRATION_FAILURE",
  timeout: "INTEGRATION_TIMEOUT",
  throttled: "THROTTLED",
  unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * The gateway's logs: the stage's access log (one line per event in its
 * format, to a file) and one compact console line per event.
 */
export class EventLog {
  private readonly accessLog?: AccessLog;

  constructor(
    format: string | undefined,
    file: string | undefined,
    private readonly console?: (line: string) => void,
  ) {
    if (format && file) this.accessLog = new AccessLog(format, file);
  }

  /** A line on the console, timestamped like the event lines. */
  public line(text: string): void {
    this.console?.(`${time()} ${text}`);
  }

  /** Writes the access log line and the console line of an event. */
  public record(event: EventRecord): void {
    const c = event.context;
    const r = event.result;
    const errorMessage = event.error ? GatewayError[event.error].message : (event.errorMessage ?? "");
    if (this.accessLog) {
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
        error: {
          message: errorMessage,
          messageString: JSON.stringify(errorMessage),
          responseType: event.error ? RESPONSE_TYPES[event.error] : (event.responseType ?? ""),
        },
      });
    }
    if (this.console) {
      const what = r ? (r.ok ? `${r.target} ${r.status} ${r.latencyMs.toFixed(1)} ms` : `${GatewayError[r.error].message}: ${r.detail}`) : errorMessage;
      this.console(
        `${time()} ${String(c.eventType).padEnd(10)} ${String(c.routeKey).padEnd(14)} ${c.connectionId} ${event.status} ${what}${event.note ? ` (${event.note})` : ""}`.trimEnd(),
      );
    }
  }

  /** A handler that failed unexpectedly: one line on the console (stderr without one), and the gateway carries on. */
  public error(eventType: string, connectionId: string, error: unknown): void {
    const line = `${time()} ${eventType.padEnd(10)} ${"error".padEnd(14)} ${connectionId} ${error instanceof Error ? error.message : String(error)}`;
    (this.console ?? console.error)(line);
  }

  public close(): Promise<void> {
    return this.accessLog?.close() ?? Promise.resolve();
  }
}

function time(): string {
  return new Date().toISOString().slice(11, 23);
}
