import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import {
  ApiModel,
  apiFromSynthesizedStack,
  AuthorizerHandler,
  connectMethodArn,
  LocalGateway,
  LocalGatewayProps,
  loadAuthorizerHandler,
} from "../../local-gateway";
import { removeWorkdir, synthInto, workdir } from "../support/terraform";
import { Client } from "./support/clients";
import { ScriptedBackend } from "./support/scripted-backend";

/** What the authorizer under test does with each event (set per test; the handler file calls it). */
type Behaviour = (event: any) => unknown;
const global = globalThis as unknown as { authorizerBehaviour: Behaviour; authorizerEvents: any[] };

const allow = (principalId: string, context: Record<string, unknown> = {}, resource = "arn:aws:execute-api:*:*:*/prod/$connect") => ({
  principalId,
  policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: resource }] },
  context,
});
const deny = (resource: string) => ({
  principalId: "mallory",
  policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Deny", Resource: resource }] },
});

/**
 * The `$connect` Lambda authorizer of the chat stack (chat.api.authorization
 * CUSTOM, identity source route.request.querystring.token), run from a
 * Node.js handler file and from an HTTP endpoint, with real sockets.
 */
describe("LocalGateway running a $connect Lambda authorizer", () => {
  let dir: string;
  let chat: ApiModel;
  let backend: ScriptedBackend;
  let fileHandler: AuthorizerHandler;
  let httpAuthorizer: http.Server;
  let httpHandler: AuthorizerHandler;
  let httpBehaviour: (event: any) => { status?: number; body?: unknown; delayMs?: number };
  const gateways: LocalGateway[] = [];

  beforeAll(async () => {
    dir = workdir("gateway-authorizer");
    synthInto(path.join(dir, "out"), {
      chat: { api: { authorization: { type: "CUSTOM", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:auth" } } },
    });
    chat = apiFromSynthesizedStack(path.join(dir, "out", "stacks", "chat"));
    fs.writeFileSync(
      path.join(dir, "authorizer.js"),
      [
        "exports.handler = async (event) => { globalThis.authorizerEvents.push(event); return globalThis.authorizerBehaviour(event); };",
        // Lambda's callback style, under another export name.
        "exports.withCallback = (event, context, callback) => { globalThis.authorizerEvents.push(event); setTimeout(() => callback(null, globalThis.authorizerBehaviour(event)), 5); };",
      ].join("\n"),
    );
    fileHandler = await loadAuthorizerHandler(path.join(dir, "authorizer.js"));
    httpAuthorizer = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        global.authorizerEvents.push(event);
        const answer = httpBehaviour(event);
        setTimeout(() => {
          res.writeHead(answer.status ?? 200, { "content-type": "application/json" });
          res.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => httpAuthorizer.listen(0, "127.0.0.1", () => resolve()));
    httpHandler = await loadAuthorizerHandler(`http://127.0.0.1:${(httpAuthorizer.address() as any).port}/authorize`);
    backend = await new ScriptedBackend().start();
  }, 120_000);

  beforeEach(() => {
    global.authorizerEvents = [];
    global.authorizerBehaviour = () => allow("alice");
    httpBehaviour = () => ({ body: allow("alice") });
  });

  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    backend.calls.length = 0;
  });

  afterAll(async () => {
    await backend?.stop();
    httpAuthorizer?.closeAllConnections();
    await new Promise<void>((resolve) => (httpAuthorizer ? httpAuthorizer.close(() => resolve()) : resolve()));
    if (dir) removeWorkdir(dir);
  });

  async function start(props: Partial<LocalGatewayProps> = {}): Promise<LocalGateway> {
    const gateway = await LocalGateway.start({ api: chat, backend: backend.url, authorizer: fileHandler, authorizerTimeoutMs: 500, ...props });
    gateways.push(gateway);
    return gateway;
  }

  const refused = (status: number, body?: unknown) => expect.objectContaining({ status, ...(body ? { body: JSON.stringify(body) } : {}) });

  describe("from a handler file", () => {
    test("allowing: the function gets the WebSocket REQUEST event, and principalId and context reach every route's request", async () => {
      global.authorizerBehaviour = () => allow("alice", { tenant: "t-1", level: 3, admin: false });
      const lines: string[] = [];
      const gateway = await start({ log: (l) => lines.push(l) });
      const client = await Client.connect(`${gateway.url}?token=abc&room=1&room=2`, { headers: { "X-Client": "tests", "user-agent": "agent/1" } });
      const [event] = global.authorizerEvents;
      expect(event).toEqual({
        type: "REQUEST",
        methodArn: `${chat.executionArn}/prod/$connect`,
        headers: expect.objectContaining({ Host: gateway.domainName, "X-Client": "tests", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http" }),
        multiValueHeaders: expect.objectContaining({ "X-Client": ["tests"], "Sec-WebSocket-Version": ["13"] }),
        queryStringParameters: { token: "abc", room: "2" },
        multiValueQueryStringParameters: { token: ["abc"], room: ["1", "2"] },
        stageVariables: chat.stage.variables,
        requestContext: {
          routeKey: "$connect",
          eventType: "CONNECT",
          extendedRequestId: expect.stringMatching(/^[\w-]{15}=$/),
          requestTime: expect.stringMatching(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
          messageDirection: "IN",
          stage: "prod",
          connectedAt: expect.any(Number),
          requestTimeEpoch: expect.any(Number),
          identity: { sourceIp: "127.0.0.1", userAgent: "agent/1" },
          requestId: expect.stringMatching(/^[\w-]{15}=$/),
          domainName: gateway.domainName,
          connectionId: expect.stringMatching(/^[\w-]{15}=$/),
          apiId: chat.id,
        },
      });
      expect(event.methodArn).toBe(connectMethodArn(chat));
      // The chat's request templates put principalId in every body: $connect's and a message's.
      expect(JSON.parse((await backend.waitFor("/connect")).body)).toEqual({ connectionId: event.requestContext.connectionId, principalId: "alice" });
      await client.ask({ action: "username", username: "al" });
      expect(JSON.parse((await backend.waitFor("/username")).body)).toMatchObject({ username: "al", principalId: "alice" });
      await client.close();
      expect(JSON.parse((await backend.waitFor("/disconnect")).body)).toMatchObject({ principalId: "alice" });
      expect(lines.some((l) => /CONNECT\s+\$connect\s+\S+ 200 .*authorizer called: alice allowed/.test(l))).toBe(true);
    });

    test("runs a callback-style handler named by file:export", async () => {
      const gateway = await start({ authorizer: await loadAuthorizerHandler(`${path.join(dir, "authorizer.js")}:withCallback`) });
      const client = await Client.connect(`${gateway.url}?token=abc`);
      expect(global.authorizerEvents).toHaveLength(1);
      await client.close();
    });

    test("denying: an explicit Deny is 403, even beside an Allow; an Allow of another resource is 403 too", async () => {
      const gateway = await start();
      global.authorizerBehaviour = (e) => deny(e.methodArn);
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(
        refused(403, { Message: "User is not authorized to access this resource with an explicit deny" }),
      );
      global.authorizerBehaviour = (e) => {
        const both = allow("bob", {}, "*");
        both.policyDocument.Statement.push({ Action: "execute-api:*", Effect: "Deny", Resource: e.methodArn.replace("$connect", "*") });
        return both;
      };
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(403));
      global.authorizerBehaviour = () => allow("bob", {}, `${chat.executionArn}/dev/$connect`);
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(403, { Message: "User is not authorized to access this resource" }));
      expect(backend.callsTo("/connect")).toHaveLength(0);
      // Wildcards and a list of resources, as IAM matches them.
      global.authorizerBehaviour = () => ({
        ...allow("bob"),
        policyDocument: { Statement: { Effect: "Allow", Action: "execute-api:*", Resource: ["x", `${chat.executionArn}/p?od/*`] } },
      });
      await (await Client.connect(`${gateway.url}?token=x`)).close();
    });

    test('throwing: "Unauthorized" is 401, any other error 500', async () => {
      const gateway = await start();
      global.authorizerBehaviour = () => {
        throw new Error("Unauthorized");
      };
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(401, { message: "Unauthorized" }));
      global.authorizerBehaviour = () => {
        throw new Error("database down");
      };
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(500, { message: "Internal server error" }));
    });

    test("timing out: no answer within the timeout is 500", async () => {
      const gateway = await start({ authorizerTimeoutMs: 300 });
      global.authorizerBehaviour = () => new Promise((resolve) => setTimeout(() => resolve(allow("late")), 2000));
      const started = Date.now();
      await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(500));
      expect(Date.now() - started).toBeLessThan(1500);
    });

    test("a malformed answer is 500: a context value that is an object, no policyDocument, no principalId, over 8 KB", async () => {
      const gateway = await start();
      for (const answer of [
        allow("alice", { nested: { a: 1 } }),
        { principalId: "alice" },
        { policyDocument: allow("x").policyDocument },
        allow("alice", { big: "x".repeat(8 * 1024) }),
        "Allow",
        { principalId: "a", policyDocument: { Statement: [{ Effect: "Maybe", Action: "*", Resource: "*" }] } },
      ]) {
        global.authorizerBehaviour = () => answer;
        await expect(Client.connect(`${gateway.url}?token=x`)).rejects.toEqual(refused(500));
      }
    });

    test("a missing identity source is 401 without calling the function; so is an empty one", async () => {
      const gateway = await start();
      await expect(Client.connect(gateway.url)).rejects.toEqual(refused(401, { message: "Unauthorized" }));
      await expect(Client.connect(`${gateway.url}?token=`)).rejects.toEqual(refused(401));
      await expect(Client.connect(`${gateway.url}?other=1`)).rejects.toEqual(refused(401));
      expect(global.authorizerEvents).toHaveLength(0);
      // A header identity source reads the header, whatever its case.
      const byHeader: ApiModel = {
        ...chat,
        routes: chat.routes.map((r) => (r.authorizer ? { ...r, authorizer: { ...r.authorizer, identitySources: ["route.request.header.Authorization"] } } : r)),
      };
      const other = await start({ api: byHeader });
      await expect(Client.connect(`${other.url}?token=x`)).rejects.toEqual(refused(401));
      await (await Client.connect(other.url, { headers: { authorization: "Bearer x" } })).close();
      expect(global.authorizerEvents).toHaveLength(1);
    });

    test("caches results for the authorizer's TTL, keyed by the identity sources' values; a deployed WebSocket authorizer (TTL 0) runs every time", async () => {
      const gateway = await start();
      for (let i = 0; i < 2; i++) await (await Client.connect(`${gateway.url}?token=same`)).close();
      expect(global.authorizerEvents).toHaveLength(2);

      global.authorizerEvents = [];
      const cached: ApiModel = {
        ...chat,
        routes: chat.routes.map((r) => (r.authorizer ? { ...r, authorizer: { ...r.authorizer, resultTtlSeconds: 300 } } : r)),
      };
      const caching = await start({ api: cached });
      let n = 0;
      global.authorizerBehaviour = () => allow(`user-${++n}`);
      for (let i = 0; i < 3; i++) await (await Client.connect(`${caching.url}?token=same`)).close();
      expect(global.authorizerEvents).toHaveLength(1);
      // The cached principal reaches the backend like a fresh one.
      expect(backend.callsTo("/connect").map((c) => JSON.parse(c.body).principalId)).toEqual(expect.arrayContaining(["user-1"]));
      await (await Client.connect(`${caching.url}?token=other`)).close();
      expect(global.authorizerEvents).toHaveLength(2);
      // Past the TTL on the gateway's clock the function runs again.
      caching.advanceClock(299);
      await (await Client.connect(`${caching.url}?token=same`)).close();
      expect(global.authorizerEvents).toHaveLength(2);
      caching.advanceClock(2);
      await (await Client.connect(`${caching.url}?token=same`)).close();
      expect(global.authorizerEvents).toHaveLength(3);
      // A Deny is cached too.
      global.authorizerBehaviour = (e) => deny(e.methodArn);
      await expect(Client.connect(`${caching.url}?token=denied`)).rejects.toEqual(refused(403));
      await expect(Client.connect(`${caching.url}?token=denied`)).rejects.toEqual(refused(403));
      expect(global.authorizerEvents).toHaveLength(4);
    });
  });

  describe("from an HTTP endpoint", () => {
    test("allowing with context; denying; failing (5xx, no JSON) is 500, 401 is 401; timing out is 500", async () => {
      const gateway = await start({ authorizer: httpHandler });
      httpBehaviour = () => ({ body: allow("carol", { plan: "pro" }) });
      const client = await Client.connect(`${gateway.url}?token=c`);
      const [event] = global.authorizerEvents;
      expect(event).toMatchObject({
        type: "REQUEST",
        methodArn: connectMethodArn(chat),
        queryStringParameters: { token: "c" },
        requestContext: { eventType: "CONNECT" },
      });
      expect(JSON.parse((await backend.waitFor("/connect")).body).principalId).toBe("carol");
      await client.close();

      httpBehaviour = (e) => ({ body: deny(e.methodArn) });
      await expect(Client.connect(`${gateway.url}?token=c`)).rejects.toEqual(refused(403));
      httpBehaviour = () => ({ status: 500, body: { error: "boom" } });
      await expect(Client.connect(`${gateway.url}?token=c`)).rejects.toEqual(refused(500));
      httpBehaviour = () => ({ body: "not json" });
      await expect(Client.connect(`${gateway.url}?token=c`)).rejects.toEqual(refused(500));
      httpBehaviour = () => ({ status: 401, body: { message: "Unauthorized" } });
      await expect(Client.connect(`${gateway.url}?token=c`)).rejects.toEqual(refused(401));
      httpBehaviour = () => ({ body: allow("late"), delayMs: 1500 });
      await expect(Client.connect(`${gateway.url}?token=c`)).rejects.toEqual(refused(500));
    });

    test("refuses a URL off loopback", async () => {
      await expect(loadAuthorizerHandler("http://10.0.0.1/auth")).rejects.toThrow(/--authorizer must be a loopback http\(s\) URL/);
      await expect(loadAuthorizerHandler(path.join(dir, "missing.js"))).rejects.toThrow(/does not exist/);
      await expect(loadAuthorizerHandler(`${path.join(dir, "authorizer.js")}:nothing`)).rejects.toThrow(/exports no function "nothing"/);
    });
  });

  describe("the context reaching the backend", () => {
    test("through the modules' authorizer_context_headers (HTTP_PROXY request parameters from context.authorizer.*) on every route", async () => {
      // The request parameters the modules' integrations get for authorizer_context_headers = { x-player-id = "principalId", x-tenant = "tenant" }.
      const parameters = {
        "integration.request.header.connectionId": "context.connectionId",
        "integration.request.header.routeKey": "context.routeKey",
        "integration.request.header.x-player-id": "context.authorizer.principalId",
        "integration.request.header.x-tenant": "context.authorizer.tenant",
      };
      const proxied: ApiModel = {
        ...chat,
        routes: chat.routes.map((r) =>
          r.integration && r.integration.type === "HTTP"
            ? { ...r, integration: { ...r.integration, type: "HTTP_PROXY" as const, requestTemplates: {}, requestParameters: parameters, responses: [] } }
            : r,
        ),
      };
      global.authorizerBehaviour = () => allow("player-7", { tenant: "blue", score: 12 });
      const gateway = await start({ api: proxied });
      const client = await Client.connect(`${gateway.url}?token=p`);
      expect((await backend.waitFor("/connect")).headers).toMatchObject({ "x-player-id": "player-7", "x-tenant": "blue", routekey: "$connect" });
      await client.ask({ action: "username", username: "x" });
      expect((await backend.waitFor("/username")).headers).toMatchObject({ "x-player-id": "player-7", "x-tenant": "blue", routekey: "username" });
      await client.close();
    });
  });

  describe("without --authorizer", () => {
    test("accepts every connection, with $context.authorizer empty, and says so", async () => {
      const gateway = await start({ authorizer: undefined });
      const client = await Client.connect(gateway.url);
      expect(JSON.parse((await backend.waitFor("/connect")).body).principalId).toBe("");
      await client.close();
      expect(gateway.describeAuthorization()).toMatch(
        /^\$connect authorizer \(CUSTOM, chat-dev-connect, identity sources route\.request\.querystring\.token\): not run, every connection is accepted/,
      );
      const running = await start();
      expect(running.describeAuthorization()).toMatch(/: runs .*authorizer\.js \(handler\), no result caching \(deployed TTL 0\), timeout 0\.5 s$/);
    });
  });
});
