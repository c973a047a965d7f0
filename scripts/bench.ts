/**
 * `npm run bench`: speed figures of the project, measured in one run on this
 * machine, compared with each other rather than with absolute numbers from
 * elsewhere (machines are noisy; ratios within one run are not).
 *
 * Prints: the floor (node loading cdktf), warm synth of all stacks and its
 * ratio to the floor, synth at 10/100/300 routes (linear growth), the unit
 * suite, terraform validate and plan of the chat stack, and the size of the
 * synthesized output. Targets (issue 5): synth <= 3 s warm and <= 6x the
 * floor; unit suite <= 30 s.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { benchGateway } from "../local-gateway/gateway-bench";
import { PROJECT_DIR } from "../stacks/paths";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { terraformEnv } = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js"));

// --quick: every measurement, briefly (one run each, short gateway loads).
const QUICK = process.argv.includes("--quick");
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 5));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "wsgw-bench-"));

function seconds(command: string, args: string[], env: Record<string, string> = {}, cwd = PROJECT_DIR): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function repeat(n: number, fn: () => number): number {
  fn(); // warm the file system cache
  return median(Array.from({ length: n }, fn));
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== ".terraform") total += dirSize(full);
    } else total += fs.statSync(full).size;
  }
  return total;
}

const row = (label: string, value: string, note = "") => console.log(`${label.padEnd(54)} ${value.padStart(10)}  ${note}`);
const fmt = (s: number) => `${s.toFixed(2)} s`;

async function main(): Promise<void> {
  console.log(`Benchmark on ${os.cpus().length} CPUs, node ${process.version}, median of ${RUNS} runs where repeated\n`);
  // Make sure dist/ is current, so synth runs measure the app, not the transpiler.
  execFileSync("node", [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/bench-routes.ts", "1", path.join(scratch, "warmup")]);

  const floor = repeat(RUNS, () => seconds("node", ["-e", "require('cdktf'); require('constructs')"]));
  row("floor: node loading cdktf", fmt(floor));

  const outdir = path.join(scratch, "cdktf.out");
  const synth = repeat(RUNS, () => seconds("node", [path.join(PROJECT_DIR, "dist", "main.js")], { CDKTF_OUTDIR: outdir }));
  const ratio = synth / floor;
  row("synth of all stacks (warm, node dist/main.js)", fmt(synth), `${ratio.toFixed(1)}x floor; target <= 3 s and <= 6x: ${synth <= 3 && ratio <= 6 ? "met" : "MISSED"}`);
  const viaRunner = repeat(RUNS, () => seconds("node", [path.join(PROJECT_DIR, "scripts", "run.js"), "main.ts"], { CDKTF_OUTDIR: outdir }));
  row("npm run synth (scripts/run.js, nothing to transpile)", fmt(viaRunner), `${(viaRunner / floor).toFixed(1)}x floor`);

  const sizes = fs.readdirSync(path.join(outdir, "stacks")).map((s) => `${s} ${(dirSize(path.join(outdir, "stacks", s)) / 1024).toFixed(0)} KiB`);
  row("size of cdktf.out", `${(dirSize(outdir) / 1024).toFixed(0)} KiB`, sizes.join(", "));

  console.log("");
  const perRoute: Array<[number, number]> = [];
  for (const n of [10, 100, 300]) {
    const ms = median(
      Array.from({ length: Math.max(3, Math.floor(RUNS / 2)) }, () => {
        const out = execFileSync("node", [path.join(PROJECT_DIR, "dist", "scripts", "bench-routes.js"), String(n), path.join(scratch, `routes-${n}`)], { encoding: "utf8" });
        return JSON.parse(out.trim().split("\n").pop()!).ms;
      }),
    );
    perRoute.push([n, ms]);
    row(`synth of an API with ${n} routes (in-process)`, `${ms.toFixed(0)} ms`, `${(ms / n).toFixed(2)} ms per route`);
  }
  // Least-squares line through the three points: linear growth fits with R² near 1.
  const n = perRoute.length;
  const mx = perRoute.reduce((a, [x]) => a + x, 0) / n;
  const my = perRoute.reduce((a, [, y]) => a + y, 0) / n;
  const slope = perRoute.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / perRoute.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const base = my - slope * mx;
  const r2 = 1 - perRoute.reduce((a, [x, y]) => a + (y - (base + slope * x)) ** 2, 0) / perRoute.reduce((a, [, y]) => a + (y - my) ** 2, 0);
  row("linear fit of synth time over routes", `R² ${r2.toFixed(3)}`, `${base.toFixed(0)} ms + ${slope.toFixed(2)} ms per route (300 routes is API Gateway's default quota)`);

  console.log("");
  const unit = seconds("npx", ["jest", "--selectProjects", "unit", "--maxWorkers=2", "--silent"]);
  row("unit suite (jest, isolated modules)", fmt(unit), `target <= 30 s: ${unit <= 30 ? "met" : "MISSED"}`);

  if (spawnSync("sh", ["-c", "command -v terraform"]).status === 0) {
    const env = terraformEnv();
    const chat = path.join(scratch, "plan");
    fs.mkdirSync(chat, { recursive: true });
    seconds("node", [path.join(PROJECT_DIR, "dist", "main.js"), "--config", writeJson(path.join(scratch, "plan.json"), { chat: { network: { availabilityZones: ["us-east-1a", "us-east-1b"] } } })], { CDKTF_OUTDIR: chat });
    const dir = path.join(chat, "stacks", "chat");
    writeJson(path.join(dir, "bench_override.tf.json"), {
      provider: { aws: { access_key: "bench", secret_key: "bench", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: "true" } },
      terraform: { backend: { local: { path: "bench.tfstate" } } },
    });
    const init = seconds("terraform", ["init", "-input=false", "-no-color"], env, dir);
    const validate = repeat(Math.min(RUNS, 3), () => seconds("terraform", ["validate", "-no-color"], env, dir));
    const plan = repeat(Math.min(RUNS, 3), () => seconds("terraform", ["plan", "-input=false", "-lock=false", "-no-color"], env, dir));
    row("terraform init of the chat stack (plugin cache)", fmt(init));
    row("terraform validate of the chat stack", fmt(validate));
    row("terraform plan of the chat stack (no AWS account)", fmt(plan));
  } else {
    row("terraform validate / plan", "skipped", "terraform is not on PATH");
  }

  console.log("");
  // The local WebSocket gateway against its floor (local-gateway/gateway-bench.ts).
  await benchGateway({ stackDir: path.join(outdir, "stacks", "chat"), scratch, quick: QUICK, row });
  fs.rmSync(scratch, { recursive: true, force: true });
}

function writeJson(file: string, content: unknown): string {
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

main().catch((e) => {
  console.error(e);
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
