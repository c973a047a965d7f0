/** The outcome of evaluating a policy for one action on one resource. */
export type PolicyDecision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

/** A policy document that is not one (the authorizer's answer is then malformed: 500). */
export class PolicyError extends Error {}

/**
 * Evaluates an IAM policy document (a Lambda authorizer's `policyDocument`,
 * or an identity policy given with `--iam-policy`) for one action on one
 * resource, as IAM does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit `Deny` that matches wins; else an `Allow` that matches allows;
 * else the request is implicitly denied. `Action`/`NotAction` and
 * `Resource`/`NotResource` take a string or a list, with `*` (any run of
 * characters) and `?` (one character) wildcards; actions compare without
 * case, resources with case. A statement with a `Condition` block is not
 * evaluated here and never matches: `skipped` names it.
 */
export function evaluatePolicy(document: unknown, action: string, resource: string): { decision: PolicyDecision; skipped: number } {
  if (!document || typeof document !== "object" || Array.isArray(document)) throw new PolicyError("policyDocument must be an object with a Statement");
  const raw = (document as Record<string, unknown>).Statement;
  const statements = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : undefined;
  if (!statements) throw new PolicyError("policyDocument.Statement must be a statement or a list of statements");
  let allowed = false;
  let skipped = 0;
  for (const [i, s] of statements.entries()) {
    if (!s || typeof s !== "object") throw new PolicyError(`policyDocument.Statement[${i}] must be an object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== "Allow" && st.Effect !== "Deny")
      throw new PolicyError(`policyDocument.Statement[${i}].Effect must be "Allow" or "Deny", got ${JSON.stringify(st.Effect)}`);
    if (st.Condition !== undefined) {
      skipped++;
      continue;
    }
    const matches = matchesAny(field(st, "Action", "NotAction", i), action, false) && matchesAny(field(st, "Resource", "NotResource", i), resource, true);
    if (!matches) continue;
    if (st.Effect === "Deny") return { decision: "ExplicitDeny", skipped };
    allowed = true;
  }
  return { decision: allowed ? "Allow" : "ImplicitDeny", skipped };
}

/** A statement's `Action` or `NotAction` (likewise resources) as patterns, and whether it is the `Not` form. */
function field(st: Record<string, unknown>, name: string, notName: string, i: number): { patterns: string[]; not: boolean } {
  const given = st[name] !== undefined ? { value: st[name], not: false } : st[notName] !== undefined ? { value: st[notName], not: true } : undefined;
  if (!given) throw new PolicyError(`policyDocument.Statement[${i}] must have ${name} or ${notName}`);
  const list = Array.isArray(given.value) ? given.value : [given.value];
  if (!list.every((v) => typeof v === "string"))
    throw new PolicyError(`policyDocument.Statement[${i}].${given.not ? notName : name} must be a string or a list of strings`);
  return { patterns: list as string[], not: given.not };
}

function matchesAny(field: { patterns: string[]; not: boolean }, value: string, caseSensitive: boolean): boolean {
  const hit = field.patterns.some((p) => wildcard(p, caseSensitive).test(value));
  return field.not ? !hit : hit;
}

function wildcard(pattern: string, caseSensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, caseSensitive ? "s" : "is");
}
