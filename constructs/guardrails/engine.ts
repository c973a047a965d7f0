import { TerraformStack } from "cdktf";
import { buildModel, Suppression } from "./model";
import { RULES } from "./registry";
import { GuardrailsOptions, GuardrailsReport, RuleContext, StackModel, SuppressionReport, TfBlock, Violation } from "./types";
import { show } from "./values";

/**
 * One set of blocks the rules read together: a stack, or one module instance
 * of a plan (rules link resources by their addresses inside it, as in a stack).
 */
export interface EvaluationUnit {
  readonly model: StackModel;
  /** Suppressions in force per block, nearest scope first. */
  readonly suppressionsOf: ReadonlyMap<TfBlock, readonly Suppression[]>;
  /** What the unit is, for messages: `stack chat`, `module.ws`, `the root module`. */
  readonly label: string;
}

/** What {@link evaluateUnits} runs over. */
export interface EvaluationInput {
  readonly units: readonly EvaluationUnit[];
  /** Every suppression made, in order (each reported once, with what it silenced in any unit). */
  readonly suppressions: readonly Suppression[];
  /** The last sentence of a violation's message: how a user of this input accepts it. */
  readonly howToAccept: (ruleId: string, block: TfBlock) => string;
}

/** The sentence stacks end a violation with. */
const SUPPRESS_IN_CODE = (ruleId: string) =>
  `To accept it, call Guardrails.suppress(<construct>, "${ruleId}", "<reason>") on the resource or a scope above it.`;

/**
 * Runs the rule pack over one stack: one resolution of the stack's blocks,
 * then every rule over the blocks it reads. Suppressed violations go to the
 * suppression that silenced them.
 */
export function evaluate(stack: TerraformStack, options: GuardrailsOptions = {}): GuardrailsReport {
  const started = process.hrtime.bigint();
  const { model, suppressionsOf, suppressions } = buildModel(stack);
  return evaluateUnits(
    { units: [{ model, suppressionsOf, label: `stack ${stack.node.path}` }], suppressions, howToAccept: SUPPRESS_IN_CODE },
    options,
    started,
  );
}

/**
 * Runs the rule pack over units of blocks (a stack, or the module instances
 * of a plan), each rule over each unit, with one report for all of them.
 */
export function evaluateUnits(input: EvaluationInput, options: GuardrailsOptions = {}, started = process.hrtime.bigint()): GuardrailsReport {
  const rules = options.rules ?? RULES;
  const violations: Violation[] = [];
  const silenced = new Map<Suppression, Violation[]>(input.suppressions.map((s) => [s, []]));
  for (const unit of input.units) {
    const suppressionOf = (block: TfBlock, ruleId: string): Suppression | undefined => unit.suppressionsOf.get(block)?.find((s) => s.ruleId === ruleId);
    const context: RuleContext = { model: unit.model, options, isSuppressed: (block, ruleId) => suppressionOf(block, ruleId) !== undefined };
    for (const rule of rules) {
      const severity = rule.severity(options);
      if (severity === undefined) continue;
      let findings;
      try {
        findings = rule.check(context);
      } catch (e) {
        throw new Error(`guardrails rule ${rule.id} failed on ${unit.label}: ${(e as Error).message}`);
      }
      for (const f of findings) {
        const fix = f.fix ?? rule.fix;
        const checkov = rule.checkov.length ? ` (Checkov ${rule.checkov.join(", ")})` : "";
        const message =
          `${rule.id} ${severity} at ${f.block.path} [${f.block.address}]: ${f.setting} must be ${f.rule}, got ${show(f.actual)}: ${fix}.${checkov}` +
          ` ${input.howToAccept(rule.id, f.block)}`;
        const violation: Violation = {
          ruleId: rule.id,
          checkov: rule.checkov,
          severity,
          path: f.block.path,
          address: f.block.address,
          setting: f.setting,
          fix,
          message,
          construct: f.block.construct,
        };
        const suppression = suppressionOf(f.block, rule.id);
        if (suppression) silenced.get(suppression)?.push(violation);
        else violations.push(violation);
      }
    }
  }

  const known = new Set(rules.map((r) => r.id));
  const suppressionReports: SuppressionReport[] = input.suppressions.map((s) => {
    const list = silenced.get(s) ?? [];
    const what = !known.has(s.ruleId)
      ? `no rule ${s.ruleId} runs in this pack: check the id`
      : list.length
        ? `silences ${[...new Set(list.map((v) => (v.construct ? v.address : v.path)))].join(", ")}`
        : "nothing to silence here: remove the suppression if it is stale";
    return {
      ruleId: s.ruleId,
      reason: s.reason,
      path: s.path,
      construct: s.construct,
      silenced: list,
      message: `${s.ruleId} suppressed at ${s.path}: ${JSON.stringify(s.reason)} (${what})`,
    };
  });

  return {
    violations,
    suppressions: suppressionReports,
    errors: violations.filter((v) => v.severity === "error"),
    warnings: violations.filter((v) => v.severity === "warning"),
    elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}
