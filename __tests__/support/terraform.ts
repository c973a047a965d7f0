import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { synthesize } from "../../stacks/synth";
import { ProjectStacks } from "../../stacks/app";
import { settingsWith, PROJECT_DIR } from "../helpers";
import { CPU_LINE, splitCpu } from "../../scripts/test";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { forgetLockedHashes } = require("../../scripts/terraform-env");

/**
 * After a successful `init` in a test's scratch root: the lock file keeps the
 * provider's version, not its hashes, so later commands skip re-hashing the
 * 707 MB provider (~0.65 CPU-s each; scripts/terraform-env.js, forgetLockedHashes).
 */
function afterCommand(cwd: string, args: string[], status: number): void {
  if (status === 0 && args[0] === "init") forgetLockedHashes(cwd);
}

/**
 * Whether an external tool is on PATH. Missing in CI (CI=true) it is an
 * error: these suites must fail loudly there, never skip. Elsewhere the
 * suite is skipped with a warning.
 */
export function toolAvailable(name: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
  if (!found && process.env.CI) throw new Error(`${name} is not on PATH, and CI=true: install it (see docs/testing.md) instead of skipping these tests`);
  if (!found) console.warn(`SKIPPED: ${name} is not on PATH; these tests need it (they fail instead of skipping when CI=true)`);
  return found;
}

/** describe() when the tools are there, describe.skip() (with a warning) otherwise. */
export function describeWith(tools: string[]): jest.Describe {
  return tools.every(toolAvailable) ? describe : describe.skip;
}

/** A fresh folder under .tmp/, removed by {@link removeWorkdir}. */
export function workdir(prefix: string): string {
  const base = path.join(PROJECT_DIR, ".tmp", "terraform");
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

export function removeWorkdir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface RunResult {
  readonly status: number;
  readonly output: string;
}

/** Runs terraform in `cwd` with the project's CLI configuration (set in jest.config.js). */
export function terraformRun(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 15 * 60_000): RunResult {
  const r = spawnSync("terraform", [...args, ...(args[0] === "version" ? [] : ["-no-color"])], {
    cwd,
    env: { ...process.env, TF_IN_AUTOMATION: "1", ...env },
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  afterCommand(cwd, args, r.status ?? -1);
  return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/**
 * Runs `command "$@"` through sh with `args` in `cwd`, without blocking the
 * worker, then has sh print the CPU time of the command and everything it
 * started ({@link CPU_LINE}). Resolves with the exit status, standard output,
 * both streams together (a stop by a signal said at the end) and the CPU seconds.
 */
export function spawnWithCpu(
  command: string,
  args: string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number; readonly name: string },
): Promise<RunResult & { readonly stdout: string; readonly cpuSeconds: number }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", `${command} "$@"; rc=$?; ${CPU_LINE}; exit $rc`, "sh", ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    const stdout: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => {
      chunks.push(c);
      stdout.push(c);
    });
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    let error = "";
    child.on("error", (e) => (error = String(e)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const killed = signal ? `\n${options.name} was stopped by ${signal}${signal === "SIGKILL" ? ` after ${options.timeoutMs} ms` : ""}` : "";
      const { output, cpuSeconds } = splitCpu(`${Buffer.concat(chunks).toString("utf8")}${error}${killed}`);
      resolve({ status: code ?? -1, output, stdout: Buffer.concat(stdout).toString("utf8"), cpuSeconds });
    });
  });
}

/**
 * {@link terraformRun} without blocking the worker: several roots (a fixture
 * and a stack, several plans) can run at once, and a test can wait on them.
 * Also says how much CPU terraform and its provider processes took.
 */
export async function terraformRunAsync(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 15 * 60_000,
): Promise<RunResult & { readonly stdout: string; readonly cpuSeconds: number }> {
  const all = [...args, ...(args[0] === "version" ? [] : ["-no-color"])];
  const r = await spawnWithCpu("terraform", all, { cwd, env: { ...process.env, TF_IN_AUTOMATION: "1", ...env }, timeoutMs, name: "terraform" });
  afterCommand(cwd, args, r.status);
  return r;
}

/** {@link terraform} without blocking the worker: resolves with the output, rejects with it when terraform fails. */
export async function terraformAsync(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<string> {
  const r = await terraformRunAsync(cwd, args, env, timeoutMs);
  if (r.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.status}):\n${r.output}`);
  return r.output;
}

/** Runs a terraform command that prints JSON (`output -json`, `show -json`, `state pull`) and parses its standard output. */
export async function terraformJsonAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<any> {
  const r = await terraformRunAsync(cwd, args, env);
  if (r.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.status}):\n${r.output}`);
  return JSON.parse(r.stdout);
}

/** The changes of a `plan -detailed-exitcode` run: "" when none; throws when the plan failed. */
export function planChangesOf(r: RunResult): string {
  if (r.status === 0) return "";
  if (r.status === 2)
    return r.output
      .split("\n")
      .filter((l) => /^\s+[~+-]|^\s+# |^Plan:/.test(l))
      .join("\n");
  throw new Error(`the plan failed (exit ${r.status}):\n${r.output}`);
}

/** Runs terraform and throws with its output when it fails. */
export function terraform(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs?: number): string {
  const r = terraformRun(cwd, args, env, timeoutMs);
  if (r.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.status}):\n${r.output}`);
  return r.output;
}

/** Synthesizes every stack with `overrides` on top of the defaults into `outdir`. */
export function synthInto(outdir: string, overrides: unknown = {}): ProjectStacks {
  return synthesize(settingsWith(overrides), outdir);
}

/** Provider settings that let `plan` run without an AWS account (no data source may call AWS). */
export const OFFLINE_PROVIDER = {
  region: "us-east-1",
  access_key: "offline-plan",
  secret_key: "offline-plan",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: "true",
};

/** Writes a JSON file. */
export function writeJson(file: string, content: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
}

/** One module call of a shared HCL root: the module's folder, its inputs, and the outputs its test reads. */
export interface ModuleInstance {
  readonly source: string;
  readonly inputs: Record<string, unknown>;
  readonly outputs?: readonly string[];
}

/**
 * Writes one HCL root (`main.tf.json`, offline provider) calling each of
 * `instances` as `module "<name>"`, and exposing each instance's outputs as
 * root outputs named `<name>__<output>`. Several configurations of the
 * modules then cost one `init`, one `plan` and one `show -json` (about 5 CPU
 * s of Terraform and provider start-up each, docs/testing.md) instead of one
 * each; {@link instancePlan} reads one instance back as if it had been planned alone.
 */
export function writeModulesRoot(dir: string, instances: Record<string, ModuleInstance>): void {
  const output: Record<string, unknown> = {};
  for (const [name, i] of Object.entries(instances)) for (const o of i.outputs ?? []) output[`${name}__${o}`] = { value: `\${module.${name}.${o}}` };
  writeJson(path.join(dir, "main.tf.json"), {
    provider: { aws: OFFLINE_PROVIDER },
    module: Object.fromEntries(Object.entries(instances).map(([name, i]) => [name, { source: i.source, ...i.inputs }])),
    ...(Object.keys(output).length > 0 && { output }),
  });
}

/**
 * One instance of a root written by {@link writeModulesRoot}, shaped as the
 * plan of a root that called it alone: its resources as the root module's
 * (so {@link plannedResources} reads them), its outputs under their own
 * names, and its checks (`checks`: the status and problems of each check block of the instance).
 */
export function instancePlan(plan: any, name: string): any {
  const address = `module.${name}`;
  const child = (plan.planned_values?.root_module?.child_modules ?? []).find((m: any) => m.address === address);
  if (!child) throw new Error(`the plan has no module instance ${address}`);
  const prefix = `${name}__`;
  const outputs = Object.fromEntries(
    Object.entries(plan.planned_values?.outputs ?? {})
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  const checks = (plan.checks ?? []).filter((c: any) => c.address?.kind === "check" && c.address?.module === address);
  return { planned_values: { root_module: child, outputs }, checks };
}

/** The messages of the failed check blocks of an {@link instancePlan}, each on one line. */
export function failedChecks(instance: any): string[] {
  return instance.checks.flatMap((c: any) =>
    (c.instances ?? []).filter((i: any) => i.status === "fail").flatMap((i: any) => (i.problems ?? []).map((p: any) => String(p.message).replace(/\s+/g, " "))),
  );
}

/**
 * The error diagnostics of a failed plan of a {@link writeModulesRoot} root,
 * by module instance: Terraform names the call (`in module.<name>`) of an
 * input variable's validation, and the instance's folder
 * (`.terraform/modules/<name>/`) of a precondition. Each instance's text is
 * on one line (Terraform wraps long messages).
 */
export function errorsByInstance(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of output.split(/^(?=(?:│\s*)?Error: )/m).slice(1)) {
    const name = /in module\.(\w+)|\.terraform\/modules\/(\w+)\//.exec(block);
    if (!name) continue;
    const key = name[1] ?? name[2];
    out[key] = `${out[key] ?? ""} ${block.replace(/\n│\s*/g, " ").replace(/\s+/g, " ")}`.trim();
  }
  return out;
}

/**
 * Copies an HCL example into `dir` as a user would take it, every file of it
 * (its guardrails-suppressions.json too): its module source
 * `../../modules/<name>` (standing for the git:: or registry source) is
 * pointed at the committed modules/<name> folder of this repository, by a
 * relative path, so Terraform uses the committed files in place; or, with
 * `copyModule`, at a copy of that module in `dir/module` (its Terraform files
 * and the assets they name), so override files can reach its resources.
 * Returns the module's name.
 */
export function copyExample(example: string, dir: string, options: { copyModule?: boolean } = {}): string {
  const from = path.join(PROJECT_DIR, "examples", example);
  let module: string | undefined;
  for (const file of fs.readdirSync(from)) {
    let text = fs.readFileSync(path.join(from, file), "utf8");
    if (file.endsWith(".tf"))
      text = text.replace(/"\.\.\/\.\.\/modules\/([a-z-]+)"/g, (_, name) => {
        module = name;
        return JSON.stringify(options.copyModule ? "./module" : path.relative(dir, path.join(PROJECT_DIR, "modules", name)));
      });
    fs.writeFileSync(path.join(dir, file), text);
  }
  if (!module) throw new Error(`examples/${example} must use a module as source = "../../modules/<name>", got none`);
  if (options.copyModule) {
    const committed = path.join(PROJECT_DIR, "modules", module);
    fs.mkdirSync(path.join(dir, "module"));
    for (const f of fs.readdirSync(committed).filter((f) => f.endsWith(".tf.json"))) fs.copyFileSync(path.join(committed, f), path.join(dir, "module", f));
    if (fs.existsSync(path.join(committed, "assets"))) fs.cpSync(path.join(committed, "assets"), path.join(dir, "module", "assets"), { recursive: true });
  }
  return module;
}

/** Plans `dir` offline (init first) and returns `terraform show -json` of the plan. */
export function planJson(dir: string, extraArgs: string[] = []): any {
  return planWithOutput(dir, extraArgs).plan;
}

/*
 * VALIDATED_BY_PLAN: a root that a test plans is not also given `terraform
 * validate`. Before it plans, `terraform plan` runs the validate walk on the
 * whole configuration (terraform's internal/backend/local/backend_local.go,
 * localRun: "If we have an operation, then we automatically do the
 * input/validate here since every option requires this ... if
 * b.OpValidation { ... Core.Validate(config) }") and stops with its errors.
 * Seen here with terraform 1.11 and the AWS provider: a resource with count
 * = 0 and delay_seconds = 99999 fails validate and fails plan with the same
 * error, though the plan has nothing of it to plan. A validate beside the
 * plan was one more provider start and schema load, ~2.5 CPU-s per root
 * (docs/testing.md, "Fourth pass").
 */

/** Plans `dir` offline: `terraform show -json` of the plan, and what plan printed (its warnings). */
export function planWithOutput(dir: string, extraArgs: string[] = []): { plan: any; output: string } {
  terraform(dir, ["init", "-input=false"]);
  const output = terraform(dir, ["plan", "-input=false", "-lock=false", "-out=plan.bin", ...extraArgs]);
  return { plan: JSON.parse(terraform(dir, ["show", "-json", "plan.bin"])), output };
}

/** Planned managed resources of a type, in every module of the plan. */
export function plannedResources(plan: any, type: string): any[] {
  const out: any[] = [];
  const walk = (m: any) => {
    for (const r of m?.resources ?? []) if (r.type === type && r.mode === "managed") out.push(r);
    for (const c of m?.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values?.root_module);
  return out;
}

/** Required inputs of each module for offline plans (vpc_id and alb_listener_port given: no AWS reads). */
export const MODULE_INPUTS: Record<string, Record<string, unknown>> = {
  "websocket-nlb": {
    api_name: "game",
    nlb_name: "game-nlb",
    nlb_subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    target_group_name: "game-tg",
    vpc_id: "vpc-0123456789abcdef0",
    vpc_link_name: "game",
    vpc_link_subnet_ids: ["subnet-0123456789abcdef0"],
    vpc_link_security_group_ids: ["sg-0123456789abcdef0"],
  },
  "websocket-alb": {
    api_name: "my-websocket-api",
    alb_listener_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2",
    vpc_link_name: "my-vpc-link",
    vpc_link_subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    vpc_link_security_group_ids: ["sg-0123456789abcdef0"],
    vpc_id: "vpc-0123456789abcdef0",
    alb_listener_port: 80,
  },
};
