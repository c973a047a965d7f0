import { defineRule } from "./rule";

/**
 * The retention periods CloudWatch Logs accepts, in days
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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
