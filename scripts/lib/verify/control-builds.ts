import { GetJobCommand, ListJobsCommand } from "@aws-sdk/client-amplify";
import { BatchGetBuildsCommand, Build, ListBuildsForProjectCommand } from "@aws-sdk/client-codebuild";
import { errorText, isNotFound } from "./aws";
import { ago, VerifyContext, when } from "./context";
import { unreadable } from "./control-api";
import type { HopName } from "./hops";
import { fail, HopResult, pass, skip, warn } from "./report";

/**
 * The chat's builds: the last backend image build (`image-build`) and
 * frontend build (`frontend-build`) of CodeBuild, and the last Amplify job of
 * the frontend's branch (`amplify-job`).
 *
 * AWS API reference: CodeBuild ListBuildsForProject, BatchGetBuilds (Build:
 * buildStatus SUCCEEDED | FAILED | FAULT | TIMED_OUT | IN_PROGRESS | STOPPED,
 * phases with phaseStatus and contexts, logs.deepLink:
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Build.html);
 * Amplify ListJobs, GetJob (JobSummary status PENDING | PROVISIONING | RUNNING
 * | FAILED | SUCCEED | CANCELLING | CANCELLED, steps with statusReason and logUrl:
 * https://docs.aws.amazon.com/amplify/latest/APIReference/API_JobSummary.html).
 */

/** What failing in a CodeBuild phase most often means, per build. */
const PHASE_CAUSES: Record<string, Record<string, string>> = {
  image: {
    SUBMITTED: "the build could not be submitted",
    QUEUED: "the build waited in the queue past its queued timeout (the account's concurrent build quota)",
    PROVISIONING: "CodeBuild could not provision the build environment (the account's concurrent build quota, or the compute type)",
    DOWNLOAD_SOURCE:
      "the repository or git ref cannot be fetched (chat.backend.image.repositoryUrl, chat.backend.image.gitRef; a private repository needs a token)",
    INSTALL: "the build's install commands failed",
    PRE_BUILD: "logging in to ECR or Docker Hub failed (chat.backend.image.dockerHub)",
    BUILD: "docker build failed: a Dockerfile error, or `toomanyrequests` from Docker Hub (chat.backend.image.dockerHub.kind)",
    POST_BUILD: "pushing the image to ECR failed (an immutable tag that already exists, or a missing permission)",
    UPLOAD_ARTIFACTS: "uploading the build's artifacts failed",
    FINALIZING: "the build could not finish",
  },
  frontend: {
    SUBMITTED: "the build could not be submitted",
    QUEUED: "the build waited in the queue past its queued timeout (the account's concurrent build quota)",
    PROVISIONING: "CodeBuild could not provision the build environment (the account's concurrent build quota)",
    DOWNLOAD_SOURCE: "the frontend repository or git ref cannot be fetched (chat.frontend.repositoryUrl, chat.frontend.gitRef)",
    INSTALL: "installing Node.js or the packages failed (npm ci; chat.frontend.build.nodeVersion)",
    PRE_BUILD: "the build's preparation failed",
    BUILD: "npm run build failed, or the output folder holds no site (chat.frontend.build.outputDirectory)",
    POST_BUILD: "publishing to Amplify failed (CreateDeployment, the upload, StartDeployment)",
    UPLOAD_ARTIFACTS: "uploading the build's artifacts failed",
    FINALIZING: "the build could not finish",
  },
};

/** `image-build`: the last build of the backend image's CodeBuild project. */
export function checkImageBuild(ctx: VerifyContext): Promise<HopResult> {
  const t = ctx.target;
  if (t.local) {
    return Promise.resolve(
      skip(
        "image-build",
        "not shown by the emulator: no builds run there (the deploy-actions Lambda that starts them is left out; the image is referenced by tag)",
      ),
    );
  }
  if (!t.imageBuildProject) {
    return Promise.resolve(
      skip(
        "image-build",
        t.kind === "module"
          ? "a module builds no image: your pipeline does"
          : t.hasState
            ? "the stack builds no image (chat.backend.image.uri)"
            : "the outputs name no image build project",
      ),
    );
  }
  return checkBuild(ctx, "image-build", t.imageBuildProject, "image");
}

/** `frontend-build`: the last build of the frontend's CodeBuild project (source "build"). */
export function checkFrontendBuild(ctx: VerifyContext): Promise<HopResult> {
  const t = ctx.target;
  if (t.local) return Promise.resolve(skip("frontend-build", "not shown by the emulator: the frontend (Amplify and its build) is left out there"));
  if (!t.frontendBuildProject) {
    return Promise.resolve(
      skip(
        "frontend-build",
        t.kind === "module"
          ? "a module has no frontend"
          : t.amplify
            ? 'Amplify builds the frontend from its repository (chat.frontend.source "repository"): see amplify-job'
            : t.hasState
              ? "the stack has no frontend (chat.frontend.enabled false)"
              : "the outputs name no frontend build project",
      ),
    );
  }
  return checkBuild(ctx, "frontend-build", t.frontendBuildProject, "frontend");
}

async function checkBuild(ctx: VerifyContext, hop: HopName, project: string, kind: "image" | "frontend"): Promise<HopResult> {
  const cb = ctx.aws.codebuild();
  let build: Build | undefined;
  try {
    const ids = (await cb.send(new ListBuildsForProjectCommand({ projectName: project, sortOrder: "DESCENDING" }))).ids ?? [];
    if (ids.length === 0) {
      return fail(
        hop,
        `CodeBuild project ${project} has never built`,
        "the deploy-actions Lambda did not start a build: the apply stopped before it ran",
        `deploy again (${ctx.redeploy}); it starts the build and waits for it`,
      );
    }
    build = (await cb.send(new BatchGetBuildsCommand({ ids: [ids[0]] }))).builds?.[0];
  } catch (e) {
    if (isNotFound(e)) return fail(hop, `CodeBuild project ${project} does not exist (${errorText(e)})`, "it was deleted", `deploy again (${ctx.redeploy})`);
    return unreadable(hop, e, "codebuild:ListBuildsForProject and codebuild:BatchGetBuilds");
  }
  if (!build) return fail(hop, `the last build of ${project} cannot be read`, "CodeBuild returned no build", "run verify again");
  const id = build.id ?? "?";
  const log = build.logs?.deepLink ? `; log: ${build.logs.deepLink}` : build.logs?.groupName ? `; log group ${build.logs.groupName}` : "";
  const source = build.resolvedSourceVersion
    ? ` (source ${build.resolvedSourceVersion.slice(0, 12)})`
    : build.sourceVersion
      ? ` (ref ${build.sourceVersion})`
      : "";
  switch (build.buildStatus) {
    case "SUCCEEDED":
      return pass(hop, `build ${id} of ${project} SUCCEEDED ${build.endTime ? ago(build.endTime, ctx.now()) : ""}${source}`.trim());
    case "IN_PROGRESS":
      return warn(
        hop,
        `build ${id} of ${project} IN_PROGRESS (phase ${build.currentPhase}, started ${when(build.startTime)})${log}`,
        "the build is still running (a queued build on a new account can wait for its quota)",
        "wait for it, then run verify again",
      );
    default: {
      const failed = (build.phases ?? []).find((p) => p.phaseStatus && !["SUCCEEDED", "IN_PROGRESS"].includes(p.phaseStatus));
      const context = failed?.contexts?.find((c) => c.message)?.message ?? failed?.contexts?.[0]?.statusCode;
      const phase = failed?.phaseType ?? build.currentPhase ?? "?";
      return fail(
        hop,
        `build ${id} of ${project} ${build.buildStatus}${failed ? ` in phase ${phase} (${failed.phaseStatus}${context ? `: ${context}` : ""})` : ""}${log}`,
        PHASE_CAUSES[kind][phase] ?? `the build ended ${build.buildStatus}`,
        `read the build's log${build.logs?.deepLink ? " (link above)" : ""}, fix what it names, then deploy again (${ctx.redeploy}); a build still running is joined, not restarted`,
      );
    }
  }
}

/** `amplify-job`: the last job of the frontend's Amplify branch. */
export async function checkAmplifyJob(ctx: VerifyContext): Promise<HopResult> {
  const t = ctx.target;
  if (t.local) return skip("amplify-job", "not shown by the emulator: moto has no Amplify");
  if (!t.amplify) {
    return skip(
      "amplify-job",
      t.kind === "module"
        ? "a module has no frontend"
        : t.hasState
          ? "the stack has no frontend (chat.frontend.enabled false)"
          : "the outputs name no Amplify app",
    );
  }
  const { appId, branch } = t.amplify;
  const amplify = ctx.aws.amplify();
  let summary;
  try {
    summary = (await amplify.send(new ListJobsCommand({ appId, branchName: branch, maxResults: 1 }))).jobSummaries?.[0];
  } catch (e) {
    if (isNotFound(e))
      return fail("amplify-job", `Amplify app ${appId} has no branch ${branch} (${errorText(e)})`, "it was deleted", `deploy again (${ctx.redeploy})`);
    return unreadable("amplify-job", e, "amplify:ListJobs and amplify:GetJob");
  }
  const url = `https://${branch}.${appId}.amplifyapp.com`;
  if (!summary) {
    return fail(
      "amplify-job",
      `branch ${branch} of Amplify app ${appId} has no job: nothing was published to ${url}`,
      t.frontendBuildProject ? "the frontend build never reached its publish step (see frontend-build)" : "Amplify never built the connected branch",
      `deploy again (${ctx.redeploy})`,
    );
  }
  const label = `job ${summary.jobId} (${summary.jobType}) of ${appId}/${branch}`;
  switch (summary.status) {
    case "SUCCEED":
      return pass("amplify-job", `${label} SUCCEED ${summary.endTime ? ago(summary.endTime, ctx.now()) : ""}: ${url}`);
    case "PENDING":
    case "PROVISIONING":
    case "RUNNING":
    case "CANCELLING":
      return warn(
        "amplify-job",
        `${label} ${summary.status} since ${when(summary.startTime)}`,
        "the release is still running",
        "wait for it, then run verify again",
      );
    default: {
      let steps = "";
      try {
        const job = await amplify.send(new GetJobCommand({ appId, branchName: branch, jobId: summary.jobId }));
        const failed = (job.job?.steps ?? []).filter((s) => s.status === "FAILED" || s.status === "CANCELLED");
        steps = failed
          .map((s) => `step ${s.stepName} ${s.status}${s.statusReason ? `: ${s.statusReason}` : ""}${s.logUrl ? ` (log: ${s.logUrl})` : ""}`)
          .join("; ");
      } catch {
        // The summary alone still says the job failed.
      }
      return fail(
        "amplify-job",
        `${label} ${summary.status}${steps ? `: ${steps}` : ""}`,
        t.frontendBuildProject
          ? "Amplify could not release the uploaded site (a broken zip or a deployment that expired)"
          : "Amplify's build of the branch failed",
        `read the step's log, then deploy again (${ctx.redeploy}); the frontend build publishes again`,
      );
    }
  }
}
