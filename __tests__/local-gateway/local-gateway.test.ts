import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import * as v8 from "v8";
import * as vm from "vm";
import { WebSocket } from "ws";
import { ApiModel, apiFromSynthesizedStack, ensureLocalCertificates, LocalCertificates, LocalGateway, LocalGatewayProps } from "../../local-gateway";
import { CHAT_ROUTES, UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";
import { removeWorkdir, synthInto, workdir } from "../support/terraform";
import { Client, parseErrorFrame } from "./support/clients";
import { ScriptedBackend } from "./support/scripted-backend";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * The gateway serving the chat stack as synthesized (cdk.tf.json: no
 * expression to evaluate), against a scripted backend: routing, templates,
 * responses, faults, limits, throttling, @connections, TLS and leaks.
 */
describe("LocalGateway", () => {
  let dir: string;
  let chat: ApiModel;
  let throttledChat: ApiModel;
  let certificates: LocalCertificates;
  let backend: ScriptedBackend;
  const gateways: LocalGateway[] = [];

  beforeAll(async () => {
    dir = workdir("gateway-local");
    synthInto(path.join(dir, "out"));
    chat = apiFromSynthesizedStack(path.join(dir, "out", "stacks", "chat"));
    synthInto(path.join(dir, "throttled"), { chat: { api: { throttle: { burstLimit: 3, rateLimit: 1 } } } });
    throttledChat = apiFromSynthesizedStack(path.join(dir, "throttled", "stacks", "chat"));
    certificates = ensureLocalCertificates(path.join(dir, "tls"));
    backend = await new ScriptedBackend().start();
  }, 120_000);

  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    backend.calls.length = 0;
    backend.answer = (call) => ({ body: `${call.path} ${call.body}` });
  });

  afterAll(async () => {
    await backend?.stop();
    if (dir) removeWorkdir(dir);
  });

  async function start(props: Partial<LocalGatewayProps> = {}): Promise<LocalGateway> {
    const gateway = await LocalGateway.start({ api: chat, backend: backend.url, tls: certificates, ...props });
    gateways.push(gateway);
    return gateway;
  }

  /** The SDK's @connections client at the gateway's callback URL, trusting its CA. */
  function management(gateway: LocalGateway): ApiGatewayManagementApiClient {
    return new ApiGatewayManagementApiClient({
      endpoint: gateway.connectionsUrl,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      requestHandler: { httpsAgent: new https.Agent({ ca: fs.readFileSync(certificates.caFile) }) },
    });
  }

  describe("routes and integrations", () => {
    test("$connect calls the backend through the VPC link's NLB with the route's template", async () => {
      const gateway = await start();
      const client = await Client.connect(gateway.url);
      const call = await backend.waitFor("/connect");
      expect(call.method).toBe("POST");
      expect(JSON.parse(call.body)).toEqual({ connectionId: expect.stringMatching(/^[\w-]{15}=$/) });
      expect(call.headers["content-type"]).toBe("application/json");
      await client.close();
      const disconnect = await backend.waitFor("/disconnect");
      expect(JSON.parse(disconnect.body)).toEqual(JSON.parse(call.body));
    });

    test.each(CHAT_ROUTES.filter((r) => !r.routeKey.startsWith("$")).map((r) => [r.routeKey, r.path, r.fields] as const))(
      "a frame with action %s goes to POST %s with the contract's fields, and the answer comes back",
      async (action, route, fields) => {
        const gateway = await start();
        const client = await Client.connect(gateway.url);
        const reply = await client.ask({ action, username: "bob", message: "hi" });
        const call = await backend.waitFor(route);
        expect(Object.keys(JSON.parse(call.body))).toEqual(fields);
        expect(reply).toBe(`${route} ${call.body}`);
        if (fields.includes("url")) expect(JSON.parse(call.body).url).toBe(gateway.connectionsUrl);
        await client.close();
      },
    );

    test("non-JSON frames and unknown actions go to $default (a MOCK answering with help)", async () => {
      const gateway = await start();
      const client = await Client.connect(gateway.url);
      expect(await client.ask("{not json")).toBe(UNKNOWN_ACTION_REPLY);
      expect(await client.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
      expect(await client.ask({ no: "action" })).toBe(UNKNOWN_ACTION_REPLY);
      expect(backend.callsTo("/default")).toHaveLength(0);
      await client.close();
    });

    test("an API without a $default route answers unmatched frames with AWS's Forbidden frame", async () => {
      const gateway = await start({ api: { ...chat, routes: chat.routes.filter((r) => r.key !== "$default") } });
      const client = await Client.connect(gateway.url);
      const frame = await client.ask({ action: "dance" });
      expect(frame).toMatch(/^\{"message": "Forbidden", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/);
      expect(parseErrorFrame(frame).connectionId).toBe(JSON.parse(backend.callsTo("/connect")[0].body).connectionId);
      await client.close();
    });

    test("a client that vanishes without a close frame still gets its $disconnect call", async () => {
      const lines: string[] = [];
      const gateway = await start({ log: (l) => lines.push(l) });
      const client = await Client.connect(gateway.url);
      const id = JSON.parse((await backend.waitFor("/connect")).body).connectionId;
      client.ws.terminate();
      expect(JSON.parse((await backend.waitFor("/disconnect")).body)).toEqual({ connectionId: id });
      const logged = () => lines.some((l) => l.includes("DISCONNECT") && l.includes(id) && l.includes("closed 1006"));
      for (let i = 0; i < 100 && !logged(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(logged()).toBe(true);
    });

    test("a backend's 4xx and 5xx answers pass through the $default integration response", async () => {
      backend.answer = (call) => (call.path === "/username" ? { status: 502, body: "upstream broke" } : { body: "ok" });
      const gateway = await start();
      const client = await Client.connect(gateway.url);
      expect(await client.ask({ action: "username", username: "x" })).toBe("upstream broke");
      await client.close();
    });
  });

  describe("faults", () => {
    test("refuses the handshake when $connect's integration answers non-2xx, or the backend is down", async () => {
      backend.answer = (call) => (call.path === "/connect" ? { status: 403, body: "no" } : {});
      const gateway = await start();
      await expect(Client.connect(gateway.url)).rejects.toMatchObject({ status: 403, body: JSON.stringify({ message: "Forbidden" }) });
      const down = await start({ backend: "http://127.0.0.1:9" });
      await expect(Client.connect(down.url)).rejects.toMatchObject({ status: 500, body: JSON.stringify({ message: "Internal server error" }) });
      const none = await start({ backend: undefined });
      await expect(Client.connect(none.url)).rejects.toMatchObject({ status: 500 });
    });

    test("refuses an invalid handshake with 400 before calling $connect", async () => {
      const gateway = await start();
      const status = await new Promise<number>((resolve, reject) =>
        http
          .get(gateway.url.replace(/^ws:/, "http:"), { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "8" } })
          .on("upgrade", () => reject(new Error("upgraded")))
          .on("response", (res) => (res.resume(), resolve(res.statusCode!)))
          .on("error", reject),
      );
      expect(status).toBe(400);
      expect(backend.callsTo("/connect")).toHaveLength(0);
    });

    test("a backend that went down gets the client AWS's Internal server error frame; other connections keep being served", async () => {
      const gateway = await start();
      const a = await Client.connect(gateway.url);
      const b = await Client.connect(gateway.url);
      await backend.stop();
      try {
        const frame = parseErrorFrame(await a.ask({ action: "username", username: "a" }));
        expect(frame).toEqual({ message: "Internal server error", connectionId: expect.any(String), requestId: expect.stringMatching(/=$/) });
        expect(await b.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
      } finally {
        await backend.start();
      }
      expect(await a.ask({ action: "username", username: "a" })).toMatch(/^\/username /);
      await a.close();
      await b.close();
    });

    test("a frame over 32 KB closes the connection with 1009; so does a message over 128 KB; 100 KB in 32 KB frames passes", async () => {
      const gateway = await start();
      const bystander = await Client.connect(gateway.url);
      const big = await Client.connect(gateway.url);
      big.send("x".repeat(32 * 1024 + 1));
      expect((await big.closed).code).toBe(1009);

      const fragmented = await Client.connect(gateway.url);
      const chunk = "y".repeat(25 * 1024);
      for (let i = 0; i < 4; i++) fragmented.ws.send(chunk, { fin: i === 3 });
      expect(await fragmented.next()).toBe(UNKNOWN_ACTION_REPLY);

      const huge = await Client.connect(gateway.url);
      for (let i = 0; i < 5; i++) huge.ws.send("z".repeat(30 * 1024), { fin: i === 4 });
      expect((await huge.closed).code).toBe(1009);

      expect(await bystander.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
      await bystander.close();
      await fragmented.close();
    });

    test("a frame whose first bytes came with the handshake is counted once (a 20,000-byte frame passes)", async () => {
      const gateway = await start();
      const payload = Buffer.alloc(20_000, "a");
      // Counted twice, the handshake's 108 frame bytes would leave the guard
      // reading the payload's last 108 bytes as a frame header: make those
      // read as a 64 KB text frame, so the double count closes with 1009.
      payload.write("\x01\x7f\x00\x00\x00\x00\x00\x01\x00\x00", payload.length - 108, "latin1");
      const header = Buffer.from([0x81, 0xfe, payload.length >> 8, payload.length & 0xff, 0, 0, 0, 0]); // FIN text, masked with a zero key
      const socket = net.connect(gateway.port, "127.0.0.1");
      const received: Buffer[] = [];
      socket.on("data", (d: Buffer) => received.push(d));
      const handshake = `GET /${chat.stage.name} HTTP/1.1\r\nHost: ${gateway.domainName}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      socket.write(Buffer.concat([Buffer.from(handshake), header, payload.subarray(0, 100)]));
      const deadline = Date.now() + 10_000;
      const frames = () => {
        const all = Buffer.concat(received);
        const end = all.indexOf("\r\n\r\n");
        return end < 0 ? Buffer.alloc(0) : all.subarray(end + 4);
      };
      while (!Buffer.concat(received).toString("latin1").includes("\r\n\r\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(Buffer.concat(received).toString("latin1")).toMatch(/^HTTP\/1\.1 101 /);
      socket.write(payload.subarray(100));
      while (frames().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const first = frames();
      expect(first[0]).toBe(0x81); // a text frame (the $default MOCK's answer), not 0x88 (close)
      expect(first.subarray(2, 2 + (first[1] & 0x7f)).toString("utf8")).toBe(UNKNOWN_ACTION_REPLY);
      socket.destroy();
    });

    test("a binary frame closes the connection with 1003 without running a route, then calls $disconnect", async () => {
      const gateway = await start();
      const client = await Client.connect(gateway.url);
      const id = JSON.parse((await backend.waitFor("/connect")).body).connectionId;
      client.ws.send(Buffer.from(JSON.stringify({ action: "username", username: "b" })), { binary: true });
      expect((await client.closed).code).toBe(1003);
      await backend.waitFor("/disconnect", (c) => c.body.includes(id));
      expect(backend.callsTo("/username")).toHaveLength(0);
    });

    test("throttles with the stage's burst and rate, answering AWS's 429 frame", async () => {
      const gateway = await start({ api: throttledChat });
      const client = await Client.connect(gateway.url); // $connect takes a token of its own route
      for (let i = 0; i < 6; i++) client.send({ action: "dance" });
      const frames: string[] = [];
      for (let i = 0; i < 6; i++) frames.push(await client.next());
      const throttled = frames.filter((f) => f.startsWith("{"));
      expect(frames.filter((f) => f === UNKNOWN_ACTION_REPLY)).toHaveLength(3);
      expect(throttled).toHaveLength(3);
      for (const f of throttled) expect(parseErrorFrame(f)).toMatchObject({ message: "Too Many Requests" });
      await new Promise((r) => setTimeout(r, 1100));
      expect(await client.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
      await client.close();
    });

    test("closes idle connections and connections past their maximum duration with 1001, then calls $disconnect", async () => {
      const gateway = await start({ limits: { idleTimeoutMs: 300, maxConnectionMs: 1500 } });
      const idle = await Client.connect(gateway.url);
      expect(await idle.closed).toEqual({ code: 1001, reason: "Going away" });
      // Timed from before the handshake: the maximum duration runs from when the gateway accepts.
      const started = Date.now();
      const busy = await Client.connect(gateway.url);
      const ping = setInterval(() => busy.send({ action: "dance" }), 100);
      const closed = await busy.closed;
      clearInterval(ping);
      expect(closed.code).toBe(1001);
      expect(Date.now() - started).toBeGreaterThan(1200);
      await backend.waitFor("/disconnect", (c) => c.body.includes(JSON.parse(backend.callsTo("/connect")[1].body).connectionId));
    });
  });

  describe("@connections", () => {
    test("POST delivers (in 32 KB frames when larger), GET describes, DELETE closes; 410 once gone, 413 past 128 KB", async () => {
      const gateway = await start();
      const client = await Client.connect(gateway.url, { headers: { "user-agent": "test-agent" } });
      const id = JSON.parse((await backend.waitFor("/connect")).body).connectionId;
      const api = management(gateway);
      await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from("hello") }));
      expect(await client.next()).toBe("hello");
      const large = "L".repeat(100 * 1024);
      await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from(large) }));
      expect(await client.next()).toBe(large);
      await expect(api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.alloc(128 * 1024 + 1, 1) }))).rejects.toBeInstanceOf(
        PayloadTooLargeException,
      );
      const info = await api.send(new GetConnectionCommand({ ConnectionId: id }));
      expect(info.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "test-agent" });
      await api.send(new DeleteConnectionCommand({ ConnectionId: id }));
      expect((await client.closed).code).toBe(1000);
      await backend.waitFor("/disconnect");
      await expect(api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from("gone?") }))).rejects.toBeInstanceOf(GoneException);
      // A well-formed id that is not connected is gone; one not in API Gateway's form is a bad request.
      await expect(api.send(new GetConnectionCommand({ ConnectionId: "nOtAcOnNeCtIoN0=" }))).rejects.toBeInstanceOf(GoneException);
      api.destroy();
    });

    test('answers 400 BadRequestException "Invalid connectionId" to an id not in API Gateway\'s form, for every method', async () => {
      const gateway = await start();
      const api = management(gateway);
      // The SDK's model names no BadRequestException: it raises its service exception with the error type as name.
      const invalid = { name: "BadRequestException", message: "Invalid connectionId", $metadata: { httpStatusCode: 400 } };
      for (const id of ["nOtAcOnNeCtIoN=", "abc", "L0SM9cOFvHcCIhw", "L0SM9cOFvHcCIh==", "L0SM9cOFvHc/Ihw="]) {
        await expect(api.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from("x") }))).rejects.toMatchObject(invalid);
        await expect(api.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject(invalid);
        await expect(api.send(new DeleteConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject(invalid);
      }
      api.destroy();
    });

    test("answers 403 to unsigned and badly signed requests and to another stage", async () => {
      const gateway = await start();
      const agent = new https.Agent({ ca: fs.readFileSync(certificates.caFile) });
      const status = (url: string, headers: Record<string, string> = {}) =>
        new Promise<number>((resolve, reject) =>
          https
            .request(url, { method: "POST", agent, headers }, (res) => (res.resume(), resolve(res.statusCode!)))
            .on("error", reject)
            .end("x"),
        );
      expect(await status(`${gateway.connectionsUrl}/@connections/abc`)).toBe(403);
      expect(await status(`${gateway.connectionsUrl.replace(/\/prod$/, "/dev")}/@connections/abc`, { authorization: "AWS4-HMAC-SHA256 Credential=test" })).toBe(
        403,
      );
      // Only the header's presence used to be checked: an unverifiable signature is refused as AWS refuses it.
      expect(await status(`${gateway.connectionsUrl}/@connections/abc`, { authorization: "AWS4-HMAC-SHA256 Credential=test" })).toBe(403);
      agent.destroy();
    });
  });

  describe("malformed requests", () => {
    /** Writes raw bytes to the gateway's port; resolves with all it answers once it closes (or after 2 s). */
    function raw(gateway: LocalGateway, bytes: string, abort = false): Promise<string> {
      return new Promise((resolve) => {
        const socket = net.connect(gateway.port, "127.0.0.1");
        let answer = "";
        const timer = setTimeout(() => socket.destroy(), 2000);
        socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
        socket.on("error", () => undefined);
        socket.on("close", () => (clearTimeout(timer), resolve(answer)));
        socket.write(bytes, () => abort && setTimeout(() => socket.resetAndDestroy(), 50));
      });
    }

    test("answers 400 to a request target it cannot parse, refuses such an upgrade, survives an aborted @connections body, and keeps serving", async () => {
      const gateway = await start();
      expect(await raw(gateway, "GET http://[x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
      const upgrade =
        "GET http://[x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
      expect(await raw(gateway, upgrade)).toBe("");
      const post = `POST /${chat.stage.name}/@connections/abc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test\r\nContent-Length: 1000\r\n\r\n0123456789`;
      expect(await raw(gateway, post, true)).toBe("");
      const client = await Client.connect(gateway.url);
      expect(await client.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
      await client.close();
    });
  });

  describe("TLS and the callback URL", () => {
    test("serves wss:// and https:// on the ws:// port, with a certificate for 127.0.0.1 from its local CA", async () => {
      const gateway = await start();
      const secure = await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(gateway.url.replace(/^ws:/, "wss:"), { ca: fs.readFileSync(certificates.caFile) });
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
      const answer = new Promise<string>((resolve) => secure.once("message", (d: Buffer) => resolve(d.toString())));
      secure.send(JSON.stringify({ action: "dance" }));
      expect(await answer).toBe(UNKNOWN_ACTION_REPLY);
      secure.close();
      // What a Go backend checks with SSL_CERT_FILE: the chain up to the CA and the IP address.
      const verify = spawnSync(
        "openssl",
        ["verify", "-CAfile", certificates.caFile, "-verify_ip", "127.0.0.1", "-purpose", "sslserver", certificates.certFile],
        { encoding: "utf8" },
      );
      expect(verify.stdout.trim()).toBe(`${certificates.certFile}: OK`);
      // A Node.js backend trusts it through NODE_EXTRA_CA_CERTS, with no code change
      // (asynchronously: the gateway answers from this process).
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "-e",
          `require("https").get(${JSON.stringify(`${gateway.connectionsUrl}/@connections/x`)}, (r) => { console.log(r.statusCode); r.resume(); }).on("error", (e) => { console.log(e.code); })`,
        ],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: certificates.caFile }, timeout: 60_000 },
      );
      expect(stdout.trim()).toBe("403");
    });

    test("reuses its certificates while they are valid", () => {
      const again = ensureLocalCertificates(path.join(dir, "tls"));
      expect(again.created).toBe(false);
      expect(again.cert.equals(certificates.cert)).toBe(true);
    });
  });

  describe("access log and console", () => {
    test("writes one line per event in the stage's own format, and a compact console line", async () => {
      const file = path.join(dir, "logs", "access.log");
      const lines: string[] = [];
      const gateway = await start({ accessLogFile: file, log: (l) => lines.push(l) });
      const client = await Client.connect(gateway.url);
      await client.ask({ action: "username", username: "a" });
      await client.close();
      await backend.waitFor("/disconnect");
      await gateway.stop();
      const log = fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(log.map((l) => l.eventType)).toEqual(["CONNECT", "MESSAGE", "DISCONNECT"]);
      expect(Object.keys(log[1])).toEqual(Object.keys(JSON.parse(chat.stage.accessLogFormat!)));
      expect(log[1]).toMatchObject({ routeKey: "username", status: "200", integrationStatus: "200", errorMessage: "-" });
      expect(lines.some((l) => /MESSAGE\s+username\s+\S+ 200 POST http:\/\/127\.0\.0\.1:\d+\/username/.test(l))).toBe(true);
    });
  });

  describe("resources", () => {
    test("opens and closes 1,000 connections with nothing left behind (handles and memory back to their baseline)", async () => {
      v8.setFlagsFromString("--expose-gc");
      const gc: () => void = vm.runInNewContext("gc");
      const gateway = await start({ limits: { newConnectionsPerSecond: 500 } });
      const round = async (n: number) => {
        const clients: Client[] = [];
        // 100 at a time, under AWS's 500 new connections per second.
        for (let i = 0; i < n; i += 100) {
          const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => Client.connect(gateway.url)));
          clients.push(...batch);
          // Every tenth connection also sends a frame and gets its answer.
          await Promise.all(batch.filter((_, k) => k % 10 === 0).map((c) => c.ask({ action: "dance" })));
          await new Promise((r) => setTimeout(r, 250));
        }
        await Promise.all(clients.map((c) => c.close()));
        for (let i = 0; i < 200 && (gateway.stats().connections > 0 || gateway.stats().pendingDisconnects > 0); i++)
          await new Promise((r) => setTimeout(r, 50));
      };
      const measure = () => {
        gc();
        const resources = process.getActiveResourcesInfo();
        return {
          heap: process.memoryUsage().heapUsed,
          sockets: resources.filter((r) => r === "TCPSocketWrap").length,
          timers: resources.filter((r) => r === "Timeout").length,
        };
      };
      await round(100); // warm-up: fills the keep-alive pool to the backend
      const baseline = measure();
      await round(1000);
      expect(gateway.stats()).toEqual({ connections: 0, pendingIntegrations: 0, pendingDisconnects: 0, sockets: 0 });
      const after = measure();
      expect(after.sockets).toBeLessThanOrEqual(baseline.sockets + 4);
      expect(after.timers).toBeLessThanOrEqual(baseline.timers + 4);
      expect(after.heap - baseline.heap).toBeLessThan(8 * 1024 * 1024);
    }, 180_000);

    test("stop closes every connection with 1001 and calls $disconnect for each", async () => {
      const gateway = await start();
      const clients = await Promise.all([1, 2, 3].map(() => Client.connect(gateway.url)));
      await gateway.stop();
      for (const c of clients) expect((await c.closed).code).toBe(1001);
      expect(backend.callsTo("/disconnect")).toHaveLength(3);
    });
  });
});
