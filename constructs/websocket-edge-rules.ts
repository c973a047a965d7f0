import { invalid, isUnresolved } from "./validation";

/**
 * Validation rules of the production edges of a WebSocket API (custom
 * domain, API mapping, `$connect` authorization), each stated once and used
 * by the constructs (`check`), by configuration loaders (`test`, `rule`,
 * `fix`) and by module variables (`hcl`, a Terraform `validation` block that
 * accepts and rejects the same values).
 *
 * Every pattern is written so JavaScript and Terraform's RE2 read it alike
 * (no lookaround, no backreferences).
 */
export interface EdgeRule {
  /** Anchored pattern source (JavaScript and RE2). */
  readonly source: string;
  /** What a valid value is, said after "must be". */
  readonly rule: string;
  /** How to fix a bad value. */
  readonly fix: string;
  /** True when a value passes. */
  test(value: string): boolean;
  /** Throws the house error when a resolved value fails; skips unset values and tokens. */
  check(setting: string, value: string | undefined): void;
  /** Terraform expression that is true exactly when the value of `ref` passes (false for null). */
  condition(ref: string): string;
  /**
   * A Terraform variable `validation` block for variable `name`.
   * @param options.nullable null passes (an optional variable)
   */
  hcl(name: string, options?: { nullable?: boolean }): { condition: string; errorMessage: string };
}

/** Defines a pattern rule. */
export function edgeRule(source: string, rule: string, fix: string): EdgeRule {
  const re = new RegExp(source);
  const condition = (ref: string) => `can(regex(${JSON.stringify(source)}, ${ref}))`;
  return {
    source,
    rule,
    fix,
    test: (value) => typeof value === "string" && re.test(value),
    check(setting, value) {
      if (value === undefined || isUnresolved(value)) return;
      if (typeof value !== "string" || !re.test(value)) throw invalid(setting, rule, value, fix);
    },
    condition,
    hcl(name, options = {}) {
      const ref = `var.${name}`;
      // `||` does not short-circuit in Terraform, but can() turns the regex
      // error on null into false, so the nullable form is safe.
      const test = options.nullable ? `${ref} == null || ${condition(ref)}` : condition(ref);
      return { condition: `\${${test}}`, errorMessage: `${name} must be ${rule}: ${fix}.` };
    },
  };
}

const PARTITION = "aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?";
const REGION = "[a-z]{2}(-[a-z]+)+-[0-9]";
const ACCOUNT = "[0-9]{12}";
/** A Lambda function ARN, optionally with a version or alias. */
const FUNCTION_ARN = `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[A-Za-z0-9_-]{1,128}))?`;

/**
 * A custom domain name: a fully qualified, lowercase host name of at least
 * two labels, each 1 to 63 letters, digits or hyphens not starting or ending
 * with a hyphen, at most 253 characters, no trailing dot. API Gateway stores
 * domain names in lowercase, so an uppercase name would show a change at
 * every plan.
 */
export const DOMAIN_NAME = edgeRule(
  "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$",
  "a fully qualified lowercase host name such as ws.example.com (labels of letters, digits and hyphens, no trailing dot)",
  "give the host name clients connect to, in lowercase, without scheme, path or trailing dot",
);

/** At most 253 characters (DNS); checked apart because a length is not a pattern. */
export const DOMAIN_NAME_MAX_LENGTH = 253;

/**
 * An API mapping key (the path under the custom domain): only letters,
 * digits and `$-_.+!*'()`, at most 300 characters, so no slash. See
 * "Map API stages to a custom domain name for WebSocket APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html
 */
export const API_MAPPING_KEY = edgeRule(
  "^[A-Za-z0-9$_.+!*'()-]{1,300}$",
  "1 to 300 letters, digits or $-_.+!*'() (WebSocket API mappings have a single level: no slash)",
  'use one path segment such as "chat", or no mapping key to serve the stage at the root of the domain',
);

/** A Route 53 hosted zone id (`Z0123456789ABCDEFGHIJ`, without `/hostedzone/`). */
export const HOSTED_ZONE_ID = edgeRule(
  "^[A-Z0-9]{1,32}$",
  "a Route 53 hosted zone id (uppercase letters and digits, e.g. Z0123456789ABCDEFGHIJ)",
  'copy the zone id from Route 53 (aws route53 list-hosted-zones), without the "/hostedzone/" prefix',
);

/** An ACM certificate ARN. */
export const CERTIFICATE_ARN = edgeRule(
  `^arn:${PARTITION}:acm:${REGION}:${ACCOUNT}:certificate/[A-Za-z0-9-]{1,64}$`,
  "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) in the API's region",
  "request or import the certificate in ACM in the region of the API (a regional custom domain cannot use a us-east-1 certificate from another region), or leave it unset to have one created and validated through Route 53",
);

/**
 * The Lambda function of a REQUEST authorizer: its ARN (optionally with a
 * version or alias) or the invocation ARN API Gateway calls
 * (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`,
 * the `invoke_arn` attribute of `aws_lambda_function`).
 */
export const AUTHORIZER_FUNCTION_ARN = edgeRule(
  `^(${FUNCTION_ARN}|arn:${PARTITION}:apigateway:${REGION}:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations)$`,
  "the ARN of a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]) or its invocation ARN (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations)",
  "give the ARN of the authorizer function (aws_lambda_function.arn or .invoke_arn), not a role, layer or API ARN",
);

/**
 * An identity source of a WebSocket REQUEST authorizer: a header or query
 * string parameter of the connect request, a stage variable or a context
 * variable. Browsers cannot set headers on a WebSocket handshake, so browser
 * clients pass tokens in the query string.
 */
export const IDENTITY_SOURCE = edgeRule(
  "^(route\\.request\\.(header|querystring)\\.[A-Za-z0-9._$-]+|stageVariables\\.[A-Za-z0-9._-]+|context\\.[A-Za-z0-9._-]+)$",
  "route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>",
  'use for example "route.request.querystring.token" (browsers cannot send headers when they open a WebSocket) or "route.request.header.Authorization"',
);

/** Name of an authorizer (CreateAuthorizer allows 1 to 128 characters). */
export const AUTHORIZER_NAME = edgeRule("^[^\\x00-\\x1F]{1,128}$", "1 to 128 printable characters", "shorten the name");

/** An IAM role ARN (credentials API Gateway assumes to invoke the authorizer). */
export const ROLE_ARN = edgeRule(
  `^arn:${PARTITION}:iam::${ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`,
  "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  "give the ARN of a role apigateway.amazonaws.com may assume, with lambda:InvokeFunction on the authorizer",
);

/** A key of the context map a Lambda authorizer returns, as a mapping expression can name it. */
export const AUTHORIZER_CONTEXT_KEY = edgeRule(
  "^[A-Za-z0-9._$-]{1,128}$",
  "a key of the authorizer's context map made of letters, digits and ._$-",
  "use the key your authorizer function returns in context, e.g. userId",
);

/** An HTTP header name API Gateway can set on the integration request. */
export const HEADER_NAME = edgeRule("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$", "an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)", 'use for example "x-authorizer-principal-id"');

/** Authorization types of a WebSocket route. */
export const AUTHORIZATION_TYPES = ["NONE", "AWS_IAM", "CUSTOM"] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];
