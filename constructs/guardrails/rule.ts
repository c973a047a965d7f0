import { Finding, GuardrailRule, GuardrailsOptions, RuleContext, Severity, TfBlock } from "./types";

/** What a rule file declares; {@link defineRule} turns it into a {@link GuardrailRule}. */
export interface RuleDefinition {
  readonly id: string;
  readonly checkov?: readonly string[];
  readonly description: string;
  readonly fix: string;
  /**
   * Catalogue only (docs/guardrails.md): what exactly the rule reads, beyond the description.
   * @default - the description says it all
   */
  readonly details?: string;
  /**
   * Catalogue only: where a suppression belongs, and when it is right; "—" when it never is.
   * @default - not documented (the catalogue test fails for a shipped rule)
   */
  readonly suppressOn?: string;
  /**
   * Catalogue only: how the rule differs from its Checkov checks, and why.
   * @default - it checks what they check
   */
  readonly checkovDeviation?: string;
  /** A fixed severity, or one that depends on the options (`undefined`: off). */
  readonly severity: Severity | ((options: GuardrailsOptions) => Severity | undefined);
  /** Reports violations through `report`. */
  readonly check: (context: RuleContext, report: Reporter) => void;
}

/** Adds a finding: the block, the argument, what it must be, what it is, and optionally a specific fix. */
export type Reporter = (block: TfBlock, setting: string, rule: string, actual: unknown, fix?: string) => void;

/** Builds a rule from its definition. */
export function defineRule(def: RuleDefinition): GuardrailRule {
  return {
    id: def.id,
    checkov: def.checkov ?? [],
    description: def.description,
    fix: def.fix,
    details: def.details,
    suppressOn: def.suppressOn,
    checkovDeviation: def.checkovDeviation,
    severity: (options) => (typeof def.severity === "function" ? def.severity(options) : def.severity),
    check: (context) => {
      const findings: Finding[] = [];
      def.check(context, (block, setting, rule, actual, fix) => findings.push({ block, setting, rule, actual, fix }));
      return findings;
    },
  };
}
