import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { AssetType, Fn, ITerraformDependable, Lazy, TerraformAsset, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { checkPattern, checkRetention } from "./validation";

/** Properties of {@link DeployActions}. */
export interface DeployActionsProps {
  /** Name of the Lambda function and its role (at most 64 characters). */
  readonly functionName: string;
  /**
   * Folder holding the handler (`index.js`); the stack knows where it is on disk.
   * Functions of one stack with the same folder share one archive.
   */
  readonly codeDirectory: string;
  /**
   * Retention of the function's log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

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
  const code = new TerraformAsset(fn, "Code", { path: codeDirectory, type: AssetType.ARCHIVE });
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
  private readonly statements: DataAwsIamPolicyDocumentStatement[] = [];
  private readonly policy: IamRolePolicy;

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
    const code = archiveOf(this, props.codeDirectory);
    const logs = new CloudwatchLogGroup(this, "Logs", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags: props.tags,
    });
    const trust = new DataAwsIamPolicyDocument(this, "Trust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "Role", {
      name: props.functionName,
      description: "Runs deployment steps Terraform invokes (image build, Amplify repository connection and first build)",
      assumeRolePolicy: trust.json,
      tags: props.tags,
    });
    const document = new DataAwsIamPolicyDocument(this, "PolicyDocument", {
      statement: Lazy.anyValue({
        produce: () => [
          {
            sid: "OwnLogs",
            effect: "Allow",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [`${logs.arn}:*`],
          },
          ...this.statements,
        ],
      }),
    });
    this.policy = new IamRolePolicy(this, "Policy", { name: "deploy-actions", role: this.role.name, policy: document.json });
    this.function = new LambdaFunction(this, "Resource", {
      functionName: props.functionName,
      description: "Deployment steps invoked by Terraform",
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      // Long enough for a CodeBuild image build; Lambda's maximum.
      timeout: 900,
      memorySize: 256,
      loggingConfig: { logFormat: "Text", logGroup: logs.name },
      tags: props.tags,
      dependsOn: [logs, this.policy],
    });
  }

  /** Adds a statement to the function's role. */
  public allow(statement: DataAwsIamPolicyDocumentStatement): void {
    this.statements.push(statement);
  }

  /**
   * Invokes the function during apply, again whenever `input` changes, and
   * returns the JSON result (an attribute of `aws_lambda_invocation`).
   */
  public invoke(id: string, input: Record<string, unknown>, dependsOn: ITerraformDependable[] = []): LambdaInvocation {
    return new LambdaInvocation(this, id, {
      functionName: this.function.functionName,
      input: Fn.jsonencode(input),
      dependsOn: [this.policy, ...dependsOn],
    });
  }
}
