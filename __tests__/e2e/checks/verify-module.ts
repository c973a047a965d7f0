import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ApiModel, ensureLocalCertificates, LocalGateway } from "../../../local-gateway";
import type { Emulator } from "../../../scripts/emulator";
import type { LocalTargetFile } from "../../../scripts/lib/verify/target";
import { PROJECT_DIR } from "../../local-gateway/support/clients";
import { ScriptedBackend } from "../../local-gateway/support/scripted-backend";

/** What the module checks need of the websocket-nlb example applied on the emulator. */
export interface ModuleVerifyFixture {
  readonly emulator: Emulator;
  /** The example's Terraform root (applied, its state local). */
  readonly root: string;
  readonly api: ApiModel;
  readonly backend: ScriptedBackend;
}

/**
 * `npm run verify` of a module used from HCL (issue 17), against the
 * websocket-nlb example as applied on the emulator and served by a local
 * gateway of its own (with TLS and an access log) in front of the scripted
 * backend: the module's `$default` round trip of the one scenario module,
 * and the targets hop's FAIL and PASS pair, since moto registers no targets
 * until the test registers the backend.
 */
export function verifyModuleChecks(fixture: () => ModuleVerifyFixture): void {
  describe("npm run verify of the module", () => {
    let gateway: LocalGateway;
    let file: string;
    let dir: string;

    beforeAll(async () => {
      const f = fixture();
      dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".tmp", "verify-module-"));
      const certificates = ensureLocalCertificates(path.join(dir, "tls"));
      const accessLogFile = path.join(dir, "access.log");
      gateway = await LocalGateway.start({ api: f.api, backend: f.backend.url, tls: certificates, accessLogFile });
      const target: LocalTargetFile = {
        version: 1,
        stack: "websocket-nlb",
        root: f.root,
        region: f.api.region,
        endpoint: f.emulator.endpoint,
        websocketUrl: gateway.url,
        connectionsUrl: gateway.connectionsUrl,
        caFile: certificates.caFile,
        accessLogFile,
        backend: f.backend.url,
        notEmulated: f.api.notEmulated,
      };
      file = path.join(dir, "verify.json");
      fs.writeFileSync(file, JSON.stringify(target));
    }, 60_000);

    afterAll(async () => {
      await gateway?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** `npm run verify -- --local <file> --json`, asynchronously (the backend answers in this process). */
    const verify = (): Promise<{ status: number; hops: Record<string, { status: string; seen: string }> }> =>
      new Promise((resolve) => {
        const child = spawn("npm", ["run", "--silent", "verify", "--", "--local", file, "--json"], { cwd: PROJECT_DIR });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d));
        child.stderr.on("data", (d: Buffer) => (out += d));
        child.on("close", (status) => {
          const json = JSON.parse(out.slice(out.indexOf("{")));
          resolve({ status: status ?? -1, hops: Object.fromEntries(json.hops.map((h: any) => [h.hop, h])) });
        });
      });

    test("the targets hop fails while the emulator's target group is empty, and passes once the backend is registered", async () => {
      const before = await verify();
      expect(before.status).toBe(1);
      expect(before.hops.targets).toMatchObject({
        status: "FAIL",
        seen: expect.stringMatching(/^turtle-battleships-tg \(ip, port 3000, health check \/healthz\) has no targets$/),
      });
      expect(
        Object.entries(before.hops)
          .filter(([, h]) => h.status === "FAIL")
          .map(([k]) => k),
      ).toEqual(["targets"]);

      const elb = new ElasticLoadBalancingV2Client({
        endpoint: fixture().emulator.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["turtle-battleships-tg"] }))).TargetGroups![0].TargetGroupArn!;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: "127.0.0.1", Port: Number(new URL(fixture().backend.url).port) }] }));
      elb.destroy();
      const after = await verify();
      expect(after.hops.targets).toMatchObject({ status: "PASS", seen: expect.stringContaining("1 of 1 healthy (127.0.0.1:") });
      expect(after.status).toBe(0);
    }, 120_000);

    test("reads the module as applied (routes from the state), finds its ECS service by target group, and runs the $default round trip", async () => {
      const r = await verify();
      const statuses = Object.fromEntries(Object.entries(r.hops).map(([k, h]) => [k, h.status]));
      expect(statuses).toEqual({
        api: "PASS",
        routes: "PASS",
        deployment: "SKIP",
        "vpc-link": "PASS",
        targets: "PASS",
        service: "SKIP",
        "image-build": "SKIP",
        "frontend-build": "SKIP",
        "amplify-job": "SKIP",
        "account-role": "SKIP",
        "callback-path": "PASS",
        connect: "PASS",
        frames: "PASS",
        "connections-api": "SKIP",
        disconnect: "PASS",
        "access-logs": "SKIP",
      });
      expect(r.hops.routes.seen).toBe("5 routes as the stack defines them ($connect, $default, $disconnect, joinGame, makeMove), each with its integration");
      expect(r.hops.service.seen).toMatch(
        /^not shown by the emulator: moto runs no ECS tasks, .* \(ECS service turtle-battleships\S* \(cluster \S+\) exists, desired \d+;/,
      );
      expect(r.hops.frames.seen).toMatch(/^\$default: the backend's POST \/default answered "\/default \{.*; custom routes joinGame, makeMove not sent/);
      expect(r.hops["connections-api"].seen).toContain('api_gateway_account_role "none"');
      expect(r.hops["account-role"].seen).toBe('the stage writes no logs (a module with api_gateway_account_role "none"): no role is needed');
    }, 120_000);
  });
}
