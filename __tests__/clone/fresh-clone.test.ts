// Every cheap command the README, docs/ and `help` offer, run as a user runs
// it in a fresh clone of the working tree (support/fresh-clone.ts: HEAD plus
// what is not committed yet): no dist/, cdktf.out/, .tmp/, .local/ or
// .terraform-cli/, only the installed packages (node_modules, linked: `npm ci`
// needs the registry and takes a minute; .ci/run does it on its clean clone).
// `npm test` type-checks and lints the tree here, once, through
// `npm run test:quick` (scripts/test.ts, FULL_SUITES).
// A fresh clone once crashed `npm run local` on a missing .tmp/, and `npm run
// bench` on a validation added after it was written: this suite is where such
// rot shows. The command registry (__tests__/support/commands.ts) names this
// file for each command it runs.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { freshClone, git } from "../support/fresh-clone";
import { toolAvailable } from "../support/terraform";

const STACKS = ["chat", "websocket-alb", "websocket-nlb"];
const MINUTES = 60_000;

let dir: string;
let clone: string;

/** The environment of a user's shell: none of the variables jest, npm or this suite's parent project set. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|JEST_|WSGW_|TF_|CDKTF_)/.test(k) || ["INIT_CWD", "NODE_ENV", "GOGC", "GOMEMLIMIT"].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, TMPDIR: path.join(dir, "tmp"), CHECKPOINT_DISABLE: "1", ...extra };
}

/** Runs one command line in the clone, as a shell would. */
function run(command: string, env: Record<string, string> = {}): { status: number; output: string } {
  const r = spawnSync("sh", ["-c", `${command} 2>&1`], { cwd: clone, env: userEnv(env), encoding: "utf8", timeout: 15 * MINUTES, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.error ? String(r.error) : ""}` };
}

/** Runs a command line and fails with its output when it fails. */
function ok(command: string, env: Record<string, string> = {}): string {
  const r = run(command, env);
  if (r.status !== 0) throw new Error(`\`${command}\` failed in a fresh clone (exit ${r.status}):\n${r.output}`);
  return r.output;
}

/** `git status --porcelain` of the clone: what the commands changed or left unignored. */
const changes = () => git(clone, ["status", "--porcelain", "--untracked-files=all"]);

beforeAll(() => {
  const base = path.join(PROJECT_DIR, ".tmp", "clone");
  fs.mkdirSync(base, { recursive: true });
  dir = fs.mkdtempSync(path.join(base, "fresh-"));
  fs.mkdirSync(path.join(dir, "tmp"));
  clone = path.join(dir, "repo");
  freshClone(PROJECT_DIR, clone);
}, 2 * MINUTES);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a fresh clone of the working tree", () => {
  test("has none of the folders the commands make", () => {
    for (const made of ["dist", "cdktf.out", ".tmp", ".local", ".terraform-cli"]) expect([made, fs.existsSync(path.join(clone, made))]).toEqual([made, false]);
    expect(changes()).toBe("");
  });

  test("help is readable: plain text, lines of at most 124 characters, the quickstart's two commands first", () => {
    const help = ok("cat help");
    // Tab and newline are the only control characters allowed: naming them is the point.
    // eslint-disable-next-line no-control-regex
    expect(help).not.toMatch(/[^\x09\x0a\x20-\x7e]/);
    for (const line of help.split("\n")) expect([line, line.length <= 124]).toEqual([line, true]);
    const first = (s: string) => help.indexOf(s);
    expect(first("npm ci && npm run synth")).toBeGreaterThan(0);
    expect(first("npm ci && npm run synth")).toBeLessThan(first("npm run modules"));
    expect(first("npm test")).toBeLessThan(first("npm run modules"));
  });

  test(
    "npm run synth writes the three stacks",
    () => {
      expect(ok("npm run synth")).toMatch(/Synthesized websocket-nlb, websocket-alb and chat/);
      for (const stack of STACKS) expect(fs.existsSync(path.join(clone, "cdktf.out", "stacks", stack, "cdk.tf.json"))).toBe(true);
    },
    5 * MINUTES,
  );

  test(
    "npx cdktf synth (the cdktf CLI, cdktf.json's app) writes the same stacks",
    () => {
      ok("npx cdktf synth");
      for (const stack of STACKS) expect(fs.existsSync(path.join(clone, "cdktf.out", "stacks", stack, "cdk.tf.json"))).toBe(true);
    },
    5 * MINUTES,
  );

  test(
    "npm run docs leaves the tree unchanged, and its --check agrees",
    () => {
      expect(ok("npm run docs")).toMatch(/Already current/);
      expect(changes()).toBe("");
      expect(ok("npm run docs -- --check")).toMatch(/Generated documentation is current/);
    },
    5 * MINUTES,
  );

  test(
    "npm run modules -- --check finds modules/ and the contract records current",
    () => {
      ok("npm run modules -- --check");
    },
    5 * MINUTES,
  );

  test(
    "npm run package writes one registry archive per module",
    () => {
      ok("npm run package");
      const version = JSON.parse(fs.readFileSync(path.join(clone, "package.json"), "utf8")).version;
      expect(fs.readdirSync(path.join(clone, "dist", "registry")).sort()).toEqual([`websocket-alb-${version}.tar.gz`, `websocket-nlb-${version}.tar.gz`]);
    },
    5 * MINUTES,
  );

  test("node scripts/terraform-env.js runs a command with the project's Terraform CLI configuration, which it writes", () => {
    if (!toolAvailable("terraform")) return;
    expect(ok("node scripts/terraform-env.js terraform version")).toMatch(/^Terraform v1\.\d+/m);
    expect(fs.readFileSync(path.join(clone, ".terraform-cli", "cli.tfrc"), "utf8")).toMatch(/plugin_cache_dir/);
  });

  test("the HCP Terraform upload runs, and without a token says what to set (no stack trace)", () => {
    const r = run("node scripts/run.js scripts/hcp-upload.ts --organization acme --workspace chat cdktf.out/stacks/chat");
    expect(r.status).toBe(1);
    expect(r.output.trim()).toBe(
      "hcp-upload: an API token must be given: set TF_API_TOKEN (a user or team token; organization tokens cannot create configuration versions)",
    );
  });

  test(
    "npm run test:quick -- <file> runs the type check, lint and that unit test file at once, and reports each",
    () => {
      const out = ok("npm run test:quick -- __tests__/stacks/layout.test.ts");
      expect(out).toMatch(/^== typecheck \(npm run typecheck\): passed after \d+ s$/m);
      expect(out).toMatch(/^== lint \(npm run lint\): passed after \d+ s$/m);
      expect(out).toMatch(/^== unit \(npm run test:unit\): passed after \d+ s$/m);
      expect(out).toMatch(/PASS unit __tests__\/stacks\/layout\.test\.ts/);
      expect(out).toMatch(/^npm run test:quick: \d+ s wall \(target <= 60 s: (met|MISSED)\), \d+ s CPU, \d+ CPUs; all passed$/m);
      const report = JSON.parse(fs.readFileSync(path.join(clone, ".tmp", "test-report", "suites.json"), "utf8"));
      expect(Object.keys(report.suites)).toEqual(["typecheck", "lint", "unit"]);
      expect(report.suites.unit).toMatchObject({ passed: true, files: 1 });
    },
    10 * MINUTES,
  );

  test(
    "npm run bench -- --quick runs every measurement once",
    () => {
      const out = ok("npm run bench -- --quick");
      const measured = [...out.matchAll(/^measured: (.+)$/gm)].map((m) => m[1]);
      expect(measured).toEqual(expect.arrayContaining(["floor", "synth", "routes", "unit suite", "terraform", "test suites"]));
      expect(out).toMatch(/synth of an API with 300 routes/);
      // the suites of the last run (npm run test:quick above), and the slowest file of it
      expect(out).toMatch(/^suite unit +\d+\.\d\d s +\d+ s CPU, 1 files, \d+ tests$/m);
      expect(out).toMatch(/^slowest test file 1: __tests__\/stacks\/layout\.test\.ts/m);
      if (toolAvailable("terraform")) expect(out).toMatch(/terraform plan of the chat stack/);
    },
    15 * MINUTES,
  );

  test(
    "npm run capacity plans a load for the chat (limits, tasks, month) and prices a module at zero load",
    () => {
      const out = ok("npm run capacity -- chat --connections 50000 --messages-per-second 2000");
      expect(out).toMatch(/^chat: 50,000 connections, 2,000 frames\/s/m);
      expect(out).toMatch(/EXCEEDS Connections table reads .*\[L-CF0CBE56\]/);
      expect(out).toMatch(/^ {2}Total +\$[\d,]+\.\d\d$/m);
      expect(ok("npm run capacity -- websocket-nlb --connections 0 --messages-per-second 0")).toMatch(/^ {2}Total +\$16\.43$/m);
    },
    5 * MINUTES,
  );

  test(
    "npm run guardrails passes the committed module and writes SARIF",
    () => {
      const out = ok("npm run guardrails -- modules/websocket-nlb --sarif .tmp/guardrails.sarif");
      expect(out).toMatch(/^0 errors, 0 warnings, 0 suppressions/m);
      expect(JSON.parse(fs.readFileSync(path.join(clone, ".tmp", "guardrails.sarif"), "utf8")).version).toBe("2.1.0");
    },
    5 * MINUTES,
  );
  test("npm run verify -- --help says what it checks and exactly what goes out", () => {
    const help = ok("npm run verify -- --help");
    expect(help).toMatch(/^what goes out \(nothing in the account is created or changed\):$/m);
    for (const hop of ["api", "routes", "deployment", "vpc-link", "targets", "service", "account-role", "callback-path", "connect", "frames", "access-logs"])
      expect(help).toMatch(new RegExp(`^  ${hop} +\\S`, "m"));
  });

  test("npm run verify against recorded outputs of a module fails cleanly where AWS is out of reach: one line per hop, the cause, exit 1", () => {
    fs.writeFileSync(
      path.join(dir, "outputs.json"),
      JSON.stringify({
        websocket_stage_invoke_url: { sensitive: false, type: "string", value: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" },
        connections_callback_url: { sensitive: false, type: "string", value: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" },
      }),
    );
    // Dummy keys: the suite runs where only loopback answers, so every read fails to reach AWS.
    const r = run("npm run verify -- --outputs ../outputs.json --region us-east-1 --control-plane-only", {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    expect([r.status, r.output]).toEqual([
      1,
      expect.stringMatching(/^FAIL api: cannot read: .*\n {5}likely cause: .*\n {5}fix: .*\n {5}see docs\/troubleshooting\.md#api$/m),
    ]);
    expect(r.output).toMatch(/^SKIP connect: not run: --control-plane-only$/m);
    expect(r.output).toMatch(/^16 hops: 0 PASS, \d+ FAIL, /m);
    expect(r.output).not.toMatch(/^\s+at /m);
    // Without credentials: one line saying what to set, exit 2.
    const none = run(
      "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE npm run --silent verify -- --outputs ../outputs.json",
      {
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      },
    );
    expect([none.status, none.output]).toEqual([
      2,
      expect.stringMatching(/^npm run verify: no AWS credentials were found \(.*\): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/m),
    ]);
  });

  test("none of the commands above changed a tracked file or left an unignored one", () => {
    expect(changes()).toBe("");
  });

  test(
    "a release as docs/modules.md describes it: npm version, then npm run modules, leaves the modules consistent at the new version",
    () => {
      // A version above any real release, so that the release recipe always has something to change.
      const next = "99.0.0";
      ok("npm version 99.0.0 --no-git-tag-version");
      ok("npm run modules");
      ok("npm run modules -- --check");
      for (const name of ["websocket-nlb", "websocket-alb"])
        expect(fs.readFileSync(path.join(clone, "modules", name, "README.md"), "utf8")).toContain(`${name}?ref=v${next}`);
      // Porcelain lines read "XY path".
      const changed = changes()
        .split("\n")
        .map((l) => l.slice(3))
        .sort();
      expect(changed).toEqual(
        expect.arrayContaining(["package.json", "package-lock.json", "modules/websocket-nlb/README.md", "modules/websocket-alb/README.md"]),
      );
      expect(changed.filter((f) => !/^(package(-lock)?\.json|modules\/|__tests__\/contracts\/)/.test(f))).toEqual([]);
    },
    5 * MINUTES,
  );
});
