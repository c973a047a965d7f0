import { GetAccountCommand } from "@aws-sdk/client-api-gateway";
import { DescribeLogStreamsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import * as fs from "fs";
import { errorText, isNotFound } from "./aws";
import { ago, VerifyContext, when } from "./context";
import { unreadable } from "./control-api";
import { fail, HopResult, pass, skip, warn } from "./report";

/**
 * Logging: the region's API Gateway CloudWatch role (`account-role`) and the
 * stage's access log (`access-logs`).
 *
 * AWS API reference: API Gateway GetAccount (cloudwatchRoleArn:
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html);
 * IAM GetRole (AssumeRolePolicyDocument, URL-encoded JSON:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html),
 * ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy; CloudWatch Logs
 * FilterLogEvents and DescribeLogStreams. The role's requirements:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 * (trusts apigateway.amazonaws.com, AmazonAPIGatewayPushToCloudWatchLogs).
 */

const PUSH_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs";

/** Whether the stage asks for logs (access log settings, or execution logging). */
function stageLogs(ctx: VerifyContext): boolean {
  const s = ctx.seen.stage;
  if (!s) return true;
  const level = s.DefaultRouteSettings?.LoggingLevel;
  return !!s.AccessLogSettings?.DestinationArn || (level !== undefined && level !== "OFF") || !!s.DefaultRouteSettings?.DataTraceEnabled;
}

/** `account-role`: the region's CloudWatch role is set, exists, trusts API Gateway and may write logs. */
export async function checkAccountRole(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws } = ctx;
  if (!stageLogs(ctx)) return skip("account-role", 'the stage writes no logs (a module with api_gateway_account_role "none"): no role is needed');
  const setFix =
    target.kind === "chat"
      ? `chat.apiGatewayAccount.manage: true (the default), then deploy again (${ctx.redeploy})`
      : 'api_gateway_account_role = "managed" in one module (or stack) of the region, then terraform apply';
  let roleArn: string | undefined;
  try {
    roleArn = (await aws.apigateway().send(new GetAccountCommand({}))).cloudwatchRoleArn || undefined;
  } catch (e) {
    return unreadable("account-role", e, "apigateway:GET on /account");
  }
  if (!roleArn) {
    return fail(
      "account-role",
      `the API Gateway account of ${target.region} has no CloudWatch role, and the stage logs`,
      "nothing sets the region's role: the stage's logs are not written, and a new stage with logging fails (\"CloudWatch Logs role ARN must be set in account settings\")",
      setFix,
    );
  }
  const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  let trust: unknown;
  try {
    const role = (await aws.iam().send(new GetRoleCommand({ RoleName: name }))).Role;
    trust = JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? "{}"));
  } catch (e) {
    if (isNotFound(e)) {
      return fail(
        "account-role",
        `the region's CloudWatch role ${roleArn} does not exist (${errorText(e)})`,
        "the role the account settings name was deleted (by hand, or by destroying the stack that created it while another still logs through it): API Gateway cannot write logs",
        `recreate it: ${target.kind === "chat" ? `deploy again (${ctx.redeploy}): the stack creates its role and sets it` : setFix}, or set another role (aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role arn>)`,
      );
    }
    return unreadable("account-role", e, "iam:GetRole");
  }
  if (!trustsApiGateway(trust)) {
    return fail(
      "account-role",
      `the region's CloudWatch role ${name} does not let apigateway.amazonaws.com assume it`,
      "its trust policy names other principals: API Gateway cannot assume it to write logs",
      'add {"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"} to its trust policy, or let the stack manage the role',
    );
  }
  let canWrite: boolean | undefined;
  try {
    const attached = (await aws.iam().send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? [];
    canWrite = attached.some((p) => p.PolicyName === PUSH_POLICY);
    if (!canWrite) {
      for (const policy of (await aws.iam().send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? []) {
        const doc = (await aws.iam().send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policy }))).PolicyDocument ?? "";
        if (/logs:(\*|PutLogEvents)/.test(decodeURIComponent(doc))) canWrite = true;
      }
    }
  } catch {
    canWrite = undefined;
  }
  const mine =
    target.accountRoleArn && target.accountRoleArn !== roleArn
      ? `; not the role this stack set (${target.accountRoleArn}): another stack or someone replaced it`
      : "";
  const seen = `the CloudWatch role of ${target.region} is ${name}; it exists and trusts apigateway.amazonaws.com`;
  if (canWrite === false) {
    return warn(
      "account-role",
      `${seen}, but has neither ${PUSH_POLICY} nor an inline policy allowing logs:PutLogEvents${mine}`,
      "API Gateway may assume the role but not write the logs",
      `attach arn:aws:iam::aws:policy/service-role/${PUSH_POLICY} to it`,
    );
  }
  return pass("account-role", `${seen}${canWrite ? ` and may write logs (${PUSH_POLICY})` : ""}${mine}`);
}

/** Whether a trust policy lets apigateway.amazonaws.com call sts:AssumeRole. */
export function trustsApiGateway(policy: unknown): boolean {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const statements = list((policy as { Statement?: unknown })?.Statement) as Array<{ Effect?: string; Principal?: unknown; Action?: unknown }>;
  return statements.some((s) => {
    if (s.Effect !== "Allow") return false;
    const actions = list(s.Action).map(String);
    if (!actions.some((a) => a === "sts:AssumeRole" || a === "sts:*" || a === "*")) return false;
    const services = list((s.Principal as { Service?: unknown })?.Service).map(String);
    return services.includes("apigateway.amazonaws.com") || s.Principal === "*";
  });
}

/**
 * `access-logs`: the stage's access log receives lines. After the scenario,
 * its own connections' lines (CloudWatch Logs delivers within seconds to a
 * minute or two, so it waits up to `waitMs`); with `--control-plane-only`,
 * the last line's time. On `npm run local`, the file the local gateway writes
 * in the stage's format.
 */
export async function checkAccessLogs(ctx: VerifyContext, waitMs: number): Promise<HopResult> {
  const { target, seen } = ctx;
  if (seen.scenario && !seen.scenario.connected) return skip("access-logs", "not checked: the scenario could not connect (see connect)");
  if (!seen.stage) return skip("access-logs", "not checked: the api hop failed");
  const arn = seen.stage.AccessLogSettings?.DestinationArn;
  if (!arn) return skip("access-logs", 'the stage writes no access logs (a module with api_gateway_account_role "none")');
  if (target.local) return checkLocalAccessLog(ctx, Math.min(waitMs, 5000));
  const group = /:log-group:([^:]+)/.exec(arn)?.[1] ?? arn;
  const logs = ctx.aws.logs();
  const scenario = seen.scenario;
  try {
    if (scenario?.connectionIds.length) {
      const started = Date.now();
      const since = scenario.started.getTime() - 5000;
      for (;;) {
        let token: string | undefined;
        for (let page = 0; page < 5; page++) {
          const r = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: since, nextToken: token, limit: 1000 }));
          const mine = (r.events ?? []).filter((e) => scenario.connectionIds.some((id) => e.message?.includes(id)));
          if (mine.length) {
            return pass(
              "access-logs",
              `${mine.length} line${mine.length > 1 ? "s" : ""} of the scenario's connections in ${group}, within ${Math.round((Date.now() - started) / 1000)} s`,
            );
          }
          token = r.nextToken;
          if (!token) break;
        }
        if (Date.now() - started >= waitMs) break;
        await ctx.sleep(5000);
      }
    }
    const streams =
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true, limit: 1 }))).logStreams ?? [];
    const last = streams[0]?.lastEventTimestamp;
    const lastText = last ? `its last line is from ${when(new Date(last))} (${ago(new Date(last), ctx.now())})` : "it has never received a line";
    if (scenario?.connectionIds.length) {
      const text = `no line of the scenario's connections reached ${group} within ${Math.round(waitMs / 1000)} s; ${lastText}`;
      return last
        ? warn("access-logs", text, "CloudWatch Logs delivery can lag by a few minutes", "run verify again in a few minutes")
        : fail(
            "access-logs",
            text,
            "API Gateway cannot write the stage's access log: the region's CloudWatch role (see account-role), or the log group was recreated after the stage",
            `fix the account-role hop first; then deploy again (${ctx.redeploy})`,
          );
    }
    return last
      ? pass("access-logs", `${group} receives lines: ${lastText}`)
      : warn("access-logs", `${group}: ${lastText}`, "no traffic yet (or logs cannot be written)", "run verify without --control-plane-only to send traffic");
  } catch (e) {
    if (isNotFound(e)) {
      return fail(
        "access-logs",
        `the stage's access log group ${group} does not exist`,
        "it was deleted: API Gateway does not create it again",
        `deploy again (${ctx.redeploy}): Terraform recreates the log group`,
      );
    }
    return unreadable("access-logs", e, "logs:FilterLogEvents and logs:DescribeLogStreams");
  }
}

async function checkLocalAccessLog(ctx: VerifyContext, waitMs: number): Promise<HopResult> {
  const file = ctx.target.local!.accessLogFile;
  const ids = ctx.seen.scenario?.connectionIds ?? [];
  const started = Date.now();
  for (;;) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    const mine = lines.filter((l) => ids.some((id) => l.includes(id)));
    if (ids.length ? mine.length : lines.length) {
      return pass(
        "access-logs",
        ids.length
          ? `${mine.length} lines of the scenario's connections in ${file} (the local gateway's access log, in the stage's format)`
          : `${lines.length} lines in ${file} (the local gateway's access log)`,
      );
    }
    if (Date.now() - started >= waitMs) {
      return ids.length
        ? fail(
            "access-logs",
            `no line of the scenario's connections in ${file}`,
            "the local gateway writes no access log (a stage without access_log_settings)",
            "give the stage access logging",
          )
        : warn(
            "access-logs",
            `${file} holds no line yet`,
            "no traffic yet",
            ctx.seen.scenario ? "the scenario's connections should have written lines: restart npm run local" : "run verify without --control-plane-only",
          );
    }
    await ctx.sleep(200);
  }
}
