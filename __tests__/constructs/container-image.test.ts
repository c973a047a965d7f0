import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as path from "path";
import { ContainerImage, ContainerImageProps, GitHubSource } from "../../constructs/container-image";
import { buildSpec } from "../../constructs/container-image-build-spec";
import { DeployActions } from "../../constructs/deploy-actions";
import { invocationSteps, newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token";
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;

function image(overrides: Partial<ContainerImageProps> = {}, source: Partial<GitHubSource> = {}, stack = newStack()) {
  return {
    stack,
    image: new ContainerImage(stack, "image", {
      name: "chat-backend",
      imageTag: "v1.2.3",
      ...overrides,
      source: { repositoryUrl: "https://github.com/example/chat-backend", gitRef: "main", ...source },
    }),
  };
}

/** The statements of the build role's inline policy. */
function buildStatements(json: any): any[] {
  const policies = Object.values(resourcesOf(json, "aws_iam_role_policy")).filter((p: any) => p.name === "build-and-push");
  expect(policies).toHaveLength(1);
  return policyDocumentOf(json, (policies[0] as any).policy).statement;
}

describe("ContainerImage", () => {
  test("creates an ECR repository with immutable tags, scan on push and encryption", () => {
    // GIVEN / WHEN
    const { stack } = image();
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(EcrRepository, {
      name: "chat-backend",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "AES256" }],
      force_delete: false,
    });
  });

  test("keeps the newest 20 images by default, or the given number", () => {
    const rules = (stack: TerraformStack) => JSON.parse(onlyResource(synthJson(stack), "aws_ecr_lifecycle_policy").policy).rules;
    expect(rules(image().stack)).toEqual([
      {
        rulePriority: 1,
        description: "Keep the newest 20 images",
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
        action: { type: "expire" },
      },
    ]);
    expect(rules(image({ keepImages: 5 }).stack)[0].selection.countNumber).toBe(5);
  });

  test("builds the GitHub repository at the ref, with the tag and repository URI in the environment", () => {
    const { stack, image: img } = image({}, { dockerfile: "docker/Dockerfile.prod" });
    const json = synthJson(stack);
    const project = tf(json, img.project);
    expect(project).toMatchObject({
      name: "chat-backend",
      source_version: "main",
      build_timeout: 20,
      concurrent_build_limit: 1,
      artifacts: { type: "NO_ARTIFACTS" },
      source: { type: "GITHUB", location: "https://github.com/example/chat-backend", git_clone_depth: 1 },
      environment: {
        type: "LINUX_CONTAINER",
        compute_type: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        privileged_mode: true,
        environment_variable: [
          { name: "REPOSITORY_URI", value: ref(img.repository, "repository_url") },
          { name: "IMAGE_TAG", value: "v1.2.3" },
        ],
      },
      service_role: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/),
    });
    expect(project.source.auth).toBeUndefined();
    expect(project.source.buildspec).toContain('docker build --file "docker/Dockerfile.prod" --tag "$REPOSITORY_URI:$IMAGE_TAG" .');
  });

  test("escapes the shell's ${...} in the build spec so Terraform passes it literally", () => {
    const { stack } = image();
    const spec = onlyResource(synthJson(stack), "aws_codebuild_project").source.buildspec;
    expect(spec).toContain('--password-stdin "$${REPOSITORY_URI%%/*}"');
    expect(spec.replace(/\$\$\{/g, "${")).toBe(buildSpec("Dockerfile"));
  });

  test("builds for ARM64 on an ARM build image", () => {
    const { stack } = image({ architecture: "ARM64" });
    expect(onlyResource(synthJson(stack), "aws_codebuild_project").environment).toMatchObject({
      type: "ARM_CONTAINER",
      image: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
      privileged_mode: true,
    });
  });

  test("logs builds to its own log group", () => {
    const { stack, image: img } = image({ logRetentionInDays: 7 });
    const json = synthJson(stack);
    const logs = onlyResource(json, "aws_cloudwatch_log_group");
    expect(logs).toEqual({ name: "/aws/codebuild/chat-backend", retention_in_days: 7 });
    expect(tf(json, img.project).logs_config).toEqual({
      cloudwatch_logs: { group_name: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..+\.name\}$/), status: "ENABLED" },
      s3_logs: { status: "DISABLED" },
    });
  });

  test("has a build role only CodeBuild can assume", () => {
    const { stack } = image();
    const json = synthJson(stack);
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("chat-backend-build");
    expect(policyDocumentOf(json, role.assume_role_policy).statement).toEqual([
      { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] },
    ]);
  });

  test("lets the build write its logs and push to its repository only (ECR login is the only *)", () => {
    const { stack, image: img } = image();
    const json = synthJson(stack);
    expect(Object.keys(resourcesOf(json, "aws_iam_role_policy"))).toHaveLength(1);
    const logs = Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0];
    expect(buildStatements(json)).toEqual([
      { sid: "BuildLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`\${aws_cloudwatch_log_group.${logs}.arn}:*`] },
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
        resources: [ref(img.repository, "arn")],
      },
    ]);
  });

  test("reads a GitHub token from Secrets Manager for private repositories, and that secret only", () => {
    const { stack, image: img } = image({}, { tokenSecretArn: SECRET });
    const json = synthJson(stack);
    expect(tf(json, img.project).source.auth).toEqual({ type: "SECRETS_MANAGER", resource: SECRET });
    expect(buildStatements(json)[3]).toEqual({ sid: "GitHubToken", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] });
    expect(buildStatements(json)).toHaveLength(4);
  });

  describe("Docker Hub access", () => {
    const HUB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbC123";
    const hubVariables = (json: any) => onlyResource(json, "aws_codebuild_project").environment.environment_variable.slice(2);

    test("pulls anonymously by default: no secret, no cache, no extra permission or pre_build step", () => {
      const { stack } = image();
      const json = synthJson(stack);
      expect(hubVariables(json)).toEqual([]);
      expect(resourcesOf(json, "aws_ecr_pull_through_cache_rule")).toEqual({});
      expect(buildStatements(json).map((s) => s.sid)).toEqual(["BuildLogs", "RegistryLogin", "PushImage"]);
      expect(buildSpec("Dockerfile", "anonymous")).toBe(buildSpec("Dockerfile"));
    });

    test("ecr-public: logs in to ECR Public (its two actions take only *) and rewrites official images, without any secret", () => {
      const { stack } = image({ dockerHub: { kind: "ecr-public" } });
      const json = synthJson(stack);
      expect(hubVariables(json)).toEqual([]);
      expect(buildStatements(json)[3]).toEqual({
        sid: "EcrPublicLogin",
        effect: "Allow",
        actions: ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"],
        resources: ["*"],
      });
      const spec = onlyResource(json, "aws_codebuild_project").source.buildspec;
      expect(spec).toContain("aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws");
      expect(spec).toContain(`python3 - "Dockerfile" public.ecr.aws/docker <<'PYTHON'`);
    });

    test("login: CodeBuild reads the Docker Hub user and token from the secret; Terraform sees only its ARN", () => {
      // GIVEN / WHEN
      const { stack } = image({ dockerHub: { kind: "login", credentialsSecretArn: HUB_SECRET } });
      const json = synthJson(stack);
      // THEN
      expect(hubVariables(json)).toEqual([
        { name: "DOCKER_HUB_USERNAME", value: `${HUB_SECRET}:username`, type: "SECRETS_MANAGER" },
        { name: "DOCKER_HUB_ACCESS_TOKEN", value: `${HUB_SECRET}:accessToken`, type: "SECRETS_MANAGER" },
      ]);
      expect(buildStatements(json)[3]).toEqual({
        sid: "DockerHubCredentials",
        effect: "Allow",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [HUB_SECRET],
      });
      expect(onlyResource(json, "aws_codebuild_project").source.buildspec).toContain(
        `printf '%s' "$DOCKER_HUB_ACCESS_TOKEN" | docker login --username "$DOCKER_HUB_USERNAME" --password-stdin`,
      );
      expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual({});
    });

    test("pull-through-cache: creates the Docker Hub rule with the secret and lets the build pull and import into its repositories only", () => {
      // GIVEN / WHEN
      const { stack, image: img } = image({ dockerHub: { kind: "pull-through-cache", credentialsSecretArn: HUB_SECRET } });
      const json = synthJson(stack);
      // THEN
      expect(onlyResource(json, "aws_ecr_pull_through_cache_rule")).toEqual({
        ecr_repository_prefix: "chat-backend-docker-hub",
        upstream_registry_url: "registry-1.docker.io",
        credential_arn: HUB_SECRET,
      });
      expect(img.pullThroughCacheRule!.node.id).toBe("DockerHubCache");
      expect(hubVariables(json)).toEqual([{ name: "DOCKER_HUB_CACHE_PREFIX", value: "chat-backend-docker-hub" }]);
      expect(buildStatements(json)[3]).toEqual({
        sid: "PullThroughCache",
        effect: "Allow",
        actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        resources: [`\${replace(${ref(img.repository, "arn").slice(2, -1)}, ":repository/chat-backend", ":repository/chat-backend-docker-hub/*")}`],
      });
      // The secret is ECR's to read, not the build's.
      expect(JSON.stringify(buildStatements(json))).not.toContain("secretsmanager");
      expect(tf(json, img.project).depends_on).toContain(`aws_ecr_pull_through_cache_rule.${img.pullThroughCacheRule!.friendlyUniqueId}`);
      expect(tf(json, img.project).source.buildspec).toContain('"$${REPOSITORY_URI%%/*}/$DOCKER_HUB_CACHE_PREFIX"');
    });

    test("pull-through-cache: uses an existing rule by its prefix without creating one", () => {
      const { stack } = image({
        dockerHub: { kind: "pull-through-cache", credentialsSecretArn: HUB_SECRET, repositoryPrefix: "docker-hub", createRule: false },
      });
      const json = synthJson(stack);
      expect(resourcesOf(json, "aws_ecr_pull_through_cache_rule")).toEqual({});
      expect(hubVariables(json)).toEqual([{ name: "DOCKER_HUB_CACHE_PREFIX", value: "docker-hub" }]);
    });

    test("fails when the credentials are not the full ARN of a secret", () => {
      expect(() => image({ dockerHub: { kind: "login", credentialsSecretArn: "docker-hub" } })).toThrow(
        'ContainerImage.dockerHub.credentialsSecretArn must be the full ARN of a Secrets Manager secret (ending in its 6-character suffix), got "docker-hub"',
      );
      expect(() => image({ dockerHub: { kind: "login", credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:hub" } })).toThrow(
        /6-character suffix/,
      );
    });

    test("fails when the pull through cache's secret is not named ecr-pullthroughcache/...", () => {
      expect(() =>
        image({ dockerHub: { kind: "pull-through-cache", credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:hub-AbC123" } }),
      ).toThrow(
        "ContainerImage.dockerHub.credentialsSecretArn must be the full ARN of a Secrets Manager secret named ecr-pullthroughcache/<name> (ECR requires that prefix for a pull through cache rule)",
      );
    });

    test("fails when the cache prefix is not 2 to 30 lowercase characters, saying how to set it", () => {
      expect(() => image({ name: "a-rather-long-backend-name", dockerHub: { kind: "pull-through-cache", credentialsSecretArn: HUB_SECRET } })).toThrow(
        'ContainerImage.dockerHub.repositoryPrefix must be an ECR repository prefix of 2 to 30 lowercase letters, digits and . _ - /, got "a-rather-long-backend-name-docker-hub": the default is "<name>-docker-hub": set repositoryPrefix, e.g. "docker-hub"',
      );
      expect(() => image({ dockerHub: { kind: "pull-through-cache", credentialsSecretArn: HUB_SECRET, repositoryPrefix: "Docker" } })).toThrow(
        'got "Docker": use for example "docker-hub"',
      );
    });

    test("fails on an unknown kind", () => {
      expect(() => image({ dockerHub: { kind: "mirror" } as never })).toThrow(
        'ContainerImage.dockerHub.kind must be one of "ecr-public", "anonymous", "login", "pull-through-cache", got "mirror"',
      );
    });
  });

  test("references the image by tag without deploy actions", () => {
    const { stack, image: img } = image();
    new TerraformOutput(stack, "probe", { value: img.imageUri });
    const json = synthJson(stack);
    expect(json.output.probe.value).toBe(`${ref(img.repository, "repository_url")}:v1.2.3`);
    expect(resourcesOf(json, "aws_lambda_invocation")).toEqual({});
  });

  describe("with deploy actions", () => {
    function withDeployActions() {
      const stack = newStack();
      const actions = new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
      const { image: img } = image({ deployActions: actions }, {}, stack);
      return { stack, actions, img };
    }

    test("builds during apply in four chained invocations (a 45-minute build, queue included), naming the CodeBuild quota, and references the image by the digest the last returns", () => {
      // GIVEN / WHEN
      const { stack, img } = withDeployActions();
      new TerraformOutput(stack, "probe", { value: img.imageUri });
      // THEN
      const json = synthJson(stack);
      const steps = invocationSteps(json, "build-image");
      expect(steps.map(([id]) => id)).toEqual(
        ["BuildImage", "BuildImageWait2", "BuildImageWait3", "BuildImageWait4"].map((s) => expect.stringMatching(new RegExp(`_${s}_`))),
      );
      const [[firstId, first], [, second]] = steps;
      const inputs = `"action" = "build-image", "projectName" = aws_codebuild_project.${img.project.friendlyUniqueId}.name, "repositoryName" = aws_ecr_repository.${img.repository.friendlyUniqueId}.name, "imageTag" = "v1.2.3", "sourceVersion" = "main", "quota" = {"code" = "L-9D07B6EF", "name" = "Concurrently running builds for Linux/Small environment"}`;
      expect(first.input).toBe(`\${jsonencode({${inputs}, "step" = 1, "steps" = 4})}`);
      expect(second.input).toBe(`\${jsonencode({${inputs}, "step" = 2, "steps" = 4, "previous" = jsondecode(aws_lambda_invocation.${firstId}.result)})}`);
      expect(first.depends_on).toContain(`aws_codebuild_project.${img.project.friendlyUniqueId}`);
      expect(second.depends_on).toContain(`aws_lambda_invocation.${firstId}`);
      expect(json.output.probe.value).toBe(`${ref(img.repository, "repository_url")}@\${jsondecode(aws_lambda_invocation.${steps[3][0]}.result).imageDigest}`);
      expect(img.buildRun).toMatchObject({ steps: 4, quota: { code: "L-9D07B6EF" } });
    });

    test("an ARM64 image draws on the ARM/Small quota", () => {
      const stack = newStack();
      const actions = new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
      const { image: img } = image({ architecture: "ARM64", deployActions: actions }, {}, stack);
      expect(img.buildRun!.quota).toEqual({ code: "L-5ED1D25B", name: "Concurrently running builds for ARM/Small environment" });
    });

    test("lets the deploy actions run and read builds of this project and read image digests of this repository only", () => {
      const { stack, actions, img } = withDeployActions();
      const json = synthJson(stack);
      const policy = resourcesOf(json, "aws_iam_role_policy")[(actions.node.findChild("Policy") as TerraformResource).friendlyUniqueId];
      expect(policyDocumentOf(json, policy.policy).statement.slice(1)).toEqual([
        {
          sid: "RunImageBuild",
          effect: "Allow",
          actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
          resources: [ref(img.project, "arn")],
        },
        { sid: "ReadImageDigest", effect: "Allow", actions: ["ecr:DescribeImages"], resources: [ref(img.repository, "arn")] },
      ]);
    });
  });

  test("exports the repository URL and ARN", () => {
    const { stack, image: img } = image();
    new TerraformOutput(stack, "probe", { value: [img.repositoryUrl, img.repositoryArn] });
    expect(synthJson(stack).output.probe.value).toEqual([ref(img.repository, "repository_url"), ref(img.repository, "arn")]);
  });

  describe("buildSpec", () => {
    test("logs in to ECR, builds the Dockerfile and pushes only a successful build", () => {
      const spec = buildSpec("Dockerfile");
      expect(spec).toMatch(/^version: 0\.2\n/);
      expect(spec).toContain('aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"');
      expect(spec).toContain('docker build --file "Dockerfile" --tag "$REPOSITORY_URI:$IMAGE_TAG" .');
      expect(spec.indexOf('test "$CODEBUILD_BUILD_SUCCEEDING" = "1"')).toBeLessThan(spec.indexOf('docker push "$REPOSITORY_URI:$IMAGE_TAG"'));
    });
  });

  describe("validation", () => {
    test("fails when the name is not a lowercase ECR repository name", () => {
      expect(() => image({ name: "Chat-Backend" })).toThrow(
        'ContainerImage.name must be 2 to 256 lowercase letters, digits, . _ - or /, starting with a letter or digit, got "Chat-Backend": ECR repository names are lowercase',
      );
    });

    test("accepts names of 2 to 256 characters only, as the rule says", () => {
      expect(() => image({ name: "a" })).toThrow(/^ContainerImage.name must be 2 to 256/);
      expect(() => image({ name: "a".repeat(256) })).not.toThrow();
    });

    test("does not check an unresolved name", () => {
      const stack = newStack();
      expect(() => image({ name: stringVar(stack) }, {}, stack)).not.toThrow();
    });

    test("fails when the source is not a GitHub repository URL", () => {
      expect(() => image({}, { repositoryUrl: "https://gitlab.com/example/chat-backend" })).toThrow(
        'ContainerImage.source.repositoryUrl must be a GitHub repository URL (https://github.com/<owner>/<repo>), got "https://gitlab.com/example/chat-backend": give the https URL of the repository',
      );
    });

    test("accepts a GitHub URL ending in .git", () => {
      expect(() => image({}, { repositoryUrl: "https://github.com/example/chat-backend.git" })).not.toThrow();
    });

    test("does not check an unresolved repository URL", () => {
      const stack = newStack();
      expect(() => image({}, { repositoryUrl: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the git ref is not a branch, tag or commit", () => {
      const message = (ref: string) => `ContainerImage.source.gitRef must be a Git branch, tag or commit, got "${ref}": use for example "main" or a commit SHA`;
      expect(() => image({}, { gitRef: "a..b" })).toThrow(message("a..b"));
      expect(() => image({}, { gitRef: "/main" })).toThrow(message("/main"));
      expect(() => image({}, { gitRef: "main/" })).toThrow(message("main/"));
      expect(() => image({}, { gitRef: "my branch" })).toThrow(message("my branch"));
    });

    test("does not check an unresolved git ref", () => {
      const stack = newStack();
      expect(() => image({}, { gitRef: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the Dockerfile path is absolute", () => {
      expect(() => image({}, { dockerfile: "/Dockerfile" })).toThrow(
        'ContainerImage.source.dockerfile must be a path relative to the repository root, got "/Dockerfile": use for example "Dockerfile"',
      );
    });

    test("does not check an unresolved Dockerfile path", () => {
      const stack = newStack();
      expect(() => image({}, { dockerfile: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the image tag is not a valid tag", () => {
      const message = (tag: string) =>
        `ContainerImage.imageTag must be an image tag (letters, digits, _ . -; at most 128), got "${tag}": pick a version or commit SHA`;
      expect(() => image({ imageTag: "-v1" })).toThrow(message("-v1"));
      expect(() => image({ imageTag: "v1:2" })).toThrow(message("v1:2"));
      expect(() => image({ imageTag: "v".repeat(129) })).toThrow(/^ContainerImage.imageTag must be an image tag/);
    });

    test('fails when the image tag is "latest"', () => {
      expect(() => image({ imageTag: "latest" })).toThrow(
        'ContainerImage.imageTag must be an immutable version, not "latest", got "latest": tag images with a version or commit SHA so each deploy is traceable',
      );
    });

    test("does not check an unresolved image tag", () => {
      const stack = newStack();
      image({ imageTag: stringVar(stack) }, {}, stack);
      expect(onlyResource(synthJson(stack), "aws_codebuild_project").environment.environment_variable[1]).toEqual({ name: "IMAGE_TAG", value: "${var.s}" });
    });

    test("fails when the number of images to keep is outside 1 to 1000", () => {
      expect(() => image({ keepImages: 0 })).toThrow("ContainerImage.keepImages must be a whole number from 1 to 1000, got 0: pick a value in that range");
      expect(() => image({ keepImages: 1001 })).toThrow(
        "ContainerImage.keepImages must be a whole number from 1 to 1000, got 1001: pick a value in that range",
      );
    });

    test("does not check an unresolved number of images to keep", () => {
      const stack = newStack();
      expect(() => image({ keepImages: numberVar(stack) }, {}, stack)).not.toThrow();
    });

    test("fails when the log retention is not one CloudWatch Logs accepts", () => {
      expect(() => image({ logRetentionInDays: 10 })).toThrow(
        /^ContainerImage.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(.*\), got 10: pick the nearest accepted value$/,
      );
    });

    test("does not check an unresolved log retention", () => {
      const stack = newStack();
      expect(() => image({ logRetentionInDays: numberVar(stack) }, {}, stack)).not.toThrow();
    });
  });
});
