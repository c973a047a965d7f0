import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
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
 * Configures the AWS provider of a root stack for its target: the real AWS
 * (region, default tags) or the emulator on loopback (dummy keys, every
 * service's endpoint, one retry, account id kept so ARNs are complete).
 */
export function configureProvider(stack: TerraformStack, settings: Settings, defaultTags: Record<string, string>): AwsProvider {
  const emulator = settings.target.kind === "emulator";
  const endpoint = settings.target.emulatorEndpoint;
  const provider = new AwsProvider(stack, "aws", {
    region: settings.region,
    defaultTags: [{ tags: defaultTags }],
    ...(emulator
      ? {
          accessKey: "test",
          secretKey: "test",
          skipCredentialsValidation: true,
          skipMetadataApiCheck: "true",
          skipRegionValidation: true,
          // Unimplemented calls answer 500; retrying them would take minutes.
          maxRetries: 1,
          s3UsePathStyle: true,
          endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, endpoint]))],
        }
      : {}),
  });
  stack.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION);
  return provider;
}
