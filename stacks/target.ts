import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Guardrails } from "../constructs/guardrails";
import { Settings } from "./settings";
import { AWS_PROVIDER_VERSION } from "./provider";

/** The profile, in {@link EMULATOR_CONFIG_FILE}, that the emulator target's provider reads its endpoints from. */
export const EMULATOR_PROFILE = "wsgw-emulator";

/** The AWS shared config file beside each root that targets the emulator (cdk.tf.json, an override file). */
export const EMULATOR_CONFIG_FILE = "emulator.aws-config";

/** What a stack leaves out on its target, and why; printed at synth time. */
export interface Omission {
  readonly what: string;
  readonly why: string;
}

/**
 * What a deployment target can create, derived once from the settings by
 * {@link targetCapabilities}. Stacks ask these questions instead of which
 * target they deploy to.
 */
export interface TargetCapabilities {
  /** Where the stacks deploy. */
  readonly kind: Settings["target"]["kind"];
  /** Explicit API deployments (`aws_apigatewayv2_deployment`), used when autoDeploy is off. */
  readonly explicitDeployments: boolean;
  /** Lambda functions run: the deploy actions (image build, frontend build and publication, Amplify repository connection, the API Gateway account setting). */
  readonly lambda: boolean;
  /** Application Auto Scaling registers scalable targets (`aws_appautoscaling_target`). */
  readonly autoScaling: boolean;
  /** AWS Amplify hosts the frontend. */
  readonly amplify: boolean;
  /** ECR pull through cache rules (`aws_ecr_pull_through_cache_rule`), for the image build's Docker Hub cache. */
  readonly pullThroughCache: boolean;
  /** X-Ray sampling rules (`aws_xray_sampling_rule`), e.g. the rule that keeps health checks out of the traces. */
  readonly xraySamplingRules: boolean;
}

/** A capability a target may lack. */
export type Capability = Exclude<keyof TargetCapabilities, "kind">;

const CAPABILITIES: Record<Settings["target"]["kind"], TargetCapabilities> = {
  aws: { kind: "aws", explicitDeployments: true, lambda: true, autoScaling: true, amplify: true, pullThroughCache: true, xraySamplingRules: true },
  // moto 5.2 has no Amplify and no ECR pull through cache rules, and runs no
  // Lambda functions; it answers 500 on scalable targets' tags, cannot
  // create API Gateway v2 deployments and fails on X-Ray sampling rules.
  emulator: {
    kind: "emulator",
    explicitDeployments: false,
    lambda: false,
    autoScaling: false,
    amplify: false,
    pullThroughCache: false,
    xraySamplingRules: false,
  },
};

/** What is left out where a capability is missing, in the order it is reported. */
const LEFT_OUT: Record<Capability, Omission> = {
  explicitDeployments: { what: "aws_apigatewayv2_deployment", why: "the emulator cannot create deployments; the stage is created without one" },
  lambda: {
    what: "deploy-actions Lambda and its invocations (image build, frontend build and publication or Amplify repository connection, the region's API Gateway CloudWatch role setting)",
    why: "the emulator cannot run Lambda functions (target.lambdaStandInEndpoint names a stand-in that can)",
  },
  autoScaling: { what: "aws_appautoscaling_target and aws_appautoscaling_policy", why: "the emulator fails on scalable targets' tags" },
  amplify: { what: "the Amplify frontend (aws_amplify_app, aws_amplify_branch and the frontend's build project)", why: "the emulator has no Amplify" },
  pullThroughCache: { what: "aws_ecr_pull_through_cache_rule (the image build's Docker Hub cache)", why: "the emulator has no ECR pull through cache rules" },
  xraySamplingRules: {
    what: "aws_xray_sampling_rule (health checks are traced)",
    why: "the emulator fails on X-Ray sampling rules (moto 5.2)",
  },
};

/** The capabilities of the target the settings name. */
export function targetCapabilities(target: Settings["target"]): TargetCapabilities {
  const can = CAPABILITIES[target.kind];
  // A stand-in that runs Lambda functions (and their CodeBuild builds) sits in front of the emulator.
  if (target.kind === "emulator" && target.lambdaStandInEndpoint) return { ...can, lambda: true };
  return can;
}

/** The services a Lambda stand-in answers for the emulator target: Lambda itself, and the CodeBuild builds its functions run. */
export const LAMBDA_STAND_IN_SERVICES = ["lambda", "codebuild"] as const;

/**
 * What a stack leaves out: one entry for each capability it would use
 * (`uses`) that the target lacks, in a fixed order.
 */
export function omissionsFor(capabilities: TargetCapabilities, uses: Partial<Record<Capability, boolean>>): Omission[] {
  return (Object.keys(LEFT_OUT) as Capability[]).filter((c) => uses[c] && !capabilities[c]).map((c) => LEFT_OUT[c]);
}

/**
 * Provider arguments (Terraform's snake_case names) for the emulator on
 * loopback: dummy keys, one retry (the emulator answers unimplemented calls
 * with 500), path-style S3, and the endpoints from the profile
 * {@link EMULATOR_PROFILE} of the file {@link EMULATOR_CONFIG_FILE} in the
 * root's folder, which {@link emulatorAwsConfig} writes. The account id is
 * still requested from the emulated STS, so ARNs are complete.
 *
 * Not an `endpoints` block: hashicorp/aws 5.100 validates that block slowly,
 * ~2.3 CPU-s in each provider process of a command but the first (a plan of
 * one queue took 10.9 CPU-s with it, 3.5 without; docs/testing.md, "Where the
 * time goes"), every plan and apply of `npm run local` and the e2e suite. The
 * profile's `endpoint_url` is the AWS SDKs' "service-specific endpoints"
 * setting (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html):
 * in a profile it sends every service to the endpoint, so no service can be
 * forgotten as one missing from an `endpoints` block was; a `services`
 * section overrides it per service (Lambda and CodeBuild: the stand-in).
 * Without the file the provider stops before any request (the profile does
 * not exist). The environment outranks the file (AWS_ENDPOINT_URL,
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS): `npm run local` clears those for
 * terraform (scripts/local.ts).
 */
export function emulatorProviderArguments(): Record<string, unknown> {
  return {
    access_key: "test",
    secret_key: "test",
    skip_credentials_validation: true,
    skip_metadata_api_check: "true",
    skip_region_validation: true,
    max_retries: 1,
    s3_use_path_style: true,
    profile: EMULATOR_PROFILE,
    shared_config_files: [`\${path.root}/${EMULATOR_CONFIG_FILE}`],
  };
}

/**
 * The text of {@link EMULATOR_CONFIG_FILE}: the profile {@link EMULATOR_PROFILE}
 * with every service's endpoint the emulator's, and with a stand-in that runs
 * Lambda functions, Lambda's and CodeBuild's the stand-in's.
 */
export function emulatorAwsConfig(endpoint: string, lambdaStandIn?: string | null): string {
  const lines = [
    "# Written by the emulator target (stacks/target.ts): every AWS service of this root goes to the emulator on loopback.",
    `[profile ${EMULATOR_PROFILE}]`,
    `endpoint_url = ${endpoint}`,
  ];
  if (lambdaStandIn) {
    lines.push(`services = ${EMULATOR_PROFILE}-services`, "", `[services ${EMULATOR_PROFILE}-services]`);
    for (const service of LAMBDA_STAND_IN_SERVICES) lines.push(`${service} =`, `  endpoint_url = ${lambdaStandIn}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Configures the AWS provider of a root stack for its target: the real AWS
 * (region, default tags), or the emulator on loopback.
 */
export function configureProvider(stack: TerraformStack, settings: Settings, defaultTags: Record<string, string>): AwsProvider {
  const provider = new AwsProvider(stack, "aws", { region: settings.region, defaultTags: [{ tags: defaultTags }] });
  if (settings.target.kind === "emulator") {
    const args = emulatorProviderArguments();
    for (const [key, value] of Object.entries(args)) provider.addOverride(key, value);
    Guardrails.suppress(provider, "WSG-SEC-002", 'the emulator\'s fixed dummy credentials ("test"), accepted only by the emulator on loopback; not a secret');
  }
  stack.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION);
  return provider;
}
