import { TerraformStack } from "cdktf";
import { GitHubTokenSecret } from "../constructs/github-token-secret";
import { variable } from "./fixed-names";

/**
 * The GitHub token secret of a stack and the variables that feed it: the
 * ephemeral, sensitive `github_access_token` (written through a write-only
 * argument, never stored) and `github_access_token_version` (raised to write
 * a new token). Requires Terraform 1.11 in the stack.
 */
export function declareGitHubTokenSecret(stack: TerraformStack, secretName: string): GitHubTokenSecret {
  const token = variable(stack, "github_access_token", {
    type: "string",
    sensitive: true,
    default: null,
    description:
      "GitHub personal access token Amplify uses once, when the stack connects the frontend repository, to install its GitHub App. Give it as TF_VAR_github_access_token on the first apply; it is ephemeral (written to the stack's secret, never to the state) and can be revoked once the frontend is deployed.",
  });
  token.addOverride("ephemeral", true);
  const version = variable(stack, "github_access_token_version", {
    type: "number",
    default: 1,
    // Terraform's default (nullable), as first released.
    nullable: undefined,
    description: "Raise it to write a new github_access_token into the stack's secret (a write-only value is sent only when its version changes).",
  });
  // Ephemeral variables and write-only arguments.
  stack.addOverride("terraform.required_version", ">= 1.11.0");
  return new GitHubTokenSecret(stack, "github-token", { secretName, tokenVariable: token, version: version.numberValue });
}
