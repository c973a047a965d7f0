import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { Construct } from "constructs";
import { amplifyBranchUrl, checkAmplifyNames, SPA_REWRITE } from "./amplify-frontend";
import { DeployActions } from "./deploy-actions";
import { FrontendBuild } from "./frontend-build";
import { FRONTEND_BUILD_NAME } from "./rules";

/** Properties of {@link AmplifyManualFrontend}. */
export interface AmplifyManualFrontendProps {
  /** Name of the Amplify app and of its CodeBuild project (whose role is `<appName>-build`). */
  readonly appName: string;
  /** `https://github.com/<owner>/<repo>` of the frontend; public, unless `tokenSecretArn` is given. */
  readonly repositoryUrl: string;
  /**
   * Branch, tag or commit of the repository to build. A branch is read when a
   * build runs (during apply, when something of the build changed): pin a tag
   * or commit to know exactly what is deployed.
   * @default "main"
   */
  readonly gitRef?: string;
  /**
   * Name of the Amplify branch (the site's URL is `https://<branch>.<app domain>`).
   * @default "main"
   */
  readonly branchName?: string;
  /**
   * Builds and publishes the site during apply, and again when the ref, the
   * environment or the build changes.
   */
  readonly deployActions: DeployActions;
  /**
   * Build-time environment variables (the chat frontend reads `WEBSOCKET_URL`).
   * @default - none
   */
  readonly environmentVariables?: Record<string, string>;
  /**
   * Secrets Manager secret with a GitHub token (CodeBuild's JSON form), only
   * for a private repository.
   * @default - none: a public repository, no token at all
   */
  readonly tokenSecretArn?: string;
  /**
   * Commands that build the site.
   * @default - `npm ci` (or `npm install`), then `npm run build`
   */
  readonly buildCommands?: string[];
  /**
   * Folder with the built site, relative to the repository root.
   * @default "out" (a Next.js static export)
   */
  readonly outputDirectory?: string;
  /**
   * Node.js major version of the build.
   * @default "22"
   */
  readonly nodeVersion?: string;
  /**
   * Retention of the build log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A static web frontend on AWS Amplify Hosting published by manual
 * deployment: an app with no repository (`aws_amplify_app`, id `Resource`),
 * its production branch, and a {@link FrontendBuild} that builds the GitHub
 * repository at a git ref with the environment variables set and publishes
 * it to the branch during apply. No GitHub token, no repository admin and no
 * webhook on any repository: Amplify never connects to GitHub.
 *
 * Amplify cannot turn an app connected to a repository into a manually
 * deployed one or back (aws-amplify/amplify-hosting#2930): the two modes are
 * different apps, so this construct and {@link AmplifyFrontend} are placed
 * under different construct ids, and switching replaces the app (and its URL).
 * A branch of a manually deployed app is created as for any app and is the
 * target of CreateDeployment / StartDeployment (API reference; the AWS CLI's
 * `create-branch` then `create-deployment`).
 */
export class AmplifyManualFrontend extends Construct {
  public readonly resource: AmplifyApp;
  public readonly branch: AmplifyBranch;
  public readonly build: FrontendBuild;
  /** `https://<branch>.<app id>.amplifyapp.com`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: AmplifyManualFrontendProps) {
    super(scope, id);
    const branchName = props.branchName ?? "main";
    checkAmplifyNames("AmplifyManualFrontend", props.appName, branchName);
    FRONTEND_BUILD_NAME.with({ fix: "it also names the CodeBuild project, whose role <appName>-build must fit IAM's 64 characters" }).check(
      "AmplifyManualFrontend.appName",
      props.appName,
    );
    this.resource = new AmplifyApp(this, "Resource", {
      name: props.appName,
      description: `Static site built from ${props.repositoryUrl} by CodeBuild and published by manual deployment`,
      platform: "WEB",
      customRule: [SPA_REWRITE],
      tags: props.tags,
    });
    this.branch = new AmplifyBranch(this, "Branch", {
      appId: this.resource.id,
      branchName,
      stage: "PRODUCTION",
      // Nothing to build from: releases come from the deployments.
      enableAutoBuild: false,
      tags: props.tags,
    });
    this.build = new FrontendBuild(this, "Build", {
      name: props.appName,
      source: { repositoryUrl: props.repositoryUrl, gitRef: props.gitRef ?? "main", tokenSecretArn: props.tokenSecretArn },
      target: { appId: this.resource.id, branchName: this.branch.branchName, branchArn: this.branch.arn },
      environmentVariables: props.environmentVariables,
      buildCommands: props.buildCommands,
      outputDirectory: props.outputDirectory,
      nodeVersion: props.nodeVersion,
      deployActions: props.deployActions,
      logRetentionInDays: props.logRetentionInDays,
      tags: props.tags,
    });
    this.url = amplifyBranchUrl(branchName, this.resource.defaultDomain);
  }
}
