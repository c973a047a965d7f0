import type * as Sarif from "sarif";
import { GuardrailRule, GuardrailsOptions, GuardrailsReport, Severity, Violation } from "./types";

/** What a SARIF log is written for. */
export interface SarifInput {
  readonly report: GuardrailsReport;
  /** The rules that ran (their metadata goes into the log's rule list). */
  readonly rules: readonly GuardrailRule[];
  readonly options: GuardrailsOptions;
  /** The file the findings were read from, as a relative URI (`plan.json`, `cdktf.out/stacks/chat/cdk.tf.json`). */
  readonly artifactUri: string;
  /** The tool's version (the project's, package.json). */
  readonly version: string;
}

const LEVEL: Record<Severity, Sarif.Result.level> = { error: "error", warning: "warning", info: "note" };

/**
 * A SARIF 2.1.0 log of a guardrails report, for code-scanning tools: one
 * run, the pack's rules (id, description, fix, Checkov ids, default level
 * under the options), one result per violation, and the suppressed ones
 * with their suppression's reason (`suppressions[].justification`, kind
 * `external` for a suppression file, `inSource` for `Guardrails.suppress`).
 * Results have the resource as a logical location (its instance address)
 * and the input file as the physical one: a plan has no line numbers.
 */
export function toSarif(input: SarifInput): Sarif.Log {
  const active = input.rules.filter((r) => r.severity(input.options) !== undefined);
  const index = new Map(active.map((r, i) => [r.id, i]));
  const result = (v: Violation, suppression?: { reason: string; inSource: boolean }): Sarif.Result => ({
    ruleId: v.ruleId,
    ruleIndex: index.get(v.ruleId),
    level: LEVEL[v.severity],
    message: { text: v.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: input.artifactUri } },
        logicalLocations: [{ fullyQualifiedName: v.path, name: v.address, kind: "resource" }],
      },
    ],
    partialFingerprints: { "guardrails/v1": `${v.ruleId}|${v.path}|${v.setting}` },
    ...(suppression && { suppressions: [{ kind: suppression.inSource ? "inSource" : "external", status: "accepted", justification: suppression.reason }] }),
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "websocket-gateway-cdktf guardrails",
            version: input.version,
            rules: active.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.details ? `${r.description} ${r.details}` : r.description },
              help: { text: `Fix: ${r.fix}. Catalogue: docs/guardrails.md#${r.id.toLowerCase()}.` },
              defaultConfiguration: { level: LEVEL[r.severity(input.options) as Severity] },
              properties: { tags: ["security", "terraform", "aws"], checkov: [...r.checkov] },
            })),
          },
        },
        artifacts: [{ location: { uri: input.artifactUri } }],
        results: [
          ...input.report.violations.map((v) => result(v)),
          ...input.report.suppressions.flatMap((s) => s.silenced.map((v) => result(v, { reason: s.reason, inSource: s.construct !== undefined }))),
        ],
      },
    ],
  };
}
