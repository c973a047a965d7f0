// Deployment steps Terraform cannot express as resources, run by the
// deploy-actions Lambda that `aws_lambda_invocation` calls during apply:
//
//   {"action":"build-image", ...}       builds the backend image with CodeBuild
//                                       (or reuses an image already pushed with
//                                       that immutable tag) and returns its digest
//   {"action":"connect-repository", ...} connects an Amplify app to its GitHub
//                                       repository with the token read from
//                                       Secrets Manager (never returned, never
//                                       logged: it stays out of Terraform state)
//   {"action":"start-amplify-job", ...} starts the Amplify branch's build
//   {"action":"check-api-gateway-account", ...} refuses to replace a CloudWatch
//                                       role the region's API Gateway account
//                                       already uses, unless told to
//   {"action":"deploy-frontend", ...}   runs the frontend's CodeBuild build, which
//                                       publishes the site to an Amplify branch by
//                                       manual deployment, and waits until
//                                       Amplify has released it
//
// Uses only the AWS SDK v3 clients the Lambda Node.js runtime provides.
"use strict";
const { BatchGetBuildsCommand, CodeBuildClient, ListBuildsForProjectCommand, StartBuildCommand } = require("@aws-sdk/client-codebuild");
const { DescribeImagesCommand, ECRClient } = require("@aws-sdk/client-ecr");
const { AmplifyClient, GetAppCommand, GetJobCommand, ListJobsCommand, StartJobCommand, UpdateAppCommand } = require("@aws-sdk/client-amplify");
const { APIGatewayClient, GetAccountCommand } = require("@aws-sdk/client-api-gateway");
const { createHash } = require("crypto");
const { GetSecretValueCommand, SecretsManagerClient } = require("@aws-sdk/client-secrets-manager");

const POLL_MS = Number(process.env.POLL_MS ?? 15000);
const SAFETY_MS = 30000;

exports.handler = async (event, context) => {
  switch (event.action) {
    case "build-image":
      return buildImage(event, context);
    case "connect-repository":
      return connectRepository(event);
    case "start-amplify-job":
      return startAmplifyJob(event);
    case "deploy-frontend":
      return deployFrontend(event, context);
    case "check-api-gateway-account":
      return checkApiGatewayAccount(event);
    default:
      throw new Error(
        `action must be "build-image", "connect-repository", "start-amplify-job", "deploy-frontend" or "check-api-gateway-account", got ${JSON.stringify(event.action)}`,
      );
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

/** A build of the project still running whose environment variable `name` is `value`. */
async function runningBuildWith(codebuild, projectName, name, value) {
  const ids = (await codebuild.send(new ListBuildsForProjectCommand({ projectName, sortOrder: "DESCENDING" }))).ids ?? [];
  if (ids.length === 0) return undefined;
  const builds = (await codebuild.send(new BatchGetBuildsCommand({ ids: ids.slice(0, 20) }))).builds ?? [];
  return builds.find((b) => b.buildStatus === "IN_PROGRESS" && (b.environment?.environmentVariables ?? []).some((v) => v.name === name && v.value === value));
}

/**
 * Polls a build until it has ended; fails, without waiting, when the Lambda
 * has not time enough left for another poll (the next apply finds the build
 * still running and waits for it).
 */
async function waitForBuild(codebuild, build, context, what) {
  for (;;) {
    if (build.buildStatus && build.buildStatus !== "IN_PROGRESS") return build;
    if (context.getRemainingTimeInMillis() < POLL_MS + SAFETY_MS) {
      throw new Error(
        `build ${build.id} of ${what} is still running; run the apply again once it has finished (logs: ${build.logs?.deepLink ?? "CodeBuild console"})`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
    build = (await codebuild.send(new BatchGetBuildsCommand({ ids: [build.id] }))).builds[0];
  }
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

  let build = await runningBuildWith(codebuild, projectName, "IMAGE_TAG", imageTag);
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
  build = await waitForBuild(codebuild, build, context, imageTag);
  if (build.buildStatus !== "SUCCEEDED") {
    throw new Error(`build ${build.id} of ${sourceVersion} ended ${build.buildStatus} (logs: ${build.logs?.deepLink ?? "CodeBuild console"})`);
  }
  const digest = await findImage(ecr, repositoryName, imageTag);
  if (!digest) throw new Error(`build ${build.id} succeeded but ${repositoryName}:${imageTag} is not in ECR`);
  return { imageDigest: digest, imageTag, buildId: build.id, resolvedSourceVersion: build.resolvedSourceVersion };
}

/**
 * The GitHub token in a secret: the plain token, or CodeBuild's JSON form
 * ({"ServerType":"GITHUB","AuthType":"PERSONAL_ACCESS_TOKEN","Token":"..."}).
 */
function tokenOf(secretString, secretArn) {
  let token = (secretString ?? "").trim();
  if (token.startsWith("{")) {
    let parsed;
    try {
      parsed = JSON.parse(token);
    } catch {
      throw new Error(`secret ${secretArn} holds JSON that does not parse; store the token alone, or CodeBuild's JSON with a "Token" key`);
    }
    token = typeof parsed.Token === "string" ? parsed.Token.trim() : "";
  }
  if (token === "" || token === exports.NO_TOKEN) {
    throw new Error(
      `secret ${secretArn} holds no GitHub token: apply again with TF_VAR_github_access_token set and github_access_token_version raised, or put the token in the secret given as chat.frontend.tokenSecretArn`,
    );
  }
  return token;
}

/** What the chat stack writes into its token secret when no token was given. */
exports.NO_TOKEN = "NO_TOKEN_GIVEN";

async function connectRepository(event) {
  const { appId, repository, tokenSecretArn } = event;
  for (const [k, v] of Object.entries({ appId, repository, tokenSecretArn })) {
    if (typeof v !== "string" || v === "") throw new Error(`connect-repository needs ${k}`);
  }
  const amplify = new AmplifyClient({});
  const app = (await amplify.send(new GetAppCommand({ appId }))).app;
  // Connected already (an apply that failed later and runs again): nothing to do.
  if (app?.repository === repository) return { appId, repository, connected: "already" };
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: tokenSecretArn }));
  const accessToken = tokenOf(secret.SecretString, tokenSecretArn);
  await amplify.send(new UpdateAppCommand({ appId, repository, accessToken }));
  // The result goes into the Terraform state: the token is never part of it.
  return { appId, repository, connected: "now" };
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

/**
 * Builds and publishes a frontend: starts the CodeBuild project at the git
 * ref (or waits for a build of the same deployment still running after an
 * earlier apply timed out), which zips the site, calls Amplify
 * CreateDeployment, uploads the zip to the returned URL and calls
 * StartDeployment, exporting the job id (constructs/frontend-build.ts). Then
 * polls Amplify GetJob until the release has SUCCEED; a FAILED or CANCELLED
 * job fails the apply. (Amplify API JobSummary.status: PENDING, PROVISIONING,
 * RUNNING, FAILED, SUCCEED, CANCELLING, CANCELLED; GetJob returns it as
 * job.summary.status. CodeBuild's BatchGetBuilds returns the build's
 * exportedEnvironmentVariables once post_build has ended.)
 */
async function deployFrontend(event, context) {
  const { projectName, appId, branchName, sourceVersion } = event;
  for (const [k, v] of Object.entries({ projectName, appId, branchName, sourceVersion })) {
    if (typeof v !== "string" || v === "") throw new Error(`deploy-frontend needs ${k}`);
  }
  // One deployment = one input: the same input after a timed-out apply joins
  // the build still running instead of starting a second one.
  const deployKey = createHash("sha256")
    .update(JSON.stringify([projectName, appId, branchName, sourceVersion, event.environment ?? {}, event.buildSpec ?? ""]))
    .digest("hex")
    .slice(0, 32);
  const codebuild = new CodeBuildClient({});
  let build = await runningBuildWith(codebuild, projectName, "DEPLOY_KEY", deployKey);
  if (!build) {
    build = (
      await codebuild.send(
        new StartBuildCommand({ projectName, sourceVersion, environmentVariablesOverride: [{ name: "DEPLOY_KEY", value: deployKey, type: "PLAINTEXT" }] }),
      )
    ).build;
  }
  build = await waitForBuild(codebuild, build, context, `the frontend at ${sourceVersion}`);
  if (build.buildStatus !== "SUCCEEDED") {
    throw new Error(`build ${build.id} of the frontend at ${sourceVersion} ended ${build.buildStatus} (logs: ${build.logs?.deepLink ?? "CodeBuild console"})`);
  }
  const jobId = (build.exportedEnvironmentVariables ?? []).find((v) => v.name === "AMPLIFY_JOB_ID")?.value;
  if (!jobId) throw new Error(`build ${build.id} succeeded but exported no AMPLIFY_JOB_ID: its build spec is not the one FrontendBuild writes`);

  const amplify = new AmplifyClient({});
  const where = `Amplify console, app ${appId}, branch ${branchName}, job ${jobId}`;
  for (;;) {
    const status = (await amplify.send(new GetJobCommand({ appId, branchName, jobId }))).job?.summary?.status;
    if (status === "SUCCEED") return { appId, branchName, jobId, status, buildId: build.id, resolvedSourceVersion: build.resolvedSourceVersion };
    if (status === "FAILED" || status === "CANCELLED")
      throw new Error(`Amplify release ${jobId} of the frontend at ${sourceVersion} ended ${status} (${where})`);
    if (context.getRemainingTimeInMillis() < POLL_MS + SAFETY_MS) {
      throw new Error(`Amplify release ${jobId} of the frontend is still ${status}; check it (${where}) and run the apply again`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Runs before a stack sets the region's API Gateway CloudWatch role
 * (aws_api_gateway_account): one setting per account and region, used by the
 * logs of every REST and WebSocket API there. Passes when the region has no
 * role or has this one; a different role is replaced only when the event says
 * `replaceExisting`, otherwise the apply stops here, saying what to set.
 * Returns the role found, which the state keeps (destroy resets the setting;
 * it cannot restore that role).
 */
async function checkApiGatewayAccount(event) {
  const { roleArn, manageSetting, replaceSetting } = event;
  for (const [k, v] of Object.entries({ roleArn, manageSetting, replaceSetting })) {
    if (typeof v !== "string" || v === "") throw new Error(`check-api-gateway-account needs ${k}`);
  }
  const current = (await new APIGatewayClient({}).send(new GetAccountCommand({}))).cloudwatchRoleArn || null;
  const region = process.env.AWS_REGION ?? "this region";
  if (current === null) return { previousRoleArn: null, outcome: "set" };
  if (current === roleArn) return { previousRoleArn: current, outcome: "unchanged" };
  if (event.replaceExisting === true) return { previousRoleArn: current, outcome: "replaced" };
  throw new Error(
    `the API Gateway account of ${region} already uses the CloudWatch role ${current} for the logs of every API there: ` +
      `set ${manageSetting} to false to keep it (this stack's logs go through it), or ${replaceSetting} to true to replace it ` +
      `(destroying the stack then resets the setting; it does not restore ${current})`,
  );
}
