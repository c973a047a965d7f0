import * as fs from "fs";
import * as path from "path";

/**
 * Access log lines in the stage's own format (`access_log_settings.format`):
 * each `$context.<variable>` is replaced by its value, `-` where the event
 * has none, as API Gateway writes them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html).
 * One line per event (CONNECT, MESSAGE, DISCONNECT), appended to a file
 * instead of a CloudWatch log group. In a JSON format, values are escaped so
 * every line stays valid JSON.
 */
export class AccessLog {
  private readonly parts: Array<string | string[]>;
  private readonly json: boolean;
  private readonly stream?: fs.WriteStream;
  private pending = "";
  private timer?: NodeJS.Timeout;

  constructor(
    public readonly format: string,
    public readonly file?: string,
  ) {
    this.parts = compile(format);
    this.json = format.trim().startsWith("{");
    if (file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.stream = fs.createWriteStream(file, { flags: "a" });
      this.stream.on("error", () => undefined);
    }
  }

  /** The line for an event's context. */
  public line(context: Record<string, unknown>): string {
    let out = "";
    for (const part of this.parts) {
      if (typeof part === "string") {
        out += part;
        continue;
      }
      let value: unknown = context;
      for (const key of part) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
      const text = value === undefined || value === null || value === "" ? "-" : typeof value === "object" ? JSON.stringify(value) : String(value);
      out += this.json && NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
    }
    return out;
  }

  /**
   * Appends the event's line to the file. Lines are written together every
   * 100 ms (or 64 KB), one file write for many events: API Gateway delivers
   * access logs asynchronously too.
   */
  public write(context: Record<string, unknown>): void {
    if (!this.stream) return;
    this.pending += this.line(context) + "\n";
    if (this.pending.length > 64 * 1024) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), 100);
      this.timer.unref();
    }
  }

  /** Flushes and closes the file. */
  public close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => (this.stream ? this.stream.end(() => resolve()) : resolve()));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending || !this.stream || this.stream.writableEnded) return;
    this.stream.write(this.pending);
    this.pending = "";
  }
}

// A JSON string must escape the quote, the backslash and the control characters U+0000 to U+001F
// (RFC 8259, section 7): matching control characters is the point.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

function compile(format: string): Array<string | string[]> {
  const parts: Array<string | string[]> = [];
  const re = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    if (m.index > last) parts.push(format.slice(last, m.index));
    parts.push(m[1].split("."));
    last = m.index + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  return parts;
}
