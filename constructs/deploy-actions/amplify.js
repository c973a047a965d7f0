// Amplify apps connected to a repository: the connection (with a token read
// from Secrets Manager, which never leaves the function) and the first build.
"use strict";
const { AmplifyClient, GetAppCommand, ListJobsCommand, StartJobCommand, UpdateAppCommand } = require("@aws-sdk/client-amplify");

/** What the chat stack writes into its token secret when no token was given. */
const NO_TOKEN = "NO_TOKEN_GIVEN";

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
  if (token === "" || token === NO_TOKEN) {
    throw new Error(
      `secret ${secretArn} holds no GitHub token: apply again with TF_VAR_github_access_token set and github_access_token_version raised, or put the token in the secret given as chat.frontend.tokenSecretArn`,
    );
  }
  return token;
}

async function connectRepository(event) {
  const { appId, repository, tokenSecretArn } = event;
  for (const [k, v] of Object.entries({ appId, repository, tokenSecretArn })) {
    if (typeof v !== "string" || v === "") throw new Error(`connect-repository needs ${k}`);
  }
  const amplify = new AmplifyClient({});
  const app = (await amplify.send(new GetAppCommand({ appId }))).app;
  // Connected already (an apply that failed later and runs again): nothing to do.
  if (app?.repository === repository) return { appId, repository, connected: "already" };
  // Required here, not above: only this action reads a secret.
  const { GetSecretValueCommand, SecretsManagerClient } = require("@aws-sdk/client-secrets-manager");
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

module.exports = { connectRepository, startAmplifyJob, NO_TOKEN };
