import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DeployActions } from "./deploy-actions";
import { escapeTerraformTemplate } from "./escape";
import { checkPattern } from "./validation";

/** Properties of {@link AmplifyFrontend}. */
export interface AmplifyFrontendProps {
  /** Name of the Amplify app. */
  readonly appName: string;
  /** `https://github.com/<owner>/<repo>` of the frontend. */
  readonly repositoryUrl: string;
  /**
   * Branch to deploy.
   * @default "main"
   */
  readonly branchName?: string;
  /**
   * GitHub personal access token Amplify uses once, at app creation, to
   * install its GitHub App on the repository. Pass a sensitive Terraform
   * value (variable or secret lookup), never a literal. Amplify does not keep
   * it; the token can be revoked after the first apply.
   */
  readonly accessToken: string;
  /**
   * Build-time environment variables (the frontend reads `WEBSOCKET_URL`).
   * @default - none
   */
  readonly environmentVariables?: Record<string, string>;
  /**
   * Amplify build spec.
   * @default - npm install, npm run build, publish out/ (a static export)
   */
  readonly buildSpec?: string;
  /**
   * Starts the branch's first build during apply (Amplify builds only on
   * pushes otherwise), and again when the environment changes.
   * @default - no build is started
   */
  readonly deployActions?: DeployActions;
  /**
   * Tags of the app and branch.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/** The build spec of a Next.js static export, as the chat frontend needs. */
export const STATIC_EXPORT_BUILD_SPEC = [
  "version: 1",
  "frontend:",
  "  phases:",
  "    preBuild:",
  "      commands:",
  "        - npm install",
  "    build:",
  "      commands:",
  "        - npm run build",
  "  artifacts:",
  "    baseDirectory: out",
  "    files:",
  "      - '**/*'",
  "  cache:",
  "    paths:",
  "      - node_modules/**/*",
  "",
].join("\n");

/**
 * A static web frontend on AWS Amplify Hosting, built from GitHub
 * (`aws_amplify_app`, id `Resource`, and one branch), with the rewrite
 * client-side routing needs (`/<*>` to `/index.html`, status 404).
 *
 * Amplify adds a webhook to the GitHub repository that `terraform destroy`
 * does not remove; see the README for how to delete it.
 */
export class AmplifyFrontend extends Construct {
  public readonly resource: AmplifyApp;
  public readonly branch: AmplifyBranch;
  /** `https://<branch>.<app id>.amplifyapp.com`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: AmplifyFrontendProps) {
    super(scope, id);
    const branchName = props.branchName ?? "main";
    checkPattern("AmplifyFrontend.appName", props.appName, /^[A-Za-z0-9_-]{1,255}$/, "1 to 255 letters, digits, hyphens or underscores", "rename the app");
    checkPattern("AmplifyFrontend.branchName", branchName, /^(?!\/)(?!.*\/$)(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/, "a Git branch name", 'use for example "main"');
    this.resource = new AmplifyApp(this, "Resource", {
      name: props.appName,
      repository: props.repositoryUrl,
      accessToken: props.accessToken,
      platform: "WEB",
      buildSpec: escapeTerraformTemplate(props.buildSpec ?? STATIC_EXPORT_BUILD_SPEC),
      environmentVariables: props.environmentVariables,
      enableBranchAutoBuild: true,
      customRule: [{ source: "/<*>", target: "/index.html", status: "404" }],
      tags: props.tags,
    });
    this.branch = new AmplifyBranch(this, "Branch", {
      appId: this.resource.id,
      branchName,
      stage: "PRODUCTION",
      enableAutoBuild: true,
      tags: props.tags,
    });
    this.url = `https://${Fn.replace(branchName, "/", "-")}.${this.resource.defaultDomain}`;

    if (props.deployActions) {
      props.deployActions.allow({
        sid: "StartFrontendBuild",
        effect: "Allow",
        actions: ["amplify:StartJob", "amplify:ListJobs"],
        resources: [this.branch.arn, `${this.branch.arn}/jobs/*`],
      });
      props.deployActions.invoke(
        "StartFirstBuild",
        {
          action: "start-amplify-job",
          appId: this.resource.id,
          branchName: this.branch.branchName,
          // A new value (e.g. a new WebSocket URL) is built into a new release.
          environment: props.environmentVariables ?? {},
          buildSpec: Fn.sha1(escapeTerraformTemplate(props.buildSpec ?? STATIC_EXPORT_BUILD_SPEC)),
          reason: "Started by Terraform after creating the branch or changing its build environment",
        },
        [this.branch],
      );
    }
  }
}
