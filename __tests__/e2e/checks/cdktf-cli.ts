// `npm run deploy -- chat` as a user runs it (the cdktf CLI in the project's
// Terraform environment, scripts/terraform-env.js), offline: cdktf runs
// `terraform providers lock` (which ignores the CLI configuration's mirror
// and asks the registry) when a stack has no matching lock file; the wrapper
// writes the lock files from the mirror first, so nothing is downloaded. The
// chat deployment of __tests__/e2e/chat.test.ts is made by that command (see
// CHAT in __tests__/support/deployments.ts): this checks what it printed and
// wrote. `npm run diff` and `npm run destroy` are its second plan and its
// destroy. (Moved from the former __tests__/e2e/cdktf-cli.test.ts, which
// deployed the chat stack a third time for it.)
import { ApiGatewayV2Client, GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as fs from "fs";
import * as path from "path";
import type { DeploymentContext } from "../../support/deployment";

export function cdktfCliDeployChecks(ctx: () => DeploymentContext): void {
  test("npm run deploy -- chat deploys offline, its lock file written from the mirror", async () => {
    const { runs, dir, outputs, sdk } = ctx();
    const deploy = runs.apply;
    expect(deploy.output).toMatch(/chat: locked registry\.terraform\.io\/hashicorp\/aws from the mirror /);
    expect(deploy.output).not.toMatch(/providers lock|Could not retrieve providers/i);
    const lock = fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toMatch(/provider "registry\.terraform\.io\/hashicorp\/aws"/);
    // Hashes of the mirror's package only: a registry lock adds zh: hashes of every platform.
    expect(lock.match(/"(h1|zh):[^"]+"/g)).toEqual([expect.stringMatching(/^"h1:/)]);
    expect(outputs.websocket_url).toMatch(/^wss:\/\//);
    const apis = (await new ApiGatewayV2Client(sdk).send(new GetApisCommand({}))).Items ?? [];
    expect(apis.map((a) => a.ApiId)).toEqual([outputs.api_id]);
    const table = await new DynamoDBClient(sdk).send(new DescribeTableCommand({ TableName: outputs.connections_table_name }));
    expect(table.Table?.TableStatus).toBe("ACTIVE");
  });
}
