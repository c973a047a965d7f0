import { RULES } from "../constructs/guardrails";
import { committedDefaults } from "./config";
import { FIELDS } from "./settings";

/** The value at a dotted key of a nested object. */
function at(obj: unknown, key: string): unknown {
  return key.split(".").reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/**
 * The README's settings table: every setting of the schema with its type,
 * its committed default (the schema's, or the project's from cdktf.json's
 * `context.settings`) and the environment variable that overrides it. A
 * test keeps the README in step with this.
 */
export function settingsTable(project: unknown): string {
  const defaults = committedDefaults(project);
  const lines = ["| Setting | Type | Default | Env | What it does |", "|---|---|---|---|---|"];
  for (const f of FIELDS) {
    const type = (f.oneOf ? f.oneOf.map((o) => `\`${o}\``).join(" \\| ") : f.type) + (f.nullable ? " \\| null" : "");
    const value = at(defaults, f.key);
    lines.push(`| \`${f.key}\` | ${type} | \`${cell(JSON.stringify(value))}\` | ${f.env ? `\`${f.env}\`` : ""} | ${cell(f.doc)} |`);
  }
  return lines.join("\n");
}

/** The README's table of guardrail rules, from the registry. */
export function rulesTable(): string {
  const lines = ["| Rule | Checkov | Severity | Checks |", "|---|---|---|---|"];
  for (const r of RULES) {
    const base = r.severity({});
    const production = r.severity({ production: true, requireLbAccessLogs: true, requireLogKms: true });
    const severity = base === production ? base ?? "off" : `${base ?? "off"} (${production} when required)`;
    lines.push(`| ${r.id} | ${r.checkov.length ? r.checkov.join(", ") : "—"} | ${severity} | ${cell(r.description)} |`);
  }
  return lines.join("\n");
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README must hold the markers ${start} and ${end}`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}
