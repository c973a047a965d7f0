import { ITEM_BYTES, ONLINE_ENTRY_BYTES, SCAN_PAGE_BYTES } from "./chat-backend";
import { Load, MAX_CONNECTION_SECONDS } from "./load";
import { StackProfile } from "./profile";
import { Traffic } from "./traffic";

const WEBSOCKET_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html";
const ACCOUNT_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html";
const DYNAMODB_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/ddb.html (Service quotas)";
const THROTTLING = "https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html";

/**
 * The AWS quotas a WebSocket load meets, as AWS documents them (read
 * 2026-12-07 at the `source` pages), with their Service Quotas codes.
 */
export const QUOTAS = {
  newConnections: { limit: 500, code: "L-9ED1E49A", source: WEBSOCKET_QUOTAS },
  accountRate: { limit: 10_000, code: "L-8A5B8E43", source: ACCOUNT_QUOTAS },
  accountBurst: { limit: 5_000, source: ACCOUNT_QUOTAS },
  frameBytes: { limit: 32 * 1024, source: WEBSOCKET_QUOTAS },
  messageBytes: { limit: 128 * 1024, source: WEBSOCKET_QUOTAS },
  connectionSeconds: { limit: MAX_CONNECTION_SECONDS, source: WEBSOCKET_QUOTAS },
  idleSeconds: { limit: 600, source: WEBSOCKET_QUOTAS },
  routesPerApi: { limit: 300, code: "L-01C8A9E0", source: WEBSOCKET_QUOTAS },
  tableReadUnits: { limit: 40_000, code: "L-CF0CBE56", source: DYNAMODB_QUOTAS },
  tableWriteUnits: { limit: 40_000, code: "L-AB614373", source: DYNAMODB_QUOTAS },
} as const;

/**
 * Regions whose default account throttle is 2,500 requests a second (burst
 * 1,250) instead of 10,000 (the account-level quotas page).
 */
export const LOW_THROTTLE_REGIONS = [
  "af-south-1",
  "eu-south-1",
  "ap-southeast-3",
  "me-central-1",
  "ap-south-2",
  "ap-southeast-4",
  "eu-south-2",
  "eu-central-2",
  "il-central-1",
  "ca-west-1",
  "ap-southeast-5",
  "ap-southeast-7",
  "mx-central-1",
];

/** One limit the load meets. */
export interface QuotaLine {
  readonly name: string;
  /** What the load asks, e.g. `2,100 requests/s`. */
  readonly load: string;
  /** The limit, e.g. `10,000 requests/s`. */
  readonly limit: string;
  readonly exceeded: boolean;
  /** The Service Quotas code, `not adjustable`, or the stack setting that sets the limit. */
  readonly code: string;
  /** What to do when it is exceeded. */
  readonly action: string;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

/** Every limit, with whether the load exceeds it. */
export function quotaLines(load: Load, profile: StackProfile, t: Traffic): QuotaLine[] {
  const lowRegion = LOW_THROTTLE_REGIONS.includes(profile.region);
  const accountRate = lowRegion ? 2_500 : QUOTAS.accountRate.limit;
  const lines: QuotaLine[] = [
    {
      name: "New connections per second (account, all WebSocket APIs of the region)",
      load: `${fmt(t.connects, 1)}/s${load.givenConnectRate === undefined ? " (each connection reconnects within 2 hours)" : ""}`,
      limit: `${fmt(QUOTAS.newConnections.limit)}/s`,
      exceeded: t.connects > QUOTAS.newConnections.limit,
      code: QUOTAS.newConnections.code,
      action: "request an increase before launch, or spread connects (clients reconnect with jitter)",
    },
    {
      name: "Request rate (account, region): frames, connects and @connections calls of every API",
      load: `${fmt(t.accountRequests, 1)} requests/s`,
      limit: `${fmt(accountRate)} requests/s${lowRegion ? ` (${profile.region} default)` : ""}, burst ${fmt(lowRegion ? 1_250 : QUOTAS.accountBurst.limit)}`,
      exceeded: t.accountRequests > accountRate,
      code: `${QUOTAS.accountRate.code} (the burst is set by AWS from the rate: not adjustable)`,
      action: "request an increase; every API, HTTP and REST APIs included, shares it in the region",
    },
    ...routeLines(profile, t),
    {
      name: "Frame size",
      load: `${fmt(load.messageBytes)} bytes`,
      limit: kb(QUOTAS.frameBytes.limit),
      exceeded: load.messageBytes > QUOTAS.frameBytes.limit,
      code: "not adjustable",
      action: "send messages above 32 KB as several frames of at most 32 KB each (API Gateway closes the connection with 1009 on a larger frame)",
    },
    {
      name: "Message size (frames of one message, route responses, @connections posts)",
      load: `${kb(t.largestMessage.bytes)} (${t.largestMessage.what})`,
      limit: kb(QUOTAS.messageBytes.limit),
      exceeded: t.largestMessage.bytes > QUOTAS.messageBytes.limit,
      code: "not adjustable",
      action:
        profile.stack === "chat" && t.largestMessage.what !== "a frame"
          ? `the backend's online list must be paged or capped: it fails above ${fmt(Math.floor((QUOTAS.messageBytes.limit - 2) / ONLINE_ENTRY_BYTES))} users`
          : "keep messages under 128 KB (e.g. send large payloads through S3 and a link)",
    },
    {
      name: "Connection duration (2 hours, then API Gateway closes it)",
      load: `${fmt(load.hoursPerDay, 1)} hours a day connected`,
      limit: "2 hours",
      exceeded: load.hoursPerDay > MAX_CONNECTION_SECONDS / 3600 && load.connections > 0,
      code: "not adjustable",
      action: `clients must reconnect (and re-send username) at least every 2 hours: ${fmt(load.connections / MAX_CONNECTION_SECONDS, 1)} connects/s from that alone, counted above`,
    },
    idleLine(load),
  ];
  if (profile.stack === "chat") lines.push(...tableLines(load, t));
  if (profile.routeCount > QUOTAS.routesPerApi.limit * 0.9) {
    lines.push({
      name: "Routes per API",
      load: fmt(profile.routeCount),
      limit: fmt(QUOTAS.routesPerApi.limit),
      exceeded: profile.routeCount > QUOTAS.routesPerApi.limit,
      code: QUOTAS.routesPerApi.code,
      action: "request an increase, or route by one action field to fewer routes",
    });
  }
  return lines;
}

/** The stage's limits per route: the busiest route without limits of its own, and each route with its own. */
function routeLines(profile: StackProfile, t: Traffic): QuotaLine[] {
  const lines: QuotaLine[] = [];
  const stage = profile.stageLimit;
  let busiest: [string, number] | undefined;
  for (const [key, rate] of t.perRoute) {
    const own = profile.routeLimits.get(key);
    if (own) {
      lines.push({
        name: `Route ${key} throttle (set by the stack)`,
        load: `${fmt(rate, 1)}/s`,
        limit: `${fmt(own.rateLimit, 1)}/s, burst ${fmt(own.burstLimit)}`,
        exceeded: rate > own.rateLimit,
        code: own.setting,
        action: `raise ${own.setting}: frames above it get 429 and are not delivered`,
      });
    } else if (!busiest || rate > busiest[1]) busiest = [key, rate];
  }
  if (busiest) {
    lines.unshift({
      name: `Stage throttle per route (set by the stack; busiest route without its own: ${busiest[0]})`,
      load: `${fmt(busiest[1], 1)}/s`,
      limit: `${fmt(stage.rateLimit, 1)}/s, burst ${fmt(stage.burstLimit)}`,
      exceeded: busiest[1] > stage.rateLimit,
      code: stage.setting,
      action: `raise ${stage.setting} (it applies to each route; ${THROTTLING}): requests above it get 429`,
    });
  }
  return lines;
}

function idleLine(load: Load): QuotaLine {
  const gap = load.connections > 0 && load.messagesPerSecond > 0 ? load.connections / load.messagesPerSecond : Infinity;
  return {
    name: "Idle connection timeout",
    load:
      load.connections === 0 ? "no connections" : gap === Infinity ? "connections send nothing" : `a frame every ${fmt(gap, 1)} s per connection, on average`,
    limit: "10 minutes without a frame",
    exceeded: load.connections > 0 && gap > QUOTAS.idleSeconds.limit,
    code: "not adjustable",
    action: `clients must send a keep-alive frame at least every 10 minutes (${fmt(load.connections / 540, 1)} more frames/s at one every 9 minutes, each a metered message)`,
  };
}

/** The connections table's throughput (the chat backend's Scans). */
function tableLines(load: Load, t: Traffic): QuotaLine[] {
  const scanKb = kb(Math.min(load.connections * ITEM_BYTES, SCAN_PAGE_BYTES));
  return [
    {
      name: `Connections table reads (on demand; a Scan of ${scanKb} per message)`,
      load: `${fmt(t.readUnits)} read units/s`,
      limit: `${fmt(QUOTAS.tableReadUnits.limit)}/s`,
      exceeded: t.readUnits > QUOTAS.tableReadUnits.limit,
      code: QUOTAS.tableReadUnits.code,
      action: "request an increase; better, give the backend a username index (a Query instead of a Scan per message)",
    },
    {
      name: "Connections table writes (on demand)",
      load: `${fmt(t.writeUnits)} write units/s`,
      limit: `${fmt(QUOTAS.tableWriteUnits.limit)}/s`,
      exceeded: t.writeUnits > QUOTAS.tableWriteUnits.limit,
      code: QUOTAS.tableWriteUnits.code,
      action: "request an increase",
    },
  ];
}
