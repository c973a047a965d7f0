import { perConnection, perMessage, onlineListBytes, REPLY_OVERHEAD_BYTES } from "./chat-backend";
import { Load } from "./load";
import { HOURS_PER_MONTH, MESSAGE_METERING_BYTES } from "./prices";
import { StackProfile } from "./profile";

/**
 * The traffic a load makes through a stack: rates a second while the load
 * lasts, and what a month adds up to. Every figure is derived here once;
 * the quota checks and the cost lines read it.
 */
export interface Traffic {
  /** Hours a month the load lasts (730 × hours-per-day / 24). */
  readonly loadedHours: number;
  /** Frames clients send a second (for the chat: messages, plus username and online after each connect). */
  readonly framesIn: number;
  /** New connections a second (and as many disconnects). */
  readonly connects: number;
  /** Messages API Gateway sends back on a route (route responses) a second. */
  readonly routeResponses: number;
  /** @connections calls a second (each one a message to a client). */
  readonly callbacks: number;
  /** Requests a second that count against the account's throttle: frames, connects and @connections calls. */
  readonly accountRequests: number;
  /** Requests a second of each route, by route key. */
  readonly perRoute: ReadonlyMap<string, number>;
  /** Calls a second through the VPC link and NLB to the backend. */
  readonly backendRequests: number;
  /** API Gateway messages a second in 32 KB metering units: received, route responses, @connections. */
  readonly metered: { readonly received: number; readonly responses: number; readonly callbacks: number };
  /** The largest message a client sends or receives, in bytes, and what it is. */
  readonly largestMessage: { readonly bytes: number; readonly what: string };
  /** DynamoDB request units a second (the chat's backend). */
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Bytes a second the stage writes to CloudWatch Logs. */
  readonly logBytes: number;
  /** Bytes a second through the NLB (requests and responses). */
  readonly nlbBytes: number;
  /** Bytes a second through this stack's NAT gateway (the backend's @connections calls). */
  readonly natBytes: number;
}

/** Bytes of a call from API Gateway to the backend beside the frame (headers, the request template's fields), and of its response beside the reply. */
const INTEGRATION_OVERHEAD_BYTES = 1000;
/** Bytes of an @connections call beside its payload: TLS records, HTTP and SigV4 headers, the response. */
const CALLBACK_OVERHEAD_BYTES = 2048;
/** Execution log bytes per request at INFO (API Gateway writes about eight lines per request); ERROR writes only failures. */
export const INFO_LOG_BYTES_PER_REQUEST = 1500;

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / MESSAGE_METERING_BYTES));

export function traffic(load: Load, profile: StackProfile): Traffic {
  const n = load.connections;
  const m = load.messagesPerSecond;
  const c = load.connectRate;
  const b = load.messageBytes;
  const loadedHours = (HOURS_PER_MONTH * load.hoursPerDay) / 24;
  let framesIn: number,
    routeResponses: number,
    callbacks: number,
    backendRequests: number,
    callbackBytes: number,
    readUnits = 0,
    writeUnits = 0;
  let metered: Traffic["metered"];
  let largestMessage: Traffic["largestMessage"] = { bytes: b, what: "a frame" };
  const perRoute = new Map<string, number>([
    ["$connect", c],
    ["$disconnect", c],
  ]);
  if (profile.stack === "chat") {
    // The chat contract: a message frame answers with a route response and one @connections post to its target;
    // each connection sends username and online, answered on the route (online also posts its list).
    const list = onlineListBytes(n);
    const connection = perConnection(n);
    const message = perMessage(n);
    framesIn = m + 2 * c;
    routeResponses = m + 2 * c;
    callbacks = m * message.callbacks + c * connection.callbacks;
    callbackBytes = m * (b + REPLY_OVERHEAD_BYTES + CALLBACK_OVERHEAD_BYTES) + c * (list + CALLBACK_OVERHEAD_BYTES);
    backendRequests = m + 4 * c;
    readUnits = m * message.readUnits + c * connection.readUnits;
    writeUnits = m * message.writeUnits + c * connection.writeUnits;
    metered = {
      received: m * units(b) + 2 * c,
      responses: m * units(b + REPLY_OVERHEAD_BYTES) + c + c * units(list),
      callbacks: m * units(b + REPLY_OVERHEAD_BYTES) + c * units(list),
    };
    if (list > largestMessage.bytes) largestMessage = { bytes: list, what: `the online list of ${n.toLocaleString("en-US")} users` };
    perRoute.set("message", m).set("username", c).set("online", c);
  } else {
    // A module: frames go to the backend; it answers each with --callbacks-per-message @connections calls.
    framesIn = m;
    routeResponses = 0;
    callbacks = m * load.callbacksPerMessage;
    callbackBytes = callbacks * (b + CALLBACK_OVERHEAD_BYTES);
    backendRequests = m + 2 * c;
    metered = { received: m * units(b), responses: 0, callbacks: callbacks * units(b) };
    perRoute.set("$default", m);
  }
  const logged = framesIn + 2 * c;
  const logBytes =
    (profile.logs.access ? logged * profile.logs.accessEventBytes : 0) +
    (profile.logs.executionLevel === "INFO" ? logged * INFO_LOG_BYTES_PER_REQUEST : 0) +
    (profile.logs.dataTrace ? logged * 2 * b : 0);
  return {
    loadedHours,
    framesIn,
    connects: c,
    routeResponses,
    callbacks,
    accountRequests: framesIn + c + callbacks,
    perRoute,
    backendRequests,
    metered,
    largestMessage,
    readUnits,
    writeUnits,
    logBytes,
    nlbBytes: backendRequests * (2 * b + INTEGRATION_OVERHEAD_BYTES),
    natBytes: profile.natIsUsers ? 0 : callbackBytes,
  };
}
