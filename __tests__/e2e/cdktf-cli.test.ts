// The user's path: `npm run deploy/diff/destroy -- chat` (the cdktf CLI in
// the project's Terraform environment, scripts/terraform-env.js) against the
// emulator target, offline. cdktf runs `terraform providers lock` (which
// ignores the CLI configuration's mirror and asks the registry) when a stack
// has no matching lock file; the wrapper writes the lock files from the
// mirror first, so nothing is downloaded. A closed proxy (NO_INTERNET) makes
// any request that would leave the machine fail, also outside the isolated
// network namespace the e2e suite runs in.
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Emulator } from "../../scripts/emulator";
import { PROJECT_DIR } from "../helpers";
import { describeCdktfCli, expectSuccess, NO_INTERNET, npmRun, NpmRun, terraformEnvScript as tfenv } from "../support/cdktf-cli";
import { emulatorFor, sdkConfig } from "../support/e2e";
import { describeWith, removeWorkdir, writeJson } from "../support/terraform";

const AWS = "registry.terraform.io/hashicorp/aws";
/** One cdktf command on the chat stack (about 1 to 3 minutes on a busy 2-CPU machine). */
const CLI_TIMEOUT = 15 * 60_000;
/** A transient failure of the emulator under load, not of the stack. */
const EMULATOR_DROPPED_CONNECTION = /Error: [^\n]*127\.0\.0\.1:\d+: use of closed network connection/;

/** A lock file as Terraform writes it. */
function lockFile(entries: Record<string, string>): string {
  return Object.entries(entries)
    .map(
      ([address, constraints]) => `provider "${address}" {\n  version     = "5.100.0"\n  constraints = "${constraints}"\n  hashes = [\n    "h1:x=",\n  ]\n}\n`,
    )
    .join("\n");
}

/** A synthesized outdir with the given stacks' required_providers. */
function fakeOutdir(root: string, stacks: Record<string, Record<string, unknown>>): string {
  const outdir = path.join(root, "out");
  const manifest: Record<string, unknown> = {};
  for (const [name, required] of Object.entries(stacks)) {
    writeJson(path.join(outdir, "stacks", name, "cdk.tf.json"), { terraform: { required_providers: required } });
    manifest[name] = { name, workingDirectory: `stacks/${name}` };
  }
  writeJson(path.join(outdir, "manifest.json"), { stacks: manifest });
  return outdir;
}

describe("scripts/terraform-env.js: the provider lock step with a mirror", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tfenv-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test("without a mirror the CLI configuration is Terraform's default installation and no lock step is prepared", () => {
    const env = { ...process.env, WSGW_TF_MIRROR: path.join(tmp, "no-mirror") };
    expect(tfenv.mirrorPath(env)).toBeUndefined();
    expect(tfenv.cliConfig(undefined, "/cache")).toBe('plugin_cache_dir = "/cache"\n');
  });

  test("prepares the lock step only for cdktf commands that initialize stacks, unless the user skips it", () => {
    // GIVEN the project's cdktf.json (output cdktf.out, app from it)
    const step = (args: string[], env: NodeJS.ProcessEnv = {}) => tfenv.cdktfLockStep("cdktf", args, env, PROJECT_DIR);
    // THEN
    expect(step(["deploy", "chat"])).toEqual({ outdir: path.join(PROJECT_DIR, "cdktf.out"), app: "node scripts/run.js main.ts", synth: true });
    expect(step(["diff", "chat", "--output", "/x/out"])?.outdir).toBe("/x/out");
    expect(step(["destroy", "-o", "rel/out", "chat"])?.outdir).toBe(path.join(PROJECT_DIR, "rel/out"));
    expect(step(["plan", "--output=/y"])?.outdir).toBe("/y");
    expect(step(["deploy"], { CDKTF_OUTPUT: "/z" })?.outdir).toBe("/z");
    expect(step(["deploy", "--app", "node other.js"])?.app).toBe("node other.js");
    expect(step(["deploy", "--skip-synth"])?.synth).toBe(false);
    expect(step(["synth"])).toBeUndefined();
    expect(step(["get"])).toBeUndefined();
    expect(step(["deploy", "--skip-provider-lock"])).toBeUndefined();
    expect(tfenv.cdktfLockStep("terraform", ["plan"], {}, PROJECT_DIR)).toBeUndefined();
    expect(tfenv.cdktfLockStep("/p/node_modules/.bin/cdktf", ["deploy"], {}, PROJECT_DIR)).toBeDefined();
  });

  test("judges a locked constraint as cdktf 0.21 does (cli-core versionMatchesConstraint)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { versionMatchesConstraint } = require("@cdktf/cli-core/src/lib/dependencies/version-constraints") as {
      versionMatchesConstraint(v: string, c: string): boolean;
    };
    const required = [">= 5.100.0, < 6.0.0", "5.100.0", "~> 5.100", "~> 5.0", ">0", "< 6.0.0, >= 5.100.0", "6.0.0", "~> 0.4", "~> 5.100.1"];
    const locked = [
      ">= 5.100.0, < 6.0.0",
      "5.100.0",
      "~> 5.100",
      "~> 5.100.0",
      "~> 5",
      "!= 5.99.0",
      ">= 5.101.0",
      "< 5.100.0",
      "<= 5.100.0",
      "> 5.0.0",
      "~> 0.4",
      "~> 0.4.1",
    ];
    for (const r of required) {
      for (const l of locked) {
        expect([r, l, tfenv.lockedConstraintMatches(r, l)]).toEqual([r, l, versionMatchesConstraint(r, l)]);
      }
    }
  });

  test("normalizes provider sources and reads lock files as cdktf does", () => {
    expect(tfenv.providerAddress("aws")).toBe(AWS);
    expect(tfenv.providerAddress("hashicorp/aws")).toBe(AWS);
    expect(tfenv.providerAddress(AWS)).toBe(AWS);
    expect(tfenv.parseLockFile(lockFile({ [AWS]: ">= 5.100.0, < 6.0.0", "registry.terraform.io/hashicorp/random": "3.6.0" }))).toEqual({
      [AWS]: ">= 5.100.0, < 6.0.0",
      "registry.terraform.io/hashicorp/random": "3.6.0",
    });
  });

  test("locks the mirrored providers of stacks without a matching lock entry, and only those", () => {
    // GIVEN
    const outdir = fakeOutdir(tmp, {
      fresh: { aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } },
      current: { aws: { source: "hashicorp/aws", version: ">= 5.100.0, < 6.0.0" } },
      stale: { aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } },
      other: { random: { source: "hashicorp/random", version: "3.6.0" } },
    });
    fs.writeFileSync(path.join(outdir, "stacks", "current", ".terraform.lock.hcl"), lockFile({ [AWS]: ">= 5.100.0, < 6.0.0" }));
    fs.writeFileSync(path.join(outdir, "stacks", "stale", ".terraform.lock.hcl"), lockFile({ [AWS]: ">= 4.0.0, < 5.0.0" }));
    // THEN: the registry-only provider is left to cdktf (it needs the registry anyway)
    expect(tfenv.providersToLock(path.join(outdir, "stacks", "fresh"))).toEqual([AWS]);
    expect(tfenv.providersToLock(path.join(outdir, "stacks", "current"))).toEqual([]);
    expect(tfenv.providersToLock(path.join(outdir, "stacks", "stale"))).toEqual([AWS]);
    expect(tfenv.providersToLock(path.join(outdir, "stacks", "other"))).toEqual([]);
  });

  test("reads the platforms of both mirror layouts", () => {
    fs.mkdirSync(path.join(tmp, "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"), { recursive: true });
    fs.mkdirSync(path.join(tmp, "registry.terraform.io/hashicorp/aws/5.99.0/darwin_arm64"), { recursive: true });
    fs.writeFileSync(path.join(tmp, "registry.terraform.io/hashicorp/aws/terraform-provider-aws_5.100.0_linux_arm64.zip"), "");
    fs.writeFileSync(path.join(tmp, "registry.terraform.io/hashicorp/aws/index.json"), "{}");
    expect(tfenv.mirrorPlatforms(tmp, AWS)).toEqual(["darwin_arm64", "linux_amd64", "linux_arm64"]);
    expect(tfenv.mirrorPlatforms(tmp, "registry.terraform.io/hashicorp/random")).toEqual([]);
  });

  describeWith(["terraform"])("with terraform", () => {
    test("writes lock files from the mirror, offline, that cdktf's own check then accepts", async () => {
      // GIVEN a mirror holding a (fake) provider package, and three stacks
      const mirror = path.join(tmp, "mirror");
      const pkg = path.join(mirror, "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64");
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(path.join(pkg, "terraform-provider-aws_v5.100.0_x5"), "not a real provider");
      const required = { aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } };
      const outdir = fakeOutdir(tmp, { a: required, b: required, c: { aws: { source: "aws", version: "5.100.0" } } });
      // WHEN
      const done = tfenv.lockFromMirror(outdir, mirror, { ...process.env, ...NO_INTERNET });
      // THEN every stack is locked from the mirror (h1 only: the registry would add zh: hashes)
      expect(done).toEqual(["a", "b", "c"].map((stack) => ({ stack, providers: [AWS], platforms: ["linux_amd64"] })));
      const locks = ["a", "b", "c"].map((s) => fs.readFileSync(path.join(outdir, "stacks", s, ".terraform.lock.hcl"), "utf8"));
      expect(locks[0]).toBe(locks[1]);
      expect(locks[2]).toMatch(/constraints = "5.100.0"/);
      for (const lock of locks) expect(lock.match(/"(h1|zh):[^"]+"/g)).toEqual([expect.stringMatching(/^"h1:/)]);
      // AND cdktf's own check (run before `terraform init`) finds nothing to lock
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { CdktfStack } = require("@cdktf/cli-core/src/lib/cdktf-stack") as {
        CdktfStack: new (o: unknown) => { checkNeedsLockfileUpdate(): Promise<boolean> };
      };
      for (const s of ["a", "b", "c"]) {
        const workingDirectory = path.join(outdir, "stacks", s);
        const content = fs.readFileSync(path.join(workingDirectory, "cdk.tf.json"), "utf8");
        const stack = new CdktfStack({ stack: { name: s, workingDirectory, content }, onUpdate: () => undefined, abortSignal: new AbortController().signal });
        await expect(stack.checkNeedsLockfileUpdate()).resolves.toBe(false);
      }
      // AND a second run has nothing to do
      expect(tfenv.lockFromMirror(outdir, mirror, { ...process.env, ...NO_INTERNET })).toEqual([]);
    }, 120_000);
  });
});

describeCdktfCli()("the chat stack through the cdktf CLI (npm run deploy/diff/destroy) on the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let outdir: string;
  let cfg: ReturnType<typeof sdkConfig>;
  let env: Record<string, string>;
  const runs: Record<string, NpmRun> = {};

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("cdktf-cli"));
    cfg = sdkConfig(emulator);
    // A fresh outdir: no lock files, as on a fresh clone. The local state
    // lands beside it (the stack keeps it at ../../.. of its folder).
    outdir = path.join(dir, "out");
    env = { ...NO_INTERNET, WSGW_TARGET: "emulator", WSGW_EMULATOR_ENDPOINT: emulator.endpoint, FORCE_COLOR: "0" };
  }, 5 * 60_000);

  afterAll(async () => {
    const figures = Object.entries(runs).map(([k, r]) => `${k} ${r.seconds.toFixed(1)} s`);
    if (figures.length) console.log(`cdktf CLI cycle of the chat stack on the emulator: ${figures.join(", ")}`);
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  }, 60_000);

  test(
    "npm run deploy -- chat deploys offline, its lock file written from the mirror",
    async () => {
      // WHEN
      runs.deploy = npmRun("deploy", ["chat", "--auto-approve", "--output", outdir, "--outputs-file", path.join(dir, "outputs.json")], env);
      // THEN
      expectSuccess(runs.deploy, "npm run deploy -- chat");
      expect(runs.deploy.output).toMatch(/chat: locked registry\.terraform\.io\/hashicorp\/aws from the mirror /);
      expect(runs.deploy.output).not.toMatch(/providers lock|Could not retrieve providers/i);
      const lock = fs.readFileSync(path.join(outdir, "stacks", "chat", ".terraform.lock.hcl"), "utf8");
      expect(lock).toMatch(/provider "registry\.terraform\.io\/hashicorp\/aws"/);
      // Hashes of the mirror's package only: a registry lock adds zh: hashes of every platform.
      expect(lock.match(/"(h1|zh):[^"]+"/g)).toEqual([expect.stringMatching(/^"h1:/)]);
      const outputs = JSON.parse(fs.readFileSync(path.join(dir, "outputs.json"), "utf8")).chat;
      expect(outputs.websocket_url).toMatch(/^wss:\/\//);
      const apis = (await new ApiGatewayV2Client(cfg).send(new GetApisCommand({}))).Items ?? [];
      expect(apis.map((a) => a.ApiId)).toEqual([outputs.api_id]);
      const table = await new DynamoDBClient(cfg).send(new DescribeTableCommand({ TableName: outputs.connections_table_name }));
      expect(table.Table?.TableStatus).toBe("ACTIVE");
    },
    CLI_TIMEOUT,
  );

  test(
    "npm run diff -- chat then shows no changes, and locks nothing again",
    () => {
      runs.diff = npmRun("diff", ["chat", "--output", outdir], env);
      expectSuccess(runs.diff, "npm run diff -- chat");
      expect(runs.diff.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
      expect(runs.diff.output).not.toMatch(/locked .* from the mirror/);
    },
    CLI_TIMEOUT,
  );

  test(
    "npm run destroy -- chat removes every resource",
    async () => {
      runs.destroy = npmRun("destroy", ["chat", "--auto-approve", "--output", outdir], env);
      // On a loaded machine moto now and then drops a kept-alive connection while
      // the provider (max_retries = 1 on the emulator) waits for a deletion; a
      // user runs destroy again, and so does the test, once, for that error only.
      if (runs.destroy.status !== 0 && EMULATOR_DROPPED_CONNECTION.test(runs.destroy.output)) {
        console.warn(
          `npm run destroy -- chat: the emulator dropped a connection; destroying again:\n${runs.destroy.output.match(EMULATOR_DROPPED_CONNECTION)![0]}`,
        );
        runs.destroyAgain = npmRun("destroy", ["chat", "--auto-approve", "--output", outdir], env);
        runs.destroy = { ...runs.destroyAgain, seconds: runs.destroy.seconds + runs.destroyAgain.seconds };
      }
      expectSuccess(runs.destroy, "npm run destroy -- chat");
      expect(runs.destroy.output).toMatch(/Destroy complete! Resources: \d+ destroyed\./);
      expect((await new ApiGatewayV2Client(cfg).send(new GetApisCommand({}))).Items ?? []).toEqual([]);
      const state = spawnSync("terraform", ["state", "list"], {
        cwd: path.join(outdir, "stacks", "chat"),
        encoding: "utf8",
        env: { ...process.env, ...NO_INTERNET },
      });
      expect(state.status).toBe(0);
      expect(state.stdout.trim()).toBe("");
    },
    CLI_TIMEOUT,
  );
});
