import type { TerraformJson } from "../terraform-json";
import { modelOf } from "./model";
import { StackModel, TfBlock } from "./types";
import { isExpression } from "./values";

/**
 * A Terraform plan (`terraform show -json <planfile>`) as the rules read a
 * stack: one {@link PlanUnit} per module instance (the root, `module.ws`,
 * `module.ws["a"]`), whose blocks carry module-relative addresses
 * (`aws_lb.x`), so that the rules link resources inside it by reference as
 * they do in a synthesized stack. Each block's `path` is its full instance
 * address (`module.ws["a"].aws_lb.x[0]`), what findings and suppressions name.
 *
 * A block's configuration is its planned value (`resource_changes[].change.after`,
 * data sources read at plan time from `prior_state`) merged with the
 * configuration's expressions (`configuration.root_module`, module calls
 * followed), so that it reads like the synthesized JSON the rules were written for:
 *
 * - an argument written in the configuration as a literal, or from variables,
 *   locals, `each` or `count`, reads as its planned value (what Terraform
 *   will send: the module user's values, defaults resolved);
 * - an argument that references another resource, data source or module
 *   output, a value unknown until apply, or a sensitive value that came from
 *   a reference, reads as an expression (`"${aws_lb.x.arn}"`): the rules
 *   link resources through it, and judge it *cannot tell* otherwise;
 * - an argument the configuration does not write reads as unset (a
 *   provider's default is not what the user wrote), except nested blocks,
 *   which `dynamic` blocks expand only in the plan: their planned entries
 *   are read like static blocks;
 * - nulls and empty lists read as unset.
 */
export interface PlanUnit {
  /** `the root module`, or the module instance's address. */
  readonly label: string;
  readonly model: StackModel;
}

/** What {@link readPlan} returns. */
export interface PlanModel {
  readonly units: readonly PlanUnit[];
  /** Every block of every unit. */
  readonly blocks: readonly TfBlock[];
  /** The Terraform version that wrote the plan. */
  readonly terraformVersion?: string;
}

/** An expression of `configuration`: a literal, references, or nested blocks (a list of expression maps). */
type Expressions = Record<string, unknown>;

/** References that only resolve to values the plan knows (variables, locals, iteration): read the planned value. */
const VALUE_REFERENCE = /^(var|local|each|count|path|terraform|self)\./;

/** True for a parsed `terraform show -json` of a plan file. */
export function isPlan(json: unknown): json is TerraformJson {
  return (
    !!json && typeof json === "object" && typeof (json as TerraformJson).format_version === "string" && ("planned_values" in json || "resource_changes" in json)
  );
}

/**
 * Reads a plan. Throws when `plan` is not one (with what it looks like
 * instead: state, or Terraform JSON configuration).
 */
export function readPlan(plan: unknown): PlanModel {
  if (!isPlan(plan)) {
    const what =
      plan && typeof plan === "object" && "values" in plan
        ? "state (terraform show -json without a plan file)"
        : plan && typeof plan === "object" && ("resource" in plan || "module" in plan)
          ? "Terraform JSON configuration (give its folder instead)"
          : "something else";
    throw new Error(
      `the input must be a plan as \`terraform show -json <planfile>\` writes it (format_version, planned_values, resource_changes), got ${what}: run terraform plan -out plan.bin && terraform show -json plan.bin > plan.json`,
    );
  }
  const instances = planInstances(plan);
  const byModule = new Map<string, TfBlock[]>();
  const unitOf = (moduleAddress: string) => {
    let list = byModule.get(moduleAddress);
    if (!list) byModule.set(moduleAddress, (list = []));
    return list;
  };
  const root = plan.configuration?.root_module as TerraformJson | undefined;
  unitOf(""); // the root module's variables and providers are read even when it declares no resource
  for (const i of instances) {
    const moduleConfig = configOfModule(root, i.moduleAddress);
    const relative = `${i.mode === "data" ? "data." : ""}${i.type}.${i.name}`;
    const resourceConfig = (moduleConfig?.resources as TerraformJson[] | undefined)?.find((r) => r.address === relative);
    const config = mergeObject(i.after, i.unknown, i.sensitive, resourceConfig ? ((resourceConfig.expressions ?? {}) as Expressions) : undefined);
    unitOf(i.moduleAddress).push({ kind: i.mode === "data" ? "data" : "resource", type: i.type, name: i.name, address: relative, path: i.address, config });
  }
  // Variables and outputs of every module instance with blocks, as declared (the synth's view of a module).
  for (const [moduleAddress, blocks] of byModule) {
    const moduleConfig = configOfModule(root, moduleAddress);
    const prefix = moduleAddress ? `${moduleAddress}.` : "";
    for (const [name, v] of Object.entries((moduleConfig?.variables ?? {}) as Record<string, TerraformJson>)) {
      blocks.push({ kind: "variable", type: "variable", name, address: `var.${name}`, path: `${prefix}var.${name}`, config: clean(v) as TerraformJson });
    }
    for (const [name, o] of Object.entries((moduleConfig?.outputs ?? {}) as Record<string, TerraformJson>)) {
      const config = { value: expressionValue(undefined, false, false, o.expression), sensitive: o.sensitive };
      blocks.push({ kind: "output", type: "output", name, address: `output.${name}`, path: `${prefix}output.${name}`, config: clean(config) as TerraformJson });
    }
  }
  for (const [key, p] of Object.entries((plan.configuration?.provider_config ?? {}) as Record<string, TerraformJson>)) {
    const [moduleNames, providerKey] = key.includes(":") ? [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)] : ["", key];
    const config = mergeObject({}, {}, {}, (p.expressions ?? {}) as Expressions);
    for (const [moduleAddress, blocks] of byModule) {
      if (moduleNamesOf(moduleAddress).join(".") !== moduleNames.replace(/(^|\.)module\./g, "$1")) continue;
      const path = `${moduleAddress ? `${moduleAddress}.` : ""}provider.${providerKey}`;
      blocks.push({ kind: "provider", type: String(p.name ?? providerKey), name: providerKey, address: `provider.${providerKey}`, path, config });
    }
  }
  const units = [...byModule.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([moduleAddress, blocks]) => ({ label: moduleAddress || "the root module", model: modelOf(blocks) }));
  return {
    units,
    blocks: units.flatMap((u) => u.model.blocks),
    terraformVersion: typeof plan.terraform_version === "string" ? plan.terraform_version : undefined,
  };
}

/** One resource or data source instance of the plan, with its planned value. */
interface Instance {
  readonly address: string;
  readonly moduleAddress: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly after: unknown;
  readonly unknown: unknown;
  readonly sensitive: unknown;
}

/**
 * Every instance that exists after the apply: resource changes other than
 * deletions (no-ops included), then data sources read at plan time
 * (`prior_state`) and planned values without a change entry.
 */
function planInstances(plan: TerraformJson): Instance[] {
  const out: Instance[] = [];
  const seen = new Set<string>();
  for (const rc of (plan.resource_changes ?? []) as TerraformJson[]) {
    const actions: string[] = rc.change?.actions ?? [];
    if ((rc.mode !== "managed" && rc.mode !== "data") || !actions.some((a) => a !== "delete" && a !== "forget") || rc.change?.after === null) continue;
    seen.add(rc.address);
    const moduleAddress = rc.module_address ?? "";
    out.push({
      address: rc.address,
      moduleAddress,
      mode: rc.mode,
      type: rc.type,
      name: rc.name,
      after: rc.change.after,
      unknown: rc.change.after_unknown,
      sensitive: rc.change.after_sensitive,
    });
  }
  const walk = (m: TerraformJson | undefined, keep: (r: TerraformJson) => boolean) => {
    for (const r of (m?.resources ?? []) as TerraformJson[]) {
      if (seen.has(r.address) || !keep(r)) continue;
      seen.add(r.address);
      out.push({
        address: r.address,
        moduleAddress: m?.address ?? "",
        mode: r.mode,
        type: r.type,
        name: r.name,
        after: r.values,
        unknown: {},
        sensitive: r.sensitive_values,
      });
    }
    for (const c of (m?.child_modules ?? []) as TerraformJson[]) walk(c, keep);
  };
  walk(plan.prior_state?.values?.root_module, (r) => r.mode === "data");
  walk(plan.planned_values?.root_module, () => true);
  return out;
}

/** `module.a["x"].module.b[0]` → `["a", "b"]`. */
function moduleNamesOf(moduleAddress: string): string[] {
  return [...moduleAddress.matchAll(/(?:^|\.)module\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
}

/** The configuration of the module an instance address is in (module calls followed by name). */
function configOfModule(root: TerraformJson | undefined, moduleAddress: string): TerraformJson | undefined {
  let m = root;
  for (const name of moduleNamesOf(moduleAddress)) m = m?.module_calls?.[name]?.module;
  return m;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isExpressionObject = (e: unknown): e is { constant_value?: unknown; references?: string[] } =>
  isRecord(e) && Object.keys(e).every((k) => k === "constant_value" || k === "references");

/** A resource's (or nested block's) value merged with its expressions; `expressions` undefined: its configuration is not known (keep every value). */
function mergeObject(value: unknown, unknown: unknown, sensitive: unknown, expressions: Expressions | undefined): TerraformJson {
  const v = isRecord(value) ? value : {};
  const out: TerraformJson = {};
  const keys = new Set([...Object.keys(v), ...(expressions ? Object.keys(expressions) : [])]);
  for (const key of keys) {
    const merged = mergeValue(v[key], at(unknown, key), at(sensitive, key), expressions ? (expressions[key] ?? ABSENT) : undefined);
    if (merged !== undefined) out[key] = merged;
  }
  return out;
}

/** Marks an argument the known configuration does not write. */
const ABSENT = Symbol("absent");

function mergeValue(value: unknown, unknown: unknown, sensitive: unknown, expression: unknown): unknown {
  if (expression === ABSENT) {
    // Not written: a dynamic block's expansion (kept) or a provider default / computed value (unset).
    if (unknown === true || !Array.isArray(value) || !value.every(isRecord)) return undefined;
    return clean(value.map((entry, i) => mergeObject(entry, at(unknown, i), at(sensitive, i), undefined)));
  }
  if (isExpressionObject(expression)) return expressionValue(value, unknown, sensitive, expression);
  if (Array.isArray(expression) && expression.every(isRecord) && Array.isArray(value)) {
    // Nested blocks: entry by entry, while the configuration's entries line up with the plan's.
    const aligned = expression.length === value.length;
    return clean(value.map((entry, i) => mergeObject(entry, at(unknown, i), at(sensitive, i), aligned ? (expression[i] as Expressions) : undefined)));
  }
  if (unknown === true) return undefined;
  return clean(value);
}

/**
 * An argument written as an expression: its planned value, or the reference
 * text when it references another object, is unknown, or came sensitive
 * through a reference.
 */
function expressionValue(value: unknown, unknown: unknown, sensitive: unknown, expression: { constant_value?: unknown; references?: string[] }): unknown {
  const references = expression.references ?? [];
  const linking = references.some((r) => !VALUE_REFERENCE.test(r));
  if (!linking && unknown !== true && !(sensitive === true && references.length) && !containsTrue(unknown)) return clean(value);
  if (references.length === 0) return unknown === true ? undefined : clean(value);
  // JSON-syntax modules keep the expression's text; HCL ones give its references.
  const text =
    typeof expression.constant_value === "string" && isExpression(expression.constant_value) ? expression.constant_value : `\${${references.join(", ")}}`;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    // A list: entries known and not linked keep their values; the others read as the reference.
    const length = Math.max(Array.isArray(value) ? value.length : 0, Array.isArray(unknown) ? unknown.length : 0);
    if (!linking) return Array.from({ length }, (_, i) => (at(unknown, i) === true ? text : clean(at(value, i))));
    return Array.from({ length }, () => text);
  }
  return text;
}

/** True when a nested unknown marker has an unknown part. */
function containsTrue(unknown: unknown): boolean {
  if (unknown === true) return true;
  if (Array.isArray(unknown)) return unknown.some(containsTrue);
  if (isRecord(unknown)) return Object.values(unknown).some(containsTrue);
  return false;
}

/** The part of a marker (after_unknown, after_sensitive) for a key or index. */
function at(marker: unknown, key: string | number): unknown {
  if (marker === true) return true;
  if (Array.isArray(marker) && typeof key === "number") return marker[key];
  if (isRecord(marker) && typeof key === "string") return marker[key];
  return undefined;
}

/** A planned value without nulls and empty lists (read as unset). */
function clean(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const list = value.map(clean).filter((v) => v !== undefined);
    return list.length ? list : undefined;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return value;
}
