import * as http from "http";
import * as https from "https";

/** A request API Gateway makes to an integration's backend. */
export interface BackendRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** The backend's answer. */
export interface BackendResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Why a backend call failed. */
export class BackendCallError extends Error {
  constructor(
    public readonly kind: "timeout" | "unreachable",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls backends over HTTP with keep-alive connections (as API Gateway's
 * VPC link keeps connections to the NLB), each call bounded by its
 * integration's timeout.
 */
export class BackendClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64 });
  private inFlight = 0;

  /** Calls in progress. */
  public get pending(): number {
    return this.inFlight;
  }

  public call(request: BackendRequest): Promise<BackendResponse> {
    const secure = request.url.protocol === "https:";
    this.inFlight++;
    return new Promise<BackendResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error?: BackendCallError, response?: BackendResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight--;
        if (error) reject(error);
        else resolve(response!);
      };
      const req = (secure ? https : http).request(
        request.url,
        {
          method: request.method,
          headers: { ...request.headers, "content-length": String(request.body.length) },
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => finish(undefined, { status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", (e) => finish(new BackendCallError("unreachable", e.message)));
        },
      );
      const timer = setTimeout(() => {
        finish(new BackendCallError("timeout", `no answer within ${request.timeoutMs} ms`));
        req.destroy();
      }, request.timeoutMs);
      req.on("error", (e: NodeJS.ErrnoException) => finish(new BackendCallError("unreachable", e.code ? `${e.code} ${request.url.host}` : e.message)));
      req.end(request.body);
    });
  }

  /** Closes the idle keep-alive connections. */
  public close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
