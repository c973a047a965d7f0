import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildApp, ProjectStacks } from "../../stacks/app";
import { ConfigError } from "../../stacks/config";
import { resourcesOf, settingsWith, synthJson } from "../helpers";

/** A fresh folder under the OS temp dir (jest points TMPDIR at .tmp/jest). */
export function tempDir(prefix = "stacks-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every stack, built from the committed defaults with `overrides` as the config file. */
export function buildStacks(overrides: unknown = {}, env: Record<string, string> = {}): ProjectStacks {
  return buildApp(settingsWith(overrides, env), tempDir("build-"));
}

const chatJsonCache = new Map<string, any>();

/**
 * The parsed Terraform JSON of the chat stack for `overrides`. Synthesizing
 * is deterministic, so each variant is built once per test file; every
 * caller gets its own deep copy.
 */
export function chatJson(overrides: unknown = {}): any {
  const key = JSON.stringify(overrides);
  if (!chatJsonCache.has(key)) chatJsonCache.set(key, synthJson(buildStacks(overrides).chat));
  return structuredClone(chatJsonCache.get(key));
}

/**
 * Runs `app.synth()` (validations, default backend, manifest) and returns
 * the parsed `cdk.tf.json` of one stack, exactly as Terraform reads it.
 */
export function synthesizedStack(stacks: ProjectStacks, name: string): any {
  stacks.app.synth();
  return JSON.parse(fs.readFileSync(path.join(stacks.app.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
}

/** The one resource of a type, with its logical id; fails when there are none or several. */
export function only(json: any, type: string): [string, any] {
  const entries = Object.entries(resourcesOf(json, type));
  if (entries.length !== 1) throw new Error(`expected exactly one ${type}, found ${entries.length}: ${entries.map(([id]) => id).join(", ")}`);
  return entries[0];
}

/** The resource of a type whose attribute `key` equals `value`, with its logical id. */
export function findBy(json: any, type: string, key: string, value: unknown): [string, any] {
  const entries = Object.entries(resourcesOf(json, type)).filter(([, r]) => r[key] === value);
  if (entries.length !== 1) throw new Error(`expected one ${type} with ${key} = ${JSON.stringify(value)}, found ${entries.length}`);
  return entries[0];
}

/** A Terraform reference to an attribute of a resource: `${type.id.attribute}`. */
export const ref = (type: string, id: string, attribute = "id") => `\${${type}.${id}.${attribute}}`;

/** The problems of a configuration that must be rejected (fails the test when it is accepted). */
export function configProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.message);
    throw e;
  }
  throw new Error("expected a ConfigError, but the configuration was accepted");
}

/** The ConfigError a configuration is rejected with. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError, but the configuration was accepted");
}

/** Every file under `dir`, recursively, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Fake credentials that match the shapes the config loader and the
 * guardrails look for (built by concatenation, so no scanner mistakes this
 * file for a leak).
 */
export const FAKE = {
  classicToken: "ghp_" + "FAKEfake0123456789".repeat(2),
  fineGrainedToken: "github_pat_" + "11FAKE0000_" + "fakefakefake0123456789".repeat(2),
  accessKeyId: "AKIA" + "FAKEFAKE00000000",
} as const;

/** The seed's custom_routes type (before the per-route limits of issue 14). */
export const SEED_CUSTOM_ROUTES_TYPE = "map(object({ route_response_selection_expression = optional(string), path = optional(string) }))";

/** The production-edge inputs both modules share (issue 14), with their defaults: all optional. */
export const EDGE_VARIABLES: Record<string, unknown> = {
  domain_name: null,
  domain_certificate_arn: null,
  domain_hosted_zone_id: null,
  domain_api_mapping_key: null,
  domain_ip_address_type: "dualstack",
  connect_authorization_type: "NONE",
  connect_authorizer_function_arn: null,
  connect_authorizer_identity_sources: ["route.request.querystring.token"],
  connect_authorizer_credentials_role_arn: null,
  authorizer_context_headers: {},
};

/** The production-edge outputs both modules share (issue 14). */
export const EDGE_OUTPUTS = [
  "custom_domain_url",
  "custom_domain_target_domain_name",
  "custom_domain_hosted_zone_id",
  "custom_domain_certificate_arn",
  "connect_authorizer_id",
  "connect_route_arn",
];
