import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { GitHubTokenSecret, GitHubTokenSecretProps, NO_TOKEN_PLACEHOLDER } from "../../constructs/github-token-secret";
import { newStack, onlyResource, synthJson } from "../helpers";

function secret(overrides: Partial<GitHubTokenSecretProps> = {}, stack: TerraformStack = newStack()) {
  const tokenVariable = new TerraformVariable(stack, "github_access_token", { type: "string", sensitive: true, nullable: true });
  tokenVariable.addOverride("ephemeral", true);
  return { stack, secret: new GitHubTokenSecret(stack, "token", { secretName: "chat-dev-github-token", tokenVariable, version: 1, ...overrides }) };
}

describe("GitHubTokenSecret", () => {
  test("writes the ephemeral variable into a write-only argument, with a placeholder when it is null", () => {
    // GIVEN / WHEN
    const { stack, secret: s } = secret();
    new TerraformOutput(stack, "probe", { value: s.secretArn });
    // THEN
    const json = synthJson(stack);
    const version = onlyResource(json, "aws_secretsmanager_secret_version");
    expect(version).toEqual({
      secret_id: `\${aws_secretsmanager_secret.${s.resource.friendlyUniqueId}.id}`,
      secret_string_wo: `\${var.github_access_token == null ? "${NO_TOKEN_PLACEHOLDER}" : var.github_access_token}`,
      secret_string_wo_version: 1,
    });
    // nothing that Terraform would store
    expect(version.secret_string).toBeUndefined();
    expect(json.output.probe.value).toBe(`\${aws_secretsmanager_secret.${s.resource.friendlyUniqueId}.arn}`);
  });

  test("creates the secret without a recovery window, so the stack can be recreated under the same name", () => {
    const { stack } = secret({ tags: { app: "chat" } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: "chat-dev-github-token",
      recovery_window_in_days: 0,
      tags: { app: "chat" },
    });
  });

  test("passes a version from a variable through", () => {
    const stack = newStack();
    const version = new TerraformVariable(stack, "v", { type: "number" });
    secret({ version: version.numberValue }, stack);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SecretsmanagerSecretVersion, { secret_string_wo_version: "${var.v}" });
  });

  test("fails when the version is not a whole number of at least 1", () => {
    expect(() => secret({ version: 0 })).toThrow(
      "GitHubTokenSecret.version must be a whole number of at least 1, got 0: start at 1 and raise it to write a new token",
    );
    expect(() => secret({ version: 1.5 })).toThrow(/GitHubTokenSecret.version must be a whole number of at least 1, got 1.5/);
  });

  test("fails when the secret name has characters Secrets Manager rejects", () => {
    expect(() => secret({ secretName: "chat token" })).toThrow(
      'GitHubTokenSecret.secretName must be 1 to 512 letters, digits or / _ + = . @ -, got "chat token": rename the secret',
    );
  });
});
