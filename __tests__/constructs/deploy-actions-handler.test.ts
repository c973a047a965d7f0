// The deploy-actions Lambda handler, with the AWS SDK v3 clients mocked: each
// client's `send` is a jest mock that receives command objects recording
// their name and input.

const mockCodeBuildSend = jest.fn();
const mockEcrSend = jest.fn();
const mockAmplifySend = jest.fn();
const mockSecretsSend = jest.fn();

/** A stand-in for an SDK command class: keeps its name and input. */
function mockCommand(name: string) {
  return class {
    public readonly name = name;
    constructor(public readonly input: unknown) {}
  };
}

jest.mock("@aws-sdk/client-codebuild", () => ({
  CodeBuildClient: jest.fn(() => ({ send: mockCodeBuildSend })),
  StartBuildCommand: mockCommand("StartBuild"),
  BatchGetBuildsCommand: mockCommand("BatchGetBuilds"),
  ListBuildsForProjectCommand: mockCommand("ListBuildsForProject"),
}));
jest.mock("@aws-sdk/client-ecr", () => ({
  ECRClient: jest.fn(() => ({ send: mockEcrSend })),
  DescribeImagesCommand: mockCommand("DescribeImages"),
}));
jest.mock("@aws-sdk/client-amplify", () => ({
  AmplifyClient: jest.fn(() => ({ send: mockAmplifySend })),
  StartJobCommand: mockCommand("StartJob"),
  ListJobsCommand: mockCommand("ListJobs"),
  GetAppCommand: mockCommand("GetApp"),
  UpdateAppCommand: mockCommand("UpdateApp"),
  GetJobCommand: mockCommand("GetJob"),
}));
const mockApiGatewaySend = jest.fn();
jest.mock("@aws-sdk/client-api-gateway", () => ({
  APIGatewayClient: jest.fn(() => ({ send: mockApiGatewaySend })),
  GetAccountCommand: mockCommand("GetAccount"),
}));
// The Lambda runtime provides this client; the project does not install it.
jest.mock(
  "@aws-sdk/client-secrets-manager",
  () => ({
    SecretsManagerClient: jest.fn(() => ({ send: mockSecretsSend })),
    GetSecretValueCommand: mockCommand("GetSecretValue"),
  }),
  { virtual: true },
);

import { NO_TOKEN_PLACEHOLDER } from "../../constructs/github-token-secret";

process.env.POLL_MS = "1";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler, NO_TOKEN } = require("../../constructs/deploy-actions/index.js") as {
  handler: (event: unknown, context: unknown) => Promise<any>;
  NO_TOKEN: string;
};

interface Command {
  readonly name: string;
  readonly input: any;
}

const BUILD_EVENT = { action: "build-image", projectName: "chat-backend", repositoryName: "chat-backend", imageTag: "v2", sourceVersion: "abc123" };
const DIGEST = "sha256:0123456789abcdef";
/** A Lambda context with plenty of time left. */
const context = (remainingMs = 600_000) => ({ getRemainingTimeInMillis: () => remainingMs });

const imageNotFound = () => Object.assign(new Error("not found"), { name: "ImageNotFoundException" });
const build = (id: string, status: string, imageTag = "v2") => ({
  id,
  buildStatus: status,
  environment: {
    environmentVariables: [
      { name: "REPOSITORY_URI", value: "x" },
      { name: "IMAGE_TAG", value: imageTag },
    ],
  },
  logs: { deepLink: `https://console.aws.amazon.com/codebuild/${id}` },
  resolvedSourceVersion: "abc123def",
});

/** Routes each command to the handler registered for its name. */
function respond(send: jest.Mock, handlers: Record<string, (input: any) => unknown>): void {
  send.mockImplementation(async (command: Command) => {
    const h = handlers[command.name];
    if (!h) throw new Error(`unexpected ${command.name}`);
    return h(command.input);
  });
}
const sent = (send: jest.Mock, name: string): any[] =>
  send.mock.calls
    .map(([c]: [Command]) => c)
    .filter((c) => c.name === name)
    .map((c) => c.input);

beforeEach(() => {
  mockCodeBuildSend.mockReset();
  mockEcrSend.mockReset();
  mockAmplifySend.mockReset();
  mockSecretsSend.mockReset();
  mockApiGatewaySend.mockReset();
});

describe("deploy-actions handler", () => {
  describe("build-image", () => {
    test("reuses an image already pushed with the tag, without a build", async () => {
      // GIVEN
      respond(mockEcrSend, { DescribeImages: () => ({ imageDetails: [{ imageDigest: DIGEST }] }) });
      // WHEN
      const result = await handler(BUILD_EVENT, context());
      // THEN
      expect(result).toEqual({ imageDigest: DIGEST, imageTag: "v2", reused: true });
      expect(sent(mockEcrSend, "DescribeImages")).toEqual([{ repositoryName: "chat-backend", imageIds: [{ imageTag: "v2" }] }]);
      expect(mockCodeBuildSend).not.toHaveBeenCalled();
    });

    test("starts a build with the tag, polls it until SUCCEEDED and returns the pushed digest", async () => {
      // GIVEN
      let described = 0;
      respond(mockEcrSend, {
        DescribeImages: () => {
          described += 1;
          if (described === 1) throw imageNotFound();
          return { imageDetails: [{ imageDigest: DIGEST }] };
        },
      });
      const statuses = ["IN_PROGRESS", "SUCCEEDED"];
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: build("chat-backend:1", "IN_PROGRESS") }),
        BatchGetBuilds: () => ({ builds: [build("chat-backend:1", statuses.shift()!)] }),
      });
      // WHEN
      const result = await handler(BUILD_EVENT, context());
      // THEN
      expect(result).toEqual({ imageDigest: DIGEST, imageTag: "v2", buildId: "chat-backend:1", resolvedSourceVersion: "abc123def" });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([
        { projectName: "chat-backend", sourceVersion: "abc123", environmentVariablesOverride: [{ name: "IMAGE_TAG", value: "v2", type: "PLAINTEXT" }] },
      ]);
      expect(sent(mockCodeBuildSend, "BatchGetBuilds")).toEqual([{ ids: ["chat-backend:1"] }, { ids: ["chat-backend:1"] }]);
      expect(sent(mockCodeBuildSend, "ListBuildsForProject")).toEqual([{ projectName: "chat-backend", sortOrder: "DESCENDING" }]);
    });

    test("waits for a build of the same tag that is already running instead of starting a second one", async () => {
      // GIVEN
      let described = 0;
      respond(mockEcrSend, {
        DescribeImages: () => {
          described += 1;
          if (described === 1) throw imageNotFound();
          return { imageDetails: [{ imageDigest: DIGEST }] };
        },
      });
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: ["chat-backend:9", "chat-backend:8", "chat-backend:7"] }),
        BatchGetBuilds: (input: { ids: string[] }) =>
          input.ids.length > 1
            ? { builds: [build("chat-backend:9", "IN_PROGRESS", "v3"), build("chat-backend:8", "IN_PROGRESS"), build("chat-backend:7", "SUCCEEDED")] }
            : { builds: [build("chat-backend:8", "SUCCEEDED")] },
      });
      // WHEN
      const result = await handler(BUILD_EVENT, context());
      // THEN
      expect(result).toMatchObject({ imageDigest: DIGEST, buildId: "chat-backend:8" });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([]);
      expect(sent(mockCodeBuildSend, "BatchGetBuilds")).toEqual([{ ids: ["chat-backend:9", "chat-backend:8", "chat-backend:7"] }, { ids: ["chat-backend:8"] }]);
    });

    test("fails naming the build and its logs when the build does not succeed", async () => {
      respond(mockEcrSend, {
        DescribeImages: () => {
          throw imageNotFound();
        },
      });
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: build("chat-backend:2", "IN_PROGRESS") }),
        BatchGetBuilds: () => ({ builds: [build("chat-backend:2", "FAILED")] }),
      });
      await expect(handler(BUILD_EVENT, context())).rejects.toThrow(
        "build chat-backend:2 of abc123 ended FAILED (logs: https://console.aws.amazon.com/codebuild/chat-backend:2)",
      );
    });

    test("fails clearly, without waiting, when the Lambda has not enough time left to poll", async () => {
      respond(mockEcrSend, {
        DescribeImages: () => {
          throw imageNotFound();
        },
      });
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: build("chat-backend:3", "IN_PROGRESS") }),
      });
      await expect(handler(BUILD_EVENT, context(10_000))).rejects.toThrow(
        "build chat-backend:3 of v2 is still running; run the apply again once it has finished (logs: https://console.aws.amazon.com/codebuild/chat-backend:3)",
      );
      expect(sent(mockCodeBuildSend, "BatchGetBuilds")).toEqual([]);
    });

    test("fails when the build succeeded but the image is not in ECR", async () => {
      respond(mockEcrSend, {
        DescribeImages: () => {
          throw imageNotFound();
        },
      });
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: build("chat-backend:4", "SUCCEEDED") }),
      });
      await expect(handler(BUILD_EVENT, context())).rejects.toThrow("build chat-backend:4 succeeded but chat-backend:v2 is not in ECR");
    });

    test("passes on ECR errors other than a missing image", async () => {
      respond(mockEcrSend, {
        DescribeImages: () => {
          throw Object.assign(new Error("no repository"), { name: "RepositoryNotFoundException" });
        },
      });
      await expect(handler(BUILD_EVENT, context())).rejects.toThrow("no repository");
      expect(mockCodeBuildSend).not.toHaveBeenCalled();
    });

    test("fails when a field of the event is missing", async () => {
      await expect(handler({ ...BUILD_EVENT, imageTag: "" }, context())).rejects.toThrow("build-image needs imageTag");
      await expect(handler({ ...BUILD_EVENT, projectName: undefined }, context())).rejects.toThrow("build-image needs projectName");
      expect(mockEcrSend).not.toHaveBeenCalled();
    });
  });

  describe("connect-repository", () => {
    const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chat-github-token-AbCdEf";
    const REPO = "https://github.com/Faaizz/simple_http_chatapp_frontend";
    const EVENT = { action: "connect-repository", appId: "d1abc", repository: REPO, tokenSecretArn: SECRET };
    const TOKEN = "ghp_" + "A".repeat(36);

    test("reads the token from the secret and connects the repository, returning nothing of the token", async () => {
      // GIVEN an app without a repository
      respond(mockAmplifySend, { GetApp: () => ({ app: { appId: "d1abc" } }), UpdateApp: () => ({ app: { appId: "d1abc", repository: REPO } }) });
      respond(mockSecretsSend, { GetSecretValue: () => ({ SecretString: `${TOKEN}\n` }) });
      // WHEN
      const result = await handler(EVENT, context());
      // THEN
      expect(result).toEqual({ appId: "d1abc", repository: REPO, connected: "now" });
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      expect(sent(mockSecretsSend, "GetSecretValue")).toEqual([{ SecretId: SECRET }]);
      expect(sent(mockAmplifySend, "UpdateApp")).toEqual([{ appId: "d1abc", repository: REPO, accessToken: TOKEN }]);
    });

    test("takes the token from CodeBuild's JSON form of the secret", async () => {
      respond(mockAmplifySend, { GetApp: () => ({ app: {} }), UpdateApp: () => ({}) });
      respond(mockSecretsSend, {
        GetSecretValue: () => ({ SecretString: JSON.stringify({ ServerType: "GITHUB", AuthType: "PERSONAL_ACCESS_TOKEN", Token: TOKEN }) }),
      });
      await handler(EVENT, context());
      expect(sent(mockAmplifySend, "UpdateApp")[0].accessToken).toBe(TOKEN);
    });

    test("does nothing when the app is connected to the repository already", async () => {
      respond(mockAmplifySend, { GetApp: () => ({ app: { repository: REPO } }) });
      await expect(handler(EVENT, context())).resolves.toEqual({ appId: "d1abc", repository: REPO, connected: "already" });
      expect(mockSecretsSend).not.toHaveBeenCalled();
    });

    test("knows the placeholder GitHubTokenSecret writes when no token was given", () => {
      expect(NO_TOKEN).toBe(NO_TOKEN_PLACEHOLDER);
    });

    test("fails when the secret holds the placeholder the stack writes without a token, saying how to give one", async () => {
      respond(mockAmplifySend, { GetApp: () => ({ app: {} }) });
      respond(mockSecretsSend, { GetSecretValue: () => ({ SecretString: "NO_TOKEN_GIVEN" }) });
      await expect(handler(EVENT, context())).rejects.toThrow(
        `secret ${SECRET} holds no GitHub token: apply again with TF_VAR_github_access_token set and github_access_token_version raised`,
      );
      expect(sent(mockAmplifySend, "UpdateApp")).toEqual([]);
    });

    test("fails when the secret is JSON without a Token key, without printing it", async () => {
      respond(mockAmplifySend, { GetApp: () => ({ app: {} }) });
      respond(mockSecretsSend, { GetSecretValue: () => ({ SecretString: JSON.stringify({ token: TOKEN }) }) });
      const error: Error = await handler(EVENT, context()).catch((e: Error) => e);
      expect(error.message).toMatch(/holds no GitHub token/);
      expect(error.message).not.toContain(TOKEN);
    });

    test("fails when a field of the event is missing", async () => {
      await expect(handler({ ...EVENT, tokenSecretArn: "" }, context())).rejects.toThrow("connect-repository needs tokenSecretArn");
      expect(mockAmplifySend).not.toHaveBeenCalled();
    });
  });

  describe("start-amplify-job", () => {
    const EVENT = { action: "start-amplify-job", appId: "d1abc", branchName: "main", reason: "new WebSocket URL" };

    test("starts a release job of the branch", async () => {
      respond(mockAmplifySend, { StartJob: () => ({ jobSummary: { jobId: "7", status: "PENDING" } }) });
      await expect(handler(EVENT, context())).resolves.toEqual({ jobId: "7", status: "PENDING" });
      expect(sent(mockAmplifySend, "StartJob")).toEqual([{ appId: "d1abc", branchName: "main", jobType: "RELEASE", jobReason: "new WebSocket URL" }]);
    });

    test("returns the job already running when Amplify refuses a second one", async () => {
      respond(mockAmplifySend, {
        StartJob: () => {
          throw Object.assign(new Error("a job is running"), { name: "LimitExceededException" });
        },
        ListJobs: () => ({
          jobSummaries: [
            { jobId: "6", status: "RUNNING" },
            { jobId: "5", status: "SUCCEED" },
          ],
        }),
      });
      await expect(handler(EVENT, context())).resolves.toEqual({ jobId: "6", status: "RUNNING" });
      expect(sent(mockAmplifySend, "ListJobs")).toEqual([{ appId: "d1abc", branchName: "main", maxResults: 5 }]);
    });

    test("fails with Amplify's error when no job is running after all", async () => {
      respond(mockAmplifySend, {
        StartJob: () => {
          throw Object.assign(new Error("limit exceeded"), { name: "LimitExceededException" });
        },
        ListJobs: () => ({ jobSummaries: [{ jobId: "5", status: "SUCCEED" }] }),
      });
      await expect(handler(EVENT, context())).rejects.toThrow("limit exceeded");
    });

    test("fails when the app id or branch is missing", async () => {
      await expect(handler({ action: "start-amplify-job", appId: "d1abc" }, context())).rejects.toThrow("start-amplify-job needs appId and branchName");
      expect(mockAmplifySend).not.toHaveBeenCalled();
    });
  });

  describe("deploy-frontend", () => {
    const EVENT = {
      action: "deploy-frontend",
      projectName: "chat-dev-frontend",
      appId: "d1abc",
      branchName: "main",
      sourceVersion: "v1.2.0",
      environment: { WEBSOCKET_URL: "wss://abc.execute-api.us-east-1.amazonaws.com/prod" },
      buildSpec: "0123abcd",
    };
    /** A frontend build; `key` is its DEPLOY_KEY, `jobId` what it exported. */
    const frontendBuild = (id: string, status: string, key?: string, jobId?: string) => ({
      id,
      buildStatus: status,
      environment: { environmentVariables: [{ name: "AMPLIFY_APP_ID", value: "d1abc" }, ...(key ? [{ name: "DEPLOY_KEY", value: key }] : [])] },
      exportedEnvironmentVariables: jobId ? [{ name: "AMPLIFY_JOB_ID", value: jobId }] : [],
      logs: { deepLink: `https://console.aws.amazon.com/codebuild/${id}` },
      resolvedSourceVersion: "9f8e7d6c",
    });
    /** The DEPLOY_KEY the handler gave the build it started. */
    const startedKey = () => sent(mockCodeBuildSend, "StartBuild")[0].environmentVariablesOverride[0].value as string;

    test("runs the build at the ref, then waits for the Amplify release the build started", async () => {
      // GIVEN a build that succeeds and a release that runs, then succeeds
      const builds = ["IN_PROGRESS", "SUCCEEDED"];
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: frontendBuild("chat-dev-frontend:1", "IN_PROGRESS") }),
        BatchGetBuilds: () => ({ builds: [frontendBuild("chat-dev-frontend:1", builds.shift()!, "k", "17")] }),
      });
      const jobs = ["PENDING", "RUNNING", "SUCCEED"];
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { jobId: "17", status: jobs.shift() } } }) });
      // WHEN
      const result = await handler(EVENT, context());
      // THEN
      expect(result).toEqual({
        appId: "d1abc",
        branchName: "main",
        jobId: "17",
        status: "SUCCEED",
        buildId: "chat-dev-frontend:1",
        resolvedSourceVersion: "9f8e7d6c",
      });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([
        {
          projectName: "chat-dev-frontend",
          sourceVersion: "v1.2.0",
          environmentVariablesOverride: [{ name: "DEPLOY_KEY", value: expect.stringMatching(/^[0-9a-f]{32}$/), type: "PLAINTEXT" }],
        },
      ]);
      expect(sent(mockAmplifySend, "GetJob")).toEqual([1, 2, 3].map(() => ({ appId: "d1abc", branchName: "main", jobId: "17" })));
    });

    test("gives another deployment (new WebSocket URL, new ref) another key, and the same input the same key", async () => {
      const keys: string[] = [];
      for (const event of [EVENT, EVENT, { ...EVENT, environment: { WEBSOCKET_URL: "wss://other/prod" } }, { ...EVENT, sourceVersion: "v1.3.0" }]) {
        mockCodeBuildSend.mockReset();
        respond(mockCodeBuildSend, {
          ListBuildsForProject: () => ({ ids: [] }),
          StartBuild: () => ({ build: frontendBuild("b:1", "SUCCEEDED", undefined, "1") }),
        });
        respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: "SUCCEED" } } }) });
        await handler(event, context());
        keys.push(startedKey());
      }
      expect(keys[0]).toBe(keys[1]);
      expect(new Set(keys).size).toBe(3);
    });

    test("joins a build of the same deployment still running (an earlier apply timed out) instead of starting another", async () => {
      // GIVEN the key of this deployment, learnt from a first run
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: frontendBuild("b:1", "SUCCEEDED", undefined, "1") }),
      });
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: "SUCCEED" } } }) });
      await handler(EVENT, context());
      const key = startedKey();
      mockCodeBuildSend.mockReset();
      // AND builds of another deployment and of this one, running
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: ["b:9", "b:8"] }),
        BatchGetBuilds: (input: { ids: string[] }) =>
          input.ids.length > 1
            ? { builds: [frontendBuild("b:9", "IN_PROGRESS", "other"), frontendBuild("b:8", "IN_PROGRESS", key)] }
            : { builds: [frontendBuild("b:8", "SUCCEEDED", key, "5")] },
      });
      // WHEN
      const result = await handler(EVENT, context());
      // THEN
      expect(result).toMatchObject({ buildId: "b:8", jobId: "5" });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([]);
    });

    test("fails naming the build and its logs when the build does not succeed, before asking Amplify", async () => {
      respond(mockCodeBuildSend, { ListBuildsForProject: () => ({ ids: [] }), StartBuild: () => ({ build: frontendBuild("b:2", "FAILED") }) });
      await expect(handler(EVENT, context())).rejects.toThrow(
        "build b:2 of the frontend at v1.2.0 ended FAILED (logs: https://console.aws.amazon.com/codebuild/b:2)",
      );
      expect(mockAmplifySend).not.toHaveBeenCalled();
    });

    test("fails when the build exported no Amplify job", async () => {
      respond(mockCodeBuildSend, { ListBuildsForProject: () => ({ ids: [] }), StartBuild: () => ({ build: frontendBuild("b:3", "SUCCEEDED") }) });
      await expect(handler(EVENT, context())).rejects.toThrow("build b:3 succeeded but exported no AMPLIFY_JOB_ID");
    });

    test("fails when Amplify's release fails", async () => {
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: frontendBuild("b:4", "SUCCEEDED", undefined, "21") }),
      });
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: "FAILED" } } }) });
      await expect(handler(EVENT, context())).rejects.toThrow(
        "Amplify release 21 of the frontend at v1.2.0 ended FAILED (Amplify console, app d1abc, branch main, job 21)",
      );
    });

    test("fails clearly, without waiting, when the Lambda has not enough time left", async () => {
      respond(mockCodeBuildSend, { ListBuildsForProject: () => ({ ids: [] }), StartBuild: () => ({ build: frontendBuild("b:5", "IN_PROGRESS") }) });
      await expect(handler(EVENT, context(10_000))).rejects.toThrow(
        "build b:5 of the frontend at v1.2.0 is still running; run the apply again once it has finished",
      );
      mockCodeBuildSend.mockReset();
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => ({ build: frontendBuild("b:6", "SUCCEEDED", undefined, "22") }),
      });
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: "RUNNING" } } }) });
      await expect(handler(EVENT, context(10_000))).rejects.toThrow("Amplify release 22 of the frontend is still RUNNING");
    });

    test("fails when a field of the event is missing", async () => {
      await expect(handler({ ...EVENT, sourceVersion: "" }, context())).rejects.toThrow("deploy-frontend needs sourceVersion");
      await expect(handler({ ...EVENT, appId: undefined }, context())).rejects.toThrow("deploy-frontend needs appId");
      expect(mockCodeBuildSend).not.toHaveBeenCalled();
    });
  });

  describe("check-api-gateway-account", () => {
    const ROLE = "arn:aws:iam::123456789012:role/chat-dev-apigw-cloudwatch";
    const OTHER = "arn:aws:iam::123456789012:role/platform-apigw-logs";
    const EVENT = {
      action: "check-api-gateway-account",
      roleArn: ROLE,
      manageSetting: "chat.apiGatewayAccount.manage",
      replaceSetting: "chat.apiGatewayAccount.replaceExisting",
    };
    const account = (cloudwatchRoleArn?: string) =>
      respond(mockApiGatewaySend, { GetAccount: () => ({ cloudwatchRoleArn, throttleSettings: { burstLimit: 5000 } }) });

    test("passes when the region has no CloudWatch role yet", async () => {
      account(undefined);
      await expect(handler(EVENT, context())).resolves.toEqual({ previousRoleArn: null, outcome: "set" });
      expect(sent(mockApiGatewaySend, "GetAccount")).toEqual([{}]);
    });

    test("passes when the region uses this stack's role already", async () => {
      account(ROLE);
      await expect(handler(EVENT, context())).resolves.toEqual({ previousRoleArn: ROLE, outcome: "unchanged" });
    });

    test("fails when the region uses another role, naming it and both settings", async () => {
      account(OTHER);
      process.env.AWS_REGION = "eu-west-1";
      try {
        await expect(handler(EVENT, context())).rejects.toThrow(
          `the API Gateway account of eu-west-1 already uses the CloudWatch role ${OTHER} for the logs of every API there: set chat.apiGatewayAccount.manage to false to keep it (this stack's logs go through it), or chat.apiGatewayAccount.replaceExisting to true to replace it (destroying the stack then resets the setting; it does not restore ${OTHER})`,
        );
      } finally {
        delete process.env.AWS_REGION;
      }
    });

    test("replaces another role only when told to, keeping its ARN in the result", async () => {
      account(OTHER);
      await expect(handler({ ...EVENT, replaceExisting: true }, context())).resolves.toEqual({ previousRoleArn: OTHER, outcome: "replaced" });
      await expect(handler({ ...EVENT, replaceExisting: "true" }, context())).rejects.toThrow(/already uses the CloudWatch role/);
    });

    test("fails when a field of the event is missing", async () => {
      await expect(handler({ ...EVENT, roleArn: "" }, context())).rejects.toThrow("check-api-gateway-account needs roleArn");
      expect(mockApiGatewaySend).not.toHaveBeenCalled();
    });
  });

  test("fails on an unknown action", async () => {
    await expect(handler({ action: "deploy" }, context())).rejects.toThrow(
      'action must be "build-image", "connect-repository", "start-amplify-job", "deploy-frontend" or "check-api-gateway-account", got "deploy"',
    );
  });
});
