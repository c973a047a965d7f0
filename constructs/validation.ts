import { GITHUB_REPOSITORY, LOG_RETENTION, listSize, oneOf, pattern, range } from "./rules";

/**
 * Validation helpers of the constructs, in the house format
 * `<setting> must be <rule>, got <value>: <how to fix>`; every check skips
 * values that are unresolved tokens (known only at plan or apply time).
 *
 * The rules themselves live in ./rules, where the settings schema and the
 * modules' Terraform variables use them too; these helpers are the
 * construct-side shorthand for the common shapes.
 */
export { invalid, isUnresolved } from "./rules/rule";
export { LOG_RETENTION_DAYS } from "./rules/logs";

/** Throws when `value` is a resolved number that is not a whole number in [min, max]. */
export function checkRange(setting: string, value: number | undefined, min: number, max: number, fix?: string): void {
  range(min, max, fix).check(setting, value);
}

/** Throws when `value` is a resolved string that does not match `re`. */
export function checkPattern(setting: string, value: string | undefined, re: RegExp, rule: string, fix: string): void {
  pattern(re, rule, fix).check(setting, value);
}

/** Throws when `value` is a resolved string that is not a GitHub repository URL. */
export function checkGitHubRepositoryUrl(setting: string, value: string | undefined): void {
  GITHUB_REPOSITORY.check(setting, value);
}

/** Throws when `value` is not one of `allowed`. */
export function checkOneOf<T extends string>(setting: string, value: T | undefined, allowed: readonly T[]): void {
  oneOf(allowed).check(setting, value);
}

/** Throws when `days` is not a retention CloudWatch Logs accepts. */
export function checkRetention(setting: string, days: number | undefined): void {
  LOG_RETENTION.check(setting, days);
}

/** Throws when a resolved list has fewer than `min` entries. */
export function checkMinItems(setting: string, list: readonly unknown[] | undefined, min: number, fix: string): void {
  listSize(min, undefined, fix).check(setting, list);
}
