import { defineRule } from "./rule";
import { asNumber, isUnknown, UNKNOWN } from "./values";

const LOG_GROUP = "aws_cloudwatch_log_group";

/** WSG-LOGS-001: retention. */
export const logGroupRetention = defineRule({
  id: "WSG-LOGS-001",
  checkov: ["CKV_AWS_66"],
  description: "CloudWatch log groups have a retention (logs do not pile up forever).",
  fix: "set retention_in_days to one of the values CloudWatch Logs accepts (e.g. 30; the constructs' logRetentionInDays props)",
  severity: "error",
  details: "`retention_in_days` of every `aws_cloudwatch_log_group` is set and greater than 0.",
  suppressOn: "the log group",
  check: ({ model }, report) => {
    for (const group of model.resources(LOG_GROUP)) {
      const days = asNumber(group.config.retention_in_days);
      if (days === UNKNOWN) continue;
      if (days === undefined || days <= 0) report(group, "retention_in_days", "a number of days greater than 0", group.config.retention_in_days);
    }
  },
});

/** WSG-LOGS-002: customer managed KMS key (informational unless asked for). */
export const logGroupKms = defineRule({
  id: "WSG-LOGS-002",
  checkov: ["CKV_AWS_158"],
  description: "CloudWatch log groups are encrypted with a customer managed KMS key (optional: CloudWatch Logs encrypts every group with its own key anyway).",
  fix: "set kms_key_id to a KMS key whose policy lets logs.<region>.amazonaws.com use it (WebSocketStage.logKmsKeyArn), or leave the service key and suppress the rule",
  severity: (options) => (options.requireLogKms ? "warning" : "info"),
  details: "Reads `kms_key_id` of every `aws_cloudwatch_log_group`.",
  suppressOn: "the log group or the stack",
  checkovDeviation:
    "Informational (info, or a warning with `requireLogKms`), never an error: CloudWatch Logs encrypts every group at rest with its own key, and a customer key needs a key policy for `logs.<region>.amazonaws.com` that these stacks do not manage. Info findings print only with the `reportInfo` option (the shipped stacks leave it off); `Guardrails.evaluate` always reports them.",
  check: ({ model }, report) => {
    for (const group of model.resources(LOG_GROUP)) {
      const key = group.config.kms_key_id;
      if (isUnknown(key)) continue;
      if (key === undefined || key === null || key === "") report(group, "kms_key_id", "a customer managed KMS key ARN", key);
    }
  },
});

export const LOG_RULES = [logGroupRetention, logGroupKms];
