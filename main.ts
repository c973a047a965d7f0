import * as os from "os";
import * as path from "path";
import { ConfigError, loadSettings } from "./stacks/config";
import { PROJECT_DIR } from "./stacks/paths";
import { synthesize, synthNotes } from "./stacks/synth";

/**
 * Synthesizes the stacks websocket-nlb, websocket-alb and chat into cdktf.out
 * (or CDKTF_OUTDIR). Settings: cdktf.json's context.settings, overridden by
 * `--config <file>` / WSGW_CONFIG and the WSGW_* environment variables.
 */
function main(): number {
  // Errors must stop the synth here, before anything is written, not be
  // collected into the manifest for the cdktf CLI to report afterwards.
  delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  // Ctrl-C or a kill by the cdktf CLI: the synth is synchronous, so a handler
  // runs only after it has finished and removed its scratch folder, and the
  // process then exits as interrupted instead of dying half-way.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => process.exit(128 + os.constants.signals[signal]));
  }
  try {
    const settings = loadSettings({ projectDir: PROJECT_DIR, argv: process.argv.slice(2), env: process.env });
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(PROJECT_DIR, "cdktf.out");
    const stacks = synthesize(settings, outdir);
    const where = path.relative(process.cwd(), outdir) || ".";
    console.log(`Synthesized websocket-nlb, websocket-alb and chat (target ${settings.target.kind}, region ${settings.region}) into ${where}/stacks`);
    for (const o of stacks.chat.omissions) console.log(`  chat: left out ${o.what}: ${o.why}`);
    // The cdktf CLI prints the manifest's annotations itself.
    if (!process.env.CDKTF_CONTEXT_JSON) for (const line of synthNotes(outdir)) console.log(line);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) console.error(e.message);
    else console.error(`Synth failed; ${path.basename(process.env.CDKTF_OUTDIR ?? "cdktf.out")} was left as it was:\n${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = main();
