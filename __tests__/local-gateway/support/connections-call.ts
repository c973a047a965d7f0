import * as https from "https";
import { signedHeaders } from "./signer";

/** What a raw @connections call answered. */
export interface CallAnswer {
  readonly status: number;
  readonly errorType?: string;
  readonly body: string;
}

/**
 * A @connections call over the gateway's TLS, signed by the AWS SDK's own
 * signer (test/test) for the exact path given, e.g. `/prod/%40connections/<id>`
 * as awscurl sends it. `host` sets the Host header and TLS server name
 * (a custom domain reached on 127.0.0.1, as `curl --resolve` does).
 */
export async function connectionsCall(
  port: number,
  ca: Buffer,
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: { body?: string; host?: string } = {},
): Promise<CallAnswer> {
  const host = options.host ?? `127.0.0.1:${port}`;
  const headers = await signedHeaders(`https://${host}${path}`, { method, body: options.body });
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port, method, path, headers: { ...headers, host }, ca, servername: options.host?.replace(/:\d+$/, "") },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, errorType: res.headers["x-amzn-errortype"] as string | undefined, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
