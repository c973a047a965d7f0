import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { createHash } from "crypto";
import * as path from "path";
import { AmplifyFrontend, AmplifyFrontendProps, STATIC_EXPORT_BUILD_SPEC } from "../../constructs/amplify-frontend";
import { DeployActions } from "../../constructs/deploy-actions";
import { invocationsByAction, newStack, onlyResource, policyDocumentOf, synthJson } from "../helpers";

const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

const TOKEN_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token-AbCdEf";

function frontend(overrides: Partial<AmplifyFrontendProps> = {}, stack = newStack()) {
  const actions =
    overrides.deployActions ??
    new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
  return {
    stack,
    actions,
    frontend: new AmplifyFrontend(stack, "frontend", {
      appName: "chat-frontend",
      repositoryUrl: "https://github.com/example/chat-frontend",
      tokenSecretArn: TOKEN_SECRET,
      deployActions: actions,
      ...overrides,
    }),
  };
}

describe("AmplifyFrontend", () => {
  test("creates a WEB app with the static export build spec and the SPA rewrite, and no token in its arguments", () => {
    // GIVEN / WHEN
    const { stack } = frontend({ environmentVariables: { WEBSOCKET_URL: "wss://example.com/prod" } });
    // THEN
    const app = onlyResource(synthJson(stack), "aws_amplify_app");
    expect(app.access_token).toBeUndefined();
    expect(app.oauth_token).toBeUndefined();
    expect(app.repository).toBeUndefined();
    expect(app.lifecycle).toEqual({ ignore_changes: ["repository"] });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyApp, {
      name: "chat-frontend",
      platform: "WEB",
      build_spec: STATIC_EXPORT_BUILD_SPEC,
      environment_variables: { WEBSOCKET_URL: "wss://example.com/prod" },
      enable_branch_auto_build: true,
      custom_rule: [{ source: "/<*>", target: "/index.html", status: "404" }],
    });
    expect(STATIC_EXPORT_BUILD_SPEC).toContain("    baseDirectory: out\n");
  });

  test("deploys the main branch as production by default", () => {
    const { stack, frontend: f } = frontend();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyBranch, {
      app_id: ref(f.resource, "id"),
      branch_name: "main",
      stage: "PRODUCTION",
      enable_auto_build: true,
    });
    expect(f.resource.node.id).toBe("Resource");
  });

  test("gives the branch URL, with slashes of the branch name as hyphens", () => {
    const { stack, frontend: f } = frontend({ branchName: "release/v1" });
    new TerraformOutput(stack, "probe", { value: f.url });
    expect(synthJson(stack).output.probe.value).toBe(`https://\${replace("release/v1", "/", "-")}.${ref(f.resource, "default_domain")}`);
  });

  test("connects the repository through the deploy actions before creating the branch", () => {
    // GIVEN / WHEN
    const { stack, frontend: f } = frontend();
    // THEN the action gets the secret's ARN, never the token
    const connect = invocationsByAction(synthJson(stack))["connect-repository"][1];
    expect(connect.input).toBe(
      `\${jsonencode({"action" = "connect-repository", "appId" = aws_amplify_app.${f.resource.friendlyUniqueId}.id, "repository" = "https://github.com/example/chat-frontend", "tokenSecretArn" = "${TOKEN_SECRET}"})}`,
    );
    expect(f.connection.node.id).toBe("ConnectRepository");
    expect(onlyResource(synthJson(stack), "aws_amplify_branch").depends_on).toEqual([`aws_lambda_invocation.${f.connection.friendlyUniqueId}`]);
  });

  test("lets the deploy actions read only the token secret and update only this app", () => {
    const { stack, frontend: f } = frontend({ startBuild: false });
    const json = synthJson(stack);
    const statements = policyDocumentOf(json, onlyResource(json, "aws_iam_role_policy").policy).statement;
    expect(statements.slice(1)).toEqual([
      { sid: "ReadFrontendToken", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [TOKEN_SECRET] },
      { sid: "ConnectFrontendRepository", effect: "Allow", actions: ["amplify:GetApp", "amplify:UpdateApp"], resources: [ref(f.resource, "arn")] },
    ]);
  });

  test("reads the token only after what tokenDependsOn names", () => {
    const stack = newStack();
    const writer = new AmplifyApp(stack, "writer", { name: "writer" });
    frontend({ tokenDependsOn: [writer] }, stack);
    expect(invocationsByAction(synthJson(stack))["connect-repository"][1].depends_on).toContain(`aws_amplify_app.${writer.friendlyUniqueId}`);
  });

  test("starts no build when startBuild is false", () => {
    const { stack } = frontend({ startBuild: false });
    expect(Object.keys(invocationsByAction(synthJson(stack)))).toEqual(["connect-repository"]);
  });

  test("passes a custom build spec through literally", () => {
    const spec = 'version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - echo "WS=${WEBSOCKET_URL}" > .env\n';
    const { stack } = frontend({ buildSpec: spec });
    expect(onlyResource(synthJson(stack), "aws_amplify_app").build_spec).toBe(spec.split("${").join("$${"));
    // and its hash starts a new build when it changes
    expect(invocationsByAction(synthJson(stack))["start-amplify-job"][1].input).toContain(`"buildSpec" = "${createHash("sha1").update(spec).digest("hex")}"`);
  });

  describe("first build", () => {
    function withDeployActions(environmentVariables?: Record<string, string>) {
      const { stack, actions, frontend: f } = frontend({ environmentVariables });
      return { stack, actions, f };
    }

    test("lets the deploy actions start and list jobs of this branch only", () => {
      const { stack, f } = withDeployActions();
      const json = synthJson(stack);
      const statements = policyDocumentOf(json, onlyResource(json, "aws_iam_role_policy").policy).statement;
      expect(statements.slice(3)).toEqual([
        {
          sid: "StartFrontendBuild",
          effect: "Allow",
          actions: ["amplify:StartJob", "amplify:ListJobs"],
          resources: [`${ref(f.resource, "arn")}/branches/main`, `${ref(f.resource, "arn")}/branches/main/jobs/*`],
        },
      ]);
    });

    test("starts the branch's build after creating it, again whenever the environment or build spec changes", () => {
      const { stack, f } = withDeployActions({ WEBSOCKET_URL: "wss://example.com/prod" });
      const invocation = invocationsByAction(synthJson(stack))["start-amplify-job"][1];
      expect(invocation.input).toBe(
        `\${jsonencode({"action" = "start-amplify-job", "appId" = aws_amplify_app.${f.resource.friendlyUniqueId}.id, "branchName" = aws_amplify_branch.${f.branch.friendlyUniqueId}.branch_name, "environment" = {"WEBSOCKET_URL" = "wss://example.com/prod"}, "buildSpec" = "${createHash("sha1").update(STATIC_EXPORT_BUILD_SPEC).digest("hex")}", "reason" = "Started by Terraform after creating the branch or changing its build environment"})}`,
      );
      expect(invocation.depends_on).toContain(`aws_amplify_branch.${f.branch.friendlyUniqueId}`);
    });
  });

  test("fails when the repository is not a GitHub https URL", () => {
    expect(() => frontend({ repositoryUrl: "git@github.com:example/chat.git" })).toThrow(
      'AmplifyFrontend.repositoryUrl must be a GitHub repository URL (https://github.com/<owner>/<repo>), got "git@github.com:example/chat.git": give the https URL of the repository',
    );
  });

  test("fails when the token secret is not a Secrets Manager ARN", () => {
    expect(() => frontend({ tokenSecretArn: "ghp_notanarn" })).toThrow(
      'AmplifyFrontend.tokenSecretArn must be a Secrets Manager secret ARN, got "ghp_notanarn": give the ARN of the secret that holds the token',
    );
  });

  test("fails when the app name has characters other than letters, digits, hyphens or underscores", () => {
    expect(() => frontend({ appName: "chat frontend" })).toThrow(
      'AmplifyFrontend.appName must be 1 to 255 letters, digits, hyphens or underscores, got "chat frontend": rename the app',
    );
    expect(() => frontend({ appName: "" })).toThrow(/^AmplifyFrontend.appName must be 1 to 255 letters/);
  });

  test("does not check an unresolved app name", () => {
    const stack = newStack();
    expect(() => frontend({ appName: stringVar(stack) }, stack)).not.toThrow();
  });

  test("fails when the branch name is not a Git branch name", () => {
    const message = (name: string) => `AmplifyFrontend.branchName must be a Git branch name, got "${name}": use for example "main"`;
    for (const name of ["/main", "main/", "a..b", "my branch"]) expect(() => frontend({ branchName: name })).toThrow(message(name));
  });

  test("does not check an unresolved branch name", () => {
    const stack = newStack();
    frontend({ branchName: stringVar(stack) }, stack);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyBranch, { branch_name: "${var.s}" });
  });
});
