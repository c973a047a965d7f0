// The connections table applied on the emulator: no TTL by default, and an
// upgrade from a table that had one (ttlAttribute "expiresAt", the old
// default) plans no change and keeps the table's TTL. Writing
// `ttl { enabled = false }` instead would fail in the provider
// (hashicorp/terraform-provider-aws#39195); removing the block is no change
// to the provider (its ttl block is optional and computed).
import { DescribeTimeToLiveCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as path from "path";
import { Emulator } from "../../scripts/emulator";
import { ConnectionsTable } from "../../constructs/connections-table";
import { newStack, synthJson } from "../helpers";
import { apply, describeE2e, destroy, emulatorFor, overrideProviderForEmulator, sdkConfig, secondPlanChanges } from "../support/e2e";
import { removeWorkdir, writeJson } from "../support/terraform";

/** Writes the root module: one connections table, with a TTL attribute or none. */
function writeTable(dir: string, ttlAttribute?: string): void {
  const stack = newStack("table");
  new ConnectionsTable(stack, "connections", { tableName: "chat-e2e-connections", ttlAttribute });
  writeJson(path.join(dir, "main.tf.json"), synthJson(stack));
}

describeE2e()("ConnectionsTable deployed on the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let db: DynamoDBClient;
  const ttl = async () => (await db.send(new DescribeTimeToLiveCommand({ TableName: "chat-e2e-connections" }))).TimeToLiveDescription;

  beforeAll(async () => {
    ({ emulator, dir } = await emulatorFor("connections-table"));
    db = new DynamoDBClient(sdkConfig(emulator));
    overrideProviderForEmulator(dir, emulator);
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) removeWorkdir(dir);
  }, 60_000);

  test(
    "a new table has no TTL, and its second plan is empty",
    async () => {
      writeTable(dir);
      apply(dir);
      expect((await ttl())?.TimeToLiveStatus).toBe("DISABLED");
      expect(secondPlanChanges(dir)).toBe("");
      destroy(dir);
    },
    5 * 60_000,
  );

  test(
    "a table that had the old default TTL keeps it when upgraded: no change planned",
    async () => {
      // GIVEN a table applied as before, with TTL on expiresAt
      writeTable(dir, "expiresAt");
      apply(dir);
      expect(await ttl()).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
      // WHEN the configuration no longer names a TTL
      writeTable(dir);
      // THEN nothing is planned, and the table keeps its TTL
      expect(secondPlanChanges(dir)).toBe("");
      expect(await ttl()).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
      destroy(dir);
    },
    5 * 60_000,
  );
});
