/**
 * The interface record of a module (__tests__/contracts/<module>.interface.json):
 * every variable and output HCL callers see, with the shape that matters to
 * them (type, default or required, nullability, sensitivity). Entries that
 * changed since the last release carry a marker (`unreleased`: added,
 * changed with what it `was`, or removed) and `breaking` when callers must
 * change their code; each marked name must appear in CHANGELOG.md's
 * [Unreleased] section, and the breaking ones in a BREAKING entry. A release
 * (the version's section naming them) clears the markers.
 */
import type { TerraformJson } from "../../constructs/terraform-json";
import { byKey } from "./order";

export type Shape = Record<string, unknown>;

export interface RecordEntry extends Shape {
  readonly unreleased?: "added" | "changed" | "removed";
  readonly was?: Shape;
  readonly breaking?: boolean;
}

export interface InterfaceRecord {
  /** The release the unmarked entries describe (the package version when the record was refreshed). */
  readonly version?: string;
  readonly variables: Record<string, RecordEntry>;
  readonly outputs: Record<string, RecordEntry>;
}

export type InterfaceKind = "variables" | "outputs";
export const INTERFACE_KINDS: readonly InterfaceKind[] = ["variables", "outputs"];

const MARKER_KEYS = ["unreleased", "was", "breaking"];

/** The interface of a module's Terraform JSON, as shapes. */
export function interfaceOf(module: TerraformJson): { variables: Record<string, Shape>; outputs: Record<string, Shape> } {
  const variables: Record<string, Shape> = {};
  for (const [name, v] of Object.entries<TerraformJson>(module.variable ?? {}).sort(byKey)) {
    const shape: Record<string, unknown> = { type: v.type ?? "any" };
    if ("default" in v) shape.default = v.default;
    else shape.required = true;
    if (v.nullable === false) shape.nullable = false;
    if (v.sensitive) shape.sensitive = true;
    if (v.ephemeral) shape.ephemeral = true;
    variables[name] = shape;
  }
  const outputs: Record<string, Shape> = {};
  for (const [name, o] of Object.entries<TerraformJson>(module.output ?? {}).sort(byKey)) {
    const shape: Record<string, unknown> = {};
    if (o.sensitive) shape.sensitive = true;
    if (o.ephemeral) shape.ephemeral = true;
    outputs[name] = shape;
  }
  return { variables, outputs };
}

/** The shape of a record entry, without its markers. */
export function shapeOf(entry: RecordEntry): Shape {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !MARKER_KEYS.includes(k)));
}

const same = (a: Shape, b: Shape) => JSON.stringify(a) === JSON.stringify(b);

/** Whether a change from `was` to `now` makes callers change their code. */
export function breaks(kind: InterfaceKind, was: Shape, now: Shape): boolean {
  if (kind === "variables") return !acceptsAllOf(String(was.type), String(now.type)) || (now.required === true && was.required !== true);
  return (now.sensitive === true && was.sensitive !== true) || (now.ephemeral === true && was.ephemeral !== true);
}

/**
 * The record brought up to date with the module's current interface.
 * Compared with the interface at the last release (the record without its
 * unreleased changes), every difference is marked; `released(name)` says
 * that a marked name was released since (the markers go). Without a
 * record (a new module), the current interface is the baseline.
 */
export function refreshInterface(
  record: InterfaceRecord | undefined,
  current: ReturnType<typeof interfaceOf>,
  released: (name: string) => boolean = () => false,
  version?: string,
): InterfaceRecord {
  if (!record) return { version, variables: { ...current.variables }, outputs: { ...current.outputs } };
  const out = { version, variables: {} as Record<string, RecordEntry>, outputs: {} as Record<string, RecordEntry> };
  for (const kind of INTERFACE_KINDS) {
    const before = record[kind];
    const names = [...new Set([...Object.keys(before), ...Object.keys(current[kind])])].sort();
    for (const name of names) {
      const r = before[name];
      const now = current[kind][name];
      let baseline: Shape | undefined;
      if (!r) baseline = undefined;
      else if (r.unreleased && released(name)) baseline = r.unreleased === "removed" ? undefined : shapeOf(r);
      else if (r.unreleased === "added") baseline = undefined;
      else if (r.unreleased === "changed") baseline = r.was;
      else baseline = shapeOf(r);

      if (!baseline && !now) continue;
      if (!baseline) out[kind][name] = { ...now!, unreleased: "added", ...(kind === "variables" && now!.required ? { breaking: true } : {}) };
      else if (!now) out[kind][name] = { ...baseline, unreleased: "removed", breaking: true };
      else if (same(baseline, now)) out[kind][name] = { ...now };
      else out[kind][name] = { ...now, unreleased: "changed", was: baseline, ...(breaks(kind, baseline, now) ? { breaking: true } : {}) };
    }
  }
  return out;
}

/** The marked entries of a record: what the [Unreleased] section must name. */
export function unreleasedEntries(record: InterfaceRecord): { kind: InterfaceKind; name: string; entry: RecordEntry }[] {
  return INTERFACE_KINDS.flatMap((kind) =>
    Object.entries(record[kind])
      .filter(([, e]) => e.unreleased)
      .map(([name, entry]) => ({ kind, name, entry })),
  );
}

/** The record file: JSON with one entry per line, so a diff shows one line per changed name. */
export function renderInterfaceRecord(moduleName: string, record: InterfaceRecord): string {
  const block = (entries: Record<string, RecordEntry>) => {
    const lines = Object.entries(entries).map(([name, e]) => `    ${JSON.stringify(name)}: ${JSON.stringify(e)}`);
    return lines.length ? `{\n${lines.join(",\n")}\n  }` : "{}";
  };
  const comment = `Interface of the ${moduleName} module (variables and outputs HCL callers see) at the release "version", with the changes since marked "unreleased". Generated by \`npm run modules\`; each marked name must be named in CHANGELOG.md's [Unreleased] section, in a BREAKING entry where "breaking" is true.`;
  return `{\n  "//": ${JSON.stringify(comment)},\n  "version": ${JSON.stringify(record.version ?? null)},\n  "variables": ${block(record.variables)},\n  "outputs": ${block(record.outputs)}\n}\n`;
}

/** Parses a record file. */
export function parseInterfaceRecord(text: string): InterfaceRecord {
  const json = JSON.parse(text);
  return { version: json.version ?? undefined, variables: json.variables ?? {}, outputs: json.outputs ?? {} };
}

/* ------------------------------------------------------------------------ */
/* Terraform type constraints                                               */
/* ------------------------------------------------------------------------ */

/** A parsed Terraform type constraint. */
type TypeNode =
  | { readonly kind: "primitive"; readonly name: string }
  | { readonly kind: "collection"; readonly name: string; readonly element: TypeNode }
  | { readonly kind: "object"; readonly attributes: Record<string, { readonly type: TypeNode; readonly optional: boolean; readonly default?: string }> }
  | { readonly kind: "tuple"; readonly elements: TypeNode[] };

/**
 * Whether every value a caller could give a variable of type `was` is
 * still accepted by type `now`: the same type, or an object type that only
 * gained `optional(...)` attributes or made required ones optional (at any
 * depth).
 * Terraform fills a missing optional attribute with null or its default, so
 * HCL written for `was` keeps working
 * (https://developer.hashicorp.com/terraform/language/expressions/type-constraints#optional-object-type-attributes).
 * A type this parser cannot read counts as a change that breaks.
 */
export function acceptsAllOf(was: string, now: string): boolean {
  if (was === now) return true;
  const [a, b] = [parseType(was), parseType(now)];
  return a !== undefined && b !== undefined && widens(a, b);
}

function widens(was: TypeNode, now: TypeNode): boolean {
  if (was.kind === "primitive" && now.kind === "primitive") return was.name === now.name;
  if (was.kind === "collection" && now.kind === "collection") return was.name === now.name && widens(was.element, now.element);
  if (was.kind === "tuple" && now.kind === "tuple")
    return was.elements.length === now.elements.length && was.elements.every((e, i) => widens(e, now.elements[i]));
  if (was.kind === "object" && now.kind === "object") {
    for (const [name, a] of Object.entries(was.attributes)) {
      const b = now.attributes[name];
      // An attribute callers may leave out now must have been optional before.
      if (!b || (a.optional && !b.optional) || !widens(a.type, b.type)) return false;
    }
    return Object.entries(now.attributes).every(([name, b]) => name in was.attributes || b.optional);
  }
  return false;
}

/** Parses a type constraint such as `map(object({ a = optional(string), b = number }))`; undefined when it cannot. */
export function parseType(text: string): TypeNode | undefined {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const word = (): string => {
    space();
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (!m) throw new Error(`a name at ${i}`);
    i += m[0].length;
    return m[0];
  };
  const expect = (c: string) => {
    space();
    if (text[i] !== c) throw new Error(`"${c}" at ${i}`);
    i++;
  };
  const peek = () => {
    space();
    return text[i];
  };
  /** The text of an expression up to the "," or ")" that ends it, brackets and strings balanced. */
  const expression = (): string => {
    const start = i;
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      } else if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) {
        if (depth === 0) break;
        depth--;
      } else if (c === "," && depth === 0) break;
    }
    return text.slice(start, i).trim();
  };
  const type = (): TypeNode => {
    const name = word();
    if (["string", "number", "bool", "any"].includes(name)) return { kind: "primitive", name };
    if (["list", "set", "map"].includes(name)) {
      expect("(");
      const element = type();
      expect(")");
      return { kind: "collection", name, element };
    }
    if (name === "tuple") {
      expect("(");
      expect("[");
      const elements: TypeNode[] = [];
      while (peek() !== "]") {
        elements.push(type());
        if (peek() === ",") i++;
      }
      expect("]");
      expect(")");
      return { kind: "tuple", elements };
    }
    if (name === "object") {
      expect("(");
      expect("{");
      const attributes: Record<string, { type: TypeNode; optional: boolean; default?: string }> = {};
      while (peek() !== "}") {
        const attribute = word();
        expect("=");
        const save = i;
        if (word() === "optional") {
          expect("(");
          const t = type();
          let fallback: string | undefined;
          if (peek() === ",") {
            i++;
            fallback = expression();
          }
          expect(")");
          attributes[attribute] = { type: t, optional: true, default: fallback };
        } else {
          i = save;
          attributes[attribute] = { type: type(), optional: false };
        }
        if (peek() === ",") i++;
      }
      expect("}");
      expect(")");
      return { kind: "object", attributes };
    }
    throw new Error(`unknown type ${name}`);
  };
  try {
    const t = type();
    space();
    return i === text.length ? t : undefined;
  } catch {
    return undefined;
  }
}
