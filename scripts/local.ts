/**
 * `npm run local`: run a stack on this machine without an AWS account. Starts
 * the AWS emulator (moto) on a free loopback port, deploys the stack onto it,
 * then serves the deployed WebSocket API for real with the local gateway
 * (local-gateway/): clients connect to `ws://127.0.0.1:<port>/<stage>`,
 * requests through the VPC link go to `--backend`, and the backend answers
 * clients through the @connections API. Ctrl-C (or SIGTERM) stops the
 * gateway and the emulator, and everything deployed on it goes with it.
 *
 *   npm run local -- <chat|websocket-nlb|websocket-alb|websocket-nlb-custom-domain> [--backend http://127.0.0.1:<port>] [--port <port>] [--once]
 *
 *   --backend     where requests through the VPC link go (the NLB's DNS name and
 *                 listener port stand for it); loopback only
 *   --port        the gateway's port on 127.0.0.1 (default: a free port)
 *   --once        deploy, start serving, print the URLs, then tear down and exit 0
 *   --config      a settings file, as for npm run synth
 *   --authorizer  runs the $connect Lambda authorizer: <file.js[:export]> or a loopback http(s) URL
 *   --iam-policy  the signer's identity policy for an AWS_IAM $connect (a JSON file)
 *   --idle-timeout, --max-connection-duration  the limits in seconds (AWS: 600, 7200)
 *
 * Writes .local/ (Terraform roots, the access log; WSGW_LOCAL_DIR for another
 * folder), .tmp/local-moto.log and .tmp/local-gateway/tls/ (the local CA),
 * each made when missing. local-gateway/README.md has the details.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { apiFromTerraformState, checkBackendUrl, ensureLocalCertificates, LocalGateway, pointModuleSources, showState, terraformJson } from "../local-gateway";
import { checkEdgesDeployed, domainUrlLines, EdgeFlags, edgeLines, EdgeOptions, edgeOptions, tlsHostNames } from "./lib/local-edges";
import * as prerequisites from "./lib/local-prerequisites";
import { PROJECT_DIR } from "../stacks/paths";
import { localVerifyLine } from "./lib/local-verify";
import type { TerraformJson } from "../constructs/terraform-json";
import type { Emulator } from "./emulator";

// scripts/terraform-env.js is plain JavaScript that is not compiled into dist/: required by its path in the project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { terraformEnv, forgetLockedHashes } = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js")) as {
  terraformEnv: (env?: NodeJS.ProcessEnv) => Record<string, string>;
  forgetLockedHashes: (dir: string) => boolean;
};

const STACKS = ["chat", "websocket-nlb", "websocket-alb", "websocket-nlb-custom-domain"] as const;
type StackName = (typeof STACKS)[number];
const USAGE =
  "npm run local -- <chat|websocket-nlb|websocket-alb|websocket-nlb-custom-domain> [--backend http://127.0.0.1:<port>] [--port <port>] [--once] [--config <file>] [--authorizer <file.js[:export]>|<url>] [--iam-policy <file>] [--idle-timeout <s>] [--max-connection-duration <s>]";
/** The flags, and whether each takes a value. */
const FLAGS: Readonly<Record<string, boolean>> = {
  "--backend": true,
  "--port": true,
  "--once": false,
  "--config": true,
  "--authorizer": true,
  "--iam-policy": true,
  "--idle-timeout": true,
  "--max-connection-duration": true,
};

/** Where `npm run local` writes the Terraform roots and the access log, emptied each run (WSGW_LOCAL_DIR: another folder, e.g. for tests). */
const WORK_DIR = path.resolve(PROJECT_DIR, process.env.WSGW_LOCAL_DIR || ".local");
/** The emulator's log and the gateway's TLS files (kept across runs, so a backend keeps trusting the same CA). */
const TMP_DIR = path.join(PROJECT_DIR, ".tmp");
const TLS_DIR = path.join(TMP_DIR, "local-gateway", "tls");

interface Options {
  readonly stack: StackName;
  readonly backend?: string;
  readonly port: number;
  readonly once: boolean;
  readonly config?: string;
  /** The production edges and the clock (scripts/lib/local-edges.ts). */
  readonly edges: EdgeFlags;
}

class UsageError extends Error {}

/** Parses the command line; throws a {@link UsageError} with a one-line message. */
function parseArgs(argv: string[]): Options | "help" {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return "help";
    if (!arg.startsWith("-")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!(name in FLAGS)) {
      const names = Object.keys(FLAGS);
      throw new UsageError(`unknown flag ${JSON.stringify(arg)}: the flags are ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} (${USAGE})`);
    }
    if (flags.has(name)) throw new UsageError(`${name} must be given once`);
    if (!FLAGS[name]) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value, got ${JSON.stringify(arg)}`);
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${name} must be followed by a value (${USAGE})`);
    if (inline === undefined) i++;
    flags.set(name, value);
  }
  if (positional.length > 1) throw new UsageError(`give one stack, got ${positional.map((p) => JSON.stringify(p)).join(" and ")} (${USAGE})`);
  const stack = (positional[0] ?? "chat") as StackName;
  if (!STACKS.includes(stack))
    throw new UsageError(`stack must be one of ${STACKS.join(", ")}, got ${JSON.stringify(stack)}: e.g. npm run local -- websocket-nlb`);
  const backend = flags.get("--backend") as string | undefined;
  if (backend !== undefined) {
    try {
      checkBackendUrl(backend);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const portText = flags.get("--port") as string | undefined;
  const port = portText === undefined ? 0 : Number(portText);
  if (portText !== undefined && !(/^\d+$/.test(portText) && port >= 1 && port <= 65535)) {
    throw new UsageError(`--port must be a port number from 1 to 65535, got ${JSON.stringify(portText)}: or leave it out for a free port`);
  }
  const value = (name: string) => flags.get(name) as string | undefined;
  const edges: EdgeFlags = {
    authorizer: value("--authorizer"),
    iamPolicy: value("--iam-policy"),
    idleTimeout: value("--idle-timeout"),
    maxConnectionDuration: value("--max-connection-duration"),
  };
  return { stack, backend, port, once: flags.has("--once"), config: value("--config"), edges };
}

/** Fails when a port on 127.0.0.1 cannot be listened on (in use, or privileged). */
function checkPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          e.code === "EADDRINUSE"
            ? `--port ${port} is in use on 127.0.0.1: pick another port, or leave --port out for a free one`
            : `--port ${port} cannot be used (${e.code ?? e.message}): pick a port above 1023`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Runs terraform with `env` (the project's terraform environment), showing one line per resource as it is created or destroyed. */
function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv, total?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", [...args, "-no-color"], { cwd, env: { ...env, TF_IN_AUTOMATION: "1" } });
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
    child.on("error", (e) => reject(new Error(`terraform could not be started (${e.message}): install Terraform 1.11+ (README, "Quickstart")`)));
    child.on("close", (code) => {
      // .local/ is this command's scratch folder: its lock file keeps the version, not the hashes (terraform-env.js, forgetLockedHashes).
      if (code === 0 && args[0] === "init") forgetLockedHashes(cwd);
      if (code === 0) resolve(output);
      else reject(new Error(`terraform ${args[0]} failed after ${Math.round((Date.now() - started) / 1000)} s:\n${output.split("\n").slice(-40).join("\n")}`));
    });
  });
}

/** Removes the Terraform state files (and their backups) of `roots`; returns how many. */
function removeStates(roots: string[]): number {
  let removed = 0;
  for (const root of roots.filter((r) => fs.existsSync(r))) {
    for (const file of fs.readdirSync(root).filter((f) => /\.tfstate(\.backup)?$/.test(f))) {
      fs.rmSync(path.join(root, file));
      removed++;
    }
  }
  return removed;
}

/**
 * Prepares the folder Terraform runs in: the synthesized chat stack, or a
 * copy of a module's HCL example whose module source, written either as
 * `../../cdktf.out/stacks/<module>` or `../../modules/<module>`, points at
 * the module this run just synthesized.
 */
async function prepare(options: Options, emulator: Emulator, tfEnv: NodeJS.ProcessEnv): Promise<string> {
  const { loadSettings } = await import("../stacks/config");
  const { synthesize } = await import("../stacks/synth");
  const { emulatorProviderArguments, emulatorAwsConfig, EMULATOR_CONFIG_FILE } = await import("../stacks/target");
  const out = path.join(WORK_DIR, "cdktf.out");
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const argv = options.config !== undefined ? ["--config", options.config] : [];
  let settings = loadSettings({ projectDir: PROJECT_DIR, argv, env: { ...process.env, WSGW_TARGET: "emulator", WSGW_EMULATOR_ENDPOINT: emulator.endpoint } });
  const provider = { provider: { aws: { region: settings.region, ...emulatorProviderArguments() } } };
  // Beside each override file: the profile the provider reads its endpoints from (the emulator's, for every service).
  const awsConfig = (dir: string) => fs.writeFileSync(path.join(dir, EMULATOR_CONFIG_FILE), emulatorAwsConfig(emulator.endpoint));
  // What the apply needs that a real account already has (an authorizer function, a zone): stand-ins on the emulator.
  const exampleNeeds = prerequisites.EXAMPLE_PREREQUISITES[options.stack];
  const needs = options.stack === "chat" ? prerequisites.chatPrerequisites(settings) : (exampleNeeds?.needs ?? {});
  let made: prerequisites.PrerequisiteOutputs = {};
  if (prerequisites.hasPrerequisites(needs)) {
    console.log(`Making what the apply needs on the emulator, which your account would already have:`);
    const run = (cwd: string, args: string[]) => terraform(cwd, args, tfEnv);
    made = await prerequisites.applyPrerequisites(path.join(WORK_DIR, "prerequisites"), needs, provider, awsConfig, run, (cwd) =>
      terraformJson(cwd, ["output", "-json"], tfEnv),
    );
    const what =
      options.stack === "chat"
        ? { functionSetting: "chat.api.authorization.functionArn", zoneSetting: "chat.domain" }
        : { functionSetting: "var.authorizer_function_arn", zoneSetting: "var.hosted_zone_id" };
    for (const line of prerequisites.describePrerequisites(needs, made, what)) console.log(line);
    if (options.stack === "chat") settings = prerequisites.withPrerequisites(settings, made);
  }
  const synthesized = synthesize(settings, out);
  if (options.stack === "chat") {
    for (const o of synthesized.chat.omissions) console.log(`  left out ${o.what}: ${o.why}`);
    const dir = path.join(out, "stacks", "chat");
    fs.writeFileSync(path.join(dir, "local_override.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "local.tfstate" } } } }));
    return dir;
  }
  const root = path.join(WORK_DIR, options.stack);
  fs.mkdirSync(root, { recursive: true });
  const example = path.join(PROJECT_DIR, "examples", options.stack);
  for (const file of fs.readdirSync(example).filter((f) => f.endsWith(".tf"))) {
    fs.writeFileSync(path.join(root, file), pointModuleSources(fs.readFileSync(path.join(example, file), "utf8"), root, out));
  }
  fs.writeFileSync(path.join(root, "emulator_override.tf.json"), JSON.stringify(provider, null, 2));
  awsConfig(root);
  if (exampleNeeds) fs.writeFileSync(path.join(root, "local.auto.tfvars.json"), JSON.stringify(exampleNeeds.variables(made), null, 2));
  return root;
}

async function main(): Promise<void> {
  let options: Options;
  let edges: EdgeOptions;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    if (parsed === "help") {
      console.log(`usage: ${USAGE}`);
      return;
    }
    options = parsed;
    await checkPortFree(options.port);
    edges = await edgeOptions(options.edges).catch((e: Error) => {
      throw new UsageError(e.message);
    });
  } catch (e) {
    console.error(`npm run local: ${(e as Error).message}`);
    process.exit(1);
  }
  const { stack, once } = options;
  // The project's terraform environment (CLI configuration, plugin cache), for every terraform run below.
  // Without the variables that outrank the emulator's profile (stacks/target.ts, emulatorProviderArguments):
  // an endpoint of the user's shell, or the switch that ignores configured endpoints.
  const tfEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries({ ...process.env, ...terraformEnv() }).filter(([k]) => !/^AWS_(ENDPOINT_URL(_\w+)?|IGNORE_CONFIGURED_ENDPOINT_URLS)$/.test(k)),
  );

  // .tmp/ is made by what writes there: startEmulator (the log's folder) and ensureLocalCertificates.
  console.log(`Starting the AWS emulator (moto) on 127.0.0.1...`);
  const { startEmulator } = await import("./emulator");
  let emulator: Emulator;
  try {
    // moto loads AWS's managed IAM policies before it answers: slow on a busy machine.
    emulator = await startEmulator({ log: path.join(TMP_DIR, "local-moto.log"), timeoutMs: 180_000 });
  } catch (e) {
    console.error(`npm run local: ${(e as Error).message} (log: ${path.relative(process.cwd(), path.join(TMP_DIR, "local-moto.log"))})`);
    process.exit(1);
  }
  let dir: string | undefined;
  let gateway: LocalGateway | undefined;
  let stopping = false;
  const teardown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      if (gateway) {
        await gateway.stop();
        console.log(`Gateway stopped.`);
      }
    } catch (e) {
      console.error((e as Error).message);
      code = 1;
    } finally {
      // The emulator holds what was deployed in its memory only: stopping it removes every
      // resource at once. No `terraform destroy` one resource at a time first (the chat took
      // ~50 s and ~17 CPU-s for it); the state files that listed them go instead, so no
      // Terraform command in .local/ names resources that no longer exist.
      await emulator.stop();
      const removed = dir ? removeStates([dir, path.join(WORK_DIR, "prerequisites")]) : 0;
      console.log(`Emulator (pid ${emulator.pid}) stopped: what ${stack} deployed on it went with it${removed ? ` (its Terraform state: removed)` : ""}.`);
      process.exit(code);
    }
  };
  process.on("SIGINT", () => void teardown(0));
  process.on("SIGTERM", () => void teardown(0));

  try {
    console.log(`Emulator at ${emulator.endpoint} (pid ${emulator.pid}). Synthesizing ${stack} for it...`);
    dir = await prepare(options, emulator, tfEnv);
    console.log(`Terraform init in ${path.relative(process.cwd(), dir)}...`);
    await terraform(dir, ["init", "-input=false"], tfEnv);
    await terraform(dir, ["plan", "-input=false", "-lock=false", "-out=local.plan"], tfEnv);
    const plan = await terraformJson(dir, ["show", "-json", "local.plan"], tfEnv);
    const total = (plan.resource_changes ?? []).filter((r: TerraformJson) => r.change.actions.includes("create")).length;
    console.log(`Applying ${total} resources:`);
    const started = Date.now();
    await terraform(dir, ["apply", "-input=false", "-lock=false", "local.plan"], tfEnv, total);
    const outputs = await terraformJson(dir, ["output", "-json"], tfEnv);
    console.log(`\nDeployed ${stack} in ${Math.round((Date.now() - started) / 1000)} s. Outputs:`);
    for (const [k, v] of Object.entries<TerraformJson>(outputs)) console.log(`  ${k} = ${JSON.stringify(v.value)}`);

    // Serve the API as Terraform applied it: the state holds every resolved attribute.
    const api = apiFromTerraformState(await showState(dir, tfEnv), {}, `the state of ${stack}`);
    checkEdgesDeployed(api, edges);
    const certificates = ensureLocalCertificates(TLS_DIR, tlsHostNames(api));
    const accessLogFile = path.join(WORK_DIR, "gateway-access.log");
    gateway = await LocalGateway.start({
      api,
      backend: options.backend,
      port: options.port,
      tls: certificates,
      accessLogFile,
      log: (line) => console.log(`  ${line}`),
      authorizer: edges.authorizer,
      iamPolicy: edges.iamPolicy,
      limits: edges.limits,
    });
    const rel = (p: string) => path.relative(process.cwd(), p);
    console.log(`\nServing the ${api.name} API (stage ${api.stage.name}) as deployed:`);
    console.log(`WebSocket URL: ${gateway.url}`);
    console.log(`Connections URL: ${gateway.connectionsUrl}`);
    for (const line of domainUrlLines(gateway)) console.log(line);
    console.log(
      await localVerifyLine({
        stack,
        root: dir,
        stackDir: stack === "chat" ? dir : undefined,
        workDir: WORK_DIR,
        emulatorEndpoint: emulator.endpoint,
        api,
        websocketUrl: gateway.url,
        customDomainUrls: gateway.domainUrls,
        connectionsUrl: gateway.connectionsUrl,
        caFile: certificates.caFile,
        accessLogFile,
        backend: options.backend,
        log: (line) => console.log(`  ${line}`),
      }),
    );
    for (const r of gateway.describeRoutes())
      console.log(`  ${r.routeKey.padEnd(14)} ${r.integration.padEnd(10)} ${r.twoWay ? "two-way" : "one-way"}  ${r.target}`);
    for (const line of edgeLines(gateway)) console.log(line);
    const targets = [...new Set(api.privateTargets.map((t) => `${t.host}:${t.port}`))].join(", ");
    if (options.backend) {
      console.log(`Backend: requests through the VPC link to ${targets} go to ${options.backend}.`);
    } else {
      console.log(
        `Backend: none given. Requests through the VPC link to ${targets} would go to --backend http://127.0.0.1:<port>; nothing answers them, so $connect fails with 500 (Internal server error) until you pass one.`,
      );
    }
    console.log(
      `TLS: the Connections URL uses a local CA; a backend trusts it with NODE_EXTRA_CA_CERTS=${rel(certificates.caFile)} (Node.js) or SSL_CERT_FILE=${rel(certificates.caFile)} (Go).`,
    );
    if (outputs.connections_table_name) {
      console.log(
        `DynamoDB for the backend: DYNAMODB_ENDPOINT_URL=${emulator.endpoint} DYNAMODB_TABLE_NAME=${outputs.connections_table_name.value} AWS_REGION=${api.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
      );
    }
    console.log(`Access log (the stage's format): ${rel(accessLogFile)}`);
    console.log(`
Look around (the emulator answers only on loopback):
  AWS CLI:   aws --endpoint-url ${emulator.endpoint} --region ${api.region} apigatewayv2 get-apis
  Dashboard: ${emulator.endpoint}/moto-api/
  Terraform: cd ${rel(dir)} && terraform state list
             (with TF_CLI_CONFIG_FILE=${tfEnv.TF_CLI_CONFIG_FILE})
The emulator stores resources and runs nothing (no tasks); the gateway above carries the WebSocket traffic.`);
    if (once) return teardown(0);
    console.log(`\nPress Ctrl-C to stop the gateway and the emulator (what was deployed on it goes with it).`);
  } catch (e) {
    console.error(`\nnpm run local: ${(e as Error).message}`);
    await teardown(1);
  }
}

void main();
