// Deployment steps Terraform cannot express as resources, run by the
// deploy-actions Lambda that `aws_lambda_invocation` calls during apply:
//
//   {"action":"build-image", ...}       builds the backend image with CodeBuild
//                                       (or reuses an image already pushed with
//                                       that immutable tag) and returns its digest
//   {"action":"start-amplify-job", ...} starts the Amplify branch's build
//
// Uses only the AWS SDK v3 clients the Lambda Node.js runtime provides.
"use strict";
const { BatchGetBuildsCommand, CodeBuildClient, ListBuildsForProjectCommand, StartBuildCommand } = require("@aws-sdk/client-codebuild");
const { DescribeImagesCommand, ECRClient } = require("@aws-sdk/client-ecr");
const { AmplifyClient, ListJobsCommand, StartJobCommand } = require("@aws-sdk/client-amplify");

const POLL_MS = Number(process.env.POLL_MS ?? 15000);
const SAFETY_MS = 30000;

exports.handler = async (event, context) => {
  switch (event.action) {
    case "build-image":
      return buildImage(event, context);
    case "start-amplify-job":
      return startAmplifyJob(event);
    default:
      throw new Error(`action must be "build-image" or "start-amplify-job", got ${JSON.stringify(event.action)}`);
  }
};

async function findImage(ecr, repositoryName, imageTag) {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
    return out.imageDetails?.[0]?.imageDigest;
  } catch (e) {
    if (e.name === "ImageNotFoundException") return undefined;
    throw e;
  }
}

async function runningBuildFor(codebuild, projectName, imageTag) {
  const ids = (await codebuild.send(new ListBuildsForProjectCommand({ projectName, sortOrder: "DESCENDING" }))).ids ?? [];
  if (ids.length === 0) return undefined;
  const builds = (await codebuild.send(new BatchGetBuildsCommand({ ids: ids.slice(0, 20) }))).builds ?? [];
  return builds.find(
    (b) => b.buildStatus === "IN_PROGRESS" && (b.environment?.environmentVariables ?? []).some((v) => v.name === "IMAGE_TAG" && v.value === imageTag),
  );
}

async function buildImage(event, context) {
  const { projectName, repositoryName, imageTag, sourceVersion } = event;
  for (const [k, v] of Object.entries({ projectName, repositoryName, imageTag, sourceVersion })) {
    if (typeof v !== "string" || v === "") throw new Error(`build-image needs ${k}`);
  }
  const ecr = new ECRClient({});
  const codebuild = new CodeBuildClient({});

  // Tags are immutable: an image already pushed under this tag is the one to run.
  const existing = await findImage(ecr, repositoryName, imageTag);
  if (existing) return { imageDigest: existing, imageTag, reused: true };

  let build = await runningBuildFor(codebuild, projectName, imageTag);
  if (!build) {
    build = (
      await codebuild.send(
        new StartBuildCommand({
          projectName,
          sourceVersion,
          environmentVariablesOverride: [{ name: "IMAGE_TAG", value: imageTag, type: "PLAINTEXT" }],
        }),
      )
    ).build;
  }
  for (;;) {
    if (build.buildStatus && build.buildStatus !== "IN_PROGRESS") break;
    if (context.getRemainingTimeInMillis() < POLL_MS + SAFETY_MS) {
      throw new Error(`build ${build.id} of ${imageTag} is still running; run the apply again once it has finished (logs: ${build.logs?.deepLink ?? "CodeBuild console"})`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
    build = (await codebuild.send(new BatchGetBuildsCommand({ ids: [build.id] }))).builds[0];
  }
  if (build.buildStatus !== "SUCCEEDED") {
    throw new Error(`build ${build.id} of ${sourceVersion} ended ${build.buildStatus} (logs: ${build.logs?.deepLink ?? "CodeBuild console"})`);
  }
  const digest = await findImage(ecr, repositoryName, imageTag);
  if (!digest) throw new Error(`build ${build.id} succeeded but ${repositoryName}:${imageTag} is not in ECR`);
  return { imageDigest: digest, imageTag, buildId: build.id, resolvedSourceVersion: build.resolvedSourceVersion };
}

async function startAmplifyJob(event) {
  const { appId, branchName } = event;
  if (!appId || !branchName) throw new Error("start-amplify-job needs appId and branchName");
  const amplify = new AmplifyClient({});
  try {
    const out = await amplify.send(new StartJobCommand({ appId, branchName, jobType: "RELEASE", jobReason: event.reason ?? "Started by Terraform" }));
    return { jobId: out.jobSummary.jobId, status: out.jobSummary.status };
  } catch (e) {
    // A build already pending or running (e.g. from a push) is as good.
    if (e.name !== "LimitExceededException") throw e;
    const jobs = (await amplify.send(new ListJobsCommand({ appId, branchName, maxResults: 5 }))).jobSummaries ?? [];
    const active = jobs.find((j) => j.status === "PENDING" || j.status === "PROVISIONING" || j.status === "RUNNING");
    if (!active) throw e;
    return { jobId: active.jobId, status: active.status };
  }
}
