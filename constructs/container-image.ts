import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DeployActions } from "./deploy-actions";
import { escapeTerraformTemplate } from "./escape";
import { checkGitHubRepositoryUrl, checkPattern, checkRange, checkRetention, invalid, isUnresolved } from "./validation";

/** A GitHub repository to build an image from. */
export interface GitHubSource {
  /** `https://github.com/<owner>/<repo>` (optionally ending in `.git`). */
  readonly repositoryUrl: string;
  /** Branch, tag or commit to build. */
  readonly gitRef: string;
  /**
   * Dockerfile, relative to the repository root.
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

/**
 * How the build pulls the Dockerfile's Docker Hub images (`FROM golang:...`).
 * Docker Hub limits anonymous pulls per source IP address, and CodeBuild
 * builds share addresses, so anonymous builds fail now and then with
 * "toomanyrequests". The other kinds:
 *
 * - `ecr-public`: no Docker Hub account. Docker Official Images (`golang`,
 *   `alpine`, `library/...`) are pulled from their copies on Amazon ECR
 *   Public (`public.ecr.aws/docker/library/<name>`), logged in to ECR Public
 *   (authenticated pulls have higher limits than anonymous ones: ECR Public
 *   service quotas). The build rewrites those `FROM` / `COPY --from` lines of
 *   the Dockerfile it builds; other Docker Hub images stay on Docker Hub.
 * - `login`: `docker login` to Docker Hub before the build with a Docker Hub
 *   user's access token, from a Secrets Manager secret read by CodeBuild
 *   (an environment variable of type SECRETS_MANAGER: the value never passes
 *   through Terraform).
 * - `pull-through-cache`: an ECR pull through cache rule for Docker Hub; the
 *   build pulls every Docker Hub image of the Dockerfile through the account's
 *   private registry (`<registry>/<prefix>/library/golang:...`), which caches
 *   it. AWS requires Docker Hub credentials for that rule: a secret whose
 *   name starts with `ecr-pullthroughcache/`, in the same account and region
 *   ("Creating a pull through cache rule in Amazon ECR";
 *   aws/containers-roadmap#1581 on why ECR does not pull Docker Hub
 *   anonymously).
 *
 * The secret of `login` and `pull-through-cache` is JSON with the keys ECR
 * documents for Docker Hub, `username` and `accessToken`, so one secret
 * (named `ecr-pullthroughcache/...`) serves both.
 */
export type DockerHubAccess =
  | { readonly kind: "anonymous" }
  | { readonly kind: "ecr-public" }
  | { readonly kind: "login"; readonly credentialsSecretArn: string }
  | {
      readonly kind: "pull-through-cache";
      /** Full ARN of the `ecr-pullthroughcache/...` secret (`{"username": ..., "accessToken": ...}`). */
      readonly credentialsSecretArn: string;
      /**
       * Repository prefix of the cache (2 to 30 characters); cached images are
       * `<prefix>/library/golang` and so on.
       * @default "<name>-docker-hub"
       */
      readonly repositoryPrefix?: string;
      /**
       * Creates the rule. A registry has one rule per prefix: set it to false
       * to use a rule that exists already (give its prefix).
       * @default true
       */
      readonly createRule?: boolean;
    };

/** Properties of {@link ContainerImage}. */
export interface ContainerImageProps {
  /** Name of the ECR repository and the CodeBuild project. */
  readonly name: string;
  /** What to build. */
  readonly source: GitHubSource;
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
        ecrRepositoryPrefix: cachePrefix(dockerHub, props.name),
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
    this.project = new CodebuildProject(this, "Project", {
      name: props.name,
      description: `Builds ${props.source.repositoryUrl} (${props.source.dockerfile ?? "Dockerfile"}) and pushes it to ECR with an immutable tag`,
      serviceRole: role.arn,
      buildTimeout: 20,
      concurrentBuildLimit: 1,
      source: {
        type: "GITHUB",
        location: props.source.repositoryUrl,
        gitCloneDepth: 1,
        buildspec: escapeTerraformTemplate(buildSpec(props.source.dockerfile ?? "Dockerfile", dockerHub.kind)),
        auth: props.source.tokenSecretArn ? { type: "SECRETS_MANAGER", resource: props.source.tokenSecretArn } : undefined,
      },
      sourceVersion: props.source.gitRef,
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: arm ? "ARM_CONTAINER" : "LINUX_CONTAINER",
        computeType: "BUILD_GENERAL1_SMALL",
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
      const build = props.deployActions.invoke(
        "BuildImage",
        {
          action: "build-image",
          projectName: this.project.name,
          repositoryName: this.repository.name,
          imageTag: props.imageTag,
          sourceVersion: props.source.gitRef,
        },
        [this.project],
      );
      this.imageUri = `${this.repository.repositoryUrl}@${Fn.lookup(Fn.jsondecode(build.result), "imageDigest")}`;
    } else {
      this.imageUri = `${this.repository.repositoryUrl}:${props.imageTag}`;
    }
  }
}

/**
 * The CodeBuild build spec: log in to ECR, get at Docker Hub's images as
 * `dockerHub` says, build, push `$REPOSITORY_URI:$IMAGE_TAG`.
 */
export function buildSpec(dockerfile: string, dockerHub: DockerHubAccess["kind"] = "anonymous"): string {
  const rewrite = (target: string) => ["      - |", `        python3 - "${dockerfile}" ${target} <<'PYTHON'`, ...BASE_IMAGE_REWRITER.split("\n").map((l) => (l ? `        ${l}` : "")), "        PYTHON"];
  const access: Record<DockerHubAccess["kind"], string[]> = {
    anonymous: [],
    "ecr-public": [
      // ECR Public's API (and its login) is in us-east-1 only.
      "      - aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws",
      ...rewrite("public.ecr.aws/docker"),
    ],
    login: ['      - printf \'%s\' "$DOCKER_HUB_ACCESS_TOKEN" | docker login --username "$DOCKER_HUB_USERNAME" --password-stdin'],
    "pull-through-cache": rewrite('"${REPOSITORY_URI%%/*}/$DOCKER_HUB_CACHE_PREFIX"'),
  };
  return [
    "version: 0.2",
    "phases:",
    "  pre_build:",
    "    commands:",
    '      - aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
    ...access[dockerHub],
    "  build:",
    "    commands:",
    `      - docker build --file "${dockerfile}" --tag "$REPOSITORY_URI:$IMAGE_TAG" .`,
    "  post_build:",
    "    commands:",
    '      - test "$CODEBUILD_BUILD_SUCCEEDING" = "1"',
    '      - docker push "$REPOSITORY_URI:$IMAGE_TAG"',
    "",
  ].join("\n");
}

/** Throws when `value` is a resolved string that is not a branch, tag or commit name. */
export function checkGitRef(setting: string, value: string | undefined): void {
  checkPattern(setting, value, /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,255}$/, "a branch, tag or commit", 'use for example "main" or a commit SHA');
}

/**
 * Rewrites the Docker Hub images of a Dockerfile (argv: the Dockerfile, the
 * registry path to pull them from). `public.ecr.aws/docker` takes Docker
 * Official Images only (ECR Public's copies are `docker/library/<name>`);
 * any other target takes every Docker Hub image (`<target>/<namespace>/<name>`,
 * `library/` for official images, as ECR's pull through cache names them).
 * Leaves build stages, `scratch`, images of other registries and references
 * built from ARGs alone, and prints each change.
 */
export const BASE_IMAGE_REWRITER = String.raw`import re, sys
path, target = sys.argv[1], sys.argv[2]
hub_hosts = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")
stages = set()

def rewrite(image):
    if "$" in image or image.lower() == "scratch" or image.lower() in stages:
        return image
    ref = image
    for host in hub_hosts:
        if ref.startswith(host):
            ref = ref[len(host):]
            break
    else:
        first = ref.split("/")[0]
        if "/" in ref and ("." in first or ":" in first or first == "localhost"):
            return image
    m = re.match(r"^([a-z0-9][a-z0-9._/-]*?)((?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?(?:@sha256:[0-9a-f]{64})?)$", ref)
    if not m:
        return image
    name, suffix = m.groups()
    if "/" not in name:
        name = "library/" + name
    if target == "public.ecr.aws/docker" and not name.startswith("library/"):
        print("kept on Docker Hub (not a Docker Official Image): " + image)
        return image
    new = target + "/" + name + suffix
    print(image + " -> " + new)
    return new

lines = []
for line in open(path):
    m = re.match(r"^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$", line, re.I)
    if m:
        line = m.group(1) + rewrite(m.group(2)) + m.group(3) + "\n"
        stage = re.match(r"\s+AS\s+(\S+)", m.group(3), re.I)
        if stage:
            stages.add(stage.group(1).lower())
    else:
        m = re.match(r"^(\s*COPY\s+(?:--\S+\s+)*?--from=)(\S+)(.*)$", line, re.I)
        if m and not m.group(2).isdigit():
            line = m.group(1) + rewrite(m.group(2)) + m.group(3) + "\n"
    lines.append(line)
open(path, "w").write("".join(lines))`;

/** The prefix of the pull through cache's repositories. */
function cachePrefix(access: Extract<DockerHubAccess, { kind: "pull-through-cache" }>, name: string): string {
  return access.repositoryPrefix ?? `${name}-docker-hub`;
}

/** The environment variables the build needs for its Docker Hub access. */
function dockerHubVariables(access: DockerHubAccess, name: string): { name: string; value: string; type?: string }[] {
  switch (access.kind) {
    case "login":
      // CodeBuild reads the secret's JSON keys when the build starts
      // (env/secrets-manager: `<secret ARN>:<json key>`); Terraform keeps only the reference.
      return [
        { name: "DOCKER_HUB_USERNAME", value: `${access.credentialsSecretArn}:username`, type: "SECRETS_MANAGER" },
        { name: "DOCKER_HUB_ACCESS_TOKEN", value: `${access.credentialsSecretArn}:accessToken`, type: "SECRETS_MANAGER" },
      ];
    case "pull-through-cache":
      return [{ name: "DOCKER_HUB_CACHE_PREFIX", value: cachePrefix(access, name) }];
    default:
      return [];
  }
}

/** What the build role needs for its Docker Hub access. */
function dockerHubStatements(access: DockerHubAccess, repository: EcrRepository, name: string): DataAwsIamPolicyDocumentStatement[] {
  switch (access.kind) {
    case "ecr-public":
      return [
        // AWS requires "*": ECR Public's GetAuthorizationToken and STS's
        // GetServiceBearerToken have no resource-level permissions (AWS CLI
        // ecr-public get-login-password needs both).
        { sid: "EcrPublicLogin", effect: "Allow", actions: ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], resources: ["*"] },
      ];
    case "login":
      return [{ sid: "DockerHubCredentials", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [access.credentialsSecretArn] }];
    case "pull-through-cache":
      return [
        {
          sid: "PullThroughCache",
          effect: "Allow",
          // Pull, and let ECR import the upstream image into a cache
          // repository it creates on the first pull ("IAM permissions
          // required to sync an upstream registry").
          actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
          // The cache repositories of this registry: this repository's ARN with the cache's path.
          resources: [Fn.replace(repository.arn, `:repository/${name}`, `:repository/${cachePrefix(access, name)}/*`)],
        },
      ];
    default:
      return [];
  }
}

function validate(props: ContainerImageProps): void {
  checkPattern("ContainerImage.name", props.name, /^[a-z0-9][a-z0-9._/-]{1,255}$/, "2 to 256 lowercase letters, digits, . _ - or /, starting with a letter or digit", "ECR repository names are lowercase");
  checkGitHubRepositoryUrl("ContainerImage.source.repositoryUrl", props.source.repositoryUrl);
  checkGitRef("ContainerImage.source.gitRef", props.source.gitRef);
  checkPattern("ContainerImage.source.dockerfile", props.source.dockerfile, /^(?!\/)[A-Za-z0-9._/-]{1,255}$/, "a path relative to the repository root", 'use for example "Dockerfile"');
  checkPattern("ContainerImage.imageTag", props.imageTag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag (letters, digits, _ . -; at most 128)", "pick a version or commit SHA");
  if (!isUnresolved(props.imageTag) && props.imageTag === "latest") {
    throw invalid("ContainerImage.imageTag", 'an immutable version, not "latest"', props.imageTag, "tag images with a version or commit SHA so each deploy is traceable");
  }
  checkRange("ContainerImage.keepImages", props.keepImages, 1, 1000);
  checkRetention("ContainerImage.logRetentionInDays", props.logRetentionInDays);
  const hub = props.dockerHub;
  if (hub?.kind === "login" || hub?.kind === "pull-through-cache") {
    checkPattern(`ContainerImage.dockerHub.credentialsSecretArn`, hub.credentialsSecretArn, /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/, "the full ARN of a Secrets Manager secret (ending in its 6-character suffix)", "copy the secret's ARN from Secrets Manager; it holds {\"username\": ..., \"accessToken\": ...}");
  }
  if (hub?.kind === "pull-through-cache") {
    checkPattern("ContainerImage.dockerHub.credentialsSecretArn", hub.credentialsSecretArn, /:secret:ecr-pullthroughcache\//, "a secret whose name starts with ecr-pullthroughcache/ (ECR requires it for a pull through cache rule)", "store the Docker Hub credentials in a secret named ecr-pullthroughcache/<name>");
    checkPattern(
      "ContainerImage.dockerHub.repositoryPrefix",
      cachePrefix(hub, props.name),
      /^(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
      "an ECR repository prefix of 2 to 30 lowercase characters",
      hub.repositoryPrefix === undefined ? 'the default is "<name>-docker-hub": set repositoryPrefix, e.g. "docker-hub"' : "shorten it",
    );
  }
  if (hub !== undefined && !["anonymous", "ecr-public", "login", "pull-through-cache"].includes(hub.kind)) {
    throw invalid("ContainerImage.dockerHub.kind", '"anonymous", "ecr-public", "login" or "pull-through-cache"', hub.kind, "pick one of them");
  }
}
