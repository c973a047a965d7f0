// The GitHub token secret of the chat stack, applied on the emulator: the
// token given as the ephemeral variable reaches Secrets Manager and never the
// Terraform state. (The emulator target leaves the frontend out of the chat
// stack, so the secret and its variables are deployed here on their own.)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TerraformOutput } from "cdktf";
import { Emulator } from "../../scripts/emulator";
import { declareGitHubTokenSecret } from "../../stacks/github-token-variables";
import { newStack, synthJson } from "../helpers";
import { apply, describeE2e, emulatorFor, overrideProviderForEmulator, REGION, secondPlanChanges } from "../support/e2e";
import { removeWorkdir, terraform, writeJson } from "../support/terraform";

/** The secret's current value, read with the boto3 that comes with moto. */
function secretValue(emulator: Emulator, secretId: string): string {
  const script = [
    "import boto3, sys",
    `c = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="test", aws_secret_access_key="test")`,
    "sys.stdout.write(c.get_secret_value(SecretId=sys.argv[2])['SecretString'])",
  ].join("\n");
  const r = spawnSync("python3", ["-c", script, emulator.endpoint, secretId], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reading ${secretId} failed: ${r.stderr}`);
  return r.stdout;
}

/** Everything Terraform keeps in the folder: state, backups, plan files. */
function everythingTerraformKept(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => /tfstate|\.tfplan$|plan\.bin$/.test(f))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

describeE2e()("the chat stack's GitHub token secret deployed on the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let secretArn: string;
  /** The terraform commands' environment (the emulator's endpoint). */
  let env: Record<string, string>;
  // Fake tokens, built at run time so no scanner mistakes them for real ones.
  const first = ["ghp", "F".repeat(36)].join("_");
  const second = ["ghp", "S".repeat(36)].join("_");

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("token-secret"));
    const stack = newStack("token");
    const secret = declareGitHubTokenSecret(stack, "chat-e2e-github-token");
    new TerraformOutput(stack, "secret_arn", { value: secret.secretArn, staticId: true });
    writeJson(path.join(dir, "main.tf.json"), synthJson(stack));
    env = overrideProviderForEmulator(dir, emulator);
    secretArn = apply(dir, ["-var", `github_access_token=${first}`], env).secret_arn;
  }, 10 * 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  });

  test("writes the token into the secret and nowhere in the state", () => {
    expect(secretValue(emulator, secretArn)).toBe(first);
    const kept = everythingTerraformKept(dir);
    expect(kept).toContain(secretArn);
    expect(kept.includes(first)).toBe(false);
  });

  test("plans no change on later runs without the token", () => {
    expect(secondPlanChanges(dir, [], env)).toBe("");
  });

  test("writes a new token when its version is raised, still keeping it out of the state", () => {
    terraform(
      dir,
      ["apply", "-input=false", "-auto-approve", "-lock=false", "-var", `github_access_token=${second}`, "-var", "github_access_token_version=2"],
      env,
    );
    expect(secretValue(emulator, secretArn)).toBe(second);
    const kept = everythingTerraformKept(dir);
    expect(kept.includes(first) || kept.includes(second)).toBe(false);
  });

  // The suite's other deployments end with a destroy; this one did not (the
  // emulator was stopped), so the secret and its version were never destroyed.
  test("destroy removes the secret and its version, without the token", () => {
    terraform(dir, ["destroy", "-input=false", "-auto-approve", "-lock=false", "-refresh=false"], env);
    expect(terraform(dir, ["state", "list"], env).trim()).toBe("");
    expect(() => secretValue(emulator, secretArn)).toThrow(/ResourceNotFoundException|marked for deletion|InvalidRequestException/);
  });
});
