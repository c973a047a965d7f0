import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { BuildRun, concurrentBuildQuota } from "./build-run";
import { buildSpec, checkInlineDockerfile, INLINE_DOCKERFILE } from "./container-image-build-spec";
import { DeployActions } from "./deploy-actions";
import { checkDockerHubAccess, DockerHubAccess, dockerHubCachePrefix, dockerHubStatements, dockerHubVariables } from "./docker-hub-access";
import { escapeTerraformTemplate } from "./escape";
import { GIT_REF } from "./rules";
import { checkGitHubRepositoryUrl, checkPattern, checkRange, checkRetention, invalid, isUnresolved } from "./validation";

/** A GitHub repository to build an image from. */
export interface GitHubSource {
  /** `https://github.com/<owner>/<repo>` (optionally ending in `.git`). */
  readonly repositoryUrl: string;
  /** Branch, tag or commit to build. */
  readonly gitRef: string;
  /**
   * Dockerfile, relative to the repository root (not with `inlineDockerfile`).
   * @default "Dockerfile"
   */
  readonly dockerfile?: string;
  /**
   * Secrets Manager secret holding a GitHub token, for private repositories.
   * CodeBuild reads it per build; its value never reaches Terraform.
   * @default - none: the repository must be public
   */
  readonly tokenSecretArn?: string;
}

/** Properties of {@link ContainerImage}. */
export interface ContainerImageProps {
  /** Name of the ECR repository and the CodeBuild project. */
  readonly name: string;
  /** What to build. */
  readonly source: GitHubSource;
  /**
   * A Dockerfile of this project's, built instead of the repository's: the
   * build writes it into the checked-out source (as `${INLINE_DOCKERFILE}`,
   * the repository root as context) before it builds.
   * @default - the repository's `source.dockerfile`
   */
  readonly inlineDockerfile?: string;
  /**
   * Tag to push. Tags are immutable: a new tag builds and deploys a new
   * image, an existing tag is reused as it is.
   */
  readonly imageTag: string;
  /**
   * CPU architecture of the image; must match the ECS task's.
   * @default "X86_64"
   */
  readonly architecture?: "X86_64" | "ARM64";
  /**
   * Runs the build during apply and returns the image digest. Without it the
   * image is referenced by tag and must be pushed by other means (e.g. on an
   * emulator, where builds cannot run).
   * @default - no build during apply; the image is `<repository>:<tag>`
   */
  readonly deployActions?: DeployActions;
  /**
   * Images to keep in the repository; older ones expire.
   * @default 20
   */
  readonly keepImages?: number;
  /**
   * Deletes the repository with its images on destroy.
   * @default false
   */
  readonly forceDelete?: boolean;
  /**
   * Retention of the build log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * How the build pulls the Dockerfile's Docker Hub images (see {@link DockerHubAccess}).
   * @default { kind: "anonymous" } - anonymous pulls, subject to Docker Hub's
   *   per-address limit; `ecr-public` needs no account and avoids it for
   *   Docker Official Images
   */
  readonly dockerHub?: DockerHubAccess;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The backend image, built from GitHub: an ECR repository with immutable
 * tags and scan on push, and a CodeBuild project that builds the
 * repository's Dockerfile and pushes `<repository>:<tag>`. With
 * `deployActions` the build runs during apply and {@link imageUri} is the
 * image's digest, so every new tag rolls out a new task definition.
 */
export class ContainerImage extends Construct {
  public readonly repository: EcrRepository;
  public readonly project: CodebuildProject;
  /** Image to run: `<repository url>@sha256:...` after a build, else `<repository url>:<tag>`. */
  public readonly imageUri: string;
  public readonly repositoryUrl: string;
  public readonly repositoryArn: string;
  /** The pull through cache rule for Docker Hub, when this image creates one. */
  public readonly pullThroughCacheRule?: EcrPullThroughCacheRule;
  /** The build during apply (with `deployActions`): its invocations and the CodeBuild quota it draws on. */
  public readonly buildRun?: BuildRun;

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    validate(props);
    const tags = props.tags;
    this.repository = new EcrRepository(this, "Repository", {
      name: props.name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "AES256" }],
      forceDelete: props.forceDelete ?? false,
      tags,
    });
    this.repositoryUrl = this.repository.repositoryUrl;
    this.repositoryArn = this.repository.arn;
    new EcrLifecyclePolicy(this, "Lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${props.keepImages ?? 20} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: props.keepImages ?? 20 },
            action: { type: "expire" },
          },
        ],
      }),
    });

    const dockerHub = props.dockerHub ?? { kind: "anonymous" };
    if (dockerHub.kind === "pull-through-cache" && dockerHub.createRule !== false) {
      this.pullThroughCacheRule = new EcrPullThroughCacheRule(this, "DockerHubCache", {
        ecrRepositoryPrefix: dockerHubCachePrefix(dockerHub, props.name),
        upstreamRegistryUrl: "registry-1.docker.io",
        credentialArn: dockerHub.credentialsSecretArn,
      });
    }

    const logs = new CloudwatchLogGroup(this, "BuildLogs", {
      name: `/aws/codebuild/${props.name}`,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags,
    });
    const trust = new DataAwsIamPolicyDocument(this, "BuildTrust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "BuildRole", {
      name: `${props.name}-build`,
      description: `Builds ${props.source.repositoryUrl} into ${props.name}`,
      assumeRolePolicy: trust.json,
      tags,
    });
    const policy = new DataAwsIamPolicyDocument(this, "BuildPolicyDocument", {
      statement: [
        { sid: "BuildLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logs.arn}:*`] },
        // AWS requires "*": GetAuthorizationToken has no resource-level permissions.
        { sid: "RegistryLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PushImage",
          effect: "Allow",
          actions: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:CompleteLayerUpload",
            "ecr:DescribeImages",
            "ecr:InitiateLayerUpload",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
          ],
          resources: [this.repository.arn],
        },
        ...(props.source.tokenSecretArn
          ? [{ sid: "GitHubToken", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [props.source.tokenSecretArn] }]
          : []),
        ...dockerHubStatements(dockerHub, this.repository, props.name),
      ],
    });
    const rolePolicy = new IamRolePolicy(this, "BuildPolicy", { name: "build-and-push", role: role.name, policy: policy.json });

    const arm = (props.architecture ?? "X86_64") === "ARM64";
    const environmentType = arm ? "ARM_CONTAINER" : "LINUX_CONTAINER";
    const computeType = "BUILD_GENERAL1_SMALL";
    const dockerfile = props.inlineDockerfile !== undefined ? INLINE_DOCKERFILE : (props.source.dockerfile ?? "Dockerfile");
    this.project = new CodebuildProject(this, "Project", {
      name: props.name,
      description: `Builds ${props.source.repositoryUrl} (${props.inlineDockerfile !== undefined ? "with this project's Dockerfile" : dockerfile}) and pushes it to ECR with an immutable tag`,
      serviceRole: role.arn,
      buildTimeout: 20,
      concurrentBuildLimit: 1,
      source: {
        type: "GITHUB",
        location: props.source.repositoryUrl,
        gitCloneDepth: 1,
        buildspec: escapeTerraformTemplate(buildSpec(dockerfile, dockerHub.kind, props.inlineDockerfile)),
        auth: props.source.tokenSecretArn ? { type: "SECRETS_MANAGER", resource: props.source.tokenSecretArn } : undefined,
      },
      sourceVersion: props.source.gitRef,
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: environmentType,
        computeType,
        image: arm ? "aws/codebuild/amazonlinux-aarch64-standard:3.0" : "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        // Docker builds need a privileged build container.
        privilegedMode: true,
        environmentVariable: [
          { name: "REPOSITORY_URI", value: this.repository.repositoryUrl },
          { name: "IMAGE_TAG", value: props.imageTag },
          ...dockerHubVariables(dockerHub, props.name),
        ],
      },
      logsConfig: { cloudwatchLogs: { groupName: logs.name, status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
      tags,
      dependsOn: this.pullThroughCacheRule ? [rolePolicy, this.pullThroughCacheRule] : [rolePolicy],
    });

    if (props.deployActions) {
      props.deployActions.allow({
        sid: "RunImageBuild",
        effect: "Allow",
        actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
        resources: [this.project.arn],
      });
      props.deployActions.allow({ sid: "ReadImageDigest", effect: "Allow", actions: ["ecr:DescribeImages"], resources: [this.repository.arn] });
      // Several invocations when the build (queue included) outlasts one.
      const quota = concurrentBuildQuota(environmentType, computeType);
      const run = props.deployActions.invokeUntilDone(
        "BuildImage",
        {
          action: "build-image",
          projectName: this.project.name,
          repositoryName: this.repository.name,
          imageTag: props.imageTag,
          sourceVersion: props.source.gitRef,
          quota,
        },
        { dependsOn: [this.project] },
      );
      this.buildRun = { ...run, quota };
      this.imageUri = `${this.repository.repositoryUrl}@${Fn.lookup(Fn.jsondecode(run.last.result), "imageDigest")}`;
    } else {
      this.imageUri = `${this.repository.repositoryUrl}:${props.imageTag}`;
    }
  }
}

function validate(props: ContainerImageProps): void {
  checkPattern(
    "ContainerImage.name",
    props.name,
    /^[a-z0-9][a-z0-9._/-]{1,255}$/,
    "2 to 256 lowercase letters, digits, . _ - or /, starting with a letter or digit",
    "ECR repository names are lowercase",
  );
  checkGitHubRepositoryUrl("ContainerImage.source.repositoryUrl", props.source.repositoryUrl);
  GIT_REF.check("ContainerImage.source.gitRef", props.source.gitRef);
  checkInlineDockerfile("ContainerImage", props.inlineDockerfile, props.source.dockerfile);
  checkPattern(
    "ContainerImage.source.dockerfile",
    props.source.dockerfile,
    /^(?!\/)[A-Za-z0-9._/-]{1,255}$/,
    "a path relative to the repository root",
    'use for example "Dockerfile"',
  );
  checkPattern(
    "ContainerImage.imageTag",
    props.imageTag,
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    "an image tag (letters, digits, _ . -; at most 128)",
    "pick a version or commit SHA",
  );
  if (!isUnresolved(props.imageTag) && props.imageTag === "latest") {
    throw invalid(
      "ContainerImage.imageTag",
      'an immutable version, not "latest"',
      props.imageTag,
      "tag images with a version or commit SHA so each deploy is traceable",
    );
  }
  checkRange("ContainerImage.keepImages", props.keepImages, 1, 1000);
  checkRetention("ContainerImage.logRetentionInDays", props.logRetentionInDays);
  checkDockerHubAccess(props.dockerHub, props.name);
}
