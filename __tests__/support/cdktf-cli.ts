import * as fs from "fs";
import * as path from "path";
import { motoAvailable } from "../../scripts/emulator";
import { PROJECT_DIR } from "../helpers";
import { spawnWithCpu, toolAvailable } from "./terraform";

/** What scripts/terraform-env.js exports (a plain Node script). */
export interface TerraformEnvModule {
  terraformEnv(env?: NodeJS.ProcessEnv): Record<string, string>;
  cliConfig(mirror: string | undefined, cacheDir: string): string;
  mirrorPath(env?: NodeJS.ProcessEnv): string | undefined;
  mirrorPlatforms(mirror: string, address: string): string[];
  providerAddress(source: string): string;
  parseLockFile(text: string): Record<string, string | undefined>;
  lockedConstraintMatches(required: string | undefined, locked: string): boolean;
  providersToLock(stackDir: string): string[];
  lockFromMirror(outdir: string, mirror: string, env?: NodeJS.ProcessEnv): { stack: string; providers: string[]; platforms: string[] }[];
  cdktfLockStep(command: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string): { outdir: string; app?: string; synth: boolean } | undefined;
  MIRRORED_PROVIDERS: string[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const terraformEnvScript = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js")) as TerraformEnvModule;

/** The cdktf CLI of the project (a devDependency). */
export const CDKTF_BIN = path.join(PROJECT_DIR, "node_modules", ".bin", "cdktf");

/**
 * describe() when terraform, moto, the cdktf CLI and a provider mirror are
 * there. With CI=true a missing one is an error (these tests must fail
 * loudly there, never skip); elsewhere the suite is skipped with a warning.
 */
export function describeCdktfCli(): jest.Describe {
  if (!toolAvailable("terraform")) return describe.skip;
  const missing: string[] = [];
  if (!(motoAvailable() || toolAvailable("moto_server"))) missing.push("moto (moto_server)");
  if (!fs.existsSync(CDKTF_BIN)) missing.push(`the cdktf CLI (${path.relative(PROJECT_DIR, CDKTF_BIN)}; run npm ci)`);
  if (!terraformEnvScript.mirrorPath())
    missing.push(`a filesystem mirror of hashicorp/aws (${process.env.WSGW_TF_MIRROR ?? "/opt/tf-plugins"}; WSGW_TF_MIRROR): this suite deploys offline`);
  if (missing.length === 0) return describe;
  if (process.env.CI) throw new Error(`the cdktf CLI e2e suite needs ${missing.join(", ")}, and CI=true: install it instead of skipping these tests`);
  console.warn(`SKIPPED: the cdktf CLI e2e suite needs ${missing.join(", ")} (it fails instead of skipping when CI=true)`);
  return describe.skip;
}

/** One run of an npm script: exit status, output without colours, seconds taken, CPU seconds of its processes (NaN where unknown). */
export interface NpmRun {
  readonly status: number;
  readonly output: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/**
 * A closed loopback port as the HTTP(S) proxy: any request that would leave
 * the machine (registry, telemetry, a forgotten AWS endpoint) fails at once,
 * even outside the isolated network namespace. Go and the AWS SDK never send
 * loopback requests through a proxy, so the emulator is still reached.
 */
export const NO_INTERNET: Record<string, string> = {
  HTTPS_PROXY: "http://127.0.0.1:9",
  HTTP_PROXY: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  http_proxy: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
  npm_config_update_notifier: "false",
};

/**
 * Runs `npm run <script> -- <args>` in the project folder, as the README
 * tells a user to, with extra environment variables, without blocking the
 * worker (the emulator's deployment fixture waits on it).
 */
export async function npmRun(script: string, args: string[], env: Record<string, string>, timeoutMs = 15 * 60_000): Promise<NpmRun> {
  const started = Date.now();
  // Through sh, which then prints the CPU time of npm and everything it started.
  const r = await spawnWithCpu("npm run --silent", [script, "--", ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...env },
    timeoutMs,
    name: `npm run ${script}`,
  });
  // eslint-disable-next-line no-control-regex
  return { status: r.status, output: r.output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""), seconds: (Date.now() - started) / 1000, cpuSeconds: r.cpuSeconds };
}

/** Fails with the command's output when it did not exit 0. */
export function expectSuccess(run: NpmRun, what: string): void {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}) after ${run.seconds.toFixed(0)} s:\n${run.output.slice(-8000)}`);
}
