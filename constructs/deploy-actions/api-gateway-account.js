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
const {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  ListRoleTagsCommand,
  TagRoleCommand,
  UntagRoleCommand,
} = require("@aws-sdk/client-iam");
const { createHash } = require("crypto");
const { backoffMaxMs, backoffMs, safetyMs, sleep } = require("./timing");

const TAG_PREFIX = "websocket-gateway:user:";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const DESCRIPTION =
  "Lets API Gateway write the access and execution logs of every API in the regions whose account setting names it; shared by the websocket-gateway stacks tagged on it";

const region = () => process.env.AWS_REGION ?? "us-east-1";
/** The tag key of a stack in a region (tag keys allow 128 characters: the stack's id is hashed). */
const userKey = (r, user) => `${TAG_PREFIX}${r}:${createHash("sha256").update(user).digest("hex").slice(0, 16)}`;
/** A stack's id as a tag value (256 of letters, digits, spaces and _ . : / = + - @). */
const userValue = (user) => user.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, "-").slice(0, 256);
const isMissing = (e) => e.name === "NoSuchEntityException" || e.name === "NoSuchEntity";

/** The role name in a role ARN, and whether it lives under `path`. */
function parseRole(arn, path) {
  const m = /^arn:[^:]+:iam::\d{12}:role(\/.*)$/.exec(arn ?? "");
  if (!m) return { name: undefined, shared: false, path: undefined };
  const full = m[1];
  const name = full.slice(full.lastIndexOf("/") + 1);
  const rolePath = full.slice(0, full.lastIndexOf("/") + 1);
  return { name, shared: rolePath === path, path: rolePath };
}

async function currentRole(apigw) {
  return (await apigw.send(new GetAccountCommand({}))).cloudwatchRoleArn || null;
}

async function tagsOf(iam, roleName) {
  try {
    return (await iam.send(new ListRoleTagsCommand({ RoleName: roleName, MaxItems: 100 }))).Tags ?? [];
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

const usersIn = (tags, r) => (tags ?? []).filter((t) => t.Key.startsWith(r === undefined ? TAG_PREFIX : `${TAG_PREFIX}${r}:`));

/** Creates the shared role (or finds it) with the managed policy, this stack tagged on it. */
async function ensureRole(iam, event, key, value) {
  let role;
  try {
    role = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: event.roleName,
          Path: event.rolePath,
          AssumeRolePolicyDocument: TRUST,
          Description: DESCRIPTION,
          Tags: [{ Key: key, Value: value }],
        }),
      )
    ).Role;
  } catch (e) {
    if (e.name !== "EntityAlreadyExistsException" && e.name !== "EntityAlreadyExists") throw e;
    role = (await iam.send(new GetRoleCommand({ RoleName: event.roleName }))).Role;
    if (role.Path !== event.rolePath) {
      throw new Error(
        `the IAM role ${event.roleName} exists outside ${event.rolePath} (${role.Arn}): it is not one of the roles these stacks share; ${event.renameHint ?? "pick another role name"}`,
      );
    }
    await iam.send(new TagRoleCommand({ RoleName: event.roleName, Tags: [{ Key: key, Value: value }] }));
  }
  // Idempotent; API Gateway checks the role's permissions when the setting is made.
  await iam.send(new AttachRolePolicyCommand({ RoleName: event.roleName, PolicyArn: event.policyArn }));
  return role;
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

/** Deletes a shared role no stack is tagged on any more (in any region). */
async function deleteIfUnused(iam, roleName, policyArn) {
  const tags = await tagsOf(iam, roleName);
  if (tags === undefined) return "gone";
  if (usersIn(tags).length > 0) return "in use";
  await deleteRole(iam, roleName, policyArn);
  return "deleted";
}

async function deleteRole(iam, roleName, policyArn) {
  try {
    await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  try {
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

/** This stack's own role of an earlier release (a role per stack, at the root path), recognised by name and description. */
async function previousRoleOfThisStack(iam, event, name) {
  if (!name || !(event.previousRoleNames ?? []).includes(name)) return false;
  try {
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
    return role.Path === "/" && role.Description === event.previousRoleDescription;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/** Deletes this stack's roles of an earlier release that the setting no longer names. */
async function removePreviousRoles(iam, event, settingArn) {
  const removed = [];
  for (const name of event.previousRoleNames ?? []) {
    if (parseRole(settingArn, "/").name === name && parseRole(settingArn, "/").path === "/") continue;
    if (await previousRoleOfThisStack(iam, event, name)) {
      await deleteRole(iam, name, event.policyArn);
      removed.push(name);
    }
  }
  return removed;
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

/** Names of the shared roles (every role under the path). */
async function sharedRoleNames(iam, rolePath) {
  const names = [];
  let Marker;
  do {
    const page = await iam.send(new ListRolesCommand({ PathPrefix: rolePath, Marker }));
    for (const role of page.Roles ?? []) if (role.Path === rolePath) names.push(role.RoleName);
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return names;
}

/**
 * Takes this stack's tag off every shared role but `keep`, and deletes those
 * no stack uses any more (a stack that moved, or whose earlier apply stopped
 * half-way, leaves no stale tag behind).
 */
async function tidy(iam, event, key, keep) {
  const roles = {};
  for (const name of await sharedRoleNames(iam, event.rolePath)) {
    if (name === keep) continue;
    const tags = await tagsOf(iam, name);
    if (tags?.some((t) => t.Key === key)) await iam.send(new UntagRoleCommand({ RoleName: name, TagKeys: [key] }));
    roles[name] = await deleteIfUnused(iam, name, event.policyArn);
  }
  return roles;
}

async function untagEverywhere(iam, names, key) {
  for (const name of new Set(names.filter(Boolean))) {
    try {
      await iam.send(new UntagRoleCommand({ RoleName: name, TagKeys: [key] }));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }
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
