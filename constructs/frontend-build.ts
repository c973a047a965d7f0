import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { createHash } from "crypto";
import { Construct } from "constructs";
import { BuildRun, concurrentBuildQuota } from "./build-run";
import { DeployActions } from "./deploy-actions";
import { escapeTerraformTemplate } from "./escape";
import { frontendBuildSpec } from "./frontend-build-spec";
import { FRONTEND_BUILD_NAME, GIT_REF, NODE_MAJOR_VERSION, OUTPUT_DIRECTORY } from "./rules";
import { checkGitHubRepositoryUrl, checkPattern, checkRange, checkRetention, invalid, isUnresolved } from "./validation";

/** The build's environment: a static site needs the smallest Linux one. */
const ENVIRONMENT_TYPE = "LINUX_CONTAINER";
const COMPUTE_TYPE = "BUILD_GENERAL1_SMALL";

/** A GitHub repository and the git ref to build. */
export interface FrontendSource {
  /** `https://github.com/<owner>/<repo>` (optionally ending in `.git`). */
  readonly repositoryUrl: string;
  /**
   * Branch, tag or commit to build. A branch is read when a build runs: pin a
   * tag or commit for deploys that can be repeated exactly.
   */
  readonly gitRef: string;
  /**
   * Secrets Manager secret holding a GitHub token, for a private repository
   * (CodeBuild's JSON form; CodeBuild reads it per build, Terraform never).
   * @default - none: the repository must be public, and no token or GitHub
   *   account is involved
   */
  readonly tokenSecretArn?: string;
}

/** The Amplify branch a build is published to (the few values the build needs). */
export interface AmplifyBranchTarget {
  /** ID of the Amplify app (manually deployed: not connected to a repository). */
  readonly appId: string;
  /** Name of the branch. */
  readonly branchName: string;
  /** ARN of the branch (`arn:aws:amplify:<region>:<account>:apps/<app id>/branches/<branch>`). */
  readonly branchArn: string;
}

/** Properties of {@link FrontendBuild}. */
export interface FrontendBuildProps {
  /** Name of the CodeBuild project and its log group; the role is `<name>-build`. */
  readonly name: string;
  /** What to build. */
  readonly source: FrontendSource;
  /** Where to publish it. */
  readonly target: AmplifyBranchTarget;
  /**
   * Build-time environment variables (the chat frontend reads `WEBSOCKET_URL`).
   * A change builds and publishes again.
   * @default - none
   */
  readonly environmentVariables?: Record<string, string>;
  /**
   * Commands that build the site, run in the repository root.
   * @default - `npm ci` (or `npm install` without a package-lock.json), then `npm run build`
   */
  readonly buildCommands?: string[];
  /**
   * Folder, relative to the repository root, holding the built static site
   * (with `index.html`); its content is what Amplify serves.
   * @default "out" (a Next.js static export)
   */
  readonly outputDirectory?: string;
  /**
   * Node.js major version of the build (`runtime-versions` of CodeBuild's
   * Amazon Linux standard 5.0 image).
   * @default "22"
   */
  readonly nodeVersion?: string;
  /**
   * Builds and publishes during apply, and again when the source, the ref,
   * the environment or the build changes (see {@link FrontendBuild}).
   * @default - no build during apply; start the CodeBuild project yourself
   */
  readonly deployActions?: DeployActions;
  /**
   * Build timeout, in minutes.
   * @default 20
   */
  readonly buildTimeoutInMinutes?: number;
  /**
   * Retention of the build log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A static frontend built from GitHub by CodeBuild and published to an Amplify
 * branch by manual deployment, with no Git provider connected to Amplify: no
 * GitHub token, no repository admin, no webhook on any repository.
 *
 * The build clones the repository at the ref (a public repository needs no
 * credentials: jlhood/github-codebuild-logs#3), runs the build commands with
 * the environment variables set, zips the output folder's content and
 * publishes it the way Amplify documents for apps without a repository
 * ("Deploying an application to Amplify without a Git repository";
 * API CreateDeployment and StartDeployment): `CreateDeployment` returns a job
 * id and a pre-signed `zipUploadUrl`, the zip is PUT there, and
 * `StartDeployment` with the job id releases it (within 8 hours). The upload
 * URL never leaves the build: the build's role may call only those two
 * actions, on this branch. The job id is an exported variable of the build
 * (CodeBuild API ExportedEnvironmentVariable: it can be set until the end of
 * post_build).
 *
 * With `deployActions` the build runs during apply: the deploy action starts
 * it, waits for it, then polls Amplify `GetJob` until the release succeeded
 * (its role: the CodeBuild calls on this project and `GetJob` on this
 * branch's jobs).
 */
export class FrontendBuild extends Construct {
  public readonly project: CodebuildProject;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  /** The deploy action that builds and publishes during apply, if any: its last invocation, whose result is the release. */
  public readonly deployment?: LambdaInvocation;
  /** The build during apply: its invocations and the CodeBuild quota it draws on. */
  public readonly buildRun?: BuildRun;

  constructor(scope: Construct, id: string, props: FrontendBuildProps) {
    super(scope, id);
    validate(props);
    const tags = props.tags;
    const outputDirectory = props.outputDirectory ?? "out";
    const spec = frontendBuildSpec({ buildCommands: props.buildCommands, outputDirectory, nodeVersion: props.nodeVersion ?? "22" });

    this.logGroup = new CloudwatchLogGroup(this, "Logs", {
      name: `/aws/codebuild/${props.name}`,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags,
    });
    const trust = new DataAwsIamPolicyDocument(this, "Trust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "Role", {
      name: `${props.name}-build`,
      description: `Builds ${props.source.repositoryUrl} and publishes it to Amplify by manual deployment`,
      assumeRolePolicy: trust.json,
      tags,
    });
    const document = new DataAwsIamPolicyDocument(this, "PolicyDocument", {
      statement: [
        { sid: "BuildLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${this.logGroup.arn}:*`] },
        // CreateDeployment and StartDeployment authorize on the branch
        // (Service Authorization Reference, AWS Amplify: resource type branches).
        { sid: "PublishToBranch", effect: "Allow", actions: ["amplify:CreateDeployment", "amplify:StartDeployment"], resources: [props.target.branchArn] },
        ...(props.source.tokenSecretArn
          ? [{ sid: "GitHubToken", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [props.source.tokenSecretArn] }]
          : []),
      ],
    });
    const policy = new IamRolePolicy(this, "Policy", { name: "build-and-publish", role: this.role.name, policy: document.json });

    this.project = new CodebuildProject(this, "Resource", {
      name: props.name,
      description: `Builds ${props.source.repositoryUrl} and publishes ${outputDirectory}/ to Amplify app ${props.target.appId} by manual deployment`,
      serviceRole: this.role.arn,
      buildTimeout: props.buildTimeoutInMinutes ?? 20,
      // Two builds would race for the branch's deployments.
      concurrentBuildLimit: 1,
      source: {
        type: "GITHUB",
        location: props.source.repositoryUrl,
        gitCloneDepth: 1,
        buildspec: escapeTerraformTemplate(spec),
        auth: props.source.tokenSecretArn ? { type: "SECRETS_MANAGER", resource: props.source.tokenSecretArn } : undefined,
      },
      sourceVersion: props.source.gitRef,
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: ENVIRONMENT_TYPE,
        computeType: COMPUTE_TYPE,
        image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        // A static site needs no Docker: no privileged container.
        privilegedMode: false,
        environmentVariable: [
          { name: "AMPLIFY_APP_ID", value: props.target.appId },
          { name: "AMPLIFY_BRANCH_NAME", value: props.target.branchName },
          ...Object.entries(props.environmentVariables ?? {}).map(([name, value]) => ({ name, value })),
        ],
      },
      logsConfig: { cloudwatchLogs: { groupName: this.logGroup.name, status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
      tags,
      dependsOn: [policy],
    });

    if (props.deployActions) {
      const actions = props.deployActions;
      actions.allow({
        sid: "RunFrontendBuild",
        effect: "Allow",
        actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
        resources: [this.project.arn],
      });
      // GetJob authorizes on the job (resource type jobs, under the branch).
      actions.allow({ sid: "ReadFrontendRelease", effect: "Allow", actions: ["amplify:GetJob"], resources: [`${props.target.branchArn}/jobs/*`] });
      // Several invocations when the build and release (queue included) outlast one.
      const quota = concurrentBuildQuota(ENVIRONMENT_TYPE, COMPUTE_TYPE);
      const run = actions.invokeUntilDone(
        "DeployFrontend",
        {
          action: "deploy-frontend",
          projectName: this.project.name,
          appId: props.target.appId,
          branchName: props.target.branchName,
          sourceVersion: props.source.gitRef,
          // A new value (e.g. a new WebSocket URL) is built into a new release.
          environment: props.environmentVariables ?? {},
          // Hashed here: a spec with quotes cannot be an argument of Terraform's sha1().
          buildSpec: createHash("sha1").update(spec).digest("hex"),
          quota,
        },
        { dependsOn: [this.project] },
      );
      this.buildRun = { ...run, quota };
      this.deployment = run.last;
    }
  }
}

function validate(props: FrontendBuildProps): void {
  FRONTEND_BUILD_NAME.check("FrontendBuild.name", props.name);
  checkGitHubRepositoryUrl("FrontendBuild.source.repositoryUrl", props.source.repositoryUrl);
  GIT_REF.check("FrontendBuild.source.gitRef", props.source.gitRef);
  checkPattern(
    "FrontendBuild.source.tokenSecretArn",
    props.source.tokenSecretArn,
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    "a Secrets Manager secret ARN",
    "give the ARN of the secret that holds the token, or leave it out for a public repository",
  );
  OUTPUT_DIRECTORY.check("FrontendBuild.outputDirectory", props.outputDirectory);
  NODE_MAJOR_VERSION.check("FrontendBuild.nodeVersion", props.nodeVersion);
  checkRange("FrontendBuild.buildTimeoutInMinutes", props.buildTimeoutInMinutes, 5, 480, "CodeBuild allows 5 to 480 minutes");
  checkRetention("FrontendBuild.logRetentionInDays", props.logRetentionInDays);
  if (props.buildCommands !== undefined && !isUnresolved(props.buildCommands)) {
    if (props.buildCommands.length === 0 || props.buildCommands.some((c) => typeof c !== "string" || c.trim() === "")) {
      throw invalid("FrontendBuild.buildCommands", "a non-empty list of non-empty commands", props.buildCommands, "leave it out for npm ci and npm run build");
    }
  }
  for (const name of Object.keys(props.environmentVariables ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.startsWith("CODEBUILD_") || name.startsWith("AMPLIFY_")) {
      throw invalid(
        "FrontendBuild.environmentVariables",
        "names of shell variables, not starting with CODEBUILD_ or AMPLIFY_ (reserved by the build)",
        name,
        "rename the variable",
      );
    }
  }
}
