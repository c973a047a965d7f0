// The roles the stacks share for the region's API Gateway CloudWatch setting,
// on the IAM side: created under one path with the managed policy, a tag per
// stack that relies on one, deleted when no stack does; and a stack's own
// role of release 2.0.0, recognised and deleted. api-gateway-account.js
// decides which role a region uses and when.
"use strict";
const {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  TagRoleCommand,
  UntagRoleCommand,
} = require("@aws-sdk/client-iam");
const { createHash } = require("crypto");

const TAG_PREFIX = "websocket-gateway:user:";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const DESCRIPTION =
  "Lets API Gateway write the access and execution logs of every API in the regions whose account setting names it; shared by the websocket-gateway stacks tagged on it";

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

module.exports = {
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
};
