import * as fs from "fs";
import * as path from "path";
import type { TerraformJson } from "../constructs/terraform-json";
import { buildApp, ProjectStacks } from "./app";
import { Settings } from "./settings";
import { EMULATOR_CONFIG_FILE, EMULATOR_PROFILE, emulatorAwsConfig } from "./target";

/** Generated entries of a stack folder; everything else (.terraform, lock file) is kept. */
const GENERATED = ["cdk.tf.json", "cdk.tf", "metadata.json", "assets", EMULATOR_CONFIG_FILE];

/**
 * Synthesizes every stack into a scratch folder beside `outdir` and, only
 * when all of them succeeded, moves the generated files into `outdir`. A
 * failing synth leaves `outdir` as it was: never half-written. Each stack's
 * `.terraform` folder and lock file survive, so Terraform need not re-init.
 */
export function synthesize(settings: Settings, outdir: string): ProjectStacks {
  const target = path.resolve(outdir);
  removeStaleScratch(target);
  const scratch = fs.mkdtempSync(scratchPrefix(target));
  try {
    const stacks = buildApp(settings, scratch);
    stacks.app.synth();
    writeEmulatorConfigs(path.join(scratch, "stacks"), settings);
    publish(scratch, target);
    return stacks;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * On the emulator target, writes the AWS config file the provider of each
 * synthesized stack under `stacksDir` reads its endpoints from
 * (stacks/target.ts, emulatorProviderArguments), beside its cdk.tf.json.
 * Stacks without the emulator's provider profile get none.
 */
export function writeEmulatorConfigs(stacksDir: string, settings: Settings): void {
  if (settings.target.kind !== "emulator" || !fs.existsSync(stacksDir)) return;
  const text = emulatorAwsConfig(settings.target.emulatorEndpoint, settings.target.lambdaStandInEndpoint);
  for (const name of fs.readdirSync(stacksDir)) {
    const file = path.join(stacksDir, name, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    const providers: TerraformJson[] = JSON.parse(fs.readFileSync(file, "utf8")).provider?.aws ?? [];
    if (providers.some((p) => p.profile === EMULATOR_PROFILE)) fs.writeFileSync(path.join(stacksDir, name, EMULATOR_CONFIG_FILE), text);
  }
}

/** Scratch folders are named `.<outdir>.partial-XXXXXX`, beside the outdir. */
function scratchPrefix(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial-`);
}

/** A scratch folder older than this was left by a synth that was killed (a synth takes about a second). */
export const STALE_SCRATCH_MS = 60_000;

/**
 * Removes scratch folders that a killed synth (SIGKILL, a crash) could not
 * clean up; a younger one may belong to a synth running right now.
 */
function removeStaleScratch(target: string): void {
  const prefix = path.basename(scratchPrefix(target));
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const dir = path.join(parent, entry);
    if (Date.now() - fs.statSync(dir).mtimeMs > STALE_SCRATCH_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function publish(scratch: string, target: string): void {
  const stacksDir = path.join(scratch, "stacks");
  const names = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : [];
  fs.mkdirSync(path.join(target, "stacks"), { recursive: true });
  for (const name of names) {
    const from = path.join(stacksDir, name);
    const to = path.join(target, "stacks", name);
    fs.mkdirSync(to, { recursive: true });
    for (const entry of GENERATED) fs.rmSync(path.join(to, entry), { recursive: true, force: true });
    for (const entry of fs.readdirSync(from)) fs.renameSync(path.join(from, entry), path.join(to, entry));
  }
  // Stacks that no longer exist go, as cdktf's own synth does.
  for (const existing of fs.readdirSync(path.join(target, "stacks"))) {
    if (!names.includes(existing)) fs.rmSync(path.join(target, "stacks", existing), { recursive: true, force: true });
  }
  // The manifest last: cdktf reads it to find the stacks.
  fs.renameSync(path.join(scratch, "manifest.json"), path.join(target, "manifest.json"));
}

/**
 * What the synth has to say beyond success, from the manifest: guardrail
 * warnings and suppressions (with their reasons) in full, other
 * informational notes as a count.
 */
export function synthNotes(outdir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  const lines: string[] = [];
  let infos = 0;
  for (const [name, stack] of Object.entries<TerraformJson>(manifest.stacks)) {
    for (const a of stack.annotations ?? []) {
      if (a.level === "@cdktf/warn") lines.push(`  ${name}: warning: ${a.message}`);
      else if (/ suppressed at /.test(a.message)) lines.push(`  ${name}: ${a.message}`);
      else infos++;
    }
  }
  if (infos) lines.push(`  ${infos} informational notes are in ${path.join(path.basename(outdir), "manifest.json")}`);
  return lines;
}
