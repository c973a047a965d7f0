import * as fs from "fs";
import * as path from "path";
import { ApiModel, apiFromTerraformState, LocalGateway, showState } from "../../local-gateway";
import { Emulator, startEmulator } from "../../scripts/emulator";
import { apply, describeE2e, overrideProviderForEmulator } from "../support/e2e";
import { copyExample, removeWorkdir, terraform, workdir } from "../support/terraform";
import { Client, parseErrorFrame } from "./support/clients";
import { verifyModuleChecks } from "./checks/verify-module";
import { ScriptedBackend } from "./support/scripted-backend";

/**
 * The websocket-nlb module, used from HCL as its example does, applied on the
 * emulator and served from the state: routes come from for_each over
 * custom_routes, so only the applied state holds them. An override file (as a
 * user would write) adds a two-way custom route with its own path and a short
 * integration timeout.
 */
describeE2e()("LocalGateway serving the websocket-nlb module as applied", () => {
  let emulator: Emulator;
  let dir: string;
  let api: ApiModel;
  let shownApi: ApiModel;
  let gateway: LocalGateway;
  const backend = new ScriptedBackend();

  beforeAll(async () => {
    dir = workdir("e2e-gateway-nlb");
    // A generous start-up time: moto loads AWS's managed policies first, slowly on a busy machine.
    emulator = await startEmulator({ log: path.join(dir, "moto.log"), timeoutMs: 180_000 });
    const root = path.join(dir, "root");
    fs.mkdirSync(root);
    copyExample("websocket-nlb", root);
    const env = overrideProviderForEmulator(root, emulator);
    fs.writeFileSync(
      path.join(root, "gateway_override.tf"),
      `module "websocket_api" {
  custom_routes = {
    joinGame = { route_response_selection_expression = null }
    makeMove = { route_response_selection_expression = "$default", path = "/moves" }
  }
  integration_timeout_milliseconds = 1500
}
`,
    );
    apply(root, [], env);
    // As npm run local and verify read it (terraform state pull), and as terraform show -json prints it: the same API.
    api = apiFromTerraformState(await showState(root, { ...process.env, ...env }));
    shownApi = apiFromTerraformState(JSON.parse(terraform(root, ["show", "-json"], env)));
    await backend.start();
    gateway = await LocalGateway.start({ api, backend: backend.url });
  }, 15 * 60_000);

  afterEach(() => {
    backend.calls.length = 0;
    backend.answer = (call) => ({ body: `${call.path} ${call.body}` });
  });

  afterAll(async () => {
    await gateway?.stop();
    await backend.stop();
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  }, 120_000);

  test("reads the same API from terraform state pull (showState) as from terraform show -json", () => {
    expect(api).toEqual(shownApi);
  });

  test("reads the routes for_each created, their two-way-ness and the private path from the state", () => {
    expect(api.routes.map((r) => [r.key, r.integration?.type, r.twoWay]).sort()).toEqual(
      [
        ["$connect", "HTTP_PROXY", false],
        ["$default", "HTTP_PROXY", true],
        ["$disconnect", "HTTP_PROXY", false],
        ["joinGame", "HTTP_PROXY", false],
        ["makeMove", "HTTP_PROXY", true],
      ].sort(),
    );
    expect(api.privateTargets).toEqual([{ vpcLinkId: expect.any(String), host: expect.stringMatching(/^turtle-battleships-nlb/), port: 3000 }]);
    expect(api.stage.defaultThrottle).toEqual({ burstLimit: 1000, rateLimit: 500 });
  });

  test("$connect is a proxy call with the connectionId header, the handshake's headers and query string", async () => {
    const client = await Client.connect(`${gateway.url}?room=7`, { headers: { "x-player": "turtle" } });
    const call = await backend.waitFor("/connect");
    expect(call.path).toBe("/connect?room=7");
    expect(call.headers.connectionid).toMatch(/^[\w-]{15}=$/);
    expect(call.headers.routekey).toBe("$connect");
    expect(call.headers["x-player"]).toBe("turtle");
    expect(call.body).toBe("");
    await client.close();
    const disconnect = await backend.waitFor("/disconnect");
    expect(disconnect.headers.connectionid).toBe(call.headers.connectionid);
  });

  test("a $connect answered with 401 refuses the handshake", async () => {
    backend.answer = (call) => (call.path.includes("deny") ? { status: 401, body: "who are you?" } : {});
    await expect(Client.connect(`${gateway.url}?deny=1`)).rejects.toMatchObject({ status: 401 });
  });

  test("a two-way custom route sends the frame as the body to its path and answers with the backend's reply", async () => {
    const client = await Client.connect(gateway.url);
    const frame = JSON.stringify({ action: "makeMove", x: 3, y: 4 });
    expect(await client.ask(frame)).toBe(`/moves ${frame}`);
    const call = await backend.waitFor("/moves");
    expect(call.headers).toMatchObject({ connectionid: expect.any(String), routekey: "makeMove" });
    await client.close();
  });

  test("a one-way custom route calls the backend and answers nothing", async () => {
    const client = await Client.connect(gateway.url);
    client.send({ action: "joinGame", game: 1 });
    await backend.waitFor("/joinGame");
    await client.expectSilence();
    await client.close();
  });

  test("other frames, JSON or not, go to $default (two-way) at /default", async () => {
    const client = await Client.connect(gateway.url);
    expect(await client.ask({ action: "chat", text: "hi" })).toBe('/default {"action":"chat","text":"hi"}');
    expect(await client.ask("plain text")).toBe("/default plain text");
    await client.close();
  });

  test("a backend slower than integration_timeout_milliseconds gets AWS's timeout frame, and other clients are still served", async () => {
    backend.answer = (call) => (call.body.includes("slow") ? { delayMs: 2500, body: "late" } : { body: "fast" });
    const slow = await Client.connect(gateway.url);
    const other = await Client.connect(gateway.url);
    const started = Date.now();
    slow.send({ action: "makeMove", slow: true });
    expect(await other.ask({ action: "makeMove" })).toBe("fast");
    const frame = parseErrorFrame(await slow.next(undefined, 5000));
    expect(frame).toEqual({ message: "Endpoint request timed out", connectionId: expect.any(String), requestId: expect.any(String) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    await slow.close();
    await other.close();
  });

  test("a one-way route gets the error frame too when the backend is down", async () => {
    const client = await Client.connect(gateway.url);
    await backend.stop();
    try {
      const frame = parseErrorFrame(await client.ask({ action: "joinGame" }));
      expect(frame.message).toBe("Internal server error");
    } finally {
      await backend.start();
    }
    await client.close();
  });

  // npm run verify of this module (issue 17): its own module, one line.
  verifyModuleChecks(() => ({ emulator, root: path.join(dir, "root"), api, backend }));
});
