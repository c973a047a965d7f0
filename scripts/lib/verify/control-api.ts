import {
  GetApiCommand,
  GetApiMappingsCommand,
  GetDeploymentCommand,
  GetDomainNameCommand,
  GetIntegrationResponsesCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  Integration,
  Route,
} from "@aws-sdk/client-apigatewayv2";
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import type { IntegrationModel } from "../../../local-gateway/api-model";
import { errorText, isAccessDenied, isNotFound } from "./aws";
import { ago, some, VerifyContext, when } from "./context";
import { fail, HopResult, pass, skip, warn } from "./report";

/**
 * The API hops: the API and its stage exist (`api`), the API holds every
 * route and integration of the stack (`routes`), and the stage serves a
 * deployment that holds them (`deployment`).
 *
 * AWS API reference: GetApi, GetStage, GetRoutes, GetIntegrations,
 * GetIntegrationResponses, GetDeployment, GetDomainName, GetApiMappings
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/resources.html).
 */

/** `api`: GetApi and GetStage, and a custom domain's status and mapping. */
export async function checkApi(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  const v2 = aws.apigatewayv2();
  try {
    seen.api = await v2.send(new GetApiCommand({ ApiId: target.apiId }));
  } catch (e) {
    if (isNotFound(e)) {
      return fail(
        "api",
        `API ${target.apiId} does not exist in ${target.region} (${errorText(e)})`,
        `the stack was destroyed, or these credentials are of another account (the outputs come from ${target.source})`,
        `check that AWS_PROFILE / the credentials name the account you deployed to; if the stack is gone, deploy it again (${ctx.redeploy})`,
      );
    }
    return unreadable("api", e, "apigateway:GET on the API");
  }
  if (seen.api.ProtocolType !== "WEBSOCKET") {
    return fail(
      "api",
      `API ${seen.api.Name} (${target.apiId}) is a ${seen.api.ProtocolType} API`,
      "the outputs name another API",
      "give the outputs of the stack that created the WebSocket API",
    );
  }
  try {
    seen.stage = await v2.send(new GetStageCommand({ ApiId: target.apiId, StageName: target.stageName }));
  } catch (e) {
    if (isNotFound(e)) {
      return fail(
        "api",
        `API ${seen.api.Name} (${target.apiId}) has no stage ${target.stageName}`,
        "the stage was deleted, or the URL names another stage",
        `deploy again (${ctx.redeploy}); Terraform recreates the stage`,
      );
    }
    return unreadable("api", e, "apigateway:GET on the stage");
  }
  const stage = seen.stage;
  const parts = [
    `API ${seen.api.Name} (${target.apiId}, WEBSOCKET), stage ${target.stageName} (${stage.AutoDeploy ? "auto deploy" : "explicit deployments"}, updated ${when(stage.LastUpdatedDate)})`,
  ];
  if (seen.api.DisableExecuteApiEndpoint) parts.push("its execute-api endpoint disabled (clients use the custom domain)");
  if (target.customDomainUrl) {
    const domain = await checkCustomDomain(ctx, target.customDomainUrl);
    if (domain.status !== "PASS") return domain;
    parts.push(domain.seen);
  }
  return pass("api", parts.join("; "));
}

/** A custom domain: AVAILABLE, and mapped to this stage under the URL's key. */
async function checkCustomDomain(ctx: VerifyContext, url: string): Promise<HopResult> {
  const { target, aws } = ctx;
  const u = new URL(url.replace(/^wss:/, "https:"));
  const key = u.pathname.replace(/^\/|\/$/g, "");
  if (ctx.target.local) return pass("api", `custom domain ${u.host} not emulated (npm run local serves the stage's URL only)`);
  const v2 = aws.apigatewayv2();
  try {
    const domain = await v2.send(new GetDomainNameCommand({ DomainName: u.host }));
    const config = domain.DomainNameConfigurations?.[0];
    if (config?.DomainNameStatus && config.DomainNameStatus !== "AVAILABLE") {
      return fail(
        "api",
        `custom domain ${u.host} is ${config.DomainNameStatus}${config.DomainNameStatusMessage ? `: ${config.DomainNameStatusMessage}` : ""}`,
        "the domain's certificate or ownership verification is pending",
        "wait for the certificate (ACM) to be issued and the domain to become AVAILABLE, then run verify again",
      );
    }
    const mappings = (await v2.send(new GetApiMappingsCommand({ DomainName: u.host }))).Items ?? [];
    const mapping = mappings.find((m) => m.ApiId === target.apiId && m.Stage === target.stageName && (m.ApiMappingKey ?? "") === key);
    if (!mapping) {
      return fail(
        "api",
        `custom domain ${u.host} maps ${mappings.length ? some(mappings.map((m) => `${m.ApiMappingKey || "(no key)"} -> ${m.ApiId}/${m.Stage}`)) : "nothing"}, not ${key || "(no key)"} -> ${target.apiId}/${target.stageName}`,
        "the API mapping was deleted or points at another stage",
        `deploy again (${ctx.redeploy}); Terraform recreates the mapping`,
      );
    }
    return pass("api", `custom domain ${u.host} AVAILABLE, ${key ? `key ${key}` : "no key"} -> this stage`);
  } catch (e) {
    if (isNotFound(e)) return fail("api", `custom domain ${u.host} does not exist in API Gateway`, "it was deleted", `deploy again (${ctx.redeploy})`);
    return unreadable("api", e, "apigateway:GET on the domain name");
  }
}

/** `routes`: every route and integration the stack defines, with its $default integration response. */
export async function checkRoutes(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  const v2 = aws.apigatewayv2();
  let routes: Route[];
  let integrations: Integration[];
  try {
    routes = await all((NextToken) => v2.send(new GetRoutesCommand({ ApiId: target.apiId, NextToken })));
    integrations = await all((NextToken) => v2.send(new GetIntegrationsCommand({ ApiId: target.apiId, NextToken })));
  } catch (e) {
    return unreadable("routes", e, "apigateway:GET on the routes and integrations");
  }
  seen.routes = routes;
  seen.integrations = integrations;
  const byId = new Map(integrations.map((i) => [i.IntegrationId!, i]));
  const integrationOf = (r: Route) => byId.get(/^integrations\/(.+)$/.exec(r.Target ?? "")?.[1] ?? "");
  const problems: string[] = [];
  for (const r of routes)
    if (!integrationOf(r)) problems.push(`route ${r.RouteKey} targets ${r.Target ? `${r.Target}, which does not exist` : "no integration"}`);

  const expected = target.expected;
  if (!expected) {
    if (problems.length) return fail("routes", some(problems), "a route was left without its integration", `deploy again (${ctx.redeploy})`);
    return pass(
      "routes",
      `${routes.length} routes (${some(
        routes.map((r) => r.RouteKey!),
        8,
      )}), each with its integration; ${target.expectedMissing}`,
    );
  }
  const missing: string[] = [];
  for (const want of expected.routes) {
    const live = routes.find((r) => r.RouteKey === want.key);
    if (!live) {
      missing.push(want.key);
      continue;
    }
    const integration = integrationOf(live);
    if (!integration || !want.integration) continue;
    problems.push(...integrationDifferences(want.key, want.integration, integration));
    if (want.twoWay && !live.RouteResponseSelectionExpression)
      problems.push(`route ${want.key} is one-way (no route response selection expression): its answers never reach the client`);
    if (want.integration.responses.some((r) => r.key === "$default") && !["HTTP_PROXY", "AWS_PROXY"].includes(integration.IntegrationType ?? "")) {
      try {
        const responses = (await v2.send(new GetIntegrationResponsesCommand({ ApiId: target.apiId, IntegrationId: integration.IntegrationId }))).Items ?? [];
        if (!responses.some((x) => x.IntegrationResponseKey === "$default"))
          problems.push(`route ${want.key}'s integration has no $default integration response: its answer is dropped`);
      } catch (e) {
        return unreadable("routes", e, "apigateway:GET on the integration responses");
      }
    }
  }
  const extra = routes.map((r) => r.RouteKey!).filter((k) => !expected.routes.some((w) => w.key === k));
  const keys = expected.routes.map((r) => r.key).sort();
  if (missing.length) {
    return fail(
      "routes",
      `route${missing.length > 1 ? "s" : ""} ${missing.join(", ")} missing from API ${target.apiId} (the stack defines ${keys.join(", ")})`,
      "deleted outside Terraform (console, CLI), or the last apply stopped before creating it; frames for it fall to $default",
      `deploy again (${ctx.redeploy}): Terraform recreates what its state holds but AWS lacks`,
    );
  }
  if (problems.length) {
    return fail(
      "routes",
      some(problems, 3),
      "the API was changed outside Terraform, or the stack was changed and synthesized but not deployed",
      `deploy again (${ctx.redeploy}), which sets every route and integration as the stack defines it`,
    );
  }
  return pass(
    "routes",
    `${keys.length} routes as the stack defines them (${keys.join(", ")}), each with its integration${extra.length ? `; also ${some(extra)}, which the stack does not define` : ""}`,
  );
}

/** How a live integration differs from the stack's (type, method, URI, connection). */
function integrationDifferences(routeKey: string, want: IntegrationModel, live: Integration): string[] {
  const out: string[] = [];
  const diff = (what: string, expected: string | undefined, actual: string | undefined) => {
    if ((expected ?? "") !== (actual ?? ""))
      out.push(`route ${routeKey}'s integration ${what} is ${actual || "(none)"}, the stack's is ${expected || "(none)"}`);
  };
  diff("type", want.type, live.IntegrationType);
  if (want.type !== "MOCK") {
    diff("URI", want.uri, live.IntegrationUri);
    diff("method", want.method, live.IntegrationMethod);
    diff("connection type", want.connectionType, live.ConnectionType ?? "INTERNET");
    if (want.connectionType === "VPC_LINK" && !live.ConnectionId) out.push(`route ${routeKey}'s integration names no VPC link`);
  }
  return out;
}

/**
 * `deployment`: what clients reach is the stage's deployment, a snapshot.
 * Auto deploy: the last deployment's status (GetStage's
 * LastDeploymentStatusMessage, GetDeployment's DeploymentStatus). Explicit
 * deployments: the deployment is DEPLOYED and no route or integration of the
 * API was written after it was created. API Gateway keeps no list of the
 * routes in a deployment and no dates on routes, so the history comes from
 * CloudTrail's event history of API Gateway's write calls (LookupEvents,
 * 90 days, no trail needed: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html).
 */
export async function checkDeployment(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  const stage = seen.stage;
  if (!stage) return skip("deployment", "not checked: the api hop failed");
  if (target.local) {
    return skip(
      "deployment",
      "not shown by the emulator: moto keeps no deployments of WebSocket APIs; npm run local serves the routes the routes hop read, as applied",
    );
  }
  const autoDeploy = !!stage.AutoDeploy;
  if (autoDeploy && stage.LastDeploymentStatusMessage && /fail|error|unable|cannot/i.test(stage.LastDeploymentStatusMessage)) {
    return fail(
      "deployment",
      `auto deploy of stage ${target.stageName} failed: ${stage.LastDeploymentStatusMessage}`,
      "API Gateway could not deploy the last change (a route whose integration is missing or invalid); clients still get the previous deployment",
      `fix what the message names, then deploy again (${ctx.redeploy})`,
    );
  }
  if (!stage.DeploymentId) {
    return fail(
      "deployment",
      `stage ${target.stageName} has no deployment`,
      autoDeploy ? "auto deploy has not deployed anything yet" : "no deployment was ever made to this stage: nothing is live",
      `deploy again (${ctx.redeploy})${autoDeploy ? "" : `, or aws apigatewayv2 create-deployment --api-id ${target.apiId} --stage-name ${target.stageName}`}`,
    );
  }
  let deployment;
  try {
    deployment = await aws.apigatewayv2().send(new GetDeploymentCommand({ ApiId: target.apiId, DeploymentId: stage.DeploymentId }));
  } catch (e) {
    return unreadable("deployment", e, "apigateway:GET on the deployment");
  }
  const name = `deployment ${stage.DeploymentId} (${deployment.AutoDeployed ? "auto deployed" : "explicit"}, created ${when(deployment.CreatedDate)})`;
  if (deployment.DeploymentStatus === "FAILED") {
    return fail(
      "deployment",
      `${name} FAILED${deployment.DeploymentStatusMessage ? `: ${deployment.DeploymentStatusMessage}` : ""}`,
      "API Gateway could not deploy the API as it was (an invalid route or integration)",
      `fix what the message names, then deploy again (${ctx.redeploy})`,
    );
  }
  if (deployment.DeploymentStatus === "PENDING")
    return warn("deployment", `${name} is still PENDING`, "a deployment was just made", "run verify again in a minute");
  if (autoDeploy) return pass("deployment", `${name} DEPLOYED; auto deploy redeploys every route change`);

  const notes: string[] = [];
  if (target.deploymentId && target.deploymentId !== stage.DeploymentId) {
    notes.push(`the stage serves ${stage.DeploymentId}, not Terraform's ${target.deploymentId} (a deployment made by hand?)`);
  }
  const since = deployment.CreatedDate ?? new Date(0);
  let changes: Array<{ name: string; time: Date; user: string }>;
  try {
    changes = await apiWritesSince(ctx, since);
  } catch (e) {
    const why = isAccessDenied(e) ? "cloudtrail:LookupEvents is not allowed to these credentials" : errorText(e);
    return warn(
      "deployment",
      `${name} DEPLOYED; whether a route changed after it cannot be told (${why})`,
      "API Gateway keeps no dates on routes: the history is CloudTrail's",
      "allow cloudtrail:LookupEvents to check it; the frames hop sends one frame per route meanwhile",
    );
  }
  if (changes.length) {
    return fail(
      "deployment",
      `${name} predates ${changes.length} change${changes.length > 1 ? "s" : ""} to the API's routes and integrations: ${some(
        changes.map((c) => `${c.name} at ${when(c.time)} by ${c.user}`),
        3,
      )}`,
      "changed but never redeployed: an explicit deployment is a snapshot, and changes made after it are not live",
      `deploy again (${ctx.redeploy}: the stack's deployment is replaced when a route changes); for a change made outside Terraform: aws apigatewayv2 create-deployment --api-id ${target.apiId} --stage-name ${target.stageName}`,
    );
  }
  const age = ago(since, ctx.now());
  return pass(
    "deployment",
    `${name} DEPLOYED ${age}; no route or integration of the API written since (CloudTrail event history)${notes.length ? `; ${notes.join("; ")}` : ""}`,
  );
}

/** API Gateway writes to this API's routes, integrations and authorizers since a time (CloudTrail event history, newest first). */
async function apiWritesSince(ctx: VerifyContext, since: Date): Promise<Array<{ name: string; time: Date; user: string }>> {
  const WRITES = /^(Create|Update|Delete)(Route|RouteResponse|Integration|IntegrationResponse|Authorizer|Model|RouteRequestParameter)$/;
  const out: Array<{ name: string; time: Date; user: string }> = [];
  let NextToken: string | undefined;
  // LookupEvents answers 50 events a page at 2 calls a second; 10 pages cover a busy account's hour.
  for (let page = 0; page < 10; page++) {
    const r = await ctx.aws.cloudtrail().send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "apigateway.amazonaws.com" }],
        StartTime: since,
        EndTime: ctx.now(),
        MaxResults: 50,
        NextToken,
      }),
    );
    for (const e of r.Events ?? []) {
      if (e.ReadOnly === "true" || !WRITES.test(e.EventName ?? "")) continue;
      // The event's JSON (requestParameters) names the API id.
      if (!(e.CloudTrailEvent ?? "").includes(`"${ctx.target.apiId}"`)) continue;
      if (e.EventTime && e.EventTime <= since) continue;
      out.push({ name: e.EventName!, time: e.EventTime ?? since, user: e.Username ?? "unknown" });
    }
    NextToken = r.NextToken;
    if (!NextToken) break;
    await ctx.sleep(500);
  }
  return out;
}

/** Every item of a paginated API Gateway v2 list. */
async function all<T>(page: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const r = await page(token);
    out.push(...(r.Items ?? []));
    token = r.NextToken;
  } while (token);
  return out;
}

/** A hop whose read failed: what failed, and the permission it needs. */
export function unreadable(hop: HopResult["hop"], e: unknown, permission: string): HopResult {
  if (isAccessDenied(e)) {
    return fail(
      hop,
      `cannot read: ${errorText(e)}`,
      `these credentials may not call ${permission}`,
      "run verify with credentials allowed the read-only calls --help lists",
    );
  }
  if (/EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|ECONNRESET|socket hang up/.test(errorText(e))) {
    return fail(
      hop,
      `cannot read: ${errorText(e)}`,
      "the AWS endpoint cannot be reached from this machine (DNS or network)",
      "check DNS and the network (the AWS SDK for JavaScript uses no proxy unless configured), then run verify again",
    );
  }
  return fail(
    hop,
    `cannot read: ${errorText(e)}`,
    "AWS (or the emulator) answered with an error",
    "run verify again; if it persists, the error names the cause",
  );
}
