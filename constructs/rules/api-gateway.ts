import { defineRule } from "./rule";
import { length, oneOf, pattern, positive, positiveWhole, range } from "./shapes";

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

const ROUTE_KEY_RULE = 'one of "$connect", "$disconnect", "$default", or a custom key of 1 to 128 printable characters that does not start with "$" or white space';

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
export const API_GATEWAY_ACCOUNT_ROLE = oneOf(API_GATEWAY_ACCOUNT_ROLES, 'use "none", "existing" (the region has a role: `aws apigateway get-account` shows cloudwatchRoleArn) or "managed"');
