/**
 * The contract between API Gateway and the chat applications (see
 * ../shared/seeds/chat-contract.md): which frames the frontend sends, which
 * backend call each route makes, and the request template that builds the
 * exact JSON body the Go backend reads.
 */

import { REQUEST_CALLBACK_URL_TEMPLATE } from "../constructs/websocket-callback-url";

export interface ChatRoute {
  /** Route key (the frame's `action`, or a predefined route). */
  readonly routeKey: string;
  /** Backend path called with POST. */
  readonly path: string;
  /** Velocity template of the request body. */
  readonly template: string;
  /** Fields of the body, in the backend's terms. */
  readonly fields: readonly string[];
}

const body = (fields: Record<string, string>) =>
  "{" +
  Object.entries(fields)
    .map(([k, v]) => `"${k}":${v}`)
    .join(",") +
  "}";

const connectionId = '"$context.connectionId"';

/** What the request templates put beside the contract's fields. */
export interface ChatRoutesOptions {
  /**
   * The @connections callback base URL in the `url` field, unquoted (a
   * Velocity template, possibly holding a Terraform reference), e.g.
   * `callbackUrlTemplate(api)` when clients connect through a custom domain.
   * @default REQUEST_CALLBACK_URL_TEMPLATE (built from the request: right on the execute-api host only)
   */
  readonly callbackUrl?: string;
  /**
   * A JSON value for a `principalId` field in every body, e.g.
   * `authorizerTemplateJsonString()` when a Lambda authorizer admits clients
   * on `$connect` (API Gateway keeps its result for the whole connection).
   * The Go backend ignores fields it does not know.
   * @default - no principalId field
   */
  readonly principalId?: string;
}

/** The routes that call the backend, in contract order, with their request templates. */
export function chatRoutes(options: ChatRoutesOptions = {}): readonly ChatRoute[] {
  const url = `"${options.callbackUrl ?? REQUEST_CALLBACK_URL_TEMPLATE}"`;
  const withPrincipal = (fields: Record<string, string>) => (options.principalId === undefined ? fields : { ...fields, principalId: options.principalId });
  const route = (routeKey: string, path: string, fields: Record<string, string>): ChatRoute => {
    const all = withPrincipal(fields);
    return { routeKey, path, template: body(all), fields: Object.keys(all) };
  };
  return [
    route("$connect", "/connect", { connectionId }),
    route("$disconnect", "/disconnect", { connectionId }),
    route("username", "/username", { connectionId, username: "$input.json('$.username')" }),
    route("message", "/message", { connectionId, username: "$input.json('$.username')", message: "$input.json('$.message')", url }),
    route("online", "/online", { connectionId, url }),
  ];
}

/** The routes that call the backend, in contract order: no custom domain, no authorizer. */
export const CHAT_ROUTES: readonly ChatRoute[] = chatRoutes();

/** Every route key of the chat API: the contract's routes and `$default`. */
export const CHAT_ROUTE_KEYS: readonly string[] = [...CHAT_ROUTES.map((r) => r.routeKey), "$default"];

/** Route selection expression of the chat API: the frame's `action`. */
export const CHAT_ROUTE_SELECTION_EXPRESSION = "$request.body.action";

/** What the `$default` route answers to a frame with an unknown action. */
export const UNKNOWN_ACTION_REPLY = 'unknown action: send {"action":"username"}, {"action":"online"} or {"action":"message"}';

/**
 * Name the Go backend gives its X-Ray segments: its HTTP middleware uses
 * `xray.NewFixedSegmentNamer("MyApp")` (src/misc/xray.go of
 * Faaizz/simple_http_chatapp). Sampling rules that name it leave the other
 * services of the account alone.
 */
export const CHAT_BACKEND_SEGMENT_NAME = "MyApp";
