import { BackendPlan } from "./backend";
import { Load } from "./load";
import { FIRST_TIER_MESSAGES, HOURS_PER_MONTH, NLCU, Price, PRICES } from "./prices";
import { StackProfile } from "./profile";
import { Traffic } from "./traffic";

/** One line of the monthly cost. */
export interface CostLine {
  readonly item: string;
  /** The quantity a month, in the price's unit, as shown. */
  readonly quantity: string;
  readonly price: Price;
  readonly usd: number;
}

const GIB = 1024 ** 3;
const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const millions = (n: number) => `${fmt(n / 1e6, 3)} M`;

/** API Gateway's WebSocket charge for a month: messages (in 32 KB units, tiered) and connection minutes. */
export function apiGatewayCharges(messages: number, connectionMinutes: number): { messages: number; connectionMinutes: number } {
  const first = Math.min(messages, FIRST_TIER_MESSAGES);
  const over = Math.max(0, messages - FIRST_TIER_MESSAGES);
  return {
    messages: (first / 1e6) * PRICES.messagesFirstBillion.usd + (over / 1e6) * PRICES.messagesOverBillion.usd,
    connectionMinutes: (connectionMinutes / 1e6) * PRICES.connectionMinutes.usd,
  };
}

/** The month's cost, line by line; lines that cost nothing at any load of this stack are left out. */
export function costLines(load: Load, profile: StackProfile, t: Traffic, backend: BackendPlan | undefined): CostLine[] {
  const seconds = t.loadedHours * 3600;
  const inv = profile.inventory;
  const lines: CostLine[] = [];
  const add = (item: string, quantity: string, price: Price, usd: number) => lines.push({ item, quantity, price, usd });

  // API Gateway: connection minutes; messages received, sent on routes and through @connections (one price, tiered on their sum).
  const connectionMinutes = load.connections * 60 * t.loadedHours;
  const received = t.metered.received * seconds;
  const responses = t.metered.responses * seconds;
  const callbacks = t.metered.callbacks * seconds;
  const charges = apiGatewayCharges(received + responses + callbacks, connectionMinutes);
  const perMessage = received + responses + callbacks > 0 ? charges.messages / (received + responses + callbacks) : 0;
  add("API Gateway connection minutes", millions(connectionMinutes), PRICES.connectionMinutes, charges.connectionMinutes);
  add("API Gateway messages received (frames, 32 KB units)", millions(received), PRICES.messagesFirstBillion, received * perMessage);
  if (profile.stack === "chat")
    add("API Gateway messages sent on routes (route responses)", millions(responses), PRICES.messagesFirstBillion, responses * perMessage);
  add("API Gateway messages sent through @connections", millions(callbacks), PRICES.messagesFirstBillion, callbacks * perMessage);

  // The private path: NLB hours and capacity units (the largest of new flows, processed bytes, active flows per hour).
  add("NLB hours", `${fmt(inv.nlbs * HOURS_PER_MONTH, 0)} h`, PRICES.nlbHour, inv.nlbs * HOURS_PER_MONTH * PRICES.nlbHour.usd);
  const nlcu = Math.max(t.backendRequests / NLCU.newFlowsPerSecond, (t.nlbBytes * 3600) / GIB / NLCU.gbPerHour);
  add(
    "NLB capacity units (one new flow per backend call)",
    `${fmt(nlcu * t.loadedHours, 1)} NLCU-h`,
    PRICES.nlcuHour,
    nlcu * t.loadedHours * PRICES.nlcuHour.usd,
  );

  if (!profile.natIsUsers) {
    add(
      "NAT gateway hours",
      `${fmt(inv.natGateways * HOURS_PER_MONTH, 0)} h`,
      PRICES.natGatewayHour,
      inv.natGateways * HOURS_PER_MONTH * PRICES.natGatewayHour.usd,
    );
    add(
      "NAT gateway public IPv4 addresses",
      `${fmt(inv.publicIpv4 * HOURS_PER_MONTH, 0)} h`,
      PRICES.publicIpv4Hour,
      inv.publicIpv4 * HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd,
    );
    const natGb = (t.natBytes * seconds) / GIB;
    add("NAT gateway data (@connections calls)", `${fmt(natGb, 2)} GB`, PRICES.natGatewayGb, natGb * PRICES.natGatewayGb.usd);
  }
  if (inv.interfaceEndpointZones) {
    const hours = inv.interfaceEndpointZones * HOURS_PER_MONTH;
    add("Interface endpoints (per zone)", `${fmt(hours, 0)} h`, PRICES.interfaceEndpointHour, hours * PRICES.interfaceEndpointHour.usd);
  }

  if (profile.backend && backend) {
    const b = profile.backend;
    const taskHours = backend.tasksRunning * t.loadedHours + (backend.minTasks ?? 0) * (HOURS_PER_MONTH - t.loadedHours);
    const [vcpu, gb] = b.arm ? [PRICES.fargateArmVcpuHour, PRICES.fargateArmGbHour] : [PRICES.fargateVcpuHour, PRICES.fargateGbHour];
    add(`Fargate vCPU (tasks of ${fmt(b.vcpu, 2)} vCPU)`, `${fmt(taskHours * b.vcpu, 1)} vCPU-h`, vcpu, taskHours * b.vcpu * vcpu.usd);
    add(
      `Fargate memory (tasks of ${fmt(b.memoryGb, 2)} GB; the tracing sidecar shares the task)`,
      `${fmt(taskHours * b.memoryGb, 1)} GB-h`,
      gb,
      taskHours * b.memoryGb * gb.usd,
    );
  }
  if (profile.stack === "chat") {
    add(
      "DynamoDB reads (on demand; the backend's Scans and GetItems)",
      millions(t.readUnits * seconds),
      PRICES.dynamodbReads,
      ((t.readUnits * seconds) / 1e6) * PRICES.dynamodbReads.usd,
    );
    add(
      "DynamoDB writes (on demand; connect, username, disconnect)",
      millions(t.writeUnits * seconds),
      PRICES.dynamodbWrites,
      ((t.writeUnits * seconds) / 1e6) * PRICES.dynamodbWrites.usd,
    );
  }
  if (profile.logs.access || profile.logs.executionLevel !== "OFF") {
    const gb = (t.logBytes * seconds) / GIB;
    add(
      `CloudWatch Logs ingestion (access logs${profile.logs.executionLevel === "INFO" ? ", INFO execution logs" : ""}${profile.logs.dataTrace ? ", message bodies" : ""})`,
      `${fmt(gb, 2)} GB`,
      PRICES.logsIngestedGb,
      gb * PRICES.logsIngestedGb.usd,
    );
  }
  if (inv.dashboards) add("CloudWatch dashboard", `${inv.dashboards}`, PRICES.dashboardMonth, inv.dashboards * PRICES.dashboardMonth.usd);
  if (inv.alarms) add("CloudWatch alarms", `${inv.alarms}`, PRICES.alarmMonth, inv.alarms * PRICES.alarmMonth.usd);
  if (inv.kmsKeys) add("KMS keys", `${inv.kmsKeys}`, PRICES.kmsKeyMonth, inv.kmsKeys * PRICES.kmsKeyMonth.usd);
  if (inv.secrets) add("Secrets Manager secrets", `${inv.secrets}`, PRICES.secretMonth, inv.secrets * PRICES.secretMonth.usd);
  return lines;
}

/** A dollar amount rounded to the cent (half up, free of binary fractions). */
export function cents(usd: number): number {
  return Math.round(usd * 100 + 1e-9) / 100;
}

/** The month's total, the sum of the lines rounded to the cent. */
export function totalOf(lines: readonly CostLine[]): number {
  return cents(lines.reduce((sum, l) => sum + cents(l.usd), 0));
}
