import * as fs from "fs";
import * as path from "path";
import { readTerraformJson } from "../../constructs/guardrails/config-model";
import { isPlan, readPlan } from "../../constructs/guardrails/plan-model";
import { StackModel } from "../../constructs/guardrails/types";

/** The suppression file `npm run guardrails` reads when none is given: beside the plan, or in the folder. */
export const DEFAULT_SUPPRESSION_FILE = "guardrails-suppressions.json";

/** What `npm run guardrails` reads: units of blocks and where they came from. */
export interface GuardrailsInput {
  readonly units: ReadonlyArray<{ readonly label: string; readonly model: StackModel }>;
  /** One line: what was read (`a plan by Terraform 1.11.4`, `Terraform JSON: 4 files`). */
  readonly description: string;
  /** The input as a URI relative to the working folder, for SARIF. */
  readonly artifactUri: string;
  /** Where a suppression file is looked for when none is given. */
  readonly defaultSuppressionFile: string;
  /** Things the user should know about what was not read. */
  readonly notes: readonly string[];
}

/**
 * Reads a plan JSON file (`terraform show -json <planfile>`), a folder of
 * `.tf.json` files, or one `.tf.json` file. Throws with a message that says
 * what was found and what to give instead.
 */
export function readGuardrailsInput(given: string, cwd = process.cwd()): GuardrailsInput {
  const full = path.resolve(cwd, given);
  const artifactUri = path.relative(cwd, full).split(path.sep).join("/") || ".";
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new Error(`the input must be a plan JSON file or a folder of .tf.json files, got ${JSON.stringify(given)}, which does not exist: check the path`);
  }
  if (stat.isDirectory()) {
    const names = fs.readdirSync(full).sort();
    const jsonFiles = names.filter((n) => n.endsWith(".tf.json"));
    const hcl = names.filter((n) => n.endsWith(".tf"));
    if (jsonFiles.length === 0) {
      throw new Error(
        `the folder ${JSON.stringify(given)} must hold .tf.json files, got ${hcl.length ? `${hcl.length} HCL .tf file(s)` : "none"}: for HCL, plan it and give the plan (terraform plan -out plan.bin && terraform show -json plan.bin > plan.json)`,
      );
    }
    const model = readTerraformJson(jsonFiles.map((name) => ({ name, json: parseJson(path.join(full, name), name) })));
    const notes = [
      ...(hcl.length ? [`${hcl.length} HCL .tf file(s) in the folder were not read (${hcl.join(", ")}): plan the folder and give the plan to check them`] : []),
      ...(model.blocks.some((b) => b.kind === "module")
        ? ["the modules the folder calls were not read: give each module's folder, or the plan of this root"]
        : []),
    ];
    return {
      units: [{ label: path.basename(full), model }],
      description: `Terraform JSON, ${jsonFiles.length} file${jsonFiles.length === 1 ? "" : "s"}`,
      artifactUri,
      defaultSuppressionFile: path.join(full, DEFAULT_SUPPRESSION_FILE),
      notes,
    };
  }
  const json = parseJson(full, given);
  const dir = path.dirname(full);
  if (isPlan(json)) {
    const plan = readPlan(json);
    return {
      units: plan.units,
      description: `a plan${plan.terraformVersion ? ` by Terraform ${plan.terraformVersion}` : ""}, ${plan.units.length} module instance${plan.units.length === 1 ? "" : "s"}`,
      artifactUri,
      defaultSuppressionFile: path.join(dir, DEFAULT_SUPPRESSION_FILE),
      notes: plan.units.length ? [] : ["the plan has no resources (nothing to check): did it plan the right root, with its variables?"],
    };
  }
  if (full.endsWith(".tf.json")) {
    return {
      units: [{ label: path.basename(full), model: readTerraformJson([{ name: path.basename(full), json }]) }],
      description: "Terraform JSON, 1 file",
      artifactUri,
      defaultSuppressionFile: path.join(dir, DEFAULT_SUPPRESSION_FILE),
      notes: [],
    };
  }
  readPlan(json); // throws with what the file looks like instead
  throw new Error("unreachable");
}

function parseJson(file: string, shown: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${shown} must be JSON, got text that does not parse (${(e as Error).message}): give the output of terraform show -json, not of terraform show`,
    );
  }
}
