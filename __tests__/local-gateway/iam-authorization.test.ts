import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { connectMethodArn, LocalGateway } from "../../local-gateway";
import { SIGNATURE_MISMATCH } from "../../local-gateway/sigv4";
import { Client } from "./support/clients";
import { chatGateway } from "./support/chat-gateway";
import { presignedUrl, signedHeaders } from "./support/signer";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * IAM authorization (chat.api.authorization AWS_IAM): the `$connect`
 * handshake signed with SigV4 by the AWS SDK's own signer, in both forms,
 * verified against the emulator's credentials (test/test), with and without
 * an identity policy; and the signatures of @connections calls.
 */
describe("LocalGateway with IAM authorization", () => {
  const gw = chatGateway("gateway-iam", { overrides: { chat: { api: { authorization: { type: "AWS_IAM" } } } } });

  const refusedWith = (message: string) => expect.objectContaining({ status: 403, body: expect.stringContaining(JSON.stringify(message).slice(1, -1)) });

  describe("$connect", () => {
    test("accepts a handshake signed in the header form by the AWS SDK's signer, and the signer becomes $context.identity", async () => {
      const gateway = await gw.start({
        api: { ...gw.api, stage: { ...gw.api.stage, accessLogFormat: '{"user":"$context.identity.userArn","key":"$context.identity.accessKey"}' } },
        accessLogFile: path.join(gw.dir, "iam.log"),
      });
      const url = `${gateway.url}?room=1`;
      const client = await Client.connect(url, { headers: await signedHeaders(url) });
      await client.close();
      await gateway.stop();
      const line = JSON.parse(fs.readFileSync(path.join(gw.dir, "iam.log"), "utf8").split("\n")[0]);
      expect(line).toEqual({ user: `arn:aws:iam::000000000000:user/test`, key: "test" });
      expect(gateway.describeAuthorization()).toMatch(
        /^\$connect IAM authorization \(AWS_IAM\): SigV4 verified .*access key test\); any valid signature may connect/,
      );
    });

    test("accepts a presigned URL (the query-string form browsers use), wss:// too", async () => {
      const gateway = await gw.start();
      await (await Client.connect(await presignedUrl(`${gateway.url}?room=1`))).close();
      const secure = gateway.url.replace(/^ws:/, "wss:");
      const signed = await presignedUrl(secure);
      const { WebSocket } = await import("ws");
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(signed, { ca: fs.readFileSync(gw.certificates.caFile) });
        ws.once("open", () => (ws.close(), resolve()));
        ws.once("error", reject);
      });
    });

    test("refuses an unsigned handshake with 403 Missing Authentication Token, without calling $connect", async () => {
      const gateway = await gw.start();
      await expect(Client.connect(gateway.url)).rejects.toEqual(refusedWith("Missing Authentication Token"));
      expect(gw.backend.callsTo("/connect")).toHaveLength(0);
    });

    test("refuses tampered handshakes: another query string, another secret, an unknown key, another region, an expired signature", async () => {
      const gateway = await gw.start();
      const url = `${gateway.url}?room=1`;
      const headers = await signedHeaders(url);
      await expect(Client.connect(`${gateway.url}?room=2`, { headers })).rejects.toEqual(refusedWith(SIGNATURE_MISMATCH));
      const presigned = await presignedUrl(url);
      await expect(Client.connect(presigned.replace("room=1", "room=3"))).rejects.toEqual(refusedWith(SIGNATURE_MISMATCH));
      await expect(Client.connect(url, { headers: await signedHeaders(url, { secretAccessKey: "wrong" }) })).rejects.toEqual(refusedWith(SIGNATURE_MISMATCH));
      await expect(Client.connect(url, { headers: await signedHeaders(url, { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }) })).rejects.toEqual(
        refusedWith("The security token included in the request is invalid."),
      );
      await expect(Client.connect(url, { headers: await signedHeaders(url, { region: "eu-west-1" }) })).rejects.toEqual(
        refusedWith("Credential should be scoped to a valid region"),
      );
      const old = new Date(Date.now() - 10 * 60_000);
      await expect(Client.connect(url, { headers: await signedHeaders(url, { signingDate: old }) })).rejects.toEqual(refusedWith("Signature expired"));
      await expect(Client.connect(await presignedUrl(url, { signingDate: old, expiresIn: 60 }))).rejects.toEqual(refusedWith("Signature expired"));
      expect(gw.backend.callsTo("/connect")).toHaveLength(0);
    });

    test("with an identity policy (--iam-policy), needs execute-api:Invoke on the $connect route's ARN", async () => {
      const arn = connectMethodArn(gw.api);
      const allowing = await gw.start({
        iamPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: `${gw.api.executionArn}/prod/*` }] },
      });
      await (await Client.connect(allowing.url, { headers: await signedHeaders(allowing.url) })).close();
      expect(allowing.describeAuthorization()).toContain(`execute-api:Invoke on ${arn} checked against --iam-policy`);

      const otherStage = await gw.start({
        iamPolicy: { Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: `${gw.api.executionArn}/dev/*` }] },
      });
      await expect(Client.connect(otherStage.url, { headers: await signedHeaders(otherStage.url) })).rejects.toEqual(
        refusedWith(`User: arn:aws:iam::000000000000:user/test is not authorized to perform: execute-api:Invoke on resource: ${arn}`),
      );
      const denying = await gw.start({
        iamPolicy: {
          Statement: [
            { Effect: "Allow", Action: "*", Resource: "*" },
            { Effect: "Deny", Action: "execute-api:Invoke", Resource: arn },
          ],
        },
      });
      await expect(Client.connect(denying.url, { headers: await signedHeaders(denying.url) })).rejects.toEqual(refusedWith("with an explicit deny"));
      await expect(LocalGateway.start({ api: gw.api, iamPolicy: { Statement: "nope" } })).rejects.toThrow(/Statement must be a statement or a list/);
    });
  });

  describe("@connections", () => {
    /** A connected client and its id. */
    async function connected(gateway: LocalGateway): Promise<{ client: Client; id: string }> {
      const client = await Client.connect(gateway.url, { headers: await signedHeaders(gateway.url) });
      return { client, id: JSON.parse((await gw.backend.waitFor("/connect")).body).connectionId };
    }

    const sdk = (gateway: LocalGateway, secretAccessKey = "test") =>
      new ApiGatewayManagementApiClient({
        endpoint: gateway.connectionsUrl,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey },
        maxAttempts: 1,
        requestHandler: { httpsAgent: new https.Agent({ ca: fs.readFileSync(gw.certificates.caFile) }) },
      });

    test("verifies the signature of every call: the SDK with the emulator's credentials delivers, with another secret it gets 403 InvalidSignatureException", async () => {
      const gateway = await gw.start();
      const { client, id } = await connected(gateway);
      const good = sdk(gateway);
      await good.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from("signed") }));
      expect(await client.next()).toBe("signed");
      const bad = sdk(gateway, "not-the-secret");
      await expect(bad.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from("forged") }))).rejects.toMatchObject({
        name: "InvalidSignatureException",
        $metadata: { httpStatusCode: 403 },
      });
      await expect(bad.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await client.expectSilence(200);
      good.destroy();
      bad.destroy();
      await client.close();
    });

    test("refuses a body other than the one signed, and accepts a presigned call", async () => {
      const gateway = await gw.start();
      const { client, id } = await connected(gateway);
      const url = `${gateway.connectionsUrl}/@connections/${encodeURIComponent(id)}`;
      const post = (target: string, headers: Record<string, string>, body: string) =>
        new Promise<{ status: number; type?: string }>((resolve, reject) =>
          https
            .request(target, { method: "POST", headers, ca: fs.readFileSync(gw.certificates.caFile) }, (res) => {
              res.resume();
              resolve({ status: res.statusCode!, type: res.headers["x-amzn-errortype"] as string | undefined });
            })
            .on("error", reject)
            .end(body),
        );
      const headers = await signedHeaders(url, { method: "POST", body: "original" });
      expect(await post(url, headers, "tampered")).toEqual({ status: 403, type: "InvalidSignatureException" });
      expect(await post(url, headers, "original")).toEqual({ status: 200, type: undefined });
      expect(await client.next()).toBe("original");
      expect(await post(await presignedUrl(url, { method: "POST", body: "presigned" }), {}, "presigned")).toEqual({ status: 200, type: undefined });
      expect(await client.next()).toBe("presigned");
      await client.close();
    });

    test("a plain HTTP call answers 403 MissingAuthenticationTokenException without a signature", async () => {
      const gateway = await gw.start({ tls: undefined });
      const status = await new Promise<number>((resolve, reject) =>
        http
          .request(`${gateway.connectionsUrl}/@connections/L0SM9cOFvHcCIhw=`, { method: "GET" }, (res) => (res.resume(), resolve(res.statusCode!)))
          .on("error", reject)
          .end(),
      );
      expect(status).toBe(403);
    });
  });
});
