/**
 * `npm test`: every suite, at once, each with the jest workers that suit it.
 *
 *   npm test              the unit, terraform, e2e, gateway and clone suites (their own npm
 *                         scripts), started together; the clone suite type-checks and lints
 *                         the working tree, in its fresh clone, through npm run test:quick;
 *                         target <= 6 minutes on 2 CPUs
 *   npm run test:quick    the inner loop: type check, lint and the unit suite, together (<= 60 s)
 *   npm run test:quick -- <unit test files>    type check, lint and those files
 *
 * The suites that wait (terraform's fixed waits on the emulator, sockets,
 * the fresh clone) overlap with the ones that compute (type check, lint,
 * unit, terraform plans): docs/testing.md, "How npm test runs", has the
 * measurements behind the split and the worker counts (in package.json's
 * test:* scripts). Each suite's output is printed when it ends, a progress
 * line every 30 s meanwhile. Then the suites' wall times, the run's wall and
 * CPU time, the verdict; exit 1 when a suite failed. Writes
 * .tmp/test-report/: `suites.json` (the figures) and `<suite>.json` (jest
 * --json: per file and per test durations), which `npm run bench` prints.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/paths";
import { AWS_PROVIDER_VERSION } from "../stacks/provider";

/** The whole suite's target on a 2-CPU machine, in seconds (issue 18). */
export const FULL_TARGET_SECONDS = 6 * 60;
/** The inner loop's target, in seconds. */
export const QUICK_TARGET_SECONDS = 60;

/** A suite: its npm script, whether it is a jest run (which then writes a --json report), and its scheduling priority. */
export interface Suite {
  readonly name: string;
  readonly script: string;
  readonly jest: boolean;
  /**
   * `nice` of the suite's processes. The suites that wait (emulator
   * deployments: each CPU burst of theirs, a plan or a synth, holds back a
   * chain of fixed waits; sockets with timeouts) keep the default; the ones
   * that only compute yield to them and take every CPU second left over.
   */
  readonly nice: number;
}

/** The unit suite: in both runs. */
const UNIT: Suite = { name: "unit", script: "test:unit", jest: true, nice: 10 };

/**
 * What `npm test` runs, all at once. The type check and lint are not
 * suites of their own here: the clone suite runs them on the same files,
 * in its fresh clone of the working tree, through `npm run test:quick`
 * (__tests__/clone/fresh-clone.test.ts, which fails with their output);
 * run here too they were the same checks twice, ~50 CPU-s of a run bound
 * by its CPU time (docs/testing.md, "What was merged").
 */
export const FULL_SUITES: readonly Suite[] = [
  UNIT,
  { name: "terraform", script: "test:terraform", jest: true, nice: 10 },
  { name: "e2e", script: "test:e2e", jest: true, nice: 0 },
  { name: "gateway", script: "test:gateway", jest: true, nice: 0 },
  { name: "clone", script: "test:clone", jest: true, nice: 5 },
];
/** What `npm run test:quick` runs, all at once. */
export const QUICK_SUITES: readonly Suite[] = [
  { name: "typecheck", script: "typecheck", jest: false, nice: 10 },
  { name: "lint", script: "lint", jest: false, nice: 10 },
  UNIT,
];

/** The report `npm test` writes and `npm run bench` reads. */
export interface SuitesReport {
  readonly mode: "full" | "quick";
  readonly at: string;
  readonly cpus: number;
  /** Wall seconds of the whole run. */
  readonly seconds: number;
  /** CPU seconds (user + system) of everything the run started. */
  readonly cpuSeconds: number;
  /** The run's target, in seconds. */
  readonly target: number;
  /** Each suite: wall seconds (from the run's start to the suite's end), CPU seconds, whether it passed, and for jest suites the files and tests. */
  readonly suites: Record<string, { seconds: number; cpuSeconds: number; passed: boolean; files?: number; tests?: number }>;
}

export const REPORT_DIR = path.join(PROJECT_DIR, ".tmp", "test-report");

interface Done {
  readonly code: number;
  readonly seconds: number;
  readonly output: string;
  /** CPU seconds of the suite's processes; NaN where /proc is missing. */
  readonly cpuSeconds: number;
}

/** A shell line printing the shell's children's CPU ticks (cutime and cstime, fields 16 and 17 of /proc/<pid>/stat), when /proc has them. */
export const CPU_LINE = `[ -r /proc/$$/stat ] && echo "@@cpu $(cut -d' ' -f16,17 /proc/$$/stat)" >&2`;

/** Splits the `@@cpu` line of {@link CPU_LINE} off an output: the output without it, and the CPU seconds (NaN when missing). */
export function splitCpu(text: string): { output: string; cpuSeconds: number } {
  const ticks = /^@@cpu (\d+) (\d+)$/m.exec(text);
  return { output: text.replace(/^@@cpu .*\n?/m, ""), cpuSeconds: ticks ? (Number(ticks[1]) + Number(ticks[2])) / 100 : NaN };
}

/** CPU seconds (user + system) of this process's finished children and all their descendants (/proc/self/stat cutime + cstime). */
function childrenCpuSeconds(): number {
  try {
    // After "pid (comm) ", the state is field 3: cutime (field 16) and cstime (17) are at 13 and 14.
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Fills the project's Terraform plugin cache before the suites start their
 * terraform inits at once: Terraform says the cache is not safe for
 * concurrent installs (https://developer.hashicorp.com/terraform/cli/config/config-file#provider-plugin-cache),
 * and on a fresh clone it is empty. One init of a root that requires the
 * provider the stacks use; afterwards every init links from the cache.
 * Returns what went wrong, if anything (the suites then report it themselves).
 */
export function warmPluginCache(): string | undefined {
  if (spawnSync("sh", ["-c", "command -v terraform"]).status !== 0) return "terraform is not on PATH";
  const dir = path.join(REPORT_DIR, "plugin-cache-warmup");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } } }),
  );
  const r = spawnSync(
    process.execPath,
    [path.join(PROJECT_DIR, "scripts", "terraform-env.js"), "terraform", "init", "-input=false", "-backend=false", "-no-color"],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return r.status === 0 ? undefined : `terraform init failed:\n${r.stdout}${r.stderr}`;
}

/** Files and tests of a jest --json report, and whether all passed. */
function jestFigures(file: string): { files: number; tests: number; passed: boolean } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  return { files: r.numTotalTestSuites, tests: r.numTotalTests, passed: r.success };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const paths = args.filter((a) => a !== "--quick");
  const flag = paths.find((a) => a.startsWith("-"));
  if (flag || (paths.length && !quick)) {
    console.error(
      `npm test: ${flag ? `unknown flag ${JSON.stringify(flag)}` : `unexpected argument ${JSON.stringify(paths[0])}`}: the only flag is --quick (npm run test:quick, which takes unit test files); run one suite with npm run test:<suite> -- <files>`,
    );
    process.exit(2);
  }
  const suites = quick ? QUICK_SUITES : FULL_SUITES;
  const target = quick ? QUICK_TARGET_SECONDS : FULL_TARGET_SECONDS;
  const title = quick ? "npm run test:quick" : "npm test";
  fs.rmSync(REPORT_DIR, { recursive: true, force: true });
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  console.log(
    `${title}: ${suites.map((s) => s.name).join(", ")}${paths.length ? ` (unit: ${paths.join(" ")})` : ""}, at once, on ${os.cpus().length} CPUs (each suite's output when it ends)\n`,
  );

  const started = Date.now();
  if (!quick) {
    const problem = warmPluginCache();
    if (problem) console.log(`(the Terraform plugin cache was not filled first: ${problem})`);
  }
  const running = new Map<string, { files: number }>();
  const results: Record<string, Done> = {};
  const jobs = suites.map(
    (suite) =>
      new Promise<void>((resolve) => {
        const extra = suite.jest
          ? ["--", "--json", `--outputFile=${path.join(REPORT_DIR, `${suite.name}.json`)}`, ...(suite.name === "unit" ? paths : [])]
          : [];
        // Through sh, which then prints the CPU time of npm and everything it started (its children's rusage, /proc).
        // In the inner loop nothing waits: every suite at the default priority.
        const nice = quick ? [] : ["nice", "-n", String(suite.nice)];
        const command = [...nice, "sh", "-c", `npm run --silent "$@"; rc=$?; ${CPU_LINE}; exit $rc`, "sh", suite.script, ...extra];
        const child = spawn(command[0], command.slice(1), {
          cwd: PROJECT_DIR,
          stdio: ["ignore", "pipe", "pipe"],
          env: process.env,
        });
        const progress = { files: 0 };
        running.set(suite.name, progress);
        const chunks: Buffer[] = [];
        const take = (c: Buffer) => {
          chunks.push(c);
          progress.files += (c.toString("utf8").match(/^(PASS|FAIL) /gm) ?? []).length;
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("error", (e) => chunks.push(Buffer.from(String(e))));
        child.on("close", (code) => {
          running.delete(suite.name);
          const { output, cpuSeconds } = splitCpu(Buffer.concat(chunks).toString("utf8"));
          const done = { code: code ?? 1, seconds: (Date.now() - started) / 1000, output, cpuSeconds };
          results[suite.name] = done;
          console.log(
            `\n== ${suite.name} (npm run ${suite.script}): ${done.code === 0 ? "passed" : `FAILED (exit ${done.code})`} after ${done.seconds.toFixed(0)} s`,
          );
          if (done.output.trim()) console.log(done.output.trimEnd());
          resolve();
        });
      }),
  );
  const ticker = setInterval(() => {
    const now = [...running].map(([name, p]) => (p.files ? `${name} (${p.files} files done)` : name));
    console.log(`   ... ${((Date.now() - started) / 1000).toFixed(0)} s, running: ${now.join(", ")}`);
  }, 30_000);
  await Promise.all(jobs);
  clearInterval(ticker);
  const seconds = (Date.now() - started) / 1000;

  const report: SuitesReport = {
    mode: quick ? "quick" : "full",
    at: new Date().toISOString(),
    cpus: os.cpus().length,
    seconds,
    cpuSeconds: childrenCpuSeconds(),
    target,
    suites: Object.fromEntries(
      suites.map((s) => {
        const jest = s.jest ? jestFigures(path.join(REPORT_DIR, `${s.name}.json`)) : undefined;
        const passed = results[s.name].code === 0 && (jest?.passed ?? true);
        return [
          s.name,
          { seconds: results[s.name].seconds, cpuSeconds: results[s.name].cpuSeconds, passed, ...(jest && { files: jest.files, tests: jest.tests }) },
        ];
      }),
    ),
  };
  fs.writeFileSync(path.join(REPORT_DIR, "suites.json"), JSON.stringify(report, null, 2) + "\n");

  const failed = Object.entries(report.suites).filter(([, s]) => !s.passed);
  console.log(`\n${"suite".padEnd(12)} ${"wall s".padStart(7)} ${"CPU s".padStart(7)} ${"files".padStart(6)} ${"tests".padStart(6)}`);
  for (const [name, s] of Object.entries(report.suites))
    console.log(
      `${name.padEnd(12)} ${s.seconds.toFixed(0).padStart(7)} ${s.cpuSeconds.toFixed(0).padStart(7)} ${String(s.files ?? "").padStart(6)} ${String(s.tests ?? "").padStart(6)}${s.passed ? "" : "  FAILED"}`,
    );
  console.log(
    `\n${title}: ${seconds.toFixed(0)} s wall (target <= ${target} s: ${seconds <= target ? "met" : "MISSED"}), ${report.cpuSeconds.toFixed(0)} s CPU, ${report.cpus} CPUs; ${failed.length ? `FAILED: ${failed.map(([n]) => n).join(", ")}` : "all passed"}`,
  );
  process.exit(failed.length ? 1 : 0);
}

// Run as an entry point (node scripts/run.js sets argv[1] to the compiled file), not when imported (npm run bench reads the report types).
if (path.resolve(process.argv[1] ?? "") === __filename) {
  main().catch((e) => {
    console.error(`npm test failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
}
