import { BackendPlan } from "./backend";
import { CostLine, cents, totalOf } from "./costs";
import { Load } from "./load";
import { PRICES_CHECKED, PRICES_REGION } from "./prices";
import { StackProfile } from "./profile";
import { QuotaLine } from "./quotas";

/** Everything `npm run capacity` found for one stack and load. */
export interface CapacityPlan {
  readonly load: Load;
  readonly profile: StackProfile;
  readonly quotas: readonly QuotaLine[];
  readonly backend?: BackendPlan;
  readonly costs: readonly CostLine[];
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const usd = (n: number) => `$${cents(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The plan as the command prints it: quotas to raise first, then the backend, then the month line by line. */
export function formatPlan(plan: CapacityPlan): string {
  const { load, profile } = plan;
  const out: string[] = [];
  out.push(
    `${profile.stack}: ${fmt(load.connections, 0)} connections, ${fmt(load.messagesPerSecond)} frames/s of ${fmt(load.messageBytes, 0)} bytes, ` +
      `${fmt(load.connectRate, 2)} connects/s, ${fmt(load.hoursPerDay)} h a day`,
  );
  if (load.givenConnectRate !== undefined && load.givenConnectRate < load.connectRate) {
    out.push(`  (--connect-rate ${fmt(load.givenConnectRate, 2)} raised to ${fmt(load.connectRate, 2)}/s: every connection reconnects within 2 hours)`);
  }
  const exceeded = plan.quotas.filter((q) => q.exceeded);
  out.push("", exceeded.length ? `Limits this load exceeds (raise or change before launch): ${exceeded.length}` : "Limits: the load is within every one");
  for (const q of plan.quotas) {
    out.push(`  ${q.exceeded ? "EXCEEDS" : "ok     "} ${q.name}: ${q.load} against ${q.limit} [${q.code}]`);
    if (q.exceeded) out.push(`          ${q.action}`);
  }
  const b = plan.backend;
  out.push("", "Backend tasks");
  if (!b) out.push("  the module's backend is yours: give --per-task-rps (requests a second one task serves) for a task count");
  else {
    out.push(`  ${fmt(b.perTaskRps, 0)} requests/s per task (${b.perTaskSource})`);
    const range = b.maxTasks !== undefined ? ` (the stack scales from ${b.minTasks} to ${b.maxTasks})` : "";
    out.push(
      `  ${b.tasksNeeded} task${b.tasksNeeded === 1 ? "" : "s"} for the load${range}${b.exceedsMax ? `: ABOVE the maximum, raise chat.backend.autoScaling.maxCapacity to ${b.tasksNeeded}` : ""}`,
    );
  }
  out.push("", `Monthly cost (${PRICES_REGION} on-demand prices of ${PRICES_CHECKED}; scripts/lib/capacity/prices.ts names each page)`);
  const rows = plan.costs.map((l) => [l.item, l.quantity, `x $${l.price.usd} per ${l.price.per.replace(/ \(.*\)$/, "")}`, usd(l.usd)]);
  const total = ["Total", "", "", usd(totalOf(plan.costs))];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[...rows, total].map((r) => r[i].length)));
  for (const r of [...rows, total]) out.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])} ${r[2].padEnd(widths[2])}  ${r[3].padStart(widths[3])}`);
  if (profile.region !== PRICES_REGION)
    out.push(`  (the stack's region is ${profile.region}: its prices differ from ${PRICES_REGION}'s, mostly by a few percent)`);
  out.push(
    "  Not priced: Container Insights metrics, X-Ray traces, log storage, ECR, CodeBuild, Lambda and Amplify (see docs/chat.md, Costs), data transfer out, free tiers.",
  );
  for (const note of profile.notes) out.push(`  Note: ${note}`);
  return out.join("\n");
}
