import { CREDENTIAL_PATTERNS } from "../rules/secrets";
import { containerDefinitions } from "./ecs";
import { defineRule, Reporter } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { isExpression, references } from "./values";

/**
 * Argument, map key or environment variable names that hold secrets, in
 * snake_case: `password`, `db_password`, `client_secret`, `api_key`,
 * `access_token`, `JWT_SECRET`, `basic_auth_credentials`, ...
 */
const SECRET_NAME =
  /(^|_)(password|passwd|passphrase|secret|secret_string|secret_key|secret_access_key|access_key|private_key|api_key|apikey|token|credential|credentials)$/;

/** Environment variable types whose value is a reference to a secret, not the secret. */
const REFERENCE_TYPES = new Set(["SECRETS_MANAGER", "PARAMETER_STORE"]);

/** `dbPassword`, `DB-PASSWORD`, `db_password` all become `db_password`. */
export function snakeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toLowerCase();
}

/** True for a name that says it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(snakeName(name));
}

/**
 * Shows a secret without giving it away: its length, and for long values
 * (tokens and keys, whose first characters name their kind) the first four.
 */
export function mask(secret: string): string {
  return `${secret.length >= 20 ? secret.slice(0, 4) : ""}... (${secret.length} characters, masked)`;
}

/** A string that could be a secret written in the configuration (not an expression, ARN or boolean). */
function isLiteralSecret(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const v = value.trim();
  return v !== "" && !isExpression(v) && !v.startsWith("arn:") && !/^(true|false|null)$/i.test(v);
}

/** The object or array a string sits in. */
type Parent = Record<string, unknown> | unknown[] | undefined;

/** Calls `visit` with every string in a value and its path (`a.b[0].c`). */
function walkStrings(
  value: unknown,
  path: string,
  visit: (text: string, path: string, key: string | undefined, parent: Parent) => void,
  key?: string,
  parent?: Parent,
): void {
  if (typeof value === "string") visit(value, path, key, parent);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit, key, value));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "//" || k === "depends_on") continue;
      walkStrings(v, path ? `${path}.${k}` : k, visit, k, value as Record<string, unknown>);
    }
  }
}

/** WSG-SEC-001: no recognizable credentials anywhere. */
export const noCredentialLiterals = defineRule({
  id: "WSG-SEC-001",
  checkov: ["CKV_SECRET_2", "CKV_AWS_41", "CKV_AWS_45"],
  description:
    "No GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_) or AWS access key id (AKIA, ASIA) appears in any argument, variable default, provider or backend setting.",
  fix: "revoke the credential now (it is in the synthesized JSON and the state), then pass it as a sensitive variable (TF_VAR_...) or read it from Secrets Manager or SSM at plan time; AWS credentials come from the environment or a role, never the configuration",
  severity: "error",
  details: "Also inside container definitions.",
  suppressOn: "— (revoke instead)",
  checkovDeviation:
    "Checkov's secrets framework uses entropy detectors; WSG-SEC-001/002 use token shapes and secret-looking names instead, so they have no false positives on hashes and IDs, and miss a high-entropy value under an innocent name.",
  check: ({ model }, report) => {
    for (const block of model.blocks) {
      walkStrings(block.config, "", (text, path) => {
        for (const p of CREDENTIAL_PATTERNS) {
          const m = p.re.exec(text);
          if (m) report(block, path || "(value)", `free of credentials (it holds ${p.what})`, mask(m[0]));
        }
      });
    }
  },
});

/** WSG-SEC-002: no literal values for secret-named settings. */
export const noPasswordLiterals = defineRule({
  id: "WSG-SEC-002",
  checkov: ["CKV_AWS_41", "CKV_AWS_45"],
  description:
    "No literal value is given to an argument, map key, environment variable or variable default whose name says it is a secret (password, secret, token, api_key, private_key, credentials, ...).",
  fix: "pass the value from a variable marked sensitive or a secrets lookup (data aws_secretsmanager_secret_version, data aws_ssm_parameter), or give ECS/CodeBuild a secret reference (secrets/valueFrom, type SECRETS_MANAGER) instead of a plain value",
  severity: "error",
  details:
    "A name is secret-looking when it ends in `password`, `passphrase`, `secret`, `secret_key`, `access_key`, `private_key`, `api_key`, `token` or `credentials` (and a few spellings of those); a `name`/`value` environment entry is read as one. ARNs, booleans and secret references (`SECRETS_MANAGER`, `PARAMETER_STORE`) are fine.",
  suppressOn: "the resource or provider, e.g. an emulator's dummy keys",
  checkovDeviation: "Like WSG-SEC-001: secret-looking names instead of Checkov's entropy detectors.",
  check: (ctx: RuleContext, report: Reporter) => {
    const flag = (block: TfBlock, path: string, value: string) =>
      report(block, path, "a reference to a sensitive variable or a secret, not a literal", mask(value));
    const scan = (block: TfBlock, root: unknown, prefix: string) =>
      walkStrings(root, prefix, (text, path, key, parent) => {
        if (!isLiteralSecret(text) || Array.isArray(parent)) return;
        if (key === "value" && parent && typeof parent.name === "string" && isSecretName(parent.name)) {
          if (!REFERENCE_TYPES.has(String(parent.type ?? "").toUpperCase())) flag(block, `${path} (${parent.name})`, text);
          return;
        }
        if (key !== undefined && key !== "name" && isSecretName(key)) {
          if (block.type === "aws_amplify_app" && (key === "access_token" || key === "oauth_token") && path === key) return; // WSG-SEC-003
          flag(block, path, text);
        }
      });
    for (const block of ctx.model.blocks) {
      if (block.kind === "variable") {
        if (isSecretName(block.name) && isLiteralSecret(block.config.default)) flag(block, "default", block.config.default);
        continue;
      }
      scan(block, block.config, "");
      if (block.type === "aws_ecs_task_definition") {
        for (const c of containerDefinitions(block)) scan(block, c.def, `container_definitions[${c.index}]`);
      }
    }
  },
});

/** Where a secret may come from: a secrets lookup, or a variable marked sensitive. */
type Source = "secret" | "sensitive-variable" | "plain-variable" | "other";

function sourceOf(ctx: RuleContext, reference: string): Source {
  if (/^data\.(aws_secretsmanager_secret_version|aws_ssm_parameter)\./.test(reference)) return "secret";
  if (reference.startsWith("var.")) {
    const variable = ctx.model.byAddress(reference);
    if (!variable) return "other";
    return variable.config.sensitive === true ? "sensitive-variable" : "plain-variable";
  }
  return "other";
}

/** WSG-SEC-003: the Amplify access token comes from a sensitive variable or a secrets lookup. */
export const amplifyTokenSource = defineRule({
  id: "WSG-SEC-003",
  description:
    "aws_amplify_app.access_token and oauth_token come from a variable marked sensitive or a secrets lookup (data aws_secretsmanager_secret_version, data aws_ssm_parameter), never a literal or a plain variable.",
  fix: "better, give the app no token at all and let AmplifyFrontend connect the repository with a token from Secrets Manager (it never enters the state); else declare the token as a TerraformVariable with sensitive: true (given as TF_VAR_...) or read it with DataAwsSecretsmanagerSecretVersion",
  severity: "error",
  details: "Other expressions than a variable or those lookups are *cannot tell*.",
  suppressOn: "—",
  check: (ctx, report) => {
    for (const app of ctx.model.resources("aws_amplify_app")) {
      for (const key of ["access_token", "oauth_token"]) {
        const value = app.config[key];
        if (value === undefined || value === null) continue;
        if (typeof value !== "string") continue;
        if (!isExpression(value)) {
          if (value.trim() !== "") report(app, key, "a sensitive variable or a secrets lookup, not a literal", mask(value));
          continue;
        }
        const refs = references(value);
        const sources = refs.map((r) => sourceOf(ctx, r));
        if (sources.some((s) => s === "secret" || s === "sensitive-variable")) continue;
        if (sources.some((s) => s === "other")) continue; // cannot tell (a local, a module output, a resource attribute)
        const plain = refs.filter((_, i) => sources[i] === "plain-variable");
        report(
          app,
          key,
          "a sensitive variable or a secrets lookup",
          plain.length ? `${plain.join(", ")} (not marked sensitive)` : "an expression without a secret source",
        );
      }
    }
  },
});

export const SECRET_RULES = [noCredentialLiterals, noPasswordLiterals, amplifyTokenSource];
