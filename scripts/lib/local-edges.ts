import * as fs from "fs";
import { ApiModel, AuthorizerHandler, CLOCK_PATH, LocalGateway, loadAuthorizerHandler, routeOf } from "../../local-gateway";
import { evaluatePolicy } from "../../local-gateway/iam-policy";

/** The flags of `npm run local` for the production edges and the clock, as given. */
export interface EdgeFlags {
  readonly authorizer?: string;
  readonly iamPolicy?: string;
  readonly idleTimeout?: string;
  readonly maxConnectionDuration?: string;
}

/** What the edge flags give the gateway, checked. */
export interface EdgeOptions {
  readonly authorizer?: AuthorizerHandler;
  readonly iamPolicy?: unknown;
  readonly limits: { idleTimeoutMs?: number; maxConnectionMs?: number };
}

/**
 * Checks the edge flags before anything starts (one-line errors): the
 * authorizer file or URL loads, the IAM policy file is a policy, the limits
 * are numbers of seconds.
 */
export async function edgeOptions(flags: EdgeFlags, cwd = process.cwd()): Promise<EdgeOptions> {
  const seconds = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new Error(`${flag} must be a number of seconds above 0, got ${JSON.stringify(text)}: e.g. ${flag} 30`);
    return Math.round(n * 1000);
  };
  const limits = {
    idleTimeoutMs: seconds("--idle-timeout", flags.idleTimeout),
    maxConnectionMs: seconds("--max-connection-duration", flags.maxConnectionDuration),
  };
  let iamPolicy: unknown;
  if (flags.iamPolicy !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(flags.iamPolicy, "utf8");
    } catch {
      throw new Error(
        `--iam-policy must name a readable JSON file, got ${JSON.stringify(flags.iamPolicy)}: an IAM policy document, e.g. {"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`,
      );
    }
    try {
      iamPolicy = JSON.parse(text);
      evaluatePolicy(iamPolicy, "execute-api:Invoke", "arn:aws:execute-api:us-east-1:000000000000:check/prod/$connect");
    } catch (e) {
      throw new Error(`--iam-policy ${flags.iamPolicy} must be an IAM policy document: ${(e as Error).message}`);
    }
  }
  const authorizer = flags.authorizer !== undefined ? await loadAuthorizerHandler(flags.authorizer, cwd) : undefined;
  return { authorizer, iamPolicy, limits: Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) };
}

/** Fails when a flag names an edge the deployed API does not have (an authorizer for a `$connect` that has none). */
export function checkEdgesDeployed(api: ApiModel, options: EdgeOptions): void {
  const type = routeOf(api, "$connect")?.authorizationType ?? "NONE";
  if (options.authorizer && type !== "CUSTOM")
    throw new Error(
      `--authorizer needs a $connect route with a Lambda authorizer (authorization CUSTOM), got ${type}: set chat.api.authorization.type "CUSTOM" (or connect_authorization_type in a module), or leave --authorizer out`,
    );
  if (options.iamPolicy !== undefined && type !== "AWS_IAM")
    throw new Error(
      `--iam-policy needs a $connect route with IAM authorization (AWS_IAM), got ${type}: set the authorization to "AWS_IAM", or leave --iam-policy out`,
    );
}

/** Host names the local CA's server certificate must name: the execute-api host and the custom domains. */
export function tlsHostNames(api: ApiModel): string[] {
  return [api.endpointHost, ...api.mappings.map((m) => m.domainName)];
}

/** The URL lines of the custom domains, each alone on its line like the stage's: `Custom domain URL: ws://127.0.0.1:<port>/<key> (for wss://<domain>/<key>)`. */
export function domainUrlLines(gateway: LocalGateway): string[] {
  return gateway.domainUrls.map((d) => `Custom domain URL: ${d.url} (for ${d.domainUrl})`);
}

/** The lines on how the edges and the clock are served: authorization, the execute-api and custom domain hosts, the limits and their fast-forward. */
export function edgeLines(gateway: LocalGateway): string[] {
  const api = gateway.api;
  const lines: string[] = [];
  const authorization = gateway.describeAuthorization();
  if (authorization) lines.push(authorization);
  const hosts = [api.endpointHost, ...new Set(api.mappings.map((m) => m.domainName))];
  const templated = api.routes.some((r) => JSON.stringify(r.integration?.requestTemplates ?? {}).includes(`https://${api.endpointHost}`));
  if (templated)
    lines.push(
      `Callback URL: templates naming https://${api.endpointHost} (the API's own host, used with a custom domain) send backends ${gateway.connectionsUrl.replace(/\/[^/]*$/, "")} instead: that host never reaches this machine`,
    );
  if (api.mappings.length > 0)
    lines.push(
      `Hosts: requests naming ${hosts.join(" or ")} in their Host header (and TLS server name) reach this gateway as on AWS, e.g. curl --resolve ${hosts[hosts.length - 1]}:${gateway.port}:127.0.0.1`,
    );
  for (const line of api.notEmulated) lines.push(line);
  lines.push(
    `Limits: idle timeout ${gateway.limits.idleTimeoutMs / 1000} s (traffic either way), maximum connection duration ${gateway.limits.maxConnectionMs / 1000} s; fast-forward every connection's clock: curl -X POST '${gateway.clockUrl}?advance=<seconds>' (GET ${CLOCK_PATH} tells it)`,
  );
  return lines;
}
