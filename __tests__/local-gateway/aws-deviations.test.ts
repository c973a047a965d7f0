import { Client } from "./support/clients";
import { connectionsCall } from "./support/connections-call";
import { chatGateway } from "./support/chat-gateway";

/**
 * The four places where an outside probe of about 40 documented behaviours
 * found the gateway unlike API Gateway (issue 19), each now as AWS does it.
 */
describe("LocalGateway where it used to differ from AWS", () => {
  const gw = chatGateway("gateway-deviations");

  const connectionIdOf = async (n = 0) => JSON.parse(gw.backend.callsTo("/connect")[n]?.body ?? (await gw.backend.waitFor("/connect")).body).connectionId;

  test("refuses a handshake URL over AWS's 4,096 characters (counted as it reads on AWS) with 414; 4,096 connects", async () => {
    const gateway = await gw.start();
    // The URL on AWS: wss://<api-id>.execute-api.<region>.amazonaws.com/prod?token=...
    const awsPrefix = `wss://${gw.api.endpointHost}/prod?token=`;
    const token = (n: number) => "t".repeat(n - awsPrefix.length);
    const atLimit = await Client.connect(`${gateway.url}?token=${token(4096)}`);
    await atLimit.close();
    await expect(Client.connect(`${gateway.url}?token=${token(4097)}`)).rejects.toMatchObject({ status: 414 });
    // The local URL is shorter than AWS's (127.0.0.1:<port>): the quota is AWS's all the same.
    expect(`${gateway.url}?token=${token(4097)}`.length).toBeLessThan(4097);
    expect(gw.backend.callsTo("/connect")).toHaveLength(1);
  });

  test('answers a @connections id not in API Gateway\'s form with 400 BadRequestException "Invalid connectionId" (a well-formed unknown id stays 410)', async () => {
    const gateway = await gw.start();
    for (const id of ["not-an-id", "L0SM9cOFvHcCIh", "L0SM9cOFvHcCIhw==", "L0SM9cOFvHc%2FIhw%3D"]) {
      const answer = await connectionsCall(gateway.port, gw.ca, "POST", `/prod/@connections/${id}`, { body: "x" });
      expect(answer).toEqual({ status: 400, errorType: "BadRequestException", body: JSON.stringify({ message: "Invalid connectionId" }) });
    }
    expect(await connectionsCall(gateway.port, gw.ca, "GET", "/prod/@connections/L0SM9cOFvHcCIhw%3D")).toMatchObject({
      status: 410,
      errorType: "GoneException",
    });
  });

  test("counts traffic in either direction for the idle timeout: @connections messages keep a silent client connected", async () => {
    const gateway = await gw.start({ limits: { idleTimeoutMs: 1000 } });
    const client = await Client.connect(gateway.url);
    const id = await connectionIdOf();
    // 2.4 s of server pushes only, every 300 ms: the client never sends a frame.
    let lastPush = 0;
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 300));
      // Timed from before the call: the gateway resets the timer when it takes the push, before its answer arrives here.
      const sent = Date.now();
      expect((await connectionsCall(gateway.port, gw.ca, "POST", `/prod/@connections/${encodeURIComponent(id)}`, { body: `push ${i}` })).status).toBe(200);
      lastPush = sent;
    }
    expect(client.messages).toHaveLength(8);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    // Then silence both ways: closed the idle timeout after the last push.
    expect(await client.closed).toEqual({ code: 1001, reason: "Going away" });
    expect(Date.now() - lastPush).toBeGreaterThanOrEqual(950);
  });

  test("accepts /<stage>/%40connections/<id>, the encoded path the AWS docs' awscurl example sends", async () => {
    const gateway = await gw.start();
    const client = await Client.connect(gateway.url);
    const id = encodeURIComponent(await connectionIdOf());
    expect(await connectionsCall(gateway.port, gw.ca, "POST", `/prod/%40connections/${id}`, { body: "encoded" })).toMatchObject({ status: 200 });
    expect(await client.next()).toBe("encoded");
    expect(JSON.parse((await connectionsCall(gateway.port, gw.ca, "GET", `/prod/%40connections/${id}`)).body)).toHaveProperty("connectedAt");
    expect(await connectionsCall(gateway.port, gw.ca, "DELETE", `/prod/%40connections/${id}`)).toMatchObject({ status: 204 });
    expect((await client.closed).code).toBe(1000);
  });
});
