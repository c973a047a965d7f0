// The deploy-actions Lambda handler, with the AWS SDK v3 clients mocked: each
// client's `send` is a jest mock that receives command objects recording
// their name and input.

const mockCodeBuildSend = jest.fn();
const mockEcrSend = jest.fn();
const mockAmplifySend = jest.fn();

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
}));

process.env.POLL_MS = "1";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require("../../constructs/deploy-actions/index.js") as { handler: (event: unknown, context: unknown) => Promise<any> };

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
  environment: { environmentVariables: [{ name: "REPOSITORY_URI", value: "x" }, { name: "IMAGE_TAG", value: imageTag }] },
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
const sent = (send: jest.Mock, name: string): any[] => send.mock.calls.map(([c]: [Command]) => c).filter((c) => c.name === name).map((c) => c.input);

beforeEach(() => {
  mockCodeBuildSend.mockReset();
  mockEcrSend.mockReset();
  mockAmplifySend.mockReset();
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
        ListJobs: () => ({ jobSummaries: [{ jobId: "6", status: "RUNNING" }, { jobId: "5", status: "SUCCEED" }] }),
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

  test("fails on an unknown action", async () => {
    await expect(handler({ action: "deploy" }, context())).rejects.toThrow('action must be "build-image" or "start-amplify-job", got "deploy"');
  });
});
