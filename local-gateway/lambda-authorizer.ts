import { ApiModel, AuthorizerModel, connectMethodArn } from "./api-model";
import { AuthorizerCallError, AuthorizerHandler } from "./authorizer-handler";
import { AuthorizationOutcome, ConnectAuthorization, HandshakeRequest, refusal } from "./connect-authorization";
import { AuthorizerResult } from "./connections";
import { GatewayClock } from "./gateway-clock";
import { evaluatePolicy } from "./iam-policy";

/** AWS's quota on what a Lambda authorizer may return ("AWS Lambda authorizer result size: 8 KB"). */
export const AUTHORIZER_RESULT_BYTES = 8 * 1024;

/** What a cached result holds: the function's answer, checked. */
interface CachedResult {
  readonly result: AuthorizerResult & { readonly policyDocument: unknown };
  readonly expires: number;
}

/**
 * The `$connect` route's Lambda REQUEST authorizer, run as API Gateway runs
 * it for WebSocket APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html):
 *
 * 1. The identity sources are read first; one missing or empty refuses the
 *    handshake with 401 and the function is not called ("If you attempt to
 *    connect without a valid identity value, you'll receive a 401 response").
 * 2. The function receives the WebSocket REQUEST event: `type`, `methodArn`
 *    (`arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/$connect`),
 *    `headers` and `multiValueHeaders` (names as the client sent them, with
 *    API Gateway's `X-Forwarded-For/-Port/-Proto`), `queryStringParameters`
 *    and `multiValueQueryStringParameters` (absent without a query string),
 *    `stageVariables`, and `requestContext` (routeKey, eventType CONNECT,
 *    extendedRequestId, requestTime, messageDirection, stage, connectedAt,
 *    requestTimeEpoch, identity.sourceIp/userAgent, requestId, domainName,
 *    connectionId, apiId), the fields of the page's example input.
 * 3. Its answer: a `principalId`, a `policyDocument` evaluated for
 *    `execute-api:Invoke` on the method ARN (an explicit Deny wins; Deny or
 *    no matching Allow is 403), and an optional `context` of string, number
 *    and boolean values, at most 8 KB in all. `"Unauthorized"` thrown is
 *    401; another error, no answer within the timeout or a malformed answer
 *    is 500 (AUTHORIZER_FAILURE, AUTHORIZER_CONFIGURATION_ERROR in the
 *    gateway response types,
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 *    The 403 bodies are API Gateway's ("User is not authorized to access
 *    this resource[ with an explicit deny]").
 * 4. An allowed connection keeps `principalId` and `context` as
 *    `$context.authorizer.*` for all its events.
 *
 * Results are cached for the authorizer's `authorizer_result_ttl_in_seconds`
 * on the gateway's clock, keyed by the identity sources' values. API Gateway
 * refuses a TTL for WebSocket APIs (hashicorp/terraform-provider-aws#15232),
 * so deployed ones have 0: the function runs on every connection attempt.
 */
export class LambdaAuthorizer implements ConnectAuthorization {
  private readonly cache = new Map<string, CachedResult>();

  constructor(
    private readonly api: ApiModel,
    private readonly model: AuthorizerModel,
    private readonly handler: AuthorizerHandler,
    private readonly clock: GatewayClock,
    private readonly timeoutMs: number,
  ) {}

  public async authorize(request: HandshakeRequest): Promise<AuthorizationOutcome> {
    const values: string[] = [];
    for (const source of this.model.identitySources) {
      const value = this.identityValue(source, request);
      if (value === undefined || value === "")
        return refusal(401, "Unauthorized", "UNAUTHORIZED", `identity source ${source} missing: the authorizer was not called`);
      values.push(value);
    }
    const key = values.join("\u0000");
    const now = this.clock.now();
    const cached = this.model.resultTtlSeconds > 0 ? this.cache.get(key) : undefined;
    if (cached && cached.expires > now) return this.decide(cached.result, "cached");
    if (cached) this.cache.delete(key);

    let answer: unknown;
    try {
      answer = await this.handler.invoke(this.event(request), this.timeoutMs);
    } catch (e) {
      const error = e instanceof AuthorizerCallError ? e : new AuthorizerCallError(String(e), "failed");
      if (error.kind === "unauthorized") return refusal(401, "Unauthorized", "UNAUTHORIZED", "the authorizer answered Unauthorized");
      return refusal(500, "Internal server error", "AUTHORIZER_FAILURE", `authorizer ${error.kind === "timeout" ? "timed out" : "failed"}: ${error.message}`);
    }
    let result: CachedResult["result"];
    try {
      result = checkResult(answer);
    } catch (e) {
      return refusal(500, "Internal server error", "AUTHORIZER_CONFIGURATION_ERROR", `authorizer answer malformed: ${(e as Error).message}`);
    }
    if (this.model.resultTtlSeconds > 0) this.cache.set(key, { result, expires: now + this.model.resultTtlSeconds * 1000 });
    return this.decide(result);
  }

  /** The event API Gateway sends a WebSocket REQUEST authorizer. */
  public event(request: HandshakeRequest): Record<string, unknown> {
    const { req, url, context } = request;
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    const add = (name: string, value: string) => {
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    };
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) add(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const identity = context.identity as { sourceIp: string; userAgent: string };
    add("X-Forwarded-For", identity.sourceIp);
    add("X-Forwarded-Port", String(request.port));
    add("X-Forwarded-Proto", request.secure ? "https" : "http");
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    url.searchParams.forEach((value, name) => {
      query[name] = value;
      (multiQuery[name] ??= []).push(value);
    });
    const hasQuery = url.search.length > 1;
    return {
      type: "REQUEST",
      methodArn: connectMethodArn(this.api),
      headers,
      multiValueHeaders,
      ...(hasQuery ? { queryStringParameters: query, multiValueQueryStringParameters: multiQuery } : {}),
      stageVariables: { ...this.api.stage.variables },
      requestContext: {
        routeKey: context.routeKey,
        eventType: context.eventType,
        extendedRequestId: context.extendedRequestId,
        requestTime: context.requestTime,
        messageDirection: context.messageDirection,
        stage: context.stage,
        connectedAt: context.connectedAt,
        requestTimeEpoch: context.requestTimeEpoch,
        identity: { sourceIp: identity.sourceIp, userAgent: identity.userAgent },
        requestId: context.requestId,
        domainName: context.domainName,
        connectionId: context.connectionId,
        apiId: context.apiId,
      },
    };
  }

  private decide(result: CachedResult["result"], how = "called"): AuthorizationOutcome {
    const arn = connectMethodArn(this.api);
    let decision;
    try {
      decision = evaluatePolicy(result.policyDocument, "execute-api:Invoke", arn);
    } catch (e) {
      return refusal(500, "Internal server error", "AUTHORIZER_CONFIGURATION_ERROR", `authorizer answer malformed: ${(e as Error).message}`);
    }
    const skipped = decision.skipped ? `, ${decision.skipped} statement(s) with a Condition not evaluated` : "";
    if (decision.decision === "ExplicitDeny")
      return refusal(
        403,
        "User is not authorized to access this resource with an explicit deny",
        "ACCESS_DENIED",
        `authorizer ${how}: Deny on ${arn}${skipped}`,
        {
          capitalKey: true,
        },
      );
    if (decision.decision === "ImplicitDeny")
      return refusal(403, "User is not authorized to access this resource", "ACCESS_DENIED", `authorizer ${how}: no Allow for ${arn}${skipped}`, {
        capitalKey: true,
      });
    return { ok: true, authorizer: { principalId: result.principalId, context: result.context }, note: `authorizer ${how}: ${result.principalId} allowed` };
  }

  /** The value of an identity source: `route.request.header.x`, `route.request.querystring.x`, `stageVariables.x`, `context.x`. */
  private identityValue(source: string, request: HandshakeRequest): string | undefined {
    const header = /^route\.request\.header\.(.+)$/i.exec(source);
    if (header) return request.req.headersDistinct[header[1].toLowerCase()]?.join(",");
    const query = /^route\.request\.querystring\.(.+)$/i.exec(source);
    if (query) return request.url.searchParams.get(query[1]) ?? undefined;
    const stage = /^stageVariables\.(.+)$/.exec(source);
    if (stage) return this.api.stage.variables[stage[1]];
    const ctx = /^context\.(.+)$/.exec(source);
    if (ctx) {
      let value: unknown = request.context;
      for (const k of ctx[1].split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[k] : undefined;
      return value === undefined || value === null ? undefined : String(value);
    }
    return undefined;
  }
}

/** Checks a Lambda authorizer's answer; throws with what is wrong. */
function checkResult(answer: unknown): AuthorizerResult & { readonly policyDocument: unknown } {
  if (!answer || typeof answer !== "object" || Array.isArray(answer))
    throw new Error(`the answer must be an object with principalId and policyDocument, got ${describe(answer)}`);
  const size = Buffer.byteLength(JSON.stringify(answer), "utf8");
  if (size > AUTHORIZER_RESULT_BYTES) throw new Error(`the answer is ${size} bytes; AWS's limit is ${AUTHORIZER_RESULT_BYTES}`);
  const a = answer as Record<string, unknown>;
  if (typeof a.principalId !== "string" && typeof a.principalId !== "number") throw new Error(`principalId must be a string, got ${describe(a.principalId)}`);
  if (a.policyDocument === undefined) throw new Error("policyDocument is missing");
  const context: Record<string, string | number | boolean> = {};
  if (a.context !== undefined && a.context !== null) {
    if (typeof a.context !== "object" || Array.isArray(a.context)) throw new Error(`context must be an object, got ${describe(a.context)}`);
    for (const [k, v] of Object.entries(a.context)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
        throw new Error(`context.${k} must be a string, number or boolean (API Gateway accepts no objects or arrays), got ${describe(v)}`);
      context[k] = v;
    }
  }
  return { principalId: String(a.principalId), policyDocument: a.policyDocument, context };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
