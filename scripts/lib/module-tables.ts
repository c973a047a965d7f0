/**
 * Markdown tables of a module, read from its synthesized Terraform JSON:
 * inputs, outputs, requirements, resources, and what API Gateway sends the
 * backend (routes, paths, headers). One generated copy, used by the module
 * READMEs (modules/<name>/README.md) and by any other document that links
 * to them.
 */
import type { TerraformJson } from "../../constructs/terraform-json";
import { byKey, compareText } from "./order";

/** Terraform `${...}` wrapper removed, for showing an expression. */
export function bareExpression(value: unknown): string {
  const text = String(value);
  const m = /^\$\{(.*)\}$/s.exec(text);
  return m && !m[1].includes("${") ? m[1] : text;
}

/** A table cell: pipes escaped, line breaks flattened. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Inline code in a table cell (pipes escaped). */
const code = (text: string) => `\`${cell(text)}\``;

/** A variable is required when it has no default (not even null). */
export function isRequired(variable: TerraformJson): boolean {
  return !("default" in variable);
}

/** The inputs table: required inputs first, then the optional ones, each group by name. */
export function inputsTable(json: TerraformJson): string {
  const vars = Object.entries<TerraformJson>(json.variable ?? {});
  vars.sort(([a, va], [b, vb]) => Number(isRequired(vb)) - Number(isRequired(va)) || compareText(a, b));
  const lines = ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"];
  for (const [name, v] of vars) {
    const flags = [v.sensitive ? "sensitive" : "", v.ephemeral ? "ephemeral" : ""].filter(Boolean);
    const description = cell((v.description ?? "") + (flags.length ? ` (${flags.join(", ")})` : ""));
    const value = isRequired(v) ? "n/a" : code(JSON.stringify(v.default));
    lines.push(`| <a name="input_${name}"></a>${code(name)} | ${description} | ${code(v.type ?? "any")} | ${value} | ${isRequired(v) ? "yes" : "no"} |`);
  }
  return lines.join("\n");
}

/** The outputs table, by name. */
export function outputsTable(json: TerraformJson): string {
  const lines = ["| Name | Description |", "|---|---|"];
  for (const [name, o] of Object.entries<TerraformJson>(json.output ?? {}).sort(byKey)) {
    lines.push(`| <a name="output_${name}"></a>${code(name)} | ${cell((o.description ?? "") + (o.sensitive ? " (sensitive)" : ""))} |`);
  }
  return lines.join("\n");
}

/** Terraform and provider version constraints, from the module's `terraform` block. */
export function requirementsTable(json: TerraformJson): string {
  const lines = ["| Name | Version |", "|---|---|", `| terraform | ${code(json.terraform?.required_version ?? "any")} |`];
  for (const [name, p] of Object.entries<TerraformJson>(json.terraform?.required_providers ?? {}).sort(byKey)) {
    const source = String(p.source ?? name).includes("/") ? p.source : `hashicorp/${p.source ?? name}`;
    lines.push(`| ${name} (${code(source)}) | ${code(p.version ?? "any")} |`);
  }
  return lines.join("\n");
}

/** Link to the AWS provider's documentation of a resource or data source type. */
function providerDocs(type: string, kind: "resources" | "data-sources"): string {
  const slug = type.replace(/^aws_/, "");
  return `[${type}](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/${kind}/${slug})`;
}

/** When a block exists: always, or its count / for_each expression. */
function repetition(block: TerraformJson): string {
  if (block.for_each !== undefined) return `one per ${code(bareExpression(block.for_each))}`;
  if (block.count !== undefined) return code(`count = ${bareExpression(block.count)}`);
  return "always";
}

/** The resources the module manages and the data sources it reads, with their addresses in the module. */
export function resourcesTable(json: TerraformJson): string {
  const lines = ["| Resource | Address in the module | Created |", "|---|---|---|"];
  const rows = (blocks: TerraformJson | undefined, kind: "resources" | "data-sources", prefix: string) =>
    Object.entries<TerraformJson>(blocks ?? {})
      .sort(byKey)
      .flatMap(([type, byName]) =>
        Object.entries<TerraformJson>(byName)
          .sort(byKey)
          .map(([name, block]) => `| ${providerDocs(type, kind)} | ${code(`${prefix}${type}.${name}`)} | ${repetition(block)} |`),
      );
  lines.push(...rows(json.resource, "resources", ""));
  const data = rows(json.data, "data-sources", "data.");
  if (data.length) lines.push("", "| Data source | Address in the module | Read |", "|---|---|---|", ...data);
  return lines.join("\n");
}

/** What one route makes API Gateway send to the backend. */
export interface BackendCall {
  readonly routeKey: string;
  readonly method: string;
  /** The path, or a description of it for iterated routes. */
  readonly path: string;
  readonly headers: string[];
  /** The backend's reply reaches the client (a route response exists). */
  readonly twoWay: boolean;
  readonly iterated: boolean;
}

/** The path of an integration URI `http://<host>:<port><path>`. */
function integrationPath(uri: string): { path: string; iterated: boolean } {
  const m = /^https?:\/\/\$\{[^}]+\}(?::\$\{[^}]+\}|:\d+)?(.*)$/s.exec(uri);
  if (!m)
    throw new Error(
      `integration_uri must look like http://\${host}:\${port}/path for the backend contract table, got ${uri}: teach module-tables.ts the new shape`,
    );
  const path = m[1];
  if (/^\$\{coalesce\(each\.value\.path, "\/\$\{urlencode\(each\.key\)\}"\)\}$/.test(path))
    return { path: "the entry's `path`, default `/<route key>` (URL-encoded)", iterated: true };
  if (path.includes("${"))
    throw new Error(`integration path must be a literal or the custom_routes coalesce, got ${path}: teach module-tables.ts the new shape`);
  return { path: `\`${path}\``, iterated: false };
}

/** Every route of the module's API with the request it makes to the backend. */
export function backendCalls(json: TerraformJson): BackendCall[] {
  const integrations = json.resource?.aws_apigatewayv2_integration ?? {};
  const responses = Object.values<TerraformJson>(json.resource?.aws_apigatewayv2_route_response ?? {});
  return Object.entries<TerraformJson>(json.resource?.aws_apigatewayv2_route ?? {}).map(([id, route]) => {
    const m = /aws_apigatewayv2_integration\.([^.[]+)/.exec(route.target ?? "");
    const integration = m && integrations[m[1]];
    if (!integration) throw new Error(`route ${id} must target an integration of the module for the backend contract table, got ${route.target}`);
    const { path, iterated } = integrationPath(integration.integration_uri);
    const headers = requestHeaders(integration.request_parameters);
    const twoWay = responses.some(
      (r) => String(r.route_id ?? "").includes(`aws_apigatewayv2_route.${id}.`) || String(r.route_id ?? "").includes(`aws_apigatewayv2_route.${id}[`),
    );
    return { routeKey: iterated ? "each `custom_routes` key" : route.route_key, method: integration.integration_method, path, headers, twoWay, iterated };
  });
}

/**
 * The headers of an integration's request parameters: a literal map, or a
 * Terraform `merge(...)` of literal maps and the `authorizer_context_headers`
 * map (one header per entry).
 */
function requestHeaders(parameters: Record<string, string> | string | undefined): string[] {
  const header = (k: string, v: string) => `\`${k.slice("integration.request.header.".length)}\` (${v.replace(/^context\./, "$context.")})`;
  if (parameters === undefined) return [];
  if (typeof parameters !== "string")
    return Object.entries(parameters)
      .filter(([k]) => k.startsWith("integration.request.header."))
      .map(([k, v]) => header(k, v));
  const literal = [...parameters.matchAll(/"(integration\.request\.header\.[^"]+)" = "([^"]+)"/g)].map((m) => header(m[1], m[2]));
  const variable = /keys\(var\.([a-z_]+)\)/.exec(parameters)?.[1];
  if (!literal.length && !variable)
    throw new Error(`request_parameters must be a map or a merge of literal maps and a variable, got ${parameters}: teach module-tables.ts the new shape`);
  return variable ? [...literal, `one per \`${variable}\` entry ($context.authorizer.<key>)`] : literal;
}

const EVENT: Record<string, string> = {
  $connect: "a client connects",
  $disconnect: "a client disconnects (or the connection is closed)",
  $default: "a frame that matches no other route",
};
const BODY: Record<string, string> = { $connect: "empty", $disconnect: "empty" };
const ORDER = (c: BackendCall) => (c.routeKey === "$connect" ? 0 : c.routeKey === "$disconnect" ? 1 : c.iterated ? 2 : c.routeKey === "$default" ? 4 : 3);

/** The table of what API Gateway sends the backend, one row per route, plus the load balancer's health check. */
export function backendContractTable(json: TerraformJson): string {
  const calls = backendCalls(json).sort((a, b) => ORDER(a) - ORDER(b) || compareText(a.routeKey, b.routeKey));
  const lines = ["| Event | Route | Request to the backend | Headers | Body | Reply reaches the client |", "|---|---|---|---|---|---|"];
  for (const c of calls) {
    const event = c.iterated
      ? "a frame whose route key (see `route_selection_expression`) is a key of `custom_routes`"
      : (EVENT[c.routeKey] ?? `a frame with route key \`${c.routeKey}\``);
    const twoWay = c.iterated ? 'when the entry sets `route_response_selection_expression = "$default"`' : c.twoWay ? "yes" : "no";
    lines.push(
      `| ${event} | ${c.iterated ? c.routeKey : code(c.routeKey)} | \`${c.method}\` ${c.path} | ${c.headers.join(", ")} | ${BODY[c.routeKey] ?? "the frame as sent"} | ${twoWay} |`,
    );
  }
  const health = Object.values<TerraformJson>(json.resource?.aws_lb_target_group ?? {})[0]?.health_check;
  if (health?.path) {
    const variable = /^\$\{var\.([a-z_]+)\}$/.exec(health.path)?.[1];
    const path = variable ? `${code(variable)} (default ${code(String(json.variable?.[variable]?.default))})` : code(health.path);
    const every = health.interval ? ` (every ${health.interval} s)` : "";
    lines.push(`| the load balancer's health check${every} | | \`GET\` ${path} | | | healthy on ${health.matcher ?? "2xx"} |`);
  }
  return lines.join("\n");
}
