import * as http from "http";
import { WebSocket, WebSocketServer } from "ws";
import { runScenario, ScenarioOptions } from "../../scripts/lib/verify/scenario";
import { signedHandshakeHeaders } from "../../scripts/lib/verify/handshake";
import { UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";

/**
 * The data-plane scenario's checks against an in-process endpoint that
 * behaves as the contract says (or breaks one step of it). The same scenario
 * runs against `npm run local` in __tests__/local-gateway/checks/verify.ts.
 */

interface Faults {
  /** Route keys answered as an unknown action (not in the deployment). */
  missing?: string[];
  /** The backend never pushes through @connections. */
  noPush?: boolean;
  /** $connect refused with this status. */
  refuse?: number;
  /** Module: what $default answers ("" for nothing). */
  moduleReply?: string;
}

class FakeApi {
  public readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, { ws: WebSocket; name?: string; at: Date; ua?: string }>();
  public readonly handshakes: http.IncomingHttpHeaders[] = [];
  private next = 0;

  constructor(
    private readonly kind: "chat" | "module",
    public faults: Faults = {},
  ) {
    this.server = http.createServer();
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => {
      this.handshakes.push(req.headers);
      if (this.faults.refuse) {
        const body = '{"message": "Internal server error"}';
        socket.end(`HTTP/1.1 ${this.faults.refuse} Error\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, req));
    });
  }

  public async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    return `ws://127.0.0.1:${(this.server.address() as any).port}/prod`;
  }

  public close(): Promise<void> {
    for (const c of this.conns.values()) c.ws.terminate();
    return new Promise((r) => this.server.close(() => r()));
  }

  public getConnection = async (id: string) => {
    const c = this.conns.get(id);
    if (!c) throw Object.assign(new Error(""), { name: "GoneException", $metadata: { httpStatusCode: 410 } });
    return { ConnectedAt: c.at, Identity: { SourceIp: "127.0.0.1", UserAgent: c.ua } };
  };

  /** Module: the access log's stand-in, connection ids by User-Agent. */
  public idsByAgent = async (agents: readonly string[]) =>
    Object.fromEntries([...this.conns.entries()].filter(([, c]) => c.ua && agents.includes(c.ua)).map(([id, c]) => [c.ua!, id]));

  private connected(ws: WebSocket, req: http.IncomingMessage): void {
    const id = `conn${this.next++}=`;
    this.conns.set(id, { ws, at: new Date(), ua: req.headers["user-agent"] });
    ws.on("close", () => this.conns.delete(id));
    ws.on("message", (data: Buffer) => (this.kind === "chat" ? this.chat(id, ws, data.toString()) : this.module(ws, data.toString())));
  }

  private module(ws: WebSocket, frame: string): void {
    const reply = this.faults.moduleReply ?? `/default ${frame}`;
    if (reply) ws.send(reply);
  }

  private chat(id: string, ws: WebSocket, frame: string): void {
    const body = JSON.parse(frame);
    const me = this.conns.get(id)!;
    if ((this.faults.missing ?? []).includes(body.action)) return void ws.send(UNKNOWN_ACTION_REPLY);
    const others = () => [...this.conns.entries()].filter(([k, c]) => k !== id && c.name).map(([k, c]) => ({ connectionId: k, username: c.name }));
    switch (body.action) {
      case "username":
        me.name = body.username;
        return void ws.send(`assigned username: ${body.username} to connection id: ${id}\n`);
      case "online":
        if (!this.faults.noPush) ws.send(`: ${JSON.stringify(others())}`);
        return void ws.send(`${JSON.stringify(others())}\n`);
      case "message": {
        const target = [...this.conns.values()].find((c) => c.name === body.username);
        if (target && !this.faults.noPush) target.ws.send(`${me.name}: ${body.message}`);
        return void ws.send(`sent message: ${body.message}\nto: ${body.username}\n\n`);
      }
      default:
        return void ws.send(UNKNOWN_ACTION_REPLY);
    }
  }
}

async function scenario(kind: "chat" | "module", faults: Faults = {}, extra: Partial<ScenarioOptions> = {}) {
  const api = new FakeApi(kind, faults);
  const url = await api.listen();
  try {
    const outcome = await runScenario(
      {
        kind,
        urls: [{ url, label: "stage" }],
        getConnection: api.getConnection,
        timeoutMs: 1500,
        findConnectionIds: kind === "module" ? api.idsByAgent : undefined,
        ...extra,
      },
      "n0nce",
    );
    return {
      outcome,
      statuses: Object.fromEntries(outcome.results.map((r) => [r.hop, r.status])),
      hop: (h: string) => outcome.results.find((r) => r.hop === h)!,
      api,
    };
  } finally {
    await api.close();
  }
}

describe("runScenario, chat", () => {
  test("passes every data-plane hop against an endpoint that serves the contract, with two throwaway user names", async () => {
    const { statuses, hop, outcome, api } = await scenario("chat");
    expect(statuses).toEqual({ connect: "PASS", frames: "PASS", "connections-api": "PASS", disconnect: "PASS" });
    expect(hop("connections-api").seen).toMatch(/^GET @connections\/conn[01]= \(signed with your credentials\) answered: connected at /);
    expect(hop("disconnect").seen).toMatch(/^2 clients closed cleanly \(\d+, \d+\); @connections then answered 410 Gone for conn\d=$/);
    expect(outcome.connectionIds.sort()).toEqual(["conn0=", "conn1="]);
    expect(api.handshakes.map((h) => h["user-agent"])).toEqual(["wsgw-verify/n0nce-a", "wsgw-verify/n0nce-b"]);
  });

  test("fails frames when a route answers as $default (not in the deployment)", async () => {
    const { statuses, hop } = await scenario("chat", { missing: ["online"] });
    expect(statuses.frames).toBe("FAIL");
    expect(hop("frames")).toMatchObject({
      seen: expect.stringMatching(/^online: answered by \$default/),
      cause: expect.stringContaining("not in the stage's deployment"),
    });
    expect(hop("connections-api").status).toBe("SKIP");
  });

  test("fails frames when the list sent through @connections never arrives, pointing at the callback path", async () => {
    const { hop } = await scenario("chat", { noPush: true });
    expect(hop("frames")).toMatchObject({
      status: "FAIL",
      seen: expect.stringMatching(/^online: the backend answered, but the list it sends through @connections never arrived/),
      cause: expect.stringContaining("callback-path"),
    });
  });

  test("fails connect with the status, and runs nothing else, when $connect is refused", async () => {
    const { statuses, hop } = await scenario("chat", { refuse: 500 });
    expect(statuses).toEqual({ connect: "FAIL", frames: "SKIP", "connections-api": "SKIP", disconnect: "SKIP" });
    expect(hop("connect")).toMatchObject({
      seen: expect.stringMatching(/was refused: 500 \{"message": "Internal server error"\}$/),
      cause: expect.stringContaining("$connect integration failed"),
    });
  });

  test("passes the token as a query parameter, and signs the handshake when asked", async () => {
    const headers = await signedHandshakeHeaders("wss://abc.execute-api.us-east-1.amazonaws.com/prod?token=t", "us-east-1", {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
    });
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const { api } = await scenario("chat", {}, { query: { token: "s3cret" }, handshakeHeaders: async () => ({ "x-signed": "yes" }) });
    expect(api.handshakes.every((h) => h["x-signed"] === "yes")).toBe(true);
  });
});

describe("runScenario, module", () => {
  test("passes the $default round trip, lists the custom routes it does not send, and finds its connection id", async () => {
    const { statuses, hop } = await scenario("module", {}, { customRoutes: ["joinGame", "makeMove"] });
    expect(statuses).toEqual({ connect: "PASS", frames: "PASS", "connections-api": "PASS", disconnect: "PASS" });
    expect(hop("frames").seen).toMatch(
      /^\$default: the backend's POST \/default answered "\/default \{\\"action\\":\\"wsgw-verify-n0nce\\",\\"verify\\":true\}"; .*; custom routes joinGame, makeMove not sent/,
    );
  });

  test("fails frames on AWS's error frame", async () => {
    const { hop } = await scenario("module", { moduleReply: JSON.stringify({ message: "Internal server error", connectionId: "x=", requestId: "r" }) });
    expect(hop("frames")).toMatchObject({
      status: "FAIL",
      seen: '$default: API Gateway answered "Internal server error"',
      cause: expect.stringContaining("POST /default"),
    });
  });

  test("passes an empty answer once the integration timeout passed without an error frame", async () => {
    const { hop } = await scenario("module", { moduleReply: "" }, { replyTimeoutMs: 200 });
    expect(hop("frames")).toMatchObject({ status: "PASS", seen: expect.stringMatching(/^\$default: no error frame within 1\.2 s/) });
  });

  test("skips connections-api when nothing tells the connection id", async () => {
    const { hop } = await scenario("module", {}, { findConnectionIds: undefined });
    expect(hop("connections-api")).toMatchObject({ status: "SKIP", seen: expect.stringContaining("cannot learn its connection id") });
  });
});
