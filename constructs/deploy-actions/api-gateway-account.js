// The region's API Gateway CloudWatch role: one account setting per region,
// read by the logs of every REST and WebSocket API there, which several
// stacks (a dev and a prod chat, a module in "managed" mode) need at once.
//
// The stacks share the role the setting names: roles they create live under
// one IAM path (`rolePath`), and each stack that relies on one is a tag on it,
// `websocket-gateway:user:<region>:<hash of the stack's id>` = the stack's id.
// Invoked by an `aws_lambda_invocation` with lifecycle_scope "CRUD", which adds
// `tf: {action: "create"|"update"|"delete", prev_input}` to the event:
//
//   create/update  the region has no role: create `roleName` (under the path),
//                  set it, tag this stack on it. The region names a shared
//                  role: tag this stack on it (the setting stays). It names the
//                  role this stack used before a rename (prev_input): move the
//                  region's tags to the new role, set it, delete the old one
//                  when nothing uses it. It names this stack's role of an
//                  earlier release (previousRoleNames, recognised by its
//                  description): take over from it and delete it. It names
//                  any other role: stop, unless `replaceExisting`.
//   delete         untag this stack; the last stack of the region resets the
//                  setting, and a role no stack uses any more is deleted.
//
// Every run also takes this stack's tag off the other shared roles and deletes
// those no stack uses (ListRoles under the path): a stack whose earlier apply
// stopped half-way leaves no stale tag. (A refused update is recorded by
// Terraform with its new input all the same: the next apply runs the function
// again only when an input changes, e.g. replaceExisting or manage.)
//
// So destroying one stack leaves the others' logs working. Two stacks applied
// at the same moment in a region without a role may each set their own
// role: the second to set it wins and the first tags itself on that one
// (the setting is read again after it is made).
"use strict";
const { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } = require("@aws-sdk/client-api-gateway");
const { IAMClient, TagRoleCommand, UntagRoleCommand } = require("@aws-sdk/client-iam");
const {
  deleteIfUnused,
  ensureRole,
  parseRole,
  previousRoleOfThisStack,
  removePreviousRoles,
  sharedRoleNames,
  tagsOf,
  tidy,
  untagEverywhere,
  userKey,
  userValue,
  usersIn,
} = require("./shared-roles");
const { backoffMaxMs, backoffMs, safetyMs, sleep } = require("./timing");

const region = () => process.env.AWS_REGION ?? "us-east-1";
async function currentRole(apigw) {
  return (await apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn || null;
}

/**
 * Points the region's setting at a role. A new role takes a few seconds to be
 * usable by API Gateway (IAM is eventually consistent): UpdateAccount answers
 * BadRequestException until then, so it is tried again while time remains.
 */
async function setRole(apigw, roleArn, context) {
  let delay = backoffMs();
  for (;;) {
    try {
      await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: roleArn }] }));
      return;
    } catch (e) {
      const retryable = e.name === "BadRequestException" && /role|permission|assume/i.test(e.message ?? "");
      if (!retryable || context.getRemainingTimeInMillis() < delay + safetyMs()) throw e;
      await sleep(delay);
      delay = Math.min(delay * 2, backoffMaxMs());
    }
  }
}

/** Resets the setting (what the provider's reset_on_delete does: an empty role ARN). */
async function resetRole(apigw) {
  await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: "" }] }));
}

function check(event) {
  for (const k of ["roleName", "rolePath", "policyArn", "user", "keepHint"]) {
    if (typeof event[k] !== "string" || event[k] === "") throw new Error(`api-gateway-account needs ${k}`);
  }
}

async function apiGatewayAccount(event, context) {
  check(event);
  const lifecycle = event.tf?.action ?? "create";
  const previous = event.tf?.prev_input;
  const r = region();
  const iam = new IAMClient({});
  const apigw = new APIGatewayClient({});
  const key = userKey(r, event.user);
  const value = userValue(event.user);
  const current = await currentRole(apigw);
  const now = parseRole(current, event.rolePath);

  if (lifecycle === "delete") return leave(iam, apigw, event, r, key, current);

  // A renamed stack (another environment) leaves its old tag behind.
  const oldKey = previous?.user && previous.user !== event.user ? userKey(r, previous.user) : undefined;
  let result;
  if (current === null) {
    const role = await ensureRole(iam, event, key, value);
    await setRole(apigw, role.Arn, context);
    result = { roleArn: role.Arn, outcome: "set" };
  } else if (now.shared && now.name === event.roleName) {
    await iam.send(new TagRoleCommand({ RoleName: now.name, Tags: [{ Key: key, Value: value }] }));
    result = { roleArn: current, outcome: "joined" };
  } else if (now.shared && previous?.roleName === now.name) {
    // This stack's own role under its former name: the region moves to the new one.
    const role = await ensureRole(iam, event, key, value);
    const tags = usersIn(await tagsOf(iam, now.name), r);
    if (tags.length) await iam.send(new TagRoleCommand({ RoleName: event.roleName, Tags: tags }));
    await setRole(apigw, role.Arn, context);
    if (tags.length) await iam.send(new UntagRoleCommand({ RoleName: now.name, TagKeys: tags.map((t) => t.Key) }));
    result = { roleArn: role.Arn, outcome: "renamed", previousRoleArn: current, previousRole: await deleteIfUnused(iam, now.name, event.policyArn) };
  } else if (now.shared) {
    // Another stack's shared role: this stack's logs go through it too.
    await iam.send(new TagRoleCommand({ RoleName: now.name, Tags: [{ Key: key, Value: value }] }));
    result = { roleArn: current, outcome: "joined" };
  } else if ((await previousRoleOfThisStack(iam, event, now.name)) || event.replaceExisting === true) {
    const role = await ensureRole(iam, event, key, value);
    await setRole(apigw, role.Arn, context);
    result = { roleArn: role.Arn, outcome: "replaced", previousRoleArn: current };
  } else {
    throw new Error(
      `the API Gateway account of ${r} already uses the CloudWatch role ${current} for the logs of every API there, a role these stacks did not create: ` +
        `${event.keepHint} to keep it (this stack's logs go through it)` +
        (event.replaceHint
          ? `, or ${event.replaceHint} to replace it (destroying the last stack that uses the new role then resets the setting; it does not restore ${current})`
          : ""),
    );
  }
  // The setting read again: another stack may have set its role at the same moment.
  const after = await currentRole(apigw);
  const settled = parseRole(after, event.rolePath);
  if (after !== result.roleArn && settled.shared) {
    await iam.send(new TagRoleCommand({ RoleName: settled.name, Tags: [{ Key: key, Value: value }] }));
    result = { ...result, roleArn: after, outcome: "joined" };
  }
  if (oldKey) await untagEverywhere(iam, [event.roleName, settled.name, now.name], oldKey);
  await tidy(iam, event, key, parseRole(result.roleArn, event.rolePath).name);
  const removed = await removePreviousRoles(iam, event, after);
  return {
    ...result,
    usersInRegion: usersIn(await tagsOf(iam, parseRole(result.roleArn, event.rolePath).name), r).length,
    ...(removed.length ? { removedRoles: removed } : {}),
  };
}

/** Destroy: this stack lets go; the region's last stack resets the setting, and unused roles go. */
async function leave(iam, apigw, event, r, key, current) {
  const now = parseRole(current, event.rolePath);
  const names = [...new Set([event.roleName, ...(now.shared ? [now.name] : []), ...(await sharedRoleNames(iam, event.rolePath))])];
  await untagEverywhere(iam, names, key);
  let outcome = "left";
  if (now.shared) {
    const users = usersIn(await tagsOf(iam, now.name), r);
    if (users.length === 0) {
      await resetRole(apigw);
      outcome = "reset";
    }
  }
  const roles = {};
  for (const name of new Set(names)) roles[name] = await deleteIfUnused(iam, name, event.policyArn);
  return { outcome, roles };
}

module.exports = { apiGatewayAccount, userKey };
