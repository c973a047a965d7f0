import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { TerraformVariable, Testing } from "cdktf";
import { ConnectionsTable } from "../../constructs/connections-table";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

describe("ConnectionsTable", () => {
  test("creates an on-demand table keyed by connectionId with point-in-time recovery and encryption", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ConnectionsTable(stack, "table", { tableName: "chat-connections" });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DynamodbTable, {
      name: "chat-connections",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "connectionId",
      attribute: [{ name: "connectionId", type: "S" }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: false,
    });
  });

  test("advertises no TTL unless given an attribute: no ttl block at all (enabled = false fails in the provider)", () => {
    const stack = newStack();
    new ConnectionsTable(stack, "table", { tableName: "chat-connections" });
    expect(onlyResource(synthJson(stack), "aws_dynamodb_table").ttl).toBeUndefined();
  });

  test("uses the given TTL attribute, key, protection and tags", () => {
    const stack = newStack();
    new ConnectionsTable(stack, "table", {
      tableName: "chat-connections",
      ttlAttribute: "ttl",
      pointInTimeRecovery: false,
      deletionProtection: true,
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      tags: { team: "chat" },
    });
    expect(onlyResource(synthJson(stack), "aws_dynamodb_table")).toMatchObject({
      ttl: { attribute_name: "ttl", enabled: true },
      point_in_time_recovery: { enabled: false },
      server_side_encryption: { enabled: true, kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/k" },
      deletion_protection_enabled: true,
      tags: { team: "chat" },
    });
  });

  test("keeps the table under the id Resource", () => {
    expect(new ConnectionsTable(newStack(), "table", { tableName: "chat-connections" }).resource.node.id).toBe("Resource");
  });

  describe("grantConnectionsAccess", () => {
    test("allows exactly DescribeTable, PutItem, GetItem, DeleteItem and Scan on this table", () => {
      // GIVEN
      const stack = newStack();
      const table = new ConnectionsTable(stack, "table", { tableName: "chat-connections" });
      // WHEN
      table.grantConnectionsAccess({ name: "backend-task" });
      // THEN
      const json = synthJson(stack);
      const policy = onlyResource(json, "aws_iam_role_policy");
      expect(policy).toMatchObject({ name: "connections-table", role: "backend-task" });
      expect(policyDocumentOf(json, policy.policy).statement).toEqual([
        {
          sid: "ConnectionsTableItems",
          effect: "Allow",
          actions: ["dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:Scan"],
          resources: [`\${aws_dynamodb_table.${table.resource.friendlyUniqueId}.arn}`],
        },
      ]);
      expect(Object.keys(resourcesOf(json, "aws_iam_role_policy"))).toHaveLength(1);
    });
  });

  test("fails when the table name is shorter than 3 characters or has other characters", () => {
    const rule = "3 to 255 letters, digits, underscores, hyphens or dots";
    expect(() => new ConnectionsTable(newStack(), "table", { tableName: "ab" })).toThrow(
      `ConnectionsTable.tableName must be ${rule}, got "ab": rename the table`,
    );
    expect(() => new ConnectionsTable(newStack(), "table", { tableName: "chat connections" })).toThrow(
      `ConnectionsTable.tableName must be ${rule}, got "chat connections": rename the table`,
    );
    expect(() => new ConnectionsTable(newStack(), "table", { tableName: "t".repeat(256) })).toThrow(/^ConnectionsTable.tableName must be 3 to 255/);
  });

  test("does not check an unresolved table name", () => {
    const stack = newStack();
    const tableName = new TerraformVariable(stack, "table_name", { type: "string" }).stringValue;
    new ConnectionsTable(stack, "table", { tableName });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DynamodbTable, { name: "${var.table_name}" });
  });

  test("fails when the TTL attribute is empty or longer than 255 characters", () => {
    expect(() => new ConnectionsTable(newStack(), "table", { tableName: "chat", ttlAttribute: "" })).toThrow(
      'ConnectionsTable.ttlAttribute must be 1 to 255 characters, got "": name the TTL attribute',
    );
    expect(() => new ConnectionsTable(newStack(), "table", { tableName: "chat", ttlAttribute: "t".repeat(256) })).toThrow(
      /^ConnectionsTable.ttlAttribute must be 1 to 255 characters/,
    );
  });

  test("does not check an unresolved TTL attribute", () => {
    const stack = newStack();
    const ttlAttribute = new TerraformVariable(stack, "ttl", { type: "string" }).stringValue;
    new ConnectionsTable(stack, "table", { tableName: "chat", ttlAttribute });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DynamodbTable, { ttl: { attribute_name: "${var.ttl}", enabled: true } });
  });
});
