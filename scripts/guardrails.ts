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
import { runGuardrails } from "./lib/guardrails-cli";

// npm runs scripts in the project folder; paths are the user's, relative to where npm was started.
process.exitCode = runGuardrails(process.argv.slice(2), process.env.INIT_CWD || process.cwd());
