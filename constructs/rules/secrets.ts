/**
 * Secrets recognizable by their shape: the one list the settings loader
 * (nothing of this shape may be in configuration) and the guardrails
 * (WSG-SEC-001: nor in synthesized Terraform) both read.
 */
export interface SecretPattern {
  /** What the match is, for messages: "a GitHub token". */
  readonly what: string;
  /** "credential": a token or key id, found in synthesized Terraform by WSG-SEC-001 too. */
  readonly kind: "credential" | "private-key";
  readonly re: RegExp;
}

/**
 * GitHub tokens: a prefix (ghp_, gho_, ghu_, ghs_, ghr_) and 36 characters
 * today, 82 after `github_pat_` (fine-grained); GitHub tells integrators to
 * expect up to 255 characters
 * (https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available/).
 * AWS access key ids: AKIA (long-term) or ASIA (temporary) and 16 characters
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
 */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { what: "a GitHub token", kind: "credential", re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])/ },
  { what: "a GitHub fine-grained token", kind: "credential", re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}/ },
  { what: "an AWS access key id", kind: "credential", re: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { what: "a private key", kind: "private-key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** The patterns WSG-SEC-001 looks for in synthesized Terraform. */
export const CREDENTIAL_PATTERNS: readonly SecretPattern[] = SECRET_PATTERNS.filter((p) => p.kind === "credential");

/** The first secret in a text, if any: what it is and the matched text. */
export function findSecret(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): { what: string; match: string } | undefined {
  for (const p of patterns) {
    const m = p.re.exec(text);
    if (m) return { what: p.what, match: m[0] };
  }
  return undefined;
}

/** True when a value holds a secret at any depth (strings in lists and maps, and map keys). */
export function holdsSecret(value: unknown): boolean {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return findSecret(text) !== undefined;
}
