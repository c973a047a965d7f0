import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac, Hash, Hmac } from "crypto";
import * as http from "http";
import { WebSocket } from "ws";

/**
 * A WebSocket client of the scenario: keeps every message it receives, and
 * reports a refused handshake with its status and body (what API Gateway
 * answers when `$connect` fails or is denied).
 */
export class ScenarioClient {
  /** Connects; rejects with a {@link HandshakeError}. */
  public static connect(url: string, options: { headers?: Record<string, string>; ca?: Buffer; timeoutMs?: number } = {}): Promise<ScenarioClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [], { headers: options.headers, perMessageDeflate: false, ca: options.ca, handshakeTimeout: options.timeoutMs ?? 15_000 });
      const client = new ScenarioClient(ws);
      let refused = false;
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (req: http.ClientRequest, res: http.IncomingMessage) => {
        refused = true;
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("error", () => undefined);
        res.on("close", () => {
          reject(new HandshakeError(url, res.statusCode ?? 0, body));
          req.destroy();
        });
      });
      ws.once("error", (e) => {
        if (!refused) reject(new HandshakeError(url, 0, "", e));
      });
    });
  }

  public readonly messages: string[] = [];
  public readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(public readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.messages.push(data.toString("utf8"));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  public send(data: string | object): void {
    this.ws.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  /** The first received message (consumed) for which `match` holds, or undefined after `timeoutMs`. */
  public async next(match: (m: string) => boolean, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(match);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState !== WebSocket.OPEN) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Closes with 1000 and waits for the server's close (or gives up after `timeoutMs`). */
  public async close(timeoutMs = 5000): Promise<{ code: number; reason: string } | undefined> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "verify done");
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    const result = await Promise.race([this.closed, timeout]);
    if (!result) this.ws.terminate();
    return result;
  }
}

/** A refused or failed handshake. */
export class HandshakeError extends Error {
  constructor(
    public readonly url: string,
    /** The HTTP status API Gateway answered, 0 when no answer came (DNS, TCP, TLS). */
    public readonly status: number,
    public readonly body: string,
    public readonly error?: Error,
  ) {
    super(status ? `${status} ${body.trim().slice(0, 200)}`.trim() : (error?.message ?? "no answer"));
  }
}

/** An AWS error frame (`{"message": "...", "connectionId": "...", "requestId": "..."}`), parsed, or undefined. */
export function errorFrame(text: string): { message: string } | undefined {
  try {
    const json = JSON.parse(text);
    return json && typeof json === "object" && typeof json.message === "string" && "requestId" in json ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The headers of a `$connect` handshake signed with SigV4 for IAM
 * authorization (service `execute-api`), as
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html
 * asks: the GET of the connect URL, query string included.
 */
export async function signedHandshakeHeaders(
  url: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<Record<string, string>> {
  const u = new URL(url.replace(/^ws(s?):/, "http$1:"));
  const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: NodeSha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: "GET",
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: u.pathname,
    query,
    headers: { host: u.host },
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== "host") out[k] = String(v);
  return out;
}

/** SHA-256 (or HMAC-SHA-256 with a secret) in the checksum shape the signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
