import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TerraformJson } from "../../constructs/terraform-json";
import { loadSettings } from "../../stacks/config";
import { PROJECT_DIR } from "../../stacks/paths";
import { synthesize } from "../../stacks/synth";

/** The stacks whose synthesized Terraform is a contract: two modules for HCL users and the chat system. */
export const CONTRACT_STACKS = ["websocket-nlb", "websocket-alb", "chat"] as const;
type ContractStack = (typeof CONTRACT_STACKS)[number];

/**
 * Synthesizes every stack with the committed defaults (cdktf.json's
 * `context.settings`, no config file, no WSGW_* variables: what a fresh clone
 * gets from `npm run synth`) and returns each stack's parsed `cdk.tf.json`.
 * The synth runs in a scratch folder that is removed afterwards.
 */
export function synthesizeDefaults(): Record<ContractStack, TerraformJson> {
  const settings = loadSettings({ projectDir: PROJECT_DIR, argv: [], env: {} });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "wsgw-contracts-"));
  try {
    synthesize(settings, scratch);
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(scratch, "stacks", name, "cdk.tf.json"), "utf8"));
    return Object.fromEntries(CONTRACT_STACKS.map((name) => [name, read(name)])) as Record<ContractStack, TerraformJson>;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
