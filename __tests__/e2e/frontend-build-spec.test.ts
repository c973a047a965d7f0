// The frontend's CodeBuild build spec, run: its build and post_build commands
// in one bash (as CodeBuild runs buildspec 0.2), in a stand-in repository,
// with a stand-in `aws` CLI on PATH and the pre-signed upload URL pointing at
// a server on loopback. Checks what Amplify receives: a zip whose root is the
// site, a job id carried from CreateDeployment to StartDeployment, and an
// upload URL that never reaches the build log.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AMPLIFY_JOB_ID_VARIABLE, frontendBuildSpec } from "../../constructs/frontend-build-spec";
import { describeWith } from "../support/terraform";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { safeLoad(text: string): any };

interface Upload {
  method: string;
  url: string;
  contentType?: string;
  body: Buffer;
}

/** A server on loopback that records the uploads it receives. */
async function uploadServer(): Promise<{ port: number; uploads: Upload[]; close(): Promise<void> }> {
  const uploads: Upload[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      uploads.push({ method: req.method!, url: req.url!, contentType: req.headers["content-type"], body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as { port: number }).port, uploads, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Runs the spec's build and post_build phases as CodeBuild does: one shell;
 * a failed build command ends the build phase and post_build runs with
 * CODEBUILD_BUILD_SUCCEEDING=0; a failed post_build command fails the build.
 */
function runSpec(spec: string, repo: string, env: Record<string, string>): Promise<{ status: number; output: string }> {
  const phases = yaml.safeLoad(spec).phases;
  const script = [
    `cd "$CODEBUILD_SRC_DIR"`,
    "CODEBUILD_BUILD_SUCCEEDING=1",
    `{ ${phases.build.commands.join(" && ")}; } || CODEBUILD_BUILD_SUCCEEDING=0`,
    "export CODEBUILD_BUILD_SUCCEEDING",
    "set -e",
    ...phases.post_build.commands,
    `echo "exported ${AMPLIFY_JOB_ID_VARIABLE}=$${AMPLIFY_JOB_ID_VARIABLE}"`,
  ].join("\n");
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: repo, env: { ...process.env, ...env, CODEBUILD_SRC_DIR: repo } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ status: code ?? -1, output }));
  });
}

describeWith(["bash", "zip", "unzip", "curl"])("the frontend build spec, run with a stand-in AWS CLI", () => {
  let tmp: string;
  let bin: string;
  let calls: string;
  let server: Awaited<ReturnType<typeof uploadServer>>;
  const SECRET_QUERY = "X-Amz-Signature=s3cr3t";

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "frontend-spec-"));
    server = await uploadServer();
    bin = path.join(tmp, "bin");
    calls = path.join(tmp, "aws-calls.log");
    fs.mkdirSync(bin);
    // The AWS CLI as the spec calls it (--query/--output text): CreateDeployment
    // answers a job id and an upload URL, StartDeployment the job's summary.
    fs.writeFileSync(
      path.join(bin, "aws"),
      [
        "#!/bin/bash",
        `echo "$*" >> "${calls}"`,
        'case "$2" in',
        `  create-deployment) printf '17\\thttp://127.0.0.1:${server.port}/upload?${SECRET_QUERY}\\n' ;;`,
        `  start-deployment) printf '17\\tPENDING\\n' ;;`,
        "  *) exit 1 ;;",
        "esac",
      ].join("\n"),
      { mode: 0o755 },
    );
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A repository whose build writes a site with the WebSocket URL into `out/`. */
  function repo(buildScript = 'mkdir -p out/_next && echo "<html>$WEBSOCKET_URL</html>" > out/index.html && echo js > out/_next/app.js'): string {
    const dir = path.join(tmp, "repo");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "build.sh"), buildScript);
    return dir;
  }

  const env = () => ({ PATH: `${bin}:${process.env.PATH}`, AMPLIFY_APP_ID: "d1abc", AMPLIFY_BRANCH_NAME: "main", WEBSOCKET_URL: "wss://abc.example/prod" });

  test("zips the output folder's content, uploads it to the URL CreateDeployment returned, and starts that job", async () => {
    // GIVEN
    const dir = repo();
    const spec = frontendBuildSpec({ buildCommands: ["bash build.sh"], outputDirectory: "out", nodeVersion: "22" });
    // WHEN
    const run = await runSpec(spec, dir, env());
    // THEN
    expect(run).toMatchObject({ status: 0 });
    expect(run.output).toContain(`exported ${AMPLIFY_JOB_ID_VARIABLE}=17`);
    expect(fs.readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "amplify create-deployment --app-id d1abc --branch-name main --query [jobId, zipUploadUrl] --output text",
      "amplify start-deployment --app-id d1abc --branch-name main --job-id 17 --query jobSummary.[jobId, status] --output text",
    ]);
    expect(server.uploads).toHaveLength(1);
    expect(server.uploads[0]).toMatchObject({ method: "PUT", url: `/upload?${SECRET_QUERY}`, contentType: "application/zip" });
    const zip = path.join(tmp, "received.zip");
    fs.writeFileSync(zip, server.uploads[0].body);
    const listing = await commandOutput("unzip", ["-Z1", zip]);
    expect(listing.trim().split("\n").sort()).toEqual(["_next/", "_next/app.js", "index.html"]);
    expect(await commandOutput("unzip", ["-p", zip, "index.html"])).toBe("<html>wss://abc.example/prod</html>\n");
    // The pre-signed URL is a credential: it never reaches the log.
    expect(run.output).not.toContain(SECRET_QUERY);
  });

  test("publishes nothing when the build fails", async () => {
    const run = await runSpec(frontendBuildSpec({ buildCommands: ["bash build.sh"], outputDirectory: "out", nodeVersion: "22" }), repo("exit 3"), env());
    expect(run.status).not.toBe(0);
    expect(fs.existsSync(calls)).toBe(false);
    expect(server.uploads).toEqual([]);
  });

  test("publishes nothing, and says why, when the build wrote no index.html in the output folder", async () => {
    const run = await runSpec(frontendBuildSpec({ buildCommands: ["bash build.sh"], outputDirectory: "dist", nodeVersion: "22" }), repo(), env());
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("dist/index.html is missing: the build wrote no static site there");
    expect(fs.existsSync(calls)).toBe(false);
  });
});

/** Runs a command and returns its standard output. */
function commandOutput(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`))));
  });
}
