// The two CodeBuild builds of a deploy: the backend image (build-image) and
// the frontend, published to Amplify (deploy-frontend).
//
// A build may take longer than one invocation of the function (15 minutes at
// most, queue included), so a deploy invokes each action as a chain of steps
// (`step` of `steps`), each `aws_lambda_invocation` getting the result of the
// one before it as `previous`:
//
//   {state: "done", ...}     the build ended and its result is there: the later
//                            steps return it at once;
//   {state: "running", ...}  the step ran out of time while the build (or the
//                            Amplify release) went on: the next step follows it;
//   {state: "waiting", ...}  CodeBuild kept refusing to start the build (the
//                            account's concurrent-build quota is taken): the
//                            next step tries again.
//
// Only the last step fails for a build still running, saying that running the
// deploy again goes on waiting for it. A step that finds the build it was
// handed already failed (the deploy was run again after that failure) starts
// the build again; a build that fails while a step watches it fails the step.
"use strict";
const { BatchGetBuildsCommand, CodeBuildClient, ListBuildsForProjectCommand, StartBuildCommand } = require("@aws-sdk/client-codebuild");
const { DescribeImagesCommand, ECRClient } = require("@aws-sdk/client-ecr");
const { AmplifyClient, GetJobCommand } = require("@aws-sdk/client-amplify");
const { createHash } = require("crypto");
const { backoffMaxMs, backoffMs, pollMs, safetyMs, sleep } = require("./timing");

/** True when this step may hand what is still running on to a next step. */
const handsOn = (event) => (event.step ?? 1) < (event.steps ?? 1);
const logsOf = (build) => build.logs?.deepLink ?? "CodeBuild console";
const region = () => process.env.AWS_REGION ?? "this region";

/** What the last step says of how long the deploy waited. */
function waited(event) {
  const steps = event.steps ?? 1;
  return steps > 1 ? `the deploy waited for it through ${steps} invocations of the deploy-actions function` : "the deploy-actions function's time ran out";
}

function required(action, fields) {
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v !== "string" || v === "") throw new Error(`${action} needs ${k}`);
  }
}

/** The quota a build draws on, in words, from the event (the construct knows the build's environment). */
function quotaOf(event) {
  const q = event.quota ?? {};
  return { name: q.name ?? "Concurrently running builds", code: q.code ?? "(see Service Quotas, AWS CodeBuild)" };
}

/** The error for an account whose concurrent-build quota is 0: no build can ever start until it is raised. */
function quotaZeroError(event, refusal, what) {
  const q = quotaOf(event);
  return new Error(
    `CodeBuild refuses to start the build of ${what}: "${refusal}". The account's quota "${q.name}" (Service Quotas code ${q.code}) is 0 in ${region()}. ` +
      `Request at least 1: Service Quotas console > AWS services > AWS CodeBuild > "${q.name}" > Request increase at account level, or ` +
      `aws service-quotas request-service-quota-increase --service-code codebuild --quota-code ${q.code} --desired-value 2 --region ${region()}. ` +
      `New accounts can be held at 0 while Service Quotas shows more: then open an AWS Support case (Account and billing) to lift it. ` +
      `Once it is raised, run the deploy again: it continues from here (what this deploy created stays) and starts the build.`,
  );
}

/**
 * Starts a build, trying again with exponential backoff while CodeBuild
 * refuses it with AccountLimitExceededException (the account's builds fill
 * its concurrent-build quota and queue). Returns `{ build }`, or `{ refused }`
 * when the step's time runs out first and a next step can try again.
 */
async function startBuild(codebuild, input, context, event, what) {
  let delay = backoffMs();
  for (let attempt = 1; ; attempt++) {
    try {
      return { build: (await codebuild.send(new StartBuildCommand(input))).build };
    } catch (e) {
      if (e.name !== "AccountLimitExceededException") throw e;
      // "Cannot have more than 0 builds in queue for the account": nothing will start.
      if (/more than 0 builds/i.test(e.message ?? "")) throw quotaZeroError(event, e.message, what);
      if (context.getRemainingTimeInMillis() < delay + safetyMs()) {
        if (handsOn(event)) return { refused: e.message, attempts: attempt };
        const q = quotaOf(event);
        throw new Error(
          `CodeBuild kept refusing to start the build of ${what} ("${e.message}", ${attempt} attempts) until ${waited(event)}: other builds of the account hold its quota "${q.name}" (Service Quotas code ${q.code}). ` +
            `Run the deploy again once they have ended (it continues from here), or raise the quota.`,
        );
      }
      console.log(`StartBuild of ${what} refused (${e.message}); trying again in ${delay} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, backoffMaxMs());
    }
  }
}

/**
 * Polls a build until it has ended (returns it), or until the step's time
 * runs out: then returns undefined when a next step can go on waiting, and
 * fails on the last step.
 */
async function waitForBuild(codebuild, build, context, event, what) {
  for (;;) {
    if (build.buildStatus && build.buildStatus !== "IN_PROGRESS") return build;
    if (context.getRemainingTimeInMillis() < pollMs() + safetyMs()) {
      if (handsOn(event)) return undefined;
      throw new Error(
        `build ${build.id} of ${what} is still running and ${waited(event)}: run the deploy again, it goes on waiting for this build (logs: ${logsOf(build)})`,
      );
    }
    await sleep(pollMs());
    build = (await codebuild.send(new BatchGetBuildsCommand({ ids: [build.id] }))).builds[0];
  }
}

const getBuild = async (codebuild, id) => (await codebuild.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0];

/** A build of the project still running whose environment variable `name` is `value`. */
async function runningBuildWith(codebuild, projectName, name, value) {
  const ids = (await codebuild.send(new ListBuildsForProjectCommand({ projectName, sortOrder: "DESCENDING" }))).ids ?? [];
  if (ids.length === 0) return undefined;
  const builds = (await codebuild.send(new BatchGetBuildsCommand({ ids: ids.slice(0, 20) }))).builds ?? [];
  return builds.find((b) => b.buildStatus === "IN_PROGRESS" && (b.environment?.environmentVariables ?? []).some((v) => v.name === name && v.value === value));
}

/**
 * The build this step follows: the one the previous step handed on while it
 * still runs (or once it has succeeded: it ended between the two steps),
 * else a running build of the same key (an earlier deploy's), else a new one.
 * `{ build }`, or `{ refused }` (see startBuild).
 */
async function buildToFollow(codebuild, event, context, key, start, what) {
  if (event.previous?.buildId) {
    const handed = await getBuild(codebuild, event.previous.buildId);
    // Still running, or succeeded since (its result is read below): followed. Failed before this step began: built again.
    if (handed?.buildStatus === "IN_PROGRESS" || handed?.buildStatus === "SUCCEEDED") return { build: handed };
  }
  const running = await runningBuildWith(codebuild, start.projectName, key.name, key.value);
  if (running) return { build: running };
  return startBuild(codebuild, { ...start, environmentVariablesOverride: [{ name: key.name, value: key.value, type: "PLAINTEXT" }] }, context, event, what);
}

async function findImage(ecr, repositoryName, imageTag) {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
    return out.imageDetails?.[0]?.imageDigest;
  } catch (e) {
    if (e.name === "ImageNotFoundException") return undefined;
    throw e;
  }
}

async function buildImage(event, context) {
  const { projectName, repositoryName, imageTag, sourceVersion } = event;
  required("build-image", { projectName, repositoryName, imageTag, sourceVersion });
  if (event.previous?.state === "done") return event.previous;
  const ecr = new ECRClient({});
  const codebuild = new CodeBuildClient({});

  // Tags are immutable: an image already pushed under this tag is the one to run.
  const existing = await findImage(ecr, repositoryName, imageTag);
  if (existing) {
    const handed = event.previous?.buildId;
    return handed ? { state: "done", imageDigest: existing, imageTag, buildId: handed } : { state: "done", imageDigest: existing, imageTag, reused: true };
  }

  const what = `the image ${repositoryName}:${imageTag}`;
  const followed = await buildToFollow(codebuild, event, context, { name: "IMAGE_TAG", value: imageTag }, { projectName, sourceVersion }, what);
  if (followed.refused) return { state: "waiting", imageTag, refused: followed.refused };
  const build = await waitForBuild(codebuild, followed.build, context, event, what);
  if (!build) return { state: "running", imageTag, buildId: followed.build.id };
  if (build.buildStatus !== "SUCCEEDED") {
    throw new Error(`build ${build.id} of ${sourceVersion} ended ${build.buildStatus} (logs: ${logsOf(build)}); run the deploy again to build it again`);
  }
  const digest = await findImage(ecr, repositoryName, imageTag);
  if (!digest) throw new Error(`build ${build.id} succeeded but ${repositoryName}:${imageTag} is not in ECR`);
  return { state: "done", imageDigest: digest, imageTag, buildId: build.id, resolvedSourceVersion: build.resolvedSourceVersion };
}

/** Amplify API JobSummary.status values after which a job changes no more. */
const JOB_ENDED = ["SUCCEED", "FAILED", "CANCELLED"];

/**
 * Builds and publishes a frontend: starts the CodeBuild project at the git
 * ref (or follows a build of the same deployment still running), which zips
 * the site, calls Amplify CreateDeployment, uploads the zip to the returned
 * URL and calls StartDeployment, exporting the job id
 * (constructs/frontend-build.ts). Then polls Amplify GetJob until the release
 * has SUCCEED; a FAILED or CANCELLED job fails the step. (Amplify API
 * JobSummary.status: PENDING, PROVISIONING, RUNNING, FAILED, SUCCEED,
 * CANCELLING, CANCELLED; GetJob returns it as job.summary.status. CodeBuild's
 * BatchGetBuilds returns the build's exportedEnvironmentVariables once
 * post_build has ended.)
 */
async function deployFrontend(event, context) {
  const { projectName, appId, branchName, sourceVersion } = event;
  required("deploy-frontend", { projectName, appId, branchName, sourceVersion });
  if (event.previous?.state === "done") return event.previous;
  // One deployment = one input: the same input in a later deploy follows the
  // build still running instead of starting a second one.
  const deployKey = createHash("sha256")
    .update(JSON.stringify([projectName, appId, branchName, sourceVersion, event.environment ?? {}, event.buildSpec ?? ""]))
    .digest("hex")
    .slice(0, 32);
  const codebuild = new CodeBuildClient({});
  const amplify = new AmplifyClient({});
  const what = `the frontend at ${sourceVersion}`;
  const where = (jobId) => `Amplify console, app ${appId}, branch ${branchName}, job ${jobId}`;
  const jobStatus = async (jobId) => (await amplify.send(new GetJobCommand({ appId, branchName, jobId }))).job?.summary?.status;

  // A release handed on by the previous step, still going (or done meanwhile).
  let build;
  let jobId;
  const handed = event.previous;
  if (handed?.buildId && handed.jobId) {
    const status = await jobStatus(handed.jobId);
    if (status === "SUCCEED") return { state: "done", appId, branchName, jobId: handed.jobId, status, buildId: handed.buildId };
    // Failed before this step began: the deploy runs again, so the build does too.
    if (!JOB_ENDED.includes(status)) [build, jobId] = [{ id: handed.buildId, buildStatus: "SUCCEEDED" }, handed.jobId];
  }
  if (!build) {
    const followed = await buildToFollow(codebuild, event, context, { name: "DEPLOY_KEY", value: deployKey }, { projectName, sourceVersion }, what);
    if (followed.refused) return { state: "waiting", appId, branchName, refused: followed.refused };
    build = await waitForBuild(codebuild, followed.build, context, event, what);
    if (!build) return { state: "running", appId, branchName, buildId: followed.build.id };
    if (build.buildStatus !== "SUCCEEDED") {
      throw new Error(`build ${build.id} of ${what} ended ${build.buildStatus} (logs: ${logsOf(build)}); run the deploy again to build it again`);
    }
    jobId = (build.exportedEnvironmentVariables ?? []).find((v) => v.name === "AMPLIFY_JOB_ID")?.value;
    if (!jobId) throw new Error(`build ${build.id} succeeded but exported no AMPLIFY_JOB_ID: its build spec is not the one FrontendBuild writes`);
  }

  for (;;) {
    const status = await jobStatus(jobId);
    if (status === "SUCCEED") return { state: "done", appId, branchName, jobId, status, buildId: build.id, resolvedSourceVersion: build.resolvedSourceVersion };
    if (status === "FAILED" || status === "CANCELLED") {
      throw new Error(`Amplify release ${jobId} of ${what} ended ${status} (${where(jobId)}); run the deploy again to build and publish it again`);
    }
    if (context.getRemainingTimeInMillis() < pollMs() + safetyMs()) {
      if (handsOn(event)) return { state: "running", appId, branchName, buildId: build.id, jobId };
      throw new Error(`Amplify release ${jobId} of the frontend is still ${status} and ${waited(event)}: check it (${where(jobId)}) and run the deploy again`);
    }
    await sleep(pollMs());
  }
}

module.exports = { buildImage, deployFrontend };
