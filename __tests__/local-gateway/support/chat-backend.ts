import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import * as http from "http";
import * as https from "https";

/** Where the double keeps its connections: the chat stack's table on the emulator. */
export interface ChatBackendStore {
  readonly endpoint: string;
  readonly tableName: string;
  readonly region: string;
  /** The gateway's CA, trusted for @connections calls (as NODE_EXTRA_CA_CERTS would). */
  readonly ca?: Buffer;
}

/** A request the double handled. */
export interface ReceivedCall {
  readonly path: string;
  readonly body: any;
}

/**
 * A double of the chat's Go backend ("simple_http_chatapp"), implementing
 * /work/shared/seeds/chat-contract.md as the Go code does: JSON bodies in,
 * plain-text answers out, connections in DynamoDB (the emulator's table, via
 * the AWS SDK) and messages to clients through @connections at the `url` each
 * request carries (the AWS SDK's ApiGatewayManagementApi, SigV4-signed, over
 * the gateway's TLS with its local CA).
 */
export class ChatBackend {
  public readonly calls: ReceivedCall[] = [];
  private readonly server: http.Server;
  private store?: ChatBackendStore;
  private dynamodb?: DynamoDBClient;
  private agent = new https.Agent({ keepAlive: true });

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Listens on a free loopback port; returns it. */
  public listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve((this.server.address() as any).port)));
  }

  /** Points the double at its table (known once the stack is deployed). */
  public useStore(store: ChatBackendStore): void {
    this.store = store;
    this.agent.destroy();
    this.agent = new https.Agent({ ca: store.ca, keepAlive: true });
    this.dynamodb = new DynamoDBClient({
      endpoint: store.endpoint,
      region: store.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    this.dynamodb?.destroy();
  }

  /** Waits until a call to a path arrives for which `match` holds. */
  public async waitFor(path: string, match: (body: any) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = this.calls.find((c) => c.path === path && match(c.body));
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no ${path} call within ${timeoutMs} ms; got ${JSON.stringify(this.calls.map((c) => c.path))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let call: ReceivedCall | undefined;
    const answer = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
      // Recorded once handled, so a test waiting for a call sees its effects.
      if (call) this.calls.push(call);
    };
    if (req.method === "GET" && req.url === "/healthz") return answer(200, "healthy");
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return answer(400, "could not decode input");
    }
    call = { path: req.url ?? "", body };
    try {
      switch (req.url) {
        case "/connect":
          await this.put({ connectionId: body.connectionId });
          return answer(200, `connected user with connection id: ${body.connectionId}\n`);
        case "/disconnect":
          await this.db().send(new DeleteItemCommand({ TableName: this.table(), Key: { connectionId: { S: body.connectionId } } }));
          return answer(200, `disconnected user with connection id: ${body.connectionId}\n`);
        case "/username":
          if (!body.connectionId || !body.username) return answer(400, "could not set username. 'connectionId' and 'username' required");
          await this.put({ connectionId: body.connectionId, username: body.username });
          return answer(200, `assigned username: ${body.username} to connection id: ${body.connectionId}\n`);
        case "/online": {
          const users = (await this.users()).filter((u) => u.connectionId !== body.connectionId);
          // As the Go backend: pushed to the caller with an empty sender name, then answered.
          await this.post(body.url, body.connectionId, `: ${JSON.stringify(users)}`);
          return answer(200, `${JSON.stringify(users)}\n`);
        }
        case "/message": {
          if (!body.connectionId || !body.username || !body.url)
            return answer(400, "could not initiate connection. 'connectionId', 'username', and 'url' required");
          const target = (await this.users()).find((u) => u.username === body.username);
          if (!target) return answer(400, "could not get target connectionId");
          const source = await this.db().send(
            new GetItemCommand({ TableName: this.table(), Key: { connectionId: { S: body.connectionId } }, ConsistentRead: true }),
          );
          const from = source.Item?.username?.S;
          if (!from) return answer(400, "could not get source username");
          try {
            await this.post(body.url, target.connectionId, `${from}: ${body.message}`);
          } catch (e) {
            if (e instanceof GoneException) {
              // A connection that is gone answers 410: forget it.
              await this.db().send(new DeleteItemCommand({ TableName: this.table(), Key: { connectionId: { S: target.connectionId } } }));
            }
            return answer(400, "could not send message");
          }
          return answer(200, `sent message: ${body.message}\nto: ${body.username}\n\n`);
        }
        default:
          return answer(404, "404 page not found\n");
      }
    } catch (e) {
      return answer(400, `backend error: ${(e as Error).message}`);
    }
  }

  private db(): DynamoDBClient {
    if (!this.dynamodb) throw new Error("the chat backend double has no table yet");
    return this.dynamodb;
  }

  private table(): string {
    return this.store!.tableName;
  }

  private async put(item: { connectionId: string; username?: string }): Promise<void> {
    const Item: Record<string, { S: string }> = { connectionId: { S: item.connectionId } };
    if (item.username) Item.username = { S: item.username };
    await this.db().send(new PutItemCommand({ TableName: this.table(), Item }));
  }

  private async users(): Promise<Array<{ connectionId: string; username: string }>> {
    const out = await this.db().send(new ScanCommand({ TableName: this.table(), ConsistentRead: true }));
    return (out.Items ?? []).filter((i) => i.username?.S).map((i) => ({ connectionId: i.connectionId.S!, username: i.username.S! }));
  }

  /** PostToConnection at the callback URL the request carried, as the Go backend does. */
  private async post(url: string, connectionId: string, data: string): Promise<void> {
    const client = new ApiGatewayManagementApiClient({
      endpoint: url,
      region: this.store!.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      requestHandler: { httpsAgent: this.agent },
    });
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(data, "utf8") }));
    } finally {
      client.destroy();
    }
  }
}
