import { spawn } from "child_process";
import type { TerraformJson } from "../constructs/terraform-json";
import { ApiModel } from "./api-model";
import { ApiSelection, buildApiModel, TerraformResource } from "./api-resources";

/**
 * Reads the API a Terraform root applied from its state, as printed by
 * `terraform show -json`: the source of truth for `npm run local`. The state
 * holds every attribute resolved (module variables, `for_each` over
 * `custom_routes`, stage variables holding the NLB's DNS name, Terraform's
 * `$${` escapes undone), for the root module and every child module.
 */
export function apiFromTerraformState(state: unknown, selection: ApiSelection = {}, source = "the Terraform state"): ApiModel {
  const root = (state as TerraformJson | undefined)?.values?.root_module;
  if (!root) throw new Error(`${source} holds no resources (is it the output of terraform show -json after an apply?)`);
  const resources: TerraformResource[] = [];
  const walk = (module: TerraformJson) => {
    for (const r of module.resources ?? []) {
      if (r.mode === "managed") resources.push({ address: r.address, type: r.type, values: r.values ?? {} });
    }
    for (const child of module.child_modules ?? []) walk(child);
  };
  walk(root);
  return buildApiModel(resources, selection, source);
}

/**
 * Runs a terraform command that prints JSON (`show -json`, `output -json`) in
 * a root and returns the parsed output; a failure's message holds terraform's
 * stderr.
 */
export function terraformJson(dir: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TerraformJson> {
  const command = `terraform ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd: dir, env });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${command} failed in ${dir} (exit ${code}): ${err.trim()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString("utf8")));
      } catch (e) {
        reject(new Error(`${command} printed no JSON in ${dir}: ${(e as Error).message}`));
      }
    });
  });
}

/** Runs `terraform show -json` in a root and returns the parsed state. */
export function showState(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  return terraformJson(dir, ["show", "-json", "-no-color"], env);
}
