/**
 * The JSONPath subset API Gateway mapping templates use (`$input.json('$.a.b')`,
 * `$input.path('$.items[0]')`, `route.request.body.a`): the root `$`, dotted
 * names, bracketed names (`$['a b']`) and array indexes (`[0]`). Anything else
 * (filters, wildcards, recursive descent) is reported as unsupported.
 */

/** Sentinel for a path the document does not have. */
export const MISSING = Symbol("missing");

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/** Splits a JSONPath into property names and indexes; throws on syntax it does not support. */
export function parseJsonPath(path: string): Array<string | number> {
  let rest = path.trim();
  if (rest === "$") return [];
  if (rest.startsWith("$")) rest = rest.slice(1);
  else rest = `.${rest}`; // "a.b" as in route.request.body.a.b
  const parts: Array<string | number> = [];
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) throw new Error(`JSONPath ${JSON.stringify(path)} is not supported here: use $, $.name, $['name'] or $.list[0]`);
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push((m[3] ?? m[4]).replace(/\\(.)/g, "$1"));
    rest = rest.slice(m[0].length);
  }
  return parts;
}

const cache = new Map<string, Array<string | number>>();

/** The value at a JSONPath, or {@link MISSING}. */
export function selectJsonPath(document: unknown, path: string): unknown {
  let parts = cache.get(path);
  if (!parts) {
    parts = parseJsonPath(path);
    if (cache.size < 1000) cache.set(path, parts);
  }
  let value: unknown = document;
  for (const part of parts) {
    if (value === null || typeof value !== "object") return MISSING;
    if (typeof part === "number" ? !Array.isArray(value) || part >= value.length : !Object.prototype.hasOwnProperty.call(value, part)) return MISSING;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}
