// The chat stack's share of the region's API Gateway CloudWatch role (issue 17
// §2), checked on a chat stack applied on the emulator with the Lambda stand-in
// (__tests__/support/stand-ins/): its account function runs for real.
//
// Called with one line from the file that deploys the chat stack:
//
//   accountRoleChecks(() => ({ stackDir, cfg, resynth }));
//
// The fixture needs the stand-in in front of the emulator (started in its
// beforeAll, `target.lambdaStandInEndpoint` set to its endpoint) and a
// `resynth(overrides)` that synthesizes the chat stack again into `stackDir`
// with `overrides` over the fixture's own settings. The checks leave the stack
// as they found it (the last one applies the fixture's settings again).
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from "@aws-sdk/client-api-gateway";
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { DEFAULT_SHARED_ROLE_NAME, SHARED_ROLE_PATH } from "../../../constructs/api-gateway-cloud-watch-role";
import { apply, sdkConfig } from "../../support/e2e";
import { functionError } from "../../support/stand-ins/deploy-actions-runtime";
import { terraformRun } from "../../support/terraform";

/** What the checks need of the deployed chat stack. */
export interface AccountRoleContext {
  /** The applied chat stack's folder, its state in it. */
  readonly stackDir: string;
  readonly cfg: ReturnType<typeof sdkConfig>;
  /** Synthesizes the chat stack again into `stackDir`, `overrides` over the fixture's settings ({} for the fixture's own). */
  resynth(overrides: unknown): void;
}

const RENAMED = "chat-dev-apigw-logs";

export function accountRoleChecks(ctx: () => AccountRoleContext): void {
  const setting = async () => (await new APIGatewayClient(ctx().cfg).send(new GetAccountCommand({}))).cloudwatchRoleArn ?? "";
  const sharedArn = async (name: string) => `arn:aws:iam::${(await setting()).split(":")[4]}:role${SHARED_ROLE_PATH}${name}`;
  const exists = async (name: string) =>
    new IAMClient(ctx().cfg)
      .send(new GetRoleCommand({ RoleName: name }))
      .then(() => true)
      .catch(() => false);

  test("the region's API Gateway CloudWatch role is the shared one, made and set by the stack's account function, the stack tagged on it", async () => {
    expect(await setting()).toBe(await sharedArn(DEFAULT_SHARED_ROLE_NAME));
    const tags = (await new IAMClient(ctx().cfg).send(new ListRoleTagsCommand({ RoleName: DEFAULT_SHARED_ROLE_NAME }))).Tags ?? [];
    expect(tags.filter((t) => t.Key!.startsWith("websocket-gateway:user:us-east-1:")).map((t) => t.Value)).toEqual([
      expect.stringMatching(/^chat chat-dev [a-z0-9]+$/),
    ]);
  });

  test(
    "changing the account role's name on the applied stack applies: the region moves to the new role and the old one is deleted",
    async () => {
      // WHEN chat.apiGatewayAccount.roleName changes on the applied stack
      ctx().resynth({ chat: { apiGatewayAccount: { roleName: RENAMED } } });
      apply(ctx().stackDir);
      // THEN the check did not stop at the stack's own role: the setting names the new role, the old one is gone
      expect(await setting()).toBe(await sharedArn(RENAMED));
      expect(await exists(DEFAULT_SHARED_ROLE_NAME)).toBe(false);
    },
    15 * 60_000,
  );

  test(
    "still refuses a role that belongs to someone else, naming it and the settings to change; replaceExisting replaces it",
    async () => {
      // GIVEN someone sets the region's role to one of their own
      const iam = new IAMClient(ctx().cfg);
      const theirs = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: "platform-apigw-logs",
            AssumeRolePolicyDocument: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
          }),
        )
      ).Role!.Arn!;
      const apigw = new APIGatewayClient(ctx().cfg);
      await apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: theirs }] }));
      try {
        // WHEN the stack's role name changes back to the fixture's
        ctx().resynth({});
        const run = terraformRun(ctx().stackDir, ["apply", "-input=false", "-auto-approve", "-lock=false"]);
        // THEN the apply stops at the account function, naming their role and both settings
        expect(run.status).not.toBe(0);
        const text = functionError(run.output);
        expect(text).toContain(`already uses the CloudWatch role ${theirs} for the logs of every API there, a role these stacks did not create`);
        expect(text).toContain("set chat.apiGatewayAccount.manage to false to keep it");
        expect(text).toContain("or set chat.apiGatewayAccount.replaceExisting to true to replace it");
        // WHEN the stack is told to replace it (the message's second way out)
        ctx().resynth({ chat: { apiGatewayAccount: { replaceExisting: true } } });
        apply(ctx().stackDir);
        // THEN the region names the stack's shared role again; their role is left alone, and the renamed one is gone
        expect(await setting()).toBe(await sharedArn(DEFAULT_SHARED_ROLE_NAME));
        expect(await exists("platform-apigw-logs")).toBe(true);
        expect(await exists(RENAMED)).toBe(false);
      } finally {
        await iam.send(new DeleteRoleCommand({ RoleName: "platform-apigw-logs" }));
      }
      // AND the fixture's own settings apply again
      ctx().resynth({});
      apply(ctx().stackDir);
      expect(await setting()).toBe(await sharedArn(DEFAULT_SHARED_ROLE_NAME));
    },
    15 * 60_000,
  );
}
