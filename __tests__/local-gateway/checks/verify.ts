import { CreateRouteCommand, DeleteRouteCommand, GetRoutesCommand, ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { GetAccountCommand, APIGatewayClient } from "@aws-sdk/client-api-gateway";
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { READ_OPERATION } from "../../../scripts/lib/verify/aws";
import { HOPS } from "../../../scripts/lib/verify/hops";
import type { LocalTargetFile } from "../../../scripts/lib/verify/target";
import { LocalCommand, PROJECT_DIR } from "../support/clients";

/** What the verify checks need of a running `npm run local -- chat --backend ...`. */
export interface VerifyFixture {
  /** The running command (its output holds the Verify line). */
  readonly command: LocalCommand;
  /** Stops the backend (the last check does). */
  readonly stopBackend: () => Promise<void>;
  /**
   * Arguments every run adds to the Verify line's command, as a user adds what
   * the deployment's `$connect` authorizer needs (`--token <token>`).
   * @default - none
   */
  readonly args?: readonly string[];
}

interface Run {
  readonly status: number;
  readonly output: string;
  readonly json?: any;
}

/**
 * `npm run verify` against `npm run local -- chat --backend ...` (issue 17):
 * the Verify line; a run that passes every hop the emulator can show and
 * says which it cannot; proof that only reads and the scenario's own
 * connections go out (a proxy in front of the emulator records every request,
 * each a read); and one hop broken at a time on the emulator turning exactly
 * that hop to FAIL and the exit code to 1: a route deleted (DeleteRoute), the
 * target group emptied, the region's CloudWatch role deleted, an execute-api
 * interface endpoint with private DNS added to the VPC, the backend stopped.
 * Each break but the last is undone before the next.
 */
export function verifyChecks(fixture: () => VerifyFixture): void {
  let line: string;
  let file: LocalTargetFile;
  let baseline: Record<string, string>;
  const sdk = () => ({ endpoint: file.endpoint, region: file.region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  /** Runs the Verify line's command (plus `args`) as a user would, asynchronously: the backend double answers in this process. */
  const run = (args: string[], command = line.replace(/^Verify: /, "")): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn("sh", ["-c", `${command} ${[...(fixture().args ?? []), ...args].join(" ")} 2>&1`], { cwd: PROJECT_DIR });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d));
      child.on("close", (status) => {
        // The JSON document starts a line: the first, or after npm's own lines (which npm leaves out when a parent npm runs it silently).
        const start = /^\{/m.exec(output)?.index ?? -1;
        resolve({ status: status ?? -1, output, json: args.includes("--json") && start >= 0 ? JSON.parse(output.slice(start)) : undefined });
      });
    });
  const statuses = (r: Run): Record<string, string> => Object.fromEntries(r.json.hops.map((h: any) => [h.hop, h.status]));
  /** The hops whose status differs from the baseline. */
  const changed = (r: Run) => Object.fromEntries(Object.entries(statuses(r)).filter(([hop, s]) => baseline[hop] !== s));
  const hop = (r: Run, name: string) => r.json.hops.find((h: any) => h.hop === name);

  test("npm run local prints, after its URL lines, one line Verify: <command>", async () => {
    const { command } = fixture();
    [line] = await command.waitForLine(/^Verify: npm run verify -- --local \S+$/, 10_000);
    const lines = command.lines;
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^Verify: /)).toBeGreaterThan(at(/^Connections URL: /));
    expect(at(/^Connections URL: /)).toBeGreaterThan(at(/^WebSocket URL: /));
    expect(lines.filter((l) => l.startsWith("Verify: "))).toHaveLength(1);
    // The backend stands for the NLB's targets on the emulator, as ECS tasks would on AWS.
    expect(command.output).toMatch(/Registered the backend 127\.0\.0\.1:\d+ as the target of chat-dev-8080 on the emulator/);
    file = JSON.parse(fs.readFileSync(path.resolve(PROJECT_DIR, line.split(" ").pop()!), "utf8"));
    expect(file).toMatchObject({ version: 1, stack: "chat", endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
  });

  test("the Verify line's command passes every hop the emulator can show and names those it cannot; exit 0", async () => {
    const r = await run([]);
    expect([r.status, r.output]).toEqual([0, expect.any(String)]);
    for (const name of [
      "api",
      "routes",
      "vpc-link",
      "targets",
      "account-role",
      "callback-path",
      "connect",
      "frames",
      "connections-api",
      "disconnect",
      "access-logs",
    ])
      expect(r.output).toMatch(new RegExp(`^PASS ${name}: `, "m"));
    for (const name of ["deployment", "service", "image-build", "frontend-build", "amplify-job"])
      expect(r.output).toMatch(new RegExp(`^SKIP ${name}: not shown by the emulator: `, "m"));
    expect(r.output).toMatch(/^Not shown by the emulator: deployment, service, image-build, frontend-build, amplify-job \(verify them on AWS\)\.$/m);
    expect(r.output).toMatch(
      /^PASS frames: username .*online .*message \(delivered to the other client through @connections\), an unknown action \(answered by \$default\)$/m,
    );
    expect(r.output).toMatch(
      /^PASS targets: chat-dev-8080 \(ip, port 8080, health check \/healthz\): 1 of 1 healthy \(127\.0\.0\.1:\d+\) \(as the emulator reports them/m,
    );
  });

  test("only read calls and the scenario's own connections go out: every request that reaches the emulator is a read", async () => {
    // A recording proxy in front of the emulator: the requests as they go over the wire, not as verify reports them.
    const proxy = await RecordingProxy.start(file.endpoint);
    const proxied = path.join(path.dirname(path.resolve(PROJECT_DIR, line.split(" ").pop()!)), "verify-proxied.json");
    fs.writeFileSync(proxied, JSON.stringify({ ...file, endpoint: proxy.url }));
    try {
      const r = await run(["--json"], `npm run verify -- --local ${path.relative(PROJECT_DIR, proxied)}`);
      expect([r.status, r.output]).toEqual([0, expect.any(String)]);
      baseline = statuses(r);
      expect(Object.keys(baseline)).toEqual(HOPS.map((h) => h.name));
      expect(proxy.requests.length).toBeGreaterThan(15);
      // REST services (API Gateway, Amplify) read with GET; query and JSON services name a Get/Describe/List/BatchGet/Filter/Lookup action.
      expect(proxy.requests.filter((q) => !(q.operation ? READ_OPERATION.test(q.operation) : q.method === "GET"))).toEqual([]);
      // What verify reports it sent is what went out, plus the signed GET @connections to the local gateway.
      const reported = r.json.awsCalls.map((c: any) => c.operation);
      expect(reported.filter((o: string) => o !== "GetConnection")).toHaveLength(proxy.requests.length);
      expect(reported).toContain("GetConnection");
      expect(r.json.awsCalls.filter((c: any) => !READ_OPERATION.test(c.operation))).toEqual([]);
      // Two clients: the local gateway's stage URL, and its custom domain mapping's when the stage has one (with what the authorizer needs).
      const opened: string[] = r.json.connectionsOpened;
      expect(opened.map((u) => u.replace(/\?.*$/, ""))).toEqual([file.websocketUrl, file.customDomainUrls?.[0]?.url ?? file.websocketUrl]);
    } finally {
      await proxy.close();
      fs.rmSync(proxied, { force: true });
    }
  });

  test("a route deleted from the API (DeleteRoute) fails exactly the routes hop; exit 1", async () => {
    const v2 = new ApiGatewayV2Client(sdk());
    const apiId = /wss:\/\/([a-z0-9]+)\./.exec(fixture().command.output.match(/websocket_url = "([^"]+)"/)![1])![1];
    const routes = (await v2.send(new GetRoutesCommand({ ApiId: apiId }))).Items!;
    const online = routes.find((x) => x.RouteKey === "online")!;
    await v2.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: online.RouteId }));
    try {
      const r = await run(["--json"]);
      expect(r.status).toBe(1);
      expect(changed(r)).toEqual({ routes: "FAIL" });
      expect(hop(r, "routes")).toMatchObject({
        seen: expect.stringMatching(/^route online missing from API \w+ \(the stack defines \$connect, \$default, \$disconnect, message, online, username\)$/),
        cause: expect.stringContaining("deleted outside Terraform"),
        fix: "deploy again (restart npm run local, which deploys anew): Terraform recreates what its state holds but AWS lacks",
      });
      expect((await run([])).output).toMatch(/^FAIL routes: .*\n {5}likely cause: .*\n {5}fix: .*\n {5}see docs\/troubleshooting\.md#routes$/m);
    } finally {
      await v2.send(
        new CreateRouteCommand({
          ApiId: apiId,
          RouteKey: "online",
          Target: online.Target,
          RouteResponseSelectionExpression: online.RouteResponseSelectionExpression,
        }),
      );
      v2.destroy();
    }
  });

  test("a target group with no targets fails exactly the targets hop; exit 1", async () => {
    const elb = new ElasticLoadBalancingV2Client(sdk());
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["chat-dev-8080"] }))).TargetGroups![0].TargetGroupArn!;
    const targets = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!.map((t) => t.Target!);
    expect(targets).toHaveLength(1);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }));
    try {
      const r = await run(["--json"]);
      expect(r.status).toBe(1);
      expect(changed(r)).toEqual({ targets: "FAIL" });
      expect(hop(r, "targets")).toMatchObject({
        seen: "chat-dev-8080 (ip, port 8080, health check /healthz) has no targets",
        fix: "restart npm run local with --backend http://127.0.0.1:<port>",
      });
    } finally {
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }));
      elb.destroy();
    }
  });

  test("the region's CloudWatch role deleted fails exactly the account-role hop; exit 1", async () => {
    const iam = new IAMClient(sdk());
    const roleArn = (await new APIGatewayClient(sdk()).send(new GetAccountCommand({}))).cloudwatchRoleArn!;
    const RoleName = roleArn.split("/").pop()!;
    const role = (await iam.send(new GetRoleCommand({ RoleName }))).Role!;
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies ?? [];
    for (const p of attached) await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: p.PolicyArn }));
    for (const name of (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [])
      await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: name }));
    await iam.send(new DeleteRoleCommand({ RoleName }));
    try {
      const r = await run(["--json"]);
      expect(r.status).toBe(1);
      expect(changed(r)).toEqual({ "account-role": "FAIL" });
      expect(hop(r, "account-role")).toMatchObject({
        seen: expect.stringContaining(`the region's CloudWatch role ${roleArn} does not exist (NoSuchEntity`),
        fix: expect.stringMatching(/^recreate it: deploy again \(restart npm run local, which deploys anew\): the stack creates its role and sets it/),
      });
    } finally {
      await iam.send(new CreateRoleCommand({ RoleName, Path: role.Path, AssumeRolePolicyDocument: decodeURIComponent(role.AssumeRolePolicyDocument!) }));
      for (const p of attached) await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: p.PolicyArn }));
      iam.destroy();
    }
  });

  test("an execute-api interface endpoint with private DNS in the backend's VPC fails exactly the callback-path hop; exit 1", async () => {
    const ec2 = new EC2Client(sdk());
    const ecs = new ECSClient(sdk());
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: "chat-dev", services: ["chat-dev-backend"] }))).services![0];
    const subnets = service.networkConfiguration!.awsvpcConfiguration!.subnets!;
    const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets }))).Subnets![0].VpcId!;
    const endpoint = (
      await ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          VpcEndpointType: "Interface",
          ServiceName: `com.amazonaws.${file.region}.execute-api`,
          PrivateDnsEnabled: true,
          SubnetIds: subnets,
        }),
      )
    ).VpcEndpoint!.VpcEndpointId!;
    try {
      const r = await run(["--json"]);
      expect(r.status).toBe(1);
      expect(changed(r)).toEqual({ "callback-path": "FAIL" });
      expect(hop(r, "callback-path")).toMatchObject({
        seen: `${endpoint} (execute-api interface endpoint, private DNS on) in ${vpcId} captures ${hop(r, "api").seen.match(/\(([a-z0-9]+), WEBSOCKET\)/)![1]}.execute-api.us-east-1.amazonaws.com: the backend's @connections calls get 403 Forbidden`,
        fix: expect.stringContaining(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoint} --no-private-dns-enabled`),
      });
    } finally {
      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpoint] }));
      ec2.destroy();
      ecs.destroy();
    }
  });

  test("with the backend stopped, the connect hop fails and names the backend; exit 1", async () => {
    await fixture().stopBackend();
    const r = await run(["--json"]);
    expect(r.status).toBe(1);
    const failed = Object.entries(statuses(r)).filter(([, s]) => s === "FAIL");
    expect(failed).toEqual([["connect", "FAIL"]]);
    expect(hop(r, "connect")).toMatchObject({
      seen: expect.stringMatching(/^the handshake to ws:\/\/127\.0\.0\.1:\d+\/prod(\?\S+)? was refused: 500 /),
      cause: expect.stringMatching(
        /^the backend http:\/\/127\.0\.0\.1:\d+ \(npm run local's --backend, which stands for the NLB's targets\) does not answer: connection refused$/,
      ),
    });
    for (const name of ["frames", "connections-api", "disconnect"]) expect(hop(r, name)).toMatchObject({ status: "SKIP", seen: "not run: no connection" });
  });
}

/** An HTTP proxy in front of the emulator that records each request's method and AWS operation. */
class RecordingProxy {
  public readonly requests: Array<{ method: string; path: string; operation?: string }> = [];

  public static async start(target: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", () => resolve()));
    return proxy;
  }

  private readonly server: http.Server;

  private constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        // JSON protocols name the operation in X-Amz-Target, query protocols in the Action parameter; REST ones by method and path.
        const amzTarget = req.headers["x-amz-target"];
        const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("utf8"))?.[1];
        const operation = typeof amzTarget === "string" ? amzTarget.slice(amzTarget.lastIndexOf(".") + 1) : action;
        this.requests.push({ method: req.method ?? "?", path: req.url ?? "", operation });
        const out = http.request(
          { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host } },
          (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          },
        );
        out.on("error", () => res.destroy());
        out.end(body);
      });
    });
  }

  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  public close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
