/**
 * `npm run guardrails`: the synth-time rule pack (constructs/guardrails/)
 * on any Terraform plan or folder of Terraform JSON, for users of the
 * modules from HCL (docs/guardrails.md, "Guardrails for plain Terraform").
 *
 *   npm run guardrails -- <plan.json | folder of .tf.json | file.tf.json> [--sarif <file>]
 *     [--suppressions <file>] [--production] [--require-log-kms] [--require-lb-access-logs]
 *     [--report-info] [--wildcard-resource-action <action>]...
 *
 * Prints each finding as the synth does, then a summary. Exit code, as the
 * synth: 1 when a rule of severity error fires (not suppressed), 0
 * otherwise (warnings and info print); 2 for a bad command line or input.
 */
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../constructs/guardrails";
import { AddressSegment, formatAddress, parseAddress } from "../constructs/guardrails/address";
import { evaluateUnits } from "../constructs/guardrails/engine";
import { toSarif } from "../constructs/guardrails/sarif";
import { FileSuppression, readSuppressionFile, suppressionsInForce } from "../constructs/guardrails/suppression-file";
import { GuardrailsOptions, GuardrailsReport, Violation } from "../constructs/guardrails/types";
import { PROJECT_DIR } from "../stacks/paths";
import { parseArgs, UsageError } from "./lib/cli-args";
import { DEFAULT_SUPPRESSION_FILE, readGuardrailsInput } from "./lib/guardrails-input";

const USAGE =
  "npm run guardrails -- <plan.json | folder of .tf.json> [--sarif <file>] [--suppressions <file>] [--production] [--require-log-kms] [--require-lb-access-logs] [--report-info] [--wildcard-resource-action <action>]";

function main(argv: string[]): number {
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
      console.log(
        `${USAGE}\n\nRuns the project's rule pack on a Terraform plan (terraform show -json <planfile>) or Terraform JSON files; docs/guardrails.md.`,
      );
      return 0;
    }
    if (args.positional.length !== 1) {
      throw new UsageError(
        `give one plan JSON file or folder, got ${args.positional.length ? args.positional.map((p) => JSON.stringify(p)).join(" and ") : "none"} (${USAGE})`,
      );
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`guardrails: ${e.message}`);
    return 2;
  }
  const options: GuardrailsOptions = {
    production: args.booleans.has("--production"),
    requireLogKms: args.booleans.has("--require-log-kms"),
    requireLbAccessLogs: args.booleans.has("--require-lb-access-logs"),
    reportInfo: args.booleans.has("--report-info"),
    wildcardResourceActions: [...(args.repeated.get("--wildcard-resource-action") ?? [])],
  };
  // npm runs scripts in the project folder; paths are the user's, relative to where npm was started.
  const base = process.env.INIT_CWD || process.cwd();
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
    console.log(
      `guardrails: ${ran} rules on ${input.artifactUri} (${input.description}, ${blocks} blocks)${suppressions.length ? `, suppressions from ${shownFile}` : ""}`,
    );
    for (const note of input.notes) console.log(`  note: ${note}`);
    printReport(report, options);
    const sarifFile = args.values.has("--sarif") ? path.resolve(base, args.values.get("--sarif") as string) : undefined;
    if (sarifFile) {
      const version = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version as string;
      const log = toSarif({ report, rules: RULES, options, artifactUri: input.artifactUri, version });
      fs.mkdirSync(path.dirname(path.resolve(sarifFile)), { recursive: true });
      fs.writeFileSync(sarifFile, `${JSON.stringify(log, null, 2)}\n`);
      console.log(`SARIF 2.1.0 written to ${path.relative(base, sarifFile)} (${log.runs[0].results?.length ?? 0} results)`);
    }
    return report.errors.length ? 1 : 0;
  } catch (e) {
    console.error(`guardrails: ${(e as Error).message}`);
    return 2;
  }
}

/** The findings as the synth prints them (`  <where>: <level>: <message>`), suppressions with their reasons, then a summary. */
function printReport(report: GuardrailsReport, options: GuardrailsOptions): void {
  const where = (v: Violation) => moduleOf(v.path);
  for (const v of report.violations) {
    if (v.severity === "info" && !options.reportInfo) continue;
    console.log(`  ${where(v)}: ${v.severity}: ${v.message}`);
  }
  for (const s of report.suppressions) console.log(`  ${s.message}`);
  const infos = report.violations.filter((v) => v.severity === "info").length;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  console.log(
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

process.exitCode = main(process.argv.slice(2));
