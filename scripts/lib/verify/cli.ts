import * as fs from "fs";
import * as path from "path";
import { AwsAccessOptions } from "./aws";
import { HOPS } from "./hops";
import {
  expectedApi,
  LocalTarget,
  outputValues,
  readLocalTargetFile,
  readTerraformRoot,
  TargetError,
  targetFromOutputs,
  VerifyTarget,
  withState,
} from "./target";

export const STACKS = ["chat", "websocket-nlb", "websocket-alb"] as const;

export const USAGE = [
  "npm run verify -- <chat|websocket-nlb|websocket-alb> [options]",
  "npm run verify -- --outputs <file of terraform output -json> [--region <region>] [options]",
  "npm run verify -- --local <file> [options]",
];

/** The `--help` text: the hops, and exactly what goes out. */
export function helpText(): string {
  const width = Math.max(...HOPS.map((h) => h.name.length));
  return `Checks a deployed WebSocket system hop by hop with read-only AWS calls, then carries real traffic through it.

usage:
  ${USAGE[0]}
      a stack deployed from this folder (npm run deploy -- <stack>): reads cdktf.out/stacks/<stack>
      (the synthesized stack, and Terraform's outputs and state through the project's Terraform environment)
  ${USAGE[1]}
      a module used from your HCL: the file holds \`terraform output -json\` of your root module, which must
      output the module's websocket_stage_invoke_url (connections_callback_url, target_group_arn and
      vpc_link_id help); --region defaults to the region in that URL
  ${USAGE[2]}
      the deployment npm run local serves (the emulator and the local gateway): its "Verify:" line

options:
  --json                   one JSON document on stdout (the hops, the AWS calls made, the connections opened), for CI
                           (npm run --silent verify -- ... keeps npm's own lines out of stdout)
  --control-plane-only     read-only AWS calls only: no connection is opened, no frame sent
  --strict                 a WARN fails the exit code too (a build still running, targets still registering, log lag)
  --token <token>          ?token=<token> on the handshake, for a $connect Lambda authorizer (identity source: the token query parameter)
  --query <name>=<value>   another query string parameter of the handshake (repeatable)
  --logs-wait <seconds>    how long to wait for the scenario's access log lines (default 120; CloudWatch Logs delivery lags)
  -h, --help               this text

A $connect with AWS_IAM authorization gets a handshake signed with your credentials (SigV4, service execute-api).

hops, in order (each FAIL names the likely cause, the fix, and its section of docs/troubleshooting.md):
${HOPS.map((h) => `  ${h.name.padEnd(width)}  ${h.checks}`).join("\n")}

what goes out (nothing in the account is created or changed):
  - read-only AWS calls, signed with your credentials (the AWS SDK's default chain), in the API's region:
      API Gateway v2   GetApi GetStage GetRoutes GetIntegrations GetIntegrationResponses GetDeployment GetDomainName GetApiMappings
      API Gateway      GetVpcLink GetAccount
      ELB v2           DescribeListeners DescribeTargetGroups DescribeTargetHealth DescribeLoadBalancers
      ECS              DescribeServices ListTasks DescribeTasks (ListClusters ListServices: finding a module's service)
      CodeBuild        ListBuildsForProject BatchGetBuilds
      Amplify          ListJobs GetJob
      IAM              GetRole ListAttachedRolePolicies ListRolePolicies GetRolePolicy
      EC2              DescribeSubnets DescribeRouteTables DescribeNatGateways DescribeVpcEndpoints
      CloudWatch Logs  FilterLogEvents DescribeLogStreams
      CloudTrail       LookupEvents (explicit deployments only)
    every client refuses, before sending, any operation that is not Get, Describe, List, BatchGet, Filter or Lookup;
  - the scenario's own WebSocket connections, which it closes: the chat's two clients claim two throwaway user names
    (verify-<random>-a and -b, which the backend forgets when they disconnect) and message each other; a module's one
    client sends one frame that goes to $default (your backend's POST /default); custom routes are not sent;
  - GET @connections/{id} of one of the scenario's connections, signed with your credentials.
  Nothing is sent to any other connection or user.

exit code: 0 when no hop fails (WARN and SKIP do not fail it; with --strict a WARN does), 1 when one does, 2 for a usage error.`;
}

export interface Options {
  readonly stack?: (typeof STACKS)[number];
  readonly outputs?: string;
  readonly region?: string;
  readonly local?: string;
  readonly json: boolean;
  readonly controlPlaneOnly: boolean;
  readonly strict: boolean;
  readonly token?: string;
  readonly query: Readonly<Record<string, string>>;
  readonly logsWaitMs: number;
}

/** Parses the command line; throws a {@link TargetError} with a one-line message. */
export function parseArgs(argv: readonly string[]): Options | "help" {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const query: Record<string, string> = {};
  let json = false;
  let controlPlaneOnly = false;
  let strict = false;
  const VALUED = ["--outputs", "--region", "--local", "--token", "--query", "--logs-wait"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return "help";
    if (!arg.startsWith("-")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === "--json" || name === "--control-plane-only" || name === "--strict") {
      if (eq > 0) throw new TargetError(`${name} takes no value, got ${JSON.stringify(arg)}`);
      if (name === "--json") json = true;
      else if (name === "--strict") strict = true;
      else controlPlaneOnly = true;
      continue;
    }
    if (!VALUED.includes(name)) {
      throw new TargetError(
        `unknown flag ${JSON.stringify(arg)}: the flags are --json, --control-plane-only, --strict, ${VALUED.join(", ")} (npm run verify -- --help)`,
      );
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new TargetError(`${name} must be followed by a value (npm run verify -- --help)`);
    if (name === "--query") {
      const m = /^([^=]+)=(.*)$/.exec(value);
      if (!m) throw new TargetError(`--query must be <name>=<value>, got ${JSON.stringify(value)}: e.g. --query token=abc`);
      query[m[1]] = m[2];
      continue;
    }
    if (values.has(name)) throw new TargetError(`${name} must be given once`);
    values.set(name, value);
  }
  const modes = [positional.length > 0, values.has("--outputs"), values.has("--local")].filter(Boolean).length;
  if (modes !== 1) throw new TargetError(`give one of a stack name, --outputs <file> or --local <file> (${USAGE.join(" | ")})`);
  if (positional.length > 1) throw new TargetError(`give one stack, got ${positional.map((p) => JSON.stringify(p)).join(" and ")}`);
  const stack = positional[0] as Options["stack"];
  if (stack !== undefined && !STACKS.includes(stack))
    throw new TargetError(`stack must be one of ${STACKS.join(", ")}, got ${JSON.stringify(stack)}: e.g. npm run verify -- chat`);
  if (values.has("--region") && !values.has("--outputs")) throw new TargetError("--region goes with --outputs (a stack's region comes from its state)");
  const region = values.get("--region");
  if (region !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region))
    throw new TargetError(`--region must be an AWS region such as us-east-1, got ${JSON.stringify(region)}`);
  const wait = values.get("--logs-wait");
  if (wait !== undefined && !(/^\d+$/.test(wait) && Number(wait) <= 900))
    throw new TargetError(`--logs-wait must be a number of seconds from 0 to 900, got ${JSON.stringify(wait)}`);
  return {
    stack,
    outputs: values.get("--outputs"),
    region,
    local: values.get("--local"),
    json,
    controlPlaneOnly,
    strict,
    token: values.get("--token"),
    query,
    logsWaitMs: wait === undefined ? 120_000 : Number(wait) * 1000,
  };
}

export interface Resolved {
  readonly target: VerifyTarget;
  readonly aws: AwsAccessOptions;
  readonly redeploy: string;
}

/** What to verify, from the options: a stack's folder, an outputs file, or npm run local's file. */
export async function resolveTarget(o: Options, projectDir: string, terraformEnv: NodeJS.ProcessEnv): Promise<Resolved> {
  if (o.outputs !== undefined) {
    const file = path.resolve(o.outputs);
    if (!fs.existsSync(file))
      throw new TargetError(`--outputs ${o.outputs} does not exist: write it with terraform output -json > outputs.json in your root module`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new TargetError(`--outputs ${o.outputs} is not JSON (${(e as Error).message}): write it with terraform output -json`);
    }
    const outputs = outputValues(json);
    const kind = "connections_table_name" in outputs ? "chat" : "module";
    const target = expectedApi(targetFromOutputs(outputs, { kind, region: o.region, source: o.outputs }), {});
    return { target, aws: { region: target.region }, redeploy: "terraform apply in your root module" };
  }
  if (o.local !== undefined) {
    const file = readLocalTargetFile(path.resolve(o.local));
    const { outputs, state } = await readTerraformRoot(file.root, terraformEnv);
    const kind = file.stack === "chat" ? "chat" : "module";
    const base = withState(targetFromOutputs(outputs, { kind, source: `npm run local's ${file.stack}` }), state);
    const local: LocalTarget = {
      endpoint: file.endpoint,
      websocketUrl: file.websocketUrl,
      customDomainUrls: file.customDomainUrls,
      connectionsUrl: file.connectionsUrl,
      caFile: file.caFile,
      accessLogFile: file.accessLogFile,
      backend: file.backend,
      notEmulated: file.notEmulated,
    };
    const target = { ...expectedApi(base, { stackDir: file.stackDir, state }), local };
    return {
      target,
      aws: { region: target.region, endpoint: file.endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } },
      redeploy: "restart npm run local, which deploys anew",
    };
  }
  const stack = o.stack!;
  const root = path.join(projectDir, "cdktf.out", "stacks", stack);
  const { outputs, state } = await readTerraformRoot(root, terraformEnv);
  const kind = stack === "chat" ? "chat" : "module";
  const base = withState(targetFromOutputs(outputs, { kind, source: `the state of cdktf.out/stacks/${stack}` }), state);
  const target = expectedApi(base, { stackDir: stack === "chat" ? root : undefined, state });
  return { target, aws: { region: target.region }, redeploy: `npm run deploy -- ${stack}` };
}
