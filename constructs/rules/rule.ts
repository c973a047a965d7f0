import { Token } from "cdktf";

/**
 * One validation rule, stated once and used in three places:
 *
 * - a construct's constructor: `STAGE_NAME.check("WebSocketStage.stageName", value)`
 *   throws the house error and skips values Terraform resolves later;
 * - the settings schema: `z.string().superRefine(STAGE_NAME.refine)`;
 * - a module variable: `validation: [STAGE_NAME.hcl("stage_name")]`, a
 *   Terraform condition that accepts and rejects the same values.
 *
 * Every message has the house format `<setting> must be <rule>, got <value>: <fix>`.
 */

/** True when the value holds a token that only Terraform can resolve. */
export function isUnresolved(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string" || typeof value === "number") return Token.isUnresolved(value);
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some(isUnresolved);
  return Token.isUnresolved(value);
}

/** Shows a received value in an error message. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Builds an error in the house format. */
export function invalid(setting: string, rule: string, value: unknown, fix: string): Error {
  return new Error(`${setting} must be ${rule}, got ${show(value)}: ${fix}`);
}

/** What a bad value broke: the rule and how to fix it. */
export interface Failure {
  readonly rule: string;
  readonly fix: string;
}

/** A fix, or one written from the bad value. */
export type Fix<T> = string | ((value: T) => string);

/** One condition of a rule, with its own words. Clauses are checked in order; the first that fails is reported. */
export interface Clause<T> {
  /**
   * The type, said before `rule` where nothing checked the type first
   * (constructs, Terraform variables): "a whole number" + "from 1 to 65535".
   * The settings schema checks types itself and says `rule` alone.
   * @default - the rule is said alone everywhere
   */
  readonly noun?: string;
  /** What a valid value is, said after "must be". */
  readonly rule: string;
  readonly fix: Fix<T>;
  readonly test: (value: T) => boolean;
  /**
   * Terraform expression that is true exactly when `test` is, for the
   * expression `ref` (e.g. `var.stage_name`).
   * @default - the clause has no Terraform form
   */
  readonly condition?: (ref: string) => string;
  /**
   * True when `condition` evaluates without error for null (it reads `ref`
   * only inside `can(...)`), so a nullable variable can use `ref == null || ...`.
   * @default false
   */
  readonly nullSafe?: boolean;
  /**
   * The clause only checks the type (a whole number): the settings schema
   * does that itself, so its refinement skips the clause.
   * @default false
   */
  readonly typeOnly?: boolean;
}

/** How a rule is defined. */
export interface RuleSpec<T> {
  /**
   * The rule as a whole, for Terraform messages and docs.
   * @default - the first clause's words
   */
  readonly summary?: { readonly noun?: string; readonly rule: string; readonly fix: string };
  readonly clauses: ReadonlyArray<Clause<T>>;
  /**
   * Terraform expression for the whole rule, where one expression says it
   * better than the clauses joined with `&&`.
   * @default - the clauses' conditions joined with `&&`
   */
  readonly condition?: (ref: string) => string;
  /** @default - the clauses' nullSafe */
  readonly nullSafe?: boolean;
  /**
   * The value as errors show it (e.g. cut to its start).
   * @default - the value
   */
  readonly display?: (value: T) => unknown;
}

/** A Terraform variable validation block, as cdktf's `TerraformVariableValidationConfig`. */
export interface HclValidation {
  readonly condition: string;
  readonly errorMessage: string;
}

/** The issue sink of a zod refinement (`ctx` of `superRefine`), without depending on zod here. */
export interface RefinementContext {
  addIssue(issue: { code: "custom"; message: string; params: { fix: string } }): void;
}

/** A validation rule; see the top of this file. */
export class Rule<T> {
  /** What a valid value is, said after "must be" (the summary). */
  public readonly rule: string;
  /** How to fix a bad value (the summary). */
  public readonly fix: string;
  /** The type said before `rule` where nothing checked it first. */
  public readonly noun?: string;

  constructor(private readonly spec: RuleSpec<T>) {
    if (spec.clauses.length === 0) throw new Error("a rule needs at least one clause");
    const first = spec.clauses[0];
    const summary = spec.summary ?? { noun: first.noun, rule: first.rule, fix: typeof first.fix === "string" ? first.fix : "" };
    this.rule = summary.rule;
    this.fix = summary.fix;
    this.noun = summary.noun;
    if (!this.fix) throw new Error(`rule "${this.rule}" computes its fix from the value: give it a summary with a fix`);
  }

  /** True when the value passes every clause. */
  public test(value: T): boolean {
    return this.spec.clauses.every((c) => c.test(value));
  }

  /**
   * The first clause the value breaks, in words; undefined when it passes.
   * `typed`: the type was checked already (the settings schema), so
   * type-only clauses are skipped and the type noun is left out.
   */
  public explain(value: T, typed = false): Failure | undefined {
    for (const c of this.spec.clauses) {
      if (typed && c.typeOnly) continue;
      if (c.test(value)) continue;
      return { rule: !typed && c.noun ? `${c.noun} ${c.rule}` : c.rule, fix: typeof c.fix === "string" ? c.fix : c.fix(value) };
    }
    return undefined;
  }

  /**
   * Throws the house error when `value` breaks the rule; does nothing for
   * undefined and for values only Terraform can resolve.
   */
  public check(setting: string, value: T | undefined): void {
    if (value === undefined || isUnresolved(value)) return;
    const failure = this.explain(value);
    if (failure) throw invalid(setting, failure.rule, this.spec.display ? this.spec.display(value) : value, failure.fix);
  }

  /**
   * The rule as a zod refinement (`schema.superRefine(RULE.refine)`): one
   * custom issue whose message is the rule and whose `params.fix` is the fix.
   * Null passes (nullability is the schema's business).
   */
  public readonly refine = (value: T | null, ctx: RefinementContext): void => {
    if (value === null || value === undefined) return;
    const failure = this.explain(value, true);
    if (failure) ctx.addIssue({ code: "custom", message: failure.rule, params: { fix: failure.fix } });
  };

  /**
   * The Terraform expression, true exactly when the value of `ref` passes.
   * `nullable`: null passes too (a variable whose default is null).
   */
  public condition(ref: string, options: { nullable?: boolean } = {}): string {
    const condition = this.spec.condition
      ? this.spec.condition(ref)
      : this.spec.clauses
          .map((c) => {
            if (!c.condition) throw new Error(`rule "${this.rule}" has no Terraform condition for "${c.rule}"`);
            return c.condition(ref);
          })
          .join(" && ");
    if (!options.nullable) return condition;
    // Terraform evaluates both sides of || (an error on null fails the
    // validation), but only the chosen branch of a conditional.
    const nullSafe = this.spec.nullSafe ?? this.spec.clauses.every((c) => c.nullSafe);
    return nullSafe ? `${ref} == null || ${condition}` : `${ref} == null ? true : ${condition}`;
  }

  /** True when the rule has a Terraform condition. */
  public get hasCondition(): boolean {
    return this.spec.condition !== undefined || this.spec.clauses.every((c) => c.condition !== undefined);
  }

  /**
   * A validation block for the Terraform variable `name`, in the house
   * format (the message shows the value given and ends with a period).
   * `nullable`: null passes (a variable whose default is null).
   */
  public hcl(name: string, options: { nullable?: boolean } = {}): HclValidation {
    const ref = `var.${name}`;
    const said = this.noun ? `${this.noun} ${this.rule}` : this.rule;
    const fix = /[.?!]$/.test(this.fix) ? this.fix : `${this.fix}.`;
    return {
      condition: `\${${this.condition(ref, options)}}`,
      errorMessage: `${name} must be ${templateText(said)}, got \${jsonencode(${ref})}: ${templateText(fix)}`,
    };
  }

  /** The same rule, showing bad values through `display` (e.g. cut to their start). */
  public showing(display: (value: T) => unknown): Rule<T> {
    return new Rule<T>({ ...this.spec, display });
  }

  /**
   * The same rule in other words, for a place whose existing wording a
   * test pins. The condition stays the same.
   */
  public with(words: { rule?: string; fix?: string }): Rule<T> {
    return new Rule<T>({
      ...this.spec,
      summary: { noun: this.noun, rule: words.rule ?? this.rule, fix: words.fix ?? this.fix },
      clauses: this.spec.clauses.map((c) => ({ ...c, rule: words.rule ?? c.rule, fix: words.fix ?? c.fix })),
    });
  }
}

/** Defines a rule from its clauses. */
export function defineRule<T>(spec: RuleSpec<T>): Rule<T> {
  return new Rule(spec);
}

/* ------------------------------------------------------------------------ */
/* Terraform text                                                           */
/* ------------------------------------------------------------------------ */

/** A Terraform string literal (quoted, escaped, `${` and `%{` kept literal, line separators written as escapes). */
export function hclString(text: string): string {
  return templateText(
    JSON.stringify(text)
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
}

/** Text placed literally in a Terraform template string. */
function templateText(text: string): string {
  return text.replace(/([$%])\{/g, "$1$1{");
}
