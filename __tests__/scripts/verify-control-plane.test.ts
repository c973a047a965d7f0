import { NotFoundException } from "@aws-sdk/client-apigatewayv2";
import { CreateRouteCommand, GetApiCommand } from "@aws-sdk/client-apigatewayv2";
import { NoSuchEntityException } from "@aws-sdk/client-iam";
import { AwsAccess, AwsCall, READ_OPERATION } from "../../scripts/lib/verify/aws";
import { VerifyContext } from "../../scripts/lib/verify/context";
import { checkApi, checkDeployment, checkRoutes } from "../../scripts/lib/verify/control-api";
import { checkAmplifyJob, checkFrontendBuild, checkImageBuild } from "../../scripts/lib/verify/control-builds";
import { checkAccessLogs, checkAccountRole, trustsApiGateway } from "../../scripts/lib/verify/control-logging";
import { checkCallbackPath } from "../../scripts/lib/verify/control-network";
import { checkService, checkTargets, checkVpcLink } from "../../scripts/lib/verify/control-private-path";
import { HopResult } from "../../scripts/lib/verify/report";
import { VerifyTarget } from "../../scripts/lib/verify/target";

// The AWS SDK v3 warns once per process that its 2027 releases need Node.js 22; this machine runs Node.js 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * The control-plane hops against recorded API replies: each failure state of
 * issue 17 produces its FAIL line, likely cause and fix. The replies have the
 * shapes the AWS API references document (cited per test), in the AWS SDK for
 * JavaScript v3's output form; they are served by AwsAccess's intercept, so
 * the hops run through the same SDK clients and read-only guard as on AWS.
 */

type Replies = Record<string, unknown | ((input: any) => unknown)>;

const NOW = new Date("2026-12-07T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const TARGET: VerifyTarget = {
  kind: "chat",
  source: "recorded",
  region: "us-east-1",
  apiId: "a1b2c3d4e5",
  stageName: "prod",
  websocketUrl: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
  connectionsUrl: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
  hasState: true,
  ecs: { cluster: "chat-dev", service: "chat-dev-backend", subnets: ["subnet-0a", "subnet-0b"] },
  imageBuildProject: "chat-dev-backend",
  frontendBuildProject: "chat-dev-frontend",
  amplify: { appId: "d1abcdefghijk", branch: "main" },
};

/** A context whose AWS calls are answered from `replies` (by operation name); a call without a reply fails the test. */
function context(replies: Replies, target: Partial<VerifyTarget> = {}): { ctx: VerifyContext; calls: AwsCall[] } {
  const aws = new AwsAccess({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    intercept: ({ operation, input }) => {
      if (!(operation in replies)) return Promise.reject(new Error(`no recorded reply for ${operation} ${JSON.stringify(input)}`));
      const reply = replies[operation];
      const value = typeof reply === "function" ? (reply as (i: unknown) => unknown)(input) : reply;
      return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
    },
  });
  const ctx: VerifyContext = {
    target: { ...TARGET, ...target },
    aws,
    seen: {},
    redeploy: "npm run deploy -- chat",
    now: () => NOW,
    sleep: () => Promise.resolve(),
  };
  return { ctx, calls: aws.calls };
}

function expectFail(r: HopResult, seen: RegExp, cause: RegExp, fix: RegExp): void {
  expect(r.status).toBe("FAIL");
  expect(r.seen).toMatch(seen);
  expect(r.cause).toMatch(cause);
  expect(r.fix).toMatch(fix);
}

// GetStage (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html): AutoDeploy, DeploymentId, LastDeploymentStatusMessage.
const STAGE = {
  StageName: "prod",
  AutoDeploy: false,
  DeploymentId: "dep123",
  LastUpdatedDate: minutesAgo(120),
  AccessLogSettings: { DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigatewayv2/chat-dev-websocket/prod", Format: "{}" },
  DefaultRouteSettings: { LoggingLevel: "ERROR", DataTraceEnabled: false },
};

describe("AwsAccess", () => {
  test("refuses any operation that is not a read, before it is sent or recorded", async () => {
    const { ctx, calls } = context({});
    await expect(ctx.aws.apigatewayv2().send(new CreateRouteCommand({ ApiId: "x", RouteKey: "y" }))).rejects.toThrow(
      "npm run verify sends read calls only; refused ApiGatewayV2 CreateRoute",
    );
    expect(calls).toEqual([]);
  });

  test("records every read it sends, by service and operation", async () => {
    const { ctx, calls } = context({ GetApi: { Name: "x", ProtocolType: "WEBSOCKET" } });
    await ctx.aws.apigatewayv2().send(new GetApiCommand({ ApiId: "x" }));
    expect(calls).toEqual([{ service: "ApiGatewayV2", operation: "GetApi" }]);
    expect(READ_OPERATION.test("DescribeTargetHealth") && READ_OPERATION.test("LookupEvents") && !READ_OPERATION.test("Delete")).toBe(true);
  });
});

describe("api", () => {
  test("fails when the API does not exist, naming the account to check", async () => {
    const { ctx } = context({ GetApi: new NotFoundException({ message: "Invalid API identifier specified", $metadata: {} }) });
    expectFail(
      await checkApi(ctx),
      /^API a1b2c3d4e5 does not exist in us-east-1 \(NotFoundException: Invalid API identifier specified\)$/,
      /destroyed|another account/,
      /AWS_PROFILE/,
    );
  });

  test("passes with the API and stage, and reads the stage for the later hops", async () => {
    const { ctx } = context({ GetApi: { Name: "chat-dev-websocket", ProtocolType: "WEBSOCKET" }, GetStage: STAGE });
    const r = await checkApi(ctx);
    expect(r).toMatchObject({
      status: "PASS",
      seen: expect.stringMatching(/^API chat-dev-websocket \(a1b2c3d4e5, WEBSOCKET\), stage prod \(explicit deployments/),
    });
    expect(ctx.seen.stage).toMatchObject(STAGE);
  });
});

describe("routes", () => {
  const expected = {
    id: "a1b2c3d4e5",
    name: "chat-dev-websocket",
    region: "us-east-1",
    executionArn: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5",
    endpointHost: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    routeSelectionExpression: "$request.body.action",
    stage: { name: "prod", variables: {}, routeThrottles: {} },
    privateTargets: [],
    mappings: [],
    notEmulated: [],
    source: "test",
    routes: ["$connect", "online"].map((key) => ({
      id: key,
      key,
      twoWay: true,
      authorizationType: "NONE" as const,
      integration: {
        id: `i-${key}`,
        type: "HTTP" as const,
        uri: `http://\${stageVariables.backendHost}/${key.replace("$", "")}`,
        method: "POST",
        connectionType: "VPC_LINK" as const,
        vpcLinkId: "local",
        requestParameters: {},
        requestTemplates: {},
        templateSelectionExpression: "",
        passthroughBehavior: "WHEN_NO_MATCH" as const,
        timeoutMilliseconds: 29000,
        responses: [{ key: "$default", templates: {}, templateSelectionExpression: "" }],
      },
    })),
  };
  // GetRoutes, GetIntegrations, GetIntegrationResponses (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html, .../apis-apiid-integrations.html).
  const integration = (key: string) => ({
    IntegrationId: `int-${key}`,
    IntegrationType: "HTTP",
    IntegrationMethod: "POST",
    IntegrationUri: `http://\${stageVariables.backendHost}/${key.replace("$", "")}`,
    ConnectionType: "VPC_LINK",
    ConnectionId: "vl1234",
  });
  const route = (key: string) => ({ RouteId: `r-${key}`, RouteKey: key, Target: `integrations/int-${key}`, RouteResponseSelectionExpression: "$default" });

  test("fails when a route of the stack is missing from the API (DeleteRoute outside Terraform)", async () => {
    const { ctx } = context(
      {
        GetRoutes: { Items: [route("$connect")] },
        GetIntegrations: { Items: [integration("$connect")] },
        GetIntegrationResponses: { Items: [{ IntegrationResponseKey: "$default" }] },
      },
      { expected },
    );
    expectFail(
      await checkRoutes(ctx),
      /^route online missing from API a1b2c3d4e5 \(the stack defines \$connect, online\)$/,
      /deleted outside Terraform/,
      /npm run deploy -- chat/,
    );
  });

  test("fails when an integration lost its $default integration response", async () => {
    const { ctx } = context(
      {
        GetRoutes: { Items: [route("$connect"), route("online")] },
        GetIntegrations: { Items: [integration("$connect"), integration("online")] },
        GetIntegrationResponses: (i: any) => ({ Items: i.IntegrationId === "int-online" ? [] : [{ IntegrationResponseKey: "$default" }] }),
      },
      { expected },
    );
    expectFail(await checkRoutes(ctx), /route online's integration has no \$default integration response/, /outside Terraform|not deployed/, /deploy again/);
  });

  test("passes when every route and integration is as the stack defines it", async () => {
    const { ctx } = context(
      {
        GetRoutes: { Items: [route("$connect"), route("online")] },
        GetIntegrations: { Items: [integration("$connect"), integration("online")] },
        GetIntegrationResponses: { Items: [{ IntegrationResponseKey: "$default" }] },
      },
      { expected },
    );
    expect(await checkRoutes(ctx)).toMatchObject({ status: "PASS", seen: "2 routes as the stack defines them ($connect, online), each with its integration" });
  });
});

describe("deployment", () => {
  // GetDeployment (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments-deploymentid.html): DeploymentStatus PENDING | FAILED | DEPLOYED.
  const deployment = { DeploymentId: "dep123", DeploymentStatus: "DEPLOYED", AutoDeployed: false, CreatedDate: minutesAgo(60) };
  // LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html; Event: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html).
  const event = (name: string, minutes: number, apiId = "a1b2c3d4e5") => ({
    EventId: `e-${name}-${minutes}`,
    EventName: name,
    ReadOnly: "false",
    EventTime: minutesAgo(minutes),
    EventSource: "apigateway.amazonaws.com",
    Username: "alice",
    CloudTrailEvent: JSON.stringify({ eventName: name, requestParameters: { apiId, routeId: "r1" } }),
  });

  test("fails when a route changed after the explicit deployment (changed but never redeployed)", async () => {
    const { ctx, calls } = context({
      GetDeployment: deployment,
      LookupEvents: { Events: [event("UpdateRoute", 10), event("UpdateRoute", 5, "otherapi1"), event("GetRoutes", 4)] },
    });
    ctx.seen.stage = STAGE as any;
    expectFail(
      await checkDeployment(ctx),
      /^deployment dep123 \(explicit, created 2026-12-07T11:00:00Z\) predates 1 change to the API's routes and integrations: UpdateRoute at 2026-12-07T11:50:00Z by alice$/,
      /changed but never redeployed/,
      /aws apigatewayv2 create-deployment --api-id a1b2c3d4e5 --stage-name prod/,
    );
    expect(calls.map((c) => c.operation)).toEqual(["GetDeployment", "LookupEvents"]);
  });

  test("passes when nothing was written to the API since the deployment", async () => {
    const { ctx } = context({ GetDeployment: deployment, LookupEvents: { Events: [] } });
    ctx.seen.stage = STAGE as any;
    expect(await checkDeployment(ctx)).toMatchObject({
      status: "PASS",
      seen: expect.stringContaining("DEPLOYED 60 min ago; no route or integration of the API written since"),
    });
  });

  test("warns, without failing, when CloudTrail's history may not be read", async () => {
    const denied = Object.assign(new Error("not authorized to perform: cloudtrail:LookupEvents"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    const { ctx } = context({ GetDeployment: deployment, LookupEvents: denied });
    ctx.seen.stage = STAGE as any;
    expect(await checkDeployment(ctx)).toMatchObject({ status: "WARN", seen: expect.stringContaining("cloudtrail:LookupEvents is not allowed") });
  });

  test("fails when the auto deploy of the last change failed (GetStage's LastDeploymentStatusMessage)", async () => {
    const { ctx } = context({});
    ctx.seen.stage = {
      ...STAGE,
      AutoDeploy: true,
      LastDeploymentStatusMessage: "Deployment attempt failed: Unable to deploy API because no routes exist in this API",
    } as any;
    expectFail(
      await checkDeployment(ctx),
      /^auto deploy of stage prod failed: Deployment attempt failed/,
      /could not deploy the last change/,
      /fix what the message names/,
    );
  });

  test("fails with AWS's message when the deployment FAILED", async () => {
    const { ctx } = context({ GetDeployment: { ...deployment, DeploymentStatus: "FAILED", DeploymentStatusMessage: "Route $connect has no target" } });
    ctx.seen.stage = STAGE as any;
    expectFail(await checkDeployment(ctx), /FAILED: Route \$connect has no target$/, /could not deploy/, /deploy again/);
  });
});

describe("vpc-link", () => {
  // GetVpcLink (https://docs.aws.amazon.com/apigateway/latest/api/API_GetVpcLink.html): status AVAILABLE | PENDING | DELETING | FAILED, statusMessage.
  const withLink = (link: object) => {
    const { ctx } = context({
      GetVpcLink: {
        id: "vl1234",
        name: "chat-dev-vpc-link",
        targetArns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/chat-dev-nlb/abc"],
        ...link,
      },
    });
    ctx.seen.integrations = [{ IntegrationId: "i1", ConnectionType: "VPC_LINK", ConnectionId: "vl1234" }];
    return ctx;
  };

  test("fails while the VPC link is PENDING, with its status message", async () => {
    expectFail(
      await checkVpcLink(withLink({ status: "PENDING", statusMessage: "VPC link is provisioning ENIs" })),
      /^VPC link chat-dev-vpc-link \(vl1234\) is PENDING: VPC link is provisioning ENIs$/,
      /several minutes to become AVAILABLE/,
      /wait a few minutes/,
    );
  });

  test("fails when the VPC link FAILED, with its status message", async () => {
    expectFail(
      await checkVpcLink(withLink({ status: "FAILED", statusMessage: "NLB ARN is malformed" })),
      /^VPC link chat-dev-vpc-link \(vl1234\) FAILED: NLB ARN is malformed$/,
      /could not link the NLB/,
      /terraform apply -replace=/,
    );
  });

  test("passes when AVAILABLE, and hands the NLB to the targets hop", async () => {
    const ctx = withLink({ status: "AVAILABLE", statusMessage: "Your VPC link is ready for use" });
    expect(await checkVpcLink(ctx)).toMatchObject({ status: "PASS", seen: "VPC link chat-dev-vpc-link (vl1234) AVAILABLE, targeting chat-dev-nlb/abc" });
    expect(ctx.seen.nlbArns).toEqual(["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/chat-dev-nlb/abc"]);
  });
});

describe("targets", () => {
  const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/chat-dev-tg/6d0ecf831eec9f09";
  // DescribeListeners, DescribeTargetGroups, DescribeTargetHealth (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html;
  // reason codes: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).
  const withHealth = (descriptions: object[]) => {
    const { ctx } = context({
      DescribeListeners: { Listeners: [{ Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: TG }] }] },
      DescribeTargetGroups: { TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: "chat-dev-tg", TargetType: "ip", Port: 80, HealthCheckPath: "/healthz" }] },
      DescribeTargetHealth: { TargetHealthDescriptions: descriptions },
    });
    ctx.seen.nlbArns = ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/chat-dev-nlb/abc"];
    return ctx;
  };
  const target = (ip: string, State: string, Reason?: string, Description?: string) => ({
    Target: { Id: ip, Port: 80 },
    HealthCheckPort: "80",
    TargetHealth: { State, Reason, Description },
  });

  test("fails when the target group has no targets (no task runs)", async () => {
    expectFail(
      await checkTargets(withHealth([])),
      /^chat-dev-tg \(ip, port 80, health check \/healthz\) has no targets$/,
      /registers its tasks' IPs, and no task runs/,
      /service hop/,
    );
  });

  test("fails when no target is healthy, with each target's reason code", async () => {
    expectFail(
      await checkTargets(
        withHealth([
          target("10.0.1.5", "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [404]"),
          target("10.0.2.7", "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [404]"),
        ]),
      ),
      /0 of 2 healthy; 10\.0\.1\.5:80 unhealthy \(Target\.ResponseCodeMismatch: Health checks failed with these codes: \[404\]\)/,
      /health check path answered a status code/,
      /GET <health check path> with 200/,
    );
  });

  test("fails on health check timeouts with the security group cause", async () => {
    expectFail(
      await checkTargets(withHealth([target("10.0.1.5", "unhealthy", "Target.Timeout", "Request timed out")])),
      /Target\.Timeout/,
      /security group/,
      /admit the NLB's security group/,
    );
  });

  test("warns when some targets are healthy and others are not", async () => {
    const r = await checkTargets(
      withHealth([target("10.0.1.5", "healthy"), target("10.0.2.7", "unhealthy", "Target.FailedHealthChecks", "Health checks failed")]),
    );
    expect(r).toMatchObject({ status: "WARN", seen: expect.stringContaining("1 of 2 healthy") });
  });

  test("passes when every target is healthy", async () => {
    expect(await checkTargets(withHealth([target("10.0.1.5", "healthy"), target("10.0.2.7", "healthy")]))).toMatchObject({
      status: "PASS",
      seen: "chat-dev-tg (ip, port 80, health check /healthz): 2 of 2 healthy (10.0.1.5:80, 10.0.2.7:80)",
    });
  });
});

describe("service", () => {
  // DescribeServices, ListTasks, DescribeTasks (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html: stoppedReason, stopCode;
  // the errors: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html, .../task_cannot_pull_image.html).
  const service = (running: number) => ({
    services: [
      {
        serviceName: "chat-dev-backend",
        clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/chat-dev",
        status: "ACTIVE",
        desiredCount: 2,
        runningCount: running,
        deployments: [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" }],
        events: [{ createdAt: minutesAgo(2), message: "(service chat-dev-backend) has started 2 tasks: (task 1a2b) (task 3c4d)." }],
      },
    ],
  });
  const stopped = (stoppedReason: string, stopCode: string, containers: object[]) => ({
    ListTasks: { taskArns: ["arn:aws:ecs:us-east-1:123456789012:task/chat-dev/1a2b"] },
    DescribeTasks: {
      tasks: [{ taskArn: "arn:aws:ecs:us-east-1:123456789012:task/chat-dev/1a2b", stoppedAt: minutesAgo(1), stoppedReason, stopCode, containers }],
    },
  });

  test("fails with the image pull cause when tasks stop with CannotPullContainerError", async () => {
    const reason =
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/chat-dev-backend:v1: not found";
    const { ctx } = context({
      DescribeServices: service(0),
      ...stopped("Task failed to start", "TaskFailedToStart", [{ name: "backend", reason }]),
    });
    expectFail(
      await checkService(ctx),
      /^ECS service chat-dev-backend \(cluster chat-dev\): 0 of 2 tasks running; task 1a2b stopped 60 s ago: Task failed to start \[TaskFailedToStart\]; container backend: CannotPullContainerError/,
      /^image pull: the task cannot pull its image/,
      /image-build hop .* callback-path hop/,
    );
  });

  test("fails with the container's exit when the essential container exited", async () => {
    const { ctx } = context({
      DescribeServices: service(0),
      ...stopped("Essential container in task exited", "EssentialContainerExited", [{ name: "backend", exitCode: 1 }]),
    });
    expectFail(await checkService(ctx), /container backend: exit code 1/, /^essential container exited/, /aws logs tail/);
  });

  test("warns when some tasks run and others stop on health checks", async () => {
    const { ctx } = context({
      DescribeServices: service(1),
      ...stopped("Task failed ELB health checks in (target-group arn:...)", "ServiceSchedulerInitiated", []),
    });
    expect(await checkService(ctx)).toMatchObject({ status: "WARN", cause: expect.stringMatching(/^health check/) });
  });

  test("passes when the desired count runs", async () => {
    const { ctx } = context({ DescribeServices: service(2) });
    expect(await checkService(ctx)).toMatchObject({
      status: "PASS",
      seen: expect.stringMatching(/^ECS service chat-dev-backend \(cluster chat-dev\): 2 of 2 tasks running; latest event: /),
    });
  });
});

describe("image-build and frontend-build", () => {
  // ListBuildsForProject, BatchGetBuilds (Build: https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Build.html;
  // BuildPhase and PhaseContext: https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BuildPhase.html).
  const build = (over: object) => ({
    ListBuildsForProject: { ids: ["chat-dev-backend:1f2e"] },
    BatchGetBuilds: {
      builds: [
        {
          id: "chat-dev-backend:1f2e",
          buildStatus: "FAILED",
          currentPhase: "COMPLETED",
          startTime: minutesAgo(20),
          endTime: minutesAgo(15),
          phases: [
            { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED" },
            { phaseType: "PRE_BUILD", phaseStatus: "SUCCEEDED", contexts: [{ statusCode: "", message: "" }] },
            {
              phaseType: "BUILD",
              phaseStatus: "FAILED",
              contexts: [
                {
                  statusCode: "COMMAND_EXECUTION_ERROR",
                  message: "Error while executing command: docker build -t $REPOSITORY_URI:$IMAGE_TAG . Reason: exit status 1",
                },
              ],
            },
          ],
          logs: {
            groupName: "/aws/codebuild/chat-dev-backend",
            deepLink: "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/chat-dev-backend",
          },
          ...over,
        },
      ],
    },
  });

  test("fails with the failed phase, its message and the log link", async () => {
    const { ctx } = context(build({}));
    expectFail(
      await checkImageBuild(ctx),
      /^build chat-dev-backend:1f2e of chat-dev-backend FAILED in phase BUILD \(FAILED: Error while executing command: docker build .*\); log: https:\/\/console\.aws\.amazon\.com\/cloudwatch/,
      /docker build failed.*toomanyrequests/,
      /read the build's log \(link above\)/,
    );
  });

  test("warns while a build is IN_PROGRESS", async () => {
    const { ctx } = context(build({ buildStatus: "IN_PROGRESS", currentPhase: "BUILD", phases: [] }));
    expect(await checkFrontendBuild(ctx)).toMatchObject({ status: "WARN", seen: expect.stringContaining("IN_PROGRESS (phase BUILD") });
  });

  test("fails when the project never built", async () => {
    const { ctx } = context({ ListBuildsForProject: { ids: [] } });
    expectFail(await checkImageBuild(ctx), /has never built$/, /apply stopped before it ran/, /npm run deploy -- chat/);
  });

  test("passes on SUCCEEDED, and is skipped where the stack builds nothing", async () => {
    const { ctx } = context(build({ buildStatus: "SUCCEEDED", resolvedSourceVersion: "0123456789abcdef" }));
    expect(await checkImageBuild(ctx)).toMatchObject({
      status: "PASS",
      seen: "build chat-dev-backend:1f2e of chat-dev-backend SUCCEEDED 15 min ago (source 0123456789ab)",
    });
    expect(await checkImageBuild(context({}, { imageBuildProject: undefined }).ctx)).toMatchObject({
      status: "SKIP",
      seen: "the stack builds no image (chat.backend.image.uri)",
    });
  });
});

describe("amplify-job", () => {
  // ListJobs (JobSummary: https://docs.aws.amazon.com/amplify/latest/APIReference/API_JobSummary.html), GetJob (Step: https://docs.aws.amazon.com/amplify/latest/APIReference/API_Step.html).
  test("fails with the failed step, its reason and log", async () => {
    const { ctx } = context({
      ListJobs: {
        jobSummaries: [
          {
            jobId: "3",
            jobArn: "arn:aws:amplify:...",
            status: "FAILED",
            jobType: "MANUAL",
            startTime: minutesAgo(10),
            commitId: "",
            commitTime: minutesAgo(10),
            commitMessage: "",
          },
        ],
      },
      GetJob: {
        job: {
          summary: {},
          steps: [
            {
              stepName: "DEPLOY",
              status: "FAILED",
              statusReason: "Deployment artifacts could not be read",
              logUrl: "https://logs/3",
              startTime: minutesAgo(10),
              endTime: minutesAgo(9),
            },
          ],
        },
      },
    });
    expectFail(
      await checkAmplifyJob(ctx),
      /^job 3 \(MANUAL\) of d1abcdefghijk\/main FAILED: step DEPLOY FAILED: Deployment artifacts could not be read \(log: https:\/\/logs\/3\)$/,
      /could not release the uploaded site/,
      /read the step's log/,
    );
  });

  test("passes on SUCCEED with the frontend's URL", async () => {
    const { ctx } = context({ ListJobs: { jobSummaries: [{ jobId: "4", status: "SUCCEED", jobType: "MANUAL", endTime: minutesAgo(3) }] } });
    expect(await checkAmplifyJob(ctx)).toMatchObject({
      status: "PASS",
      seen: "job 4 (MANUAL) of d1abcdefghijk/main SUCCEED 3 min ago: https://main.d1abcdefghijk.amplifyapp.com",
    });
  });
});

describe("account-role", () => {
  // GetAccount (https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html), GetRole (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html: NoSuchEntity).
  const ROLE = "arn:aws:iam::123456789012:role/chat-dev-apigw-cloudwatch";
  const trust = encodeURIComponent(
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  );

  test("fails when the role the account setting names was deleted", async () => {
    const { ctx } = context({
      GetAccount: { cloudwatchRoleArn: ROLE },
      GetRole: new NoSuchEntityException({ message: "The role with name chat-dev-apigw-cloudwatch cannot be found.", $metadata: {} }),
    });
    ctx.seen.stage = STAGE as any;
    expectFail(
      await checkAccountRole(ctx),
      /^the region's CloudWatch role arn:aws:iam::123456789012:role\/chat-dev-apigw-cloudwatch does not exist \(NoSuchEntityException: The role with name chat-dev-apigw-cloudwatch cannot be found\.\)$/,
      /was deleted/,
      /^recreate it: deploy again \(npm run deploy -- chat\)/,
    );
  });

  test("fails when the region has no role and the stage logs", async () => {
    const { ctx } = context({ GetAccount: { throttleSettings: { burstLimit: 5000, rateLimit: 10000 } } });
    ctx.seen.stage = STAGE as any;
    expectFail(
      await checkAccountRole(ctx),
      /has no CloudWatch role, and the stage logs$/,
      /CloudWatch Logs role ARN must be set/,
      /chat\.apiGatewayAccount\.manage: true/,
    );
  });

  test("fails when the role does not trust API Gateway", async () => {
    const other = encodeURIComponent(
      JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    );
    const { ctx } = context({
      GetAccount: { cloudwatchRoleArn: ROLE },
      GetRole: { Role: { RoleName: "chat-dev-apigw-cloudwatch", AssumeRolePolicyDocument: other } },
    });
    ctx.seen.stage = STAGE as any;
    expectFail(await checkAccountRole(ctx), /does not let apigateway\.amazonaws\.com assume it$/, /trust policy/, /sts:AssumeRole/);
  });

  test("passes when it exists, trusts API Gateway and has the push policy; skipped when the stage logs nothing", async () => {
    const { ctx } = context({
      GetAccount: { cloudwatchRoleArn: ROLE },
      GetRole: { Role: { RoleName: "chat-dev-apigw-cloudwatch", AssumeRolePolicyDocument: trust } },
      ListAttachedRolePolicies: { AttachedPolicies: [{ PolicyName: "AmazonAPIGatewayPushToCloudWatchLogs" }] },
    });
    ctx.seen.stage = STAGE as any;
    expect(await checkAccountRole(ctx)).toMatchObject({
      status: "PASS",
      seen: expect.stringContaining("may write logs (AmazonAPIGatewayPushToCloudWatchLogs)"),
    });
    const quiet = context({}).ctx;
    quiet.seen.stage = { StageName: "prod", DefaultRouteSettings: { LoggingLevel: "OFF" } } as any;
    expect((await checkAccountRole(quiet)).status).toBe("SKIP");
  });

  test("trustsApiGateway reads Principal and Action as a string or a list", () => {
    expect(
      trustsApiGateway({
        Statement: { Effect: "Allow", Principal: { Service: ["ecs.amazonaws.com", "apigateway.amazonaws.com"] }, Action: ["sts:AssumeRole"] },
      }),
    ).toBe(true);
    expect(trustsApiGateway({ Statement: [{ Effect: "Deny", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }] })).toBe(false);
  });
});

describe("callback-path", () => {
  // DescribeSubnets, DescribeRouteTables, DescribeNatGateways, DescribeVpcEndpoints (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html: PrivateDnsEnabled).
  const network = (over: Replies = {}) =>
    context({
      DescribeSubnets: {
        Subnets: [
          { SubnetId: "subnet-0a", VpcId: "vpc-1" },
          { SubnetId: "subnet-0b", VpcId: "vpc-1" },
        ],
      },
      DescribeRouteTables: (i: any) =>
        i.Filters[0].Name === "association.subnet-id"
          ? {
              RouteTables: [
                {
                  RouteTableId: "rtb-private",
                  Associations: [{ SubnetId: "subnet-0a" }, { SubnetId: "subnet-0b" }],
                  Routes: [
                    { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
                    { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1", State: "active" },
                  ],
                },
              ],
            }
          : { RouteTables: [] },
      DescribeNatGateways: { NatGateways: [{ NatGatewayId: "nat-1", State: "available" }] },
      DescribeVpcEndpoints: { VpcEndpoints: [] },
      ...over,
    }).ctx;

  test("fails when an execute-api interface endpoint with private DNS is in the VPC (it answers 403)", async () => {
    const ctx = network({
      DescribeVpcEndpoints: {
        VpcEndpoints: [
          {
            VpcEndpointId: "vpce-0exec",
            VpcEndpointType: "Interface",
            VpcId: "vpc-1",
            ServiceName: "com.amazonaws.us-east-1.execute-api",
            State: "available",
            PrivateDnsEnabled: true,
          },
        ],
      },
    });
    expectFail(
      await checkCallbackPath(ctx),
      /^vpce-0exec \(execute-api interface endpoint, private DNS on\) in vpc-1 captures a1b2c3d4e5\.execute-api\.us-east-1\.amazonaws\.com: the backend's @connections calls get 403 Forbidden$/,
      /serves private APIs only/,
      /--no-private-dns-enabled/,
    );
  });

  test("fails when the NAT gateway the subnets route to FAILED", async () => {
    const ctx = network({
      DescribeNatGateways: { NatGateways: [{ NatGatewayId: "nat-1", State: "failed", FailureMessage: "Elastic IP address eipalloc-1 is already associated" }] },
    });
    expectFail(
      await checkCallbackPath(ctx),
      /NAT gateway nat-1 is failed: Elastic IP address/,
      /cannot reach a1b2c3d4e5\.execute-api/,
      /available NAT gateway/,
    );
  });

  test("passes with a route to an available NAT gateway and no capturing endpoint", async () => {
    expect(await checkCallbackPath(network())).toMatchObject({
      status: "PASS",
      seen: "the backend's subnets subnet-0a -> nat-1, subnet-0b -> nat-1 (available); no execute-api interface endpoint with private DNS in vpc-1",
    });
  });
});

describe("access-logs", () => {
  // FilterLogEvents, DescribeLogStreams (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
  test("passes when the scenario's lines arrive", async () => {
    const { ctx } = context({ FilterLogEvents: { events: [{ message: '{"connectionId":"abc=","eventType":"CONNECT"}' }] } });
    ctx.seen.stage = STAGE as any;
    ctx.seen.scenario = { started: NOW, connected: true, connectionIds: ["abc="] };
    expect(await checkAccessLogs(ctx, 0)).toMatchObject({
      status: "PASS",
      seen: expect.stringMatching(/^1 line of the scenario's connections in \/aws\/apigatewayv2\/chat-dev-websocket\/prod/),
    });
  });

  test("fails when the log group never received a line", async () => {
    const { ctx } = context({ FilterLogEvents: { events: [] }, DescribeLogStreams: { logStreams: [] } });
    ctx.seen.stage = STAGE as any;
    ctx.seen.scenario = { started: NOW, connected: true, connectionIds: ["abc="] };
    expectFail(await checkAccessLogs(ctx, 0), /it has never received a line$/, /account-role/, /account-role hop/);
  });
});
