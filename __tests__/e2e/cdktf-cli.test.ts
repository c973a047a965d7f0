// scripts/terraform-env.js's lock step: cdktf runs `terraform providers lock`
// (which ignores the CLI configuration's mirror and asks the registry) when a
// stack has no matching lock file; the wrapper writes the lock files from the
// mirror first, so nothing is downloaded. The user's path itself,
// `npm run deploy/diff/destroy -- chat` on the emulator, is how the chat
// configuration is deployed (__tests__/e2e/chat.test.ts, checks/cdktf-cli.ts).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { NO_INTERNET, terraformEnvScript as tfenv } from "../support/cdktf-cli";
import { describeWith, writeJson } from "../support/terraform";

const AWS = "registry.terraform.io/hashicorp/aws";

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
