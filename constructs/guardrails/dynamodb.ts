import { defineRule } from "./rule";
import { asBool, blocks, UNKNOWN } from "./values";

const TABLE = "aws_dynamodb_table";

/** WSG-DDB-001: point-in-time recovery. */
export const pointInTimeRecovery = defineRule({
  id: "WSG-DDB-001",
  checkov: ["CKV_AWS_28"],
  description: "DynamoDB tables have point-in-time recovery on.",
  fix: "set point_in_time_recovery { enabled = true } (ConnectionsTable.pointInTimeRecovery)",
  severity: "error",
  details: "`aws_dynamodb_table.point_in_time_recovery.enabled = true`.",
  suppressOn: "the table",
  check: ({ model }, report) => {
    for (const table of model.resources(TABLE)) {
      const pitr = blocks(table.config.point_in_time_recovery);
      if (pitr === UNKNOWN) continue;
      const on = pitr.length ? asBool(pitr[0].enabled) : undefined;
      if (on === UNKNOWN) continue;
      if (on !== true) report(table, "point_in_time_recovery.enabled", "true", pitr.length ? pitr[0].enabled : undefined);
    }
  },
});

/** WSG-DDB-002: server-side encryption with a KMS key. */
export const serverSideEncryption = defineRule({
  id: "WSG-DDB-002",
  checkov: ["CKV_AWS_119"],
  description: "DynamoDB tables have server-side encryption enabled (a KMS key: the AWS managed aws/dynamodb or a customer managed one).",
  fix: "set server_side_encryption { enabled = true } and optionally kms_key_arn (ConnectionsTable.kmsKeyArn)",
  severity: "error",
  details: "`server_side_encryption.enabled = true`.",
  suppressOn: "the table",
  checkovDeviation:
    'CKV_AWS_119 (partly): enforced as "server-side encryption enabled", with the AWS managed key `aws/dynamodb` allowed; a customer managed key is optional (`ConnectionsTable.kmsKeyArn`).',
  check: ({ model }, report) => {
    for (const table of model.resources(TABLE)) {
      const sse = blocks(table.config.server_side_encryption);
      if (sse === UNKNOWN) continue;
      const on = sse.length ? asBool(sse[0].enabled) : undefined;
      if (on === UNKNOWN) continue;
      if (on !== true) report(table, "server_side_encryption.enabled", "true", sse.length ? sse[0].enabled : undefined);
    }
  },
});

export const DYNAMODB_RULES = [pointInTimeRecovery, serverSideEncryption];
