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
export function interfaceOf(module: any): { variables: Record<string, Shape>; outputs: Record<string, Shape> } {
  const variables: Record<string, Shape> = {};
  for (const [name, v] of Object.entries<any>(module.variable ?? {}).sort(byKey)) {
    const shape: Record<string, unknown> = { type: v.type ?? "any" };
    if ("default" in v) shape.default = v.default;
    else shape.required = true;
    if (v.nullable === false) shape.nullable = false;
    if (v.sensitive) shape.sensitive = true;
    if (v.ephemeral) shape.ephemeral = true;
    variables[name] = shape;
  }
  const outputs: Record<string, Shape> = {};
  for (const [name, o] of Object.entries<any>(module.output ?? {}).sort(byKey)) {
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
  if (kind === "variables") return was.type !== now.type || (now.required === true && was.required !== true);
  return (now.sensitive === true && was.sensitive !== true) || (now.ephemeral === true && was.ephemeral !== true);
}

/**
 * The record brought up to date with the module's current interface.
 * Compared with the interface at the last release (the record without its
 * unreleased changes), every difference is marked; `released(name)` says
 * that a marked name was released since (the markers go). Without a
 * record (a new module), the current interface is the baseline.
 */
export function refreshInterface(record: InterfaceRecord | undefined, current: ReturnType<typeof interfaceOf>, released: (name: string) => boolean = () => false, version?: string): InterfaceRecord {
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
  return INTERFACE_KINDS.flatMap((kind) => Object.entries(record[kind]).filter(([, e]) => e.unreleased).map(([name, entry]) => ({ kind, name, entry })));
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
