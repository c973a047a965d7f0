import { Fn } from "cdktf";
import { defineRule, isUnresolved } from "./rule";

/**
 * The retention periods CloudWatch Logs accepts, in days
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A retention CloudWatch Logs accepts. */
export const LOG_RETENTION = defineRule<number>({
  clauses: [
    {
      rule: `one of the retentions CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`,
      fix: "pick the nearest accepted value",
      test: (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
      condition: (ref) => `contains([${LOG_RETENTION_DAYS.join(", ")}], ${ref})`,
    },
  ],
});

/**
 * Characters a log group name may not hold. CreateLogGroup allows 1 to 512
 * of a-z, A-Z, 0-9, `_`, `-`, `/` and `.`
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html;
 * the AWS::Logs::LogGroup resource documents the same set); names of APIs
 * may hold spaces and more. Written once for JavaScript and Terraform (RE2).
 */
export const LOG_GROUP_NAME_FORBIDDEN = "[^-._/A-Za-z0-9]";

/**
 * A part of a log group name made from a name of something else (an API
 * name): every character CloudWatch Logs rejects becomes "-". A name that
 * was valid is unchanged. A value only Terraform knows (a module variable)
 * is sanitized by Terraform's `replace`, with the same pattern.
 */
export function logGroupNamePart(text: string): string {
  if (isUnresolved(text)) return Fn.replace(text, `/${LOG_GROUP_NAME_FORBIDDEN}/`, "-");
  return text.replace(new RegExp(LOG_GROUP_NAME_FORBIDDEN, "gu"), "-");
}
