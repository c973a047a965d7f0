import type { TerraformJson } from "../terraform-json";
import { modelOf } from "./model";
import { StackModel, TfBlock } from "./types";

/** One `.tf.json` file of a folder, parsed. */
export interface TerraformJsonFile {
  /** Its name (an override file is named `override.tf.json` or `<x>_override.tf.json`). */
  readonly name: string;
  readonly json: unknown;
}

/**
 * A folder of Terraform JSON configuration (a synthesized stack's
 * `cdk.tf.json`, a committed module such as modules/websocket-nlb) as the
 * rules read a stack: each block as written, references as `"${...}"`
 * text, addresses as Terraform's (`aws_lb.x`, `data.t.n`, `var.x`,
 * `module.x`, `provider.aws`), which are also the blocks' paths.
 *
 * Override files are merged the way Terraform merges them: after the other
 * files, each block's top-level arguments (and nested block types, as
 * wholes) replace those of the block it overrides
 * (https://developer.hashicorp.com/terraform/language/files/override).
 * Modules the configuration calls are not read: give their folder, or plan
 * the root and give the plan.
 */
export function readTerraformJson(files: readonly TerraformJsonFile[]): StackModel {
  const isOverride = (name: string) => /(^|_)override\.tf\.json$/.test(name);
  const ordered = [...files.filter((f) => !isOverride(f.name)), ...files.filter((f) => isOverride(f.name))];
  const blocks = new Map<string, TfBlock>();
  for (const file of ordered) {
    if (!isRecord(file.json))
      throw new Error(`${file.name} must hold a JSON object of Terraform blocks, got ${Array.isArray(file.json) ? "a list" : typeof file.json}`);
    const override = isOverride(file.name);
    const put = (kind: string, type: string, name: string, address: string, config: unknown) => {
      if (!isRecord(config)) return;
      const base = blocks.get(address);
      if (override && !base && kind !== "terraform") {
        throw new Error(
          `${file.name} overrides ${address}, which no other file of the folder declares: Terraform rejects that too ("Missing base ... to override")`,
        );
      }
      blocks.set(address, { kind, type, name, address, path: address, config: override && base ? { ...base.config, ...config } : (config as TerraformJson) });
    };
    for (const [kind, body] of entries(file.json)) {
      if (kind === "//") continue;
      if (kind === "resource" || kind === "data") {
        for (const [type, byName] of entries(body)) {
          if (type === "//") continue;
          for (const [name, config] of entries(byName)) put(kind, type, name, kind === "data" ? `data.${type}.${name}` : `${type}.${name}`, config);
        }
      } else if (kind === "variable" || kind === "output" || kind === "module") {
        for (const [name, config] of entries(body)) put(kind, kind, name, `${kind === "variable" ? "var" : kind}.${name}`, config);
      } else if (kind === "provider") {
        for (const [name, configs] of entries(body)) {
          for (const config of Array.isArray(configs) ? configs : [configs]) {
            const alias = isRecord(config) && typeof config.alias === "string" ? `.${config.alias}` : "";
            put(kind, name, name, `provider.${name}${alias}`, config);
          }
        }
      } else if (kind === "locals") {
        // One block of every local, as the synth model has it (rules scan its values by name).
        const all = Object.fromEntries(entries(body));
        const base = blocks.get("locals");
        blocks.set("locals", { kind, type: kind, name: kind, address: kind, path: kind, config: { ...(base?.config ?? {}), ...all } });
      } else {
        put(kind, kind, kind, kind, body);
      }
    }
  }
  return modelOf([...blocks.values()]);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The properties of an object, or of each object of a list (Terraform JSON allows both at every level). */
function entries(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap(entries);
  return isRecord(value) ? Object.entries(value) : [];
}
