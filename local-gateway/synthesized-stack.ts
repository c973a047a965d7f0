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
  "aws_api_gateway_vpc_link",
  "aws_lb",
  "aws_lb_listener",
];

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;

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

  const read = declared.filter((d) => READ_TYPES.includes(d.type));
  const iterated = read.find((d) => d.config.count !== undefined || d.config.for_each !== undefined);
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
    try {
      values = resolve(config, (ref) => {
        const value = attributes.get(`${ref.type}.${ref.name}`)?.[ref.attribute];
        if (value === undefined) throw new Error(`it refers to \${${ref.type}.${ref.name}.${ref.attribute}}, which needs Terraform to evaluate`);
        return value;
      }) as TerraformJson; // a configuration block resolves to an object
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
function resolve(value: unknown, lookup: (ref: { type: string; name: string; attribute: string }) => string): unknown {
  if (typeof value === "string") {
    const escaped = value.split("$${").join("\u0000").split("%%{").join("\u0001");
    const replaced = escaped.replace(REFERENCE, (_, type, name, attribute) => lookup({ type, name, attribute }));
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
