// A new account's first apply (issue 17 §2), on the emulator with the Lambda
// and CodeBuild stand-in in front of it (__tests__/support/stand-ins/): the
// deploy actions run for real, on a clock 100 times faster (a 900 s function
// runs 9 s, a 45-minute build 27 s).
//
// Two small stacks composed of the real constructs, wired by the code the
// chat stack and the modules use:
//   builds   the image build and the frontend build (ContainerImage,
//            FrontendBuild, oneBuildAtATime) and, like the chat stack, the
//            region's API Gateway CloudWatch role (a function of its own);
//   logging  a WebSocket API whose stage logs, with the role "managed" as the
//            modules do it (enabled by a variable, the count on every part).
// Together: a quota of 0 stops the first apply with the quota's name and
// code; the apply run again once it is 1 continues and runs both builds, one
// after the other, the queue included; a build slower than the function's
// timeout finishes within that one apply; and the two stacks share the
// region's role, so destroying one leaves the other's logging working.
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from "@aws-sdk/client-api-gateway";
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import * as path from "path";
import { ApiGatewayCloudWatchRole } from "../../constructs/api-gateway-cloud-watch-role";
import { oneBuildAtATime } from "../../constructs/build-run";
import { ContainerImage } from "../../constructs/container-image";
import { DeployActions } from "../../constructs/deploy-actions";
import { FrontendBuild } from "../../constructs/frontend-build";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketMockIntegration } from "../../constructs/websocket-integration";
import { WebSocketStage } from "../../constructs/websocket-stage";
import { Emulator } from "../../scripts/emulator";
import { APP_CONTEXT } from "../../stacks/app";
import { deployActionsArchive } from "../../stacks/deploy-actions-archive";
import { DEPLOY_ACTIONS_CODE_DIR } from "../../stacks/paths";
import { configureProvider } from "../../stacks/target";
import { writeEmulatorConfigs } from "../../stacks/synth";
import { settingsWith } from "../helpers";
import { apply, describeE2e, destroy, emulatorFor, localState, sdkConfig, secondPlanChanges } from "../support/e2e";
import { DeployActionsRuntime, functionError, SAFETY_FLOOR_MS, startDeployActionsRuntime } from "../support/stand-ins/deploy-actions-runtime";
import { removeWorkdir, terraform, terraformRun } from "../support/terraform";

const SCALE = 0.01;

const SHARED_ROLE = "apigateway-cloudwatch-logs";
/** Simulated minutes of each project's builds; the image's outlasts the 15-minute function. */
const BUILD_MINUTES: Record<string, number> = { "first-backend": 35, "first-frontend": 4 };

describeE2e()("a new account's first deploy (CodeBuild quota, long builds, the shared API Gateway account role)", () => {
  let emulator: Emulator;
  let runtime: DeployActionsRuntime;
  let dir: string;
  let cfg: ReturnType<typeof sdkConfig>;
  let builds: string;
  let logging: string;

  /** Synthesizes one small stack for the emulator target with the stand-in, its state in its folder. */
  function synthStack(name: string, compose: (stack: TerraformStack, code: string) => void): string {
    const settings = settingsWith({ target: { kind: "emulator", emulatorEndpoint: emulator.endpoint, lambdaStandInEndpoint: runtime.endpoint } });
    const app = new App({ outdir: path.join(dir, name), context: APP_CONTEXT, stackTraces: false });
    const stack = new TerraformStack(app, name);
    configureProvider(stack, settings, { Stack: name });
    compose(stack, deployActionsArchive(DEPLOY_ACTIONS_CODE_DIR));
    app.synth();
    writeEmulatorConfigs(path.join(dir, name, "stacks"), settings);
    const stackDir = path.join(dir, name, "stacks", name);
    localState(stackDir);
    return stackDir;
  }

  /** The builds stack at an image tag: the chat stack's wiring of its two builds and its account function (`account`: its role's settings). */
  function buildsStack(imageTag: string, account: { roleName?: string; replaceExisting?: boolean } = {}): string {
    return synthStack("builds", (stack, code) => {
      const actions = new DeployActions(stack, "deploy-actions", { functionName: "first-deploy-actions", codeDirectory: code });
      const image = new ContainerImage(stack, "backend-image", {
        name: "first-backend",
        source: { repositoryUrl: "https://github.com/Faaizz/simple_http_chatapp", gitRef: "main" },
        imageTag,
        deployActions: actions,
        forceDelete: true,
      });
      const frontend = new FrontendBuild(stack, "frontend", {
        name: "first-frontend",
        source: { repositoryUrl: "https://github.com/Faaizz/simple_websocket_chatapp_frontend", gitRef: "main" },
        // Amplify is not emulated: the branch is the stand-in's.
        target: { appId: "d1first", branchName: "main", branchArn: "arn:aws:amplify:us-east-1:123456789012:apps/d1first/branches/main" },
        environmentVariables: { WEBSOCKET_URL: `wss://example.invalid/${imageTag}` },
        deployActions: actions,
      });
      oneBuildAtATime([image.buildRun, frontend.buildRun]);
      const manager = new DeployActions(stack, "account-check", { functionName: "first-account-check", codeDirectory: code });
      new ApiGatewayCloudWatchRole(stack, "apigateway-cloudwatch-role", {
        deployActions: manager,
        user: "first-deploy builds",
        keepHint: "keep it",
        ...account,
      });
      new TerraformOutput(stack, "image", { value: image.imageUri });
      new TerraformOutput(stack, "release", { value: frontend.deployment!.result });
    });
  }

  /** A logging API with the role managed as the modules do it (count from a variable). */
  function loggingStack(): string {
    return synthStack("logging", (stack, code) => {
      const managed = new TerraformVariable(stack, "managed", { type: "bool", default: true }).value as boolean;
      const actions = new DeployActions(stack, "account-function", { functionName: "first-logging-account", codeDirectory: code, enabled: managed });
      const api = new WebSocketApi(stack, "api", {
        apiName: "first-logging",
        defaultRoute: { integration: new WebSocketMockIntegration({ responseTemplate: "{}" }), returnResponse: true },
      });
      const account = new ApiGatewayCloudWatchRole(stack, "cloudwatch-role", {
        deployActions: actions,
        enabled: managed,
        user: `module first-logging ${api.apiId}`,
        keepHint: "set api_gateway_account_role to 'existing'",
        dependsOn: [api.resource],
      });
      // The emulator cannot create explicit deployments: the stage deploys itself.
      new WebSocketStage(stack, "stage", { api, stageName: "prod", autoDeploy: true, loggingLevel: "ERROR", dependsOn: [account.resource] });
    });
  }

  const account = async () => (await new APIGatewayClient(cfg).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "";
  const userTags = async (role: string) =>
    ((await new IAMClient(cfg).send(new ListRoleTagsCommand({ RoleName: role }))).Tags ?? []).filter((t) => t.Key!.startsWith("websocket-gateway:user:"));

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("first-deploy"));
    cfg = sdkConfig(emulator);
    runtime = await startDeployActionsRuntime({
      emulatorEndpoint: emulator.endpoint,
      timeScale: SCALE,
      // A new account's quota.
      quota: 1,
      buildMinutes: BUILD_MINUTES,
      log: path.join(dir, "functions.log"),
    });
  }, 5 * 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  }, 60_000);

  test(
    "with a quota of 0, the first apply stops at the image build, naming the quota, its code and how to raise it",
    async () => {
      // GIVEN an account whose CodeBuild quota is 0
      await runtime.setQuota(0);
      builds = buildsStack("v1");
      terraform(builds, ["init", "-input=false"]);
      // WHEN
      const stopped = terraformRun(builds, ["apply", "-input=false", "-auto-approve", "-lock=false"]);
      // THEN
      expect(stopped.status).not.toBe(0);
      const text = functionError(stopped.output);
      expect(text).toContain(
        'The account\'s quota "Concurrently running builds for Linux/Small environment" (Service Quotas code L-9D07B6EF) is 0 in us-east-1',
      );
      expect(text).toContain(
        "aws service-quotas request-service-quota-increase --service-code codebuild --quota-code L-9D07B6EF --desired-value 2 --region us-east-1",
      );
      expect(text).toContain("Once it is raised, run the deploy again: it continues from here");
      expect((await runtime.state()).builds).toEqual([]);
    },
    10 * 60_000,
  );

  test(
    "with the quota raised to 1, held by another build, the deploy run again continues: both builds finish, one after the other, the image's 8 minutes of queue and 35 of build outlasting the function's 15",
    async () => {
      // GIVEN another project's build holding the account's only slot for 8 (simulated) minutes when the image build asks for it
      await runtime.setQuota(1);
      await runtime.holdSlot(8);
      // WHEN the deploy runs again
      const outputs = apply(builds);
      // THEN both builds ran, never at the same time
      const seen = await runtime.state();
      const ours = seen.builds.filter((b) => b.projectName.startsWith("first-"));
      expect(ours.map((b) => [b.projectName, b.outcome])).toEqual([
        ["first-backend", "SUCCEEDED"],
        ["first-frontend", "SUCCEEDED"],
      ]);
      expect(ours[1].start).toBeGreaterThanOrEqual(ours[0].end);
      // StartBuild was refused while the other build held the slot, and tried again with backoff
      const imageStarts = seen.startBuildCalls.filter((c) => c.projectName === "first-backend");
      expect(imageStarts.filter((c) => c.refused === "Cannot have more than 1 builds in queue for the account").length).toBeGreaterThanOrEqual(2);
      expect(imageStarts[imageStarts.length - 1].buildId).toBeDefined();
      // the image build was handed from one invocation to the next, each waiting nearly the
      // function's 900 s (all but its reserve: 30 s on AWS, one real second here, 100 simulated),
      // until one saw it done (where the hand-overs fall depends on the machine's speed: the
      // clock runs on while Terraform moves from one to the next)
      const steps = seen.invocations.filter((i) => i.event.action === "build-image" && i.event.imageTag === "v1");
      expect(steps.map((i) => i.event.step)).toEqual([1, 1, 2, 3, 4]);
      expect(steps[0]).toMatchObject({ outcome: "error" });
      const run = steps.slice(1);
      const handedOn = run.filter((i) => i.body.state !== "done");
      // (at least one hand-over: on a loaded machine the time Terraform takes between two steps, scaled, counts too)
      expect(handedOn.length).toBeGreaterThanOrEqual(1);
      expect(run.slice(0, handedOn.length)).toEqual(handedOn);
      // (900 s less one poll, the reserve in simulated seconds and 50 s for the last calls)
      for (const step of handedOn) expect(step.seconds).toBeGreaterThan(900 - 15 - SAFETY_FLOOR_MS / 1000 / SCALE - 50);
      expect(run[3].body.state).toBe("done");
      // and the deploy ran the image by the digest the build pushed, and published the frontend
      expect(outputs.image).toMatch(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/first-backend@sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(outputs.release)).toMatchObject({ state: "done", status: "SUCCEED", appId: "d1first" });
    },
    10 * 60_000,
  );

  test("a second plan after the deploy is empty: nothing is invoked again", () => {
    expect(secondPlanChanges(builds)).toBe("");
  });

  test(
    "a role that belongs to someone else is still refused, naming it; replaceExisting then replaces it, leaving theirs alone",
    async () => {
      // GIVEN someone sets the region's role to one of their own
      const iam = new IAMClient(cfg);
      const theirs = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: "platform-apigw-logs",
            AssumeRolePolicyDocument: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
          }),
        )
      ).Role!.Arn!;
      await new APIGatewayClient(cfg).send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: theirs }] }));
      try {
        // WHEN the stack's account function runs again (its role renamed)
        buildsStack("v1", { roleName: "first-renamed" });
        const refused = terraformRun(builds, ["apply", "-input=false", "-auto-approve", "-lock=false"]);
        // THEN the apply stops at the function, naming their role
        expect(refused.status).not.toBe(0);
        expect(functionError(refused.output)).toContain(
          `already uses the CloudWatch role ${theirs} for the logs of every API there, a role these stacks did not create`,
        );
        // WHEN the stack is told to replace it
        buildsStack("v1", { roleName: "first-renamed", replaceExisting: true });
        apply(builds);
        // THEN the region names the stack's shared role; their role is left alone
        expect(await account()).toBe(`arn:aws:iam::${theirs.split(":")[4]}:role/websocket-gateway/first-renamed`);
        expect((await iam.send(new GetRoleCommand({ RoleName: "platform-apigw-logs" }))).Role?.Arn).toBe(theirs);
      } finally {
        await iam.send(new DeleteRoleCommand({ RoleName: "platform-apigw-logs" }));
      }
      // AND the stack's own settings apply again: the region moves back to the default shared role, the renamed one is deleted
      buildsStack("v1");
      apply(builds);
      expect(await account()).toBe(`arn:aws:iam::${theirs.split(":")[4]}:role/websocket-gateway/${SHARED_ROLE}`);
      await expect(iam.send(new GetRoleCommand({ RoleName: "first-renamed" }))).rejects.toThrow();
    },
    10 * 60_000,
  );

  test(
    "a second stack in the region joins the shared API Gateway CloudWatch role; destroying the first leaves the second's logging working",
    async () => {
      // GIVEN the builds stack set the region's role; WHEN a stack that logs is applied beside it
      const role = `arn:aws:iam::${(await account()).split(":")[4]}:role/websocket-gateway/${SHARED_ROLE}`;
      expect(await account()).toBe(role);
      logging = loggingStack();
      apply(logging);
      // THEN both are tagged on the one role
      expect(await userTags(SHARED_ROLE)).toHaveLength(2);
      // WHEN the first stack is destroyed
      destroy(builds);
      // THEN the region still names the role, which still exists with its policy: the second stack's logs keep flowing
      expect(await account()).toBe(role);
      const iam = new IAMClient(cfg);
      expect((await iam.send(new GetRoleCommand({ RoleName: SHARED_ROLE }))).Role?.Arn).toBe(role);
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: SHARED_ROLE }))).AttachedPolicies?.map((p) => p.PolicyName)).toEqual([
        "AmazonAPIGatewayPushToCloudWatchLogs",
      ]);
      expect((await userTags(SHARED_ROLE)).map((t) => t.Value)).toEqual([expect.stringMatching(/^module first-logging /)]);
      // WHEN the last stack goes, THEN the setting is reset and the role deleted
      destroy(logging);
      expect(await account()).toBe("");
      await expect(iam.send(new GetRoleCommand({ RoleName: SHARED_ROLE }))).rejects.toThrow();
    },
    10 * 60_000,
  );
});
