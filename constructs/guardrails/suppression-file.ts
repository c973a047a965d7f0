import { AddressSegment, addressInScope, parseAddress } from "./address";
import { Suppression } from "./model";
import { RULES } from "./registry";
import { TfBlock } from "./types";
import { show } from "./values";

/**
 * The suppression file of `npm run guardrails` (docs/guardrails.md,
 * "Guardrails for plain Terraform"): what `Guardrails.suppress` is to a
 * stack, for a plan or a folder of Terraform JSON. Each entry names a rule,
 * a Terraform address (a resource, with or without its instance key, or a
 * module, which covers everything in it) and the reason:
 *
 * ```json
 * { "suppressions": [
 *   { "rule": "WSG-LB-001", "address": "module.edge.aws_lb.public", "reason": "the demo's public NLB" }
 * ] }
 * ```
 */
export interface FileSuppression extends Suppression {
  /** The address the entry names, split. */
  readonly scope: readonly AddressSegment[];
}

const KEYS = ["rule", "address", "reason"];

/**
 * Reads a parsed suppression file. Throws one error listing every problem
 * (house format: what, the value received, how to fix), with `origin` (the
 * file's name) in each.
 */
export function readSuppressionFile(json: unknown, origin: string): FileSuppression[] {
  const list = json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>).suppressions : undefined;
  if (!Array.isArray(list)) {
    throw new Error(
      `${origin} must be a JSON object with a "suppressions" list, got ${describe(json)}: write {"suppressions": [{"rule": "WSG-LB-001", "address": "<terraform address>", "reason": "<why>"}]}`,
    );
  }
  const problems: string[] = [];
  const out: FileSuppression[] = [];
  list.forEach((entry, i) => {
    const where = `${origin} suppressions[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      problems.push(`${where} must be an object with rule, address and reason, got ${describe(entry)}: write {"rule": ..., "address": ..., "reason": ...}`);
      return;
    }
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !KEYS.includes(k));
    if (unknown.length)
      problems.push(`${where} must have only the keys ${KEYS.join(", ")}, got ${unknown.map((k) => show(k)).join(", ")}: remove or rename them`);
    const problem = ruleProblem(e.rule) ?? reasonProblem(e.reason);
    if (problem) problems.push(`${where}.${problem}`);
    const scope = typeof e.address === "string" ? parseAddress(e.address) : "it is not a string";
    if (typeof scope === "string") {
      problems.push(
        `${where}.address must be a Terraform address (a resource such as module.ws.aws_lb.x or aws_lb.x[0], or a module such as module.ws), got ${show(e.address)} (${scope}): copy it from the finding`,
      );
    }
    if (!problem && typeof scope !== "string") {
      out.push({ ruleId: e.rule as string, reason: (e.reason as string).trim(), path: e.address as string, scope });
    }
  });
  if (problems.length)
    throw new Error(`${origin} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return out;
}

function ruleProblem(rule: unknown): string | undefined {
  if (typeof rule !== "string" || !/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(rule))
    return `rule must be a rule id such as "WSG-LB-001", got ${show(rule)}: see docs/guardrails.md`;
  if (rule.startsWith("WSG-") && !RULES.some((r) => r.id === rule)) {
    return `rule must be one of ${RULES.map((r) => r.id).join(", ")}, got ${show(rule)}: check the id in docs/guardrails.md`;
  }
  return undefined;
}

function reasonProblem(reason: unknown): string | undefined {
  if (typeof reason === "string" && reason.trim() !== "") return undefined;
  return `reason must be a non-empty explanation, got ${show(reason)}: say why the rule does not apply there (it is printed at every run)`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  return value === null ? "null" : typeof value === "object" ? "an object without a suppressions list" : show(value);
}

/**
 * The suppressions in force on each block: every entry whose address names
 * the block's address (its `path`) or a module it is in, nearest first.
 */
export function suppressionsInForce(blocks: readonly TfBlock[], suppressions: readonly FileSuppression[]): Map<TfBlock, FileSuppression[]> {
  const out = new Map<TfBlock, FileSuppression[]>();
  for (const block of blocks) {
    const address = parseAddress(block.path);
    if (typeof address === "string") continue;
    const list = suppressions.filter((s) => addressInScope(address, s.scope)).sort((a, b) => b.scope.length - a.scope.length);
    if (list.length) out.set(block, list);
  }
  return out;
}
