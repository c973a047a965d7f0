import * as path from "path";
import { emulatorProviderArguments } from "../../stacks/target";
import { Emulator, motoAvailable, startEmulator } from "../../scripts/emulator";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { DeployActionsRuntime, startDeployActionsRuntime } from "./stand-ins/deploy-actions-runtime";
import { copyExample, removeWorkdir, terraform, terraformRun, toolAvailable, workdir, writeJson } from "./terraform";

export const REGION = "us-east-1";

// The suites read the emulator with the AWS SDK v3, which warns once per worker
// that its 2027 releases need Node.js 22; this machine runs Node.js 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** describe() when terraform and moto are there (fails in CI when they are not). */
export function describeE2e(): jest.Describe {
  const ok = toolAvailable("terraform") && (motoAvailable() || toolAvailable("moto_server"));
  return ok ? describe : describe.skip;
}

/** Starts an emulator for one test file; its log goes next to the Terraform files. */
export async function emulatorFor(name: string): Promise<{ emulator: Emulator; dir: string }> {
  const dir = workdir(`e2e-${name}`);
  const emulator = await startEmulator({ log: path.join(dir, "moto.log") });
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(emulator.endpoint)) throw new Error(`refusing a non-loopback emulator endpoint ${emulator.endpoint}`);
  await emulator.reset();
  return { emulator, dir };
}

/** Configuration of every AWS SDK client: the emulator, dummy keys. */
export function sdkConfig(emulator: Emulator) {
  return { endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
}

/**
 * Points an HCL root's provider at the emulator (an override file, as a user
 * would), and its Lambda and CodeBuild calls at a stand-in that runs them
 * when one is given (stand-ins/deploy-actions-runtime.ts).
 */
export function overrideProviderForEmulator(dir: string, emulator: Emulator, lambdaStandIn?: string): void {
  writeJson(path.join(dir, "emulator_override.tf.json"), {
    provider: { aws: { region: REGION, ...emulatorProviderArguments(emulator.endpoint, lambdaStandIn) } },
  });
}

/** Keeps a synthesized root stack's state in its folder. */
export function localState(dir: string): void {
  writeJson(path.join(dir, "state_override.tf.json"), { terraform: { backend: { local: { path: "e2e.tfstate" } } } });
}

/** init + apply; returns the outputs. */
export function apply(dir: string, vars: string[] = []): Record<string, any> {
  terraform(dir, ["init", "-input=false"]);
  terraform(dir, ["apply", "-input=false", "-auto-approve", "-lock=false", ...vars]);
  const outputs = JSON.parse(terraform(dir, ["output", "-json"]));
  return Object.fromEntries(Object.entries(outputs).map(([k, v]: [string, any]) => [k, v.value]));
}

/** The second plan after apply: the text of the changes, or "" when there are none. */
export function secondPlanChanges(dir: string, vars: string[] = []): string {
  const r = terraformRun(dir, ["plan", "-input=false", "-lock=false", "-detailed-exitcode", ...vars]);
  if (r.status === 0) return "";
  if (r.status === 2)
    return r.output
      .split("\n")
      .filter((l) => /^\s+[~+-]|^\s+# |^Plan:/.test(l))
      .join("\n");
  throw new Error(`second plan failed (exit ${r.status}):\n${r.output}`);
}

export function destroy(dir: string, vars: string[] = []): void {
  terraform(dir, ["destroy", "-input=false", "-auto-approve", "-lock=false", ...vars]);
}

/** Arguments added to the module calls of an example, keyed by module name (`module "websocket_api"`). */
export type ModuleArguments = Record<string, Record<string, unknown>>;

/**
 * Copies an HCL example into `dir`/root, using the committed module it
 * names (modules/<name>), with its provider pointed at the emulator, and
 * applies it. `moduleArguments` go into an override file, as a user would
 * add arguments to the example's module call. Returns the root folder and
 * the outputs.
 */
export function deployExample(
  example: string,
  emulator: Emulator,
  dir: string,
  moduleArguments: ModuleArguments = {},
  lambdaStandIn?: string,
): { root: string; outputs: Record<string, any> } {
  const root = path.join(dir, "root");
  fs.mkdirSync(root);
  copyExample(example, root);
  overrideProviderForEmulator(root, emulator, lambdaStandIn);
  if (Object.keys(moduleArguments).length) writeJson(path.join(root, "module_override.tf.json"), { module: moduleArguments });
  return { root, outputs: apply(root) };
}

/** What a module e2e suite works with once its example is deployed. */
export interface DeployedExample {
  emulator: Emulator;
  dir: string;
  root: string;
  outputs: Record<string, any>;
  cfg: ReturnType<typeof sdkConfig>;
}

/**
 * Registers the beforeAll/afterAll of a module e2e suite: an emulator of its
 * own, the example deployed on it, the emulator stopped and the folder removed
 * at the end. The returned object is filled in by beforeAll.
 */
export function useDeployedExample(example: string, moduleArguments: ModuleArguments = {}, options: { lambdaStandIn?: boolean } = {}): DeployedExample {
  const ctx = {} as DeployedExample;
  let runtime: DeployActionsRuntime | undefined;
  beforeAll(async () => {
    Object.assign(ctx, await emulatorFor(example));
    ctx.cfg = sdkConfig(ctx.emulator);
    // A module's Lambda functions (api_gateway_account_role "managed") run in the stand-in.
    if (options.lambdaStandIn) runtime = await startDeployActionsRuntime({ emulatorEndpoint: ctx.emulator.endpoint, log: path.join(ctx.dir, "functions.log") });
    Object.assign(ctx, deployExample(example, ctx.emulator, ctx.dir, moduleArguments, runtime?.endpoint));
  }, 15 * 60_000);
  // Stopping the emulator and removing the folder can take more than jest's 5 s on a loaded machine.
  afterAll(async () => {
    await runtime?.stop();
    await ctx.emulator?.stop();
    if (ctx.dir) removeWorkdir(ctx.dir);
  }, 60_000);
  return ctx;
}

/** What the production-edge fixtures made on the emulator. */
export interface EdgeFixture {
  /** The fixture's root, for destroy. */
  readonly dir: string;
  /** Id of the public hosted zone `example.com`. */
  readonly zoneId: string;
  /** ARN of the authorizer function. */
  readonly functionArn: string;
}

/**
 * What a custom domain and a Lambda authorizer need to exist beforehand,
 * applied on the emulator in `dir`: the Route 53 zone `example.com` and a
 * Lambda function `name` with its role. moto stores the function without
 * running it (no Docker), so its code is a stand-in.
 */
export function applyEdgeFixture(dir: string, emulator: Emulator, name: string): EdgeFixture {
  fs.mkdirSync(dir, { recursive: true });
  const code = "export const handler = async () => ({ principalId: 'player' });";
  const zip = spawnSync("python3", [
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w'); z.writestr('index.mjs', sys.argv[2]); z.close()",
    path.join(dir, "authorizer.zip"),
    code,
  ]);
  if (zip.status !== 0) throw new Error(`could not write the authorizer's zip: ${zip.stderr}`);
  writeJson(path.join(dir, "main.tf.json"), {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: ">= 5.100.0, < 6.0.0" } } },
    resource: {
      aws_route53_zone: { zone: { name: "example.com" } },
      aws_iam_role: {
        authorizer: {
          name,
          assume_role_policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
        },
      },
      aws_lambda_function: {
        authorizer: {
          function_name: name,
          role: "${aws_iam_role.authorizer.arn}",
          runtime: "nodejs20.x",
          handler: "index.handler",
          filename: "${path.module}/authorizer.zip",
          source_code_hash: '${filebase64sha256("${path.module}/authorizer.zip")}',
        },
      },
    },
    output: { zone_id: { value: "${aws_route53_zone.zone.zone_id}" }, function_arn: { value: "${aws_lambda_function.authorizer.arn}" } },
  });
  overrideProviderForEmulator(dir, emulator);
  const outputs = apply(dir);
  return { dir, zoneId: outputs.zone_id, functionArn: outputs.function_arn };
}
