/**
 * `npm run bench`: speed figures of the project, measured in one run on this
 * machine, compared with each other rather than with absolute numbers from
 * elsewhere (machines are noisy; ratios within one run are not).
 *
 * Prints: the floor (node loading cdktf), warm synth of all stacks and its
 * ratio to the floor, the size of the synthesized output, synth at
 * 10/100/300 routes (linear growth), the unit suite, terraform init,
 * validate and plan of the chat stack, the local gateway, and the test
 * suites of the last `npm test` (one line each, the whole run against its
 * 6-minute target, the ten slowest test files, and where each emulator
 * deployment spent its time). Targets: synth <= 3 s warm and <= 6x the
 * floor; unit suite <= 30 s; npm test <= 6 min on 2 CPUs.
 *
 *   npm run bench               every measurement, median of BENCH_RUNS (5) runs;
 *                               the suites of the last npm test, or of an npm test
 *                               it runs when there is none
 *   npm run bench -- --quick    every measurement once, briefly (the unit suite:
 *                               one file; the suites of the last npm test if there
 *                               is one, never a run); figures not compared with the
 *                               targets. The fresh-clone test runs this.
 *
 * Each measurement is one entry of MEASUREMENTS and ends its output with a
 * line `measured: <name>`, so a test can tell that each one ran.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/paths";
import { benchGateway } from "../local-gateway/gateway-bench";
import { REPORT_DIR, SuitesReport } from "./test";

// scripts/terraform-env.js is plain JavaScript that is not compiled into dist/: required by its path in the project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { terraformEnv } = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js")) as {
  terraformEnv: (env?: NodeJS.ProcessEnv) => Record<string, string>;
};

/** Prints one figure: label, value, and a note (ratio, target). */
type Row = (label: string, value: string, note?: string) => void;

/** What every measurement gets. */
interface BenchContext {
  /** `--quick`: one run each, smallest inputs; figures are not compared with targets. */
  readonly quick: boolean;
  /** Runs to take the median of, where a measurement repeats. */
  readonly runs: number;
  /** A scratch folder, removed at the end. */
  readonly scratch: string;
  /** The synthesized chat stack (`<scratch>/cdktf.out/stacks/chat`), once the synth measurement ran. */
  readonly stackDir: string;
  readonly row: Row;
}

/** One measurement: its name (printed as `measured: <name>`) and what it runs. */
interface Measurement {
  readonly name: string;
  run(context: BenchContext): void | Promise<void>;
}

function seconds(command: string, args: string[], env: Record<string, string> = {}, cwd = PROJECT_DIR): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}${r.error ? String(r.error) : ""}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median of `c.runs` runs, after one run that warms the file system cache (not in quick mode). */
function repeat(c: BenchContext, fn: () => number, runs = c.runs): number {
  if (!c.quick) fn();
  return median(Array.from({ length: runs }, fn));
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

function writeJson(file: string, content: unknown): string {
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
/** A target's verdict; quick figures are not comparable with the targets. */
const verdict = (c: BenchContext, target: string, met: boolean) =>
  c.quick ? `target ${target}: not judged in quick mode` : `target ${target}: ${met ? "met" : "MISSED"}`;
const node = (script: string, args: string[], env: Record<string, string> = {}) => seconds("node", [path.join(PROJECT_DIR, script), ...args], env);

let floor = 0;

const MEASUREMENTS: readonly Measurement[] = [
  {
    name: "floor",
    run: (c) => {
      floor = repeat(c, () => seconds("node", ["-e", "require('cdktf'); require('constructs')"]));
      c.row("floor: node loading cdktf", fmt(floor));
    },
  },
  {
    name: "synth",
    run: (c) => {
      const env = { CDKTF_OUTDIR: path.join(c.scratch, "cdktf.out") };
      const synth = repeat(c, () => node("dist/main.js", [], env));
      const ratio = synth / floor;
      c.row(
        "synth of all stacks (warm, node dist/main.js)",
        fmt(synth),
        `${ratio.toFixed(1)}x floor; ${verdict(c, "<= 3 s and <= 6x", synth <= 3 && ratio <= 6)}`,
      );
      const viaRunner = repeat(c, () => node("scripts/run.js", ["main.ts"], env));
      c.row("npm run synth (scripts/run.js, nothing to transpile)", fmt(viaRunner), `${(viaRunner / floor).toFixed(1)}x floor`);
      const stacks = path.join(env.CDKTF_OUTDIR, "stacks");
      const sizes = fs.readdirSync(stacks).map((s) => `${s} ${(dirSize(path.join(stacks, s)) / 1024).toFixed(0)} KiB`);
      c.row("size of cdktf.out", `${(dirSize(env.CDKTF_OUTDIR) / 1024).toFixed(0)} KiB`, sizes.join(", "));
    },
  },
  {
    name: "routes",
    run: (c) => {
      const points: Array<[number, number]> = [];
      for (const n of [10, 100, 300]) {
        const runs = c.quick ? 1 : Math.max(3, Math.floor(c.runs / 2));
        const ms = median(
          Array.from({ length: runs }, () => {
            const out = execFileSync("node", [path.join(PROJECT_DIR, "dist", "scripts", "bench-routes.js"), String(n), path.join(c.scratch, `routes-${n}`)], {
              encoding: "utf8",
            });
            return JSON.parse(out.trim().split("\n").pop()!).ms;
          }),
        );
        points.push([n, ms]);
        c.row(`synth of an API with ${n} routes (in-process)`, `${ms.toFixed(0)} ms`, `${(ms / n).toFixed(2)} ms per route`);
      }
      // Least-squares line through the three points: linear growth fits with R² near 1.
      const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
      const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
      const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
      const base = my - slope * mx;
      const r2 = 1 - points.reduce((a, [x, y]) => a + (y - (base + slope * x)) ** 2, 0) / points.reduce((a, [, y]) => a + (y - my) ** 2, 0);
      c.row(
        "linear fit of synth time over routes",
        `R² ${r2.toFixed(3)}`,
        `${base.toFixed(0)} ms + ${slope.toFixed(2)} ms per route (300 routes is API Gateway's default quota)`,
      );
    },
  },
  {
    name: "unit suite",
    run: (c) => {
      // Quick mode runs one small file of the suite: the measurement runs, the figure is not the suite's.
      const only = c.quick ? [path.join("__tests__", "constructs", "websocket-api.test.ts")] : [];
      const unit = seconds("npx", ["jest", "--selectProjects", "unit", "--maxWorkers=2", "--silent", ...only]);
      c.row(c.quick ? "unit suite (quick: one file)" : "unit suite (jest, isolated modules)", fmt(unit), verdict(c, "<= 30 s", unit <= 30));
    },
  },
  {
    name: "terraform",
    run: (c) => {
      if (spawnSync("sh", ["-c", "command -v terraform"]).status !== 0) {
        if (process.env.CI) throw new Error("terraform is not on PATH, and CI=true: install it (docs/testing.md) instead of skipping this measurement");
        c.row("terraform init / validate / plan", "skipped", "terraform is not on PATH");
        return;
      }
      const env = terraformEnv();
      const out = path.join(c.scratch, "plan");
      node(
        "dist/main.js",
        ["--config", writeJson(path.join(c.scratch, "plan.json"), { chat: { network: { availabilityZones: ["us-east-1a", "us-east-1b"] } } })],
        { CDKTF_OUTDIR: out },
      );
      const dir = path.join(out, "stacks", "chat");
      writeJson(path.join(dir, "bench_override.tf.json"), {
        provider: {
          aws: {
            access_key: "bench",
            secret_key: "bench",
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: "true",
          },
        },
        terraform: { backend: { local: { path: "bench.tfstate" } } },
      });
      const init = seconds("terraform", ["init", "-input=false", "-no-color"], env, dir);
      const validate = repeat(c, () => seconds("terraform", ["validate", "-no-color"], env, dir), Math.min(c.runs, 3));
      const plan = repeat(c, () => seconds("terraform", ["plan", "-input=false", "-lock=false", "-no-color"], env, dir), Math.min(c.runs, 3));
      c.row("terraform init of the chat stack (plugin cache)", fmt(init));
      c.row("terraform validate of the chat stack", fmt(validate));
      c.row("terraform plan of the chat stack (no AWS account)", fmt(plan));
    },
  },
  {
    name: "test suites",
    run: (c) => {
      const file = path.join(REPORT_DIR, "suites.json");
      const read = () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as SuitesReport) : undefined);
      let report = read();
      if ((!report || report.mode !== "full") && !c.quick) {
        console.log("no report of a full npm test in .tmp/test-report/: running npm test (about 6 minutes on 2 CPUs)");
        spawnSync("npm", ["test"], { cwd: PROJECT_DIR, stdio: "ignore" });
        report = read();
      }
      if (!report) {
        c.row("test suites (npm test)", "no report", "run npm test first: it writes .tmp/test-report/");
        return;
      }
      for (const [name, s] of Object.entries(report.suites)) {
        const counts = s.files !== undefined ? `${s.files} files, ${s.tests} tests` : "";
        c.row(
          `suite ${name}`,
          fmt(s.seconds),
          `${Number.isFinite(s.cpuSeconds) ? `${s.cpuSeconds.toFixed(0)} s CPU` : ""}${counts ? `, ${counts}` : ""}${s.passed ? "" : " FAILED"}`,
        );
      }
      const judged = report.mode === "full" && !c.quick;
      c.row(
        `${report.mode === "full" ? "npm test" : "npm run test:quick"} (all at once; ${report.cpus} CPUs)`,
        fmt(report.seconds),
        `${report.cpuSeconds.toFixed(0)} s CPU, run ${report.at}; ${judged ? verdict(c, `<= ${report.target} s`, report.seconds <= report.target) : `target <= ${report.target} s: not judged here`}`,
      );
      const files = fs
        .readdirSync(REPORT_DIR)
        .filter((f) => f.endsWith(".json") && f !== "suites.json")
        .flatMap(
          (f) =>
            (JSON.parse(fs.readFileSync(path.join(REPORT_DIR, f), "utf8")).testResults ?? []) as Array<{ name: string; startTime: number; endTime: number }>,
        )
        .map((t) => ({ file: path.relative(PROJECT_DIR, t.name), seconds: (t.endTime - t.startTime) / 1000 }))
        .sort((a, b) => b.seconds - a.seconds);
      files.slice(0, 10).forEach((f, i) => c.row(`slowest test file ${i + 1}: ${f.file}`, fmt(f.seconds)));
      // Where each emulator deployment spent its time (__tests__/support/deployment.ts writes these).
      const deployments = path.join(PROJECT_DIR, ".tmp", "test-report", "deployments.jsonl");
      if (fs.existsSync(deployments)) {
        for (const line of fs.readFileSync(deployments, "utf8").trim().split("\n")) {
          const d = JSON.parse(line) as {
            configuration: string;
            emulatorStart: number;
            steps: Record<string, Record<string, { wall: number; cpu: number | null }>>;
          };
          const steps = Object.entries(d.steps).map(
            ([root, s]) =>
              `${root}: ${Object.entries(s)
                .map(([k, v]) => `${k} ${v.wall} s${v.cpu === null ? "" : ` (${v.cpu} s CPU)`}`)
                .join(", ")}`,
          );
          c.row(`deployment ${d.configuration}`, "", `emulator start ${d.emulatorStart.toFixed(1)} s; ${steps.join("; ")}`);
        }
      }
    },
  },
  // The local WebSocket gateway against its floor: a bare ws server making the same HTTP call (local-gateway/gateway-bench.ts).
  {
    name: "local gateway",
    run: async (c) => {
      await benchGateway(c);
    },
  },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--quick");
  if (unknown.length) {
    console.error(`npm run bench: unknown argument ${JSON.stringify(unknown[0])}: the only flag is --quick`);
    process.exit(2);
  }
  const quick = args.includes("--quick");
  const runs = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 5));
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`BENCH_RUNS must be a whole number of at least 1, got ${JSON.stringify(process.env.BENCH_RUNS)}: leave it unset for 5`);
    process.exit(2);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "wsgw-bench-"));
  const context: BenchContext = {
    quick,
    runs,
    scratch,
    stackDir: path.join(scratch, "cdktf.out", "stacks", "chat"),
    row: (label, value, note = "") => console.log(`${label.padEnd(54)} ${value.padStart(10)}  ${note}`),
  };
  try {
    console.log(
      `Benchmark on ${os.cpus().length} CPUs, node ${process.version}, ${quick ? "quick mode: one run each" : `median of ${runs} runs where repeated`}\n`,
    );
    // dist/ must be current, so synth runs measure the app, not the transpiler.
    execFileSync("node", [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/bench-routes.ts", "1", path.join(scratch, "warmup")]);
    for (const m of MEASUREMENTS) {
      await m.run(context);
      console.log(`measured: ${m.name}\n`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`npm run bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
