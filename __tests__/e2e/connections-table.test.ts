// The connections table applied on the emulator: no TTL by default, and an
// upgrade from a table that had one (ttlAttribute "expiresAt", the old
// default) plans no change and keeps the table's TTL. Writing
// `ttl { enabled = false }` instead would fail in the provider
// (hashicorp/terraform-provider-aws#39195); removing the block is no change
// to the provider (its ttl block is optional and computed).
//
// One deployment holds both tables (each test had a root and two apply and
// destroy cycles of its own): a new one, and one applied as before the
// upgrade; the upgrade is re-applied, which must change nothing, and the
// deployment's second plan, empty, covers both.
import { DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as path from "path";
import { ConnectionsTable } from "../../constructs/connections-table";
import { newStack, synthJson } from "../helpers";
import { DeploymentContext, DeploymentSpec, describeDeployment } from "../support/deployment";
import { overrideProviderForEmulator } from "../support/e2e";
import { writeJson } from "../support/terraform";

const NEW = "chat-e2e-connections";
const UPGRADED = "chat-e2e-connections-upgraded";

/** The root module: the new table (no TTL), and the upgraded one, with the old default TTL before the upgrade (variant "upgraded": without). */
const TABLES: DeploymentSpec = {
  name: "connections-table",
  main: "tables",
  roots: {
    tables: {
      write(dir, env, variant) {
        const stack = newStack("table");
        new ConnectionsTable(stack, "connections", { tableName: NEW });
        new ConnectionsTable(stack, "upgraded", { tableName: UPGRADED, ttlAttribute: variant === "upgraded" ? undefined : "expiresAt" });
        writeJson(path.join(dir, "main.tf.json"), synthJson(stack));
        return { env: overrideProviderForEmulator(dir, env) };
      },
    },
  },
};

const ttl = async (ctx: DeploymentContext, table: string) =>
  (await new DynamoDBClient(ctx.sdk).send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;

describeDeployment("ConnectionsTable deployed on the emulator", TABLES, (ctx) => {
  test("a new table has no TTL (its second plan, empty, is the deployment's)", async () => {
    expect((await ttl(ctx(), NEW))?.TimeToLiveStatus).toBe("DISABLED");
  });

  test("a table that had the old default TTL keeps it when upgraded: no change planned", async () => {
    // GIVEN a table applied as before, with TTL on expiresAt
    expect(await ttl(ctx(), UPGRADED)).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
    // WHEN the configuration no longer names a TTL
    await ctx().reapply("upgraded");
    // THEN nothing was to change, and the table keeps its TTL
    expect(ctx().runs.reapply.output).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    expect(await ttl(ctx(), UPGRADED)).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
  });
});
