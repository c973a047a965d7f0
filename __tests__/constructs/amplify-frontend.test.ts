import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as path from "path";
import { AmplifyFrontend, AmplifyFrontendProps, STATIC_EXPORT_BUILD_SPEC } from "../../constructs/amplify-frontend";
import { DeployActions } from "../../constructs/deploy-actions";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

function frontend(overrides: Partial<AmplifyFrontendProps> = {}, stack = newStack()) {
  const token = new TerraformVariable(stack, "github_token", { type: "string", sensitive: true }).stringValue;
  return {
    stack,
    frontend: new AmplifyFrontend(stack, "frontend", { appName: "chat-frontend", repositoryUrl: "https://github.com/example/chat-frontend", accessToken: token, ...overrides }),
  };
}

describe("AmplifyFrontend", () => {
  test("creates a WEB app from the GitHub repository with the static export build spec and the SPA rewrite", () => {
    // GIVEN / WHEN
    const { stack } = frontend({ environmentVariables: { WEBSOCKET_URL: "wss://example.com/prod" } });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyApp, {
      name: "chat-frontend",
      repository: "https://github.com/example/chat-frontend",
      access_token: "${var.github_token}",
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

  test("starts no build without deploy actions", () => {
    const { stack } = frontend();
    expect(resourcesOf(synthJson(stack), "aws_lambda_invocation")).toEqual({});
  });

  test("passes a custom build spec through literally", () => {
    const spec = 'version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - echo "WS=${WEBSOCKET_URL}" > .env\n';
    const { stack } = frontend({ buildSpec: spec });
    expect(onlyResource(synthJson(stack), "aws_amplify_app").build_spec).toBe(spec.split("${").join("$${"));
  });

  describe("with deploy actions", () => {
    function withDeployActions(environmentVariables?: Record<string, string>) {
      const stack = newStack();
      const actions = new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
      const { frontend: f } = frontend({ deployActions: actions, environmentVariables }, stack);
      return { stack, actions, f };
    }

    test("lets the deploy actions start and list jobs of this branch only", () => {
      const { stack, f } = withDeployActions();
      const json = synthJson(stack);
      const statements = policyDocumentOf(json, onlyResource(json, "aws_iam_role_policy").policy).statement;
      expect(statements.slice(1)).toEqual([
        {
          sid: "StartFrontendBuild",
          effect: "Allow",
          actions: ["amplify:StartJob", "amplify:ListJobs"],
          resources: [ref(f.branch, "arn"), `${ref(f.branch, "arn")}/jobs/*`],
        },
      ]);
    });

    test("starts the branch's build after creating it, again whenever the environment or build spec changes", () => {
      const { stack, f } = withDeployActions({ WEBSOCKET_URL: "wss://example.com/prod" });
      const invocation = onlyResource(synthJson(stack), "aws_lambda_invocation");
      expect(invocation.input).toBe(
        `\${jsonencode({"action" = "start-amplify-job", "appId" = aws_amplify_app.${f.resource.friendlyUniqueId}.id, "branchName" = aws_amplify_branch.${f.branch.friendlyUniqueId}.branch_name, "environment" = {"WEBSOCKET_URL" = "wss://example.com/prod"}, "buildSpec" = sha1(${JSON.stringify(STATIC_EXPORT_BUILD_SPEC)}), "reason" = "Started by Terraform after creating the branch or changing its build environment"})}`,
      );
      expect(invocation.depends_on).toContain(`aws_amplify_branch.${f.branch.friendlyUniqueId}`);
    });
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
