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
 * repeated blocks as a list; `dynamic` blocks and expressions give {@link UNKNOWN}.
 */
export function blocks(value: unknown): Record<string, unknown>[] | Unknown {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v)) ? (value as Record<string, unknown>[]) : UNKNOWN;
  }
  if (typeof value === "object") return [value as Record<string, unknown>];
  return UNKNOWN;
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
  const re = /(?<![A-Za-z0-9_.-])(data\.[A-Za-z0-9_]+\.[A-Za-z0-9_-]+|(?:var|local|module|each|count|self|path|terraform)\.[A-Za-z0-9_-]+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?![A-Za-z0-9_-]*\()/g;
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

/* ------------------------------------------------------------------------ */
/* Terraform expression text: `${jsonencode([...])}` and friends             */
/* ------------------------------------------------------------------------ */

/**
 * Reads a JSON document argument (an IAM policy, ECS container definitions):
 * a JSON string (parsed), a `"${jsonencode(<literal>)}"` expression as cdktf
 * writes `Fn.jsonencode(...)` (parsed with {@link parseHclLiteral}: parts that
 * are references or function calls become {@link UNKNOWN}), or anything else
 * ({@link UNKNOWN}). Never throws.
 */
export function decodeJsonDocument(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") return typeof value === "object" ? value : UNKNOWN;
  const text = value.trim();
  if (!isExpression(text) || text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      if (!isExpression(text)) return UNKNOWN;
    }
  }
  const m = /^\$\{\s*jsonencode\s*\(/.exec(text);
  if (m && isSingleInterpolation(text)) {
    const inner = text.slice(m[0].length, text.length - 1).trim();
    if (!inner.endsWith(")")) return UNKNOWN;
    return parseHclLiteral(inner.slice(0, -1));
  }
  return UNKNOWN;
}

/**
 * Parses the literal parts of a Terraform (HCL) expression: objects
 * (`{"k" = v}` or `{k: v}`), tuples, strings, numbers, booleans and null.
 * Anything else (references, function calls, conditionals, `for`
 * expressions) becomes {@link UNKNOWN}; strings with interpolations are kept
 * as written (`"${aws_x.y.arn}"`), so {@link isExpression} recognizes them.
 * Tolerant by design: malformed text gives {@link UNKNOWN}, never an exception.
 */
export function parseHclLiteral(text: string): unknown {
  try {
    const p = new HclReader(text);
    const v = p.value();
    p.ws();
    return p.atEnd() ? v : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/** Index just past the `}` closing the interpolation that starts at `start` (`${` or `%{`), or -1. */
function scanInterpolation(s: string, start: number): number {
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
function scanString(s: string, start: number): number {
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

class HclReader {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(): unknown {
    this.ws();
    const start = this.i;
    const v = this.literal();
    this.ws();
    if (v !== UNKNOWN && !this.atEnd() && !",]})".includes(this.s[this.i])) {
      // A literal followed by an operator: a compound expression.
      this.i = start;
      this.skipExpression();
      return UNKNOWN;
    }
    return v;
  }

  private literal(): unknown {
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === "[") {
      if (/^\[\s*for\s/.test(this.s.slice(this.i, this.i + 10))) return this.skipExpression();
      return this.tuple();
    }
    if (c === "{") {
      if (/^\{\s*for\s/.test(this.s.slice(this.i, this.i + 10))) return this.skipExpression();
      return this.object();
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (num && !/[A-Za-z_.]/.test(this.s[this.i + num[0].length] ?? "")) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i));
    if (word && !/[.([]/.test(this.s[this.i + word[0].length] ?? "")) {
      if (word[0] === "true" || word[0] === "false" || word[0] === "null") {
        this.i += word[0].length;
        return word[0] === "true" ? true : word[0] === "false" ? false : null;
      }
    }
    return this.skipExpression();
  }

  private string(): string {
    const end = scanString(this.s, this.i);
    if (end < 0) throw new Error("unterminated string");
    const raw = this.s.slice(this.i + 1, end - 1);
    this.i = end;
    // Decode escapes outside interpolations; keep interpolations verbatim.
    let out = "";
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k];
      if (c === "\\") {
        const n = raw[k + 1];
        k++;
        if (n === "n") out += "\n";
        else if (n === "t") out += "\t";
        else if (n === "r") out += "\r";
        else if (n === "u") {
          out += String.fromCharCode(parseInt(raw.slice(k + 1, k + 5), 16));
          k += 4;
        } else out += n;
        continue;
      }
      if ((c === "$" || c === "%") && raw[k + 1] === "{" && raw[k - 1] !== c) {
        const end2 = scanInterpolation(raw, k);
        if (end2 < 0) throw new Error("unterminated interpolation");
        out += raw.slice(k, end2);
        k = end2 - 1;
        continue;
      }
      out += c;
    }
    return out;
  }

  private tuple(): unknown[] {
    this.i++; // [
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === "]") {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== "]") throw new Error("expected , or ]");
    }
  }

  private object(): Record<string, unknown> {
    this.i++; // {
    const out: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return out;
      }
      let key: string | undefined;
      if (this.s[this.i] === '"') {
        const k = this.string();
        key = isExpression(k) ? undefined : k;
      } else {
        const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i));
        if (word) {
          key = word[0];
          this.i += word[0].length;
        } else {
          this.skipUntil("=:");
        }
      }
      this.ws();
      const sep = this.s[this.i];
      if (sep !== "=" && sep !== ":") throw new Error("expected = or :");
      this.i++;
      const v = this.value();
      if (key !== undefined) out[key] = v;
      this.ws();
      if (this.s[this.i] === ",") this.i++;
    }
  }

  /** Skips one expression up to a delimiter at depth 0; returns {@link UNKNOWN}. */
  private skipExpression(): Unknown {
    this.skipUntil(",]})");
    return UNKNOWN;
  }

  private skipUntil(stops: string): void {
    let depth = 0;
    const start = this.i;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        const end = scanString(this.s, this.i);
        if (end < 0) throw new Error("unterminated string");
        this.i = end;
        continue;
      }
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && stops.includes(c)) break;
      this.i++;
    }
    if (this.i === start) throw new Error("empty expression");
  }
}
