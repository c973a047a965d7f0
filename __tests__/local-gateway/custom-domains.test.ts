import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import * as tls from "tls";
import { ClientOptions, WebSocket } from "ws";
import { Client } from "./support/clients";
import { connectionsCall } from "./support/connections-call";
import { chatGateway } from "./support/chat-gateway";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * The chat stack with a custom domain (chat.domain.name chat.example.com,
 * mapping key "chat"): the mapping path served beside the stage's, the Host
 * header choosing what a host serves, and the @connections URL the request
 * templates build from the API's own endpoint reaching this gateway.
 */
describe("LocalGateway serving a custom domain's API mappings", () => {
  const gw = chatGateway("gateway-domains", {
    overrides: { chat: { domain: { name: "chat.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", mappingKey: "chat" } } },
    hosts: ["chat.example.com"],
    // The access log tells each event's $context.domainName.
    adjust: (api) => ({ ...api, stage: { ...api.stage, accessLogFormat: '{"eventType":"$context.eventType","domainName":"$context.domainName"}' } }),
  });

  test("serves ws://127.0.0.1:<port>/chat (the mapping) beside the stage URL, and names it with its domain URL", async () => {
    const gateway = await gw.start();
    expect(gateway.domainUrls).toEqual([{ url: `ws://127.0.0.1:${gateway.port}/chat`, domainUrl: "wss://chat.example.com/chat" }]);
    for (const url of [gateway.url, `ws://127.0.0.1:${gateway.port}/chat`, `ws://127.0.0.1:${gateway.port}/chat/`]) {
      const client = await Client.connect(url);
      expect(await client.ask({ action: "dance" })).toMatch(/^unknown action/);
      await client.close();
    }
    // No root mapping: the domain's root is not the stage.
    await expect(Client.connect(`ws://127.0.0.1:${gateway.port}/`)).rejects.toMatchObject({ status: 403 });
    await expect(Client.connect(`ws://127.0.0.1:${gateway.port}/other`)).rejects.toMatchObject({ status: 403 });
  });

  test("a request naming the custom domain (Host header, TLS server name) is served on its mapping only, with $context.domainName the domain", async () => {
    const log = path.join(gw.dir, "domains.log");
    const gateway = await gw.start({ accessLogFile: log });
    const viaDomain = await new Promise<WebSocket>((resolve, reject) => {
      // What a client resolving chat.example.com to 127.0.0.1 sends (curl --resolve does the same): Host and TLS server name.
      const options: ClientOptions & tls.ConnectionOptions = { headers: { host: "chat.example.com" }, servername: "chat.example.com", ca: gw.ca };
      const ws = new WebSocket(`wss://127.0.0.1:${gateway.port}/chat`, options);
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
    viaDomain.close();
    // The stage path is not served on the custom domain, as on AWS.
    await expect(Client.connect(`ws://127.0.0.1:${gateway.port}/prod`, { headers: { host: "chat.example.com" } })).rejects.toMatchObject({ status: 403 });
    // The execute-api host serves the stage path only.
    await expect(Client.connect(`ws://127.0.0.1:${gateway.port}/chat`, { headers: { host: gw.api.endpointHost } })).rejects.toMatchObject({ status: 403 });
    await (await Client.connect(`ws://127.0.0.1:${gateway.port}/prod`, { headers: { host: gw.api.endpointHost } })).close();
    await (await Client.connect(`ws://127.0.0.1:${gateway.port}/chat`)).close();
    for (let i = 0; i < 50 && gw.backend.callsTo("/disconnect").length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await gateway.stop();
    const connects = fs
      .readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.eventType === "CONNECT" && l.domainName !== "-");
    expect(connects.map((l) => l.domainName)).toEqual(["chat.example.com", gw.api.endpointHost, `127.0.0.1:${gateway.port}`]);
  });

  test("the @connections URL the templates build from the API's own endpoint reaches this gateway, and a backend's call through it is delivered", async () => {
    const gateway = await gw.start();
    const client = await Client.connect(`ws://127.0.0.1:${gateway.port}/chat`);
    await client.ask({ action: "online" });
    // Built from https://<api-id>.execute-api.<region>.amazonaws.com/$context.stage, a host that never reaches this machine.
    const { url, connectionId } = JSON.parse((await gw.backend.waitFor("/online")).body);
    expect(url).toBe(gateway.connectionsUrl);
    const sdk = new ApiGatewayManagementApiClient({
      endpoint: url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      requestHandler: { httpsAgent: new https.Agent({ ca: gw.ca }) },
    });
    await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from("through the callback URL") }));
    expect(await client.next()).toBe("through the callback URL");
    sdk.destroy();
    await client.close();
  });

  test("@connections through the custom domain's URL: https://chat.example.com/chat/@connections/<id> is delivered, /prod/@connections on the domain is 403", async () => {
    const gateway = await gw.start();
    const client = await Client.connect(`ws://127.0.0.1:${gateway.port}/chat`);
    const id = encodeURIComponent(JSON.parse((await gw.backend.waitFor("/connect")).body).connectionId);
    const viaDomain = await connectionsCall(gateway.port, gw.ca, "POST", `/chat/@connections/${id}`, { body: "via the domain", host: "chat.example.com" });
    expect(viaDomain.status).toBe(200);
    expect(await client.next()).toBe("via the domain");
    expect(await connectionsCall(gateway.port, gw.ca, "POST", `/prod/@connections/${id}`, { body: "x", host: "chat.example.com" })).toMatchObject({
      status: 403,
      errorType: "ForbiddenException",
    });
    // On 127.0.0.1 both forms reach the stage.
    expect((await connectionsCall(gateway.port, gw.ca, "POST", `/chat/@connections/${id}`, { body: "mapping path" })).status).toBe(200);
    expect(await client.next()).toBe("mapping path");
    await client.close();
  });
});
