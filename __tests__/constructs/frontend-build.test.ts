import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { createHash } from "crypto";
import * as path from "path";
import { DeployActions } from "../../constructs/deploy-actions";
import { FrontendBuild, FrontendBuildProps } from "../../constructs/frontend-build";
import { DEFAULT_FRONTEND_BUILD_COMMANDS, frontendBuildSpec } from "../../constructs/frontend-build-spec";
import { invocationSteps, newStack, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { safeLoad(text: string): any };

const BRANCH_ARN = "arn:aws:amplify:us-east-1:123456789012:apps/d1abc/branches/main";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token";
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

function build(overrides: Partial<FrontendBuildProps> = {}, stack = newStack()) {
  return {
    stack,
    build: new FrontendBuild(stack, "frontend", {
      name: "chat-frontend",
      source: { repositoryUrl: "https://github.com/example/chat-frontend", gitRef: "v1.2.0" },
      target: { appId: "d1abc", branchName: "main", branchArn: BRANCH_ARN },
      environmentVariables: { WEBSOCKET_URL: "wss://abc.execute-api.us-east-1.amazonaws.com/prod" },
      ...overrides,
    }),
  };
}

const deployActions = (stack: TerraformStack) =>
  new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });

/** The statements of a role's inline policy, by policy name. */
function statements(json: any, policyName: string): any[] {
  const policies = Object.values<any>(resourcesOf(json, "aws_iam_role_policy")).filter((p) => p.name === policyName);
  expect(policies).toHaveLength(1);
  return policyDocumentOf(json, policies[0].policy).statement;
}

/** The build spec as CodeBuild reads it (Terraform's $${ escapes undone). */
const specOf = (project: any) => yaml.safeLoad(project.source.buildspec.replace(/\$\$\{/g, "${"));

describe("FrontendBuild", () => {
  test("builds the public GitHub repository at the ref, without credentials, Docker or a webhook", () => {
    // GIVEN / WHEN
    const { stack, build: b } = build();
    // THEN
    const project = tf(synthJson(stack), b.project);
    expect(project).toMatchObject({
      name: "chat-frontend",
      source: { type: "GITHUB", location: "https://github.com/example/chat-frontend", git_clone_depth: 1 },
      source_version: "v1.2.0",
      artifacts: { type: "NO_ARTIFACTS" },
      concurrent_build_limit: 1,
      build_timeout: 20,
      environment: { type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", privileged_mode: false },
    });
    expect(project.source.auth).toBeUndefined();
    expect(resourcesOf(synthJson(stack), "aws_codebuild_webhook")).toEqual({});
    expect(resourcesOf(synthJson(stack), "aws_codebuild_source_credential")).toEqual({});
    expect(b.project.node.id).toBe("Resource");
  });

  test("gives the build the Amplify target and the build environment", () => {
    const { stack } = build();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CodebuildProject, {
      environment: expect.objectContaining({
        environment_variable: [
          { name: "AMPLIFY_APP_ID", value: "d1abc" },
          { name: "AMPLIFY_BRANCH_NAME", value: "main" },
          { name: "WEBSOCKET_URL", value: "wss://abc.execute-api.us-east-1.amazonaws.com/prod" },
        ],
      }),
    });
  });

  test("builds, checks the output, zips its content and publishes it by manual deployment, exporting the job id", () => {
    // GIVEN / WHEN
    const { stack, build: b } = build();
    const spec = specOf(tf(synthJson(stack), b.project));
    // THEN
    expect(spec.version).toBe(0.2);
    expect(spec.env).toEqual({ shell: "bash", "exported-variables": ["AMPLIFY_JOB_ID"] });
    expect(spec.phases.install["runtime-versions"]).toEqual({ nodejs: 22 });
    expect(spec.phases.build.commands).toEqual(DEFAULT_FRONTEND_BUILD_COMMANDS);
    const post: string[] = spec.phases.post_build.commands;
    expect(post[0]).toBe('test "$CODEBUILD_BUILD_SUCCEEDING" = "1"');
    expect(post[1]).toMatch(/^test -f "out\/index.html"/);
    expect(post[2]).toBe('cd "out" && zip -qr "$CODEBUILD_SRC_DIR/site.zip" . && cd "$CODEBUILD_SRC_DIR"');
    expect(post.slice(3).join("\n")).toMatch(
      /aws amplify create-deployment[\s\S]*export AMPLIFY_JOB_ID[\s\S]*curl --fail[^\n]*--upload-file site.zip "\$UPLOAD_URL"[\s\S]*aws amplify start-deployment [^\n]*--job-id "\$AMPLIFY_JOB_ID"/,
    );
    // The pre-signed upload URL is never echoed.
    expect(post.join("\n")).not.toMatch(/echo[^\n]*UPLOAD_URL/);
  });

  test("takes other build commands, output folder and Node.js version", () => {
    const spec = frontendBuildSpec({ buildCommands: ["yarn install --frozen-lockfile", "yarn build"], outputDirectory: "dist/", nodeVersion: "20" });
    const parsed = yaml.safeLoad(spec);
    expect(parsed.phases.build.commands).toEqual(["yarn install --frozen-lockfile", "yarn build"]);
    expect(parsed.phases.install["runtime-versions"]).toEqual({ nodejs: 20 });
    expect(parsed.phases.post_build.commands[2]).toBe('cd "dist" && zip -qr "$CODEBUILD_SRC_DIR/site.zip" . && cd "$CODEBUILD_SRC_DIR"');
  });

  test("escapes the shell's ${...} so Terraform passes the build spec literally", () => {
    const { stack, build: b } = build({ buildCommands: ['echo "${HOME}"'] });
    expect(tf(synthJson(stack), b.project).source.buildspec).toContain('echo \\"$${HOME}\\"');
  });

  test("logs builds to its own log group, kept 30 days by default", () => {
    const { stack, build: b } = build();
    const json = synthJson(stack);
    expect(tf(json, b.logGroup)).toMatchObject({ name: "/aws/codebuild/chat-frontend", retention_in_days: 30 });
    expect(tf(json, b.project).logs_config).toEqual({
      cloudwatch_logs: { group_name: ref(b.logGroup, "name"), status: "ENABLED" },
      s3_logs: { status: "DISABLED" },
    });
  });

  test("lets the build write its logs and publish to its Amplify branch only", () => {
    // GIVEN / WHEN
    const { stack, build: b } = build();
    const json = synthJson(stack);
    // THEN
    expect(tf(json, b.role).name).toBe("chat-frontend-build");
    expect(statements(json, "build-and-publish")).toEqual([
      { sid: "BuildLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${ref(b.logGroup, "arn")}:*`] },
      { sid: "PublishToBranch", effect: "Allow", actions: ["amplify:CreateDeployment", "amplify:StartDeployment"], resources: [BRANCH_ARN] },
    ]);
    const trust = Object.values<any>(json.data.aws_iam_policy_document).find((d) => d.statement[0].actions?.includes("sts:AssumeRole"));
    expect(trust.statement[0].principals).toEqual([{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }]);
    expect(tf(json, b.project).depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\./)]);
  });

  test("reads a GitHub token from Secrets Manager for a private repository, and that secret only", () => {
    const { stack, build: b } = build({ source: { repositoryUrl: "https://github.com/example/private", gitRef: "main", tokenSecretArn: SECRET } });
    const json = synthJson(stack);
    expect(tf(json, b.project).source.auth).toEqual({ type: "SECRETS_MANAGER", resource: SECRET });
    expect(statements(json, "build-and-publish")).toContainEqual({
      sid: "GitHubToken",
      effect: "Allow",
      actions: ["secretsmanager:GetSecretValue"],
      resources: [SECRET],
    });
  });

  test("without deploy actions, nothing runs during apply", () => {
    const { stack, build: b } = build();
    expect(b.deployment).toBeUndefined();
    expect(resourcesOf(synthJson(stack), "aws_lambda_invocation")).toEqual({});
  });

  describe("with deploy actions", () => {
    test("builds and publishes during apply in chained invocations, again when the ref, the environment or the build spec changes", () => {
      // GIVEN / WHEN
      const stack = newStack();
      const { build: b } = build({ deployActions: deployActions(stack) }, stack);
      // THEN
      const steps = invocationSteps(synthJson(stack), "deploy-frontend");
      expect(steps).toHaveLength(4);
      const [id, invocation] = steps[0];
      expect(steps[3][0]).toBe(b.deployment!.friendlyUniqueId);
      expect(b.buildRun!.first.friendlyUniqueId).toBe(id);
      const spec = frontendBuildSpec({ outputDirectory: "out", nodeVersion: "22" });
      expect(invocation.input).toBe(
        `\${jsonencode({"action" = "deploy-frontend", "projectName" = aws_codebuild_project.${b.project.friendlyUniqueId}.name, "appId" = "d1abc", "branchName" = "main", "sourceVersion" = "v1.2.0", "environment" = {"WEBSOCKET_URL" = "wss://abc.execute-api.us-east-1.amazonaws.com/prod"}, "buildSpec" = "${createHash("sha1").update(spec).digest("hex")}", "quota" = {"code" = "L-9D07B6EF", "name" = "Concurrently running builds for Linux/Small environment"}, "step" = 1, "steps" = 4})}`,
      );
      expect(invocation.depends_on).toContain(`aws_codebuild_project.${b.project.friendlyUniqueId}`);
    });

    test("lets the deploy actions run builds of this project and read releases of this branch only", () => {
      const stack = newStack();
      const { build: b } = build({ deployActions: deployActions(stack) }, stack);
      const json = synthJson(stack);
      expect(statements(json, "deploy-actions")).toEqual(
        expect.arrayContaining([
          {
            sid: "RunFrontendBuild",
            effect: "Allow",
            actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
            resources: [ref(b.project, "arn")],
          },
          { sid: "ReadFrontendRelease", effect: "Allow", actions: ["amplify:GetJob"], resources: [`${BRANCH_ARN}/jobs/*`] },
        ]),
      );
      expect(statements(json, "deploy-actions").flatMap((s: any) => s.actions)).not.toContain("amplify:CreateDeployment");
    });
  });

  describe("validation", () => {
    test("fails when the name is not a CodeBuild project name whose role name fits", () => {
      expect(() => build({ name: "chat frontend" })).toThrow(
        'FrontendBuild.name must be 2 to 59 letters, digits, hyphens or underscores, starting with a letter or digit, got "chat frontend"',
      );
      expect(() => build({ name: "a".repeat(60) })).toThrow(/IAM role names allow 64 characters/);
      expect(() => build({ name: "a".repeat(59) })).not.toThrow();
    });

    test("fails when the source is not a GitHub repository URL", () => {
      expect(() => build({ source: { repositoryUrl: "https://gitlab.com/example/chat", gitRef: "main" } })).toThrow(
        "FrontendBuild.source.repositoryUrl must be a GitHub repository URL",
      );
    });

    test("fails when the git ref is not a branch, tag or commit", () => {
      expect(() => build({ source: { repositoryUrl: "https://github.com/example/chat", gitRef: "../main" } })).toThrow(
        'FrontendBuild.source.gitRef must be a Git branch, tag or commit, got "../main"',
      );
    });

    test("fails when the token secret is not a Secrets Manager ARN", () => {
      expect(() => build({ source: { repositoryUrl: "https://github.com/example/chat", gitRef: "main", tokenSecretArn: "ghp_x" } })).toThrow(
        "FrontendBuild.source.tokenSecretArn must be a Secrets Manager secret ARN",
      );
    });

    test("fails when the output folder is absolute or climbs out of the repository", () => {
      expect(() => build({ outputDirectory: "/out" })).toThrow('FrontendBuild.outputDirectory must be a folder relative to the repository root, got "/out"');
      expect(() => build({ outputDirectory: "../out" })).toThrow("FrontendBuild.outputDirectory must be a folder relative to the repository root");
    });

    test("fails when the Node.js version is not a major version", () => {
      expect(() => build({ nodeVersion: "22.x" })).toThrow(
        'FrontendBuild.nodeVersion must be a Node.js major version (two digits), got "22.x": use for example "22"',
      );
    });

    test("fails when the build commands are empty", () => {
      expect(() => build({ buildCommands: [] })).toThrow("FrontendBuild.buildCommands must be a non-empty list of non-empty commands, got []");
      expect(() => build({ buildCommands: ["npm ci", " "] })).toThrow("FrontendBuild.buildCommands must be a non-empty list");
    });

    test("fails when an environment variable name is not a shell name or is reserved", () => {
      expect(() => build({ environmentVariables: { "WEBSOCKET-URL": "x" } })).toThrow(
        'FrontendBuild.environmentVariables must be names of shell variables, not starting with CODEBUILD_ or AMPLIFY_ (reserved by the build), got "WEBSOCKET-URL"',
      );
      expect(() => build({ environmentVariables: { AMPLIFY_APP_ID: "x" } })).toThrow(/reserved by the build/);
    });

    test("fails when the build timeout or log retention is out of range", () => {
      expect(() => build({ buildTimeoutInMinutes: 1 })).toThrow("FrontendBuild.buildTimeoutInMinutes must be a whole number from 5 to 480, got 1");
      expect(() => build({ logRetentionInDays: 2 })).toThrow(/FrontendBuild.logRetentionInDays/);
    });

    test("does not check unresolved values", () => {
      const stack = newStack();
      expect(() =>
        build(
          {
            name: stringVar(stack, "n"),
            source: { repositoryUrl: stringVar(stack, "r"), gitRef: stringVar(stack, "g") },
            outputDirectory: stringVar(stack, "o"),
          },
          stack,
        ),
      ).not.toThrow();
    });
  });
});
