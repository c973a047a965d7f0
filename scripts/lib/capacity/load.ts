import { UsageError } from "../cli-args";

/** The load `npm run capacity` plans for (its flags, checked, with defaults). */
export interface Load {
  /** Clients connected at once, on average over the hours they are connected. */
  readonly connections: number;
  /** Frames all clients send a second, together (for the chat: its `message` actions). */
  readonly messagesPerSecond: number;
  /** Bytes of a frame. */
  readonly messageBytes: number;
  /**
   * New connections a second. Never below connections / 7,200: API Gateway
   * closes every connection after 2 hours, so each reconnects at least that often.
   */
  readonly connectRate: number;
  /** The connect rate given with --connect-rate, when given (the floor may have raised it). */
  readonly givenConnectRate?: number;
  /** Hours a day the load lasts (the rest of the day is idle). */
  readonly hoursPerDay: number;
  /**
   * Backend requests a second one task serves.
   * @default - the local gateway's bench figure (an upper bound, see backend.ts)
   */
  readonly perTaskRps?: number;
  /**
   * Modules: @connections calls the backend makes per frame (its answers to clients).
   * @default 1
   */
  readonly callbacksPerMessage: number;
}

/** Seconds a WebSocket connection lasts at most (API Gateway quota, not adjustable). */
export const MAX_CONNECTION_SECONDS = 2 * 3600;

/** Default frame size when --message-bytes is not given: a short chat line as JSON. */
export const DEFAULT_MESSAGE_BYTES = 200;

/** The flags of a load, as `npm run capacity` reads them (strings or absent). */
export interface LoadFlags {
  readonly connections?: string;
  readonly messagesPerSecond?: string;
  readonly messageBytes?: string;
  readonly connectRate?: string;
  readonly hoursPerDay?: string;
  readonly perTaskRps?: string;
  readonly callbacksPerMessage?: string;
}

/** Reads and checks the load flags; throws a {@link UsageError} naming the flag, the value and the rule. */
export function readLoad(flags: LoadFlags): Load {
  const number = (flag: string, text: string | undefined, rule: (n: number) => boolean, what: string, fallback?: number): number => {
    if (text === undefined) {
      if (fallback === undefined) throw new UsageError(`--${flag} must be given (${what})`);
      return fallback;
    }
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || !rule(n)) throw new UsageError(`--${flag} must be ${what}, got ${JSON.stringify(text)}`);
    return n;
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  const connections = number("connections", flags.connections, whole, "a whole number of clients connected at once, 0 or more");
  const messagesPerSecond = number("messages-per-second", flags.messagesPerSecond, (n) => n >= 0, "frames sent a second by all clients together, 0 or more");
  const messageBytes = number("message-bytes", flags.messageBytes, (n) => whole(n) && n >= 1, "the size of a frame in bytes, 1 or more", DEFAULT_MESSAGE_BYTES);
  const hoursPerDay = number("hours-per-day", flags.hoursPerDay, (n) => n > 0 && n <= 24, "the hours a day the load lasts, more than 0 and at most 24", 24);
  const floor = connections / MAX_CONNECTION_SECONDS;
  const connectRate = number("connect-rate", flags.connectRate, (n) => n >= 0, "new connections a second, 0 or more", floor);
  const perTaskRps =
    flags.perTaskRps === undefined
      ? undefined
      : number("per-task-rps", flags.perTaskRps, (n) => n > 0, "backend requests a second one task serves, more than 0");
  const callbacksPerMessage = number("callbacks-per-message", flags.callbacksPerMessage, (n) => n >= 0, "@connections calls per frame, 0 or more", 1);
  return {
    connections,
    messagesPerSecond,
    messageBytes,
    connectRate: Math.max(connectRate, floor),
    givenConnectRate: flags.connectRate === undefined ? undefined : connectRate,
    hoursPerDay,
    perTaskRps,
    callbacksPerMessage,
  };
}
