import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { TerraformJson } from "../constructs/terraform-json";
import { ApiModel } from "./api-model";
import { ApiSelection, buildApiModel, TerraformResource } from "./api-resources";

/** Resource types the model reads; they must be plain values or references to each other. */
const READ_TYPES = [
  "aws_apigatewayv2_api",
  "aws_apigatewayv2_stage",
  "aws_apigatewayv2_route",
  "aws_apigatewayv2_route_response",
  "aws_apigatewayv2_integration",
  "aws_apigatewayv2_integration_response",
  "aws_apigatewayv2_authorizer",
  "aws_apigatewayv2_domain_name",
  "aws_apigatewayv2_api_mapping",
  "aws_api_gateway_vpc_link",
  "aws_lb",
  "aws_lb_listener",
];

/** Attributes of read resources that the model does not read and that may reference what only Terraform knows (a certificate being validated). */
const UNREAD: Readonly<Record<string, readonly string[]>> = { aws_apigatewayv2_domain_name: ["domain_name_configuration"] };

const REF = "([a-z0-9_]+)\\.([A-Za-z0-9_-]+)\\.([a-z_]+)";
const STRING = '"((?:[^"\\\\]|\\\\.)*)"';
/** `${type.name.attribute}`, or `${replace(type.name.attribute, "from", "to")}` (the chat's callback URL from the API's endpoint). */
const REFERENCE = new RegExp(`\\$\\{(?:${REF}|replace\\(${REF}, ${STRING}, ${STRING}\\))\\}`, "g");

/**
 * Reads the API of a synthesized stack (`cdk.tf.json`) where no Terraform
 * expression needs evaluating: every attribute the model reads is a literal,
 * or a reference to another resource of the stack (an id, an ARN, the NLB's
 * DNS name), which gets a stable local value. That is the case of the chat
 * stack, not of the module stacks (their routes come from `for_each` over
 * `var.custom_routes`): apply those and read the state
 * ({@link apiFromTerraformState}).
 */
export function apiFromSynthesizedStack(stackDir: string, selection: ApiSelection = {}): ApiModel {
  const file = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: run npm run synth first`);
  const json: TerraformJson = JSON.parse(fs.readFileSync(file, "utf8"));
  const source = path.relative(process.cwd(), file) || file;
  const region: string = json.provider?.aws?.[0]?.region ?? "us-east-1";
  const declared: Array<{ type: string; name: string; config: TerraformJson }> = [];
  for (const [type, byName] of Object.entries<TerraformJson>(json.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) declared.push({ type, name, config });
  }
  const attributes = new Map<string, Record<string, string>>();
  for (const { type, name, config } of declared) attributes.set(`${type}.${name}`, syntheticAttributes(type, name, config, region));
  const configs = new Map(declared.map((d) => [`${d.type}.${d.name}`, d.config]));
  // An attribute Terraform computes gets its synthetic value; one the configuration sets, that value (itself resolved).
  const attribute = (ref: { type: string; name: string; attribute: string }, seen: readonly string[] = []): string => {
    const address = `${ref.type}.${ref.name}`;
    const computed = attributes.get(address)?.[ref.attribute];
    if (computed !== undefined) return computed;
    const configured = configs.get(address)?.[ref.attribute];
    const key = `${address}.${ref.attribute}`;
    if (typeof configured !== "string" || seen.includes(key)) throw new Error(`it refers to \${${key}}, which needs Terraform to evaluate`);
    return resolve(configured, (r) => attribute(r, [...seen, key])) as string;
  };

  const read = declared.filter((d) => READ_TYPES.includes(d.type));
  // for_each first: the routes' is the reason a module stack needs Terraform; a count of an optional edge comes with it.
  const iterated = read.find((d) => d.config.for_each !== undefined) ?? read.find((d) => d.config.count !== undefined);
  if (iterated) {
    const how = iterated.config.count !== undefined ? "count" : "for_each";
    throw new Error(
      `${source}: ${iterated.type}.${iterated.name} uses ${how}, which only Terraform evaluates: apply the stack (npm run local) and serve its state`,
    );
  }
  const resources: TerraformResource[] = [];
  for (const { type, name, config } of read) {
    const address = `${type}.${name}`;
    let values: TerraformJson;
    const read = Object.fromEntries(Object.entries(config).filter(([k]) => !(UNREAD[type] ?? []).includes(k)));
    try {
      values = resolve(read, (ref) => attribute(ref)) as TerraformJson; // a configuration block resolves to an object
    } catch (e) {
      throw new Error(`${source}: ${address}: ${(e as Error).message}: apply the stack (npm run local) and serve its state`);
    }
    resources.push({ address, type, values: { ...attributes.get(address), ...values } });
  }
  return buildApiModel(resources, selection, source);
}

/** The attributes of a resource that Terraform would compute, as stable local values. */
function syntheticAttributes(type: string, name: string, config: TerraformJson, region: string): Record<string, string> {
  const hash = createHash("sha256").update(`${type}.${name}`).digest("hex");
  // API Gateway ids are 10 lower-case letters and digits.
  const id = BigInt(`0x${hash.slice(0, 16)}`)
    .toString(36)
    .slice(0, 10);
  const out: Record<string, string> = { id, arn: `arn:aws:local:${region}:000000000000:${type}/${id}` };
  if (type === "aws_apigatewayv2_api") {
    out.api_endpoint = `wss://${id}.execute-api.${region}.amazonaws.com`;
    out.execution_arn = `arn:aws:execute-api:${region}:000000000000:${id}`;
    out.arn = `arn:aws:apigateway:${region}::/apis/${id}`;
  }
  if (type === "aws_lb") {
    const lbName = typeof config.name === "string" ? config.name : name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    out.dns_name = `${lbName}-${id.slice(0, 6)}.elb.${region}.local`;
    out.arn = `arn:aws:elasticloadbalancing:${region}:000000000000:loadbalancer/net/${lbName}/${hash.slice(0, 16)}`;
  }
  if (type === "aws_apigatewayv2_stage" && typeof config.name === "string") out.id = config.name;
  return out;
}

/**
 * Resolves references in every string of a configuration value and undoes
 * Terraform's escapes (`$${` and `%%{` stand for literal `${` and `%{`).
 * Anything else Terraform would evaluate (variables, functions) fails.
 */
/** The value of a Terraform string literal's inside (its escapes undone). */
function unquote(literal: string): string {
  return JSON.parse(`"${literal}"`) as string;
}

function resolve(value: unknown, lookup: (ref: { type: string; name: string; attribute: string }) => string): unknown {
  if (typeof value === "string") {
    const escaped = value.split("$${").join("\u0000").split("%%{").join("\u0001");
    const replaced = escaped.replace(REFERENCE, (_, type, name, attribute, fType, fName, fAttribute, from: string, to: string) =>
      type !== undefined
        ? lookup({ type, name, attribute })
        : lookup({ type: fType, name: fName, attribute: fAttribute }).split(unquote(from)).join(unquote(to)),
    );
    if (/\$\{|%\{/.test(replaced)) throw new Error(`the expression ${JSON.stringify(value)} needs Terraform to evaluate`);
    return replaced.split("\u0000").join("${").split("\u0001").join("%{");
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, lookup));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "//" && k !== "depends_on" && k !== "lifecycle")
        .map(([k, v]) => [k, resolve(v, lookup)]),
    );
  }
  return value;
}
