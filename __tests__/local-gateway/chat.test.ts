import { ApiGatewayManagementApiClient, GetConnectionCommand, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";
import { describeE2e } from "../support/e2e";
import { removeWorkdir, workdir } from "../support/terraform";
import { chatEdgeChecks, chatEdgesArgs } from "./checks/chat-edges";
import { verifyChecks } from "./checks/verify";
import { ChatBackend } from "./support/chat-backend";
import { Client, freePort, LocalCommand, PROJECT_DIR } from "./support/clients";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * The chat stack as a user runs it: `npm run local -- chat --backend ... --port ...`
 * deploys it on the emulator and serves it; a double of the Go backend
 * (support/chat-backend.ts) keeps connections in the stack's DynamoDB table on
 * the emulator and answers through @connections; two WebSocket clients chat.
 * The config has the production edges (checks/chat-edges.ts): a CUSTOM
 * $connect authorizer run with --authorizer (so clients pass ?token=), and a
 * custom domain whose mapping path alice connects through.
 */
describeE2e()("npm run local -- chat --backend: two clients chat through the deployed chat API", () => {
  let command: LocalCommand;
  let backend: ChatBackend;
  let dir: string;
  let wsUrl: string;
  let connectionsUrl: string;
  let ca: Buffer;
  let dynamodb: DynamoDBClient;
  let table: string;
  let alice: Client;
  let bob: Client;
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    dir = workdir("gateway-chat");
    backend = new ChatBackend();
    const backendPort = await backend.listen();
    const port = await freePort();
    command = new LocalCommand(["chat", "--backend", `http://127.0.0.1:${backendPort}`, "--port", String(port), ...chatEdgesArgs()], {
      env: { WSGW_LOCAL_DIR: dir },
    });
    [, wsUrl] = await command.waitForLine(/^WebSocket URL: (\S+)$/, 14 * 60_000);
    [, connectionsUrl] = await command.waitForLine(/^Connections URL: (\S+)$/, 1000);
    const [, endpoint, tableName, region] = await command.waitForLine(
      /^DynamoDB for the backend: DYNAMODB_ENDPOINT_URL=(\S+) DYNAMODB_TABLE_NAME=(\S+) AWS_REGION=(\S+)/,
      1000,
    );
    // The CA file the command told backends to trust.
    const [, caFile] = await command.waitForLine(/NODE_EXTRA_CA_CERTS=(\S+) \(Node\.js\)/, 1000);
    ca = fs.readFileSync(path.resolve(PROJECT_DIR, caFile));
    backend.useStore({ endpoint, tableName, region, ca });
    table = tableName;
    dynamodb = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  }, 15 * 60_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    const exit = await command?.stop();
    const states = dir ? fs.readdirSync(path.join(dir, "cdktf.out", "stacks", "chat")).filter((f) => f.includes(".tfstate")) : [];
    await backend?.close();
    dynamodb?.destroy();
    if (dir) removeWorkdir(dir);
    // Ctrl-C stops the emulator, and what was deployed on it goes with it, its state too; exit 0.
    expect(states).toEqual([]);
    expect(exit?.code).toBe(0);
    expect(command.output).toMatch(/^Emulator \(pid \d+\) stopped: what chat deployed on it went with it \(its Terraform state: removed\)\.$/m);
  }, 5 * 60_000);

  test("prints the WebSocket and Connections URLs, each alone on its line, and where requests go", () => {
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/prod$/);
    expect(connectionsUrl).toBe(wsUrl.replace(/^ws:/, "https:"));
    expect(command.output).toMatch(/Backend: requests through the VPC link to chat-dev-nlb-\S+:80 go to http:\/\/127\.0\.0\.1:\d+\./);
  });

  test("$connect reaches the backend with the body the template builds, and the backend stores the connection", async () => {
    alice = await Client.connect(`${wsUrl.replace(/\/prod$/, "/chat")}?token=alice-token`, { headers: { "user-agent": "alice-browser" } });
    bob = await Client.connect(`${wsUrl}?token=bob-token`);
    const calls = backend.calls.filter((c) => c.path === "/connect");
    expect(calls).toHaveLength(2);
    // The authorizer's principalId reaches the backend in the chat's body.
    expect(calls.map((c) => c.body.principalId)).toEqual(["alice", "bob"]);
    for (const call of calls) expect(Object.keys(call.body)).toEqual(["connectionId", "principalId"]);
    [aliceId, bobId] = calls.map((c) => c.body.connectionId);
    const item = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { connectionId: { S: aliceId } } }));
    expect(item.Item?.connectionId.S).toBe(aliceId);
  });

  test("claiming a user name is answered on the two-way route", async () => {
    expect(await alice.ask({ action: "username", username: "alice" })).toBe(`assigned username: alice to connection id: ${aliceId}\n`);
    expect(await bob.ask({ action: "username", username: "bob" })).toBe(`assigned username: bob to connection id: ${bobId}\n`);
  });

  test("asking who is online gets the list through @connections and the answer", async () => {
    alice.send({ action: "online" });
    const pushed = await alice.next((m) => m.startsWith(": "));
    expect(JSON.parse(pushed.slice(2))).toEqual([{ connectionId: bobId, username: "bob" }]);
    const answer = await alice.next();
    expect(JSON.parse(answer)).toEqual([{ connectionId: bobId, username: "bob" }]);
    // The backend called back at the URL the template built (with a custom domain, the API's execute-api URL, which reaches this gateway).
    const call = await backend.waitFor("/online");
    expect(call.body).toEqual({ connectionId: aliceId, url: connectionsUrl, principalId: "alice" });
  });

  test("a message is delivered to the other client through @connections", async () => {
    alice.send({ action: "message", username: "bob", message: 'hi "bob" ünïcødé $context.connectionId' });
    expect(await bob.next()).toBe('alice: hi "bob" ünïcødé $context.connectionId');
    expect(await alice.next()).toBe('sent message: hi "bob" ünïcødé $context.connectionId\nto: bob\n\n');
  });

  test("an unknown action is answered by the $default route", async () => {
    expect(await alice.ask({ action: "dance" })).toBe(UNKNOWN_ACTION_REPLY);
    expect(await alice.ask("not json at all")).toBe(UNKNOWN_ACTION_REPLY);
  });

  test("GetConnection through the Connections URL describes a connection", async () => {
    const client = managementClient();
    const info = await client.send(new GetConnectionCommand({ ConnectionId: aliceId }));
    client.destroy();
    expect(info.Identity?.UserAgent).toBe("alice-browser");
    expect(info.Identity?.SourceIp).toBe("127.0.0.1");
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(info.ConnectedAt!.getTime());
  });

  test("closing reaches the backend's /disconnect, and @connections answers 410 afterwards", async () => {
    await bob.close();
    const call = await backend.waitFor("/disconnect", (b) => b.connectionId === bobId);
    expect(call.body).toEqual({ connectionId: bobId, principalId: "bob" });
    const item = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { connectionId: { S: bobId } } }));
    expect(item.Item).toBeUndefined();
    const client = managementClient();
    await expect(client.send(new PostToConnectionCommand({ ConnectionId: bobId, Data: Buffer.from("still there?") }))).rejects.toBeInstanceOf(GoneException);
    client.destroy();
    // The backend no longer knows bob.
    expect(await alice.ask({ action: "message", username: "bob", message: "bye" })).toBe("could not get target connectionId");
  });

  test("the access log holds one JSON line per event in the stage's format", async () => {
    const read = () =>
      fs
        .readFileSync(path.join(dir, "gateway-access.log"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    // The gateway writes the DISCONNECT line once the backend answered $disconnect.
    for (let i = 0; i < 50 && !read().some((l) => l.eventType === "DISCONNECT"); i++) await new Promise((r) => setTimeout(r, 100));
    const lines = read();
    expect(lines.filter((l) => l.eventType === "CONNECT").map((l) => l.connectionId)).toEqual(expect.arrayContaining([aliceId, bobId]));
    expect(lines.find((l) => l.routeKey === "message")).toMatchObject({
      status: "200",
      integrationStatus: "200",
      messageId: expect.stringMatching(/^[\w-]{15}=$/),
    });
    expect(lines.find((l) => l.eventType === "DISCONNECT" && l.connectionId === bobId)).toBeDefined();
  });

  chatEdgeChecks(() => ({ command, wsUrl }));
  // npm run verify against this deployment (issue 17): its own module, one line.
  verifyChecks(() => ({ command, stopBackend: () => backend.close(), args: ["--token", "verify-token"] }));

  function managementClient(): ApiGatewayManagementApiClient {
    return new ApiGatewayManagementApiClient({
      endpoint: connectionsUrl,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      requestHandler: { httpsAgent: new https.Agent({ ca }) },
    });
  }
});
