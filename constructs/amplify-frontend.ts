import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { Fn, ITerraformDependable } from "cdktf";
import { createHash } from "crypto";
import { Construct } from "constructs";
import { DeployActions } from "./deploy-actions";
import { escapeTerraformTemplate } from "./escape";
import { GIT_REF } from "./rules";
import { checkGitHubRepositoryUrl, checkPattern } from "./validation";

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
   * ARN of the Secrets Manager secret holding the GitHub personal access token
   * Amplify uses once, when the repository is connected, to install its
   * GitHub App (the plain token, or CodeBuild's JSON with a `Token` key). The
   * deploy actions read it inside Lambda: the token never passes through
   * Terraform, so it is in neither the configuration nor the state.
   */
  readonly tokenSecretArn: string;
  /**
   * What must exist before the token is read (e.g. the secret version that
   * writes it).
   * @default - nothing
   */
  readonly tokenDependsOn?: ITerraformDependable[];
  /**
   * Runs the deployment steps: connecting the repository and starting builds.
   */
  readonly deployActions: DeployActions;
  /**
   * Starts the branch's first build during apply (Amplify builds only on
   * pushes otherwise), and again when the environment changes.
   * @default true
   */
  readonly startBuild?: boolean;
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

/** The rewrite client-side routing needs: every path Amplify has no file for serves `/index.html` (status 404). */
export const SPA_REWRITE = { source: "/<*>", target: "/index.html", status: "404" };

/** Checks an Amplify app name and branch name (`<construct>.appName`, `<construct>.branchName`). */
export function checkAmplifyNames(construct: string, appName: string, branchName: string): void {
  checkPattern(`${construct}.appName`, appName, /^[A-Za-z0-9_-]{1,255}$/, "1 to 255 letters, digits, hyphens or underscores", "rename the app");
  GIT_REF.with({ rule: "a Git branch name", fix: 'use for example "main"' }).check(`${construct}.branchName`, branchName);
}

/** `https://<branch, slashes as hyphens>.<app default domain>`. */
export function amplifyBranchUrl(branchName: string, defaultDomain: string): string {
  return `https://${Fn.replace(branchName, "/", "-")}.${defaultDomain}`;
}

/**
 * A static web frontend on AWS Amplify Hosting, built from GitHub
 * (`aws_amplify_app`, id `Resource`, and one branch), with the rewrite
 * client-side routing needs (`/<*>` to `/index.html`, status 404).
 *
 * `aws_amplify_app` keeps `access_token` in the Terraform state, so the app
 * is created without a repository and the deploy actions connect it
 * (Amplify UpdateApp with the repository and the token read from Secrets
 * Manager) before the branch is created; Terraform then ignores the
 * `repository` it reads back.
 *
 * Amplify connects GitHub through its GitHub App, and the token's user must
 * be an admin of the repository whatever the token's scopes
 * (aws-amplify/amplify-hosting#2160, aws/aws-cdk#9455): this mode suits a
 * user's own fork. Amplify adds a webhook to the repository that
 * `terraform destroy` does not remove; see the README for how to delete it.
 * {@link AmplifyManualFrontend} needs neither a token nor a repository admin.
 */
export class AmplifyFrontend extends Construct {
  public readonly resource: AmplifyApp;
  public readonly branch: AmplifyBranch;
  /** `https://<branch>.<app id>.amplifyapp.com`. */
  public readonly url: string;

  /** The deploy action that connects the repository to the app. */
  public readonly connection: LambdaInvocation;

  constructor(scope: Construct, id: string, props: AmplifyFrontendProps) {
    super(scope, id);
    const branchName = props.branchName ?? "main";
    checkAmplifyNames("AmplifyFrontend", props.appName, branchName);
    checkGitHubRepositoryUrl("AmplifyFrontend.repositoryUrl", props.repositoryUrl);
    checkPattern(
      "AmplifyFrontend.tokenSecretArn",
      props.tokenSecretArn,
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
      "a Secrets Manager secret ARN",
      "give the ARN of the secret that holds the token",
    );
    this.resource = new AmplifyApp(this, "Resource", {
      name: props.appName,
      platform: "WEB",
      buildSpec: escapeTerraformTemplate(props.buildSpec ?? STATIC_EXPORT_BUILD_SPEC),
      environmentVariables: props.environmentVariables,
      enableBranchAutoBuild: true,
      customRule: [SPA_REWRITE],
      tags: props.tags,
      // Set by the connect-repository deploy action, not by Terraform.
      lifecycle: { ignoreChanges: ["repository"] },
    });

    const actions = props.deployActions;
    actions.allow({ sid: "ReadFrontendToken", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [props.tokenSecretArn] });
    actions.allow({ sid: "ConnectFrontendRepository", effect: "Allow", actions: ["amplify:GetApp", "amplify:UpdateApp"], resources: [this.resource.arn] });
    this.connection = actions.invoke(
      "ConnectRepository",
      {
        action: "connect-repository",
        appId: this.resource.id,
        repository: props.repositoryUrl,
        tokenSecretArn: props.tokenSecretArn,
      },
      props.tokenDependsOn,
    );

    this.branch = new AmplifyBranch(this, "Branch", {
      appId: this.resource.id,
      branchName,
      stage: "PRODUCTION",
      enableAutoBuild: true,
      tags: props.tags,
      // A branch created before the repository is connected never builds.
      dependsOn: [this.connection],
    });
    this.url = amplifyBranchUrl(branchName, this.resource.defaultDomain);

    if (props.startBuild ?? true) {
      const branchArn = `${this.resource.arn}/branches/${branchName}`;
      actions.allow({
        sid: "StartFrontendBuild",
        effect: "Allow",
        actions: ["amplify:StartJob", "amplify:ListJobs"],
        // The branch's ARN, built from the app's: the role's policy must not
        // wait for the branch, which waits for the connect action.
        resources: [branchArn, `${branchArn}/jobs/*`],
      });
      actions.invoke(
        "StartFirstBuild",
        {
          action: "start-amplify-job",
          appId: this.resource.id,
          branchName: this.branch.branchName,
          // A new value (e.g. a new WebSocket URL) is built into a new release.
          environment: props.environmentVariables ?? {},
          // Hashed here: a spec with double quotes cannot be an argument of Terraform's sha1().
          buildSpec: createHash("sha1")
            .update(props.buildSpec ?? STATIC_EXPORT_BUILD_SPEC)
            .digest("hex"),
          reason: "Started by Terraform after creating the branch or changing its build environment",
        },
        [this.branch],
      );
    }
  }
}
