import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable } from "cdktf";
import * as path from "path";
import { ApiGatewayCloudWatchRole, ApiGatewayCloudWatchRoleProps, forgetPreviousAccountResources } from "../../constructs/api-gateway-cloud-watch-role";
import { DeployActions } from "../../constructs/deploy-actions";
import { dataOf, newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const CODE = path.resolve(__dirname, "../../constructs/deploy-actions");

function account(overrides: Partial<ApiGatewayCloudWatchRoleProps> = {}, stack: TerraformStack = newStack()) {
  const deployActions = overrides.deployActions ?? new DeployActions(stack, "account-function", { functionName: "chat-account", codeDirectory: CODE });
  const role = new ApiGatewayCloudWatchRole(stack, "account", { deployActions, user: "chat chat-dev api123", ...overrides });
  return { stack, role, deployActions };
}

/** The statements of the function's inline policy after its own logs'. */
function grants(json: any, actions: DeployActions): any[] {
  const policy = resourcesOf(json, "aws_iam_role_policy")[(actions.node.findChild("Policy") as TerraformResource).friendlyUniqueId];
  return policyDocumentOf(json, policy.policy).statement.slice(1);
}

describe("ApiGatewayCloudWatchRole", () => {
  test("manages the setting with a CRUD invocation of the account action (created, updated and destroyed with the stack), id Resource", () => {
    // GIVEN / WHEN
    const { stack, role } = account({ previousRoleNames: ["chat-dev-apigw-cloudwatch"] });
    // THEN
    const json = synthJson(stack);
    const invocation = onlyResource(json, "aws_lambda_invocation");
    expect(role.resource.node.id).toBe("Resource");
    expect(invocation.lifecycle_scope).toBe("CRUD");
    const partition = Object.keys(dataOf(json, "aws_partition"))[0];
    expect(invocation.input).toBe(
      `\${jsonencode({"action" = "api-gateway-account", "roleName" = "apigateway-cloudwatch-logs", "rolePath" = "/websocket-gateway/", "policyArn" = "arn:\${data.aws_partition.${partition}.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs", "user" = "chat chat-dev api123", "replaceExisting" = false, "keepHint" = "leave the setting alone", "previousRoleNames" = ["chat-dev-apigw-cloudwatch"], "previousRoleDescription" = "Lets API Gateway write access and execution logs to CloudWatch Logs (account-level setting)"})}`,
    );
  });

  test("creates no role and no account setting resource of its own: the roles are shared, made by the action", () => {
    const { stack } = account();
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_api_gateway_account")).toEqual({});
    // The only role is the function's.
    expect(Object.values(resourcesOf(json, "aws_iam_role")).map((r: any) => r.name)).toEqual(["chat-account"]);
  });

  test("gives the role the ARN of the region's role once applied", () => {
    const { stack, role } = account();
    new TerraformOutput(stack, "probe", { value: role.roleArn });
    expect(synthJson(stack).output.probe.value).toMatch(/^\$\{jsondecode\(aws_lambda_invocation\.account_.+\.result\)\.roleArn\}$/);
  });

  test("lets the function read and set this region's setting, and manage only the shared roles (the managed policy only, passed to API Gateway only)", () => {
    const { stack, deployActions } = account();
    const json = synthJson(stack);
    const statements = grants(json, deployActions);
    const sids = statements.map((s: any) => s.sid);
    expect(sids).toEqual(["ApiGatewayAccountSetting", "ListSharedRoles", "SharedRoles", "SharedRolesPolicy", "PassSharedRolesToApiGateway"]);
    const [setting, list, roles, policy, pass] = statements;
    // AWS requires "*" for ListRoles (no resource-level permissions); the action reads only the path's roles.
    expect(list).toMatchObject({ actions: ["iam:ListRoles"], resources: ["*"] });
    expect(setting).toMatchObject({
      actions: ["apigateway:GET", "apigateway:PATCH"],
      resources: [expect.stringMatching(/^arn:\$\{.+\}:apigateway:\$\{data\.aws_region\..+\.name\}::\/account$/)],
    });
    expect(roles.resources).toEqual([expect.stringMatching(/:iam::\$\{element\(split\(":", aws_iam_role\..+\.arn\), 4\)\}:role\/websocket-gateway\/\*$/)]);
    expect(roles.actions).not.toContain("iam:PassRole");
    expect(policy).toMatchObject({
      actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      condition: [{ test: "ArnEquals", variable: "iam:PolicyARN", values: [expect.stringMatching(/AmazonAPIGatewayPushToCloudWatchLogs$/)] }],
    });
    expect(pass).toMatchObject({
      actions: ["iam:PassRole"],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["apigateway.amazonaws.com"] }],
    });
  });

  test("may read and delete the stack's roles of release 2.0.0, by name only", () => {
    const { stack, deployActions } = account({ previousRoleNames: ["chat-dev-apigw-cloudwatch"] });
    const statements = grants(synthJson(stack), deployActions);
    const previous = statements.filter((s: any) => s.sid.startsWith("PreviousRoles"));
    expect(previous.map((s: any) => s.actions)).toEqual([["iam:GetRole", "iam:DeleteRole"], ["iam:DetachRolePolicy"]]);
    for (const s of previous) expect(s.resources).toEqual([expect.stringMatching(/:role\/chat-dev-apigw-cloudwatch$/)]);
  });

  test("offers the replacement only with replaceHint, and passes replaceExisting", () => {
    const { stack } = account({
      replaceExisting: true,
      replaceHint: "set chat.apiGatewayAccount.replaceExisting to true",
      keepHint: "set chat.apiGatewayAccount.manage to false",
    });
    const input = onlyResource(synthJson(stack), "aws_lambda_invocation").input;
    expect(input).toContain('"replaceExisting" = true');
    expect(input).toContain('"keepHint" = "set chat.apiGatewayAccount.manage to false", "replaceHint" = "set chat.apiGatewayAccount.replaceExisting to true"');
  });

  test("invokes only when an enabled expression is true, and is null otherwise", () => {
    // GIVEN
    const stack = newStack();
    const enabled = new TerraformVariable(stack, "manage_account", { type: "bool" }).value as boolean;
    const deployActions = new DeployActions(stack, "account-function", { functionName: "f", codeDirectory: CODE, enabled });
    // WHEN
    const { role } = account({ deployActions, enabled }, stack);
    new TerraformOutput(stack, "probe", { value: role.roleArn });
    // THEN
    const json = synthJson(stack);
    const count = "${var.manage_account ? 1 : 0}";
    expect(onlyResource(json, "aws_lambda_invocation").count).toBe(count);
    expect(onlyResource(json, "aws_lambda_function").count).toBe(count);
    expect(json.output.probe.value).toMatch(/^\$\{var\.manage_account \? jsondecode\(one\(aws_lambda_invocation\..+\[\*\]\.result\)\)\.roleArn : null\}$/);
  });

  test("forgets the resources of release 2.0.0 with removed blocks, without destroying them", () => {
    const stack = newStack();
    forgetPreviousAccountResources(stack, ["aws_api_gateway_account.a", "aws_iam_role.r"]);
    expect(synthJson(stack).removed).toEqual([
      { from: "aws_api_gateway_account.a", lifecycle: { destroy: false } },
      { from: "aws_iam_role.r", lifecycle: { destroy: false } },
    ]);
  });

  test("fails when the role name is longer than 64 characters or has characters IAM rejects", () => {
    const fix = "IAM role names are limited to 64 of those characters";
    expect(() => account({ roleName: "r".repeat(65) })).toThrow(
      `ApiGatewayCloudWatchRole.roleName must be 1 to 64 letters, digits or + = , . @ _ -, got "${"r".repeat(65)}": ${fix}`,
    );
    expect(() => account({ roleName: "chat api logs" })).toThrow(
      `ApiGatewayCloudWatchRole.roleName must be 1 to 64 letters, digits or + = , . @ _ -, got "chat api logs": ${fix}`,
    );
  });

  test("fails when a previous role name is not a role name", () => {
    expect(() => account({ previousRoleNames: ["bad name"] })).toThrow(/^ApiGatewayCloudWatchRole\.previousRoleNames must be 1 to 64 letters/);
  });

  test("fails when a hint holds a double quote (it would end the string of the invocation's input)", () => {
    expect(() => account({ keepHint: 'set it to "existing"' })).toThrow(
      'ApiGatewayCloudWatchRole.keepHint must be a text without double quotes, got "set it to \\"existing\\"": use single quotes',
    );
  });

  test("does not check an unresolved role name", () => {
    const stack = newStack();
    const roleName = new TerraformVariable(stack, "role_name", { type: "string" }).stringValue;
    expect(() => account({ roleName }, stack)).not.toThrow();
  });
});
