// Deployment steps Terraform cannot express as resources, run by the
// deploy-actions Lambda that `aws_lambda_invocation` calls during apply:
//
//   {"action":"build-image", ...}        builds the backend image with CodeBuild
//                                        (or reuses an image already pushed with
//                                        that immutable tag) and returns its digest
//   {"action":"deploy-frontend", ...}    runs the frontend's CodeBuild build, which
//                                        publishes the site to an Amplify branch by
//                                        manual deployment, and waits until
//                                        Amplify has released it
//   {"action":"connect-repository", ...} connects an Amplify app to its GitHub
//                                        repository with the token read from
//                                        Secrets Manager (never returned, never
//                                        logged: it stays out of Terraform state)
//   {"action":"start-amplify-job", ...}  starts the Amplify branch's build
//   {"action":"api-gateway-account", ...} sets the region's API Gateway
//                                        CloudWatch role to a role the stacks
//                                        share, counting the stacks that use it
//                                        (invoked on create, update and delete)
//
// The two builds wait across several invocations when they take longer than
// one function's time (builds.js); the files hold one job each. Uses only the
// AWS SDK v3 clients the Lambda Node.js runtime provides.
"use strict";
const { buildImage, deployFrontend } = require("./builds");
const { connectRepository, startAmplifyJob, NO_TOKEN } = require("./amplify");
const { apiGatewayAccount } = require("./api-gateway-account");

const ACTIONS = {
  "build-image": buildImage,
  "deploy-frontend": deployFrontend,
  "connect-repository": connectRepository,
  "start-amplify-job": startAmplifyJob,
  "api-gateway-account": apiGatewayAccount,
};

exports.handler = async (event, context) => {
  const action = Object.prototype.hasOwnProperty.call(ACTIONS, event.action) ? ACTIONS[event.action] : undefined;
  if (!action) {
    const names = Object.keys(ACTIONS).map((a) => JSON.stringify(a));
    throw new Error(`action must be ${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}, got ${JSON.stringify(event.action)}`);
  }
  return action(event, context);
};

/** What the chat stack writes into its token secret when no token was given. */
exports.NO_TOKEN = NO_TOKEN;
