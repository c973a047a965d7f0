import { GetConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import * as fs from "fs";
import * as net from "net";
import { AwsAccess } from "./aws";
import { VerifyContext } from "./context";
import { checkApi, checkDeployment, checkRoutes } from "./control-api";
import { checkAmplifyJob, checkFrontendBuild, checkImageBuild } from "./control-builds";
import { checkAccessLogs, checkAccountRole } from "./control-logging";
import { checkCallbackPath } from "./control-network";
import { checkService, checkTargets, checkVpcLink } from "./control-private-path";
import { signedHandshakeHeaders } from "./handshake";
import { HopResult, skip } from "./report";
import { connectCause, runScenario, ScenarioOptions } from "./scenario";
import { VerifyTarget } from "./target";

export interface RunOptions {
  /** Skip the data plane (no connection is opened). */
  readonly controlPlaneOnly?: boolean;
  /** `?token=<value>` on the handshake, for a `$connect` authorizer whose identity source is the `token` query parameter. */
  readonly token?: string;
  /** More query string parameters of the handshake. */
  readonly query?: Readonly<Record<string, string>>;
  /** How long to wait for the scenario's access log lines. @default 120000 */
  readonly logsWaitMs?: number;
  /** Called with each hop's result as soon as it is known (in report order). */
  readonly onResult?: (r: HopResult) => void;
  /** The command that redeploys the target, for fixes. */
  readonly redeploy: string;
  /** Clock and waits (tests make them instant). */
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RunOutcome {
  readonly results: HopResult[];
  /** The WebSocket connections the scenario opened (their URLs). */
  readonly opened: string[];
}

/** Runs every hop against a target, in report order. */
export async function runVerify(target: VerifyTarget, aws: AwsAccess, options: RunOptions): Promise<RunOutcome> {
  const ctx: VerifyContext = {
    target,
    aws,
    seen: {},
    redeploy: options.redeploy,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
  const results: HopResult[] = [];
  const report = (r: HopResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  for (const hop of [
    checkApi,
    checkRoutes,
    checkDeployment,
    checkVpcLink,
    checkTargets,
    checkService,
    checkImageBuild,
    checkFrontendBuild,
    checkAmplifyJob,
    checkAccountRole,
    checkCallbackPath,
  ]) {
    report(await hop(ctx));
  }
  let opened: string[] = [];
  if (options.controlPlaneOnly) {
    for (const hop of ["connect", "frames", "connections-api", "disconnect"] as const) report(skip(hop, "not run: --control-plane-only"));
  } else {
    const outcome = await runScenario(scenarioOptions(ctx, results, options));
    ctx.seen.scenario = {
      started: outcome.started,
      connected: outcome.opened.length > 0 && outcome.results[0]?.status === "PASS",
      connectionIds: outcome.connectionIds,
    };
    opened = outcome.opened;
    for (const r of outcome.results) report(r);
  }
  report(await checkAccessLogs(ctx, options.logsWaitMs ?? 120_000));
  return { results, opened };
}

/** The scenario against this target: its URLs, authorization, @connections client, and how to explain a refused handshake. */
function scenarioOptions(ctx: VerifyContext, earlier: readonly HopResult[], options: RunOptions): ScenarioOptions {
  const { target, aws, seen } = ctx;
  const local = target.local;
  const ca = local ? fs.readFileSync(local.caFile) : undefined;
  const connections = aws.connections(local ? local.connectionsUrl : target.connectionsUrl, ca);
  const connectRoute = seen.routes?.find((r) => r.RouteKey === "$connect");
  const authorization = target.authorization ?? connectRoute?.AuthorizationType ?? "NONE";
  const urls = local
    ? [
        { url: local.websocketUrl, label: "npm run local's gateway" },
        ...(local.customDomainUrls ?? []).map((d) => ({ url: d.url, label: `npm run local's gateway, custom domain ${d.domainUrl}` })),
      ]
    : [{ url: target.websocketUrl, label: "stage" }, ...(target.customDomainUrl ? [{ url: target.customDomainUrl, label: "custom domain" }] : [])];
  const expectedDefault = target.expected?.routes.find((r) => r.key === "$default")?.integration;
  return {
    kind: target.kind,
    urls,
    ca,
    query: { ...(options.token !== undefined ? { token: options.token } : {}), ...(options.query ?? {}) },
    handshakeHeaders: authorization === "AWS_IAM" ? async (url) => signedHandshakeHeaders(url, target.region, await aws.credentials()) : undefined,
    getConnection: (id) => connections.send(new GetConnectionCommand({ ConnectionId: id })),
    customRoutes: (target.expected?.routes ?? []).map((r) => r.key).filter((k) => !k.startsWith("$")),
    replyTimeoutMs: expectedDefault?.timeoutMilliseconds,
    findConnectionIds: target.kind === "module" ? (agents) => connectionIdsFromAccessLog(ctx, agents) : undefined,
    explainConnectFailure: async (e) => {
      if (local && e.status >= 500) {
        if (!local.backend) {
          return {
            cause: "npm run local was started without --backend: nothing answers the requests that go through the VPC link",
            fix: "restart npm run local with --backend http://127.0.0.1:<port> and start your backend there",
          };
        }
        const refused = await refusesConnections(local.backend);
        if (refused) {
          return {
            cause: `the backend ${local.backend} (npm run local's --backend, which stands for the NLB's targets) does not answer: ${refused}`,
            fix: `start your backend on ${local.backend}`,
          };
        }
      }
      if (authorization === "CUSTOM" && e.status === 401 && options.token === undefined && !options.query) {
        return {
          cause: "$connect has a Lambda authorizer and verify sent no identity",
          fix: "pass what the authorizer reads: --token <token> (or --query name=value)",
        };
      }
      const broken = earlier.filter((r) => r.status === "FAIL" && ["vpc-link", "targets", "service", "routes", "deployment"].includes(r.hop)).map((r) => r.hop);
      const base = connectCause(e);
      return broken.length && e.status >= 500
        ? { cause: `${base.cause}; the FAIL of ${broken.join(", ")} above is the likely reason`, fix: `fix ${broken[0]} first` }
        : base;
    },
  };
}

/** Why a backend URL refuses connections (a TCP connect on loopback), or undefined when it accepts them. */
function refusesConnections(url: string): Promise<string | undefined> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 80) });
    socket.setTimeout(2000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("no answer within 2 s");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? "connection refused" : e.message));
  });
}

/**
 * The connection ids of the scenario's handshakes, found by their User-Agent
 * in the stage's access log (the stacks' format logs `userAgent` and
 * `connectionId`): a module's client cannot learn its id otherwise.
 */
async function connectionIdsFromAccessLog(ctx: VerifyContext, agents: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const take = (line: string) => {
    for (const agent of agents) {
      if (out[agent] || !line.includes(agent)) continue;
      try {
        const id = JSON.parse(line).connectionId;
        if (typeof id === "string" && id !== "-") out[agent] = id;
      } catch {
        // Not the JSON format: the id cannot be read.
      }
    }
  };
  const local = ctx.target.local;
  const deadline = Date.now() + (local ? 3000 : 60_000);
  const arn = ctx.seen.stage?.AccessLogSettings?.DestinationArn;
  if (!local && !arn) return out;
  const group = arn ? (/:log-group:([^:]+)/.exec(arn)?.[1] ?? arn) : "";
  for (;;) {
    if (local) {
      if (fs.existsSync(local.accessLogFile)) for (const line of fs.readFileSync(local.accessLogFile, "utf8").split("\n")) take(line);
    } else {
      const r = await ctx.aws.logs().send(
        new FilterLogEventsCommand({
          logGroupName: group,
          startTime: Date.now() - 10 * 60_000,
          filterPattern: agents.length === 1 ? `"${agents[0]}"` : agents.map((a) => `?"${a}"`).join(" "),
        }),
      );
      for (const e of r.events ?? []) take(e.message ?? "");
    }
    if (agents.every((a) => out[a]) || Date.now() > deadline) return out;
    await ctx.sleep(local ? 200 : 5000);
  }
}
