import { Clause, defineRule, Fix, hclString, Rule } from "./rule";

/* The common shapes of rules: patterns, ranges, choices, lengths, lists. */

/**
 * A string matching a regular expression. A pattern given as text is
 * compiled with the `u` flag, so it counts characters as Terraform's RE2
 * does; a RegExp is used as it is. A pattern RE2 cannot run (lookaround,
 * backreferences, flags) has no Terraform condition.
 */
export function pattern(source: string | RegExp, rule: string, fix: Fix<string>): Rule<string> {
  return defineRule({ clauses: [matches(source, rule, fix)] });
}

/** The clause of {@link pattern}. */
export function matches(source: string | RegExp, rule: string, fix: Fix<string>): Clause<string> {
  const re = typeof source === "string" ? new RegExp(source, "u") : source;
  // The text as written: RegExp#source escapes "/" and line terminators.
  const text = typeof source === "string" ? source : source.source;
  return {
    rule,
    fix,
    test: (v) => typeof v === "string" && re.test(v),
    condition: sameInRe2(text, re.flags) ? (ref) => `can(regex(${hclString(text)}, ${ref}))` : undefined,
    nullSafe: true,
  };
}

/**
 * True when RE2 (Terraform's `regex`) matches exactly what this JavaScript
 * pattern matches: `u` flag (both count characters, not UTF-16 units), no
 * other flags, and none of the constructs the two read differently or RE2
 * lacks: lookaround, backreferences, `\s \S \b \B` (Unicode spaces in
 * JavaScript, ASCII in RE2), `\u` and `\p` escapes, `.` outside a class
 * (JavaScript's excludes \r, U+2028 and U+2029, RE2's only \n), and
 * repeat counts above 1000 (RE2 refuses to compile them).
 */
export function sameInRe2(src: string, flags: string): boolean {
  if (flags !== "u") return false;
  if ([...src.matchAll(/\{(\d+)(?:,(\d*))?\}/g)].some((m) => Number(m[1]) > 1000 || Number(m[2] || 0) > 1000)) return false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      const next = src[++i];
      if (/[sSbBupPk1-9]/.test(next)) return false;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === ".") return false;
    else if (c === "(" && src[i + 1] === "?" && /[=!<]/.test(src[i + 2] ?? "") && !(src[i + 2] === "<" && /[A-Za-z]/.test(src[i + 3] ?? ""))) return false;
  }
  return true;
}

/** A whole number from `min` to `max`. */
export function range(min: number, max: number, fix = "pick a value in that range"): Rule<number> {
  return defineRule({
    clauses: [
      {
        noun: "a whole number",
        rule: `from ${min} to ${max}`,
        fix,
        test: (v) => Number.isInteger(v) && v >= min && v <= max,
        condition: (ref) => `${ref} >= ${min} && ${ref} <= ${max} && floor(${ref}) == ${ref}`,
      },
    ],
  });
}

/** A number greater than 0, fractions included. */
export function positive(fix: string): Rule<number> {
  return defineRule({ clauses: [positiveClause(fix)] });
}

function positiveClause(fix: string): Clause<number> {
  return {
    noun: "a number",
    rule: "greater than 0",
    fix,
    test: (v) => typeof v === "number" && Number.isFinite(v) && v > 0,
    condition: (ref) => `${ref} > 0`,
  };
}

/** A whole number greater than 0; a fraction is told to round. */
export function positiveWhole(fix: string): Rule<number> {
  return defineRule({
    summary: { noun: "a whole number", rule: "greater than 0", fix },
    clauses: [
      positiveClause(fix),
      { rule: "a whole number", fix: "round it", test: (v) => Number.isInteger(v), condition: (ref) => `floor(${ref}) == ${ref}`, typeOnly: true },
    ],
  });
}

/** One of the listed values. */
export function oneOf<T extends string | number>(values: readonly T[], fix = "use one of the allowed values"): Rule<T> {
  return defineRule({
    clauses: [
      {
        rule: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
        fix,
        test: (v) => values.includes(v),
        condition: (ref) => `contains([${values.map((v) => JSON.stringify(v)).join(", ")}], ${ref})`,
      },
    ],
  });
}

/**
 * Characters of a string as Terraform's `length()` counts them (grapheme
 * clusters: "é" written as e + accent is one).
 */
export function characters(value: string): number {
  return Array.from(new Intl.Segmenter("en", { granularity: "grapheme" }).segment(value)).length;
}

/** A string of `min` to `max` characters (`min` 0: at most `max`). */
export function length(min: number, max: number, fix: string): Rule<string> {
  return defineRule({
    clauses: [
      {
        rule: min > 0 ? `${min} to ${max} characters` : `at most ${max} characters`,
        fix,
        test: (v) => typeof v === "string" && characters(v) >= min && characters(v) <= max,
        condition: (ref) => (min > 0 ? `length(${ref}) >= ${min} && length(${ref}) <= ${max}` : `length(${ref}) <= ${max}`),
      },
    ],
  });
}

/** A list of at least `min` and at most `max` items. */
export function listSize(min: number, max: number | undefined, fix: string): Rule<readonly unknown[]> {
  const clauses: Array<Clause<readonly unknown[]>> = [
    { rule: `a list of at least ${min} item(s)`, fix, test: (v) => Array.isArray(v) && v.length >= min, condition: (ref) => `length(${ref}) >= ${min}` },
  ];
  if (max !== undefined) {
    clauses.push({ rule: `a list of at most ${max} item(s)`, fix, test: (v) => v.length <= max, condition: (ref) => `length(${ref}) <= ${max}` });
  }
  return defineRule({ summary: { rule: max === undefined ? `a list of at least ${min} item(s)` : `a list of ${min} to ${max} items`, fix }, clauses });
}

/** Every item of a list passes `item` (settings lists of ids, zones, tags). */
export function eachItem(item: Rule<string>): Rule<readonly string[]> {
  return defineRule({
    summary: { rule: `a list whose every item is ${item.rule}`, fix: item.fix },
    clauses: [
      {
        rule: `a list whose every item is ${item.rule}`,
        fix: (list) =>
          item.explain(
            list.find((v) => !item.test(v))!,
            true,
          )?.fix ?? item.fix,
        test: (list) => list.every((v) => item.test(v)),
        condition: (ref) => `alltrue([for v in ${ref} : ${item.condition("v")}])`,
      },
    ],
  });
}

/** Levenshtein distance between two strings, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}
