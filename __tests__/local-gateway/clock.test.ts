import * as http from "http";
import { LocalGateway } from "../../local-gateway";
import { Client } from "./support/clients";
import { chatGateway } from "./support/chat-gateway";

/** POSTs or GETs the gateway's clock control endpoint. */
function clock(gateway: LocalGateway, advance?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) =>
    http
      .request(
        advance === undefined ? gateway.clockUrl : `${gateway.clockUrl}?advance=${advance}`,
        { method: advance === undefined ? "GET" : "POST" },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      )
      .on("error", reject)
      .end(),
  );
}

/**
 * The idle timeout and the maximum connection duration, in seconds with
 * short limits, and at AWS's 10 minutes and 2 hours with the clock
 * fast-forwarded through the control endpoint.
 */
describe("LocalGateway's connection limits and clock", () => {
  const gw = chatGateway("gateway-clock", { tls: false });

  const id = (n: number) => JSON.parse(gw.backend.callsTo("/connect")[n].body).connectionId;

  test("with limits of 1 s idle and 3 s in all: a silent client is closed after 1 s, a chatty one after 3 s, each with 1001 Going away and a $disconnect", async () => {
    const gateway = await gw.start({ limits: { idleTimeoutMs: 1000, maxConnectionMs: 3000 } });
    // Timed from before the handshake: the gateway's timers start when it accepts, which a
    // loaded machine may report to the client tens of milliseconds later.
    let started = Date.now();
    const silent = await Client.connect(gateway.url);
    expect(await silent.closed).toEqual({ code: 1001, reason: "Going away" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2000);

    started = Date.now();
    const chatty = await Client.connect(gateway.url);
    const frames = setInterval(() => chatty.send({ action: "dance" }), 300);
    const closed = await chatty.closed;
    clearInterval(frames);
    expect(closed).toEqual({ code: 1001, reason: "Going away" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2950);
    for (const n of [0, 1]) await gw.backend.waitFor("/disconnect", (c) => c.body.includes(id(n)));
  });

  test("fast-forward: at AWS's 600 s, a connection idle for 599 s stays and one idle for 601 s is closed; every connection is closed at 7,200 s", async () => {
    const gateway = await gw.start();
    expect(gateway.limits).toMatchObject({ idleTimeoutMs: 600_000, maxConnectionMs: 7_200_000 });
    const quiet = await Client.connect(gateway.url);
    const busy = await Client.connect(gateway.url);
    expect((await clock(gateway, "599")).body).toMatchObject({ advancedSeconds: 599, offsetSeconds: 599, closed: [] });
    expect(await busy.ask({ action: "dance" })).toMatch(/^unknown action/); // busy's traffic resets its idle time
    const second = await clock(gateway, "2");
    expect(second.body).toMatchObject({ offsetSeconds: 601, closed: [id(0)] });
    expect(await quiet.closed).toEqual({ code: 1001, reason: "Going away" });
    await gw.backend.waitFor("/disconnect", (c) => c.body.includes(id(0)));
    expect(busy.ws.readyState).toBe(busy.ws.OPEN);

    // 2 hours since it connected, however active: frames every 500 s of the gateway's time.
    for (let i = 0; i < 12; i++) {
      await clock(gateway, "500");
      expect(await busy.ask({ action: "dance" })).toMatch(/^unknown action/);
    }
    expect((await clock(gateway, "598")).body).toMatchObject({ offsetSeconds: 7199, closed: [] });
    expect((await clock(gateway, "1")).body.closed).toEqual([id(1)]);
    expect(await busy.closed).toEqual({ code: 1001, reason: "Going away" });
    expect(gateway.clock.offset).toBe(7_200_000);
  });

  test("a fast-forward reaches connections opened afterwards' timers too, and the endpoint tells the clock and refuses a bad amount", async () => {
    const gateway = await gw.start({ limits: { idleTimeoutMs: 60_000 } });
    expect((await clock(gateway)).body).toMatchObject({ offsetSeconds: 0, idleTimeoutSeconds: 60, maxConnectionSeconds: 7200 });
    await clock(gateway, "30");
    const client = await Client.connect(gateway.url);
    expect((await clock(gateway, "59.5")).body.closed).toEqual([]);
    expect((await clock(gateway, "0.5")).body.closed).toEqual([id(0)]);
    await client.closed;
    expect(await clock(gateway, "-5")).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^advance must be a number of seconds >= 0, got "-5"/) },
    });
    expect(await clock(gateway, "soon")).toMatchObject({ status: 400 });
  });
});
