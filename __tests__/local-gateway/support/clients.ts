import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { WebSocket } from "ws";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

/** A WebSocket test client that keeps every message it receives. */
export class Client {
  /** Connects; rejects with the refused handshake's status code. */
  public static connect(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers, perMessageDeflate: false });
      const client = new Client(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res: http.IncomingMessage) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.once("error", reject);
    });
  }

  public readonly messages: string[] = [];
  public readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(public readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.messages.push(data.toString("utf8"));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  public send(data: string | object): void {
    this.ws.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  /** The first received message (consumed) for which `match` holds. */
  public async next(match: (m: string) => boolean = () => true, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(match);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; received ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a frame and returns the next message. */
  public async ask(data: string | object, match?: (m: string) => boolean): Promise<string> {
    this.send(data);
    return this.next(match);
  }

  /** Asserts that nothing arrives for a while. */
  public async expectSilence(ms = 400): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.messages.length) throw new Error(`expected no message, got ${JSON.stringify(this.messages)}`);
  }

  public close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** The error frame AWS sends, parsed. */
export function parseErrorFrame(frame: string): { message: string; connectionId: string; requestId: string } {
  return JSON.parse(frame);
}

/**
 * `npm run local` run as a user runs it (node scripts/run.js scripts/local.ts ...),
 * its output kept line by line.
 */
export class LocalCommand {
  public readonly lines: string[] = [];
  public readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  /** With `npm: true`, runs `npm run local -- <args>` itself; else the script npm runs. */
  constructor(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; npm?: boolean } = {}) {
    const [command, argv] = options.npm ? ["npm", ["run", "local", "--", ...args]] : [process.execPath, ["scripts/run.js", "scripts/local.ts", ...args]];
    this.child = spawn(command, argv, { cwd: options.cwd ?? PROJECT_DIR, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let buffer = "";
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      this.lines.push(...parts);
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    this.exited = new Promise((resolve) => this.child.on("close", (code, signal) => resolve({ code, signal })));
  }

  public get output(): string {
    return this.lines.join("\n");
  }

  /** Waits for a line matching `re`; fails when the command exits first. */
  public async waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      for (const line of this.lines) {
        const m = re.exec(line);
        if (m) return m;
      }
      if (exited) throw new Error(`npm run local exited before printing ${re}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`npm run local printed no ${re} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Ctrl-C as a user would: SIGTERM, then waits for the teardown. */
  public async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    return this.exited;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as any).port;
      server.close(() => resolve(port));
    });
  });
}
