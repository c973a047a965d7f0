import * as fs from "fs";
import * as path from "path";
import { emulatorProviderArguments } from "../../stacks/target";
import { Emulator, motoAvailable, startEmulator } from "../../scripts/emulator";
import { planChangesOf, terraform, terraformRun, toolAvailable, workdir, writeJson } from "./terraform";

export const REGION = "us-east-1";

// The suites read the emulator with the AWS SDK v3, which warns once per worker
// that its 2027 releases need Node.js 22; this machine runs Node.js 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** describe() when terraform and moto are there (fails in CI when they are not). */
export function describeE2e(): jest.Describe {
  const ok = toolAvailable("terraform") && (motoAvailable() || toolAvailable("moto_server"));
  return ok ? describe : describe.skip;
}

/** Starts an emulator for one test file; its log goes next to the Terraform files. */
export async function emulatorFor(name: string): Promise<{ emulator: Emulator; dir: string }> {
  const dir = workdir(`e2e-${name}`);
  const emulator = await startEmulator({ log: path.join(dir, "moto.log") });
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(emulator.endpoint)) throw new Error(`refusing a non-loopback emulator endpoint ${emulator.endpoint}`);
  await emulator.reset();
  return { emulator, dir };
}

/** Configuration of every AWS SDK client: the emulator, dummy keys. */
export function sdkConfig(emulator: Emulator) {
  return { endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
}

/**
 * Points an HCL root's provider at the emulator, or at what stands in front
 * of it: an override file (as a user would write one) with the emulator
 * target's dummy keys and settings, and the endpoint itself in
 * AWS_ENDPOINT_URL, which every terraform command of the root must get in its
 * environment: returned here.
 *
 * The emulator target's own roots name a profile in a file beside them
 * instead (stacks/target.ts, emulatorProviderArguments); the AWS SDK the
 * provider uses reads AWS_ENDPOINT_URL for every service the same way, and
 * an HCL root a user points at the emulator needs no extra file. The suites
 * run in a network namespace with only loopback, so a request it did not
 * redirect would fail, not reach AWS.
 */
export function overrideProviderForEmulator(dir: string, emulator: Pick<Emulator, "endpoint">): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the profile is left out on purpose (above)
  const { profile, shared_config_files, ...settings } = emulatorProviderArguments();
  writeJson(path.join(dir, "emulator_override.tf.json"), { provider: { aws: { region: REGION, ...settings } } });
  return { AWS_ENDPOINT_URL: emulator.endpoint };
}

/** Keeps a synthesized root stack's state in its folder. */
export function localState(dir: string): void {
  writeJson(path.join(dir, "state_override.tf.json"), { terraform: { backend: { local: { path: "e2e.tfstate" } } } });
}

/**
 * init (once: a folder already initialized keeps its providers and modules
 * when its configuration is written again, and an init of it costs ~1.3
 * CPU-s of hashing the provider) + apply; returns the outputs. `env`: what
 * {@link overrideProviderForEmulator} returned.
 */
export function apply(dir: string, vars: string[] = [], env: Record<string, string> = {}): Record<string, any> {
  if (!fs.existsSync(path.join(dir, ".terraform"))) terraform(dir, ["init", "-input=false"], env);
  terraform(dir, ["apply", "-input=false", "-auto-approve", "-lock=false", ...vars], env);
  const outputs = JSON.parse(terraform(dir, ["output", "-json"], env));
  return Object.fromEntries(Object.entries(outputs).map(([k, v]: [string, any]) => [k, v.value]));
}

/** The second plan after apply: the text of the changes, or "" when there are none. */
export function secondPlanChanges(dir: string, vars: string[] = [], env: Record<string, string> = {}): string {
  return planChangesOf(terraformRun(dir, ["plan", "-input=false", "-lock=false", "-detailed-exitcode", ...vars], env));
}

export function destroy(dir: string, vars: string[] = [], env: Record<string, string> = {}): void {
  terraform(dir, ["destroy", "-input=false", "-auto-approve", "-lock=false", ...vars], env);
}
