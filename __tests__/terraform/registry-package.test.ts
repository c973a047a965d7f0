import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { describeWith, OFFLINE_PROVIDER, terraform } from "../support/terraform";

/**
 * A temporary folder outside the repository's tree (jest points TMPDIR into
 * it), so nothing in it can reach the repository by a relative path.
 */
function outsideTempDir(prefix: string): string {
  for (const base of [process.env.RUNNER_TEMP, "/tmp", "/var/tmp"]) {
    if (!base || !fs.existsSync(base)) continue;
    const rel = path.relative(PROJECT_DIR, fs.realpathSync(base));
    if (rel.startsWith("..") || path.isAbsolute(rel)) return fs.mkdtempSync(path.join(base, prefix));
  }
  throw new Error("a temporary folder outside the repository must exist (/tmp, /var/tmp or RUNNER_TEMP) for the registry package test");
}

const VERSION = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version;

/** The module call's name of each module in the shared root. */
const CALL: Record<string, string> = { "websocket-nlb": "websocket_nlb", "websocket-alb": "websocket_alb" };

/**
 * An HCL root using each unpacked module (`modules`: name -> inputs) by a
 * relative path, with a provider that plans without AWS. One root for both
 * modules: one init and plan instead of one each (docs/testing.md).
 */
function hclRoot(dir: string, modules: Record<string, string>): void {
  const provider = Object.entries(OFFLINE_PROVIDER)
    .map(([k, v]) => `  ${k} = ${typeof v === "string" && v !== "true" ? JSON.stringify(v) : v}`)
    .join("\n");
  const calls = Object.entries(modules)
    .map(
      ([name, inputs]) =>
        `module "${CALL[name]}" {\n  source = ${JSON.stringify(`../${name}`)}\n${inputs}\n}\n\noutput "${CALL[name]}_url" {\n  value = module.${CALL[name]}.websocket_stage_invoke_url\n}\n`,
    )
    .join("\n");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "main.tf"),
    `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.100" }\n  }\n}\n\nprovider "aws" {\n${provider}\n}\n\n${calls}`,
  );
}

const INPUTS: Record<string, string> = {
  "websocket-nlb": `
  api_name                    = "game"
  nlb_name                    = "game-nlb"
  nlb_subnet_ids              = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  target_group_name           = "game-tg"
  vpc_id                      = "vpc-0123456789abcdef0"
  vpc_link_name               = "game"
  vpc_link_subnet_ids         = ["subnet-0123456789abcdef0"]
  vpc_link_security_group_ids = ["sg-0123456789abcdef0"]
  custom_routes               = { move = { route_response_selection_expression = "$default" } }`,
  "websocket-alb": `
  api_name                    = "my-websocket-api"
  alb_listener_arn            = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
  vpc_link_name               = "my-vpc-link"
  vpc_link_subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  vpc_link_security_group_ids = ["sg-0123456789abcdef0"]
  vpc_id                      = "vpc-0123456789abcdef0"
  alb_listener_port           = 80
  # the account function's archive must be in the package: the plan hashes it
  api_gateway_account_role    = "managed"`,
};

describeWith(["terraform", "tar"])("the private-registry packages (npm run package), used outside the repository with only Terraform", () => {
  let outside: string;
  beforeAll(() => {
    outside = outsideTempDir("wsgw-registry-");
    const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/package.ts", "--out", path.join(outside, "archives")], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}${r.stderr}`);
  }, 60_000);
  afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

  test.each(Object.keys(INPUTS))("%s unpacks with the module at the archive root, its README, changelog and examples", (name) => {
    const archive = path.join(outside, "archives", `${name}-${VERSION}.tar.gz`);
    const dir = path.join(outside, name);
    fs.mkdirSync(dir);
    const r = spawnSync("tar", ["-xzf", archive, "-C", dir], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "CHANGELOG.md",
      "README.md",
      // the "managed" account function's code
      "assets",
      "examples",
      "main.tf.json",
      "outputs.tf.json",
      "variables.tf.json",
      "versions.tf.json",
    ]);
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toMatch(new RegExp(`^# ${name}: `));
    for (const example of fs.readdirSync(path.join(dir, "examples")))
      expect(fs.readFileSync(path.join(dir, "examples", example, "main.tf"), "utf8")).toMatch(/source\s+=\s+"\.\.\/\.\."/);
  });

  /**
   * The root beside both unpacked modules (the tests above unpacked them):
   * init and plan once, for the tests below. The plan is also the validate:
   * it runs terraform validate's walk first (VALIDATED_BY_PLAN).
   */
  let root: { dir: string; plan: string } | undefined;
  function sharedRoot(): { dir: string; plan: string } {
    if (root) return root;
    const dir = path.join(outside, "root");
    hclRoot(dir, INPUTS);
    terraform(dir, ["init", "-input=false"]);
    return (root = { dir, plan: terraform(dir, ["plan", "-input=false", "-lock=false"]) });
  }

  test.each(Object.keys(INPUTS))("%s: an HCL root beside the unpacked module passes init, validate and an offline plan", (name) => {
    const { dir, plan } = sharedRoot();
    const call = `module.${CALL[name]}`;
    expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).toContain(`${call}.aws_api_gateway_vpc_link.private-link_VpcLink_09442C56 will be created`);
    expect(plan).toContain(`${call}.aws_apigatewayv2_stage.stage_0661E4AC will be created`);
    if (name === "websocket-alb") expect(plan).toContain(`${call}.aws_lambda_function.account-function_527A32C0[0] will be created`);
    // Terraform copied nothing from the repository: the module it loaded is the unpacked folder.
    const modules = JSON.parse(fs.readFileSync(path.join(dir, ".terraform", "modules", "modules.json"), "utf8"));
    expect(path.resolve(dir, modules.Modules.find((m: any) => m.Key === CALL[name]).Dir)).toBe(path.join(outside, name));
  });

  test.each(Object.keys(INPUTS))("%s: the examples inside the archive pass init and validate against the archive's module", (name) => {
    for (const example of fs.readdirSync(path.join(outside, name, "examples"))) {
      const dir = path.join(outside, name, "examples", example);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
    }
  });
});
