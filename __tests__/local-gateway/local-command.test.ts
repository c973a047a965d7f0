import { spawnSync } from "child_process";
import * as net from "net";
import * as path from "path";
import { describeE2e } from "../support/e2e";
import { freshClone } from "../support/fresh-clone";
import { removeWorkdir, workdir } from "../support/terraform";
import { customDomainExampleArgs, customDomainExampleChecks } from "./checks/custom-domain-example";
import { LocalCommand, PROJECT_DIR } from "./support/clients";

/** `npm run local` itself: its command line, and a run from a fresh clone. */
describe("npm run local", () => {
  describe("command line", () => {
    const run = (args: string[]) => {
      const started = Date.now();
      const r = spawnSync(process.execPath, ["scripts/run.js", "scripts/local.ts", ...args], { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60_000 });
      return { status: r.status, out: `${r.stdout}${r.stderr}`.trim(), ms: Date.now() - started };
    };

    test.each([
      [
        ["chat", "--verbose"],
        /^npm run local: unknown flag "--verbose": the flags are --backend, --port, --once, --config, --authorizer, --iam-policy, --idle-timeout and --max-connection-duration/,
      ],
      [
        ["websocket-nlb", "--backend", "http://10.1.2.3:8080"],
        /^npm run local: --backend must be an http:\/\/ URL on loopback .*got "http:\/\/10\.1\.2\.3:8080"/,
      ],
      [["chat", "--backend", "ftp://127.0.0.1:21"], /^npm run local: --backend must be an http:\/\/ URL on loopback/],
      [["chat", "--port", "70000"], /^npm run local: --port must be a port number from 1 to 65535, got "70000"/],
      [["chat", "--port"], /^npm run local: --port must be followed by a value/],
      [["lambda"], /^npm run local: stack must be one of chat, websocket-nlb, websocket-alb, websocket-nlb-custom-domain, got "lambda"/],
      [["chat", "--idle-timeout", "0"], /^npm run local: --idle-timeout must be a number of seconds above 0, got "0"/],
      [["chat", "--max-connection-duration", "2h"], /^npm run local: --max-connection-duration must be a number of seconds above 0, got "2h"/],
      [["chat", "--once=yes"], /^npm run local: --once takes no value/],
      [
        ["chat", "--authorizer", "no-such-authorizer.js"],
        /^npm run local: --authorizer must name a Node\.js handler file or a loopback http\(s\) URL, got "no-such-authorizer\.js"/,
      ],
      [["chat", "--authorizer", "http://10.1.2.3/authorize"], /^npm run local: --authorizer must be a loopback http\(s\) URL/],
      [["chat", "--authorizer", "package.json:handler"], /^npm run local: --authorizer package\.json:handler: package\.json exports no function "handler"/],
      [["chat", "--iam-policy", "no-such-policy.json"], /^npm run local: --iam-policy must name a readable JSON file, got "no-such-policy\.json"/],
      [
        ["chat", "--iam-policy", "package.json"],
        /^npm run local: --iam-policy package\.json must be an IAM policy document: policyDocument\.Statement must be/,
      ],
    ])("fails when given %j: one line, exit 1, before the emulator starts", (args, message) => {
      const r = run(args);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(message);
      expect(r.out.split("\n")).toHaveLength(1);
      expect(r.out).not.toMatch(/Starting the AWS emulator|\n\s+at /);
    });

    test("fails when --port is in use: one line, exit 1, before the emulator starts", async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const r = run(["websocket-nlb", "--port", String(port)]);
        expect(r.status).toBe(1);
        expect(r.out).toBe(`npm run local: --port ${port} is in use on 127.0.0.1: pick another port, or leave --port out for a free one`);
      } finally {
        server.close();
      }
    });
  });

  describeE2e()("from a fresh clone", () => {
    let dir: string;
    let command: LocalCommand;
    let exit: { code: number | null };

    beforeAll(async () => {
      dir = workdir("gateway-clone");
      const clone = path.join(dir, "clone");
      // The clone (of the working tree) has no .tmp/, .local/, dist/ or cdktf.out/; only the installed packages are shared.
      freshClone(PROJECT_DIR, clone);
      // The custom-domain example: a module through its HCL example, with the prerequisites the command makes on the emulator.
      command = new LocalCommand(["websocket-nlb-custom-domain", "--once", ...customDomainExampleArgs(dir)], { cwd: clone, npm: true });
      exit = await command.exited;
    }, 15 * 60_000);

    afterAll(() => {
      if (dir) removeWorkdir(dir);
    });

    test("deploys, serves, prints the URLs alone on their lines, tears down and exits 0", () => {
      expect({ code: exit.code, output: command.output }).toMatchObject({ code: 0 });
      expect(command.lines).toContainEqual(expect.stringMatching(/^WebSocket URL: ws:\/\/127\.0\.0\.1:\d+\/prod$/));
      expect(command.lines).toContainEqual(expect.stringMatching(/^Connections URL: https:\/\/127\.0\.0\.1:\d+\/prod$/));
      expect(command.output).toMatch(/would go to --backend http:\/\/127\.0\.0\.1:<port>; nothing answers them/);
      const pid = Number(
        /^Emulator \(pid (\d+)\) stopped: what websocket-nlb-custom-domain deployed on it went with it \(its Terraform state: removed\)\.$/m.exec(
          command.output,
        )?.[1],
      );
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid, 0)).toThrow();
      expect(command.output).not.toMatch(/ENOENT|\n\s+at /);
    });

    customDomainExampleChecks(() => command);
  });
});
