/**
 * Terraform addresses (`module.ws["a"].aws_lb.x[0]`, `data.aws_iam_policy_document.y`,
 * `provider.aws.eu`, `var.token`) split into their segments, and the scopes
 * an address is in, for suppressions that name a module or a resource of a plan.
 */

/** One segment of an address: `module.ws["a"]`, `aws_lb.x[0]`, `data.t.n`, `provider.aws.eu`, `var.x`, `output.x`. */
export interface AddressSegment {
  /** The segment without its instance key: `module.ws`, `aws_lb.x`. */
  readonly name: string;
  /** The instance key as written (`["a"]`, `[0]`), if any. */
  readonly key?: string;
}

/**
 * Splits an address into segments, or returns a reason it is not one.
 * Keys may be numbers or quoted strings (with dots, brackets, escapes).
 */
export function parseAddress(address: string): AddressSegment[] | string {
  const tokens: Array<{ word: string; key?: string }> = [];
  let i = 0;
  while (i < address.length) {
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(address.slice(i));
    if (!word) return `expected a name at character ${i + 1}`;
    i += word[0].length;
    let key: string | undefined;
    if (address[i] === "[") {
      const end = keyEnd(address, i);
      if (end < 0) return `unterminated instance key at character ${i + 1}`;
      key = address.slice(i, end);
      i = end;
    }
    tokens.push({ word: word[0], key });
    if (i < address.length) {
      if (address[i] !== ".") return `expected "." at character ${i + 1}`;
      i++;
      if (i === address.length) return "it ends with a dot";
    }
  }
  if (tokens.length === 0) return "it is empty";
  const segments: AddressSegment[] = [];
  for (let t = 0; t < tokens.length;) {
    const first = tokens[t].word;
    const size = first === "data" ? 3 : first === "provider" ? tokens.length - t : 2;
    const group = tokens.slice(t, t + size);
    if (group.length < Math.min(size, 2) || (first === "data" && group.length < 3))
      return `"${tokens.map((x) => x.word).join(".")}" ends inside a ${first} segment`;
    if (group.slice(0, -1).some((g) => g.key !== undefined)) return `an instance key belongs after the name of the ${first} segment`;
    segments.push({ name: group.map((g) => g.word).join("."), key: group[group.length - 1].key });
    t += size;
  }
  return segments;
}

/** Index just past the `]` of the key starting at `start`, or -1. */
function keyEnd(s: string, start: number): number {
  let i = start + 1;
  if (s[i] === '"') {
    i++;
    while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
    if (i >= s.length) return -1;
    i++;
  } else {
    while (i < s.length && /[0-9]/.test(s[i])) i++;
  }
  return s[i] === "]" && i > start + 1 ? i + 1 : -1;
}

/** An address written back from its segments. */
export function formatAddress(segments: readonly AddressSegment[]): string {
  return segments.map((s) => s.name + (s.key ?? "")).join(".");
}

/**
 * True when `scope` names `address` or a scope it is in: a module (with or
 * without its instance key) or the resource itself (with or without its
 * key). `module.ws` covers `module.ws["a"].aws_lb.x[0]`; `aws_lb.x` covers
 * `aws_lb.x[1]`; `module.ws["b"]` does not cover `module.ws["a"]...`.
 */
export function addressInScope(address: readonly AddressSegment[], scope: readonly AddressSegment[]): boolean {
  if (scope.length > address.length) return false;
  return scope.every((s, i) => s.name === address[i].name && (s.key === undefined || s.key === address[i].key));
}
