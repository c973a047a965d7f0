import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "crypto";

/** The SHA-256 the AWS SDK's signer wants, from Node's crypto (what @smithy/hash-node does). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret !== undefined ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SignOptions {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly region?: string;
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly signingDate?: Date;
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** The AWS SDK's own SigV4 signer (@smithy/signature-v4), for service execute-api. */
function signer(o: SignOptions): SignatureV4 {
  return new SignatureV4({
    service: "execute-api",
    region: o.region ?? "us-east-1",
    credentials: { accessKeyId: o.accessKeyId ?? "test", secretAccessKey: o.secretAccessKey ?? "test" },
    sha256: Sha256,
  });
}

function request(url: URL, o: SignOptions) {
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  return {
    method: o.method ?? "GET",
    protocol: url.protocol.replace("ws", "http"),
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...o.headers },
    body: o.body,
  };
}

/** Signs a request in the header form; returns the headers to send (host, x-amz-date, authorization, ...). */
export async function signedHeaders(url: string, o: SignOptions = {}): Promise<Record<string, string>> {
  const signed = await signer(o).sign(request(new URL(url), o), { signingDate: o.signingDate });
  return signed.headers as Record<string, string>;
}

/** Presigns a URL (the query-string form, X-Amz-Signature); returns it with the signature. */
export async function presignedUrl(url: string, o: SignOptions & { expiresIn?: number } = {}): Promise<string> {
  const parsed = new URL(url);
  const signed = await signer(o).presign(request(parsed, o), { signingDate: o.signingDate, expiresIn: o.expiresIn ?? 300 });
  const out = new URL(`${parsed.protocol}//${parsed.host}${parsed.pathname}`);
  for (const [k, v] of Object.entries(signed.query ?? {})) out.searchParams.append(k, String(v));
  return out.href;
}
