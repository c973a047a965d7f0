import { TerraformStack } from "cdktf";
import { buildModel, Suppression } from "./model";
import { RULES } from "./registry";
import { GuardrailsOptions, GuardrailsReport, RuleContext, SuppressionReport, TfBlock, Violation } from "./types";
import { show } from "./values";

/**
 * Runs the rule pack over one stack: one resolution of the stack's blocks,
 * then every rule over the blocks it reads. Suppressed violations go to the
 * suppression that silenced them.
 */
export function evaluate(stack: TerraformStack, options: GuardrailsOptions = {}): GuardrailsReport {
  const started = process.hrtime.bigint();
  const { model, suppressionsOf, suppressions } = buildModel(stack);
  const rules = options.rules ?? RULES;
  const suppressionOf = (block: TfBlock, ruleId: string): Suppression | undefined => suppressionsOf.get(block)?.find((s) => s.ruleId === ruleId);
  const context: RuleContext = { model, options, isSuppressed: (block, ruleId) => suppressionOf(block, ruleId) !== undefined };

  const violations: Violation[] = [];
  const silenced = new Map<Suppression, Violation[]>(suppressions.map((s) => [s, []]));
  for (const rule of rules) {
    const severity = rule.severity(options);
    if (severity === undefined) continue;
    let findings;
    try {
      findings = rule.check(context);
    } catch (e) {
      throw new Error(`guardrails rule ${rule.id} failed on stack ${stack.node.path}: ${(e as Error).message}`);
    }
    for (const f of findings) {
      const fix = f.fix ?? rule.fix;
      const checkov = rule.checkov.length ? ` (Checkov ${rule.checkov.join(", ")})` : "";
      const message =
        `${rule.id} ${severity} at ${f.block.path} [${f.block.address}]: ${f.setting} must be ${f.rule}, got ${show(f.actual)}: ${fix}.${checkov}` +
        ` To accept it, call Guardrails.suppress(<construct>, "${rule.id}", "<reason>") on the resource or a scope above it.`;
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

  const known = new Set(rules.map((r) => r.id));
  const suppressionReports: SuppressionReport[] = suppressions.map((s) => {
    const list = silenced.get(s) ?? [];
    const path = s.construct.node.path;
    const what = !known.has(s.ruleId)
      ? `no rule ${s.ruleId} runs in this pack: check the id`
      : list.length
        ? `silences ${[...new Set(list.map((v) => v.address))].join(", ")}`
        : "nothing to silence here: remove the suppression if it is stale";
    return {
      ruleId: s.ruleId,
      reason: s.reason,
      path,
      construct: s.construct,
      silenced: list,
      message: `${s.ruleId} suppressed at ${path}: ${JSON.stringify(s.reason)} (${what})`,
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
