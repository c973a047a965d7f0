import { ApiModel } from "./api-model";
import { AuthorizerResult, CallerIdentity } from "./connections";

/** What an event's `$context` is built from. */
export interface ContextFields {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
  readonly routeKey: string;
  readonly requestId: string;
  /** The gateway clock's time of the event. */
  readonly now: number;
  /** The host the client connected to (`127.0.0.1:<port>`, a custom domain, the execute-api host). */
  readonly domainName: string;
  readonly messageId?: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly authorizer?: AuthorizerResult;
  readonly identity?: CallerIdentity;
  readonly disconnect?: { code: number; reason: string };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * An event's `$context`, with the variables of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
 * (unavailable ones are empty). `authorizer` holds the `$connect`
 * authorizer's `principalId` and `context` keys for every event of the
 * connection, as API Gateway keeps them.
 */
export function requestContext(api: ApiModel, f: ContextFields): Record<string, unknown> {
  const id = f.identity;
  return {
    apiId: api.id,
    connectedAt: f.connectedAt,
    connectionId: f.connectionId,
    domainName: f.domainName,
    domainPrefix: f.domainName.split(/[.:]/)[0],
    eventType: f.eventType,
    extendedRequestId: f.requestId,
    messageDirection: "IN",
    messageId: f.messageId ?? "",
    requestId: f.requestId,
    requestTime: clfTime(f.now),
    requestTimeEpoch: f.now,
    routeKey: f.routeKey,
    stage: api.stage.name,
    identity: {
      sourceIp: f.sourceIp,
      userAgent: f.userAgent,
      accountId: id?.accountId ?? "",
      apiKey: "",
      apiKeyId: "",
      accessKey: id?.accessKey ?? "",
      caller: id?.caller ?? "",
      user: id?.user ?? "",
      userArn: id?.userArn ?? "",
      cognitoIdentityId: "",
      cognitoIdentityPoolId: "",
      cognitoAuthenticationType: "",
      cognitoAuthenticationProvider: "",
      principalOrgId: "",
    },
    authorizer: { ...f.authorizer?.context, principalId: f.authorizer?.principalId ?? "" },
    error: { message: "", messageString: '""', responseType: "", validationErrorString: "" },
    disconnectStatusCode: f.disconnect?.code ?? "",
    disconnectReason: f.disconnect?.reason ?? "",
  };
}

/** `$context.requestTime`: CLF format, `dd/MMM/yyyy:HH:mm:ss +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
