import { Token } from "cdktf";

/**
 * Validation helpers shared by the constructs.
 *
 * Every message follows the house format
 * `<setting> must be <rule>, got <value>: <how to fix>`, and every check skips
 * values that are unresolved tokens (known only at plan or apply time).
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

/** Throws when `value` is a resolved number outside [min, max]. */
export function checkRange(setting: string, value: number | undefined, min: number, max: number, fix?: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(setting, `a whole number from ${min} to ${max}`, value, fix ?? `pick a value in that range`);
  }
}

/** Throws when `value` is a resolved number that is not strictly positive. */
export function checkPositive(setting: string, value: number | undefined, fix: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw invalid(setting, "a number greater than 0", value, fix);
  }
}

/** Throws when `value` is a resolved string that does not match `pattern`. */
export function checkPattern(setting: string, value: string | undefined, pattern: RegExp, rule: string, fix: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!pattern.test(value)) throw invalid(setting, rule, value, fix);
}

/** `https://github.com/<owner>/<repo>`, optionally ending in `.git`. */
export const GITHUB_REPOSITORY_URL = /^https:\/\/github\.com\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}?(\.git)?$/;

/** Throws when `value` is a resolved string that is not a GitHub repository URL. */
export function checkGitHubRepositoryUrl(setting: string, value: string | undefined): void {
  checkPattern(setting, value, GITHUB_REPOSITORY_URL, "a GitHub repository URL (https://github.com/<owner>/<repo>)", "give the https URL of the repository");
}

/** Throws when `value` is not one of `allowed`. */
export function checkOneOf<T extends string>(setting: string, value: T | undefined, allowed: readonly T[]): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw invalid(setting, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value, "use one of the allowed values");
  }
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Throws when `days` is not a retention CloudWatch Logs accepts. */
export function checkRetention(setting: string, days: number | undefined): void {
  if (days === undefined || isUnresolved(days)) return;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw invalid(
      setting,
      `one of the retentions CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`,
      days,
      "pick the nearest accepted value",
    );
  }
}

/**
 * Names of load balancers and target groups: 1 to 32 characters, letters,
 * digits and hyphens, not starting or ending with a hyphen, not starting with
 * "internal-". The message names the rule the name breaks.
 */
export function checkElbName(setting: string, name: string | undefined): void {
  if (name === undefined || isUnresolved(name)) return;
  if (name.length === 0) throw invalid(setting, "1 to 32 characters long", name, "give it a name");
  if (name.length > 32) {
    throw invalid(setting, "1 to 32 characters long", name, `shorten it by ${name.length - 32} character(s): Elastic Load Balancing limits names to 32`);
  }
  const bad = [...new Set(name.replace(/[A-Za-z0-9-]/g, ""))];
  if (bad.length > 0) {
    throw invalid(setting, "made of letters, digits and hyphens only", name, `remove or replace ${bad.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  if (name.startsWith("-") || name.endsWith("-")) {
    throw invalid(setting, "a name that does not start or end with a hyphen", name, "remove the leading or trailing hyphen");
  }
  if (name.toLowerCase().startsWith("internal-")) {
    throw invalid(setting, 'a name that does not start with "internal-"', name, "Elastic Load Balancing reserves that prefix");
  }
}

/** Throws when a resolved list has fewer than `min` entries. */
export function checkMinItems(setting: string, list: readonly unknown[] | undefined, min: number, fix: string): void {
  if (list === undefined || isUnresolved(list)) return;
  if (list.length < min) throw invalid(setting, `a list of at least ${min} item(s)`, list, fix);
}
