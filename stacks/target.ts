import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Guardrails } from "../constructs/guardrails";
import { Settings } from "./settings";
import { AWS_PROVIDER_VERSION } from "./provider";

/**
 * Every AWS service the stacks call: on the emulator target each one is
 * pointed at the emulator, so no request can reach a real AWS endpoint.
 */
export const EMULATED_SERVICES = [
  "amplify",
  "apigateway",
  "apigatewayv2",
  "appautoscaling",
  "cloudwatch",
  "cloudwatchlogs",
  "codebuild",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "elbv2",
  "iam",
  "kms",
  "lambda",
  "s3",
  "secretsmanager",
  "sns",
  "ssm",
  "sts",
  "xray",
] as const;

/** What the emulator target leaves out, and why; printed at synth time. */
export interface Omission {
  readonly what: string;
  readonly why: string;
}

/**
 * Provider arguments (Terraform's snake_case names) for the emulator on
 * loopback: dummy keys, every used service's endpoint, one retry (the
 * emulator answers unimplemented calls with 500), path-style S3. The account
 * id is still requested from the emulated STS, so ARNs are complete.
 */
export function emulatorProviderArguments(endpoint: string): Record<string, unknown> {
  return {
    access_key: "test",
    secret_key: "test",
    skip_credentials_validation: true,
    skip_metadata_api_check: "true",
    skip_region_validation: true,
    max_retries: 1,
    s3_use_path_style: true,
    endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
  };
}

/**
 * Configures the AWS provider of a root stack for its target: the real AWS
 * (region, default tags), or the emulator on loopback.
 */
export function configureProvider(stack: TerraformStack, settings: Settings, defaultTags: Record<string, string>): AwsProvider {
  const provider = new AwsProvider(stack, "aws", { region: settings.region, defaultTags: [{ tags: defaultTags }] });
  if (settings.target.kind === "emulator") {
    for (const [key, value] of Object.entries(emulatorProviderArguments(settings.target.emulatorEndpoint))) provider.addOverride(key, value);
    Guardrails.suppress(provider, "WSG-SEC-002", "the emulator's fixed dummy credentials (\"test\"), accepted only by the emulator on loopback; not a secret");
  }
  stack.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION);
  return provider;
}
