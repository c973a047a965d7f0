import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Fn, TerraformVariable, Testing } from "cdktf";
import { ApiGatewayCloudWatchRole } from "../../constructs/api-gateway-cloud-watch-role";
import { dataOf, newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

describe("ApiGatewayCloudWatchRole", () => {
  test("creates a role only API Gateway can assume", () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ApiGatewayCloudWatchRole(stack, "account", { tags: { team: "chat" } });
    // THEN
    const json = synthJson(stack);
    const role = onlyResource(json, "aws_iam_role");
    expect(role).toMatchObject({ name: "apigateway-cloudwatch-logs", tags: { team: "chat" } });
    expect(role.count).toBeUndefined();
    expect(policyDocumentOf(json, role.assume_role_policy).statement).toEqual([
      { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["apigateway.amazonaws.com"] }] },
    ]);
  });

  test("gives the role exactly the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs and no inline policy", () => {
    const stack = newStack();
    const account = new ApiGatewayCloudWatchRole(stack, "account");
    const json = synthJson(stack);
    const partition = Object.keys(dataOf(json, "aws_partition"))[0];
    expect(onlyResource(json, "aws_iam_role_policy_attachment")).toEqual({
      role: `\${aws_iam_role.${account.role.friendlyUniqueId}.name}`,
      policy_arn: `arn:\${data.aws_partition.${partition}.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    });
    expect(resourcesOf(json, "aws_iam_role_policy")).toEqual({});
    expect(Testing.synth(stack)).toHaveDataSource(DataAwsPartition);
  });

  test("sets the role as the account's CloudWatch role once the policy is attached, and resets the setting on destroy", () => {
    const stack = newStack();
    const account = new ApiGatewayCloudWatchRole(stack, "account");
    const json = synthJson(stack);
    const attachment = Object.keys(resourcesOf(json, "aws_iam_role_policy_attachment"))[0];
    expect(onlyResource(json, "aws_api_gateway_account")).toEqual({
      cloudwatch_role_arn: `\${aws_iam_role.${account.role.friendlyUniqueId}.arn}`,
      reset_on_delete: true,
      depends_on: [`aws_iam_role_policy_attachment.${attachment}`],
    });
    expect(account.resource.node.id).toBe("Resource");
  });

  test("leaves the setting as it is on destroy only when asked (resetOnDelete false)", () => {
    const stack = newStack();
    new ApiGatewayCloudWatchRole(stack, "account", { resetOnDelete: false });
    expect(onlyResource(synthJson(stack), "aws_api_gateway_account").reset_on_delete).toBe(false);
  });

  test("uses the given role name", () => {
    const stack = newStack();
    new ApiGatewayCloudWatchRole(stack, "account", { roleName: "chat-apigw-logs" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(IamRole, { name: "chat-apigw-logs" });
  });

  test("creates the role, attachment and setting only when an enabled expression is true", () => {
    // GIVEN
    const stack = newStack();
    const enabled = new TerraformVariable(stack, "manage_account", { type: "bool" }).value as boolean;
    // WHEN
    const account = new ApiGatewayCloudWatchRole(stack, "account", { enabled });
    // THEN
    const json = synthJson(stack);
    const count = "${var.manage_account ? 1 : 0}";
    expect(onlyResource(json, "aws_iam_role").count).toBe(count);
    expect(onlyResource(json, "aws_iam_role_policy_attachment")).toMatchObject({
      count,
      role: `\${one(aws_iam_role.${account.role.friendlyUniqueId}[*].name)}`,
    });
    expect(onlyResource(json, "aws_api_gateway_account")).toMatchObject({
      count,
      cloudwatch_role_arn: `\${one(aws_iam_role.${account.role.friendlyUniqueId}[*].arn)}`,
    });
    // reset on destroy, given as an expression: a literal makes the provider print its deprecation warning on every plan
    expect(onlyResource(json, "aws_api_gateway_account").reset_on_delete).toBe("${var.manage_account ? true : null}");
  });

  test("creates nothing when enabled is false", () => {
    const stack = newStack();
    new ApiGatewayCloudWatchRole(stack, "account", { enabled: false });
    const json = synthJson(stack);
    for (const type of ["aws_iam_role", "aws_iam_role_policy_attachment", "aws_api_gateway_account"]) {
      // Either no such resource, or one with count = 0.
      for (const resource of Object.values(resourcesOf(json, type))) expect(resource.count).toBe(0);
    }
  });

  test("fails when the role name is longer than 64 characters or has characters IAM rejects", () => {
    const fix = "IAM role names are limited to 64 of those characters";
    expect(() => new ApiGatewayCloudWatchRole(newStack(), "account", { roleName: "r".repeat(65) })).toThrow(
      `ApiGatewayCloudWatchRole.roleName must be 1 to 64 letters, digits or + = , . @ _ -, got "${"r".repeat(65)}": ${fix}`,
    );
    expect(() => new ApiGatewayCloudWatchRole(newStack(), "account", { roleName: "chat api logs" })).toThrow(
      `ApiGatewayCloudWatchRole.roleName must be 1 to 64 letters, digits or + = , . @ _ -, got "chat api logs": ${fix}`,
    );
  });

  test("does not check an unresolved role name", () => {
    const stack = newStack();
    const roleName = Fn.substr(new TerraformVariable(stack, "api_name", { type: "string" }).stringValue, 0, 64);
    new ApiGatewayCloudWatchRole(stack, "account", { roleName });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(IamRole, { name: "${substr(var.api_name, 0, 64)}" });
  });
});
