import { Annotations, TerraformStack } from "cdktf";
import { IConstruct, IValidation } from "constructs";
import { evaluate } from "./engine";
import { addSuppression } from "./model";
import { RULES } from "./registry";
import { GuardrailsOptions, GuardrailsReport } from "./types";
import { show } from "./values";

export type {
  Finding,
  GuardrailRule,
  GuardrailsOptions,
  GuardrailsReport,
  RuleContext,
  Severity,
  StackModel,
  SuppressionReport,
  TfBlock,
  Violation,
} from "./types";
export { RULES, ruleById } from "./registry";
export { defineRule } from "./rule";
export { WILDCARD_RESOURCE_ACTIONS } from "./iam";

/**
 * The project's synth-time rule pack (catalogue: docs/guardrails.md): security and
 * reliability rules, with the matching Checkov ids, run over every resource
 * of a stack as Terraform will see it.
 *
 * `Guardrails.apply(stack)` registers a validation on the stack. cdktf runs
 * validations after every Aspect, in `app.synth()` and in
 * `Testing.synth(stack, true)`, so the rules read the final configuration.
 * Violations of severity `error` are returned as validation errors and fail
 * the synth; `warning` and `info` violations, and every suppression, become
 * annotations the CLI prints. Each message names the rule, the resource's
 * construct path and Terraform address, what the setting must be, what it is
 * and how to fix it.
 */
export class Guardrails {
  /**
   * Runs the rule pack on every stack in `scope` (a stack, or an App /
   * construct holding stacks already created) each time it is synthesized.
   * Calling it again for a stack replaces the options; the pass is registered
   * once.
   */
  public static apply(scope: IConstruct, options: GuardrailsOptions = {}): void {
    const stacks = TerraformStack.isStack(scope) ? [scope] : scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    if (stacks.length === 0) {
      throw new Error(
        `Guardrails.apply scope must be a stack or contain stacks, got ${show(scope.node.path || "the app")} with none: call it after the stacks are created, or from a stack's constructor with \`this\``,
      );
    }
    for (const stack of stacks) {
      const existing = PASSES.get(stack);
      if (existing) existing.options = options;
      else {
        const pass = new GuardrailsPass(stack, options);
        PASSES.set(stack, pass);
        stack.node.addValidation(pass);
      }
    }
  }

  /**
   * Suppresses one rule on a resource, or on every resource under a
   * construct, with the reason it does not apply. The suppression and its
   * reason are printed (info annotation) at every synth, with what it
   * silenced, so it stays visible in review.
   *
   * @param construct the resource (e.g. `lb.nlb`) or a construct above it
   * @param ruleId a rule id of the pack, e.g. `"WSG-LB-001"`
   * @param reason why the rule does not apply here; required
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string): void {
    if (typeof ruleId !== "string" || !/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/.test(ruleId)) {
      throw new Error(`Guardrails.suppress ruleId must be a rule id such as "WSG-LB-001", got ${show(ruleId)}: see docs/guardrails.md`);
    }
    if (ruleId.startsWith("WSG-") && !RULES.some((r) => r.id === ruleId)) {
      throw new Error(
        `Guardrails.suppress ruleId must be one of ${RULES.map((r) => r.id).join(", ")}, got ${show(ruleId)}: check the id in docs/guardrails.md`,
      );
    }
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(
        `Guardrails.suppress reason must be a non-empty explanation, got ${show(reason)}: say why ${ruleId} does not apply to ${construct.node.path} (it is printed at every synth)`,
      );
    }
    addSuppression(construct, ruleId, reason.trim());
  }

  /** Runs the rule pack on one stack now and returns what it found, without annotating anything. */
  public static evaluate(stack: TerraformStack, options: GuardrailsOptions = {}): GuardrailsReport {
    return evaluate(stack, options);
  }
}

const PASSES = new WeakMap<TerraformStack, GuardrailsPass>();

/** The validation `Guardrails.apply` registers on a stack. */
class GuardrailsPass implements IValidation {
  /** Annotations already added, so repeated validations do not repeat them. */
  private readonly annotated = new Set<string>();

  constructor(
    private readonly stack: TerraformStack,
    public options: GuardrailsOptions,
  ) {}

  public validate(): string[] {
    const report = evaluate(this.stack, this.options);
    for (const v of report.violations) {
      if (v.severity === "warning") this.annotate(v.construct, "warning", v.message);
      else if (v.severity === "info" && this.options.reportInfo) this.annotate(v.construct, "info", v.message);
    }
    for (const s of report.suppressions) this.annotate(s.construct, "info", s.message);
    return report.errors.map((e) => e.message);
  }

  private annotate(construct: IConstruct | undefined, level: "warning" | "info", message: string): void {
    // Blocks of a stack always have their construct; only plan blocks have none.
    if (!construct) return;
    const key = `${construct.node.path}\u0000${level}\u0000${message}`;
    if (this.annotated.has(key)) return;
    this.annotated.add(key);
    if (level === "warning") Annotations.of(construct).addWarning(message);
    else Annotations.of(construct).addInfo(message);
  }
}
