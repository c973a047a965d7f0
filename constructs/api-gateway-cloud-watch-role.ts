import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { IAM_ROLE_NAME } from "./rules";
import { isUnresolved } from "./validation";

/** Properties of {@link ApiGatewayCloudWatchRole}. */
export interface ApiGatewayCloudWatchRoleProps {
  /**
   * Name of the IAM role (at most 64 characters).
   * @default "apigateway-cloudwatch-logs"
   */
  readonly roleName?: string;
  /**
   * Creates the role and the setting. May be a Terraform expression (e.g. a
   * module variable): the resources then get `count = enabled ? 1 : 0`.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Resets the region's setting when the resource is destroyed
   * (`reset_on_delete`), so no API is left pointing at a deleted role. The
   * provider's own default (false, AWS provider 5.x) only forgets the
   * resource and leaves the setting naming the deleted role, which stops
   * the logs of every API in the region (hashicorp/terraform-provider-aws#40004;
   * provider 6.0 always resets). Resetting does not restore a role the
   * setting had before.
   * @default true
   */
  readonly resetOnDelete?: boolean;
  /**
   * Tags of the role.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The account-level setting API Gateway needs before any REST or WebSocket
 * stage may write access or execution logs: an IAM role trusted by
 * `apigateway.amazonaws.com` with the AWS managed policy
 * `AmazonAPIGatewayPushToCloudWatchLogs`, set as the account's CloudWatch
 * role (`aws_api_gateway_account`, id `Resource`).
 *
 * There is one such setting per account and region: creating this replaces
 * whatever role the region had (stacks check first: see the deploy action
 * `check-api-gateway-account`), and destroying it resets the setting
 * (`resetOnDelete`). Without the setting, a stage with logging fails with
 * "CloudWatch Logs role ARN must be set in account settings to enable
 * logging" (aws/aws-cdk#33977 for WebSocket access logs).
 */
export class ApiGatewayCloudWatchRole extends Construct {
  public readonly role: IamRole;
  /** The `aws_api_gateway_account`; stages that log should depend on it. */
  public readonly resource: ApiGatewayAccount;
  /** ARN of the role (null in Terraform when `enabled` evaluates to false). */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudWatchRoleProps = {}) {
    super(scope, id);
    const roleName = props.roleName ?? "apigateway-cloudwatch-logs";
    const reset = props.resetOnDelete ?? true;
    IAM_ROLE_NAME.check("ApiGatewayCloudWatchRole.roleName", roleName);
    const partition = new DataAwsPartition(this, "Partition");
    const trust = new DataAwsIamPolicyDocument(this, "TrustPolicy", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }],
        },
      ],
    });
    // A Terraform expression decides at plan time; a literal false keeps the
    // resources in the tree with count = 0 (so ids stay stable).
    const conditional = isUnresolved(props.enabled) || props.enabled === false;
    const count = isUnresolved(props.enabled) ? Token.asNumber(Fn.conditional(props.enabled, 1, 0)) : props.enabled === false ? 0 : undefined;
    this.role = new IamRole(this, "Role", {
      count,
      name: roleName,
      description: "Lets API Gateway write access and execution logs to CloudWatch Logs (account-level setting)",
      assumeRolePolicy: trust.json,
      tags: props.tags,
    });
    // With count, each reference reads the (zero or one) instances.
    const attr = (name: string): string => (conditional ? Fn.one(Fn.lookupNested(this.role.fqn, ["*", name])) : this.role.getStringAttribute(name));
    this.roleArn = attr("arn");
    const attachment = new IamRolePolicyAttachment(this, "PushToCloudWatchLogs", {
      count,
      role: attr("name"),
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    });
    this.resource = new ApiGatewayAccount(this, "Resource", {
      count,
      cloudwatchRoleArn: this.roleArn,
      // Where the setting is conditional, an expression: the provider warns
      // that the argument is deprecated (6.0 always resets) whenever it is a
      // literal, which a module would print on every plan of every caller,
      // also where it creates no setting.
      resetOnDelete: isUnresolved(props.enabled) ? (Fn.conditional(props.enabled, reset, Token.nullValue()) as unknown as boolean) : reset,
      // API Gateway checks the role's permissions when the setting is made.
      dependsOn: [attachment],
    });
  }
}
