import * as fs from "fs";
import * as path from "path";
import type { TerraformJson } from "../../../constructs/terraform-json";
import type { ApiModel } from "../../../local-gateway/api-model";
import { apiFromSynthesizedStack } from "../../../local-gateway/synthesized-stack";
import { apiFromTerraformState, showState, terraformJson } from "../../../local-gateway/terraform-state";

/** What `npm run local` serves, for a verify of it (the file it writes; see local-verify.ts). */
export interface LocalTarget {
  /** The emulator's endpoint: every control-plane call goes there, with test credentials. */
  readonly endpoint: string;
  /** The local gateway's WebSocket URL (`ws://127.0.0.1:<port>/<stage>`). */
  readonly websocketUrl: string;
  /** The local gateway's @connections base URL. */
  readonly connectionsUrl: string;
  /** The local gateway's CA (its TLS certificate for @connections). */
  readonly caFile: string;
  /** The access log file the local gateway writes in the stage's format. */
  readonly accessLogFile: string;
  /** Where the gateway sends VPC-link requests (`--backend`), if given. */
  readonly backend?: string;
  /** The production edges the local gateway does not emulate (ApiModel.notEmulated). */
  readonly notEmulated: readonly string[];
  /**
   * The local gateway's URLs of the stage's custom domain mappings
   * (`ws://127.0.0.1:<port>/<mapping key>`), each with the `wss://` URL it stands for.
   * @default - none
   */
  readonly customDomainUrls?: ReadonlyArray<{ readonly url: string; readonly domainUrl: string }>;
}

/** The deployed system verify checks, as far as the outputs (and the state, when there is one) tell. */
export interface VerifyTarget {
  /** `chat` runs the chat scenario; `module` the `$default` round trip. */
  readonly kind: "chat" | "module";
  /** Where it was read from, for messages. */
  readonly source: string;
  readonly region: string;
  readonly apiId: string;
  readonly stageName: string;
  /** The stage's own URL (`wss://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly websocketUrl: string;
  /** A custom domain's URL (`wss://<domain>[/<mapping key>]`), when there is one. */
  readonly customDomainUrl?: string;
  /** The @connections base URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
  readonly connectionsUrl: string;
  /** The API the stack defines: its routes and integrations (undefined: the outputs alone do not say). */
  readonly expected?: ApiModel;
  /** Why {@link expected} is missing, when it is. */
  readonly expectedMissing?: string;
  /** How `$connect` is authorized, when the stack says (else read from the live route). */
  readonly authorization?: "NONE" | "AWS_IAM" | "CUSTOM";
  /** The ECS service of the backend, when known (else looked up by target group). */
  readonly ecs?: { readonly cluster: string; readonly service: string; readonly subnets?: readonly string[] };
  /** Target groups the stack created (else found through the VPC link's NLB). */
  readonly targetGroupArns?: readonly string[];
  /** CodeBuild project of the backend image (chat, unless chat.backend.image.uri). */
  readonly imageBuildProject?: string;
  /** CodeBuild project of the frontend (chat, source "build"). */
  readonly frontendBuildProject?: string;
  /** Amplify app and branch of the frontend (chat). */
  readonly amplify?: { readonly appId: string; readonly branch: string };
  /** Whether the state was read: without it, hops that need the stack's resources say so. */
  readonly hasState: boolean;
  /** The role the stack set as the region's CloudWatch role (state of aws_api_gateway_account). */
  readonly accountRoleArn?: string;
  /** Terraform's explicit deployment (aws_apigatewayv2_deployment), when the stack has one. */
  readonly deploymentId?: string;
  /** `npm run local`'s deployment: the emulator and the local gateway. */
  readonly local?: LocalTarget;
}

/** A usage problem: printed as one line, exit 2. */
export class TargetError extends Error {}

const EXECUTE_API_URL = /^wss:\/\/([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^/?#]+)\/?$/;

/** `terraform output -json` (`{name: {value}}`) or a plain `{name: value}` map, module objects flattened. */
export function outputValues(json: unknown): Record<string, unknown> {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new TargetError("the outputs must be a JSON object, as `terraform output -json` prints");
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    const value = entry && typeof entry === "object" && "value" in (entry as object) ? (entry as { value: unknown }).value : entry;
    out[name] = value;
  }
  // An output holding a whole module (`value = module.websocket_api`): its outputs, where the root has none of that name.
  for (const value of Object.values({ ...out })) {
    if (value && typeof value === "object" && !Array.isArray(value) && "websocket_stage_invoke_url" in (value as object)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!(k in out)) out[k] = v;
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The target as the outputs tell it: the stage's URL (the module outputs
 * `websocket_stage_invoke_url`, the chat's `websocket_url`, or any output
 * holding an execute-api wss:// URL), the API id and region in it, the
 * @connections URL, a custom domain's URL, the ECS service (chat).
 */
export function targetFromOutputs(outputs: Record<string, unknown>, options: { kind: "chat" | "module"; region?: string; source: string }): VerifyTarget {
  const urls = Object.entries(outputs).filter(([, v]) => typeof v === "string" && /^wss:\/\//.test(v)) as Array<[string, string]>;
  const preferred = ["websocket_stage_invoke_url", "websocket_url", "execute_api_url"];
  const stage = [...urls].sort(([a], [b]) => rank(preferred, a) - rank(preferred, b)).find(([, v]) => EXECUTE_API_URL.test(v));
  if (!stage) {
    throw new TargetError(
      `${options.source} holds no execute-api wss:// URL (websocket_stage_invoke_url, websocket_url): output the module's websocket_stage_invoke_url from your root module, e.g. output "websocket_stage_invoke_url" { value = module.websocket_api.websocket_stage_invoke_url }`,
    );
  }
  const [, apiFromUrl, regionFromUrl, stageName] = EXECUTE_API_URL.exec(stage[1])!;
  if (options.region && options.region !== regionFromUrl) {
    throw new TargetError(`--region must be the API's region, got ${options.region}: ${stage[0]} (${stage[1]}) is in ${regionFromUrl}`);
  }
  const apiId = str(outputs.api_id) ?? str(outputs.websocket_api_id) ?? apiFromUrl;
  const custom = str(outputs.custom_domain_url) ?? urls.map(([, v]) => v).find((v) => !EXECUTE_API_URL.test(v));
  const cluster = str(outputs.ecs_cluster_name);
  const service = str(outputs.ecs_service_name);
  const tg = str(outputs.target_group_arn);
  const authorization = str(outputs.connect_route_arn) ? "AWS_IAM" : str(outputs.connect_authorizer_id) ? "CUSTOM" : undefined;
  return {
    kind: options.kind,
    source: options.source,
    region: regionFromUrl,
    apiId,
    stageName,
    websocketUrl: stage[1].replace(/\/$/, ""),
    customDomainUrl: custom,
    connectionsUrl: str(outputs.connections_callback_url) ?? stage[1].replace(/^wss:/, "https:").replace(/\/$/, ""),
    authorization,
    ecs: cluster && service ? { cluster, service } : undefined,
    targetGroupArns: tg ? [tg] : undefined,
    hasState: false,
  };
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

/** Every managed resource of a `terraform show -json` state, child modules included. */
export function stateResources(state: unknown): Array<{ address: string; type: string; values: TerraformJson }> {
  const out: Array<{ address: string; type: string; values: TerraformJson }> = [];
  const walk = (module: TerraformJson | undefined) => {
    if (!module) return;
    for (const r of module.resources ?? []) if (r.mode === "managed") out.push({ address: r.address, type: r.type, values: r.values ?? {} });
    for (const child of module.child_modules ?? []) walk(child);
  };
  walk((state as TerraformJson | undefined)?.values?.root_module);
  return out;
}

/**
 * Adds what the state knows: the CodeBuild projects (the image's builds into
 * ECR, the frontend's publishes to Amplify), the Amplify app and branch, the
 * ECS service and its subnets, the target groups, the account role the stack
 * set, its explicit deployment and `$connect` authorization.
 */
export function withState(target: VerifyTarget, state: unknown): VerifyTarget {
  const resources = stateResources(state);
  const of = (type: string) => resources.filter((r) => r.type === type);
  const envNames = (p: TerraformJson): string[] =>
    (p.environment ?? []).flatMap((e: TerraformJson) => (e.environment_variable ?? []).map((v: TerraformJson) => v.name));
  const projects = of("aws_codebuild_project");
  const image = projects.find((p) => envNames(p.values).includes("REPOSITORY_URI"));
  const frontend = projects.find((p) => envNames(p.values).includes("AMPLIFY_APP_ID"));
  const branch = of("aws_amplify_branch")[0];
  const service = of("aws_ecs_service").find((s) => target.ecs === undefined || s.values.name === target.ecs.service);
  const subnets: string[] | undefined = service?.values.network_configuration?.[0]?.subnets;
  const connect = of("aws_apigatewayv2_route").find((r) => r.values.api_id === target.apiId && r.values.route_key === "$connect");
  const authorization = connect ? ((connect.values.authorization_type || "NONE") as VerifyTarget["authorization"]) : target.authorization;
  const deployment = of("aws_apigatewayv2_deployment").find((d) => d.values.api_id === target.apiId);
  const tgs = of("aws_lb_target_group").map((t) => t.values.arn as string);
  return {
    ...target,
    hasState: true,
    imageBuildProject: image?.values.name,
    frontendBuildProject: frontend?.values.name,
    amplify: branch ? { appId: branch.values.app_id, branch: branch.values.branch_name } : undefined,
    ecs: service
      ? { cluster: clusterName(service.values.cluster), service: service.values.name, subnets: subnets?.length ? [...subnets].sort() : undefined }
      : target.ecs,
    targetGroupArns: tgs.length ? tgs : target.targetGroupArns,
    accountRoleArn: of("aws_api_gateway_account")[0]?.values.cloudwatch_role_arn || undefined,
    deploymentId: deployment?.values.id,
    authorization,
  };
}

/** An ECS cluster's name from its ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`) or name. */
function clusterName(cluster: string): string {
  return cluster.includes("/") ? cluster.slice(cluster.lastIndexOf("/") + 1) : cluster;
}

/**
 * The routes and integrations the stack defines: the chat stack's from its
 * synthesized `cdk.tf.json` (what `npm run synth` or `npm run deploy` last
 * wrote); a module stack's from the state (its routes come from `for_each`,
 * which only Terraform evaluates).
 */
export function expectedApi(target: VerifyTarget, options: { stackDir?: string; state?: unknown }): VerifyTarget {
  const selection = { api: target.apiId, stage: target.stageName };
  if (options.stackDir && fs.existsSync(path.join(options.stackDir, "cdk.tf.json"))) {
    try {
      return { ...target, expected: apiFromSynthesizedStack(options.stackDir) };
    } catch {
      // A stack whose API needs Terraform to evaluate (a module stack): the state below.
    }
  }
  if (options.state) {
    try {
      return { ...target, expected: apiFromTerraformState(options.state, selection, target.source) };
    } catch (e) {
      return { ...target, expectedMissing: (e as Error).message };
    }
  }
  return {
    ...target,
    expectedMissing: "the outputs do not list the routes: the live routes are checked for consistency only (each targets an integration that exists)",
  };
}

/** Reads a Terraform root's outputs and state (the project's Terraform environment). */
export async function readTerraformRoot(root: string, env: NodeJS.ProcessEnv): Promise<{ outputs: Record<string, unknown>; state: unknown }> {
  const shown = path.relative(process.cwd(), root) || root;
  if (!fs.existsSync(path.join(root, ".terraform"))) {
    throw new TargetError(
      `${shown} has no Terraform working directory: verify reads the outputs and state of a stack deployed from this folder (npm run deploy -- <stack>), or give --outputs <file of terraform output -json> --region <region>`,
    );
  }
  const outputs = outputValues(await terraformJson(root, ["output", "-json"], env));
  if (Object.keys(outputs).length === 0) throw new TargetError(`the state of ${shown} holds no outputs: deploy the stack first (npm run deploy -- <stack>)`);
  const state = await showState(root, env);
  return { outputs, state };
}

/** The file `npm run local` writes for `npm run verify -- --local <file>`. */
export interface LocalTargetFile extends LocalTarget {
  readonly version: 1;
  readonly stack: string;
  /** The Terraform root `npm run local` applied (its outputs and state are read). */
  readonly root: string;
  /** The synthesized chat stack (the expected routes), when the stack is chat. */
  readonly stackDir?: string;
  readonly region: string;
}

export function readLocalTargetFile(file: string): LocalTargetFile {
  if (!fs.existsSync(file))
    throw new TargetError(`--local ${file} does not exist: it is written by npm run local while it serves (its "Verify:" line names it)`);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as LocalTargetFile;
  if (json.version !== 1 || !json.root || !json.endpoint || !json.websocketUrl)
    throw new TargetError(`--local ${file} is not a file npm run local wrote (version 1)`);
  return json;
}
