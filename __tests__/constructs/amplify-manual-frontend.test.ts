import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { TerraformOutput, TerraformResource, Testing } from "cdktf";
import * as path from "path";
import { AmplifyFrontend } from "../../constructs/amplify-frontend";
import { AmplifyManualFrontend, AmplifyManualFrontendProps } from "../../constructs/amplify-manual-frontend";
import { DeployActions } from "../../constructs/deploy-actions";
import { invocationsByAction, newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;

function frontend(overrides: Partial<AmplifyManualFrontendProps> = {}, stack = newStack()) {
  const actions = new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
  return {
    stack,
    actions,
    frontend: new AmplifyManualFrontend(stack, "frontend", {
      appName: "chat-frontend",
      repositoryUrl: "https://github.com/Faaizz/simple_websocket_chatapp_frontend",
      deployActions: actions,
      environmentVariables: { WEBSOCKET_URL: "wss://abc.execute-api.us-east-1.amazonaws.com/prod" },
      ...overrides,
    }),
  };
}

describe("AmplifyManualFrontend", () => {
  test("creates a WEB app with no repository, no token and the SPA rewrite", () => {
    // GIVEN / WHEN
    const { stack, frontend: f } = frontend();
    // THEN
    const app = onlyResource(synthJson(stack), "aws_amplify_app");
    for (const key of ["repository", "access_token", "oauth_token", "build_spec", "lifecycle", "iam_service_role_arn"]) expect(app[key]).toBeUndefined();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyApp, {
      name: "chat-frontend",
      platform: "WEB",
      custom_rule: [{ source: "/<*>", target: "/index.html", status: "404" }],
    });
    expect(f.resource.node.id).toBe("Resource");
  });

  test("creates the production branch without auto build (releases come from deployments)", () => {
    const { stack, frontend: f } = frontend();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AmplifyBranch, {
      app_id: ref(f.resource, "id"),
      branch_name: "main",
      stage: "PRODUCTION",
      enable_auto_build: false,
    });
    expect(onlyResource(synthJson(stack), "aws_amplify_branch").depends_on).toBeUndefined();
  });

  test("builds the repository's main branch by default, or the given ref, into the app's branch", () => {
    // GIVEN / WHEN
    const { stack, frontend: f } = frontend({ branchName: "live" });
    const pinned = frontend({ gitRef: "3f2a9c1" });
    // THEN
    const project = onlyResource(synthJson(stack), "aws_codebuild_project");
    expect(project).toMatchObject({
      name: "chat-frontend",
      source_version: "main",
      source: { location: "https://github.com/Faaizz/simple_websocket_chatapp_frontend" },
    });
    expect(project.environment.environment_variable.slice(0, 2)).toEqual([
      { name: "AMPLIFY_APP_ID", value: ref(f.resource, "id") },
      { name: "AMPLIFY_BRANCH_NAME", value: ref(f.branch, "branch_name") },
    ]);
    expect(onlyResource(synthJson(pinned.stack), "aws_codebuild_project").source_version).toBe("3f2a9c1");
  });

  test("publishes during apply, and again when the WebSocket URL or the ref changes", () => {
    const { stack, frontend: f } = frontend();
    const input: string = invocationsByAction(synthJson(stack))["deploy-frontend"][1].input;
    expect(input).toContain(`"appId" = aws_amplify_app.${f.resource.friendlyUniqueId}.id`);
    expect(input).toContain(`"branchName" = aws_amplify_branch.${f.branch.friendlyUniqueId}.branch_name`);
    expect(input).toContain('"sourceVersion" = "main"');
    expect(input).toContain('"environment" = {"WEBSOCKET_URL" = "wss://abc.execute-api.us-east-1.amazonaws.com/prod"}');
    expect(f.build.buildRun!.first.node.id).toBe("DeployFrontend");
  });

  test("grants publishing on this app's branch only: the build creates and starts deployments, the deploy actions read jobs", () => {
    const { stack, frontend: f } = frontend();
    const json = synthJson(stack);
    const doc = (name: string) =>
      policyDocumentOf(json, Object.values<any>(resourcesOf(json, "aws_iam_role_policy")).find((p) => p.name === name).policy).statement;
    expect(doc("build-and-publish")).toContainEqual(
      expect.objectContaining({ actions: ["amplify:CreateDeployment", "amplify:StartDeployment"], resources: [ref(f.branch, "arn")] }),
    );
    expect(doc("deploy-actions")).toContainEqual(expect.objectContaining({ actions: ["amplify:GetJob"], resources: [`${ref(f.branch, "arn")}/jobs/*`] }));
    // Nothing of the repository-connected mode.
    expect(JSON.stringify(doc("deploy-actions"))).not.toMatch(/UpdateApp|StartJob|secretsmanager/);
  });

  test("has no GitHub token anywhere: no secret, no variable, no connection", () => {
    const { stack } = frontend();
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_secretsmanager_secret")).toEqual({});
    expect(json.variable).toBeUndefined();
    expect(Object.keys(invocationsByAction(json))).toEqual(["deploy-frontend"]);
  });

  test("gives the branch URL", () => {
    const { stack, frontend: f } = frontend();
    new TerraformOutput(stack, "probe", { value: f.url });
    expect(synthJson(stack).output.probe.value).toBe(`https://\${replace("main", "/", "-")}.${ref(f.resource, "default_domain")}`);
  });

  test("is a different app than the repository-connected mode, so that switching replaces it", () => {
    // GIVEN the two modes as a stack places them
    const stack = newStack();
    const actions = new DeployActions(stack, "deploy", { functionName: "deploy", codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions") });
    const connected = new AmplifyFrontend(stack, "frontend", {
      appName: "ab",
      repositoryUrl: "https://github.com/x/y",
      tokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:t",
      deployActions: actions,
    });
    const manual = new AmplifyManualFrontend(stack, "frontend-build", { appName: "ab", repositoryUrl: "https://github.com/x/y", deployActions: actions });
    // THEN
    expect(manual.resource.friendlyUniqueId).not.toBe(connected.resource.friendlyUniqueId);
  });

  describe("validation", () => {
    test("fails when the app or branch name is invalid", () => {
      expect(() => frontend({ appName: "chat frontend" })).toThrow(
        'AmplifyManualFrontend.appName must be 1 to 255 letters, digits, hyphens or underscores, got "chat frontend"',
      );
      expect(() => frontend({ appName: "a".repeat(60) })).toThrow(
        /AmplifyManualFrontend.appName must be 2 to 59 letters, .*whose role <appName>-build must fit IAM's 64 characters/,
      );
      expect(() => frontend({ branchName: "/main" })).toThrow('AmplifyManualFrontend.branchName must be a Git branch name, got "/main"');
    });

    test("fails when the repository or ref is invalid", () => {
      expect(() => frontend({ repositoryUrl: "git@github.com:x/y.git" })).toThrow("FrontendBuild.source.repositoryUrl must be a GitHub repository URL");
      expect(() => frontend({ gitRef: "main..x" })).toThrow("FrontendBuild.source.gitRef must be a Git branch, tag or commit");
    });
  });
});
