import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TerraformJson } from "../../../constructs/terraform-json";
import { Settings } from "../../../stacks/settings";
import { synthesize } from "../../../stacks/synth";
import { UsageError } from "../cli-args";

/** A throttle the stack sets, and the setting or variable that sets it. */
export interface Limit {
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Where the user changes it, e.g. `chat.api.throttle.rateLimit` or `variable throttling_rate_limit`. */
  readonly setting: string;
}

/** What `npm run capacity` needs to know of a stack, from its own settings and synthesized configuration. */
export interface StackProfile {
  readonly stack: "chat" | "websocket-nlb" | "websocket-alb";
  readonly region: string;
  /** The stage's default route limits (they apply to each route without limits of its own). */
  readonly stageLimit: Limit;
  /** Routes with limits of their own, by route key. */
  readonly routeLimits: ReadonlyMap<string, Limit>;
  /** Routes of the API ($connect, $disconnect, $default and the others). */
  readonly routeCount: number;
  readonly logs: {
    /** The stage writes access logs. */
    readonly access: boolean;
    /** Bytes of one access log event (its format with representative values, plus CloudWatch's 26 bytes per event). */
    readonly accessEventBytes: number;
    readonly executionLevel: string;
    readonly dataTrace: boolean;
  };
  /** The chat's backend service; the modules' is the user's own. */
  readonly backend?: {
    readonly vcpu: number;
    readonly memoryGb: number;
    readonly arm: boolean;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly targetCpuPercent?: number;
  };
  /** Resources with a monthly price, counted in the synthesized configuration. */
  readonly inventory: {
    readonly nlbs: number;
    readonly natGateways: number;
    readonly publicIpv4: number;
    /** Interface endpoints times the zones (subnets) of each. */
    readonly interfaceEndpointZones: number;
    readonly alarms: number;
    readonly dashboards: number;
    readonly kmsKeys: number;
    readonly secrets: number;
  };
  /** The backend does not go out through a NAT gateway of this stack (modules; chat in an existing VPC). */
  readonly natIsUsers: boolean;
  readonly notes: readonly string[];
}

/** A `$context` variable's value in an access log event, on average (request ids are 36 characters, most others fewer). */
const CONTEXT_VALUE_BYTES = 16;
/** CloudWatch Logs counts 26 bytes per event beside its message (PutLogEvents' batch size rule). */
const EVENT_OVERHEAD_BYTES = 26;

/** Bytes of one access log event written with `format`. */
export function accessEventBytes(format: string): number {
  const rendered = format.replace(/\$context\.[A-Za-z0-9_.]+/g, "x".repeat(CONTEXT_VALUE_BYTES));
  return Buffer.byteLength(rendered) + EVENT_OVERHEAD_BYTES;
}

/** The chat stack's profile: its settings, and its configuration synthesized with them (in a scratch folder, removed). */
export function chatProfile(settings: Settings): StackProfile {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "wsgw-capacity-"));
  let json: TerraformJson;
  try {
    synthesize(settings, scratch);
    json = JSON.parse(fs.readFileSync(path.join(scratch, "stacks", "chat", "cdk.tf.json"), "utf8"));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const api = settings.chat.api;
  const stageLimit: Limit = { rateLimit: api.throttle.rateLimit, burstLimit: api.throttle.burstLimit, setting: "chat.api.throttle" };
  const routeLimits = new Map<string, Limit>(
    Object.entries(api.routeThrottle).map(([key, t]) => [
      key,
      { rateLimit: t.rateLimit ?? api.throttle.rateLimit, burstLimit: t.burstLimit ?? api.throttle.burstLimit, setting: `chat.api.routeThrottle.${key}` },
    ]),
  );
  const b = settings.chat.backend;
  const scaling = b.autoScaling.enabled;
  const existingVpc = settings.chat.network.vpcId !== null;
  return {
    stack: "chat",
    region: settings.region,
    stageLimit,
    routeLimits,
    routeCount: Object.keys(resources(json, "aws_apigatewayv2_route")).length,
    logs: stageLogs(json),
    backend: {
      vcpu: b.cpu / 1024,
      memoryGb: b.memory / 1024,
      arm: b.architecture === "ARM64",
      minTasks: scaling ? b.autoScaling.minCapacity : b.desiredCount,
      maxTasks: scaling ? b.autoScaling.maxCapacity : b.desiredCount,
      targetCpuPercent: scaling ? b.autoScaling.targetCpuPercent : undefined,
    },
    inventory: inventory(json),
    natIsUsers: existingVpc,
    notes: existingVpc ? ["chat.network.vpcId: the tasks go out through your VPC's own NAT gateways and endpoints, which this plan does not price"] : [],
  };
}

/**
 * A module's profile: its committed variables (modules/<name>/variables.tf.json)
 * with the user's values over their defaults (a terraform.tfvars.json file,
 * or JSON of the same shape), and its committed configuration.
 */
export function moduleProfile(stack: "websocket-nlb" | "websocket-alb", moduleDir: string, userValues: Record<string, unknown>, origin: string): StackProfile {
  const variables = readJson(path.join(moduleDir, "variables.tf.json")).variable as Record<string, TerraformJson>;
  const main = readJson(path.join(moduleDir, "main.tf.json"));
  const unknown = Object.keys(userValues).filter((k) => !(k in variables));
  if (unknown.length) {
    throw new UsageError(
      `${origin} must set only variables of the ${stack} module, got ${unknown.map((k) => JSON.stringify(k)).join(", ")}: its variables are in modules/${stack}/README.md (Inputs)`,
    );
  }
  const value = (name: string) => (name in userValues ? userValues[name] : variables[name]?.default);
  const num = (name: string) => {
    const v = value(name);
    if (typeof v !== "number" || !(v > 0)) throw new UsageError(`${origin} ${name} must be a number greater than 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const stageLimit: Limit = {
    rateLimit: num("throttling_rate_limit"),
    burstLimit: num("throttling_burst_limit"),
    setting: "variables throttling_rate_limit / throttling_burst_limit",
  };
  const custom = (value("custom_routes") ?? {}) as Record<string, { throttling_rate_limit?: number | null; throttling_burst_limit?: number | null }>;
  const routeLimits = new Map<string, Limit>();
  for (const [key, r] of Object.entries(custom)) {
    if (r?.throttling_rate_limit == null && r?.throttling_burst_limit == null) continue;
    routeLimits.set(key, {
      rateLimit: r.throttling_rate_limit ?? stageLimit.rateLimit,
      burstLimit: r.throttling_burst_limit ?? stageLimit.burstLimit,
      setting: `variable custom_routes["${key}"].throttling_rate_limit / throttling_burst_limit`,
    });
  }
  const loggingOn = value("api_gateway_account_role") !== "none";
  const stage = Object.values(resources(main, "aws_apigatewayv2_stage"))[0] ?? {};
  const format = stage.dynamic?.access_log_settings?.content?.format ?? stage.access_log_settings?.format;
  const dashboards = Object.values(resources(main, "aws_cloudwatch_dashboard")).reduce((n, d) => n + countOf(d.count, value), 0);
  return {
    stack,
    region: "us-east-1",
    stageLimit,
    routeLimits,
    routeCount: 3 + Object.keys(custom).length,
    logs: {
      access: loggingOn,
      accessEventBytes: typeof format === "string" ? accessEventBytes(format) : 0,
      executionLevel: loggingOn ? String(value("logging_level") ?? "ERROR") : "OFF",
      dataTrace: loggingOn && value("data_trace_enabled") === true,
    },
    inventory: { ...inventory(main), dashboards },
    natIsUsers: true,
    notes: [
      "a module prices the API and its NLB: your backend service, its NAT gateway and its logs are yours (give --per-task-rps for a task count)",
      ...(loggingOn ? [] : ['api_gateway_account_role "none": the stage writes no logs (none priced)']),
    ],
  };
}

/** Resources of a type in a synthesized configuration, by name. */
function resources(json: TerraformJson, type: string): Record<string, TerraformJson> {
  return (json.resource?.[type] ?? {}) as Record<string, TerraformJson>;
}

/** The resources of a stack that have a monthly price, counted. */
function inventory(json: TerraformJson): StackProfile["inventory"] {
  const count = (type: string, keep: (r: TerraformJson) => boolean = () => true) => Object.values(resources(json, type)).filter(keep).length;
  const interfaceEndpointZones = Object.values(resources(json, "aws_vpc_endpoint"))
    .filter((e) => e.vpc_endpoint_type === "Interface")
    .reduce((n, e) => n + (Array.isArray(e.subnet_ids) ? e.subnet_ids.length : 1), 0);
  return {
    nlbs: count("aws_lb", (lb) => lb.load_balancer_type === "network"),
    natGateways: count("aws_nat_gateway"),
    publicIpv4: count("aws_eip"),
    interfaceEndpointZones,
    alarms: count("aws_cloudwatch_metric_alarm"),
    dashboards: count("aws_cloudwatch_dashboard"),
    kmsKeys: count("aws_kms_key"),
    secrets: count("aws_secretsmanager_secret"),
  };
}

/** The chat stage's logging, as synthesized. */
function stageLogs(json: TerraformJson): StackProfile["logs"] {
  const stage = Object.values(resources(json, "aws_apigatewayv2_stage"))[0] ?? {};
  const access = Array.isArray(stage.access_log_settings) ? stage.access_log_settings[0] : stage.access_log_settings;
  const defaults = Array.isArray(stage.default_route_settings) ? stage.default_route_settings[0] : (stage.default_route_settings ?? {});
  return {
    access: !!access,
    accessEventBytes: typeof access?.format === "string" ? accessEventBytes(access.format) : 0,
    executionLevel: typeof defaults.logging_level === "string" ? defaults.logging_level : "OFF",
    dataTrace: defaults.data_trace_enabled === true,
  };
}

/** How many instances a `count` makes: a number, `${var.x ? 1 : 0}` or `${var.x}` with the module's values; 1 otherwise. */
function countOf(count: unknown, value: (name: string) => unknown): number {
  if (count === undefined) return 1;
  if (typeof count === "number") return count;
  const m = typeof count === "string" ? /^\$\{var\.([A-Za-z0-9_]+)(?: \? (\d+) : (\d+))?\}$/.exec(count) : null;
  if (!m) return 1;
  const v = value(m[1]);
  if (m[2] !== undefined) return v ? Number(m[2]) : Number(m[3]);
  return typeof v === "number" ? v : 1;
}

function readJson(file: string): TerraformJson {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}
