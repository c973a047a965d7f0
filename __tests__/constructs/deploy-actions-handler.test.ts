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
  UpdateAccountCommand: mockCommand("UpdateAccount"),
}));
const mockIamSend = jest.fn();
jest.mock("@aws-sdk/client-iam", () => ({
  IAMClient: jest.fn(() => ({ send: mockIamSend })),
  CreateRoleCommand: mockCommand("CreateRole"),
  GetRoleCommand: mockCommand("GetRole"),
  DeleteRoleCommand: mockCommand("DeleteRole"),
  TagRoleCommand: mockCommand("TagRole"),
  UntagRoleCommand: mockCommand("UntagRole"),
  ListRoleTagsCommand: mockCommand("ListRoleTags"),
  ListRolesCommand: mockCommand("ListRoles"),
  AttachRolePolicyCommand: mockCommand("AttachRolePolicy"),
  DetachRolePolicyCommand: mockCommand("DetachRolePolicy"),
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
process.env.BACKOFF_MS = "1";
process.env.BACKOFF_MAX_MS = "4";
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
  mockIamSend.mockReset();
});

describe("deploy-actions handler", () => {
  describe("build-image", () => {
    test("reuses an image already pushed with the tag, without a build", async () => {
      // GIVEN
      respond(mockEcrSend, { DescribeImages: () => ({ imageDetails: [{ imageDigest: DIGEST }] }) });
      // WHEN
      const result = await handler(BUILD_EVENT, context());
      // THEN
      expect(result).toEqual({ state: "done", imageDigest: DIGEST, imageTag: "v2", reused: true });
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
      expect(result).toEqual({ state: "done", imageDigest: DIGEST, imageTag: "v2", buildId: "chat-backend:1", resolvedSourceVersion: "abc123def" });
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

    test("fails clearly, without waiting, when the last step has not enough time left to poll", async () => {
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
        "build chat-backend:3 of the image chat-backend:v2 is still running and the deploy-actions function's time ran out: run the deploy again, it goes on waiting for this build (logs: https://console.aws.amazon.com/codebuild/chat-backend:3)",
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
        state: "done",
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
        "build b:5 of the frontend at v1.2.0 is still running and the deploy-actions function's time ran out: run the deploy again, it goes on waiting for this build",
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

  describe("builds that outlast one invocation, and the account's build quota", () => {
    const QUOTA = { code: "L-9D07B6EF", name: "Concurrently running builds for Linux/Small environment" };
    const STEP = (step: number, previous?: unknown) => ({ ...BUILD_EVENT, quota: QUOTA, step, steps: 4, ...(previous ? { previous } : {}) });
    const limit = (n: number) =>
      Object.assign(new Error(`Cannot have more than ${n} builds in queue for the account`), { name: "AccountLimitExceededException" });
    const noImage = () =>
      respond(mockEcrSend, {
        DescribeImages: () => {
          throw imageNotFound();
        },
      });

    test("a step that runs out of time hands the running build on instead of failing", async () => {
      noImage();
      respond(mockCodeBuildSend, { ListBuildsForProject: () => ({ ids: [] }), StartBuild: () => ({ build: build("chat-backend:5", "IN_PROGRESS") }) });
      await expect(handler(STEP(1), context(10_000))).resolves.toEqual({ state: "running", imageTag: "v2", buildId: "chat-backend:5" });
    });

    test("the next step follows the build it was handed and returns the digest once it has succeeded", async () => {
      // GIVEN a build that runs on, then succeeds
      let described = 0;
      respond(mockEcrSend, {
        DescribeImages: () => {
          described += 1;
          if (described === 1) throw imageNotFound();
          return { imageDetails: [{ imageDigest: DIGEST }] };
        },
      });
      const statuses = ["IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"];
      respond(mockCodeBuildSend, { BatchGetBuilds: () => ({ builds: [build("chat-backend:5", statuses.shift()!)] }) });
      // WHEN
      const result = await handler(STEP(2, { state: "running", imageTag: "v2", buildId: "chat-backend:5" }), context());
      // THEN no second build, the same build's digest
      expect(result).toMatchObject({ state: "done", imageDigest: DIGEST, buildId: "chat-backend:5" });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([]);
      expect(sent(mockCodeBuildSend, "ListBuildsForProject")).toEqual([]);
    });

    test("a step handed a build that succeeded between the two steps reads its image, starting nothing", async () => {
      // GIVEN the image not yet seen in ECR when the step begins (it ends meanwhile), then there
      let described = 0;
      respond(mockEcrSend, {
        DescribeImages: () => {
          described += 1;
          if (described === 1) throw imageNotFound();
          return { imageDetails: [{ imageDigest: DIGEST }] };
        },
      });
      respond(mockCodeBuildSend, { BatchGetBuilds: () => ({ builds: [build("chat-backend:5", "SUCCEEDED")] }) });
      // WHEN / THEN
      await expect(handler(STEP(3, { state: "running", buildId: "chat-backend:5" }), context())).resolves.toMatchObject({
        state: "done",
        imageDigest: DIGEST,
        buildId: "chat-backend:5",
      });
      expect(sent(mockCodeBuildSend, "StartBuild")).toEqual([]);
      expect(sent(mockCodeBuildSend, "ListBuildsForProject")).toEqual([]);
    });

    test("a step after one that finished returns its result at once, calling nothing", async () => {
      const done = { state: "done", imageDigest: DIGEST, imageTag: "v2", buildId: "chat-backend:5" };
      await expect(handler(STEP(3, done), context())).resolves.toEqual(done);
      expect(mockEcrSend).not.toHaveBeenCalled();
      expect(mockCodeBuildSend).not.toHaveBeenCalled();
    });

    test("a step handed a build that had failed before it began (the deploy runs again) starts the build again", async () => {
      noImage();
      respond(mockCodeBuildSend, {
        BatchGetBuilds: (input: { ids: string[] }) => ({ builds: [build(input.ids[0], input.ids[0] === "chat-backend:5" ? "FAILED" : "IN_PROGRESS")] }),
        ListBuildsForProject: () => ({ ids: ["chat-backend:5"] }),
        StartBuild: () => ({ build: build("chat-backend:6", "IN_PROGRESS") }),
      });
      await expect(handler(STEP(4, { state: "running", buildId: "chat-backend:5" }), context(10_000))).rejects.toThrow(
        "build chat-backend:6 of the image chat-backend:v2 is still running and the deploy waited for it through 4 invocations of the deploy-actions function: run the deploy again",
      );
      expect(sent(mockCodeBuildSend, "StartBuild")).toHaveLength(1);
    });

    test("a build that fails while a step watches it fails the step, naming the build", async () => {
      noImage();
      const statuses = ["IN_PROGRESS", "FAILED"];
      respond(mockCodeBuildSend, { BatchGetBuilds: () => ({ builds: [build("chat-backend:5", statuses.shift() ?? "FAILED")] }) });
      await expect(handler(STEP(2, { state: "running", buildId: "chat-backend:5" }), context())).rejects.toThrow(
        "build chat-backend:5 of abc123 ended FAILED (logs: https://console.aws.amazon.com/codebuild/chat-backend:5); run the deploy again to build it again",
      );
    });

    test("tries StartBuild again with a growing wait while the account's builds fill its quota", async () => {
      noImage();
      let refusals = 3;
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => {
          if (refusals-- > 0) throw limit(1);
          return { build: build("chat-backend:7", "SUCCEEDED") };
        },
      });
      respond(mockEcrSend, {
        DescribeImages: (() => {
          let n = 0;
          return () => {
            if (n++ === 0) throw imageNotFound();
            return { imageDetails: [{ imageDigest: DIGEST }] };
          };
        })(),
      });
      const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
      try {
        await expect(handler(STEP(1), context())).resolves.toMatchObject({ state: "done", buildId: "chat-backend:7" });
        expect(log.mock.calls.map((c) => String(c[0]).replace(/\d+ ms/, "N ms"))).toEqual(
          Array(3).fill("StartBuild of the image chat-backend:v2 refused (Cannot have more than 1 builds in queue for the account); trying again in N ms"),
        );
        // 1, 2, 4 ms: doubled up to BACKOFF_MAX_MS.
        expect(log.mock.calls.map((c) => Number(/(\d+) ms/.exec(String(c[0]))![1]))).toEqual([1, 2, 4]);
      } finally {
        log.mockRestore();
      }
      expect(sent(mockCodeBuildSend, "StartBuild")).toHaveLength(4);
    });

    test("a step whose time runs out while StartBuild is refused hands the start on (state waiting)", async () => {
      noImage();
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => {
          throw limit(1);
        },
      });
      let left = 40_000;
      const ctx = { getRemainingTimeInMillis: () => (left -= 5_000) };
      await expect(handler(STEP(1), ctx)).resolves.toEqual({
        state: "waiting",
        imageTag: "v2",
        refused: "Cannot have more than 1 builds in queue for the account",
      });
    });

    test("the last step refused until its time runs out fails naming the quota", async () => {
      noImage();
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => {
          throw limit(1);
        },
      });
      await expect(handler(STEP(4, { state: "waiting" }), context(30_000))).rejects.toThrow(
        `other builds of the account hold its quota "${QUOTA.name}" (Service Quotas code L-9D07B6EF). Run the deploy again once they have ended (it continues from here), or raise the quota.`,
      );
    });

    test("fails at once when the quota is 0, naming it, how to raise it and that the deploy continues when run again", async () => {
      noImage();
      respond(mockCodeBuildSend, {
        ListBuildsForProject: () => ({ ids: [] }),
        StartBuild: () => {
          throw limit(0);
        },
      });
      process.env.AWS_REGION = "eu-west-1";
      try {
        const error: Error = await handler(STEP(1), context()).catch((e: Error) => e);
        expect(error.message).toBe(
          'CodeBuild refuses to start the build of the image chat-backend:v2: "Cannot have more than 0 builds in queue for the account". ' +
            `The account's quota "${QUOTA.name}" (Service Quotas code L-9D07B6EF) is 0 in eu-west-1. ` +
            `Request at least 1: Service Quotas console > AWS services > AWS CodeBuild > "${QUOTA.name}" > Request increase at account level, or ` +
            "aws service-quotas request-service-quota-increase --service-code codebuild --quota-code L-9D07B6EF --desired-value 2 --region eu-west-1. " +
            "New accounts can be held at 0 while Service Quotas shows more: then open an AWS Support case (Account and billing) to lift it. " +
            "Once it is raised, run the deploy again: it continues from here (what this deploy created stays) and starts the build.",
        );
      } finally {
        delete process.env.AWS_REGION;
      }
      expect(sent(mockCodeBuildSend, "StartBuild")).toHaveLength(1);
    });

    test("the frontend's steps hand on a release Amplify is still running, and the next one waits for it", async () => {
      const EVENT = { action: "deploy-frontend", projectName: "chat-dev-frontend", appId: "d1abc", branchName: "main", sourceVersion: "v1", steps: 4 };
      const frontendBuild = (status: string) => ({ id: "f:1", buildStatus: status, exportedEnvironmentVariables: [{ name: "AMPLIFY_JOB_ID", value: "9" }] });
      respond(mockCodeBuildSend, { ListBuildsForProject: () => ({ ids: [] }), StartBuild: () => ({ build: frontendBuild("SUCCEEDED") }) });
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: "RUNNING" } } }) });
      const handed = await handler({ ...EVENT, step: 1 }, context(10_000));
      expect(handed).toEqual({ state: "running", appId: "d1abc", branchName: "main", buildId: "f:1", jobId: "9" });
      mockCodeBuildSend.mockReset();
      const jobs = ["RUNNING", "SUCCEED"];
      respond(mockAmplifySend, { GetJob: () => ({ job: { summary: { status: jobs.shift() ?? "SUCCEED" } } }) });
      await expect(handler({ ...EVENT, step: 2, previous: handed }, context())).resolves.toMatchObject({ state: "done", jobId: "9", buildId: "f:1" });
      expect(mockCodeBuildSend).not.toHaveBeenCalled();
    });
  });

  describe("api-gateway-account", () => {
    const ACCOUNT = "123456789012";
    const POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";
    const sharedArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/websocket-gateway/${name}`;
    const EVENT = {
      action: "api-gateway-account",
      roleName: "apigateway-cloudwatch-logs",
      rolePath: "/websocket-gateway/",
      policyArn: POLICY,
      user: "chat chat-dev abc123",
      replaceExisting: false,
      keepHint: "set chat.apiGatewayAccount.manage to false",
      replaceHint: "set chat.apiGatewayAccount.replaceExisting to true",
      previousRoleNames: ["chat-dev-apigw-cloudwatch"],
      previousRoleDescription: "Lets API Gateway write access and execution logs to CloudWatch Logs (account-level setting)",
    };
    const as = (action: string, over: Record<string, unknown> = {}, prev?: Record<string, unknown>) => ({
      ...EVENT,
      ...over,
      tf: { action, prev_input: prev ?? null },
    });

    interface Role {
      Path: string;
      Arn: string;
      Description: string;
      tags: Map<string, string>;
      policies: Set<string>;
    }
    /** IAM and API Gateway as far as the action uses them, in memory. */
    let roles: Map<string, Role>;
    let setting: string | null;
    const noSuchEntity = () => Object.assign(new Error("no such role"), { name: "NoSuchEntityException" });
    beforeEach(() => {
      roles = new Map();
      setting = null;
      const role = (name: string) => {
        const r = roles.get(name);
        if (!r) throw noSuchEntity();
        return r;
      };
      respond(mockIamSend, {
        CreateRole: (i) => {
          if (roles.has(i.RoleName)) throw Object.assign(new Error("exists"), { name: "EntityAlreadyExistsException" });
          const r = {
            Path: i.Path,
            Arn: `arn:aws:iam::${ACCOUNT}:role${i.Path}${i.RoleName}`,
            Description: i.Description,
            tags: new Map(),
            policies: new Set<string>(),
          };
          for (const t of i.Tags ?? []) r.tags.set(t.Key, t.Value);
          roles.set(i.RoleName, r);
          return { Role: { RoleName: i.RoleName, Path: r.Path, Arn: r.Arn } };
        },
        GetRole: (i) => ({ Role: { RoleName: i.RoleName, ...role(i.RoleName) } }),
        TagRole: (i) => i.Tags.forEach((t: any) => role(i.RoleName).tags.set(t.Key, t.Value)),
        UntagRole: (i) => i.TagKeys.forEach((k: string) => role(i.RoleName).tags.delete(k)),
        ListRoleTags: (i) => ({ Tags: [...role(i.RoleName).tags].map(([Key, Value]) => ({ Key, Value })) }),
        ListRoles: (i) => ({
          Roles: [...roles].filter(([, r]) => r.Path.startsWith(i.PathPrefix)).map(([RoleName, r]) => ({ RoleName, Path: r.Path, Arn: r.Arn })),
        }),
        AttachRolePolicy: (i) => role(i.RoleName).policies.add(i.PolicyArn),
        DetachRolePolicy: (i) => role(i.RoleName).policies.delete(i.PolicyArn),
        DeleteRole: (i) => {
          if (role(i.RoleName).policies.size) throw Object.assign(new Error("attached"), { name: "DeleteConflictException" });
          roles.delete(i.RoleName);
        },
      });
      respond(mockApiGatewaySend, {
        GetAccount: () => ({ cloudwatchRoleArn: setting ?? undefined }),
        UpdateAccount: (i) => {
          setting = i.patchOperations[0].value || null;
        },
      });
    });
    const users = (name: string) => [...(roles.get(name)?.tags.keys() ?? [])].filter((k) => k.startsWith("websocket-gateway:user:"));

    test("a region without a role: creates the shared role under the path, attaches the managed policy, sets it and tags the stack on it", async () => {
      process.env.AWS_REGION = "eu-west-1";
      try {
        const result = await handler(as("create"), context());
        expect(result).toEqual({ roleArn: sharedArn("apigateway-cloudwatch-logs"), outcome: "set", usersInRegion: 1 });
        const role = roles.get("apigateway-cloudwatch-logs")!;
        expect(role.policies).toEqual(new Set([POLICY]));
        expect([...role.tags]).toEqual([[expect.stringMatching(/^websocket-gateway:user:eu-west-1:[0-9a-f]{16}$/), "chat chat-dev abc123"]]);
        expect(setting).toBe(sharedArn("apigateway-cloudwatch-logs"));
      } finally {
        delete process.env.AWS_REGION;
      }
    });

    test("two stacks share the region's role: destroying one leaves the setting and the role; the last one resets it and deletes the role", async () => {
      // GIVEN a dev and a prod stack in one region
      await handler(as("create"), context());
      await expect(handler(as("create", { user: "chat chat-prod def456" }), context())).resolves.toMatchObject({ outcome: "joined", usersInRegion: 2 });
      // WHEN dev is destroyed
      await expect(handler(as("delete"), context())).resolves.toEqual({ outcome: "left", roles: { "apigateway-cloudwatch-logs": "in use" } });
      // THEN prod still logs through the role
      expect(setting).toBe(sharedArn("apigateway-cloudwatch-logs"));
      expect(users("apigateway-cloudwatch-logs")).toHaveLength(1);
      // AND the last stack out resets the setting and removes the role
      await expect(handler(as("delete", { user: "chat chat-prod def456" }), context())).resolves.toEqual({
        outcome: "reset",
        roles: { "apigateway-cloudwatch-logs": "deleted" },
      });
      expect(setting).toBeNull();
      expect(roles.size).toBe(0);
    });

    test("a stack whose role has another name joins the role the region already uses", async () => {
      await handler(as("create"), context());
      await expect(handler(as("create", { user: "module game xyz", roleName: "game-logs" }), context())).resolves.toMatchObject({
        roleArn: sharedArn("apigateway-cloudwatch-logs"),
        outcome: "joined",
      });
      expect(roles.has("game-logs")).toBe(false);
    });

    test("a renamed role (the stack's own, set before) moves the region to the new role and deletes the old one", async () => {
      // GIVEN the stack applied with the default name, and another stack of the region on the same role
      await handler(as("create"), context());
      await handler(as("create", { user: "chat chat-prod def456" }), context());
      // WHEN the stack's roleName changes (an update: the provider passes the previous input)
      const result = await handler(as("update", { roleName: "chat-apigw-logs" }, EVENT), context());
      // THEN
      expect(result).toMatchObject({ roleArn: sharedArn("chat-apigw-logs"), outcome: "renamed", previousRole: "deleted", usersInRegion: 2 });
      expect(setting).toBe(sharedArn("chat-apigw-logs"));
      expect(roles.has("apigateway-cloudwatch-logs")).toBe(false);
      expect(roles.get("chat-apigw-logs")!.policies).toEqual(new Set([POLICY]));
    });

    test("still refuses a role of someone else, naming it and both settings", async () => {
      setting = `arn:aws:iam::${ACCOUNT}:role/platform-apigw-logs`;
      process.env.AWS_REGION = "eu-west-1";
      try {
        await expect(handler(as("update", { roleName: "chat-apigw-logs" }, EVENT), context())).rejects.toThrow(
          `the API Gateway account of eu-west-1 already uses the CloudWatch role ${setting} for the logs of every API there, a role these stacks did not create: set chat.apiGatewayAccount.manage to false to keep it (this stack's logs go through it), or set chat.apiGatewayAccount.replaceExisting to true to replace it (destroying the last stack that uses the new role then resets the setting; it does not restore ${setting})`,
        );
      } finally {
        delete process.env.AWS_REGION;
      }
      expect(roles.size).toBe(0);
    });

    test("replaces someone else's role only when told to", async () => {
      const other = `arn:aws:iam::${ACCOUNT}:role/platform-apigw-logs`;
      setting = other;
      await expect(handler(as("create", { replaceExisting: true }), context())).resolves.toMatchObject({ outcome: "replaced", previousRoleArn: other });
      expect(setting).toBe(sharedArn("apigateway-cloudwatch-logs"));
    });

    test("takes over from the stack's own role of release 2.0.0 (name and description) and deletes it", async () => {
      const legacy = `arn:aws:iam::${ACCOUNT}:role/chat-dev-apigw-cloudwatch`;
      roles.set("chat-dev-apigw-cloudwatch", {
        Path: "/",
        Arn: legacy,
        Description: EVENT.previousRoleDescription,
        tags: new Map(),
        policies: new Set([POLICY]),
      });
      setting = legacy;
      await expect(handler(as("create"), context())).resolves.toMatchObject({
        outcome: "replaced",
        previousRoleArn: legacy,
        removedRoles: ["chat-dev-apigw-cloudwatch"],
      });
      expect(setting).toBe(sharedArn("apigateway-cloudwatch-logs"));
      expect(roles.has("chat-dev-apigw-cloudwatch")).toBe(false);
    });

    test("a role with the earlier name but another description is not the stack's: refused", async () => {
      const lookalike = `arn:aws:iam::${ACCOUNT}:role/chat-dev-apigw-cloudwatch`;
      roles.set("chat-dev-apigw-cloudwatch", { Path: "/", Arn: lookalike, Description: "someone's", tags: new Map(), policies: new Set() });
      setting = lookalike;
      await expect(handler(as("create"), context())).rejects.toThrow(/a role these stacks did not create/);
      expect(roles.has("chat-dev-apigw-cloudwatch")).toBe(true);
    });

    test("refuses a role of that name outside the shared path", async () => {
      roles.set("apigateway-cloudwatch-logs", {
        Path: "/",
        Arn: `arn:aws:iam::${ACCOUNT}:role/apigateway-cloudwatch-logs`,
        Description: "x",
        tags: new Map(),
        policies: new Set(),
      });
      await expect(handler(as("create"), context())).rejects.toThrow(
        `the IAM role apigateway-cloudwatch-logs exists outside /websocket-gateway/ (arn:aws:iam::${ACCOUNT}:role/apigateway-cloudwatch-logs): it is not one of the roles these stacks share`,
      );
    });

    test("takes the stack's stale tag off another shared role (an apply that stopped half-way) and deletes that role when nothing uses it", async () => {
      // GIVEN the stack tagged on a role the region no longer names
      await handler(as("create", { roleName: "old-logs" }), context());
      setting = null;
      // WHEN the stack's function runs again with another name
      await handler(as("create"), context());
      // THEN only the region's role is left, with the stack's one tag
      expect([...roles.keys()]).toEqual(["apigateway-cloudwatch-logs"]);
      expect(users("apigateway-cloudwatch-logs")).toHaveLength(1);
    });

    test("an update with another user (another environment) moves the stack's tag", async () => {
      await handler(as("create"), context());
      await handler(as("update", { user: "chat chat-staging abc123" }, EVENT), context());
      expect([...roles.get("apigateway-cloudwatch-logs")!.tags.values()]).toEqual(["chat chat-staging abc123"]);
    });

    test("tries the setting again while API Gateway cannot use the new role yet (IAM propagation)", async () => {
      let refusals = 2;
      respond(mockApiGatewaySend, {
        GetAccount: () => ({ cloudwatchRoleArn: setting ?? undefined }),
        UpdateAccount: (i) => {
          if (refusals-- > 0)
            throw Object.assign(new Error("The role ARN does not have required permissions set to API Gateway"), { name: "BadRequestException" });
          setting = i.patchOperations[0].value;
        },
      });
      await expect(handler(as("create"), context())).resolves.toMatchObject({ outcome: "set" });
      expect(sent(mockApiGatewaySend, "UpdateAccount")).toHaveLength(3);
    });

    test("fails when a field of the event is missing", async () => {
      await expect(handler({ ...EVENT, user: "" }, context())).rejects.toThrow("api-gateway-account needs user");
      expect(mockApiGatewaySend).not.toHaveBeenCalled();
    });
  });

  test("fails on an unknown action", async () => {
    await expect(handler({ action: "deploy" }, context())).rejects.toThrow(
      'action must be "build-image", "deploy-frontend", "connect-repository", "start-amplify-job" or "api-gateway-account", got "deploy"',
    );
    await expect(handler({ action: "toString" }, context())).rejects.toThrow(/^action must be/);
  });
});
