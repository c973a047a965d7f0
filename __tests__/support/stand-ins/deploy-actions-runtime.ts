// A stand-in for what moto does not do: run Lambda functions, and run CodeBuild
// builds within an account's concurrent-build quota. It sits in front of moto
// on 127.0.0.1 and answers
//
//   Lambda Invoke       by running the function's handler (the zip Terraform
//                       uploaded with CreateFunction/UpdateFunctionCode) in a
//                       child Node process with the function's timeout, its
//                       AWS endpoint pointed back at this stand-in;
//   CodeBuild           StartBuild (AccountLimitExceededException once `quota`
//                       builds run, as a new account answers), BatchGetBuilds
//                       and ListBuildsForProject, builds lasting what the test
//                       says; a build that succeeds does what the project's
//                       build spec would: an image build puts an image into
//                       moto's ECR (so the handler finds its digest), a
//                       frontend build exports an Amplify job id;
//   Amplify GetJob      for those jobs (moto has no Amplify);
//
// and passes every other request to moto unchanged. Time is scaled: with
// `timeScale` 0.01 a 900 s function runs 9 s and a 45-minute build 27 s, so
// the chained invocations that wait for long builds run in seconds. The
// handler's own timing (POLL_MS, BACKOFF_MS) is scaled alike; its reserve
// (SAFETY_MS) is not below one real second: it covers the last call to the
// emulator and the return, which take real time (a 30 s reserve scaled to
// 0.3 s let a function time out while a loaded machine answered one call).
import { spawn, spawnSync } from "child_process";
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../../scripts/emulator";

/** The least real time a stand-in function keeps back to make its last call and return (the header says why). */
export const SAFETY_FLOOR_MS = 1000;

/** What a test sets about the builds and the clock. */
export interface StandInOptions {
  /** moto's endpoint, `http://127.0.0.1:<port>`. */
  readonly emulatorEndpoint: string;
  /** Real milliseconds per simulated millisecond. @default 0.01 */
  readonly timeScale?: number;
  /** The account's concurrent-build quota. @default 60 */
  readonly quota?: number;
  /** Simulated minutes the builds of a project take (queue excluded), by project name; others take 3. */
  readonly buildMinutes?: Record<string, number>;
  /** How the builds of a project end, by project name; others succeed. */
  readonly buildOutcome?: Record<string, "SUCCEEDED" | "FAILED">;
  /** File the functions' output is appended to. @default - discarded */
  readonly log?: string;
}

/** One Lambda invocation, as the stand-in saw it. */
export interface Invocation {
  readonly functionName: string;
  readonly event: any;
  readonly outcome: "result" | "error" | "timeout";
  readonly body: any;
  /** Simulated seconds it ran. */
  readonly seconds: number;
}

/** One StartBuild call: refused, or the build started. */
export interface StartBuildCall {
  readonly projectName: string;
  readonly refused?: string;
  readonly buildId?: string;
  /** Simulated seconds since the stand-in started. */
  readonly at: number;
}

interface Build {
  readonly id: string;
  readonly arn: string;
  readonly projectName: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly outcome: "SUCCEEDED" | "FAILED";
  readonly env: { name: string; value: string; type?: string }[];
  readonly sourceVersion?: string;
  exported: { name: string; value: string }[];
  settled: boolean;
}

/** What a test sees of the stand-in, which runs in a process of its own. */
export interface DeployActionsRuntime {
  /** `http://127.0.0.1:<port>`: the endpoint of the target setting `lambdaStandInEndpoint`. */
  readonly endpoint: string;
  /** Changes the account's concurrent-build quota from now on. */
  setQuota(quota: number): Promise<void>;
  /**
   * Another project's build, holding a quota slot for `minutes` (simulated)
   * from the next StartBuild on: the build that asks for the slot finds it
   * taken (the time Terraform takes to get there would otherwise, scaled,
   * outlast any hold).
   */
  holdSlot(minutes: number): Promise<void>;
  /** What it has seen: the invocations, the StartBuild calls and the builds (simulated seconds since it started). */
  state(): Promise<RuntimeState>;
  stop(): Promise<void>;
}

/** See {@link DeployActionsRuntime.state}. */
export interface RuntimeState {
  readonly invocations: Invocation[];
  readonly startBuildCalls: StartBuildCall[];
  readonly builds: { projectName: string; start: number; end: number; outcome: string }[];
}

/**
 * This file compiled for a plain `node`, with the one module of the project
 * it imports: transpiled into .tmp/stand-ins/ (the same relative layout)
 * when a source is newer than its output. Through ts-node, each start took
 * about two CPU seconds, most of it loading TypeScript.
 */
function compiledRuntime(): string {
  const root = path.resolve(__dirname, "..", "..", "..");
  const outputOf = (source: string) => path.join(root, ".tmp", "stand-ins", path.relative(root, source)).replace(/\.ts$/, ".js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transpileStale } = require(path.join(root, "scripts", "run.js")) as { transpileStale(sources: string[], targetOf: (s: string) => string): void };
  transpileStale([__filename, path.join(root, "scripts", "emulator.ts")], outputOf);
  return outputOf(__filename);
}

/**
 * Starts the stand-in in a process of its own (a test's Terraform runs with
 * spawnSync, which would block a server in the test's own event loop) and
 * waits until it listens.
 */
export async function startDeployActionsRuntime(options: StandInOptions): Promise<DeployActionsRuntime> {
  const child = spawn(process.execPath, [compiledRuntime()], {
    env: { ...process.env, DEPLOY_ACTIONS_RUNTIME_OPTIONS: JSON.stringify(options), DEPLOY_ACTIONS_RUNTIME_SOURCE_DIR: __dirname },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`the deploy-actions stand-in exited with ${code} before it listened`)));
  });
  // A connection per call (no keep-alive: a kept connection the server closed meanwhile fails the next call).
  const control = (what: string, body?: unknown) =>
    new Promise<any>((resolve, reject) => {
      const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
      const req = http.request(
        `${endpoint}/__stand-in/${what}`,
        { method: body === undefined ? "GET" : "POST", agent: false, headers: { "content-length": data.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            res.statusCode === 200
              ? resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
              : reject(new Error(`stand-in ${what}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  return {
    endpoint,
    setQuota: async (quota) => void (await control("quota", { quota })),
    holdSlot: async (minutes) => void (await control("hold", { minutes })),
    state: () => control("state") as Promise<RuntimeState>,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

/**
 * The message of the function error a failed apply shows: the provider prints
 * the function's error payload as JSON (`{"errorType":...,"errorMessage":...}`),
 * and Terraform wraps it at spaces, which are put back.
 */
export function functionError(output: string): string {
  const m = /\{"errorType":"[^"]*","errorMessage":"((?:[^"\\]|\\.)*)"\}/.exec(output.replace(/\n\s*/g, " "));
  if (!m) throw new Error(`no function error in the output:\n${output.slice(-3000)}`);
  return JSON.parse(`"${m[1]}"`);
}

/** This file's folder in the project (run compiled, from .tmp/stand-ins/, the parent says where it is). */
const SOURCE_DIR = process.env.DEPLOY_ACTIONS_RUNTIME_SOURCE_DIR ?? __dirname;
const PROJECT_DIR = path.resolve(SOURCE_DIR, "..", "..", "..");
const RUNNER = path.join(SOURCE_DIR, "lambda-runner.js");

/** The service and region of a request, from its SigV4 credential scope. */
function scopeOf(req: http.IncomingMessage): { service?: string; region?: string } {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ""));
  return m ? { region: m[1], service: m[2] } : {};
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** The stand-in's server, in this process (see {@link startDeployActionsRuntime}). */
async function serve(options: StandInOptions): Promise<void> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.emulatorEndpoint)) throw new Error(`refusing a non-loopback emulator ${options.emulatorEndpoint}`);
  const scale = options.timeScale ?? 0.01;
  let quota = options.quota ?? 60;
  const started = Date.now();
  let pendingHold: number | undefined;
  const simulatedSeconds = (realMs: number) => Math.round(realMs / scale / 1000);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-actions-runtime-"));
  const code = new Map<string, Buffer>();
  const builds = new Map<string, Build>();
  const jobs = new Map<string, string>();
  const invocations: Invocation[] = [];
  const startBuildCalls: StartBuildCall[] = [];
  const children = new Set<ReturnType<typeof spawn>>();
  const log = (text: string) => options.log && fs.appendFileSync(options.log, text);

  /** A request to moto; the reply's status, headers and body. */
  const toMoto = (method: string, urlPath: string, headers: http.OutgoingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const url = new URL(urlPath, options.emulatorEndpoint);
      const req = http.request(url, { method, headers: { ...headers, host: url.host, "content-length": body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end(body);
    });
  /** A JSON-protocol call to moto, signed in scope only (moto reads the region from it). */
  const motoJson = async (service: string, target: string, body: unknown, region = "us-east-1") => {
    const reply = await toMoto(
      "POST",
      "/",
      {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": target,
        authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      Buffer.from(JSON.stringify(body)),
    );
    if (reply.status >= 300) throw new Error(`moto ${target} answered ${reply.status}: ${reply.body}`);
    return JSON.parse(reply.body.toString("utf8") || "{}");
  };

  /** A build's state now; a build that has just succeeded does its build spec's work first. */
  async function view(build: Build) {
    const ended = Date.now() >= build.startMs + build.durationMs;
    if (ended && !build.settled && build.outcome === "SUCCEEDED") {
      const vars = Object.fromEntries(build.env.map((v) => [v.name, v.value]));
      if (vars.REPOSITORY_URI && vars.IMAGE_TAG) {
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          config: {
            mediaType: "application/vnd.docker.container.image.v1+json",
            size: 2,
            digest: `sha256:${createHash("sha256").update(build.id).digest("hex")}`,
          },
          layers: [],
        });
        await motoJson("ecr", "AmazonEC2ContainerRegistry_V20150921.PutImage", {
          repositoryName: vars.REPOSITORY_URI.split("/").slice(1).join("/"),
          imageTag: vars.IMAGE_TAG,
          imageManifest: manifest,
          imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
        });
      }
      if (vars.AMPLIFY_APP_ID) {
        const jobId = String(jobs.size + 1);
        jobs.set(`${vars.AMPLIFY_APP_ID}/${vars.AMPLIFY_BRANCH_NAME}/${jobId}`, "SUCCEED");
        build.exported = [{ name: "AMPLIFY_JOB_ID", value: jobId }];
      }
    }
    if (ended) build.settled = true;
    return {
      id: build.id,
      arn: build.arn,
      projectName: build.projectName,
      buildStatus: ended ? build.outcome : "IN_PROGRESS",
      startTime: build.startMs / 1000,
      ...(ended ? { endTime: (build.startMs + build.durationMs) / 1000 } : {}),
      sourceVersion: build.sourceVersion,
      resolvedSourceVersion: "0123456789abcdef0123456789abcdef01234567",
      environment: { environmentVariables: build.env },
      exportedEnvironmentVariables: ended ? build.exported : [],
      logs: { deepLink: `https://console.aws.amazon.com/codesuite/codebuild/projects/${build.projectName}/build/${build.id}` },
    };
  }

  const running = () => [...builds.values()].filter((b) => Date.now() < b.startMs + b.durationMs);

  function addBuild(projectName: string, env: Build["env"], sourceVersion?: string, minutes?: number): Build {
    const id = `${projectName}:${randomUUID()}`;
    const build: Build = {
      id,
      arn: `arn:aws:codebuild:us-east-1:123456789012:build/${id}`,
      projectName,
      startMs: Date.now(),
      durationMs: (minutes ?? options.buildMinutes?.[projectName] ?? 3) * 60_000 * scale,
      outcome: options.buildOutcome?.[projectName] ?? "SUCCEEDED",
      env,
      sourceVersion,
      exported: [],
      settled: false,
    };
    builds.set(id, build);
    return build;
  }

  async function codebuild(target: string, input: any, res: http.ServerResponse): Promise<boolean> {
    if (target === "StartBuild") {
      const at = simulatedSeconds(Date.now() - started);
      if (pendingHold !== undefined) {
        addBuild("another-project", [], undefined, pendingHold);
        pendingHold = undefined;
      }
      if (running().length >= quota) {
        const message = `Cannot have more than ${quota} builds in queue for the account`;
        startBuildCalls.push({ projectName: input.projectName, refused: message, at });
        json(res, 400, { __type: "AccountLimitExceededException", message });
        return true;
      }
      const project = (await motoJson("codebuild", "CodeBuild_20161006.BatchGetProjects", { names: [input.projectName] })).projects?.[0];
      if (!project) {
        json(res, 400, { __type: "ResourceNotFoundException", message: `Project cannot be found: ${input.projectName}` });
        return true;
      }
      const overrides: Build["env"] = input.environmentVariablesOverride ?? [];
      const env = [...(project.environment?.environmentVariables ?? []).filter((v: any) => !overrides.some((o) => o.name === v.name)), ...overrides];
      const build = addBuild(input.projectName, env, input.sourceVersion ?? project.sourceVersion);
      startBuildCalls.push({ projectName: input.projectName, buildId: build.id, at });
      json(res, 200, { build: await view(build) });
      return true;
    }
    if (target === "BatchGetBuilds") {
      const found = (input.ids as string[]).map((id) => builds.get(id)).filter((b): b is Build => b !== undefined);
      json(res, 200, { builds: await Promise.all(found.map(view)), buildsNotFound: (input.ids as string[]).filter((id) => !builds.has(id)) });
      return true;
    }
    if (target === "ListBuildsForProject") {
      const ids = [...builds.values()].filter((b) => b.projectName === input.projectName).map((b) => b.id);
      json(res, 200, { ids: input.sortOrder === "ASCENDING" ? ids : ids.reverse() });
      return true;
    }
    return false;
  }

  /** Runs a function's handler in a child process, as Lambda's RequestResponse invocation does. */
  async function invoke(name: string, payload: Buffer, region: string, res: http.ServerResponse): Promise<void> {
    const functionName = name.includes(":function:") ? name.split(":function:")[1].split(":")[0] : name;
    const zip = code.get(functionName);
    const config = await toMoto(
      "GET",
      `/2015-03-31/functions/${encodeURIComponent(functionName)}`,
      { authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/lambda/aws4_request, SignedHeaders=host, Signature=0` },
      Buffer.alloc(0),
    );
    if (config.status !== 200 || !zip) {
      json(res, 404, { Type: "User", Message: `Function not found: ${functionName}` }, { "x-amzn-errortype": "ResourceNotFoundException" });
      return;
    }
    const configuration = JSON.parse(config.body.toString("utf8")).Configuration;
    const dir = path.join(work, createHash("sha256").update(zip).digest("hex").slice(0, 16));
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "code.zip"), zip);
      const unzip = spawnSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", path.join(dir, "code.zip"), dir]);
      if (unzip.status !== 0) throw new Error(`could not unpack the code of ${functionName}: ${unzip.stderr}`);
    }
    const timeoutMs = (configuration.Timeout ?? 3) * 1000 * scale;
    const resultFile = path.join(work, `${randomUUID()}.json`);
    const t0 = Date.now();
    const child = spawn(process.execPath, [RUNNER, dir, configuration.Handler ?? "index.handler", String(timeoutMs), resultFile], {
      env: {
        PATH: process.env.PATH,
        NODE_PATH: path.join(PROJECT_DIR, "node_modules"),
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_MAX_ATTEMPTS: "1",
        ...(configuration.Environment?.Variables ?? {}),
        // The handler's clock, scaled (constructs/deploy-actions/timing.js).
        POLL_MS: String(15000 * scale),
        SAFETY_MS: String(Math.max(30000 * scale, SAFETY_FLOOR_MS)),
        BACKOFF_MS: String(5000 * scale),
        BACKOFF_MAX_MS: String(60000 * scale),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.add(child);
    child.stdout.on("data", (d) => log(String(d)));
    child.stderr.on("data", (d) => log(String(d)));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 50);
    child.stdin.end(payload);
    await new Promise((r) => child.on("exit", r));
    clearTimeout(killer);
    children.delete(child);
    const seconds = simulatedSeconds(Date.now() - t0);
    let event: any;
    try {
      event = JSON.parse(payload.toString("utf8"));
    } catch {
      event = payload.toString("utf8");
    }
    if (!fs.existsSync(resultFile)) {
      const body = { errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${(configuration.Timeout ?? 3).toFixed(2)} seconds` };
      invocations.push({ functionName, event, outcome: "timeout", body, seconds });
      json(res, 200, body, { "X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST" });
      return;
    }
    const out = JSON.parse(fs.readFileSync(resultFile, "utf8"));
    fs.rmSync(resultFile);
    log(`[${functionName}] ${JSON.stringify(event).slice(0, 200)} -> ${JSON.stringify(out).slice(0, 400)}\n`);
    if (out.error) {
      invocations.push({ functionName, event, outcome: "error", body: out.error, seconds });
      json(res, 200, out.error, { "X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST" });
    } else {
      invocations.push({ functionName, event, outcome: "result", body: out.result, seconds });
      json(res, 200, out.result, { "X-Amz-Executed-Version": "$LATEST" });
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? "/";
      const scope = scopeOf(req);
      try {
        if (url.startsWith("/__stand-in/")) return control(url.slice("/__stand-in/".length), body, res);
        const target = String(req.headers["x-amz-target"] ?? "");
        if (target.startsWith("CodeBuild_20161006.") && (await codebuild(target.split(".")[1], JSON.parse(body.toString("utf8") || "{}"), res))) return;
        const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(url);
        if (req.method === "POST" && invocation) return await invoke(decodeURIComponent(invocation[1]), body, scope.region ?? "us-east-1", res);
        const job = /^\/apps\/([^/]+)\/branches\/([^/]+)\/jobs\/([^/?]+)/.exec(url);
        if (req.method === "GET" && job) {
          const status = jobs.get(`${job[1]}/${decodeURIComponent(job[2])}/${job[3]}`);
          if (!status) return json(res, 404, { message: `job ${job[3]} not found` }, { "x-amzn-errortype": "NotFoundException" });
          return json(res, 200, { job: { summary: { jobId: job[3], jobType: "MANUAL", status }, steps: [] } });
        }
        // The code of a function, kept to run it (moto stores it but runs nothing without Docker).
        const created = req.method === "POST" && /^\/2015-03-31\/functions\/?(\?|$)/.test(url);
        const updated = req.method === "PUT" ? /^\/2015-03-31\/functions\/([^/]+)\/code/.exec(url) : null;
        if (created || updated) {
          const input = JSON.parse(body.toString("utf8") || "{}");
          const name = created ? input.FunctionName : decodeURIComponent(updated![1]);
          const zip = created ? input.Code?.ZipFile : input.ZipFile;
          if (name && zip) code.set(name, Buffer.from(zip, "base64"));
        }
        const reply = await toMoto(req.method ?? "GET", url, { ...req.headers }, body);
        const headers = { ...reply.headers };
        delete headers["transfer-encoding"];
        headers["content-length"] = String(reply.body.length);
        res.writeHead(reply.status, headers);
        res.end(reply.body);
      } catch (e) {
        json(res, 500, { __type: "InternalFailure", message: `stand-in: ${(e as Error).message}` });
      }
    });
  });
  /** The test's side: the quota, a slot held by another build, and what was seen. */
  function control(what: string, body: Buffer, res: http.ServerResponse): void {
    const input = body.length ? JSON.parse(body.toString("utf8")) : {};
    if (what === "quota") quota = input.quota;
    else if (what === "hold") pendingHold = input.minutes;
    else if (what !== "state") return json(res, 404, { message: `no control ${what}` });
    json(res, 200, {
      invocations,
      startBuildCalls,
      builds: [...builds.values()].map((b) => ({
        projectName: b.projectName,
        start: simulatedSeconds(b.startMs - started),
        end: simulatedSeconds(b.startMs + b.durationMs - started),
        outcome: b.outcome,
      })),
    });
  }

  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const stop = () => {
    for (const child of children) child.kill("SIGKILL");
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`listening ${endpoint}`);
}

if (require.main === module) {
  serve(JSON.parse(process.env.DEPLOY_ACTIONS_RUNTIME_OPTIONS ?? "{}")).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
