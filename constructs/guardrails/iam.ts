import { defineRule } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { decodeJsonDocument } from "./json-document";
import { blocks, isExpression, stringList, UNKNOWN, Unknown } from "./values";

/**
 * Actions AWS documents as having no resource-level permissions, which must
 * be granted on `"Resource": "*"`: the X-Ray write actions (as in the
 * managed policy AWSXRayDaemonWriteAccess), ECR's registry login, and the
 * ECR Public login: its GetAuthorizationToken "requires the
 * ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken
 * permissions" (ECR Public API reference), neither has a resource type in
 * the Service Authorization Reference, and AWS's own managed policy
 * AmazonElasticContainerRegistryPublicFullAccess grants them on "*"; and
 * IAM's ListRoles, a List action with no resource type in the Service
 * Authorization Reference ("Actions defined by AWS Identity and Access
 * Management"), which filters by its PathPrefix argument instead (the shared
 * API Gateway CloudWatch roles' account function lists `/websocket-gateway/`).
 */
export const WILDCARD_RESOURCE_ACTIONS: readonly string[] = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "ecr:GetAuthorizationToken",
  "ecr-public:GetAuthorizationToken",
  "sts:GetServiceBearerToken",
  "iam:ListRoles",
];

/** Resources whose `policy` argument is an identity policy (inline or managed). */
const POLICY_RESOURCES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/** One statement, from a policy document data source or an inline JSON policy. */
export interface Statement {
  readonly block: TfBlock;
  /** Where it is, e.g. `statement[1] (XRayWrite)` or `policy.Statement[0]`. */
  readonly where: string;
  readonly allow: boolean | Unknown;
  readonly actions: Array<string | Unknown> | Unknown;
  readonly notActions: Array<string | Unknown> | Unknown;
  readonly resources: Array<string | Unknown> | Unknown;
  /** Resource-based statements (with a principal) are left to the resource's own rules. */
  readonly hasPrincipal: boolean;
  /** Data source statements are CKV_AWS_1/49/356, resource policies CKV_AWS_62/63/355. */
  readonly fromDataSource: boolean;
}

/**
 * Every identity-policy statement of the stack: `data.aws_iam_policy_document`
 * statements (and literal JSON in its source/override documents), and the
 * inline JSON (`JSON.stringify` or `Fn.jsonencode`) of `aws_iam_*policy` and
 * `aws_iam_role.inline_policy`. A policy that references a policy document
 * (`${data.aws_iam_policy_document.x.json}`) is checked at the document.
 */
export function policyStatements(ctx: RuleContext): Statement[] {
  let out = STATEMENTS.get(ctx.model);
  if (!out) STATEMENTS.set(ctx.model, (out = collectStatements(ctx)));
  return out;
}

/** Statements per stack model: the three IAM rules read them once. */
const STATEMENTS = new WeakMap<object, Statement[]>();

function collectStatements(ctx: RuleContext): Statement[] {
  const out: Statement[] = [];
  for (const doc of ctx.model.data("aws_iam_policy_document")) {
    const statements = blocks(doc.config.statement);
    if (statements !== UNKNOWN) {
      statements.forEach((s, i) => {
        const effect = s.effect;
        out.push({
          block: doc,
          where: `statement[${i}]${typeof s.sid === "string" && s.sid ? ` (${s.sid})` : ""}`,
          allow: effect === undefined || effect === null ? true : isExpression(effect) ? UNKNOWN : effect === "Allow",
          actions: stringList(s.actions),
          notActions: stringList(s.not_actions),
          resources: stringList(s.resources),
          hasPrincipal: blocks(s.principals) !== UNKNOWN ? (blocks(s.principals) as unknown[]).length > 0 || s.not_principals !== undefined : true,
          fromDataSource: true,
        });
      });
    }
    for (const key of ["source_policy_documents", "override_policy_documents"]) {
      const docs = doc.config[key];
      if (!Array.isArray(docs)) continue;
      docs.forEach((d, i) => out.push(...jsonStatements(doc, `${key}[${i}]`, decodeJsonDocument(d), true)));
    }
  }
  for (const type of POLICY_RESOURCES) {
    for (const r of ctx.model.resources(type)) out.push(...jsonStatements(r, "policy", decodeJsonDocument(r.config.policy), false));
  }
  for (const role of ctx.model.resources("aws_iam_role")) {
    const inline = blocks(role.config.inline_policy);
    if (inline === UNKNOWN) continue;
    inline.forEach((p, i) => out.push(...jsonStatements(role, `inline_policy[${i}].policy`, decodeJsonDocument(p.policy), false)));
  }
  return out;
}

function jsonStatements(block: TfBlock, where: string, doc: unknown, fromDataSource: boolean): Statement[] {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [];
  const raw = (doc as Record<string, unknown>).Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  return list
    .filter((s): s is Record<string, unknown> => !!s && typeof s === "object" && !Array.isArray(s))
    .map((s, i) => ({
      block,
      where: `${where}.Statement[${i}]${typeof s.Sid === "string" && s.Sid ? ` (${s.Sid})` : ""}`,
      allow: s.Effect === undefined ? true : typeof s.Effect === "string" && !isExpression(s.Effect) ? s.Effect === "Allow" : UNKNOWN,
      actions: stringList(s.Action),
      notActions: stringList(s.NotAction),
      resources: stringList(s.Resource),
      hasPrincipal: s.Principal !== undefined || s.NotPrincipal !== undefined,
      fromDataSource,
    }));
}

const isStar = (v: string | Unknown): boolean => v === "*";
const isServiceWildcard = (v: string | Unknown): boolean => typeof v === "string" && /^[A-Za-z0-9-]+:\*$/.test(v);
const known = (list: Array<string | Unknown> | Unknown): Array<string | Unknown> => (list === UNKNOWN ? [] : list);

/** True for an allowing identity statement granting `*` on `*`. */
function isAdmin(s: Statement): boolean {
  return s.allow === true && !s.hasPrincipal && known(s.actions).some(isStar) && known(s.resources).some(isStar);
}

/** WSG-IAM-001: no wildcard actions. */
export const noWildcardActions = defineRule({
  id: "WSG-IAM-001",
  checkov: ["CKV_AWS_49", "CKV_AWS_63"],
  description: 'Identity policies allow no "*" or "<service>:*" action and no NotAction.',
  fix: "list the actions the role needs (e.g. dynamodb:GetItem, dynamodb:PutItem) instead of a wildcard or NotAction",
  severity: "error",
  details:
    "Reads every Allow statement of an identity policy. Statements with a `Principal` (trust and resource policies, e.g. KMS key policies) are left out of the IAM rules: they are the resource's own access, not an identity's grant.",
  suppressOn: "the policy document / policy",
  checkovDeviation: "Service wildcards (`s3:*`) count as wildcard actions, which is stricter than CKV_AWS_49/63.",
  check: (ctx, report) => {
    for (const s of policyStatements(ctx)) {
      if (s.allow !== true || s.hasPrincipal || isAdmin(s)) continue;
      const wild = known(s.actions).filter((a) => isStar(a) || isServiceWildcard(a));
      if (wild.length) report(s.block, `${s.where} actions`, "specific actions, not wildcards", wild);
      if (s.notActions !== UNKNOWN && s.notActions.length)
        report(s.block, `${s.where} not_actions`, "unset in an Allow statement (it allows every other action)", s.notActions);
    }
  },
});

/** WSG-IAM-002: no wildcard resources except the documented cases. */
export const noWildcardResources = defineRule({
  id: "WSG-IAM-002",
  checkov: ["CKV_AWS_355", "CKV_AWS_356"],
  description:
    'Identity policies allow actions on "Resource": "*" only for actions without resource-level permissions (X-Ray writes, ecr:GetAuthorizationToken, the ECR Public login ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, iam:ListRoles, and the wildcardResourceActions option).',
  fix: 'name the resources (ARNs) the actions apply to; only actions without resource-level permissions may keep "*" (add them to the wildcardResourceActions option with a comment why)',
  severity: "error",
  suppressOn: "the policy document / policy",
  checkovDeviation:
    "CKV_AWS_355/356 flag every restrictable action on `*`; the pack allows exactly the actions AWS documents without resource-level permissions that these stacks use (X-Ray write actions, `ecr:GetAuthorizationToken`, `ecr-public:GetAuthorizationToken`, `sts:GetServiceBearerToken`, `iam:ListRoles`) and those named in `wildcardResourceActions`.",
  check: (ctx, report) => {
    const allowed = new Set([...WILDCARD_RESOURCE_ACTIONS, ...(ctx.options.wildcardResourceActions ?? [])].map((a) => a.toLowerCase()));
    for (const s of policyStatements(ctx)) {
      if (s.allow !== true || s.hasPrincipal || isAdmin(s)) continue;
      if (!known(s.resources).some(isStar)) continue;
      if (s.actions === UNKNOWN) continue;
      const offending = s.actions.filter((a): a is string => typeof a === "string" && !allowed.has(a.toLowerCase()));
      if (offending.length) report(s.block, `${s.where} resources`, `specific ARNs for ${offending.join(", ")}`, ["*"]);
      else if (s.notActions !== UNKNOWN && s.notActions.length && s.actions.length === 0) report(s.block, `${s.where} resources`, "specific ARNs", ["*"]);
    }
  },
});

/** WSG-IAM-003: no inline administrator statements. */
export const noAdmin = defineRule({
  id: "WSG-IAM-003",
  checkov: ["CKV_AWS_1", "CKV_AWS_62"],
  description: 'No policy allows "Action": "*" on "Resource": "*" (full administrator).',
  fix: "grant the specific actions on the specific resources the role needs; administrators get AWS's managed policies through IAM Identity Center, not from this stack",
  severity: "error",
  details: "Reported instead of WSG-IAM-001/002 for that statement.",
  suppressOn: "— (do not)",
  check: (ctx, report) => {
    for (const s of policyStatements(ctx)) {
      if (isAdmin(s)) report(s.block, s.where, 'anything but "Action": "*" on "Resource": "*"', { actions: ["*"], resources: ["*"] });
    }
  },
});

export const IAM_RULES = [noWildcardActions, noWildcardResources, noAdmin];
