/**
 * JSON document arguments (IAM policies, ECS container definitions) as the
 * rules read them: a JSON string, or the `${jsonencode(...)}` expression cdktf
 * writes for `Fn.jsonencode(...)`, whose literal parts are parsed as HCL
 * (references and function calls become {@link UNKNOWN}).
 */
import { isExpression, isSingleInterpolation, scanInterpolation, scanString, UNKNOWN, Unknown } from "./values";

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
