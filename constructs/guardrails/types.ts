import { IConstruct } from "constructs";
import type { TerraformJson } from "../terraform-json";

/**
 * How a violation is reported: `error` fails the synth, `warning` prints a
 * warning annotation, `info` prints an info annotation.
 */
export type Severity = "error" | "warning" | "info";

/** Options of the rule pack, given to `Guardrails.apply` or `Guardrails.evaluate`. */
export interface GuardrailsOptions {
  /**
   * The stack is deployed to production: load balancers must have deletion
   * protection (WSG-LB-002, CKV_AWS_150).
   * @default false
   */
  readonly production?: boolean;
  /**
   * Log groups without a customer managed KMS key are warnings (WSG-LOGS-002,
   * CKV_AWS_158) instead of info messages.
   * @default false
   */
  readonly requireLogKms?: boolean;
  /**
   * Load balancers without access logs are warnings (WSG-LB-004, CKV_AWS_91);
   * without it the rule is off.
   * @default false
   */
  readonly requireLbAccessLogs?: boolean;
  /**
   * IAM actions that may be granted on `"Resource": "*"` besides the
   * documented AWS cases (X-Ray write actions, `ecr:GetAuthorizationToken`),
   * for actions that have no resource-level permissions. Case-insensitive.
   * @default - none
   */
  readonly wildcardResourceActions?: string[];
  /**
   * The rules to run.
   * @default - every rule of the pack (RULES in registry.ts)
   */
  readonly rules?: readonly GuardrailRule[];
  /**
   * Also print informational findings (e.g. log groups without a customer
   * managed KMS key) at synth; they are always in `Guardrails.evaluate`'s report.
   * @default false
   */
  readonly reportInfo?: boolean;
}

/** One Terraform block of the stack, as synthesized (tokens resolved to `${...}` strings). */
export interface TfBlock {
  /** `resource`, `data`, `variable`, `provider`, `output`, `locals` or `terraform`. */
  readonly kind: string;
  /** Resource or data source type (`aws_lb`), provider name, or the kind for the others. */
  readonly type: string;
  /** Logical id (the name Terraform sees). */
  readonly name: string;
  /** Terraform address: `aws_lb.x`, `data.aws_iam_policy_document.x`, `var.x`. */
  readonly address: string;
  /** Construct path, e.g. `chat/private-link/Resource`. */
  readonly path: string;
  /** The resolved configuration. */
  readonly config: TerraformJson;
  /**
   * The construct that synthesized the block.
   * @default - none: a block read from a Terraform plan or from Terraform JSON files
   */
  readonly construct?: IConstruct;
}

/** What a rule reads: the resolved blocks of one stack. */
export interface StackModel {
  /** Every block, in construct tree order. */
  readonly blocks: readonly TfBlock[];
  /** Resources of a type. */
  resources(type: string): readonly TfBlock[];
  /** Data sources of a type. */
  data(type: string): readonly TfBlock[];
  /** A block by its address (`aws_lb.x`, `data.aws_iam_policy_document.x`, `var.x`). */
  byAddress(address: string): TfBlock | undefined;
}

/** What a rule gets to decide. */
export interface RuleContext {
  readonly model: StackModel;
  readonly options: GuardrailsOptions;
  /** True when the rule is suppressed on the block (or one of its construct's ancestors). */
  isSuppressed(block: TfBlock, ruleId: string): boolean;
}

/** A violation as a rule reports it; the engine adds the rule id, path and suppression hint. */
export interface Finding {
  /** The block that violates the rule. */
  readonly block: TfBlock;
  /** The argument, e.g. `network_configuration.assign_public_ip`. */
  readonly setting: string;
  /** What it must be, e.g. `false`. */
  readonly rule: string;
  /** What it is (masked by the rule when it is a secret). */
  readonly actual: unknown;
  /**
   * How to fix it.
   * @default - the rule's fix
   */
  readonly fix?: string;
}

/** A rule of the pack. */
export interface GuardrailRule {
  /** Our id, e.g. `WSG-ECS-004`; what `Guardrails.suppress` names. */
  readonly id: string;
  /** The matching Checkov check ids (empty when Checkov has none). */
  readonly checkov: readonly string[];
  /** One line: what the rule checks. */
  readonly description: string;
  /** How to fix a violation, in general. */
  readonly fix: string;
  /**
   * For the catalogue (docs/guardrails.md): what exactly the rule reads, beyond the description.
   * @default - the description says it all
   */
  readonly details?: string;
  /**
   * For the catalogue: where a suppression belongs, and when it is right ("—" when it never is).
   * @default - not documented
   */
  readonly suppressOn?: string;
  /**
   * For the catalogue: how the rule differs from its Checkov checks, and why.
   * @default - it checks what they check
   */
  readonly checkovDeviation?: string;
  /** Severity under the given options; `undefined` turns the rule off. */
  severity(options: GuardrailsOptions): Severity | undefined;
  /** Reports every violation in the stack. Must not throw on expressions. */
  check(context: RuleContext): Finding[];
}

/** A reported violation. */
export interface Violation {
  readonly ruleId: string;
  readonly checkov: readonly string[];
  readonly severity: Severity;
  /** Construct path of the resource (for a plan: its instance address, e.g. `module.ws["a"].aws_lb.x[0]`). */
  readonly path: string;
  /** Terraform address of the resource (in its module, without instance key). */
  readonly address: string;
  readonly setting: string;
  readonly fix: string;
  /** The full message, as printed. */
  readonly message: string;
  /**
   * The construct of the resource (to suppress on).
   * @default - none: read from a plan or Terraform JSON files
   */
  readonly construct?: IConstruct;
}

/** A suppression and what it silenced. */
export interface SuppressionReport {
  readonly ruleId: string;
  readonly reason: string;
  /** Construct path the suppression was made on (for a suppression file: the address it names). */
  readonly path: string;
  /**
   * The construct the suppression was made on.
   * @default - none: a suppression file's entry
   */
  readonly construct?: IConstruct;
  /** The violations it silenced (possibly none: a stale suppression). */
  readonly silenced: readonly Violation[];
  /** The line echoed in the synth output. */
  readonly message: string;
}

/** The result of running the pack over one stack (or the modules of a plan). */
export interface GuardrailsReport {
  /** Violations not suppressed. */
  readonly violations: readonly Violation[];
  /** Every suppression in the stack, with what it silenced. */
  readonly suppressions: readonly SuppressionReport[];
  /** The violations of severity `error` (these fail the synth). */
  readonly errors: readonly Violation[];
  /** The violations of severity `warning`. */
  readonly warnings: readonly Violation[];
  /** Milliseconds the evaluation took (resolution and rules). */
  readonly elapsedMs: number;
}
