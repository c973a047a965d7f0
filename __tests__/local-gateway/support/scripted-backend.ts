import * as http from "http";

/** A request the backend received. */
export interface BackendCall {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What the backend answers. */
export interface BackendAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Waits this long before answering. */
  readonly delayMs?: number;
}

/**
 * A backend whose answers the test decides: every call is recorded, and
 * `answer` (replaceable) gives the answer; by default 200 with
 * `<path> <body>` as text.
 */
export class ScriptedBackend {
  public readonly calls: BackendCall[] = [];
  public answer: (call: BackendCall) => BackendAnswer = (call) => ({ body: `${call.path} ${call.body}` });
  private server = this.create();
  private port = 0;

  public get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again, on the same port after {@link stop}). */
  public async start(): Promise<this> {
    this.server = this.create();
    await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", () => resolve()));
    this.port = (this.server.address() as any).port;
    return this;
  }

  /** Stops answering: connections are refused. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  public callsTo(path: string): BackendCall[] {
    return this.calls.filter((c) => c.path.split("?")[0] === path);
  }

  /** Waits until a call to a path arrives for which `match` holds. */
  public async waitFor(path: string, match: (c: BackendCall) => boolean = () => true, timeoutMs = 5000): Promise<BackendCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = this.callsTo(path).find(match);
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no call to ${path} within ${timeoutMs} ms; got ${JSON.stringify(this.calls.map((c) => c.path))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private create(): http.Server {
    return http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const call: BackendCall = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      this.calls.push(call);
      const a = this.answer(call);
      if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
      if (res.destroyed) return;
      res.writeHead(a.status ?? 200, { "content-type": "text/plain", ...a.headers });
      res.end(a.body ?? "");
    });
  }
}
