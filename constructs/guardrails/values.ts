/**
 * Reading resolved Terraform JSON safely.
 *
 * Rules see a resource's arguments as `stack.toTerraform()` writes them:
 * literals, or strings holding Terraform expressions (`"${var.x}"`,
 * `"${aws_lb.nlb.arn}"`, `"${each.value.path}"`). A value that is an
 * expression is {@link UNKNOWN} to a rule: it cannot tell what Terraform will
 * make of it, so it must not report it as a violation.
 */

/** A value only Terraform knows (an expression, a reference, `each.value`, ...). */
export const UNKNOWN: unique symbol = Symbol("guardrails.unknown");
export type Unknown = typeof UNKNOWN;

/** True when a string holds a Terraform interpolation or directive (`$${` and `%%{` are escapes, not expressions). */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && /(^|[^$%])[$%]\{/.test(value);
}

/** True for a value a rule cannot read: an expression or a value parsed as {@link UNKNOWN}. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || isExpression(value);
}

/** A boolean argument: `undefined` when unset, {@link UNKNOWN} when an expression. */
export function asBool(value: unknown): boolean | undefined | Unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return UNKNOWN;
}

/** A numeric argument: `undefined` when unset, {@link UNKNOWN} when an expression. */
export function asNumber(value: unknown): number | undefined | Unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string" && !isExpression(value) && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return UNKNOWN;
}

/** A string argument: `undefined` when unset, {@link UNKNOWN} when an expression or not a string. */
export function asString(value: unknown): string | undefined | Unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return isExpression(value) ? UNKNOWN : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return UNKNOWN;
}

/**
 * The entries of a nested block. cdktf writes a single block as an object and
 * repeated blocks as a list; an expression gives {@link UNKNOWN}. `dynamic`
 * blocks are apart, read through {@link dynamicContents}.
 */
export function blocks(value: unknown): Record<string, unknown>[] | Unknown {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v)) ? (value as Record<string, unknown>[]) : UNKNOWN;
  }
  if (typeof value === "object") return [value as Record<string, unknown>];
  return UNKNOWN;
}

/**
 * The `content` of every `dynamic "<name>"` block of a resource's config, the
 * one way rules read dynamic blocks: `[]` when there is none, {@link UNKNOWN}
 * when the blocks or a content are an expression. Terraform emits a content
 * once per element of `for_each`, which a rule cannot count: a rule judges a
 * content as one entry that may appear, or treats any dynamic block as
 * *cannot tell*.
 */
export function dynamicContents(config: Record<string, unknown>, name: string): Record<string, unknown>[] | Unknown {
  const dynamic = config.dynamic;
  if (dynamic === undefined || dynamic === null) return [];
  if (typeof dynamic !== "object" || Array.isArray(dynamic)) return UNKNOWN;
  const entries = blocks((dynamic as Record<string, unknown>)[name]);
  if (entries === UNKNOWN) return UNKNOWN;
  const contents: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const content = entry.content;
    if (content === null || typeof content !== "object" || Array.isArray(content)) return UNKNOWN;
    contents.push(content as Record<string, unknown>);
  }
  return contents;
}

/** A list of strings (a single string counts as a list of one), or {@link UNKNOWN}. */
export function stringList(value: unknown): Array<string | Unknown> | Unknown {
  if (value === undefined || value === null) return [];
  // A whole-list expression ("${var.actions}") is unknown; a string is a list of one.
  if (typeof value === "string") return isSingleInterpolation(value) ? UNKNOWN : [value];
  if (!Array.isArray(value)) return UNKNOWN;
  return value.map((v) => (typeof v === "string" ? v : UNKNOWN));
}

/** True when the whole string is one `${...}` interpolation (a reference or expression, nothing around it). */
export function isSingleInterpolation(value: string): boolean {
  if (!value.startsWith("${") || !value.endsWith("}")) return false;
  const end = scanInterpolation(value, 0);
  return end === value.length;
}

/** `aws_lb.name` for a `"${aws_lb.name.attr}"`-style reference inside a value; every such reference. */
export function referencedAddresses(value: string, type: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`(?<![A-Za-z0-9_.-])${type.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.([A-Za-z0-9_-]+)`, "g");
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(`${type}.${m[1]}`);
  return out;
}

/** Every reference an expression makes: `var.x`, `local.x`, `data.t.n`, `module.m`, `<type>.<name>`, `each.*`, `count.*`. */
export function references(expression: string): string[] {
  const out: string[] = [];
  // Drop quoted string literals inside the expression so "var.x" in a string is not a reference.
  const code = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const re =
    /(?<![A-Za-z0-9_.-])(data\.[A-Za-z0-9_]+\.[A-Za-z0-9_-]+|(?:var|local|module|each|count|self|path|terraform)\.[A-Za-z0-9_-]+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?![A-Za-z0-9_-]*\()/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1]);
  return out;
}

/** Shows a value in a message (house format: strings quoted, nothing for unset). */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === UNKNOWN) return "an expression";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Index just past the `}` closing the interpolation that starts at `start` (`${` or `%{`), or -1. */
export function scanInterpolation(s: string, start: number): number {
  let depth = 1;
  let i = start + 2;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = scanString(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Index just past the closing quote of the HCL string starting at `start`, or -1. */
export function scanString(s: string, start: number): number {
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === '"') return i + 1;
    if ((c === "$" || c === "%") && s[i + 1] === "{") {
      if (s[i - 1] === c && s[i - 2] !== c) {
        // "$${" / "%%{": an escape, not an interpolation.
        i += 2;
        continue;
      }
      const end = scanInterpolation(s, i);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    i++;
  }
  return -1;
}
