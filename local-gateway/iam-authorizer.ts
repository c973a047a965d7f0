import { ApiModel, connectMethodArn } from "./api-model";
import { AuthorizationOutcome, ConnectAuthorization, HandshakeRequest, refusal } from "./connect-authorization";
import { CallerIdentity } from "./connections";
import { evaluatePolicy } from "./iam-policy";
import { ReceivedRequest, sha256, SignatureCheck, SigningCredentials, SigV4Verifier } from "./sigv4";

/**
 * The credentials the gateway accepts signatures from unless told others:
 * the emulator's, `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test` (what
 * moto and `npm run local` give every client and backend).
 */
export const EMULATOR_CREDENTIALS: readonly SigningCredentials[] = [{ accessKeyId: "test", secretAccessKey: "test" }];

/**
 * IAM authorization as API Gateway applies it to WebSocket APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html):
 * the `$connect` handshake of an `AWS_IAM` route must be signed with SigV4
 * (header or query-string form, service `execute-api`, the API's region) by
 * known credentials, and, when an identity policy is given, that policy must
 * allow `execute-api:Invoke` on the route's ARN
 * (`arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/$connect`).
 * Unsigned, badly signed or denied handshakes are refused with 403 and
 * API Gateway's messages. @connections calls are verified the same way.
 */
export class IamAuthorizer implements ConnectAuthorization {
  private readonly verifier: SigV4Verifier;
  private readonly accountId: string;

  /**
   * @param policy the signer's identity policy (`--iam-policy`); without one
   *   every valid signature is allowed, as for an identity with full access
   */
  constructor(
    private readonly api: ApiModel,
    credentials: readonly SigningCredentials[] = EMULATOR_CREDENTIALS,
    private readonly policy?: unknown,
  ) {
    this.verifier = new SigV4Verifier(credentials, api.region);
    this.accountId = api.executionArn.split(":")[4] || "000000000000";
  }

  public async authorize(request: HandshakeRequest): Promise<AuthorizationOutcome> {
    const check = this.verify({
      method: request.req.method ?? "GET",
      target: request.req.url ?? "/",
      headers: request.req.headersDistinct,
      bodySha256: sha256(Buffer.alloc(0)),
    });
    if (!check.ok) return refusal(403, check.message, "MISSING_AUTHENTICATION_TOKEN", `IAM: ${check.errorType}`, { errorType: check.errorType });
    const identity = this.identity(check.credentials.accessKeyId);
    const arn = connectMethodArn(this.api);
    if (this.policy !== undefined) {
      const { decision } = evaluatePolicy(this.policy, "execute-api:Invoke", arn);
      if (decision !== "Allow")
        return refusal(
          403,
          `User: ${identity.userArn} is not authorized to perform: execute-api:Invoke on resource: ${arn}${decision === "ExplicitDeny" ? " with an explicit deny" : ""}`,
          "ACCESS_DENIED",
          `IAM: ${decision === "ExplicitDeny" ? "denied" : "not allowed"} by --iam-policy`,
          { errorType: "AccessDeniedException", capitalKey: true },
        );
    }
    return { ok: true, identity, note: `IAM: signed by ${identity.accessKey}` };
  }

  /** Verifies a request's signature (a handshake, or a @connections call). */
  public verify(request: ReceivedRequest): SignatureCheck {
    return this.verifier.verify(request);
  }

  /** `$context.identity.*` of a signer. */
  private identity(accessKey: string): CallerIdentity {
    return { accessKey, accountId: this.accountId, caller: accessKey, user: accessKey, userArn: `arn:aws:iam::${this.accountId}:user/${accessKey}` };
  }
}
