/**
 * Selection expressions of WebSocket APIs (route, template and integration
 * response selection), with the rules of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-selection-expressions.html :
 * variables start with `$`, braces delimit them (`${request.body.version}-beta`),
 * several variables are evaluated once (no recursion), `\$` is a literal `$`
 * (`\$default`), and `/.../` wraps a pattern.
 */

type Part = { literal: string } | { variable: string };

const cache = new Map<string, Part[]>();

function parse(expression: string): Part[] {
  const cached = cache.get(expression);
  if (cached) return cached;
  const parts: Part[] = [];
  let literal = "";
  for (let i = 0; i < expression.length;) {
    const c = expression[i];
    if (c === "\\" && expression[i + 1] === "$") {
      literal += "$";
      i += 2;
    } else if (c === "$" && expression[i + 1] === "{") {
      const end = expression.indexOf("}", i + 2);
      if (end < 0) throw new Error(`selection expression ${JSON.stringify(expression)} has an unclosed "\${"`);
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ variable: expression.slice(i + 2, end) });
      i = end + 1;
    } else if (c === "$" && /[A-Za-z]/.test(expression[i + 1] ?? "")) {
      const m = /^[\w.[\]]+/.exec(expression.slice(i + 1))!;
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ variable: m[0] });
      i += 1 + m[0].length;
    } else {
      literal += c;
      i += 1;
    }
  }
  if (literal) parts.push({ literal });
  if (cache.size < 1000) cache.set(expression, parts);
  return parts;
}

/**
 * Evaluates an expression; `variable` returns the value of a variable such as
 * `request.body.action`, or undefined when it has none, in which case the
 * expression has no value either.
 */
export function evaluateSelectionExpression(expression: string, variable: (name: string) => unknown): string | undefined {
  let out = "";
  for (const part of parse(expression)) {
    if ("literal" in part) {
      out += part.literal;
      continue;
    }
    const value = variable(part.variable);
    if (value === undefined || value === null) return undefined;
    out += typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** Whether a key is a pattern (`/2\d\d/`), and the pattern, anchored to the whole value. */
export function selectionPattern(key: string): RegExp | undefined {
  if (patterns.has(key)) return patterns.get(key);
  const m = /^\/(.*)\/$/s.exec(key);
  const pattern = m ? new RegExp(`^(?:${m[1]})$`) : undefined;
  if (patterns.size < 1000) patterns.set(key, pattern);
  return pattern;
}

const patterns = new Map<string, RegExp | undefined>();
