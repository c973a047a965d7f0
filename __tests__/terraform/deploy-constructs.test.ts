// terraform validate and an offline plan, with the real provider, of the
// deployment constructs the stacks do not use yet (frontend by manual
// deployment, every Docker Hub access of the image build): the arguments
// they write exist and have the types hashicorp/aws 5.100.0 expects.
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import * as path from "path";
import { AmplifyManualFrontend } from "../../constructs/amplify-manual-frontend";
import { ContainerImage } from "../../constructs/container-image";
import { DeployActions } from "../../constructs/deploy-actions";
import { APP_CONTEXT } from "../../stacks/app";
import { describeWith, OFFLINE_PROVIDER, removeWorkdir, terraform, workdir, writeJson } from "../support/terraform";

const HUB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbC123";

describeWith(["terraform"])("the deployment constructs with the real provider", () => {
  let dir: string;
  beforeAll(() => {
    dir = workdir("deploy-constructs");
    const app = new App({ outdir: dir, context: APP_CONTEXT, stackTraces: false });
    const stack = new TerraformStack(app, "deploy");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const actions = new DeployActions(stack, "deploy-actions", {
      functionName: "deploy-actions",
      codeDirectory: path.resolve(__dirname, "../../constructs/deploy-actions"),
    });
    new AmplifyManualFrontend(stack, "frontend", {
      appName: "chat-frontend",
      repositoryUrl: "https://github.com/Faaizz/simple_websocket_chatapp_frontend",
      gitRef: "main",
      deployActions: actions,
      environmentVariables: { WEBSOCKET_URL: "wss://abc.execute-api.us-east-1.amazonaws.com/prod" },
    });
    const source = { repositoryUrl: "https://github.com/Faaizz/simple_http_chatapp", gitRef: "main" };
    new ContainerImage(stack, "ecr-public", { name: "img-ecr-public", imageTag: "v1", source, dockerHub: { kind: "ecr-public" } });
    new ContainerImage(stack, "login", { name: "img-login", imageTag: "v1", source, dockerHub: { kind: "login", credentialsSecretArn: HUB_SECRET } });
    new ContainerImage(stack, "cache", {
      name: "img-cache",
      imageTag: "v1",
      source,
      dockerHub: { kind: "pull-through-cache", credentialsSecretArn: HUB_SECRET },
      deployActions: actions,
    });
    app.synth();
    writeJson(path.join(dir, "stacks", "deploy", "offline_override.tf.json"), { provider: { aws: OFFLINE_PROVIDER } });
  });
  afterAll(() => dir && removeWorkdir(dir));

  test(
    "pass terraform validate and plan without an AWS account",
    () => {
      const stackDir = path.join(dir, "stacks", "deploy");
      terraform(stackDir, ["init", "-input=false"]);
      // VALIDATED_BY_PLAN: the plan runs terraform validate's walk first and fails with its errors.
      expect(terraform(stackDir, ["plan", "-input=false", "-lock=false", "-out=plan.bin"])).toMatch(/^Plan: \d+ to add/m);
      const plan = JSON.parse(terraform(stackDir, ["show", "-json", "plan.bin"]));
      const types = (plan.resource_changes as any[]).map((r) => r.type);
      for (const t of ["aws_amplify_app", "aws_amplify_branch", "aws_codebuild_project", "aws_ecr_pull_through_cache_rule", "aws_lambda_invocation"])
        expect(types).toContain(t);
    },
    5 * 60_000,
  );
});
