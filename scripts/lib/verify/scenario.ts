import { randomBytes } from "crypto";
import { UNKNOWN_ACTION_REPLY } from "../../../stacks/chat-contract";
import { errorFrame, HandshakeError, ScenarioClient } from "./handshake";
import { fail, HopResult, pass, skip } from "./report";

/**
 * The data-plane scenario: real traffic through a deployed WebSocket API,
 * checked as the applications' contract says. One module, two targets: `npm
 * run verify` runs it against AWS (or against `npm run local`), and the test
 * suite runs it against `npm run local` (__tests__/local-gateway/).
 *
 * Chat (/work/shared/seeds/chat-contract.md): two clients connect, claim two
 * throwaway user names, ask who is online (the list arrives through
 * @connections), send one message from the first to the second (delivered
 * through @connections), and send an unknown action (answered by `$default`).
 * Modules: one client connects and sends a frame no custom route claims (the
 * `$default` round trip through the backend's POST /default); custom routes
 * are listed, not sent: they would act in your application. Then a signed
 * GET @connections/{id} describes a connection, and the clients close.
 * Nothing is sent to any connection but the scenario's own.
 */

export interface ScenarioOptions {
  readonly kind: "chat" | "module";
  /** Where clients connect: the stage's URL first, then a custom domain's. */
  readonly urls: ReadonlyArray<{ readonly url: string; readonly label: string }>;
  /** GET @connections/{id}, signed: resolves with GetConnection's output, rejects with the SDK's error. */
  readonly getConnection: (connectionId: string) => Promise<{ ConnectedAt?: Date; Identity?: { SourceIp?: string; UserAgent?: string } }>;
  /** Extra handshake headers for a URL (an IAM signature for AWS_IAM `$connect`). */
  readonly handshakeHeaders?: (url: string) => Promise<Record<string, string>>;
  /** Query string parameters of the handshake (a `$connect` authorizer's identity source, e.g. `token`). */
  readonly query?: Readonly<Record<string, string>>;
  /** A CA to trust for wss:// (the local gateway's). */
  readonly ca?: Buffer;
  /** Module: its custom route keys (listed, not sent). */
  readonly customRoutes?: readonly string[];
  /** Module: how long `$default`'s answer may take (its integration timeout). @default 29000 */
  readonly replyTimeoutMs?: number;
  /** Module: the connection ids of handshakes by their User-Agent (from the access log), when it can tell. */
  readonly findConnectionIds?: (userAgents: readonly string[]) => Promise<Record<string, string>>;
  /** Why a handshake was refused, as far as the caller can tell (the backend, an earlier hop). */
  readonly explainConnectFailure?: (e: HandshakeError) => Promise<{ cause: string; fix: string } | undefined>;
  /** How long each answer may take. @default 10000 */
  readonly timeoutMs?: number;
}

export interface ScenarioOutcome {
  /** connect, frames, connections-api, disconnect. */
  readonly results: HopResult[];
  /** The scenario's connections, as far as it learnt them. */
  readonly connectionIds: string[];
  /** The WebSocket URLs it opened a connection to, one entry per connection. */
  readonly opened: string[];
  readonly started: Date;
}

/** A random tag for the throwaway user names and User-Agents of one run. */
export function scenarioNonce(): string {
  return randomBytes(4).toString("hex");
}

export async function runScenario(o: ScenarioOptions, nonce = scenarioNonce()): Promise<ScenarioOutcome> {
  const started = new Date();
  const timeout = o.timeoutMs ?? 10_000;
  const clients: ScenarioClient[] = [];
  const opened: string[] = [];
  const userAgent = (who: string) => `wsgw-verify/${nonce}-${who}`;
  const open = async (at: { url: string }, who: string) => {
    const u = new URL(at.url);
    for (const [k, v] of Object.entries(o.query ?? {})) u.searchParams.set(k, v);
    const url = u.toString().replace(/\/\?/, "?").replace(/\/$/, "");
    const headers = { "user-agent": userAgent(who), ...((await o.handshakeHeaders?.(url)) ?? {}) };
    opened.push(url);
    const c = await ScenarioClient.connect(url, { headers, ca: o.ca, timeoutMs: timeout });
    clients.push(c);
    return c;
  };
  const results: HopResult[] = [];
  const notRun = (why: string) => {
    for (const hop of ["frames", "connections-api", "disconnect"] as const) if (!results.some((r) => r.hop === hop)) results.push(skip(hop, `not run: ${why}`));
  };
  const second = o.urls[1] ?? o.urls[0];

  // connect
  let a: ScenarioClient;
  let b: ScenarioClient | undefined;
  try {
    a = await open(o.urls[0], "a");
    if (o.kind === "chat" || o.urls[1]) b = await open(second, "b");
  } catch (e) {
    await Promise.all(clients.map((c) => c.close(1000)));
    const he = e instanceof HandshakeError ? e : new HandshakeError(o.urls[0].url, 0, "", e as Error);
    const explained = (await o.explainConnectFailure?.(he)) ?? connectCause(he);
    results.push(
      fail(
        "connect",
        `the handshake to ${he.url} ${he.status ? `was refused: ${he.status} ${he.body.trim().slice(0, 160)}` : `failed: ${he.message}`}`,
        explained.cause,
        explained.fix,
      ),
    );
    notRun("no connection");
    return { results, connectionIds: [], opened, started };
  }
  const where = [...new Set([o.urls[0], ...(b ? [second] : [])].map((x) => `${x.url} (${x.label})`))].join(" and ");
  results.push(pass("connect", `${clients.length} client${clients.length > 1 ? "s" : ""} connected to ${where}`));

  // frames, then the connection ids they revealed
  const ids: Record<string, string> = {};
  const frames = o.kind === "chat" ? await chatFrames(a, b!, nonce, timeout, ids) : await moduleFrames(a, o, nonce);
  results.push(frames);
  if (o.kind === "module" && o.findConnectionIds) {
    try {
      const found = await o.findConnectionIds([userAgent("a"), ...(b ? [userAgent("b")] : [])]);
      if (found[userAgent("a")]) ids.a = found[userAgent("a")];
      if (found[userAgent("b")]) ids.b = found[userAgent("b")];
    } catch {
      // Without ids the @connections hop says so.
    }
  }
  const probe = ids.b ?? ids.a;

  // connections-api
  if (!probe) {
    results.push(
      skip(
        "connections-api",
        o.kind === "chat"
          ? "not run: the online frame did not reveal a connection id"
          : 'not run: a client cannot learn its connection id from a module\'s API (only the backend receives it), and no access log line named it (the stage writes none with api_gateway_account_role "none")',
      ),
    );
  } else {
    try {
      const info = await o.getConnection(probe);
      results.push(
        pass(
          "connections-api",
          `GET @connections/${probe} (signed with your credentials) answered: connected at ${info.ConnectedAt?.toISOString() ?? "?"} from ${info.Identity?.SourceIp ?? "?"}`,
        ),
      );
    } catch (e) {
      results.push(connectionsFailure(probe, e));
    }
  }

  // disconnect
  const closes = await Promise.all(clients.map((c) => c.close(5000)));
  const unclean = closes.filter((c) => c === undefined).length;
  if (unclean) {
    results.push(
      fail(
        "disconnect",
        `${unclean} of ${clients.length} clients got no close frame back within 5 s`,
        "the endpoint did not complete the close handshake",
        "run verify again; if it persists, read the stage's access log for the DISCONNECT events",
      ),
    );
  } else if (probe && !results.some((r) => r.hop === "connections-api" && r.status !== "PASS")) {
    const gone = await goneWithin(o, probe, 5000);
    results.push(
      gone
        ? pass(
            "disconnect",
            `${clients.length} client${clients.length > 1 ? "s" : ""} closed cleanly (${closes.map((c) => c!.code).join(", ")}); @connections then answered 410 Gone for ${probe}`,
          )
        : fail(
            "disconnect",
            `the clients closed, but GET @connections/${probe} still describes the connection after 5 s`,
            "API Gateway did not register the close",
            "run verify again in a minute",
          ),
    );
  } else {
    results.push(pass("disconnect", `${clients.length} client${clients.length > 1 ? "s" : ""} closed cleanly (${closes.map((c) => c!.code).join(", ")})`));
  }
  return { results, connectionIds: Object.values(ids), opened, started };
}

/** The chat's frames, in contract order; fills `ids` with the connection ids the online lists reveal. */
async function chatFrames(a: ScenarioClient, b: ScenarioClient, nonce: string, timeout: number, ids: Record<string, string>): Promise<HopResult> {
  const nameA = `verify-${nonce}-a`;
  const nameB = `verify-${nonce}-b`;
  const isPush = (m: string) => m.startsWith(": ");
  const bad = (step: string, got: string | undefined, expected: string): HopResult => {
    const frame = got === undefined ? undefined : errorFrame(got);
    if (got === undefined) {
      return fail(
        "frames",
        `${step}: no answer within ${timeout / 1000} s (expected ${expected})`,
        'the integration is slow (a backend past 29 s gets "Endpoint request timed out") or the route answers nothing (one-way)',
        "read the stage's access log (integrationStatus, integrationError) and the backend's log",
      );
    }
    if (got === UNKNOWN_ACTION_REPLY) {
      return fail(
        "frames",
        `${step}: answered by $default (${JSON.stringify(got.slice(0, 60))}...)`,
        "the route is not in the stage's deployment, so API Gateway routed the frame to $default (changed but never redeployed, or deleted)",
        "see the routes and deployment hops; deploy again",
      );
    }
    if (frame) {
      return fail(
        "frames",
        `${step}: API Gateway answered ${JSON.stringify(frame.message)}`,
        frame.message === "Internal server error"
          ? "the integration failed: API Gateway could not reach the backend (vpc-link, targets, service hops) or the backend answered with an error"
          : frame.message === "Forbidden"
            ? "no route matched the frame and the API has no $default route"
            : `API Gateway's error for this frame: ${frame.message}`,
        "fix the first FAIL above; else read the stage's access log (integrationError) and the backend's log",
      );
    }
    return fail(
      "frames",
      `${step}: answered ${JSON.stringify(got.slice(0, 120))} (expected ${expected})`,
      "the backend refused the frame (its answer above)",
      "read the backend's log",
    );
  };
  const answered = (m: string) => !isPush(m);

  // username
  for (const [client, name] of [
    [a, nameA],
    [b, nameB],
  ] as const) {
    client.send({ action: "username", username: name });
    const got = await client.next(answered, timeout);
    if (got === undefined || errorFrame(got) || got === UNKNOWN_ACTION_REPLY || !got.includes(name)) return bad("username", got, `a reply naming ${name}`);
  }
  // online, from both sides: each list names the other client (and reveals its connection id)
  for (const [client, other, key] of [
    [a, nameB, "b"],
    [b, nameA, "a"],
  ] as const) {
    client.send({ action: "online" });
    const reply = await client.next(answered, timeout);
    if (reply === undefined || errorFrame(reply) || reply === UNKNOWN_ACTION_REPLY) return bad("online", reply, "the list of users online");
    const pushed = await client.next(isPush, timeout);
    if (pushed === undefined) {
      return fail(
        "frames",
        `online: the backend answered, but the list it sends through @connections never arrived within ${timeout / 1000} s`,
        "the backend cannot call @connections: no route to the internet (callback-path hop), an execute-api endpoint with private DNS, or a task role without execute-api:ManageConnections",
        "see the callback-path hop; the backend's log shows its PostToConnection errors",
      );
    }
    let list: Array<{ connectionId?: string; username?: string }> = [];
    try {
      list = JSON.parse(pushed.slice(2));
    } catch {
      return bad("online", pushed, "': ' and a JSON array of {connectionId, username}");
    }
    const entry = Array.isArray(list) ? list.find((u) => u.username === other) : undefined;
    if (!entry?.connectionId)
      return fail(
        "frames",
        `online: the list names ${list.length} users, not ${other}`,
        "the backend did not store the other client's user name",
        "read the backend's log (DynamoDB errors?)",
      );
    ids[key] = entry.connectionId;
  }
  // message, delivered to the other client
  const text = `hello from npm run verify ${nonce}`;
  a.send({ action: "message", username: nameB, message: text });
  const delivered = await b.next((m) => m === `${nameA}: ${text}`, timeout);
  const reply = await a.next(answered, timeout);
  if (reply === undefined || errorFrame(reply) || reply === UNKNOWN_ACTION_REPLY) return bad("message", reply, "the backend's confirmation");
  if (delivered === undefined) {
    return fail(
      "frames",
      `message: the backend answered ${JSON.stringify(reply.slice(0, 80))}, but the other client received nothing within ${timeout / 1000} s`,
      "the backend's @connections call did not arrive (callback-path hop, the task role's execute-api:ManageConnections)",
      "see the callback-path hop and the backend's log",
    );
  }
  // an unknown action, answered by $default
  a.send({ action: `verify-unknown-${nonce}` });
  const unknown = await a.next(answered, timeout);
  if (unknown !== UNKNOWN_ACTION_REPLY) {
    return fail(
      "frames",
      `an unknown action: answered ${unknown === undefined ? "nothing" : JSON.stringify(unknown.slice(0, 120))}, not $default's ${JSON.stringify(UNKNOWN_ACTION_REPLY.slice(0, 40))}...`,
      "the $default route (a MOCK answer) is missing or changed",
      "see the routes hop; deploy again",
    );
  }
  return pass(
    "frames",
    "username (answered for both user names), online (each list, sent through @connections, named the other client), message (delivered to the other client through @connections), an unknown action (answered by $default)",
  );
}

/** A module's `$default` round trip: one frame no custom route claims. */
async function moduleFrames(a: ScenarioClient, o: ScenarioOptions, nonce: string): Promise<HopResult> {
  const wait = Math.min(o.replyTimeoutMs ?? 29_000, 29_000) + 1000;
  a.send({ action: `wsgw-verify-${nonce}`, verify: true });
  const got = await a.next(() => true, wait);
  const custom = o.customRoutes?.length ? `; custom routes ${o.customRoutes.join(", ")} not sent (they would act in your application)` : "";
  const contract = "the backend must also answer POST /connect and /disconnect (connect, disconnect) and GET on the health check path (targets)";
  if (got === undefined) {
    return pass(
      "frames",
      `$default: no error frame within ${wait / 1000} s, so the backend's POST /default succeeded with an empty answer (API Gateway sends nothing back then); ${contract}${custom}`,
    );
  }
  const frame = errorFrame(got);
  if (frame) {
    return fail(
      "frames",
      `$default: API Gateway answered ${JSON.stringify(frame.message)}`,
      frame.message === "Internal server error"
        ? "the integration failed: API Gateway could not reach the backend's POST /default, or it answered with an error (the module's backend must answer POST /default)"
        : frame.message === "Endpoint request timed out"
          ? "the backend took longer than the integration timeout to answer POST /default"
          : `API Gateway's error for the frame: ${frame.message}`,
      "fix the first FAIL above; else read the stage's access log (integrationError) and your backend's log",
    );
  }
  return pass("frames", `$default: the backend's POST /default answered ${JSON.stringify(got.slice(0, 60))}; ${contract}${custom}`);
}

/** What a refused handshake most likely means, by status. */
export function connectCause(e: HandshakeError): { cause: string; fix: string } {
  switch (true) {
    case e.status === 401:
      return {
        cause: "the $connect authorizer's identity source is missing from the request",
        fix: "pass what the authorizer reads: --token <token> (or --query name=value)",
      };
    case e.status === 403:
      return {
        cause:
          "the $connect authorizer denied the connection, or (AWS_IAM) these credentials lack execute-api:Invoke on the connect route, or the stage does not exist",
        fix: "check the token, or grant execute-api:Invoke on the connect_route_arn output",
      };
    case e.status === 429:
      return { cause: "throttled: the stage's or the account's connection rate", fix: "wait and run verify again" };
    case e.status >= 500:
      return {
        cause:
          "the $connect integration failed: API Gateway could not reach the backend (the vpc-link, targets and service hops) or the backend's POST /connect answered an error",
        fix: "fix the first FAIL above; else read the stage's access log (integrationError) and the backend's log",
      };
    case e.status === 0:
      return { cause: `no answer from ${e.url}: ${e.error?.message ?? "the connection failed"}`, fix: "check the URL (the stack's outputs) and your network" };
    default:
      return { cause: `the endpoint answered ${e.status}`, fix: "check the URL (the stack's outputs)" };
  }
}

/** A failed GET @connections/{id}. */
function connectionsFailure(id: string, e: unknown): HopResult {
  const name = (e as { name?: string })?.name ?? "Error";
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const text = `GET @connections/${id} failed: ${name}${status ? ` (${status})` : ""}${(e as Error)?.message && (e as Error).message !== name ? `: ${(e as Error).message}` : ""}`;
  if (name === "ForbiddenException" || status === 403) {
    return fail(
      "connections-api",
      text,
      "these credentials may not call @connections: they need execute-api:ManageConnections on <api execution ARN>/<stage>/GET/@connections/* (the modules' connections_arn output)",
      "run verify with an identity allowed it (an administrator's), or grant it",
    );
  }
  if (name === "GoneException" || status === 410) {
    return fail("connections-api", text, "API Gateway does not know the connection the scenario still holds open", "run verify again");
  }
  return fail("connections-api", text, "the @connections endpoint answered an error", "check the connections_callback_url output and run verify again");
}

/** Whether GET @connections/{id} answers 410 Gone within `ms` (a closed connection). */
async function goneWithin(o: ScenarioOptions, id: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await o.getConnection(id);
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      if ((e as { name?: string })?.name === "GoneException" || status === 410) return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
