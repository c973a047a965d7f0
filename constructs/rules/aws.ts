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

/** Tags every resource gets: string values, AWS's lengths, no reserved prefix; the first bad tag is reported. */
export const TAGS = defineRule<Record<string, unknown>>({
  summary: { rule: "a map of strings", fix: "write each tag as a string" },
  clauses: [
    {
      rule: "a map of strings",
      fix: (tags) => `make the value of tag "${firstBadTag(tags)?.key}" a string`,
      test: (tags) => firstBadTag(tags)?.breaks !== "type",
    },
    {
      rule: "tag keys of 1 to 128 and values of at most 256 characters",
      fix: (tags) => `shorten tag "${firstBadTag(tags)?.key}"`,
      test: (tags) => firstBadTag(tags)?.breaks !== "length",
    },
    {
      rule: 'tag keys that do not start with "aws:"',
      fix: (tags) => `rename tag "${firstBadTag(tags)?.key}": AWS reserves the aws: prefix`,
      test: (tags) => firstBadTag(tags)?.breaks !== "prefix",
    },
  ],
});

/** The first tag that breaks a rule, and which (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
function firstBadTag(tags: Record<string, unknown>): { key: string; breaks: "type" | "length" | "prefix" } | undefined {
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string") return { key, breaks: "type" };
    if (key.length < 1 || key.length > 128 || value.length > 256) return { key, breaks: "length" };
    if (key.toLowerCase().startsWith("aws:")) return { key, breaks: "prefix" };
  }
  return undefined;
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
