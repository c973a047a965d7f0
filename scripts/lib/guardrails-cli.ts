/**
 * `npm run guardrails` (scripts/guardrails.ts): reads the input and the
 * suppression file, runs the pack, prints the findings as the synth does,
 * writes SARIF, and returns the exit code.
 */
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../../constructs/guardrails";
import { AddressSegment, formatAddress, parseAddress } from "../../constructs/guardrails/address";
import { evaluateUnits } from "../../constructs/guardrails/engine";
import { toSarif } from "../../constructs/guardrails/sarif";
import { FileSuppression, readSuppressionFile, suppressionsInForce } from "../../constructs/guardrails/suppression-file";
import { GuardrailsOptions, GuardrailsReport, Violation } from "../../constructs/guardrails/types";
import { PROJECT_DIR } from "../../stacks/paths";
import { parseArgs, UsageError } from "./cli-args";
import { DEFAULT_SUPPRESSION_FILE, readGuardrailsInput } from "./guardrails-input";

export const USAGE =
  "npm run guardrails -- <plan.json | folder of .tf.json> [--sarif <file>] [--suppressions <file>] [--production] [--require-log-kms] [--require-lb-access-logs] [--report-info] [--wildcard-resource-action <action>]";

/** Where the command writes: standard output and error (a test passes its own). */
export interface Output {
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

const CONSOLE: Output = { log: (l) => console.log(l), error: (l) => console.error(l) };

/**
 * Runs `npm run guardrails` with `argv`; paths are relative to `base` (where
 * npm was started). Returns the exit code: 0 clean, 1 errors, 2 bad input.
 */
export function runGuardrails(argv: readonly string[], base: string, out: Output = CONSOLE): number {
  let args;
  try {
    args = parseArgs(
      argv,
      {
        values: ["--sarif", "--suppressions"],
        repeated: ["--wildcard-resource-action"],
        booleans: ["--production", "--require-log-kms", "--require-lb-access-logs", "--report-info"],
      },
      USAGE,
    );
    if (args.help) {
      out.log(`${USAGE}\n\nRuns the project's rule pack on a Terraform plan (terraform show -json <planfile>) or Terraform JSON files; docs/guardrails.md.`);
      return 0;
    }
    if (args.positional.length !== 1) {
      throw new UsageError(
        `give one plan JSON file or folder, got ${args.positional.length ? args.positional.map((p) => JSON.stringify(p)).join(" and ") : "none"} (${USAGE})`,
      );
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.error(`guardrails: ${e.message}`);
    return 2;
  }
  const options: GuardrailsOptions = {
    production: args.booleans.has("--production"),
    requireLogKms: args.booleans.has("--require-log-kms"),
    requireLbAccessLogs: args.booleans.has("--require-lb-access-logs"),
    reportInfo: args.booleans.has("--report-info"),
    wildcardResourceActions: [...(args.repeated.get("--wildcard-resource-action") ?? [])],
  };
  try {
    const input = readGuardrailsInput(args.positional[0], base);
    const givenFile = args.values.get("--suppressions");
    const suppressionFile = givenFile ? path.resolve(base, givenFile) : input.defaultSuppressionFile;
    const shownFile = path.relative(base, suppressionFile) || suppressionFile;
    let suppressions: FileSuppression[] = [];
    if (givenFile || fs.existsSync(suppressionFile)) {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(suppressionFile, "utf8"));
      } catch (e) {
        throw new Error(
          `--suppressions must name a readable JSON file, got ${JSON.stringify(shownFile)} (${(e as Error).message.split("\n")[0]}): check the path and the syntax`,
        );
      }
      suppressions = readSuppressionFile(json, shownFile);
    }
    const units = input.units.map((u) => ({ ...u, suppressionsOf: suppressionsInForce(u.model.blocks, suppressions) }));
    const fileName = givenFile ? shownFile : DEFAULT_SUPPRESSION_FILE;
    const report = evaluateUnits(
      {
        units,
        suppressions,
        howToAccept: (ruleId, block) =>
          `To accept it, add {"rule": "${ruleId}", "address": ${JSON.stringify(block.path)}, "reason": "<why>"} to ${fileName} (docs/guardrails.md).`,
      },
      options,
    );
    const blocks = units.reduce((n, u) => n + u.model.blocks.length, 0);
    const ran = RULES.filter((r) => r.severity(options) !== undefined).length;
    out.log(
      `guardrails: ${ran} rules on ${input.artifactUri} (${input.description}, ${blocks} blocks)${suppressions.length ? `, suppressions from ${shownFile}` : ""}`,
    );
    for (const note of input.notes) out.log(`  note: ${note}`);
    printReport(report, options, out);
    const sarifFile = args.values.has("--sarif") ? path.resolve(base, args.values.get("--sarif") as string) : undefined;
    if (sarifFile) {
      const version = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version as string;
      const log = toSarif({ report, rules: RULES, options, artifactUri: input.artifactUri, version });
      fs.mkdirSync(path.dirname(path.resolve(sarifFile)), { recursive: true });
      fs.writeFileSync(sarifFile, `${JSON.stringify(log, null, 2)}\n`);
      out.log(`SARIF 2.1.0 written to ${path.relative(base, sarifFile)} (${log.runs[0].results?.length ?? 0} results)`);
    }
    return report.errors.length ? 1 : 0;
  } catch (e) {
    out.error(`guardrails: ${(e as Error).message}`);
    return 2;
  }
}

/** The findings as the synth prints them (`  <where>: <level>: <message>`), suppressions with their reasons, then a summary. */
function printReport(report: GuardrailsReport, options: GuardrailsOptions, out: Output): void {
  const where = (v: Violation) => moduleOf(v.path);
  for (const v of report.violations) {
    if (v.severity === "info" && !options.reportInfo) continue;
    out.log(`  ${where(v)}: ${v.severity}: ${v.message}`);
  }
  for (const s of report.suppressions) out.log(`  ${s.message}`);
  const infos = report.violations.filter((v) => v.severity === "info").length;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  out.log(
    `${count(report.errors.length, "error")}, ${count(report.warnings.length, "warning")}, ${count(report.suppressions.length, "suppression")}` +
      (infos && !options.reportInfo ? `, ${count(infos, "informational finding")} (--report-info prints them)` : "") +
      (report.errors.length ? ": fails (exit 1), as the synth would" : ": passes"),
  );
}

/** The module instance an address is in (`module.ws["a"]`), or `root`. */
function moduleOf(address: string): string {
  const segments = parseAddress(address);
  if (typeof segments === "string") return "root";
  const modules: AddressSegment[] = [];
  for (const s of segments) {
    if (!s.name.startsWith("module.") || s === segments[segments.length - 1]) break;
    modules.push(s);
  }
  return modules.length ? formatAddress(modules) : "root";
}
