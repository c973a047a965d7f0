import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { ATTRIBUTE_NAME } from "./rules";
import { checkPattern } from "./validation";

/** Properties of {@link ConnectionsTable}. */
export interface ConnectionsTableProps {
  /** Table name: 3 to 255 letters, digits, `_`, `-` or `.`. */
  readonly tableName: string;
  /**
   * Turns on DynamoDB's TTL on this attribute (epoch seconds); items
   * without it never expire. Only for a backend that writes it: the chat
   * backend writes `{connectionId, username}` only, so a TTL there would
   * advertise an expiry that never happens.
   *
   * Without it the table has no `ttl` block, and an existing table keeps
   * whatever TTL it has (writing `enabled = false` instead fails: the
   * provider sends an empty attribute name, hashicorp/terraform-provider-aws#39195).
   * @default - no TTL
   */
  readonly ttlAttribute?: string;
  /**
   * Point-in-time recovery (continuous backups for 35 days).
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Deletion protection.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Customer managed KMS key for encryption at rest.
   * @default - the AWS managed key `aws/dynamodb`
   */
  readonly kmsKeyArn?: string;
  /**
   * Tags of the table.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The DynamoDB table of WebSocket connections (`aws_dynamodb_table`, id
 * `Resource`): hash key `connectionId` (string), on-demand capacity,
 * encrypted, point-in-time recovery, and a TTL attribute when asked.
 */
export class ConnectionsTable extends Construct {
  public readonly resource: DynamodbTable;
  public readonly tableName: string;
  public readonly tableArn: string;
  private readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: ConnectionsTableProps) {
    super(scope, id);
    checkPattern(
      "ConnectionsTable.tableName",
      props.tableName,
      /^[A-Za-z0-9_.-]{3,255}$/,
      "3 to 255 letters, digits, underscores, hyphens or dots",
      "rename the table",
    );
    ATTRIBUTE_NAME.check("ConnectionsTable.ttlAttribute", props.ttlAttribute);
    this.resource = new DynamodbTable(this, "Resource", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "connectionId",
      attribute: [{ name: "connectionId", type: "S" }],
      ttl: props.ttlAttribute !== undefined ? { attributeName: props.ttlAttribute, enabled: true } : undefined,
      pointInTimeRecovery: { enabled: props.pointInTimeRecovery ?? true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      deletionProtectionEnabled: props.deletionProtection ?? false,
      tags: props.tags,
    });
    this.kmsKeyArn = props.kmsKeyArn;
    this.tableName = this.resource.name;
    this.tableArn = this.resource.arn;
  }

  /**
   * Lets a role use the table as the chat backend does: DescribeTable at
   * start-up, then PutItem, GetItem, DeleteItem and Scan, on this table only.
   */
  public grantConnectionsAccess(role: { readonly name: string }, id = "ConnectionsAccess"): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(this, `${id}Document`, {
      statement: [
        {
          sid: "ConnectionsTableItems",
          effect: "Allow",
          actions: ["dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:Scan"],
          resources: [this.tableArn],
        },
        // With a customer managed key, readers and writers also need the key (as AWS CDK grants).
        ...(this.kmsKeyArn
          ? [
              {
                sid: "ConnectionsTableKey",
                effect: "Allow",
                actions: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                resources: [this.kmsKeyArn],
              },
            ]
          : []),
      ],
    });
    return new IamRolePolicy(this, `${id}Policy`, {
      name: "connections-table",
      role: role.name,
      policy: document.json,
    });
  }
}
