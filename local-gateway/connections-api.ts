import { createHash } from "crypto";
import * as http from "http";
import { Connections } from "./connections";
import { CustomDomains, pathSegments } from "./custom-domains";
import { EventLog } from "./event-log";
import { errorBody } from "./gateway-errors";
import { IamAuthorizer } from "./iam-authorizer";
import { isConnectionId, newId } from "./ids";
import { GatewayLimits } from "./limits";

/** What the @connections API needs of the gateway. */
export interface ConnectionsApiDeps {
  readonly limits: GatewayLimits;
  readonly connections: Connections;
  readonly domains: CustomDomains;
  readonly log: EventLog;
  /** Verifies the SigV4 signature of every call (the credentials the gateway accepts). */
  readonly signatures: IamAuthorizer;
}

/** An answer of the @connections API. */
interface Answer {
  readonly status: number;
  readonly body?: string;
  readonly errorType?: string;
}

/**
 * The @connections API at `<callback URL>/@connections/{connectionId}`
 * (`/<stage>/@connections/{id}` on the stage's hosts; `/<key>/@connections/{id}`
 * or `/@connections/{id}` on a custom domain; `%40connections` is the same
 * path, as the AWS docs' awscurl example writes it): POST sends, GET
 * describes, DELETE closes; every call SigV4-signed by accepted credentials
 * (403 otherwise); 400 BadRequestException "Invalid connectionId" for an id
 * not in API Gateway's form, 410 GoneException for a connection that is not
 * there, 413 PayloadTooLargeException past 128 KB.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */
export class ConnectionsApi {
  constructor(private readonly deps: ConnectionsApiDeps) {}

  /** Answers a request whose path is an @connections path; false when it is not one (the caller answers). */
  public async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const { connections, domains, limits, signatures } = this.deps;
    const target = domains.connectionsPath(req.headers.host, pathSegments(url.pathname));
    if (target === undefined) return false;
    const body = await readBody(req, limits.messageBytes);
    const id = target === "elsewhere" ? url.pathname : target.id;
    const answer = (a: Answer) => this.answer(req, res, id, a);
    if (target === "elsewhere") return answer({ status: 403, body: errorBody("Forbidden"), errorType: "ForbiddenException" });
    const signature = signatures.verify({ method: req.method ?? "GET", target: req.url ?? "/", headers: req.headersDistinct, bodySha256: body.sha256 });
    if (!signature.ok) return answer({ status: 403, body: errorBody(signature.message), errorType: signature.errorType });
    if (!["POST", "GET", "DELETE"].includes(req.method ?? "")) return answer({ status: 403, body: errorBody("Forbidden"), errorType: "ForbiddenException" });
    if (!isConnectionId(target.id)) return answer({ status: 400, body: errorBody("Invalid connectionId"), errorType: "BadRequestException" });
    const live = connections.live(target.id);
    switch (req.method) {
      case "POST":
        if (body.tooLarge)
          return answer({ status: 413, body: errorBody(`Message too long: the limit is ${limits.messageBytes} bytes`), errorType: "PayloadTooLargeException" });
        if (!live) return answer({ status: 410, body: "{}", errorType: "GoneException" });
        connections.send(live, body.data);
        return answer({ status: 200 });
      case "GET":
        if (!live) return answer({ status: 410, body: "{}", errorType: "GoneException" });
        return answer({
          status: 200,
          body: JSON.stringify({
            connectedAt: new Date(live.connectedAt).toISOString(),
            identity: { sourceIp: live.sourceIp, userAgent: live.userAgent },
            lastActiveAt: new Date(live.lastActiveAt).toISOString(),
          }),
        });
      default:
        if (!live) return answer({ status: 410, body: "{}", errorType: "GoneException" });
        // $disconnect then reads disconnectStatusCode 1000, disconnectReason "Connection Closed Normally",
        // as API Gateway logs it for a DeleteConnection (boto/boto3#3789).
        connections.close(live, 1000, "Connection Closed Normally");
        return answer({ status: 204 });
    }
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, id: string, a: Answer): true {
    const headers: Record<string, string> = { "x-amzn-RequestId": newId(), "content-type": "application/json" };
    if (a.errorType) headers["x-amzn-ErrorType"] = a.errorType;
    res.writeHead(a.status, headers);
    res.end(a.body);
    this.deps.log.line(`${"@connections".padEnd(10)} ${`${req.method}`.padEnd(14)} ${id} ${a.status}${a.errorType ? ` ${a.errorType}` : ""}`);
    return true;
  }
}

/** The body up to `limit` bytes, and the SHA-256 of all of it (for the signature). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<{ data: Buffer; tooLarge: boolean; sha256: string }> {
  const chunks: Buffer[] = [];
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return { data: Buffer.concat(chunks), tooLarge: size > limit, sha256: hash.digest("hex") };
}
