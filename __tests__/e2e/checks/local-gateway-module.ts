// The local gateway (npm run local's data plane, local-gateway/) serving the
// websocket-nlb module as applied on the emulator, and `npm run verify` of
// it: checks on the e2e websocket-nlb deployment, called with one line from
// __tests__/e2e/websocket-nlb.test.ts. Routes come from for_each over
// custom_routes, so only the applied state holds them. The deployment's
// module arguments (an override file, as a user would write) make makeMove a
// two-way route with its own path (/moves) and the integration timeout short
// (1.5 s). These tests were the gateway suite's module-stacks.test.ts, which
// applied the same example on an emulator of its own (docs/testing.md,
// "Fourth pass").
import { ApiModel, apiFromTerraformState, LocalGateway, showState } from "../../../local-gateway";
import type { DeploymentContext } from "../../support/deployment";
import { Client, parseErrorFrame } from "../../local-gateway/support/clients";
import { ScriptedBackend } from "../../local-gateway/support/scripted-backend";
import { verifyModuleChecks } from "./verify-module";

/** The module arguments the checks below rely on (merged into the deployment's). */
export const LOCAL_GATEWAY_MODULE_ARGUMENTS = {
  custom_routes: {
    joinGame: { route_response_selection_expression: null },
    makeMove: { route_response_selection_expression: "$default", path: "/moves" },
  },
  integration_timeout_milliseconds: 1500,
};

export function localGatewayModuleChecks(ctx: () => DeploymentContext): void {
  describe("LocalGateway serving the websocket-nlb module as applied", () => {
    let api: ApiModel;
    let shownApi: ApiModel;
    let gateway: LocalGateway;
    const backend = new ScriptedBackend();

    beforeAll(async () => {
      // As npm run local and verify read it (terraform state pull), and as terraform show -json prints it: the same API.
      api = apiFromTerraformState(await showState(ctx().dir));
      shownApi = apiFromTerraformState(JSON.parse(await ctx().terraform(["show", "-json"])));
      await backend.start();
      gateway = await LocalGateway.start({ api, backend: backend.url });
    }, 5 * 60_000);

    afterEach(() => {
      backend.calls.length = 0;
      backend.answer = (call) => ({ body: `${call.path} ${call.body}` });
    });

    afterAll(async () => {
      await gateway?.stop();
      await backend.stop();
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
    verifyModuleChecks(() => ({ emulator: ctx().emulator, root: ctx().dir, api, backend }));
  });
}
