import { DEFAULT_SHARED_ROLE_NAME, SHARED_ROLE_PATH } from "../../constructs/api-gateway-cloud-watch-role";
import { chatPrerequisites, describePrerequisites, hasPrerequisites, prerequisitesRoot } from "../../scripts/lib/local-prerequisites";
import { settingsWith } from "../helpers";

const EMULATOR = { target: { kind: "emulator", emulatorEndpoint: "http://127.0.0.1:4566" } };

describe("chatPrerequisites", () => {
  test("the region's shared API Gateway CloudWatch role, which the account function makes on AWS and the emulator target leaves out", () => {
    // GIVEN the chat's defaults on the emulator (no Lambda runtime)
    const needs = chatPrerequisites(settingsWith(EMULATOR));
    // THEN the role is a prerequisite, under the shared path, by its default name
    expect(needs.accountRole).toEqual({ roleName: DEFAULT_SHARED_ROLE_NAME });
    expect(hasPrerequisites(needs)).toBe(true);
    const { mainTf } = prerequisitesRoot(needs);
    expect(mainTf.resource.aws_iam_role.account).toMatchObject({ name: DEFAULT_SHARED_ROLE_NAME, path: SHARED_ROLE_PATH });
    expect(JSON.parse(mainTf.resource.aws_iam_role.account.assume_role_policy).Statement[0].Principal).toEqual({ Service: "apigateway.amazonaws.com" });
    expect(mainTf.resource.aws_iam_role_policy_attachment.account.policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
    expect(mainTf.resource.aws_api_gateway_account.account.cloudwatch_role_arn).toBe("${aws_iam_role.account.arn}");
    expect(
      describePrerequisites(needs, { accountRoleArn: "arn:aws:iam::123456789012:role/websocket-gateway/x" }, { functionSetting: "f", zoneSetting: "z" }),
    ).toEqual([expect.stringMatching(/^ {2}API Gateway CloudWatch role arn:aws:iam::123456789012:role\/websocket-gateway\/x set as the region's/)]);
  });

  test("follows chat.apiGatewayAccount.roleName, and makes nothing when the stack does not manage the setting or a Lambda runtime runs its function", () => {
    expect(chatPrerequisites(settingsWith({ ...EMULATOR, chat: { apiGatewayAccount: { roleName: "chat-logs" } } })).accountRole).toEqual({
      roleName: "chat-logs",
    });
    expect(chatPrerequisites(settingsWith({ ...EMULATOR, chat: { apiGatewayAccount: { manage: false } } })).accountRole).toBeUndefined();
    const standIn = { target: { ...EMULATOR.target, lambdaStandInEndpoint: "http://127.0.0.1:4567" } };
    expect(chatPrerequisites(settingsWith(standIn)).accountRole).toBeUndefined();
  });
});
