import { defineRule } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { decodeJsonDocument } from "./json-document";
import { asBool, asString, blocks, dynamicContents, show, UNKNOWN } from "./values";

/**
 * The container definitions of a task definition, each with its index and
 * name, or nothing when they cannot be read.
 *
 * `container_definitions` is a JSON string. cdktf writes `Fn.jsonencode(x)`
 * as the expression text `${jsonencode([{"name" = "backend", ...}])}`, with
 * references (`aws_x.y.name`) in place of values only Terraform knows; a
 * literal `JSON.stringify(...)` is plain JSON. Both are read with
 * `decodeJsonDocument`, which keeps literals and turns every reference,
 * function call or `for` expression into UNKNOWN, so a setting written as a
 * literal (`readonlyRootFilesystem = true`) is read exactly and anything
 * else is "cannot tell". Reading the synthesized text rather than the
 * construct's props works for every way of building the task definition
 * (FargateService, a raw EcsTaskDefinition, an escape hatch override).
 */
export function containerDefinitions(taskDefinition: TfBlock): readonly ContainerDefinition[] {
  let out = PARSED.get(taskDefinition);
  if (!out) PARSED.set(taskDefinition, (out = parseContainerDefinitions(taskDefinition)));
  return out;
}

/** One container definition of a task definition. */
export interface ContainerDefinition {
  readonly index: number;
  readonly name: string;
  readonly def: Record<string, unknown>;
}

/** Parsed once per block: three rules read them. */
const PARSED = new WeakMap<TfBlock, ContainerDefinition[]>();

function parseContainerDefinitions(taskDefinition: TfBlock): ContainerDefinition[] {
  const defs = decodeJsonDocument(taskDefinition.config.container_definitions);
  if (!Array.isArray(defs)) return [];
  const out: ContainerDefinition[] = [];
  defs.forEach((def, index) => {
    if (def && typeof def === "object" && !Array.isArray(def)) {
      const name = asString((def as Record<string, unknown>).name);
      out.push({ index, name: typeof name === "string" ? name : "?", def: def as Record<string, unknown> });
    }
  });
  return out;
}

const taskDefinitions = (ctx: RuleContext) => ctx.model.resources("aws_ecs_task_definition");
const services = (ctx: RuleContext) => ctx.model.resources("aws_ecs_service");

/** WSG-ECS-001: read-only root file system. */
export const readOnlyRootFilesystem = defineRule({
  id: "WSG-ECS-001",
  checkov: ["CKV_AWS_336"],
  description: "Every ECS container has a read-only root file system.",
  fix: 'set "readonlyRootFilesystem": true in the container definition (FargateService container.readonlyRootFilesystem) and mount a volume where the application writes; where the image cannot run read-only, suppress the rule on the task definition with the reason',
  severity: "error",
  details: "Every container definition of a task definition has `readonlyRootFilesystem: true`.",
  suppressOn: "the task definition, when the image cannot run read-only",
  check: (ctx, report) => {
    for (const td of taskDefinitions(ctx)) {
      for (const c of containerDefinitions(td)) {
        const ro = asBool(c.def.readonlyRootFilesystem);
        if (ro === UNKNOWN) continue;
        if (ro !== true) report(td, `container_definitions[${c.index}] (${c.name}).readonlyRootFilesystem`, "true", c.def.readonlyRootFilesystem);
      }
    }
  },
});

/** WSG-ECS-002: not privileged. */
export const notPrivileged = defineRule({
  id: "WSG-ECS-002",
  checkov: ["CKV_AWS_334"],
  description: "No ECS container runs privileged.",
  fix: 'remove "privileged": true from the container definition (Fargate does not allow it anyway); grant the specific Linux capabilities instead',
  severity: "error",
  details: "No container definition has `privileged: true`.",
  suppressOn: "the task definition",
  check: (ctx, report) => {
    for (const td of taskDefinitions(ctx)) {
      for (const c of containerDefinitions(td)) {
        if (asBool(c.def.privileged) === true) report(td, `container_definitions[${c.index}] (${c.name}).privileged`, "false or unset", true);
      }
    }
  },
});

/** WSG-ECS-003: execution role apart from task role. */
export const separateRoles = defineRule({
  id: "WSG-ECS-003",
  checkov: ["CKV_AWS_249"],
  description: "An ECS task definition's execution role (ECS agent) differs from its task role (application).",
  fix: "give the task a role of its own for what the application calls, apart from the execution role that pulls images and writes logs (FargateService makes both)",
  severity: "error",
  details: "`execution_role_arn` differs from `task_role_arn`.",
  suppressOn: "the task definition",
  check: (ctx, report) => {
    for (const td of taskDefinitions(ctx)) {
      const exec = td.config.execution_role_arn;
      const task = td.config.task_role_arn;
      if (typeof exec === "string" && typeof task === "string" && exec.trim() !== "" && exec.trim() === task.trim()) {
        report(td, "task_role_arn", `a different role than execution_role_arn (${show(exec)})`, task);
      }
    }
  },
});

/** WSG-ECS-004: no public IP. */
export const noPublicIp = defineRule({
  id: "WSG-ECS-004",
  checkov: ["CKV_AWS_333"],
  description: "ECS services do not assign public IP addresses to their tasks.",
  fix: "set network_configuration.assign_public_ip false and run the tasks in private subnets with a NAT gateway or VPC endpoints",
  severity: "error",
  details: "`aws_ecs_service.network_configuration.assign_public_ip` is not true.",
  suppressOn: "the service",
  check: (ctx, report) => {
    for (const service of services(ctx)) {
      const nc = blocks(service.config.network_configuration);
      if (nc === UNKNOWN) continue;
      for (const n of nc) {
        if (asBool(n.assign_public_ip) === true) report(service, "network_configuration.assign_public_ip", "false", n.assign_public_ip);
      }
    }
  },
});

/** WSG-ECS-005: Container Insights. */
export const containerInsights = defineRule({
  id: "WSG-ECS-005",
  checkov: ["CKV_AWS_65"],
  description:
    'ECS clusters have Container Insights on: every "containerInsights" setting of an aws_ecs_cluster is "enabled" or "enhanced" (a second, "disabled" entry, e.g. from an override, counts), and no aws_ecs_account_setting_default turns it off for the account.',
  fix: 'add setting { name = "containerInsights", value = "enabled" } (or "enhanced") to the cluster (FargateService.containerInsights), and remove any other containerInsights setting',
  severity: "error",
  details: "A second `disabled` entry (e.g. from `addOverride`) fails; a `dynamic` setting block is *cannot tell*.",
  suppressOn: "the cluster",
  check: (ctx, report) => {
    const ok = (v: unknown) => v === "enabled" || v === "enhanced";
    for (const cluster of ctx.model.resources("aws_ecs_cluster")) {
      // A dynamic "setting" block is known only to Terraform: cannot tell.
      const dynamic = dynamicContents(cluster.config, "setting");
      if (dynamic === UNKNOWN || dynamic.length) continue;
      const settings = blocks(cluster.config.setting);
      if (settings === UNKNOWN) continue;
      if (settings.some((s) => asString(s.name) === UNKNOWN)) continue;
      const insights = settings.map((s, i) => ({ s, i })).filter(({ s }) => s.name === "containerInsights");
      if (insights.length === 0) {
        report(cluster, 'setting "containerInsights"', '"enabled" or "enhanced"', undefined);
        continue;
      }
      for (const { s, i } of insights) {
        const value = asString(s.value);
        if (value === UNKNOWN || ok(value)) continue;
        report(cluster, insights.length > 1 ? `setting[${i}] "containerInsights"` : 'setting "containerInsights"', '"enabled" or "enhanced"', s.value);
      }
    }
    for (const account of ctx.model.resources("aws_ecs_account_setting_default")) {
      if (asString(account.config.name) !== "containerInsights") continue;
      const value = asString(account.config.value);
      if (value === UNKNOWN || ok(value)) continue;
      report(
        account,
        "value",
        '"enabled" or "enhanced" for containerInsights',
        account.config.value,
        'set the account default to "enabled" (or remove it) and turn Container Insights on per cluster',
      );
    }
  },
});

/** WSG-ECS-006: deployment circuit breaker. */
export const circuitBreaker = defineRule({
  id: "WSG-ECS-006",
  description: "ECS services (ECS deployment controller) have the deployment circuit breaker on, so a failing deployment stops and rolls back.",
  fix: "set deployment_circuit_breaker { enable = true, rollback = true } on the service",
  severity: "error",
  details: "`aws_ecs_service` with the ECS deployment controller has `deployment_circuit_breaker.enable = true`.",
  suppressOn: "the service",
  check: (ctx, report) => {
    for (const service of services(ctx)) {
      const controller = blocks(service.config.deployment_controller);
      if (controller === UNKNOWN) continue;
      const type = controller.length ? asString(controller[0].type) : "ECS";
      if (type === UNKNOWN || (type !== undefined && type !== "ECS")) continue;
      const breaker = blocks(service.config.deployment_circuit_breaker);
      if (breaker === UNKNOWN) continue;
      if (breaker.length === 0) {
        report(service, "deployment_circuit_breaker", "set with enable = true", undefined);
        continue;
      }
      const enable = asBool(breaker[0].enable);
      if (enable === UNKNOWN) continue;
      if (enable !== true) report(service, "deployment_circuit_breaker.enable", "true", breaker[0].enable);
    }
  },
});

export const ECS_RULES = [readOnlyRootFilesystem, notPrivileged, separateRoles, noPublicIp, containerInsights, circuitBreaker];
