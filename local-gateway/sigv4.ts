import { createHash, createHmac, timingSafeEqual } from "crypto";

/** Credentials the gateway accepts signatures from. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A request as received, for verification. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target as sent: path and query, percent-encoded. */
  readonly target: string;
  /** Header values by lower-case name, every value of each. */
  readonly headers: Readonly<NodeJS.Dict<readonly string[]>>;
  /** The body's SHA-256 in hex (the body may be larger than what was kept of it). */
  readonly bodySha256: string;
}

/** Why a signature is refused: API Gateway's 403 answer for it. */
export interface SignatureFailure {
  readonly ok: false;
  /** `x-amzn-ErrorType`. */
  readonly errorType: "MissingAuthenticationTokenException" | "UnrecognizedClientException" | "InvalidSignatureException" | "IncompleteSignatureException";
  readonly message: string;
}

export type SignatureCheck = { readonly ok: true; readonly credentials: SigningCredentials } | SignatureFailure;

const ALGORITHM = "AWS4-HMAC-SHA256";
/** How far a header-signed request's date may be from the gateway's time (AWS: 5 minutes). */
const MAX_SKEW_MS = 5 * 60_000;
/** The longest a presigned URL may be valid (7 days). */
const MAX_EXPIRES_S = 7 * 24 * 3600;

const fail = (errorType: SignatureFailure["errorType"], message: string): SignatureFailure => ({ ok: false, errorType, message });

/** AWS's answer to a signature computed with the wrong secret or over other bytes. */
export const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/**
 * Verifies an AWS Signature Version 4 (header form, `Authorization:
 * AWS4-HMAC-SHA256 ...`, or query-string form, `X-Amz-Signature=...`) as
 * AWS services do, per
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html:
 * the canonical request (method; the path normalized and URI-encoded twice,
 * as for every service but S3; the query sorted; the signed headers, trimmed;
 * the received payload's SHA-256), the
 * credential scope `<date>/<region>/<service>/aws4_request`, and the HMAC
 * chain from the secret key. Refusals carry the messages and error types
 * API Gateway answers with.
 */
export class SigV4Verifier {
  private readonly byKey: ReadonlyMap<string, SigningCredentials>;

  constructor(
    credentials: readonly SigningCredentials[],
    private readonly region: string,
    private readonly service = "execute-api",
  ) {
    this.byKey = new Map(credentials.map((c) => [c.accessKeyId, c]));
  }

  /** Whether a request carries a signature of either form. */
  public static isSigned(request: ReceivedRequest): boolean {
    return (request.headers.authorization?.[0] ?? "").startsWith(`${ALGORITHM} `) || /[?&]X-Amz-Signature=/i.test(request.target);
  }

  /** Checks a request's signature; `now` is the machine's time (not the gateway's fast-forwarded clock). */
  public verify(request: ReceivedRequest, now = Date.now()): SignatureCheck {
    const [path, rawQuery = ""] = splitTarget(request.target);
    const query = parseQuery(rawQuery);
    const auth = request.headers.authorization?.[0];
    const presigned = query.some(([k]) => k === "X-Amz-Signature");
    if (!presigned && !(auth ?? "").startsWith(`${ALGORITHM} `)) return fail("MissingAuthenticationTokenException", "Missing Authentication Token");

    let credential: string, signedHeaders: string, signature: string, amzDate: string;
    if (presigned) {
      const one = (k: string) => query.find(([key]) => key === k)?.[1] ?? "";
      if (one("X-Amz-Algorithm") !== ALGORITHM) return fail("IncompleteSignatureException", `X-Amz-Algorithm must be ${ALGORITHM}`);
      [credential, signedHeaders, signature, amzDate] = [one("X-Amz-Credential"), one("X-Amz-SignedHeaders"), one("X-Amz-Signature"), one("X-Amz-Date")];
      const expires = Number(one("X-Amz-Expires"));
      if (!(Number.isInteger(expires) && expires > 0 && expires <= MAX_EXPIRES_S))
        return fail("IncompleteSignatureException", `X-Amz-Expires must be a number of seconds from 1 to ${MAX_EXPIRES_S}`);
      const signedAt = parseAmzDate(amzDate);
      if (signedAt === undefined)
        return fail("IncompleteSignatureException", `X-Amz-Date must be a date like 20240101T000000Z, got ${JSON.stringify(amzDate)}`);
      if (now > signedAt + expires * 1000)
        return fail("InvalidSignatureException", `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - expires * 1000)}`);
    } else {
      const fields = new Map(
        auth!
          .slice(ALGORITHM.length + 1)
          .split(",")
          .map((part) => part.trim().split("=") as [string, string]),
      );
      [credential, signedHeaders, signature] = [fields.get("Credential") ?? "", fields.get("SignedHeaders") ?? "", fields.get("Signature") ?? ""];
      if (!credential || !signedHeaders || !signature)
        return fail("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
      amzDate = request.headers["x-amz-date"]?.[0] ?? "";
      const signedAt = parseAmzDate(amzDate);
      if (signedAt === undefined)
        return fail("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      if (Math.abs(now - signedAt) > MAX_SKEW_MS)
        return fail(
          "InvalidSignatureException",
          `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 5 min.)`,
        );
    }

    const [accessKeyId, date, region, service, terminator] = credential.split("/");
    const credentials = this.byKey.get(accessKeyId);
    if (!credentials) return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
    if (terminator !== "aws4_request" || date !== amzDate.slice(0, 8))
      return fail("IncompleteSignatureException", `Credential should be scoped to a valid date and end in aws4_request, got ${JSON.stringify(credential)}`);
    if (region !== this.region) return fail("InvalidSignatureException", `Credential should be scoped to a valid region, not '${region}'.`);
    if (service !== this.service) return fail("InvalidSignatureException", `Credential should be scoped to correct service: '${this.service}'.`);
    const headerNames = signedHeaders.split(";");
    if (!headerNames.includes("host")) return fail("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.");

    const canonicalRequest = [
      request.method,
      canonicalPath(path),
      canonicalQuery(presigned ? query.filter(([k]) => k !== "X-Amz-Signature") : query),
      headerNames.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}\n`).join(""),
      signedHeaders,
      // The hash of the body received, in both forms (a signed x-amz-content-sha256 naming
      // other bytes then fails, as it should; UNSIGNED-PAYLOAD is S3's only).
      request.bodySha256,
    ].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256(Buffer.from(canonicalRequest, "utf8"))].join("\n");
    let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, date);
    for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
    const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : "", "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail("InvalidSignatureException", SIGNATURE_MISMATCH);
    return { ok: true, credentials };
  }
}

function splitTarget(target: string): [string, string?] {
  const at = target.indexOf("?");
  return at < 0 ? [target] : [target.slice(0, at), target.slice(at + 1)];
}

/** The query's pairs, percent-decoded (`+` stays a plus: SigV4 signers encode a space as %20). */
function parseQuery(raw: string): Array<[string, string]> {
  if (!raw) return [];
  return raw.split("&").map((pair) => {
    const at = pair.indexOf("=");
    const [k, v] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    return [decode(k), decode(v)];
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** RFC 3986 encoding, as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ percent-encoded. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path without empty and `.` segments, `..` applied, then URI-encoded again (the path on the wire is encoded once). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return uriEncode(normalized).replace(/%2F/g, "/");
}

function canonicalQuery(pairs: ReadonlyArray<[string, string]>): string {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function canonicalHeaderValue(values: readonly string[] | undefined): string {
  return (values ?? [])
    .map((v) =>
      v
        .replace(/[\r\n]/g, " ")
        .replace(/[ \t]+/g, " ")
        .trim(),
    )
    .join(",");
}

/** The SHA-256 of bytes, in hex (an empty body's: `e3b0c442...`). */
export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** `20240101T000000Z` as epoch milliseconds; undefined if it is not one. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}
