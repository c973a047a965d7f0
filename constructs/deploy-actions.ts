import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { AssetType, Fn, ITerraformDependable, Lazy, TerraformAsset, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { checkPattern, checkRange, checkRetention, isUnresolved } from "./validation";

/** Lambda's longest timeout, in seconds: the deploy actions' default. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** Properties of {@link DeployActions}. */
export interface DeployActionsProps {
  /** Name of the Lambda function and its role (at most 64 characters). */
  readonly functionName: string;
  /**
   * Folder holding the handler (`index.js`), or a zip of it (a path ending
   * in `.zip`, used as it is); the stack knows where it is on disk.
   * Functions of one stack with the same code share one archive.
   */
  readonly codeDirectory: string;
  /**
   * Retention of the function's log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Timeout of the function, in seconds (Lambda allows 1 to 900). A step of
   * {@link DeployActions.invokeUntilDone} waits at most this long.
   * @default 900
   */
  readonly timeoutSeconds?: number;
  /**
   * Creates the function. May be a Terraform expression (a module variable):
   * the resources then get `count = enabled ? 1 : 0`, and so do the
   * invocations.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Where Terraform finds the archive, for a stack used as a module (e.g.
   * `${path.module}/assets/...`): the asset's path prefixed.
   * @default - the asset's path, relative to the stack's folder
   */
  readonly archivePathPrefix?: string;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/** Options of {@link DeployActions.invoke}. */
export interface InvokeOptions {
  /**
   * "CRUD": the function is also invoked when the input changes (action
   * "update") and on destroy ("delete"), with `tf: {action, prev_input}`
   * added to the input (provider 5.x `aws_lambda_invocation`
   * lifecycle_scope; hashicorp/terraform-provider-aws#29367).
   * @default - "CREATE_ONLY": invoked on create, and again (replaced) when the input changes
   */
  readonly lifecycleScope?: "CRUD";
  /**
   * Where the invocation goes in the construct tree (its address): a
   * construct that owns what the invocation does.
   * @default - this DeployActions
   */
  readonly scope?: Construct;
  /**
   * Invokes at all. May be a Terraform expression (a module variable): the
   * invocation then gets `count = enabled ? 1 : 0`.
   * @default - as the function (`DeployActionsProps.enabled`)
   */
  readonly enabled?: boolean;
}

/** The invocations of one action that waits across several (see {@link DeployActions.invokeUntilDone}). */
export interface ChainedInvocation {
  /** The first step: what must happen before the action starts is its dependency. */
  readonly first: LambdaInvocation;
  /** The last step: its result is the action's. */
  readonly last: LambdaInvocation;
  /** How many invocations. */
  readonly steps: number;
}

/** What {@link DeployActions.invokeUntilDone} waits for at most, in minutes, by default: a build of 45 minutes, queue included. */
export const DEFAULT_WAIT_MINUTES = 45;

/** The archives of handler folders made in each stack, by folder. */
const ARCHIVES = new WeakMap<TerraformStack, Map<string, TerraformAsset>>();

/**
 * The archive of a handler folder: made once per stack (under the first
 * function of that folder, `<id>/Code`) and shared by every later function of
 * the same folder. cdktf zips an archive in a child process at synth, a
 * quarter of a second each; two functions of one handler need one archive.
 */
function archiveOf(fn: Construct, codeDirectory: string): TerraformAsset {
  const stack = TerraformStack.of(fn);
  const archives = ARCHIVES.get(stack) ?? new Map<string, TerraformAsset>();
  ARCHIVES.set(stack, archives);
  const existing = archives.get(codeDirectory);
  if (existing) return existing;
  // A zip made beforehand (deterministic bytes) is used as it is; a folder is zipped by cdktf.
  const code = new TerraformAsset(fn, "Code", { path: codeDirectory, type: codeDirectory.endsWith(".zip") ? AssetType.FILE : AssetType.ARCHIVE });
  archives.set(codeDirectory, code);
  return code;
}

/**
 * A Lambda function Terraform invokes during apply (`aws_lambda_invocation`)
 * for the steps no AWS resource performs: building the backend image with
 * CodeBuild, connecting an Amplify app to its repository with a token read
 * from Secrets Manager, starting an Amplify branch's first build, and
 * building and publishing a frontend by Amplify manual deployment
 * ({@link FrontendBuild}). Its role gets only the statements its users grant
 * ({@link DeployActions.allow}).
 */
export class DeployActions extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  /** Name of the function (a Terraform expression where `enabled` is one). */
  public readonly functionName: string;
  /** ARN of the function's role (a Terraform expression where `enabled` is one). */
  public readonly roleArn: string;
  /** The function's timeout, in seconds. */
  public readonly timeoutSeconds: number;
  private readonly statements: DataAwsIamPolicyDocumentStatement[] = [];
  private readonly policy: IamRolePolicy;
  private readonly count?: number;

  constructor(scope: Construct, id: string, props: DeployActionsProps) {
    super(scope, id);
    checkRetention("DeployActions.logRetentionInDays", props.logRetentionInDays);
    checkPattern(
      "DeployActions.functionName",
      props.functionName,
      /^[A-Za-z0-9_-]{1,64}$/,
      "1 to 64 letters, digits, hyphens or underscores",
      "Lambda function and IAM role names allow 64 characters",
    );
    checkRange("DeployActions.timeoutSeconds", props.timeoutSeconds, 1, LAMBDA_MAX_TIMEOUT_SECONDS, "Lambda allows 1 to 900 seconds");
    this.timeoutSeconds = props.timeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS;
    const code = archiveOf(this, props.codeDirectory);
    const archive = `${props.archivePathPrefix ?? ""}${code.path}`;
    // A Terraform expression decides at plan time (a module variable).
    const count = isUnresolved(props.enabled) ? Token.asNumber(Fn.conditional(props.enabled, 1, 0)) : props.enabled === false ? 0 : undefined;
    this.count = count;
    const logs = new CloudwatchLogGroup(this, "Logs", {
      count,
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags: props.tags,
    });
    const trust = new DataAwsIamPolicyDocument(this, "Trust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "Role", {
      count,
      name: props.functionName,
      description: "Runs deployment steps Terraform invokes (image and frontend builds, Amplify repository connection, the API Gateway account setting)",
      assumeRolePolicy: trust.json,
      tags: props.tags,
    });
    // With a count too: its statements read the (then absent) log group and role.
    const document = new DataAwsIamPolicyDocument(this, "PolicyDocument", {
      count,
      statement: Lazy.anyValue({
        produce: () => [
          {
            sid: "OwnLogs",
            effect: "Allow",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [`${attr(logs, "arn")}:*`],
          },
          ...this.statements,
        ],
      }),
    });
    this.roleArn = attr(this.role, "arn");
    this.policy = new IamRolePolicy(this, "Policy", { count, name: "deploy-actions", role: attr(this.role, "name"), policy: attr(document, "json") });
    this.function = new LambdaFunction(this, "Resource", {
      count,
      functionName: props.functionName,
      description: "Deployment steps invoked by Terraform",
      role: this.roleArn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: archive,
      // With a prefix such as ${path.module}, the hash is written as an expression below.
      sourceCodeHash: props.archivePathPrefix === undefined ? Fn.filebase64sha256(archive) : undefined,
      // Lambda's maximum by default: a step waits for a build as long as it can.
      timeout: this.timeoutSeconds,
      memorySize: 256,
      loggingConfig: { logFormat: "Text", logGroup: attr(logs, "name") },
      tags: props.tags,
      dependsOn: [logs, this.policy],
    });
    if (props.archivePathPrefix !== undefined) this.function.addOverride("source_code_hash", `\${filebase64sha256("${archive}")}`);
    this.functionName = attr(this.function, "function_name");
  }

  /** Adds a statement to the function's role. */
  public allow(statement: DataAwsIamPolicyDocumentStatement): void {
    this.statements.push(statement);
  }

  /**
   * Invokes the function during apply, again whenever `input` changes, and
   * returns the JSON result (an attribute of `aws_lambda_invocation`).
   */
  public invoke(id: string, input: Record<string, unknown>, dependsOn: ITerraformDependable[] = [], options: InvokeOptions = {}): LambdaInvocation {
    const count =
      options.enabled === undefined
        ? this.count
        : isUnresolved(options.enabled)
          ? Token.asNumber(Fn.conditional(options.enabled, 1, 0))
          : options.enabled === false
            ? 0
            : undefined;
    return new LambdaInvocation(options.scope ?? this, id, {
      count,
      functionName: this.functionName,
      input: Fn.jsonencode(input),
      lifecycleScope: options.lifecycleScope,
      dependsOn: [this.policy, ...dependsOn],
    });
  }

  /**
   * Invokes an action that may wait longer than one invocation can (a build
   * with its queue): a chain of invocations `id`, `<id>Wait2`, ... each given
   * `step`, `steps` and the result of the one before as `previous`, enough of
   * them to wait `waitMinutes` in all. A step that runs out of time while the
   * action goes on hands it to the next; the steps after one that finished
   * return its result at once (constructs/deploy-actions/builds.js). Terraform
   * waits for each synchronous invocation as long as the function runs (the
   * provider invokes with no deadline of its own: internal/service/lambda
   * invocation.go; hashicorp/terraform-provider-aws#31606), so one apply
   * waits `steps` function timeouts at most.
   */
  public invokeUntilDone(
    id: string,
    input: Record<string, unknown>,
    options: { readonly dependsOn?: ITerraformDependable[]; readonly waitMinutes?: number } = {},
  ): ChainedInvocation {
    const waitMinutes = options.waitMinutes ?? DEFAULT_WAIT_MINUTES;
    checkRange("DeployActions.invokeUntilDone.waitMinutes", waitMinutes, 1, 8 * 60, "CodeBuild builds and queues last 8 hours at most");
    const steps = waitSteps(waitMinutes, this.timeoutSeconds);
    const first = this.invoke(id, { ...input, step: 1, steps }, options.dependsOn ?? []);
    let last = first;
    for (let step = 2; step <= steps; step++) {
      last = this.invoke(`${id}Wait${step}`, { ...input, step, steps, previous: Fn.jsondecode(attr(last, "result")) }, [last]);
    }
    return { first, last, steps };
  }
}

/**
 * The invocations that wait `minutes` in all: each waits the function's
 * timeout less the 45 s it keeps for a last poll and a clean return
 * (POLL_MS + SAFETY_MS of the handler).
 */
export function waitSteps(minutes: number, timeoutSeconds: number = LAMBDA_MAX_TIMEOUT_SECONDS): number {
  const usable = Math.max(timeoutSeconds - 45, 1);
  return Math.max(1, Math.ceil((minutes * 60) / usable));
}

/** An attribute of a resource that may have a count (then the one instance, or null). */
function attr(resource: { fqn: string; count?: unknown; getStringAttribute(name: string): string }, name: string): string {
  return resource.count !== undefined ? Fn.one(Fn.lookupNested(resource.fqn, ["*", name])) : resource.getStringAttribute(name);
}
