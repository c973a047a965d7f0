import { render } from "velocityjs";
import { authorizerTemplateJsonString } from "../../constructs/websocket-lambda-authorizer";
import { CHAT_ROUTE_KEYS, CHAT_ROUTE_SELECTION_EXPRESSION, CHAT_ROUTES, chatRoutes, UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";
import { resourcesOf, synthJson } from "../helpers";
import { buildStacks } from "./support";

/**
 * A fake of the API Gateway request context the templates are rendered in.
 * API Gateway gives `$context.domainName` as the API's execute-api host and
 * `$context.stage` as the stage name, so "https://$context.domainName/$context.stage"
 * is the @connections callback base URL.
 */
const CONTEXT = { connectionId: "L0SM9cOFvHcCIhw=", domainName: "abc123.execute-api.eu-west-1.amazonaws.com", stage: "prod" };
const CALLBACK_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod";

/**
 * What `$input.json('$.x')` gives for a path the frame does not have.
 * Not documented by AWS. LocalStack's API Gateway (PR localstack#12774,
 * checked against the AWS console) renders `null`, which this fake uses by
 * default; the tests below also render with an empty JSON string `""` (what
 * some users report) to show the body stays valid JSON either way.
 */
type MissingPath = "null" | '""';

/** `$input.json(path)`: the JSON text of the frame's value at a JSONPath (`$` or `$.a.b`). */
function inputJson(frame: unknown, path: string, missing: MissingPath): string {
  if (path === "$") return JSON.stringify(frame ?? {});
  if (!path.startsWith("$.")) throw new Error(`unsupported JSONPath ${path}`);
  let value: any = frame;
  for (const part of path.slice(2).split(".")) value = value !== null && typeof value === "object" ? value[part] : undefined;
  return value === undefined ? missing : JSON.stringify(value);
}

/**
 * `$util.escapeJavaScript(s)`: Java's StringEscapeUtils.escapeJavaScript
 * (quotes, backslash and "/" escaped, control and non-ASCII characters as
 * \uXXXX), returning a Java string whose `replaceAll` takes a regular
 * expression, as the `.replaceAll("\\'","'")` AWS documents for JSON bodies
 * relies on.
 */
function escapeJavaScript(value: string) {
  const named: Record<string, string> = { '"': '\\"', "'": "\\'", "\\": "\\\\", "/": "\\/", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    out += named[ch] ?? (code < 32 || code > 0x7e ? `\\u${code.toString(16).toUpperCase().padStart(4, "0")}` : ch);
  }
  return { replaceAll: (regex: string, replacement: string) => out.replace(new RegExp(regex, "g"), replacement), toString: () => out };
}

/** Renders a request template the way API Gateway does for a frame (undefined on $connect/$disconnect: no body). */
function renderRequest(template: string, frame?: unknown, missing: MissingPath = "null", context: Record<string, unknown> = CONTEXT): string {
  return render(template, { context: { ...context }, input: { json: (path: string) => inputJson(frame, path, missing) }, util: { escapeJavaScript } });
}

/** The route API Gateway selects for a frame: `$request.body.action`, else `$default`. */
function selectRoute(frame: Record<string, unknown>): string {
  expect(CHAT_ROUTE_SELECTION_EXPRESSION).toBe("$request.body.action");
  const key = frame.action;
  return typeof key === "string" && CHAT_ROUTES.some((r) => r.routeKey === key) ? key : "$default";
}

/** The frames the frontend sends, and the body the Go backend reads for each (contract table). */
const FRAMES: Array<{ name: string; routeKey: string; frame?: Record<string, unknown>; path: string; body: Record<string, unknown> }> = [
  { name: "opening the page ($connect)", routeKey: "$connect", path: "/connect", body: { connectionId: CONTEXT.connectionId } },
  { name: "closing the page ($disconnect)", routeKey: "$disconnect", path: "/disconnect", body: { connectionId: CONTEXT.connectionId } },
  {
    name: "claiming a user name",
    routeKey: "username",
    frame: { action: "username", username: "alice" },
    path: "/username",
    body: { connectionId: CONTEXT.connectionId, username: "alice" },
  },
  {
    name: "asking who is online",
    routeKey: "online",
    frame: { action: "online" },
    path: "/online",
    body: { connectionId: CONTEXT.connectionId, url: CALLBACK_URL },
  },
  {
    name: "sending a message with quotes, a newline, markup and non-ASCII text",
    routeKey: "message",
    frame: { action: "message", username: "bob", message: 'hi "there"\n<b>x</b> ünïcødé' },
    path: "/message",
    body: { connectionId: CONTEXT.connectionId, username: "bob", message: 'hi "there"\n<b>x</b> ünïcødé', url: CALLBACK_URL },
  },
];

/** Request templates of the chat stack's integrations by route key, read from the synthesized JSON. */
function synthesizedTemplates(): Record<string, { template: string; uri: string }> {
  const json = synthJson(buildStacks({}).chat);
  const integrations = resourcesOf(json, "aws_apigatewayv2_integration");
  const out: Record<string, { template: string; uri: string }> = {};
  for (const route of Object.values<any>(resourcesOf(json, "aws_apigatewayv2_route"))) {
    const id = /^integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}$/.exec(route.target)![1];
    const integration = integrations[id];
    if (integration.integration_type !== "HTTP") continue;
    // Terraform reads "$${" as a literal "${"; undo that escaping to get what API Gateway receives.
    out[route.route_key] = {
      template: integration.request_templates.$default.split("$${").join("${"),
      uri: integration.integration_uri.split("$${").join("${"),
    };
  }
  return out;
}

describe("CHAT_ROUTES", () => {
  test("are the contract's routes, backend paths and body fields", () => {
    expect(CHAT_ROUTES.map((r) => [r.routeKey, r.path, r.fields])).toEqual([
      ["$connect", "/connect", ["connectionId"]],
      ["$disconnect", "/disconnect", ["connectionId"]],
      ["username", "/username", ["connectionId", "username"]],
      ["message", "/message", ["connectionId", "username", "message", "url"]],
      ["online", "/online", ["connectionId", "url"]],
    ]);
  });

  test("read no body on $connect and $disconnect (API Gateway sends none)", () => {
    for (const route of CHAT_ROUTES.filter((r) => r.routeKey.startsWith("$"))) expect(route.template).not.toContain("$input");
  });

  test.each(FRAMES)("render exactly the body the Go backend reads when $name", ({ routeKey, frame, path, body }) => {
    // GIVEN the route API Gateway selects for the frame
    const route = CHAT_ROUTES.find((r) => r.routeKey === (frame ? selectRoute(frame) : routeKey))!;
    expect([route.routeKey, route.path]).toEqual([routeKey, path]);
    // WHEN its template is rendered for the frame
    const rendered = renderRequest(route.template, frame);
    // THEN the body is JSON with exactly the contract's fields and values
    expect(JSON.parse(rendered)).toEqual(body);
    expect(Object.keys(JSON.parse(rendered))).toEqual(route.fields);
  });

  test("pass user text through verbatim, even when it looks like a template", () => {
    // GIVEN a message holding Velocity syntax and escapes
    const frame = { action: "message", username: "bob", message: "costs $5 #set($x = 1) $context.connectionId \\u0041 ${stageVariables.backendHost}" };
    // WHEN
    const route = CHAT_ROUTES.find((r) => r.routeKey === "message")!;
    const body = JSON.parse(renderRequest(route.template, frame));
    // THEN the backend receives the text as typed, not evaluated
    expect(body.message).toBe(frame.message);
    expect(body.connectionId).toBe(CONTEXT.connectionId);
  });

  test.each<[MissingPath, unknown]>([
    ["null", null],
    ['""', ""],
  ])("render valid JSON when a frame lacks a field ($input.json of a missing path as %s)", (missing, expected) => {
    const username = CHAT_ROUTES.find((r) => r.routeKey === "username")!;
    expect(JSON.parse(renderRequest(username.template, { action: "username" }, missing))).toEqual({ connectionId: CONTEXT.connectionId, username: expected });
    const message = CHAT_ROUTES.find((r) => r.routeKey === "message")!;
    expect(JSON.parse(renderRequest(message.template, { action: "message", message: "hi" }, missing))).toEqual({
      connectionId: CONTEXT.connectionId,
      username: expected,
      message: "hi",
      url: CALLBACK_URL,
    });
  });

  test("send frames with an unknown action to the $default route, which answers with help", () => {
    expect(selectRoute({ action: "typing" })).toBe("$default");
    expect(selectRoute({ message: "no action" })).toBe("$default");
    expect(UNKNOWN_ACTION_REPLY).toBe('unknown action: send {"action":"username"}, {"action":"online"} or {"action":"message"}');
  });
});

describe("the chat stack's request templates", () => {
  test("are exactly the contract's templates, one HTTP integration per route", () => {
    // GIVEN / WHEN
    const templates = synthesizedTemplates();
    // THEN
    expect(Object.keys(templates).sort()).toEqual(CHAT_ROUTES.map((r) => r.routeKey).sort());
    for (const route of CHAT_ROUTES) {
      expect(templates[route.routeKey].template).toBe(route.template);
      expect(templates[route.routeKey].uri).toBe(`http://\${stageVariables.backendHost}${route.path}`);
    }
  });

  test.each(FRAMES)("render exactly the body the Go backend reads when $name", ({ routeKey, frame, body }) => {
    // GIVEN the template as synthesized for the route the frame selects
    const templates = synthesizedTemplates();
    const selected = frame ? selectRoute(frame) : routeKey;
    // WHEN
    const rendered = renderRequest(templates[selected].template, frame);
    // THEN
    expect(JSON.parse(rendered)).toEqual(body);
  });
});

describe("chatRoutes", () => {
  const EXECUTE_API = "https://abc123.execute-api.eu-west-1.amazonaws.com";
  /** A client that came through the custom domain: $context.domainName is the custom name. */
  const VIA_DOMAIN = { ...CONTEXT, domainName: "chat.example.com" };

  test("are CHAT_ROUTES without options, and every key of the API is a route key or $default", () => {
    expect(chatRoutes()).toEqual(CHAT_ROUTES);
    expect(CHAT_ROUTE_KEYS).toEqual(["$connect", "$disconnect", "username", "message", "online", "$default"]);
  });

  test("give the backend the API's own @connections URL when clients come through a custom domain, with or without a mapping key", () => {
    // GIVEN the template a custom domain gets (Terraform fills in the endpoint)
    const routes = chatRoutes({ callbackUrl: `${EXECUTE_API}/$context.stage` });
    const online = routes.find((r) => r.routeKey === "online")!;
    // WHEN a client on wss://chat.example.com/chat (or wss://chat.example.com) asks who is online
    const body = JSON.parse(renderRequest(online.template, { action: "online" }, "null", VIA_DOMAIN));
    // THEN the backend calls the execute-api host with the stage, where @connections is,
    // not https://chat.example.com/prod, which has no @connections (the stage is at /chat or /)
    expect(body.url).toBe(`${EXECUTE_API}/prod`);
    // AND the default template would have built the wrong URL
    expect(JSON.parse(renderRequest(CHAT_ROUTES.find((r) => r.routeKey === "online")!.template, { action: "online" }, "null", VIA_DOMAIN)).url).toBe(
      "https://chat.example.com/prod",
    );
  });

  test("add the authorizer's principal id to every body, JSON-safe whatever it holds", () => {
    const routes = chatRoutes({ principalId: authorizerTemplateJsonString() });
    const principalId = `a"b'c\\d/é\n`;
    const context = { ...CONTEXT, authorizer: { principalId } };
    for (const route of routes) {
      const frame = route.routeKey.startsWith("$") ? undefined : { action: route.routeKey, username: "bob", message: "hi" };
      const body = JSON.parse(renderRequest(route.template, frame, "null", context));
      expect({ route: route.routeKey, principalId: body.principalId, connectionId: body.connectionId }).toEqual({
        route: route.routeKey,
        principalId,
        connectionId: CONTEXT.connectionId,
      });
      expect(route.fields).toEqual([...CHAT_ROUTES.find((r) => r.routeKey === route.routeKey)!.fields, "principalId"]);
    }
  });
});
