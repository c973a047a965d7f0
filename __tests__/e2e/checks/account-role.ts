// The chat stack's share of the region's API Gateway CloudWatch role (issue 17
// §2), checked on the chat deployment, whose functions the Lambda stand-in in
// front of the emulator runs (CHAT's front, __tests__/support/stand-ins/): its
// account function runs for real. Called with one line from
// __tests__/e2e/chat.test.ts. A role that belongs to someone else, refused and
// then replaced with replaceExisting, is shown on the small stacks of
// __tests__/e2e/first-deploy.test.ts (the same construct and function, at a
// fraction of a chat apply).
import { APIGatewayClient, GetAccountCommand } from "@aws-sdk/client-api-gateway";
import { GetRoleCommand, IAMClient, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { DEFAULT_SHARED_ROLE_NAME, SHARED_ROLE_PATH } from "../../../constructs/api-gateway-cloud-watch-role";
import type { DeploymentContext } from "../../support/deployment";

const RENAMED = "chat-dev-apigw-logs";

export function accountRoleChecks(ctx: () => DeploymentContext): void {
  const setting = async () => (await new APIGatewayClient(ctx().sdk).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "";
  const sharedArn = async (name: string) => `arn:aws:iam::${(await setting()).split(":")[4]}:role${SHARED_ROLE_PATH}${name}`;
  const exists = async (name: string) =>
    new IAMClient(ctx().sdk)
      .send(new GetRoleCommand({ RoleName: name }))
      .then(() => true)
      .catch(() => false);

  test("the region's API Gateway CloudWatch role is the shared one, made and set by the stack's account function, the stack tagged on it", async () => {
    expect(await setting()).toBe(await sharedArn(DEFAULT_SHARED_ROLE_NAME));
    const tags = (await new IAMClient(ctx().sdk).send(new ListRoleTagsCommand({ RoleName: DEFAULT_SHARED_ROLE_NAME }))).Tags ?? [];
    expect(tags.filter((t) => t.Key!.startsWith("websocket-gateway:user:us-east-1:")).map((t) => t.Value)).toEqual([
      expect.stringMatching(/^chat chat-dev [a-z0-9]+$/),
    ]);
  });

  test(
    "changing the account role's name on the applied stack applies, both ways: the region moves to the new role and the stack's previous one is deleted",
    async () => {
      // WHEN chat.apiGatewayAccount.roleName changes on the applied stack (synthesized and applied again)
      await ctx().reapply({ chat: { apiGatewayAccount: { roleName: RENAMED } } });
      // THEN the function did not stop at the stack's own role: the setting names the new role, the old one is gone
      expect(await setting()).toBe(await sharedArn(RENAMED));
      expect(await exists(DEFAULT_SHARED_ROLE_NAME)).toBe(false);
      // WHEN it changes back (the deployment as declared, for the checks after this one)
      await ctx().reapply();
      // THEN likewise
      expect(await setting()).toBe(await sharedArn(DEFAULT_SHARED_ROLE_NAME));
      expect(await exists(RENAMED)).toBe(false);
    },
    20 * 60_000,
  );
}
