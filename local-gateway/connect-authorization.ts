import * as http from "http";
import { AuthorizerResult, CallerIdentity } from "./connections";

/** A `$connect` handshake, as authorization sees it. */
export interface HandshakeRequest {
  readonly req: http.IncomingMessage;
  /** The request target as parsed (path and query). */
  readonly url: URL;
  /** `$context` of the connect event. */
  readonly context: Record<string, unknown>;
  /** The port the handshake came in on, and whether over TLS, for X-Forwarded-Port / -Proto. */
  readonly port: number;
  readonly secure: boolean;
}

/** Whether a handshake may connect, and what the connection keeps if so. */
export type AuthorizationOutcome =
  | {
      readonly ok: true;
      readonly authorizer?: AuthorizerResult;
      readonly identity?: CallerIdentity;
      /** For the console line, e.g. "authorizer: allowed (cached)". */
      readonly note?: string;
    }
  | {
      readonly ok: false;
      /** 401, 403 or 500: the handshake's answer. */
      readonly status: number;
      /** The answer's body (a JSON object). */
      readonly body: string;
      /** `x-amzn-ErrorType`, where API Gateway sends one. */
      readonly errorType?: string;
      /** `$context.error.responseType` of the access log line. */
      readonly responseType: string;
      readonly message: string;
      readonly note: string;
    };

/** Decides whether a `$connect` handshake may connect (a Lambda authorizer, IAM). */
export interface ConnectAuthorization {
  authorize(request: HandshakeRequest): Promise<AuthorizationOutcome>;
}

/** A refusal with a `{"message": ...}` body (`Message` for the IAM and policy denials, as API Gateway writes them). */
export function refusal(
  status: number,
  message: string,
  responseType: string,
  note: string,
  options: { errorType?: string; capitalKey?: boolean } = {},
): AuthorizationOutcome {
  return {
    ok: false,
    status,
    body: JSON.stringify(options.capitalKey ? { Message: message } : { message }),
    errorType: options.errorType,
    responseType,
    message,
    note,
  };
}
