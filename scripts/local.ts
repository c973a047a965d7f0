/**
 * `npm run local`: try a stack without an AWS account. Starts the AWS
 * emulator (moto) on a free loopback port, deploys the chosen stack onto it
 * with progress shown, prints the outputs and how to look at the resources,
 * and on Ctrl-C destroys everything and stops the emulator.
 *
 *   npm run local                      # the chat stack
 *   npm run local -- websocket-nlb     # a module, through examples/websocket-nlb
 *   npm run local -- websocket-alb --once   # deploy, print, tear down, exit
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadSettings } from "../stacks/config";
import { PROJECT_DIR } from "../stacks/paths";
import { synthesize } from "../stacks/synth";
import { emulatorProviderArguments } from "../stacks/target";
import { Emulator, startEmulator } from "./emulator";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { terraformEnv } = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js"));

const STACKS = ["chat", "websocket-nlb", "websocket-alb"] as const;
type StackName = (typeof STACKS)[number];

function parseArgs(argv: string[]): { stack: StackName; once: boolean; rest: string[] } {
  const once = argv.includes("--once");
  const positional = argv.filter((a) => !a.startsWith("--"));
  const stack = (positional[0] ?? "chat") as StackName;
  if (!STACKS.includes(stack)) {
    console.error(`stack must be one of ${STACKS.join(", ")}, got "${stack}": e.g. npm run local -- websocket-nlb`);
    process.exit(2);
  }
  return { stack, once, rest: argv.filter((a) => a !== "--once" && a !== stack) };
}

/** Runs terraform, showing one line per resource as it is created or destroyed. */
function terraform(cwd: string, args: string[], total?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd, env: { ...process.env, ...terraformEnv(), TF_IN_AUTOMATION: "1" } });
    let output = "";
    let done = 0;
    const started = Date.now();
    let buffer = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      buffer += text;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^(\S+): (Creation|Destruction) complete after (\S+)/.exec(line);
        if (m) {
          done++;
          const of = total ? `/${total}` : "";
          console.log(`  [${String(done).padStart(3)}${of}] ${m[2] === "Creation" ? "created  " : "destroyed"} ${m[1]} (${m[3]})`);
        } else if (/^Error/.test(line)) {
          console.log(`  ${line}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`terraform ${args[0]} failed after ${Math.round((Date.now() - started) / 1000)} s:\n${output.split("\n").slice(-40).join("\n")}`));
    });
  });
}

/** Prepares the folder Terraform runs in: the synthesized chat stack, or an HCL example using a module. */
function prepare(stack: StackName, emulator: Emulator, argv: string[]): string {
  const work = path.join(PROJECT_DIR, ".local");
  const out = path.join(work, "cdktf.out");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const settings = loadSettings({ projectDir: PROJECT_DIR, argv, env: { ...process.env, WSGW_TARGET: "emulator", WSGW_EMULATOR_ENDPOINT: emulator.endpoint } });
  const synthesized = synthesize(settings, out);
  if (stack === "chat") {
    for (const o of synthesized.chat.omissions) console.log(`  left out ${o.what}: ${o.why}`);
    const dir = path.join(out, "stacks", "chat");
    fs.writeFileSync(path.join(dir, "local_override.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "local.tfstate" } } } }));
    return dir;
  }
  const root = path.join(work, stack);
  fs.mkdirSync(root);
  const example = path.join(PROJECT_DIR, "examples", stack);
  for (const file of fs.readdirSync(example).filter((f) => f.endsWith(".tf"))) {
    const text = fs.readFileSync(path.join(example, file), "utf8").replace(`"../../cdktf.out/stacks/${stack}"`, JSON.stringify(path.relative(root, path.join(out, "stacks", stack))));
    fs.writeFileSync(path.join(root, file), text);
  }
  fs.writeFileSync(
    path.join(root, "emulator_override.tf.json"),
    JSON.stringify({ provider: { aws: { region: settings.region, ...emulatorProviderArguments(emulator.endpoint) } } }, null, 2),
  );
  return root;
}

async function main(): Promise<void> {
  const { stack, once, rest } = parseArgs(process.argv.slice(2));
  console.log(`Starting the AWS emulator (moto) on 127.0.0.1...`);
  const emulator = await startEmulator({ log: path.join(PROJECT_DIR, ".tmp", "local-moto.log") });
  let dir: string | undefined;
  let stopping = false;
  const teardown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      if (dir) {
        console.log(`\nDestroying ${stack}...`);
        await terraform(dir, ["destroy", "-input=false", "-auto-approve", "-lock=false"]);
      }
    } catch (e) {
      console.error((e as Error).message);
      code = 1;
    } finally {
      await emulator.stop();
      console.log(`Emulator (pid ${emulator.pid}) stopped.`);
      process.exit(code);
    }
  };
  process.on("SIGINT", () => void teardown(0));
  process.on("SIGTERM", () => void teardown(0));

  try {
    console.log(`Emulator at ${emulator.endpoint} (pid ${emulator.pid}). Synthesizing ${stack} for it...`);
    dir = prepare(stack, emulator, rest);
    console.log(`Terraform init in ${path.relative(process.cwd(), dir)}...`);
    await terraform(dir, ["init", "-input=false"]);
    await terraform(dir, ["plan", "-input=false", "-lock=false", "-out=local.plan"]);
    const plan = JSON.parse(await new Promise<string>((resolve, reject) => {
      const c = spawn("terraform", ["show", "-json", "local.plan"], { cwd: dir, env: { ...process.env, ...terraformEnv() } });
      let s = "";
      c.stdout.on("data", (d) => (s += d));
      c.on("close", (code) => (code === 0 ? resolve(s) : reject(new Error("terraform show failed"))));
    }));
    const total = (plan.resource_changes ?? []).filter((r: any) => r.change.actions.includes("create")).length;
    console.log(`Applying ${total} resources:`);
    const started = Date.now();
    await terraform(dir, ["apply", "-input=false", "-lock=false", "local.plan"], total);
    const outputs = JSON.parse(await new Promise<string>((resolve) => {
      const c = spawn("terraform", ["output", "-json"], { cwd: dir, env: { ...process.env, ...terraformEnv() } });
      let s = "";
      c.stdout.on("data", (d) => (s += d));
      c.on("close", () => resolve(s));
    }));
    console.log(`\nDeployed ${stack} in ${Math.round((Date.now() - started) / 1000)} s. Outputs:`);
    for (const [k, v] of Object.entries<any>(outputs)) console.log(`  ${k} = ${JSON.stringify(v.value)}`);
    console.log(`
Look around (the emulator answers only on loopback):
  AWS CLI:   aws --endpoint-url ${emulator.endpoint} --region us-east-1 apigatewayv2 get-apis
             aws --endpoint-url ${emulator.endpoint} --region us-east-1 elbv2 describe-load-balancers
  Dashboard: ${emulator.endpoint}/moto-api/
  Terraform: cd ${path.relative(process.cwd(), dir)} && terraform state list
             (with TF_CLI_CONFIG_FILE=${terraformEnv().TF_CLI_CONFIG_FILE})
The emulator stores resources only: nothing runs (no tasks, no WebSocket traffic).`);
    if (once) return teardown(0);
    console.log(`\nPress Ctrl-C to destroy everything and stop the emulator.`);
    await new Promise(() => undefined);
  } catch (e) {
    console.error(`\n${(e as Error).message}`);
    await teardown(1);
  }
}

void main();
