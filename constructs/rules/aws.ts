import { defineRule, Rule } from "./rule";
import { length, pattern } from "./shapes";

/* Rules of AWS-wide names and identifiers: regions, ARNs, IAM, tags, S3, DynamoDB, SNS. */

export const REGION = pattern("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\\d$", "an AWS region code", 'use for example "us-east-1" or "eu-central-1"');

/**
 * An ARN of `service` whose resource part matches `resource` (a regular
 * expression: "key/.+", "secret:.+", "[^:]+").
 */
export function arn(service: string, resource: string): Rule<string> {
  const shown = resource.replace(/\\/g, "").replace(/\.\+|\[\^:\]\+/g, "...");
  return pattern(
    `^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}$`,
    `an ARN of ${service} (arn:aws:${service}:<region>:<account>:${shown})`,
    "copy the ARN from the AWS console or CLI",
  );
}

export const KMS_KEY_ARN = arn("kms", "key/.+");
export const SECRET_ARN = arn("secretsmanager", "secret:.+");
export const SNS_TOPIC_ARN = arn("sns", "[^:]+");

/** IAM role names: 64 of letters, digits and + = , . @ _ - (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const IAM_ROLE_NAME = pattern("^[\\w+=,.@-]{1,64}$", "1 to 64 letters, digits or + = , . @ _ -", "IAM role names are limited to 64 of those characters");

/**
 * Most tags the stacks let a user give: AWS allows 50 per resource (IAM roles
 * too), and the stacks add up to 5 of their own (Environment, Stack,
 * ManagedBy, Name, ...).
 */
export const MAX_USER_TAGS = 45;

/**
 * Characters of tag keys and values every service the stacks tag accepts:
 * IAM's set, the narrowest ("letters, numbers, spaces, and _ . : / = + - @",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html); the tags
 * reach the IAM roles through the provider's default_tags. Written once for
 * JavaScript and Terraform (RE2), which read \p{L}, \p{Z} and \p{N} alike.
 */
const TAG_CHARACTERS = "^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$";
const TAG_CHARACTERS_RE = new RegExp(TAG_CHARACTERS, "u");

/** Tags every resource gets: string values, AWS's lengths and characters, no reserved prefix, at most {@link MAX_USER_TAGS}; the first bad tag is reported. */
export const TAGS = defineRule<Record<string, unknown>>({
  summary: { rule: "a map of strings", fix: "write each tag as a string" },
  clauses: [
    {
      rule: "a map of strings",
      fix: (tags) => `make the value of tag "${firstBadTag(tags)?.key}" a string`,
      test: (tags) => firstBadTag(tags)?.breaks !== "type",
      // Terraform's map(string) type converts or refuses other values itself.
      condition: () => "true",
    },
    {
      rule: "tag keys of 1 to 128 and values of at most 256 characters",
      fix: (tags) => `shorten tag "${firstBadTag(tags)?.key}"`,
      test: (tags) => firstBadTag(tags)?.breaks !== "length",
      condition: (ref) => `alltrue([for tk, tv in ${ref} : length(tk) >= 1 && length(tk) <= 128 && length(tv) <= 256])`,
    },
    {
      rule: 'tag keys that do not start with "aws:"',
      fix: (tags) => `rename tag "${firstBadTag(tags)?.key}": AWS reserves the aws: prefix`,
      test: (tags) => firstBadTag(tags)?.breaks !== "prefix",
      condition: (ref) => `alltrue([for tk, tv in ${ref} : !startswith(lower(tk), "aws:")])`,
    },
    {
      rule: "tag keys and values of letters, digits, spaces and _ . : / = + - @ (IAM's characters)",
      fix: (tags) => `change tag "${firstBadTag(tags)?.key}": IAM roles, which get every tag, refuse other characters`,
      test: (tags) => firstBadTag(tags)?.breaks !== "characters",
      condition: (ref) =>
        `alltrue([for tk, tv in ${ref} : can(regex(${JSON.stringify(TAG_CHARACTERS)}, tk)) && can(regex(${JSON.stringify(TAG_CHARACTERS)}, tv))])`,
    },
    {
      rule: `at most ${MAX_USER_TAGS} tags`,
      fix: `AWS allows 50 tags per resource and the stacks add up to 5 of their own: keep ${MAX_USER_TAGS} or fewer`,
      test: (tags) => Object.keys(tags).length <= MAX_USER_TAGS,
      condition: (ref) => `length(${ref}) <= ${MAX_USER_TAGS}`,
    },
  ],
});

/** {@link TAGS} in the words of a Terraform variable's message, which cannot name the bad tag. */
export const TAGS_VARIABLE = TAGS.with({
  rule: `a map of at most ${MAX_USER_TAGS} tags whose keys (1 to 128 characters) and values (at most 256) are letters, digits, spaces and _ . : / = + - @, no key starting with aws:`,
  fix: "rename or shorten the tags that break it: IAM roles, which get every tag, refuse other characters, and AWS allows 50 tags per resource",
});

/** The first tag that breaks a rule, and which (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
function firstBadTag(tags: Record<string, unknown>): { key: string; breaks: "type" | "length" | "prefix" | "characters" } | undefined {
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string") return { key, breaks: "type" };
    if (key.length < 1 || key.length > 128 || value.length > 256) return { key, breaks: "length" };
    if (key.toLowerCase().startsWith("aws:")) return { key, breaks: "prefix" };
    if (!TAG_CHARACTERS_RE.test(key) || !TAG_CHARACTERS_RE.test(value)) return { key, breaks: "characters" };
  }
  return undefined;
}

/** The region part of an ARN (`arn:<partition>:<service>:<region>:...`), or undefined. */
export function regionOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:([^:]*):/.exec(arn)?.[1] || undefined;
}

/**
 * An ARN of a resource in `region`: KMS keys of a DynamoDB table or an S3
 * state bucket, ACM certificates of a regional API Gateway domain and SNS
 * topics of CloudWatch alarm actions must be in the region of what uses them
 * (CreateTable: "KMS key ... is in a different region"; regional domain
 * names take a certificate of their region; PutMetricAlarm: alarm actions in
 * the alarm's region).
 */
export function inRegion(region: string, what: string): Rule<string> {
  return defineRule({
    summary: { rule: `${what} in region ${region}`, fix: `give one of region ${region}` },
    clauses: [
      {
        rule: `${what} in region ${region}`,
        fix: (arn) => `it is in ${regionOfArn(arn) ?? "no region"}: give one of region ${region}`,
        test: (arn) => regionOfArn(arn) === region,
      },
    ],
  });
}

/** An S3 bucket name (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
export const S3_BUCKET = pattern(
  "^(?!xn--)(?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
  "an S3 bucket name (3 to 63 lowercase letters, digits, dots or hyphens)",
  "use the name of an existing bucket",
);

/** An object key prefix of URL-safe characters. */
export const S3_KEY_PREFIX = pattern("^[A-Za-z0-9!_.*'()/-]{1,200}$", "1 to 200 URL-safe characters", 'use for example "websocket-gateway"');

/** A DynamoDB attribute name such as the TTL attribute (1 to 255 characters). */
export const ATTRIBUTE_NAME = length(1, 255, "name the TTL attribute");

/** An e-mail address, for an SNS subscription. */
export const EMAIL = pattern("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "an e-mail address", "fix the address");

/**
 * The Docker Hub credentials secret of an ECR pull through cache rule: ECR
 * requires a Secrets Manager secret whose name starts with
 * `ecr-pullthroughcache/`, in the registry's account and region
 * ("Creating a pull through cache rule in Amazon ECR").
 */
export const PULL_THROUGH_CACHE_SECRET_ARN = pattern(
  "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:ecr-pullthroughcache/.+-[A-Za-z0-9]{6}$",
  "the full ARN of a Secrets Manager secret named ecr-pullthroughcache/<name> (ECR requires that prefix for a pull through cache rule)",
  'store {"username": ..., "accessToken": ...} in a secret named ecr-pullthroughcache/<name> and copy its full ARN',
);

/** A secret's full ARN, with the 6-character suffix Secrets Manager adds (CodeBuild reads `<arn>:<json key>`). */
export const FULL_SECRET_ARN = pattern(
  "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+-[A-Za-z0-9]{6}$",
  "the full ARN of a Secrets Manager secret (ending in its 6-character suffix)",
  'copy the secret\'s ARN from Secrets Manager; it holds {"username": ..., "accessToken": ...}',
);

/* Identifiers of the production edges (custom domain, $connect authorization). */

/** An AWS partition in an ARN. */
export const PARTITION_PATTERN = "aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?";
/** A region code in an ARN. */
export const REGION_PATTERN = "[a-z]{2}(-[a-z]+)+-[0-9]";
/** An account id in an ARN. */
export const ACCOUNT_PATTERN = "[0-9]{12}";
/** A Lambda function ARN, optionally with a version or alias (unanchored, for composing). */
export const LAMBDA_FUNCTION_ARN_PATTERN = `arn:${PARTITION_PATTERN}:lambda:${REGION_PATTERN}:${ACCOUNT_PATTERN}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[A-Za-z0-9_-]{1,128}))?`;

/** A Route 53 hosted zone id (`Z0123456789ABCDEFGHIJ`, without `/hostedzone/`). */
export const HOSTED_ZONE_ID = pattern(
  "^[A-Z0-9]{1,32}$",
  "a Route 53 hosted zone id (uppercase letters and digits, e.g. Z0123456789ABCDEFGHIJ)",
  'copy the zone id from Route 53 (aws route53 list-hosted-zones), without the "/hostedzone/" prefix',
);

/** An ACM certificate ARN. */
export const CERTIFICATE_ARN = pattern(
  `^arn:${PARTITION_PATTERN}:acm:${REGION_PATTERN}:${ACCOUNT_PATTERN}:certificate/[A-Za-z0-9-]{1,64}$`,
  "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) in the API's region",
  "request or import the certificate in ACM in the region of the API (a regional custom domain cannot use a us-east-1 certificate from another region), or leave it unset to have one created and validated through Route 53",
);

/** An IAM role ARN (e.g. the credentials API Gateway assumes to invoke an authorizer). */
export const ROLE_ARN = pattern(
  `^arn:${PARTITION_PATTERN}:iam::${ACCOUNT_PATTERN}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`,
  "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  "give the ARN of a role apigateway.amazonaws.com may assume, with lambda:InvokeFunction on the authorizer",
);
