import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import * as path from "path";
import { committedDefaults, readCdktfContext, resolveSettings } from "../stacks/config";
import { Settings } from "../stacks/settings";

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The committed defaults: the schema's, with cdktf.json's context.settings over them. */
export function defaultSettingsSource(): Record<string, unknown> {
  return committedDefaults(readCdktfContext(PROJECT_DIR).settings);
}

/** Settings from the committed defaults with `overrides` as the config file. */
export function settingsWith(overrides: unknown = {}, env: Record<string, string> = {}): Settings {
  return resolveSettings({ defaults: defaultSettingsSource(), defaultsOrigin: "cdktf.json", file: overrides, fileOrigin: "test.json", env });
}

/** A fresh stack with an AWS provider, for construct tests. */
export function newStack(id = "test"): TerraformStack {
  const app = Testing.app({ context: { excludeStackIdFromLogicalIds: "true", allowSepCharsInLogicalIds: "true" } });
  const stack = new TerraformStack(app as unknown as App, id);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return stack;
}

/** The synthesized Terraform JSON of a stack, parsed. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** Resources of one type, keyed by logical id. */
export function resourcesOf(json: any, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The deploy-action invocations (`aws_lambda_invocation`), keyed by the action in their input, as [logical id, block]. */
export function invocationsByAction(json: any): Record<string, [string, any]> {
  // An action invoked in steps (DeployActions.invokeUntilDone) is known by its first step.
  const first = Object.entries<any>(resourcesOf(json, "aws_lambda_invocation")).filter(([, i]) => !/"step" = ([2-9]|\d\d)/.test(i.input));
  return Object.fromEntries(first.map(([id, i]) => [/"action" = "([^"]+)"/.exec(i.input)![1], [id, i]]));
}

/** The invocations of an action invoked in steps, in order (step 1 first). */
export function invocationSteps(json: any, action: string): [string, any][] {
  const steps = Object.entries<any>(resourcesOf(json, "aws_lambda_invocation")).filter(([, i]) => i.input.includes(`"action" = "${action}"`));
  const step = (i: any) => Number(/"step" = (\d+)/.exec(i.input)?.[1] ?? 1);
  return steps.sort(([, a], [, b]) => step(a) - step(b));
}

/** Data sources of one type, keyed by logical id. */
export function dataOf(json: any, type: string): Record<string, any> {
  return json.data?.[type] ?? {};
}

/** The one resource of a type; fails when there are none or several. */
export function onlyResource(json: any, type: string): any {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/**
 * The resource of a type whose construct path ends with `suffix` (e.g.
 * "backend/Tracing/Logs"). Testing.synth drops the path metadata, so this
 * matches the logical id, which cdktf builds from the path and a hash.
 */
export function resourceAt(json: any, type: string, suffix: string): any {
  const escaped = suffix.replace(/\//g, "_").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(^|_)${escaped}_[0-9A-F]{8}$`);
  const found = Object.entries(resourcesOf(json, type)).filter(([id]) => pattern.test(id));
  if (found.length !== 1) throw new Error(`expected one ${type} at .../${suffix}, found ${found.length}: ${Object.keys(resourcesOf(json, type)).join(", ")}`);
  return found[0][1];
}

/** The IAM policy document (data source) a policy's `${data...json}` reference points to. */
export function policyDocumentOf(json: any, policy: string): any {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy);
  if (!m) throw new Error(`not a policy document reference: ${policy}`);
  return json.data.aws_iam_policy_document[m[1]];
}

/** The message a construct is rejected with; fails the test when it is accepted. */
export function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the construct to be rejected");
}
