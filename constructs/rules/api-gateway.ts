import { LAMBDA_FUNCTION_ARN_PATTERN, PARTITION_PATTERN, REGION_PATTERN } from "./aws";
import { defineRule, Rule, show } from "./rule";
import { editDistance, length, matches, oneOf, pattern, positive, positiveWhole, range } from "./shapes";

/* Rules of API Gateway WebSocket APIs: names, routes, stages, throttling, integrations. */

/** Name of a WebSocket API (CreateApi allows 128 characters). */
export const API_NAME = length(1, 128, "give the API a shorter name");

/**
 * The chat stack's API name: it also names log groups and alarms, so no
 * control characters.
 */
export const PRINTABLE_API_NAME = pattern("^[^\\x00-\\x1F]{1,128}$", "1 to 128 printable characters", "shorten the name");

/** Description of an API; errors show only its start. */
export const API_DESCRIPTION = length(0, 1024, "shorten the description").showing((v) => `${v.slice(0, 40)}...`);

/**
 * Route selection expression: WebSocket APIs select routes from the message
 * body only (`$request.body.<path>`, also inside `${...}`).
 */
export const ROUTE_SELECTION_EXPRESSION = pattern(
  // [^\n\r\u2028\u2029] is JavaScript's ".", written so RE2 reads it alike.
  "^(\\$request\\.body\\.[A-Za-z0-9_.\\-[\\]]+|[^\\n\\r\u2028\u2029]*\\$\\{request\\.body\\.[A-Za-z0-9_.\\-[\\]]+\\}[^\\n\\r\u2028\u2029]*)$",
  "a $request.body.<path> expression (the only kind WebSocket APIs support)",
  'use for example "$request.body.action"',
);

/** The route keys API Gateway defines itself. */
export const PREDEFINED_ROUTE_KEYS = ["$connect", "$disconnect", "$default"] as const;

const ROUTE_KEY_RULE =
  'one of "$connect", "$disconnect", "$default", or a custom key of 1 to 128 printable characters that does not start with "$" or white space';

/**
 * A custom route key: 1 to 128 printable ASCII characters, not starting with
 * `$` (reserved for the predefined routes) and without surrounding spaces.
 */
export const CUSTOM_ROUTE_KEY = defineRule<string>({
  summary: { rule: ROUTE_KEY_RULE, fix: 'use printable ASCII characters and no leading "$"' },
  clauses: [
    { rule: ROUTE_KEY_RULE, fix: "shorten the key or give one", test: (k) => typeof k === "string" && k.length >= 1 && k.length <= 128 },
    { rule: ROUTE_KEY_RULE, fix: 'API Gateway reserves "$" keys for the predefined routes; drop the "$"', test: (k) => !k.startsWith("$") },
    {
      rule: ROUTE_KEY_RULE,
      fix: "remove control characters, non-ASCII characters and surrounding spaces",
      test: (k) => !/^\s|\s$/.test(k) && !/[^\x20-\x7E]/.test(k),
    },
  ],
  // The three clauses in one RE2 pattern: a first character that is neither
  // a space nor "$", printable ASCII after it, no trailing space.
  condition: (ref) => `can(regex("^[!-#%-~]([ -~]{0,126}[!-~])?$", ${ref}))`,
  nullSafe: true,
});

/** Execution logging levels of a stage. */
export const LOGGING_LEVELS = ["OFF", "ERROR", "INFO"] as const;
export const LOGGING_LEVEL = oneOf(LOGGING_LEVELS);

/** Stage name: the last part of the invoke URL. */
export const STAGE_NAME = pattern("^[A-Za-z0-9_-]{1,128}$", "1 to 128 letters, digits, hyphens or underscores", 'use for example "prod"');

const THROTTLE_FIX = "a limit of 0 rejects every call with 429";

/** Throttling rate limit (requests per second): 0 would reject every call. */
export const THROTTLE_RATE_LIMIT = positive(THROTTLE_FIX);

/** Throttling burst limit: a whole number of requests, 0 would reject every call. */
export const THROTTLE_BURST_LIMIT = positiveWhole(THROTTLE_FIX);

/**
 * Integration timeout: 50 ms to 29 s for WebSocket APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const INTEGRATION_TIMEOUT = range(50, 29000, "API Gateway allows 50 ms to 29 s for WebSocket integrations");

/**
 * How a module finds the region's API Gateway CloudWatch role, which every
 * stage that writes access or execution logs needs (one account setting per
 * region): `none` (no logs are written), `existing` (the region has one),
 * `managed` (the module creates the role and sets it).
 */
export const API_GATEWAY_ACCOUNT_ROLES = ["none", "existing", "managed"] as const;
export const API_GATEWAY_ACCOUNT_ROLE = oneOf(
  API_GATEWAY_ACCOUNT_ROLES,
  'use "none", "existing" (the region has a role: `aws apigateway get-account` shows cloudwatchRoleArn) or "managed"',
);

/* ------------------------------------------------------------------------ */
/* Production edges: custom domain, $connect authorization, route limits    */
/* ------------------------------------------------------------------------ */
/*
 * Every pattern below is written so JavaScript and Terraform's RE2 read it
 * alike (no lookaround, no backreferences); the rules tests evaluate each
 * condition in Terraform against the TypeScript check on the same samples.
 */

const DOMAIN_NAME_RULE = "a fully qualified lowercase host name such as ws.example.com (labels of letters, digits and hyphens, no trailing dot)";
const DOMAIN_NAME_FIX = "give the host name clients connect to, in lowercase, without scheme, path or trailing dot";

/**
 * A custom domain name: a fully qualified, lowercase host name of at least
 * two labels, each 1 to 63 letters, digits or hyphens not starting or ending
 * with a hyphen, at most 253 characters (DNS), no trailing dot. API Gateway
 * stores domain names in lowercase, so an uppercase name would show a change
 * at every plan.
 */
export const DOMAIN_NAME = defineRule<string>({
  summary: {
    rule: "a fully qualified lowercase host name of at most 253 characters such as ws.example.com (labels of letters, digits and hyphens, no trailing dot)",
    fix: DOMAIN_NAME_FIX,
  },
  clauses: [
    matches("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", DOMAIN_NAME_RULE, DOMAIN_NAME_FIX),
    { rule: "at most 253 characters", fix: "use a shorter host name", test: (v) => v.length <= 253, condition: (ref) => `length(${ref}) <= 253` },
  ],
});

/**
 * An API mapping key (the path under the custom domain): only letters,
 * digits and `$-_.+!*'()`, at most 300 characters, so no slash. See
 * "Map API stages to a custom domain name for WebSocket APIs",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html
 */
export const API_MAPPING_KEY = pattern(
  "^[A-Za-z0-9$_.+!*'()-]{1,300}$",
  "1 to 300 letters, digits or $-_.+!*'() (WebSocket API mappings have a single level: no slash)",
  'use one path segment such as "chat", or no mapping key to serve the stage at the root of the domain',
);

/**
 * IP address types of a regional custom domain name: `ipv4`, or
 * `dualstack` (IPv4 and IPv6)
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-custom-domain-names-ip-address-type.html).
 */
export const DOMAIN_IP_ADDRESS_TYPES = ["ipv4", "dualstack"] as const;
export const DOMAIN_IP_ADDRESS_TYPE = oneOf(DOMAIN_IP_ADDRESS_TYPES);

/**
 * The Lambda function of a REQUEST authorizer: its ARN (optionally with a
 * version or alias) or the invocation ARN API Gateway calls
 * (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`,
 * the `invoke_arn` attribute of `aws_lambda_function`).
 */
export const AUTHORIZER_FUNCTION_ARN = pattern(
  `^(${LAMBDA_FUNCTION_ARN_PATTERN}|arn:${PARTITION_PATTERN}:apigateway:${REGION_PATTERN}:lambda:path/2015-03-31/functions/${LAMBDA_FUNCTION_ARN_PATTERN}/invocations)$`,
  "the ARN of a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]) or its invocation ARN (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations)",
  "give the ARN of the authorizer function (aws_lambda_function.arn or .invoke_arn), not a role, layer or API ARN",
);

const IDENTITY_SOURCE_FIX =
  'use for example "route.request.querystring.token" (browsers cannot send headers when they open a WebSocket) or "route.request.header.Authorization"';

/**
 * An identity source of a WebSocket REQUEST authorizer: a header or query
 * string parameter of the connect request, a stage variable or a context
 * variable. Browsers cannot set headers on a WebSocket handshake, so browser
 * clients pass tokens in the query string.
 */
export const IDENTITY_SOURCE = pattern(
  "^(route\\.request\\.(header|querystring)\\.[A-Za-z0-9._$-]+|stageVariables\\.[A-Za-z0-9._-]+|context\\.[A-Za-z0-9._-]+)$",
  "route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>",
  IDENTITY_SOURCE_FIX,
);

/** The identity sources of an authorizer: at least one, each an {@link IDENTITY_SOURCE}, no duplicates. */
export const IDENTITY_SOURCES = defineRule<readonly string[]>({
  summary: { rule: `a list of one or more distinct identity sources (${IDENTITY_SOURCE.rule})`, fix: IDENTITY_SOURCE_FIX },
  clauses: [
    {
      rule: "a list of at least 1 item(s)",
      fix: 'name where the credentials are, e.g. ["route.request.querystring.token"]',
      test: (l) => Array.isArray(l) && l.length >= 1,
      condition: (ref) => `length(${ref}) >= 1`,
    },
    {
      rule: `a list whose every item is ${IDENTITY_SOURCE.rule}`,
      fix: (l) => `replace ${show(l.find((s) => !IDENTITY_SOURCE.test(s)))}: ${IDENTITY_SOURCE_FIX}`,
      test: (l) => l.every((s) => IDENTITY_SOURCE.test(s)),
      condition: (ref) => `alltrue([for s in ${ref} : ${IDENTITY_SOURCE.condition("s")}])`,
    },
    {
      rule: "a list without duplicates",
      fix: (l) => `remove the second ${show(l.find((s, i) => l.indexOf(s) !== i))}`,
      test: (l) => new Set(l).size === l.length,
      condition: (ref) => `length(distinct(${ref})) == length(${ref})`,
    },
  ],
});

/** Name of an authorizer: CreateAuthorizer allows 1 to 128 characters, as CreateApi does. */
export const AUTHORIZER_NAME = PRINTABLE_API_NAME;

/** A key of the context map a Lambda authorizer returns, as a mapping expression can name it. */
export const AUTHORIZER_CONTEXT_KEY = pattern(
  "^[A-Za-z0-9._$-]{1,128}$",
  "a key of the authorizer's context map made of letters, digits and ._$-",
  "use the key your authorizer function returns in context, e.g. userId",
);

/** An HTTP header name API Gateway can set on the integration request. */
export const HEADER_NAME = pattern(
  "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$",
  "an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)",
  'use for example "x-authorizer-principal-id"',
);

/** Headers the modules' integrations set themselves (HTTP header names ignore case). */
export const MODULE_INTEGRATION_HEADERS = ["connectionId", "routeKey"] as const;

const CONTEXT_HEADERS_RULE = "a map of HTTP header names to keys of the authorizer's result (principalId or a key of its context)";

/**
 * The authorizer's result passed to the backend as headers: header name →
 * key of the authorizer's context (or `principalId`). Header names must not
 * be one the modules set themselves (`connectionId`, `routeKey`).
 */
export const AUTHORIZER_CONTEXT_HEADERS = defineRule<Record<string, string>>({
  summary: { rule: CONTEXT_HEADERS_RULE, fix: 'use for example { "x-principal-id" = "principalId", "x-tenant-id" = "tenantId" }' },
  clauses: [
    {
      rule: `${CONTEXT_HEADERS_RULE} whose header names are ${HEADER_NAME.rule}`,
      fix: (m) => `rename header ${show(Object.keys(m).find((k) => !HEADER_NAME.test(k)))}: ${HEADER_NAME.fix}`,
      test: (m) => Object.keys(m).every((k) => HEADER_NAME.test(k)),
      condition: (ref) => `alltrue([for k, v in ${ref} : ${HEADER_NAME.condition("k")}])`,
    },
    {
      rule: `${CONTEXT_HEADERS_RULE} that leaves out ${MODULE_INTEGRATION_HEADERS.join(" and ")} (the module sets them)`,
      fix: (m) => `rename header ${show(Object.keys(m).find((k) => reservedHeader(k)))}: the backend reads the connection id and route key from it`,
      test: (m) => !Object.keys(m).some((k) => reservedHeader(k)),
      condition: (ref) =>
        `alltrue([for k, v in ${ref} : !contains([${MODULE_INTEGRATION_HEADERS.map((h) => JSON.stringify(h.toLowerCase())).join(", ")}], lower(k))])`,
    },
    {
      rule: `${CONTEXT_HEADERS_RULE} whose values are ${AUTHORIZER_CONTEXT_KEY.rule}`,
      fix: (m) => `change the value of header ${show(Object.keys(m).find((k) => !AUTHORIZER_CONTEXT_KEY.test(m[k])))}: ${AUTHORIZER_CONTEXT_KEY.fix}`,
      test: (m) => Object.values(m).every((v) => AUTHORIZER_CONTEXT_KEY.test(v)),
      condition: (ref) => `alltrue([for k, v in ${ref} : ${AUTHORIZER_CONTEXT_KEY.condition("v")}])`,
    },
  ],
});

function reservedHeader(name: string): boolean {
  return MODULE_INTEGRATION_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase());
}

/**
 * Authorization types of a WebSocket route: `NONE`, `AWS_IAM` (SigV4-signed
 * connect request) or `CUSTOM` (a Lambda REQUEST authorizer). Only `$connect`
 * may have one other than `NONE`.
 */
export const AUTHORIZATION_TYPES = ["NONE", "AWS_IAM", "CUSTOM"] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];
export const AUTHORIZATION_TYPE = oneOf(AUTHORIZATION_TYPES);

/** Throttling limits of one route, either or both; the missing one comes from the stage. */
export interface RouteThrottle {
  /**
   * Burst limit of the route (requests), a whole number greater than 0.
   * @default - the stage's limit
   */
  readonly burstLimit?: number;
  /**
   * Steady-state rate limit of the route (requests per second), greater than 0.
   * @default - the stage's limit
   */
  readonly rateLimit?: number;
}

/**
 * Per-route throttling of an API whose routes are `routeKeys`: a map of
 * route key to `{ burstLimit?, rateLimit? }`, each entry with at least one
 * limit, every limit greater than 0 (a limit of 0 answers every message of
 * the route with 429), the burst limit a whole number. Messages name the
 * entry and suggest the nearest route key for a misspelt one.
 */
export function routeThrottles(routeKeys: readonly string[]): Rule<Record<string, unknown>> {
  const routes = routeKeys.map((k) => JSON.stringify(k)).join(", ");
  const unknownKey = (m: Record<string, unknown>) => Object.keys(m).find((k) => !routeKeys.includes(k));
  const badShape = (m: Record<string, unknown>) =>
    Object.entries(m).find(([, e]) => {
      if (typeof e !== "object" || e === null || Array.isArray(e)) return true;
      const keys = Object.keys(e);
      return keys.length === 0 || keys.some((k) => k !== "burstLimit" && k !== "rateLimit");
    })?.[0];
  const badLimit = (m: Record<string, unknown>): { at: string; fix: string } | undefined => {
    for (const [key, e] of Object.entries(m)) {
      const { burstLimit, rateLimit } = e as RouteThrottle;
      const burst = burstLimit === undefined ? undefined : THROTTLE_BURST_LIMIT.explain(burstLimit);
      if (burst) return { at: `${key}.burstLimit`, fix: burst.fix === "round it" ? "round it" : `set it above 0: ${THROTTLE_FIX}` };
      if (rateLimit !== undefined && THROTTLE_RATE_LIMIT.explain(rateLimit)) return { at: `${key}.rateLimit`, fix: `set it above 0: ${THROTTLE_FIX}` };
    }
    return undefined;
  };
  return defineRule({
    summary: { rule: `a map of routes (${routes}) to { burstLimit, rateLimit }`, fix: "give each route one or both limits, greater than 0" },
    clauses: [
      {
        rule: `a map whose keys are routes of the API (${routes})`,
        fix: (m) => {
          const key = unknownKey(m)!;
          const near = nearest(key, routeKeys);
          return `${JSON.stringify(key)} is not a route${near ? `: did you mean ${JSON.stringify(near)}?` : ""}`;
        },
        test: (m) => unknownKey(m) === undefined,
      },
      {
        rule: "a map of objects with burstLimit, rateLimit or both",
        fix: (m) => `give ${JSON.stringify(badShape(m))} a burstLimit, a rateLimit or both, and nothing else (a missing limit is the stage's)`,
        test: (m) => badShape(m) === undefined,
      },
      {
        rule: "limits greater than 0, the burst limit a whole number",
        fix: (m) => `${badLimit(m)!.at}: ${badLimit(m)!.fix}`,
        test: (m) => badLimit(m) === undefined,
      },
    ],
  });
}

/** The candidate nearest to `word` (edit distance at most 2, or equal but for case). */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
