import { TerraformStack, Testing } from "cdktf";
import { configureProvider, EMULATOR_PROFILE, emulatorAwsConfig, emulatorProviderArguments, omissionsFor, targetCapabilities } from "../../stacks/target";
import { settingsWith, synthJson } from "../helpers";

/** A bare stack with the provider configured for `overrides`. */
function stackWith(overrides: unknown) {
  const stack = new TerraformStack(Testing.app(), "chat");
  configureProvider(stack, settingsWith(overrides), { Stack: "chat" });
  return synthJson(stack);
}

describe("emulatorProviderArguments", () => {
  test("dummy keys, one retry, and the endpoints from the emulator profile of the file beside the root (no endpoints block)", () => {
    expect(emulatorProviderArguments()).toEqual({
      access_key: "test",
      secret_key: "test",
      skip_credentials_validation: true,
      skip_metadata_api_check: "true",
      skip_region_validation: true,
      max_retries: 1,
      s3_use_path_style: true,
      profile: "wsgw-emulator",
      shared_config_files: ["${path.root}/emulator.aws-config"],
    });
  });
});

describe("emulatorAwsConfig", () => {
  test("sends every service to the emulator: endpoint_url in the profile itself, no per-service list", () => {
    const text = emulatorAwsConfig("http://127.0.0.1:5000");
    expect(text.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([`[profile ${EMULATOR_PROFILE}]`, "endpoint_url = http://127.0.0.1:5000"]);
  });

  test("with a Lambda stand-in, sends Lambda and CodeBuild to it in a services section, the rest to the emulator", () => {
    const text = emulatorAwsConfig("http://127.0.0.1:5000", "http://127.0.0.1:6000");
    expect(text.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      "[profile wsgw-emulator]",
      "endpoint_url = http://127.0.0.1:5000",
      "services = wsgw-emulator-services",
      "[services wsgw-emulator-services]",
      "lambda =",
      "  endpoint_url = http://127.0.0.1:6000",
      "codebuild =",
      "  endpoint_url = http://127.0.0.1:6000",
    ]);
  });
});

describe("configureProvider", () => {
  test("configures the region and default tags for AWS, and pins the provider version", () => {
    // GIVEN / WHEN
    const json = stackWith({ region: "eu-west-1" });
    // THEN
    expect(json.provider.aws).toEqual([{ region: "eu-west-1", default_tags: [{ tags: { Stack: "chat" } }] }]);
    expect(json.terraform.required_providers.aws.version).toBe(">= 5.100.0, < 6.0.0");
  });

  test("points the provider at the emulator on the emulator target", () => {
    const json = stackWith({ target: { kind: "emulator", emulatorEndpoint: "http://localhost:4566" } });
    expect(json.provider.aws).toEqual([{ region: "us-east-1", default_tags: [{ tags: { Stack: "chat" } }], ...emulatorProviderArguments() }]);
  });
});

describe("targetCapabilities", () => {
  test("gives AWS every capability", () => {
    expect(targetCapabilities(settingsWith({}).target)).toEqual({
      kind: "aws",
      explicitDeployments: true,
      lambda: true,
      autoScaling: true,
      amplify: true,
      pullThroughCache: true,
      xraySamplingRules: true,
    });
  });

  test("gives the emulator none of the capabilities it lacks", () => {
    expect(targetCapabilities(settingsWith({ target: { kind: "emulator" } }).target)).toEqual({
      kind: "emulator",
      explicitDeployments: false,
      lambda: false,
      autoScaling: false,
      amplify: false,
      pullThroughCache: false,
      xraySamplingRules: false,
    });
  });
});

describe("omissionsFor", () => {
  const aws = targetCapabilities(settingsWith({}).target);
  const emulator = targetCapabilities(settingsWith({ target: { kind: "emulator" } }).target);

  test("leaves nothing out on a target that has every capability", () => {
    expect(
      omissionsFor(aws, { explicitDeployments: true, lambda: true, autoScaling: true, amplify: true, pullThroughCache: true, xraySamplingRules: true }),
    ).toEqual([]);
  });

  test("lists only what is used and missing, in a fixed order, saying why", () => {
    // GIVEN / WHEN
    const omissions = omissionsFor(emulator, { amplify: true, autoScaling: false, explicitDeployments: true });
    // THEN
    expect(omissions.map((o) => o.what)).toEqual([
      "aws_apigatewayv2_deployment",
      "the Amplify frontend (aws_amplify_app, aws_amplify_branch and the frontend's build project)",
    ]);
    for (const o of omissions) expect(o.why).toMatch(/^the emulator /);
  });
});
