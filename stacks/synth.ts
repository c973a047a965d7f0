import * as fs from "fs";
import * as path from "path";
import { buildApp, ProjectStacks } from "./app";
import { Settings } from "./settings";

/** Generated entries of a stack folder; everything else (.terraform, lock file) is kept. */
const GENERATED = ["cdk.tf.json", "cdk.tf", "metadata.json", "assets"];

/**
 * Synthesizes every stack into a scratch folder beside `outdir` and, only
 * when all of them succeeded, moves the generated files into `outdir`. A
 * failing synth leaves `outdir` as it was: never half-written. Each stack's
 * `.terraform` folder and lock file survive, so Terraform need not re-init.
 */
export function synthesize(settings: Settings, outdir: string): ProjectStacks {
  const target = path.resolve(outdir);
  const scratch = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.partial-`));
  try {
    const stacks = buildApp(settings, scratch);
    stacks.app.synth();
    publish(scratch, target);
    return stacks;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
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
