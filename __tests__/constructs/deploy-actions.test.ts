import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { TerraformVariable, Testing } from "cdktf";
import * as path from "path";
import { DeployActions, DeployActionsProps } from "../../constructs/deploy-actions";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const CODE = path.resolve(__dirname, "../../constructs/deploy-actions");

const deployActions = (props: Partial<DeployActionsProps> = {}, stack = newStack()) => ({
  stack,
  actions: new DeployActions(stack, "deploy", { functionName: "chat-deploy-actions", codeDirectory: CODE, ...props }),
});

const logsRef = (json: any) => `\${aws_cloudwatch_log_group.${Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0]}`;

describe("DeployActions", () => {
  test("creates a Node.js 22 arm64 function with Lambda's longest timeout, from the handler folder", () => {
    // GIVEN / WHEN
    const { stack, actions } = deployActions();
    // THEN
    const json = synthJson(stack);
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "chat-deploy-actions",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: 900,
      memory_size: 256,
      role: `\${aws_iam_role.${actions.role.friendlyUniqueId}.arn}`,
      logging_config: { log_format: "Text", log_group: `${logsRef(json)}.name}` },
    });
    expect(fn.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename}")}`);
    expect(actions.function.node.id).toBe("Resource");
  });

  test("shares one archive with the other functions of the same folder in its stack (cdktf zips each archive in a child process)", () => {
    // GIVEN a function of the handler folder
    const { stack } = deployActions();
    // WHEN a second function of the same folder and a third of another folder join the stack
    new DeployActions(stack, "check", { functionName: "chat-account-check", codeDirectory: CODE });
    new DeployActions(stack, "other", { functionName: "chat-other", codeDirectory: path.resolve(__dirname, "../../local-gateway") });
    // THEN the first two run the first one's archive, the third its own
    const files = Object.values(resourcesOf(synthJson(stack), "aws_lambda_function")).map((fn: any) => fn.filename);
    expect(files[0]).toMatch(/^assets\/deploy_Code_[0-9A-F]+\//);
    expect(files[1]).toBe(files[0]);
    expect(files[2]).toMatch(/^assets\/other_Code_[0-9A-F]+\//);
  });

  test("waits for its log group and its policy, so the first invocation can log and act", () => {
    const { stack } = deployActions();
    const json = synthJson(stack);
    expect(onlyResource(json, "aws_lambda_function").depends_on).toEqual([
      `aws_cloudwatch_log_group.${Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0]}`,
      `aws_iam_role_policy.${Object.keys(resourcesOf(json, "aws_iam_role_policy"))[0]}`,
    ]);
  });

  test("creates its log group with a 30-day retention by default", () => {
    const { stack } = deployActions({ tags: { team: "chat" } });
    expect(onlyResource(synthJson(stack), "aws_cloudwatch_log_group")).toEqual({
      name: "/aws/lambda/chat-deploy-actions",
      retention_in_days: 30,
      tags: { team: "chat" },
    });
  });

  test("has a role only Lambda can assume", () => {
    const { stack } = deployActions();
    const json = synthJson(stack);
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("chat-deploy-actions");
    expect(policyDocumentOf(json, role.assume_role_policy).statement).toEqual([
      { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] },
    ]);
  });

  test("lets the role write only its own log group until users grant more", () => {
    const { stack } = deployActions();
    const json = synthJson(stack);
    const policy = onlyResource(json, "aws_iam_role_policy");
    expect(policyDocumentOf(json, policy.policy).statement).toEqual([
      { sid: "OwnLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logsRef(json)}.arn}:*`] },
    ]);
    expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  test("adds exactly the statements given to allow, after its own logs", () => {
    // GIVEN
    const { stack, actions } = deployActions();
    // WHEN
    actions.allow({ sid: "First", effect: "Allow", actions: ["codebuild:StartBuild"], resources: ["arn:aws:codebuild:us-east-1:123456789012:project/p"] });
    actions.allow({
      sid: "Second",
      effect: "Allow",
      actions: ["amplify:StartJob"],
      resources: ["arn:aws:amplify:us-east-1:123456789012:apps/a/branches/main"],
    });
    // THEN
    const json = synthJson(stack);
    const statements = policyDocumentOf(json, onlyResource(json, "aws_iam_role_policy").policy).statement;
    expect(statements).toEqual([
      { sid: "OwnLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logsRef(json)}.arn}:*`] },
      { sid: "First", effect: "Allow", actions: ["codebuild:StartBuild"], resources: ["arn:aws:codebuild:us-east-1:123456789012:project/p"] },
      { sid: "Second", effect: "Allow", actions: ["amplify:StartJob"], resources: ["arn:aws:amplify:us-east-1:123456789012:apps/a/branches/main"] },
    ]);
  });

  describe("invoke", () => {
    test("invokes the function during apply with the JSON input, after its policy and the given resources", () => {
      // GIVEN
      const { stack, actions } = deployActions();
      // WHEN
      const invocation = actions.invoke("BuildImage", { action: "build-image", imageTag: "v1" }, [actions.role]);
      // THEN
      const json = synthJson(stack);
      expect(resourcesOf(json, "aws_lambda_invocation")[invocation.friendlyUniqueId]).toEqual({
        function_name: `\${aws_lambda_function.${actions.function.friendlyUniqueId}.function_name}`,
        input: '${jsonencode({"action" = "build-image", "imageTag" = "v1"})}',
        depends_on: [`aws_iam_role_policy.${Object.keys(resourcesOf(json, "aws_iam_role_policy"))[0]}`, `aws_iam_role.${actions.role.friendlyUniqueId}`],
      });
    });
  });

  test("fails when the log retention is not one CloudWatch Logs accepts", () => {
    expect(() => deployActions({ logRetentionInDays: 31 })).toThrow(
      /^DeployActions.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(.*\), got 31: pick the nearest accepted value$/,
    );
  });

  test("does not check an unresolved log retention", () => {
    const stack = newStack();
    const days = new TerraformVariable(stack, "days", { type: "number" }).numberValue;
    deployActions({ logRetentionInDays: days }, stack);
    expect(onlyResource(synthJson(stack), "aws_cloudwatch_log_group").retention_in_days).toBe("${var.days}");
    expect(Testing.synth(stack)).toHaveResource(LambdaFunction);
  });
});
