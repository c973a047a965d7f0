/**
 * The configurations the e2e suite deploys, each once (see deployment.ts and
 * docs/testing.md, "Adding a test that needs a deployed stack"):
 *
 * - {@link CHAT}: the chat stack with every edge on (custom domain under a
 *   mapping key, Lambda authorizer on $connect, per-route throttling),
 *   deployed, planned again and destroyed through the cdktf CLI as a user
 *   does (`npm run deploy/diff/destroy -- chat`), after the zone and the
 *   authorizer function it needs (the `edge` fixture root);
 * - {@link exampleDeployment}: an HCL example of the committed modules, as
 *   a user applies it, with the provider pointed at the emulator.
 */
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { APIGatewayClient, GetAccountCommand } from "@aws-sdk/client-api-gateway";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describeCdktfCli, expectSuccess, NO_INTERNET, npmRun } from "./cdktf-cli";
import { DeploymentSpec, Driver, EMULATOR_DROPPED_CONNECTION, MutableRoot, RootEnv, RootSpec, terraformApply } from "./deployment";
import { overrideProviderForEmulator } from "./e2e";
import { startDeployActionsRuntime } from "./stand-ins/deploy-actions-runtime";
import { copyExample, writeJson } from "./terraform";

// ---------------------------------------------------------------------------
// The edge fixture: what a custom domain and a Lambda authorizer need first.

/**
 * A root holding what a custom domain and a Lambda authorizer need to exist
 * beforehand: the public hosted zone `example.com` and a Lambda function
 * `functionName` with its role. moto stores the function without running it
 * (no Docker), so its code is a stand-in. Outputs `zone_id`, `function_arn`.
 */
export function edgeFixture(functionName: string): RootSpec {
  return {
    fixture: true,
    write(dir, env) {
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
              name: functionName,
              assume_role_policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
              }),
            },
          },
          aws_lambda_function: {
            authorizer: {
              function_name: functionName,
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
      return { env: overrideProviderForEmulator(dir, env) };
    },
  };
}

// ---------------------------------------------------------------------------
// The chat stack, through the cdktf CLI.

/**
 * The chat stack's settings in the shared deployment, given the edge
 * fixture's outputs: the emulator target and every production edge on.
 * Add a setting here (one line) to have it deployed and read back by
 * `__tests__/e2e/chat.test.ts`; keep it apply-able on moto (docs/testing.md).
 */
export function chatSettings(env: RootEnv): Record<string, any> {
  const edge = env.outputsOf("edge");
  return {
    // env.endpoint is the Lambda stand-in in front of the emulator (CHAT's front): it runs the
    // stack's functions (image build, account role) and passes every other call to moto.
    target: { kind: "emulator", emulatorEndpoint: env.endpoint, lambdaStandInEndpoint: env.endpoint },
    chat: {
      domain: { name: "chat.example.com", hostedZoneId: edge.zone_id, mappingKey: "chat" },
      api: { authorization: { type: "CUSTOM", functionArn: edge.function_arn }, routeThrottle: { message: { burstLimit: 20, rateLimit: 10 } } },
    },
  };
}

/** Deep merge of plain objects (settings overrides on top of the deployment's). */
function merge(base: any, over: any): any {
  if (over === undefined) return base;
  if (typeof base !== "object" || base === null || Array.isArray(base) || typeof over !== "object" || over === null || Array.isArray(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * The chat stack deployed by `npm run deploy -- chat` (the cdktf CLI in the
 * project's Terraform environment), its settings in a config file
 * (WSGW_CONFIG), offline: a closed proxy makes any request that would leave
 * the machine fail. The second plan is `npm run diff -- chat`, the destroy
 * `npm run destroy -- chat`. `reapply(overrides)` deploys again with
 * `overrides` merged over {@link chatSettings} (`npm run synth`, then
 * `terraform apply`); `reapply()` goes back.
 */
export function chatViaCdktfCli(): RootSpec {
  let outdir = "";
  let env: Record<string, string> = {};
  const stackDir = () => path.join(outdir, "stacks", "chat");
  /** `npm run <script> -- chat ...`, run again once when the emulator dropped a connection (both outputs kept, times added). */
  const cli = async (script: string, args: string[]) => {
    const run = await npmRun(script, ["chat", ...args], env);
    if (run.status === 0 || !EMULATOR_DROPPED_CONNECTION.test(run.output)) return run;
    console.warn(`npm run ${script} -- chat: the emulator dropped a connection; running it again:\n${run.output.match(EMULATOR_DROPPED_CONNECTION)![0]}`);
    const again = await npmRun(script, ["chat", ...args], env);
    return { ...again, output: `${run.output}\n${again.output}`, seconds: run.seconds + again.seconds, cpuSeconds: run.cpuSeconds + again.cpuSeconds };
  };
  const driver: Driver = {
    async apply(root: MutableRoot) {
      if (root.runs.apply) return reapply(root);
      const outputsFile = path.join(outdir, "..", "outputs.json");
      const run = await cli("deploy", ["--auto-approve", "--output", outdir, "--outputs-file", outputsFile]);
      root.runs.apply = run;
      expectSuccess(run, "npm run deploy -- chat");
      return JSON.parse(fs.readFileSync(outputsFile, "utf8")).chat;
    },
    async plan(root: MutableRoot) {
      const run = await cli("diff", ["--output", outdir]);
      root.runs.plan = run;
      expectSuccess(run, "npm run diff -- chat");
      if (/No changes\. Your infrastructure matches the configuration\./.test(run.output)) return "";
      const changes = run.output.split("\n").filter((l) => /^\s+[~+-]|^\s+# |Plan:/.test(l));
      return changes.length ? changes.join("\n") : run.output;
    },
    async destroy(root: MutableRoot) {
      const run = await cli("destroy", ["--auto-approve", "--output", outdir]);
      root.runs.destroy = run;
      expectSuccess(run, "npm run destroy -- chat");
    },
  };
  /**
   * A deploy again with changed settings: `npm run synth` into the same
   * outdir, then `terraform apply` in the stack's folder, which cdktf deploy
   * was seen running after its synth and init. The cdktf CLI's own deploy is
   * the first apply (and its diff and destroy the second plan and the
   * destroy); run for each re-deploy it added a synth of its own and a
   * `terraform init` of an initialized folder, ~5 CPU-s of a run bound by
   * its CPU time (docs/testing.md, "Fourth pass").
   */
  async function reapply(root: MutableRoot): Promise<Record<string, any>> {
    const started = Date.now();
    const synth = await npmRun("synth", [], { ...env, CDKTF_OUTDIR: outdir });
    expectSuccess(synth, "npm run synth (chat, re-deploy)");
    const r = await terraformApply(stackDir(), { init: false }, env);
    root.runs.reapply = { output: `${synth.output}\n${r.output}`, seconds: (Date.now() - started) / 1000, cpuSeconds: synth.cpuSeconds + r.cpuSeconds };
    return r.outputs;
  }
  return {
    after: ["edge"],
    driver,
    write(dir, rootEnv, variant) {
      // A fresh outdir: no lock files, as on a fresh clone. The local state lands beside it.
      outdir = path.join(dir, "out");
      const config = path.join(dir, "settings.json");
      writeJson(config, merge(chatSettings(rootEnv), variant));
      env = { ...NO_INTERNET, WSGW_CONFIG: config, FORCE_COLOR: "0" };
      return { dir: stackDir() };
    },
  };
}

/**
 * What moto does not do, in front of it: run the stacks' Lambda functions and
 * their CodeBuild builds (stand-ins/deploy-actions-runtime.ts), on a clock 100
 * times faster; every other request passes to moto.
 */
export const lambdaStandIn: NonNullable<DeploymentSpec["front"]> = (emulator, workdir) =>
  startDeployActionsRuntime({ emulatorEndpoint: emulator.endpoint, log: path.join(workdir, "functions.log") });

/** The chat configuration: the edge fixture, then the chat stack through the cdktf CLI, its functions run by the Lambda stand-in. */
export const CHAT: DeploymentSpec = {
  name: "chat",
  front: lambdaStandIn,
  describe: describeCdktfCli,
  main: "chat",
  roots: { edge: edgeFixture("chat-authorizer"), chat: chatViaCdktfCli() },
  planTitle: "a second plan after apply is empty: npm run diff -- chat shows no changes, and locks nothing again",
  afterPlan: (ctx) => {
    expect(ctx.runs.plan.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    expect(ctx.runs.plan.output).not.toMatch(/locked .* from the mirror/);
  },
  destroyTitle: "npm run destroy -- chat removes every resource (then the fixture's), and leaves the region's API Gateway account without a role",
  afterDestroy: async (ctx) => {
    expect(ctx.runs.destroy.output).toMatch(/Destroy complete! Resources: \d+ destroyed\./);
    expect((await new ApiGatewayV2Client(ctx.sdk).send(new GetApisCommand({}))).Items ?? []).toEqual([]);
    expect((await new APIGatewayClient(ctx.sdk).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "").toBe("");
  },
};

// ---------------------------------------------------------------------------
// The HCL examples.

/** Arguments added to the module calls of an example, keyed by module name (`module "websocket_api"`). */
export type ModuleArguments = Record<string, Record<string, unknown>>;

/**
 * An HCL example (examples/<name>) as a user applies it, using the committed
 * module it names, with its provider pointed at the emulator by an override
 * file. `moduleArguments` go into another override file, as a user would add
 * arguments to the example's module call; `vars` are its -var arguments,
 * from the outputs of the roots it comes after. A `reapply(variant)` variant
 * is more module arguments (merged over these).
 */
export function exampleRoot(
  example: string,
  options: { moduleArguments?: ModuleArguments; after?: string[]; vars?: (env: RootEnv) => string[] } = {},
): RootSpec {
  return {
    after: options.after,
    write(dir, env, variant) {
      for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".tf") || f.endsWith(".tf.json"))) fs.rmSync(path.join(dir, f));
      copyExample(example, dir);
      const emulatorEnv = overrideProviderForEmulator(dir, env);
      const args = merge(options.moduleArguments ?? {}, variant as ModuleArguments | undefined);
      if (Object.keys(args).length) writeJson(path.join(dir, "module_override.tf.json"), { module: args });
      return { vars: options.vars?.(env) ?? [], env: emulatorEnv };
    },
  };
}

/** A deployment of one example (and the fixture roots it comes after). */
export function exampleDeployment(example: string, options: Parameters<typeof exampleRoot>[1] = {}, fixtures: Record<string, RootSpec> = {}): DeploymentSpec {
  return { name: example, main: example, roots: { ...fixtures, [example]: exampleRoot(example, options) } };
}
