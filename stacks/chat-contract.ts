/**
 * The contract between API Gateway and the chat applications (see
 * ../shared/seeds/chat-contract.md): which frames the frontend sends, which
 * backend call each route makes, and the request template that builds the
 * exact JSON body the Go backend reads.
 */

/** The callback base URL of the @connections API, built from the request context. */
const CALLBACK_URL = '"https://$context.domainName/$context.stage"';

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

/** The routes that call the backend, in contract order. */
export const CHAT_ROUTES: readonly ChatRoute[] = [
  { routeKey: "$connect", path: "/connect", template: body({ connectionId }), fields: ["connectionId"] },
  { routeKey: "$disconnect", path: "/disconnect", template: body({ connectionId }), fields: ["connectionId"] },
  {
    routeKey: "username",
    path: "/username",
    template: body({ connectionId, username: "$input.json('$.username')" }),
    fields: ["connectionId", "username"],
  },
  {
    routeKey: "message",
    path: "/message",
    template: body({ connectionId, username: "$input.json('$.username')", message: "$input.json('$.message')", url: CALLBACK_URL }),
    fields: ["connectionId", "username", "message", "url"],
  },
  {
    routeKey: "online",
    path: "/online",
    template: body({ connectionId, url: CALLBACK_URL }),
    fields: ["connectionId", "url"],
  },
];

/** Route selection expression of the chat API: the frame's `action`. */
export const CHAT_ROUTE_SELECTION_EXPRESSION = "$request.body.action";

/** What the `$default` route answers to a frame with an unknown action. */
export const UNKNOWN_ACTION_REPLY = 'unknown action: send {"action":"username"}, {"action":"online"} or {"action":"message"}';
