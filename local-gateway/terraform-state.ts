import { spawn } from "child_process";
import type { TerraformJson } from "../constructs/terraform-json";
import { ApiModel } from "./api-model";
import { ApiSelection, buildApiModel, TerraformResource } from "./api-resources";

/**
 * Reads the API a Terraform root applied from its state, as printed by
 * `terraform show -json` (or {@link showState}): the source of truth for `npm run local`. The state
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

/** Runs a terraform command in a root and returns its standard output; a failure's message holds terraform's stderr. */
function terraformStdout(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd: dir, env });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("utf8"))
        : reject(new Error(`terraform ${args.join(" ")} failed in ${dir} (exit ${code}): ${err.trim()}`)),
    );
  });
}

/** Parses what `terraform <args>` printed as JSON, or says that it printed none. */
function parsedFrom(text: string, dir: string, args: string[]): TerraformJson {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`terraform ${args.join(" ")} printed no JSON in ${dir}: ${(e as Error).message}`);
  }
}

/**
 * Runs a terraform command that prints JSON (`show -json`, `output -json`) in
 * a root and returns the parsed output; a failure's message holds terraform's
 * stderr.
 */
export async function terraformJson(dir: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TerraformJson> {
  return parsedFrom(await terraformStdout(dir, args, env), dir, args);
}

/**
 * A state as `terraform state pull` prints it (the state file, format 4) in
 * the shape `terraform show -json` gives its `values`, as far as the readers
 * here use it: every managed resource instance of every module, each with
 * its address, type and attribute values, in the root module's list. An
 * empty state (`state pull` prints nothing) has no `values`, as in show.
 */
export function shownFromPulledState(pulled: unknown): TerraformJson {
  const resources = (pulled as TerraformJson | undefined)?.resources;
  if (!Array.isArray(resources)) return {};
  const shown: TerraformJson[] = [];
  for (const r of resources as TerraformJson[]) {
    if (r.mode !== "managed") continue;
    for (const instance of r.instances ?? []) {
      const key = instance.index_key === undefined ? "" : `[${JSON.stringify(instance.index_key)}]`;
      shown.push({
        address: `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}${key}`,
        mode: "managed",
        type: r.type,
        name: r.name,
        values: instance.attributes ?? {},
      });
    }
  }
  return { values: { root_module: { resources: shown } } };
}

/**
 * Reads a root's state with `terraform state pull` and returns it as
 * {@link shownFromPulledState} does. Not `terraform show -json`: that starts
 * the provider to load its schema (the AWS provider: ~2.5 CPU-s and a second
 * or more per read; `state pull` starts none, ~0.05 CPU-s), and verify reads
 * a root's state on every run.
 */
export async function showState(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<TerraformJson> {
  const args = ["state", "pull"];
  const pulled = await terraformStdout(dir, args, env);
  return pulled.trim() === "" ? {} : shownFromPulledState(parsedFrom(pulled, dir, args));
}
