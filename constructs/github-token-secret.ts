import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { checkPattern, invalid, isUnresolved } from "./validation";

/**
 * What the secret holds when no token was given: the deploy action that reads
 * it (constructs/deploy-actions/index.js) fails with a message saying how to
 * give one.
 */
export const NO_TOKEN_PLACEHOLDER = "NO_TOKEN_GIVEN";

/** Properties of {@link GitHubTokenSecret}. */
export interface GitHubTokenSecretProps {
  /** Name of the secret. */
  readonly secretName: string;
  /**
   * The Terraform variable holding the token, declared `ephemeral`
   * (Terraform 1.10+; cdktf: `addOverride("ephemeral", true)`): its value goes
   * only into a write-only argument (Terraform 1.11+), so it is in neither the
   * plan nor the state. It may be null on runs that do not change the token.
   */
  readonly tokenVariable: TerraformVariable;
  /**
   * The version of the token: Terraform sends the write-only value only when
   * this changes, so raising it is how a new token is written.
   */
  readonly version: number;
  /**
   * Tags of the secret.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A Secrets Manager secret holding a GitHub token that Terraform writes but
 * never stores: the version's `secret_string_wo` is write-only, fed by an
 * ephemeral variable. The secret is deleted without a recovery window on
 * destroy (it is a copy of a token its owner holds), so a stack can be
 * destroyed and created again under the same name.
 */
export class GitHubTokenSecret extends Construct {
  public readonly resource: SecretsmanagerSecret;
  public readonly version: SecretsmanagerSecretVersion;
  /** ARN of the secret. */
  public readonly secretArn: string;

  constructor(scope: Construct, id: string, props: GitHubTokenSecretProps) {
    super(scope, id);
    checkPattern(
      "GitHubTokenSecret.secretName",
      props.secretName,
      /^[A-Za-z0-9/_+=.@-]{1,512}$/,
      "1 to 512 letters, digits or / _ + = . @ -",
      "rename the secret",
    );
    if (!isUnresolved(props.version) && !(Number.isInteger(props.version) && props.version >= 1)) {
      throw invalid("GitHubTokenSecret.version", "a whole number of at least 1", props.version, "start at 1 and raise it to write a new token");
    }
    this.resource = new SecretsmanagerSecret(this, "Resource", {
      name: props.secretName,
      description: "GitHub token the deploy actions read once to connect the Amplify app to its repository (written by Terraform, never stored in its state)",
      recoveryWindowInDays: 0,
      tags: props.tags,
    });
    // Written as HCL: cdktf's Op.eq renders a comparison with null as "undefined".
    const token = `var.${props.tokenVariable.friendlyUniqueId}`;
    this.version = new SecretsmanagerSecretVersion(this, "Version", {
      secretId: this.resource.id,
      secretStringWo: `\${${token} == null ? "${NO_TOKEN_PLACEHOLDER}" : ${token}}`,
      secretStringWoVersion: props.version,
    });
    this.secretArn = this.resource.arn;
  }
}
