import * as fs from "fs";
import * as path from "path";
import { GuardrailRule, GuardrailsOptions, RULES } from "../constructs/guardrails";
import { committedDefaults } from "./config";
import { FIELDS } from "./settings";

/**
 * The generated parts of the documentation: tables written from the code by
 * `npm run docs` between `<!-- name:start -->` and `<!-- name:end -->`
 * markers, and checked by a unit test (__tests__/stacks/docs.test.ts). The
 * module READMEs are generated apart, by `npm run modules` (scripts/modules.ts),
 * because they come from a synth and change what HCL users consume.
 */

/** The value at a dotted key of a nested object. */
function at(obj: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** Plain text (not Markdown) in a table cell or a line: `<name>` and `*` shown as written. */
const plain = (text: string) => text.replace(/[\\*]/g, "\\$&").replace(/</g, "&lt;").replace(/\|/g, "\\|");
/** Code in a table cell. */
const code = (text: string) => `\`${text.replace(/\|/g, "\\|")}\``;

/**
 * docs/configuration.md's settings table: every setting of the schema with
 * its type, its committed default (the schema's, or the project's from
 * cdktf.json's `context.settings`) and the environment variable that
 * overrides it.
 */
export function settingsTable(project: unknown): string {
  const defaults = committedDefaults(project);
  const lines = ["| Setting | Type | Default | Env | What it does |", "|---|---|---|---|---|"];
  for (const f of FIELDS) {
    const type = (f.oneOf ? f.oneOf.map((o) => `\`${o}\``).join(" \\| ") : f.type) + (f.nullable ? " \\| null" : "");
    const value = at(defaults, f.key);
    lines.push(`| \`${f.key}\` | ${type} | ${code(JSON.stringify(value))} | ${f.env ? `\`${f.env}\`` : ""} | ${plain(f.doc)} |`);
  }
  return lines.join("\n");
}

/** The options that change a rule's severity, in the order the catalogue names them. */
const SEVERITY_OPTIONS: ReadonlyArray<keyof GuardrailsOptions> = ["production", "requireLogKms", "requireLbAccessLogs"];

/** A rule's severity by default, and under each option that changes it: "off; error with `production`". */
export function severityText(rule: GuardrailRule): string {
  const base = rule.severity({});
  const changes = SEVERITY_OPTIONS.map((o) => [o, rule.severity({ [o]: true })] as const).filter(([, s]) => s !== base);
  return [base ?? "off", ...changes.map(([o, s]) => `${s ?? "off"} with \`${o}\``)].join("; ");
}

/** The heading anchor GitHub gives `### WSG-APIGW-001`. */
const anchor = (id: string) => `#${id.toLowerCase()}`;

/**
 * docs/guardrails.md's rule catalogue, from the rule registry: a summary
 * table, then one section per rule with what exactly it reads, the fix,
 * where a suppression belongs and how it differs from Checkov.
 */
export function ruleCatalogue(rules: readonly GuardrailRule[] = RULES): string {
  const missing = rules.filter((r) => !r.suppressOn).map((r) => r.id);
  if (missing.length)
    throw new Error(
      `rule ${missing.join(", ")} must say where a suppression belongs, got no suppressOn: add suppressOn to its defineRule (use "—" when it should never be suppressed)`,
    );
  const checkov = (r: GuardrailRule) => (r.checkov.length ? r.checkov.join(", ") + (r.checkovDeviation ? ` ([differs](${anchor(r.id)}))` : "") : "—");
  const lines = ["| Rule | Checkov | Severity | Checks |", "|---|---|---|---|"];
  for (const r of rules) lines.push(`| [${r.id}](${anchor(r.id)}) | ${checkov(r)} | ${severityText(r)} | ${plain(r.description)} |`);
  for (const r of rules) {
    lines.push("", `### ${r.id}`, "", [plain(r.description), r.details].filter(Boolean).join(" "), "");
    lines.push(`- **Severity:** ${severityText(r)}`);
    lines.push(`- **Fix:** ${plain(r.fix)}`);
    lines.push(`- **Suppress on:** ${r.suppressOn}`);
    if (r.checkov.length) lines.push(`- **Checkov:** ${r.checkov.join(", ")}${r.checkovDeviation ? `. Differs: ${r.checkovDeviation}` : ""}`);
    else if (r.checkovDeviation) lines.push(`- **Checkov:** none. ${r.checkovDeviation}`);
  }
  return lines.join("\n");
}

/** One generated section of a document. */
export interface GeneratedSection {
  /** The document, relative to the project folder. */
  readonly file: string;
  /** The marker name: `<!-- name:start -->` ... `<!-- name:end -->`. */
  readonly name: string;
  readonly body: string;
}

/** Every generated section of the documentation. */
export function generatedSections(projectSettings: unknown): GeneratedSection[] {
  return [
    { file: "docs/configuration.md", name: "settings", body: settingsTable(projectSettings) },
    { file: "docs/guardrails.md", name: "rules", body: ruleCatalogue() },
  ];
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(text: string, name: string, body: string, file = "the document"): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i)
    throw new Error(
      `${file} must hold the markers ${start} and ${end}, got ${i < 0 ? "no start marker" : "no end marker after it"}: put them back around the generated ${name} section`,
    );
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

/**
 * The documents as `npm run docs` would write them, and which of them
 * differ from the files in `projectDir`.
 */
export function regenerateDocs(projectDir: string, projectSettings: unknown): { files: Map<string, string>; stale: string[] } {
  const read = new Map<string, string>();
  const files = new Map<string, string>();
  for (const s of generatedSections(projectSettings)) {
    if (!read.has(s.file)) read.set(s.file, fs.readFileSync(path.join(projectDir, s.file), "utf8"));
    const current = files.get(s.file) ?? read.get(s.file)!;
    files.set(s.file, replaceSection(current, s.name, s.body, s.file));
  }
  const stale = [...files].filter(([file, text]) => read.get(file) !== text).map(([file]) => file);
  return { files, stale };
}
