import * as fs from "fs";
import * as path from "path";
import { READ_OPERATION } from "../../scripts/lib/verify/aws";
import { helpText, parseArgs } from "../../scripts/lib/verify/cli";
import { docLink, HOPS, TROUBLESHOOTING } from "../../scripts/lib/verify/hops";
import { exitCode, fail, formatResult, pass, skip, summary, warn } from "../../scripts/lib/verify/report";
import { expectedApi, outputValues, targetFromOutputs, withState } from "../../scripts/lib/verify/target";
import { PROJECT_DIR } from "../helpers";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const VERIFY_DIR = "scripts/lib/verify";

describe("the hops and docs/troubleshooting.md", () => {
  test("every hop has a section of docs/troubleshooting.md under its name, in verify's order", () => {
    const headings = [...read(TROUBLESHOOTING).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.slice(0, HOPS.length)).toEqual(HOPS.map((h) => h.name));
    for (const h of HOPS) expect(docLink(h.name)).toBe(`docs/troubleshooting.md#${h.name}`);
  });

  test("a FAIL line names the likely cause, the fix and its troubleshooting section; the exit code is 1 only with a FAIL", () => {
    expect(formatResult(fail("vpc-link", "VPC link x is PENDING", "it takes minutes", "wait"))).toBe(
      "FAIL vpc-link: VPC link x is PENDING\n     likely cause: it takes minutes\n     fix: wait\n     see docs/troubleshooting.md#vpc-link",
    );
    expect(formatResult(pass("api", "ok"))).toBe("PASS api: ok");
    expect(exitCode([pass("api", ""), warn("targets", ""), skip("service", "")])).toBe(0);
    expect(exitCode([pass("api", ""), warn("targets", "")], true)).toBe(1);
    expect(exitCode([pass("api", ""), fail("routes", "", "", "")])).toBe(1);
    expect(summary([pass("api", ""), fail("routes", "", "", ""), fail("targets", "", "", "")])).toBe(
      "3 hops: 1 PASS, 2 FAIL, 0 WARN, 0 SKIP. Broken: routes, targets (fix the first one first: later hops often fail because of it).",
    );
  });
});

describe("--help", () => {
  test("names every hop, and every AWS operation the sources can send, each a read", () => {
    const help = helpText();
    for (const h of HOPS) expect(help).toContain(`  ${h.name} `);
    const sent = new Set<string>();
    for (const file of fs.readdirSync(path.join(PROJECT_DIR, VERIFY_DIR))) {
      for (const m of read(`${VERIFY_DIR}/${file}`).matchAll(/new (\w+)Command\(/g)) sent.add(m[1]);
    }
    expect(sent.size).toBeGreaterThan(30);
    for (const op of sent) {
      expect([op, READ_OPERATION.test(op)]).toEqual([op, true]);
      // GetConnection is the data plane's signed GET @connections, named as such.
      expect([op, op === "GetConnection" ? help.includes("GET @connections/{id}") : new RegExp(`\\b${op}\\b`).test(help)]).toEqual([op, true]);
    }
  });
});

describe("parseArgs", () => {
  test("reads a stack, --outputs with --region, --local, and the flags", () => {
    expect(
      parseArgs(["chat", "--json", "--control-plane-only", "--strict", "--token", "t0k", "--query", "room=7", "--query=x=y", "--logs-wait", "30"]),
    ).toEqual({
      stack: "chat",
      json: true,
      controlPlaneOnly: true,
      strict: true,
      token: "t0k",
      query: { room: "7", x: "y" },
      logsWaitMs: 30_000,
      outputs: undefined,
      region: undefined,
      local: undefined,
    });
    expect(parseArgs(["--outputs", "o.json", "--region", "eu-west-1"])).toMatchObject({ outputs: "o.json", region: "eu-west-1", logsWaitMs: 120_000 });
    expect(parseArgs(["--help"])).toBe("help");
  });

  test.each([
    [[], "give one of a stack name, --outputs <file> or --local <file>"],
    [["chat", "--outputs", "x"], "give one of a stack name"],
    [["dev"], 'stack must be one of chat, websocket-nlb, websocket-alb, got "dev": e.g. npm run verify -- chat'],
    [["chat", "--region", "us-east-1"], "--region goes with --outputs"],
    [["--outputs", "o", "--region", "mars-1"], '--region must be an AWS region such as us-east-1, got "mars-1"'],
    [["chat", "--query", "novalue"], '--query must be <name>=<value>, got "novalue"'],
    [["chat", "--logs-wait", "soon"], '--logs-wait must be a number of seconds from 0 to 900, got "soon"'],
    [["chat", "--verbose"], 'unknown flag "--verbose"'],
    [["chat", "--token"], "--token must be followed by a value"],
  ])("fails when the arguments are %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("targetFromOutputs", () => {
  test("reads a module's outputs (terraform output -json), and the API id, region and stage from the stage URL", () => {
    const t = targetFromOutputs(
      outputValues({
        websocket_stage_invoke_url: { value: "wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod" },
        target_group_arn: { value: "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/1" },
        logging_enabled: { value: false },
      }),
      { kind: "module", source: "o.json" },
    );
    expect(t).toMatchObject({
      apiId: "a1b2c3d4e5",
      region: "eu-west-1",
      stageName: "prod",
      connectionsUrl: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod",
      targetGroupArns: ["arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/1"],
      hasState: false,
    });
    expect(expectedApi(t, {}).expectedMissing).toContain("the live routes are checked for consistency only");
  });

  test("tells the stage's URL from a custom domain's (the custom-domain example outputs both), and a root output holding the whole module", () => {
    const t = targetFromOutputs(
      outputValues({
        websocket_url: { value: "wss://ws.example.com/game" },
        execute_api_url: { value: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" },
        connect_authorizer_id: { value: "auth1" },
      }),
      { kind: "module", source: "o.json" },
    );
    expect(t).toMatchObject({
      websocketUrl: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
      customDomainUrl: "wss://ws.example.com/game",
      authorization: "CUSTOM",
    });
    const nested = outputValues({
      websocket_api: { value: { websocket_stage_invoke_url: "wss://b2c3d4e5f6.execute-api.us-east-1.amazonaws.com/dev", vpc_link_id: "v1" } },
    });
    expect(targetFromOutputs(nested, { kind: "module", source: "x" })).toMatchObject({ apiId: "b2c3d4e5f6", stageName: "dev" });
  });

  test("fails when no output holds an execute-api URL, or --region contradicts it", () => {
    expect(() => targetFromOutputs({ vpc_link_id: "v1" }, { kind: "module", source: "o.json" })).toThrow(
      'o.json holds no execute-api wss:// URL (websocket_stage_invoke_url, websocket_url): output the module\'s websocket_stage_invoke_url from your root module, e.g. output "websocket_stage_invoke_url" { value = module.websocket_api.websocket_stage_invoke_url }',
    );
    expect(() =>
      targetFromOutputs(
        { websocket_stage_invoke_url: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" },
        { kind: "module", source: "o", region: "eu-west-1" },
      ),
    ).toThrow(
      "--region must be the API's region, got eu-west-1: websocket_stage_invoke_url (wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod) is in us-east-1",
    );
  });
});

describe("withState", () => {
  test("finds the chat's build projects, Amplify branch, ECS service and subnets, account role and $connect authorization in a state", () => {
    const resource = (type: string, values: object) => ({ address: `${type}.x`, mode: "managed", type, values });
    const state = {
      values: {
        root_module: {
          resources: [
            resource("aws_codebuild_project", { name: "chat-dev-backend", environment: [{ environment_variable: [{ name: "REPOSITORY_URI" }] }] }),
            resource("aws_codebuild_project", { name: "chat-dev-frontend", environment: [{ environment_variable: [{ name: "AMPLIFY_APP_ID" }] }] }),
            resource("aws_amplify_branch", { app_id: "d1app", branch_name: "main" }),
            resource("aws_ecs_service", {
              name: "chat-dev-backend",
              cluster: "arn:aws:ecs:us-east-1:1:cluster/chat-dev",
              network_configuration: [{ subnets: ["s-b", "s-a"] }],
            }),
            resource("aws_api_gateway_account", { cloudwatch_role_arn: "arn:aws:iam::1:role/r" }),
            resource("aws_apigatewayv2_route", { api_id: "a1b2c3d4e5", route_key: "$connect", authorization_type: "AWS_IAM" }),
          ],
        },
      },
    };
    const base = targetFromOutputs({ websocket_url: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" }, { kind: "chat", source: "s" });
    expect(withState(base, state)).toMatchObject({
      hasState: true,
      imageBuildProject: "chat-dev-backend",
      frontendBuildProject: "chat-dev-frontend",
      amplify: { appId: "d1app", branch: "main" },
      ecs: { cluster: "chat-dev", service: "chat-dev-backend", subnets: ["s-a", "s-b"] },
      accountRoleArn: "arn:aws:iam::1:role/r",
      authorization: "AWS_IAM",
    });
  });
});
