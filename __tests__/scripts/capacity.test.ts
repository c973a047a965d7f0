import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../../scripts/lib/cli-args";
import { BENCH_GATEWAY, backendPlan } from "../../scripts/lib/capacity/backend";
import { apiGatewayCharges, cents, costLines, CostLine, totalOf } from "../../scripts/lib/capacity/costs";
import { Load, readLoad } from "../../scripts/lib/capacity/load";
import { capacityPlan } from "../../scripts/lib/capacity/plan";
import { HOURS_PER_MONTH } from "../../scripts/lib/capacity/prices";
import { chatProfile, moduleProfile, StackProfile } from "../../scripts/lib/capacity/profile";
import { QuotaLine, quotaLines } from "../../scripts/lib/capacity/quotas";
import { formatPlan } from "../../scripts/lib/capacity/report";
import { traffic } from "../../scripts/lib/capacity/traffic";
import { PROJECT_DIR, settingsWith } from "../helpers";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

/** A load from flags given as numbers. */
const loadOf = (flags: Record<string, number>): Load =>
  readLoad({
    connections: String(flags.connections ?? 0),
    messagesPerSecond: String(flags.messagesPerSecond ?? 0),
    messageBytes: flags.messageBytes === undefined ? undefined : String(flags.messageBytes),
    connectRate: flags.connectRate === undefined ? undefined : String(flags.connectRate),
    hoursPerDay: flags.hoursPerDay === undefined ? undefined : String(flags.hoursPerDay),
    perTaskRps: flags.perTaskRps === undefined ? undefined : String(flags.perTaskRps),
    callbacksPerMessage: flags.callbacksPerMessage === undefined ? undefined : String(flags.callbacksPerMessage),
  });

// The chat's profile synthesizes the stack: once with the defaults, once with every option that changes a line.
let chat: StackProfile;
let variant: StackProfile;
beforeAll(() => {
  chat = chatProfile(settingsWith({}));
  variant = chatProfile(
    settingsWith({
      chat: {
        backend: { architecture: "ARM64" },
        network: { natGateways: "one-per-az", interfaceEndpoints: true },
        api: { routeThrottle: { message: { rateLimit: 10 } } },
      },
    }),
  );
}, 60_000);

const moduleOf = (values: Record<string, unknown> = {}) =>
  moduleProfile("websocket-nlb", path.join(PROJECT_DIR, "modules", "websocket-nlb"), values, "test values");

const quota = (profile: StackProfile, load: Load, name: RegExp): QuotaLine => {
  const line = quotaLines(load, profile, traffic(load, profile)).find((q) => name.test(q.name));
  if (!line) throw new Error(`no quota line matches ${name}`);
  return line;
};

const lines = (profile: StackProfile, load: Load): CostLine[] =>
  costLines(load, profile, traffic(load, profile), backendPlan(load, profile, traffic(load, profile)));
const line = (all: CostLine[], item: RegExp) => all.filter((l) => item.test(l.item)).reduce((sum, l) => sum + l.usd, 0);
const idle = () => loadOf({});

describe("AWS's worked WebSocket example", () => {
  // The WebSocket example of https://aws.amazon.com/api-gateway/pricing/ could not be read in full here (its
  // rates render from pricing tokens; the $1.00 per million messages and $0.25 per million connection minutes
  // are the page's, as transcribed on 2026-09-20 in api-evangelist/amazon-web-services' plans file). The month
  // below is the example as a public CDK sample quotes it from the Japanese edition of that page, computed by hand:
  //   messages:           (100 sent + 500 received) x 1,000 users x 30 days = 18,000,000 -> 18 x $1.00 = $18.00
  //   connection minutes: 1,000 users x 12 hours x 60 minutes x 30 days   = 21,600,000 -> 21.6 x $0.25 = $5.40
  //   total: $23.40
  test("reproduces the month to the cent: 18 million messages $18.00, 21.6 million connection minutes $5.40, $23.40", () => {
    const messages = (100 + 500) * 1_000 * 30;
    const minutes = 1_000 * 12 * 60 * 30;
    expect([messages, minutes]).toEqual([18_000_000, 21_600_000]);
    const charges = apiGatewayCharges(messages, minutes);
    expect([cents(charges.messages), cents(charges.connectionMinutes), cents(charges.messages + charges.connectionMinutes)]).toEqual([18.0, 5.4, 23.4]);
  });

  test("the model counts the example's month the same way (730-hour month: 730/720 of the 30-day figures)", () => {
    // Each user sends 100 frames and receives 500 @connections messages a day, connected 12 hours a day.
    const load = loadOf({ connections: 1_000, messagesPerSecond: (1_000 * 100) / (12 * 3600), callbacksPerMessage: 5, hoursPerDay: 12, connectRate: 0 });
    const all = lines(moduleOf(), load);
    const scale = HOURS_PER_MONTH / 720;
    expect(cents(line(all, /connection minutes/))).toBe(cents(5.4 * scale));
    expect(cents(line(all, /API Gateway messages/))).toBe(cents(18 * scale));
  });

  test("prices messages past a billion a month at $0.80 per million", () => {
    expect(cents(apiGatewayCharges(1e9, 0).messages)).toBe(1000);
    expect(cents(apiGatewayCharges(1e9 + 1e6, 0).messages)).toBe(1000.8);
  });

  test("meters a message in 32 KB units: a 33 KB frame is two messages", () => {
    const one = traffic(loadOf({ messagesPerSecond: 1, messageBytes: 32 * 1024, callbacksPerMessage: 0 }), moduleOf());
    const two = traffic(loadOf({ messagesPerSecond: 1, messageBytes: 32 * 1024 + 1, callbacksPerMessage: 0 }), moduleOf());
    expect([one.metered.received, two.metered.received]).toEqual([1, 2]);
  });
});

describe("idle cost equals the docs' cost tables", () => {
  const row = (doc: string, start: string) => {
    const found = read(doc)
      .split("\n")
      .find((l) => l.startsWith(start));
    if (!found) throw new Error(`${doc} has no row starting ${start}`);
    return found;
  };
  const dollars = (usd: number) => `$${cents(usd).toFixed(2)}`;

  test("docs/chat.md's computed rows are the chat's lines at zero load, and its computed total their sum", () => {
    const all = lines(chat, idle());
    expect(row("docs/chat.md", "| Internal NLB |")).toContain(`| ${dollars(line(all, /^NLB/))} |`);
    expect(row("docs/chat.md", "| NAT gateway (1) + its public IPv4 |")).toContain(`| ${dollars(line(all, /^NAT gateway (hours|public)/))} + traffic |`);
    expect(row("docs/chat.md", "| Fargate, 2 tasks of 0.25 vCPU / 0.5 GB (x86) |")).toContain(
      `| ${dollars(line(all, /^Fargate/))} (ARM64: ${dollars(line(lines(variant, idle()), /^Fargate/))}) |`,
    );
    expect(row("docs/chat.md", "| CloudWatch dashboard and access-log metrics |")).toContain(
      `| ${dollars(line(all, /^CloudWatch dashboard/))} ($0 within the 3 free) |`,
    );
    expect(row("docs/chat.md", "| **Computed, idle** |")).toContain(`**${dollars(totalOf(all))}**`);
    // Every line that costs something idle is in the table (a new one, e.g. a dashboard, needs its row).
    expect(all.filter((l) => cents(l.usd) > 0).map((l) => l.item)).toEqual([
      "NLB hours",
      "NAT gateway hours",
      "NAT gateway public IPv4 addresses",
      "Fargate vCPU (tasks of 0.25 vCPU)",
      "Fargate memory (tasks of 0.5 GB; the tracing sidecar shares the task)",
      "CloudWatch dashboard",
    ]);
  });

  test("docs/chat.md's options are the differences the planner computes: a NAT gateway per zone, interface endpoints", () => {
    const base = lines(chat, idle());
    const more = lines(variant, idle());
    const options = row("docs/chat.md", "| Options |");
    expect(options).toContain(`one NAT per zone: +${dollars(line(more, /^NAT gateway (hours|public)/) - line(base, /^NAT gateway (hours|public)/))} per zone`);
    expect(options).toContain(`= +${dollars(line(more, /Interface endpoints/))}`);
  });

  test("the docs' total range holds the computed total plus the rows it does not compute, and the README's figure is in it", () => {
    const computed = totalOf(lines(chat, idle()));
    const total = /\*\*~\$(\d+) to \$(\d+) plus traffic\*\*/.exec(row("docs/chat.md", "| **Total, idle** |"));
    // Not computed: CloudWatch Logs storage and Container Insights (~$2 to $5), three rows of < $1.
    expect(total && [Number(total[1]), Number(total[2])]).toEqual([Math.round(computed + 2), Math.round(computed + 5 + 3)]);
    const readme = [...read("README.md").matchAll(/chat ~\$(\d+)\/month|~\$(\d+) a month idle/g)].map((m) => Number(m[1] ?? m[2]));
    expect(readme.length).toBeGreaterThan(0);
    for (const figure of readme) expect(figure >= Number(total![1]) && figure <= Number(total![2])).toBe(true);
  });

  test("a module at zero load costs its NLB, as docs/chat.md says", () => {
    const all = lines(moduleOf(), idle());
    expect(read("docs/chat.md")).toContain(`The two WebSocket modules cost the NLB (${dollars(totalOf(all))}) plus API Gateway`);
    expect(totalOf(all)).toBe(totalOf(lines(moduleProfile("websocket-alb", path.join(PROJECT_DIR, "modules", "websocket-alb"), {}, "defaults"), idle())));
  });

  test("the bench figure is docs/testing.md's", () => {
    expect(read("docs/testing.md")).toContain(`| Local gateway messages per second (floor) | ${BENCH_GATEWAY.framesPerSecond.toLocaleString("en-US")} (`);
  });
});

describe("quota lines on each side of each limit", () => {
  const pair = (name: RegExp, passes: () => [StackProfile, Load], fails: () => [StackProfile, Load]) => {
    test(`passes at the limit and fails above it: ${name.source}`, () => {
      expect(quota(...passes(), name).exceeded).toBe(false);
      const over = quota(...fails(), name);
      expect(over.exceeded).toBe(true);
      expect(over.code).not.toBe("");
      expect(over.action).not.toBe("");
    });
  };
  pair(
    /^New connections per second/,
    () => [chat, loadOf({ connectRate: 500 })],
    () => [chat, loadOf({ connectRate: 501 })],
  );
  test("the new connection line counts the 2-hour floor: 3,600,000 connections reconnect at 500/s", () => {
    expect(quota(chat, loadOf({ connections: 3_600_000 }), /^New connections/).exceeded).toBe(false);
    expect(quota(chat, loadOf({ connections: 3_600_001 }), /^New connections/).exceeded).toBe(true);
    expect(quota(chat, loadOf({ connections: 3_600_001 }), /^New connections/).code).toBe("L-9ED1E49A");
  });
  // The chat's account requests: each message frame is a frame and an @connections call.
  pair(
    /^Request rate \(account/,
    () => [{ ...chat, stageLimit: { ...chat.stageLimit, rateLimit: 1e9 } }, loadOf({ messagesPerSecond: 5_000 })],
    () => [{ ...chat, stageLimit: { ...chat.stageLimit, rateLimit: 1e9 } }, loadOf({ messagesPerSecond: 5_001 })],
  );
  test("the account rate is 2,500/s in the regions AWS lists", () => {
    const low = { ...moduleOf(), region: "ap-southeast-4" };
    expect(quota(low, loadOf({ messagesPerSecond: 1_250 }), /^Request rate/).exceeded).toBe(false);
    expect(quota(low, loadOf({ messagesPerSecond: 1_251 }), /^Request rate/).exceeded).toBe(true);
    expect(quota(low, loadOf({}), /^Request rate/).code).toMatch(/^L-8A5B8E43/);
  });
  pair(
    /^Stage throttle per route/,
    () => [chat, loadOf({ messagesPerSecond: 500 })],
    () => [chat, loadOf({ messagesPerSecond: 501 })],
  );
  pair(
    /^Route message throttle/,
    () => [variant, loadOf({ messagesPerSecond: 10 })],
    () => [variant, loadOf({ messagesPerSecond: 11 })],
  );
  test("a module's route limits come from custom_routes in the user's values", () => {
    const profile = moduleOf({ custom_routes: { move: { throttling_rate_limit: 5 } }, throttling_rate_limit: 100 });
    expect(profile.routeLimits.get("move")).toEqual(expect.objectContaining({ rateLimit: 5, burstLimit: 5000 }));
    expect(quota(profile, loadOf({ messagesPerSecond: 100 }), /^Stage throttle/).exceeded).toBe(false);
    expect(quota(profile, loadOf({ messagesPerSecond: 101 }), /^Stage throttle/).exceeded).toBe(true);
  });
  pair(
    /^Frame size/,
    () => [moduleOf(), loadOf({ messageBytes: 32 * 1024 })],
    () => [moduleOf(), loadOf({ messageBytes: 32 * 1024 + 1 })],
  );
  pair(
    /^Message size/,
    () => [moduleOf(), loadOf({ messageBytes: 128 * 1024 })],
    () => [moduleOf(), loadOf({ messageBytes: 128 * 1024 + 1 })],
  );
  test("the chat's online list exceeds the message size above 2,184 users", () => {
    expect(quota(chat, loadOf({ connections: 2_184 }), /^Message size/).exceeded).toBe(false);
    const over = quota(chat, loadOf({ connections: 2_185 }), /^Message size/);
    expect([over.exceeded, over.load]).toEqual([true, expect.stringContaining("online list of 2,185 users")]);
  });
  pair(
    /^Connection duration/,
    () => [chat, loadOf({ connections: 1, hoursPerDay: 2 })],
    () => [chat, loadOf({ connections: 1, hoursPerDay: 2.5 })],
  );
  pair(
    /^Idle connection timeout/,
    () => [chat, loadOf({ connections: 600, messagesPerSecond: 1 })],
    () => [chat, loadOf({ connections: 601, messagesPerSecond: 1 })],
  );
  // No connections: a Scan reads one unit (consistent) and a GetItem half, 1.5 units per message.
  pair(
    /^Connections table reads/,
    () => [chat, loadOf({ messagesPerSecond: 26_666 })],
    () => [chat, loadOf({ messagesPerSecond: 26_667 })],
  );
  // Three writes per connection: connect, username, disconnect.
  pair(
    /^Connections table writes/,
    () => [chat, loadOf({ connectRate: 13_333 })],
    () => [chat, loadOf({ connectRate: 13_334 })],
  );
  pair(
    /^Routes per API/,
    () => [{ ...moduleOf(), routeCount: 300 }, loadOf({})],
    () => [{ ...moduleOf(), routeCount: 301 }, loadOf({})],
  );
});

describe("backend tasks", () => {
  test("counts tasks at the scaling target CPU against the maximum", () => {
    const load = loadOf({ messagesPerSecond: 60, perTaskRps: 10 });
    const plan = backendPlan(load, chat, traffic(load, chat))!;
    // 60 messages/s at 60 % of 10 requests/s a task: 10 tasks, above the default maximum of 6.
    expect([plan.tasksNeeded, plan.tasksRunning, plan.exceedsMax]).toEqual([10, 6, true]);
    const fits = loadOf({ messagesPerSecond: 30, perTaskRps: 10 });
    expect(backendPlan(fits, chat, traffic(fits, chat))!.exceedsMax).toBe(false);
  });

  test("takes the bench figure per vCPU by default, and gives no count for a module without --per-task-rps", () => {
    const load = loadOf({ messagesPerSecond: 1 });
    expect(backendPlan(load, chat, traffic(load, chat))!.perTaskRps).toBeCloseTo((7246 / 2) * 0.25);
    expect(backendPlan(load, moduleOf(), traffic(load, moduleOf()))).toBeUndefined();
    const given = loadOf({ messagesPerSecond: 100, perTaskRps: 50 });
    expect(backendPlan(given, moduleOf(), traffic(given, moduleOf()))!.tasksNeeded).toBe(2);
  });
});

describe("the command line", () => {
  test("prints the limits to raise, the tasks and the month for the issue's load", () => {
    const out = formatPlan(capacityPlan(["websocket-nlb", "--connections", "50000", "--messages-per-second", "2000"], PROJECT_DIR));
    expect(out).toMatch(/^websocket-nlb: 50,000 connections, 2,000 frames\/s of 200 bytes, 6\.94 connects\/s, 24 h a day$/m);
    expect(out).toMatch(/EXCEEDS Connection duration/);
    expect(out).toMatch(/ok +Request rate \(account, region\).*\[L-8A5B8E43/);
    expect(out).toMatch(/give --per-task-rps/);
    expect(out).toMatch(/^ {2}Total +\$[\d,]+\.\d\d$/m);
  });

  test("reads a module's values from a terraform.tfvars.json", () => {
    const dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".tmp", "capacity-"));
    try {
      fs.writeFileSync(
        path.join(dir, "terraform.tfvars.json"),
        JSON.stringify({ throttling_rate_limit: 50, api_gateway_account_role: "existing", logging_level: "INFO" }),
      );
      const plan = capacityPlan(["websocket-alb", "--connections", "10", "--messages-per-second", "60", "--config", "terraform.tfvars.json"], dir);
      expect(plan.quotas.find((q) => /^Stage throttle/.test(q.name))!.exceeded).toBe(true);
      expect(plan.costs.map((c) => c.item)).toContain("CloudWatch Logs ingestion (access logs, INFO execution logs)");
      fs.writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ throttling_rate: 50 }));
      expect(() => capacityPlan(["websocket-alb", "--connections", "1", "--messages-per-second", "1", "--config", "bad.json"], dir)).toThrow(
        /bad\.json must set only variables of the websocket-alb module, got "throttling_rate"/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [["chat"], /--connections must be given/],
    [["chat", "--connections", "-1", "--messages-per-second", "1"], /--connections must be a whole number of clients connected at once, 0 or more, got "-1"/],
    [
      ["chat", "--connections", "1", "--messages-per-second", "1", "--hours-per-day", "25"],
      /--hours-per-day must be the hours a day the load lasts, more than 0 and at most 24, got "25"/,
    ],
    [["chat", "--connections", "1", "--messages-per-second", "1", "--callbacks-per-message", "2"], /--callbacks-per-message is for a module's backend/],
    [["nope", "--connections", "1"], /give one stack, chat, websocket-nlb, websocket-alb, got "nope"/],
    [["websocket-nlb", "--connections", "1", "--messages-per-second", "1", "--config", "x.tfvars"], /--config must be JSON for a module/],
    [["websocket-nlb", "--bogus", "1"], /unknown flag "--bogus"/],
  ])("fails when the command line is wrong: %j", (argv, message) => {
    expect(() => capacityPlan(argv, PROJECT_DIR)).toThrow(UsageError);
    expect(() => capacityPlan(argv, PROJECT_DIR)).toThrow(message);
  });
});
