import { defineRule } from "./rule";
import { length, pattern, range } from "./shapes";

/* Rules of the observability resources: X-Ray sampling rules, dashboards, alarm thresholds. */

/**
 * Name of an X-Ray sampling rule: 1 to 32 characters, unique in the account
 * and region (SamplingRule.RuleName, https://docs.aws.amazon.com/xray/latest/api/API_SamplingRule.html).
 */
export const SAMPLING_RULE_NAME = pattern("^[A-Za-z0-9_-]{1,32}$", "1 to 32 letters, digits, hyphens or underscores", "shorten the name");

/**
 * Priority of an X-Ray sampling rule: 1 (evaluated first) to 9999; the
 * account's Default rule has 10000 and is evaluated last (SamplingRule.Priority).
 */
export const SAMPLING_RULE_PRIORITY = range(1, 9999, "X-Ray evaluates rules from 1 upwards; the Default rule is 10000");

/** The part of requests a sampling rule traces after its reservoir: 0 to 1 (SamplingRule.FixedRate). */
export const SAMPLING_FIXED_RATE = defineRule<number>({
  clauses: [
    {
      noun: "a number",
      rule: "from 0 to 1",
      fix: "give a fraction: 0 traces none, 0.05 traces 5 %",
      test: (v) => typeof v === "number" && v >= 0 && v <= 1,
      condition: (ref) => `${ref} >= 0 && ${ref} <= 1`,
    },
  ],
});

/** Requests per second a sampling rule traces before its fixed rate applies (SamplingRule.ReservoirSize). */
export const SAMPLING_RESERVOIR = range(0, 1_000_000, "give requests per second, 0 for none");

/** A URL path a sampling rule matches (SamplingRule.URLPath: at most 128 characters; * and ? are wildcards). */
export const SAMPLING_URL_PATH = length(1, 128, "give a path such as /healthz");

/**
 * Name of a CloudWatch dashboard: 1 to 255 letters, digits, hyphens and
 * underscores (PutDashboard, DashboardName:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
 */
export const DASHBOARD_NAME = pattern("^[A-Za-z0-9_-]{1,255}$", "1 to 255 letters, digits, hyphens or underscores", 'use for example "chat-prod"');

/** A count an alarm compares against: a whole number of at least 1. */
export const ALARM_COUNT_THRESHOLD = range(1, 1_000_000_000, "give a count of at least 1");
