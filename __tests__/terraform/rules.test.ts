import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { spawnSync } from "child_process";
import * as path from "path";
import {
  API_DESCRIPTION,
  API_GATEWAY_ACCOUNT_ROLE,
  API_NAME,
  AVAILABILITY_ZONE,
  CUSTOM_ROUTE_KEY,
  DASHBOARD_NAME,
  distinct,
  eachItem,
  ELB_NAME,
  GITHUB_REPOSITORY,
  HEALTH_CHECK_PATH,
  INTEGRATION_TIMEOUT,
  invalid,
  LOAD_BALANCER_SECURITY_GROUP_IDS,
  LOAD_BALANCER_SUBNET_IDS,
  LOG_RETENTION,
  LOGGING_LEVEL,
  logGroupNamePart,
  PORT,
  REGION,
  ROUTE_SELECTION_EXPRESSION,
  Rule,
  STAGE_NAME,
  SECURITY_GROUP_IDS,
  SUBNET_ID,
  TAGS,
  THROTTLE_BURST_LIMIT,
  THROTTLE_RATE_LIMIT,
  VPC_CIDR,
  VPC_ID,
  VPC_LINK_NAME,
} from "../../constructs/rules";
import { AUTHORIZER_CONTEXT_HEADERS, IDENTITY_SOURCES } from "../../constructs/rules";
import { EDGE_COLLECTION_SAMPLES, EDGE_RULE_SAMPLES } from "../support/edge-rule-samples";
import { describeWith, removeWorkdir, terraform, terraformRun, workdir, writeJson } from "../support/terraform";

/** A rule, whether null passes, and values to judge in TypeScript and in Terraform. */
interface Case {
  readonly name: string;
  readonly rule: Rule<any>;
  readonly nullable?: boolean;
  readonly values: readonly unknown[];
}

const CASES: readonly Case[] = [
  { name: "STAGE_NAME", rule: STAGE_NAME, values: ["prod", "v1_beta-2", "", "prod stage", "s".repeat(128), "s".repeat(129), "prod/", "ünï"] },
  { name: "API_NAME", rule: API_NAME, values: ["chat", "", "x".repeat(128), "x".repeat(129), "e\u0301".repeat(128), "😀".repeat(128), "with space"] },
  { name: "API_DESCRIPTION", rule: API_DESCRIPTION, values: ["", "d".repeat(1024), "d".repeat(1025)] },
  {
    name: "ROUTE_SELECTION_EXPRESSION",
    rule: ROUTE_SELECTION_EXPRESSION,
    values: [
      "$request.body.action",
      "$request.body.a.b[0]",
      "x ${request.body.a} y",
      "$request.header.action",
      "$request.body.",
      "a\r${request.body.x}",
      "a\n${request.body.x}",
      "a\u2028${request.body.x}",
      "$request.body.a b",
    ],
  },
  {
    name: "CUSTOM_ROUTE_KEY",
    rule: CUSTOM_ROUTE_KEY,
    values: ["join", "a b", "k".repeat(128), "k".repeat(129), "", "$join", " join", "join ", "jöin", "join\n", "a", "$", "~", "a\tb"],
  },
  { name: "LOGGING_LEVEL", rule: LOGGING_LEVEL, values: ["OFF", "ERROR", "INFO", "DEBUG", "info", ""] },
  { name: "LOGGING_LEVEL, nullable", rule: LOGGING_LEVEL, nullable: true, values: [null, "INFO", "DEBUG"] },
  { name: "API_GATEWAY_ACCOUNT_ROLE", rule: API_GATEWAY_ACCOUNT_ROLE, values: ["none", "existing", "managed", "None", "true", ""] },
  { name: "LOG_RETENTION", rule: LOG_RETENTION, values: [1, 14, 3653, 0, 2, 15, 14.5, 4000] },
  { name: "THROTTLE_BURST_LIMIT", rule: THROTTLE_BURST_LIMIT, values: [1, 5000, 0, -1, 0.5, 2.5] },
  { name: "THROTTLE_RATE_LIMIT", rule: THROTTLE_RATE_LIMIT, values: [1, 0.5, 10000, 0, -5] },
  { name: "INTEGRATION_TIMEOUT", rule: INTEGRATION_TIMEOUT, values: [50, 29000, 49, 29001, 100.5] },
  { name: "PORT", rule: PORT, values: [1, 80, 65535, 0, 65536, 80.5, -1] },
  { name: "VPC_LINK_NAME", rule: VPC_LINK_NAME, values: ["link", "", "v".repeat(255), "v".repeat(256)] },
  {
    name: "ELB_NAME",
    rule: ELB_NAME,
    values: ["a", "chat-nlb", "x".repeat(32), "x".repeat(33), "", "-chat", "chat-", "chat_nlb", "internal-chat", "Internal-chat", "my-internal-nlb", "a b"],
  },
  { name: "ELB_NAME, nullable", rule: ELB_NAME, nullable: true, values: [null, "chat-nlb", "-chat", "internal-x"] },
  { name: "VPC_LINK_NAME, nullable", rule: VPC_LINK_NAME, nullable: true, values: [null, "link", ""] },
  { name: "DASHBOARD_NAME", rule: DASHBOARD_NAME, values: ["chat-prod", "a_B-9", "", "with space", "x".repeat(255), "x".repeat(256), "ünï", "a/b"] },
  { name: "DASHBOARD_NAME, nullable", rule: DASHBOARD_NAME, nullable: true, values: [null, "chat-prod", "chat prod"] },
  {
    name: "HEALTH_CHECK_PATH",
    rule: HEALTH_CHECK_PATH,
    values: ["/", "/healthz", "/a?b=c", "healthz", "/he alth", "/" + "p".repeat(1023), "/" + "p".repeat(1024), "/é"],
  },
  { name: "VPC_ID", rule: VPC_ID, values: ["vpc-0123abcd", "vpc-0123456789abcdef0", "vpc-0123", "vpc-0123456789abcdef01", "default", "vpc-0123ABCD"] },
  { name: "LOAD_BALANCER_SUBNET_IDS", rule: LOAD_BALANCER_SUBNET_IDS, values: [["subnet-a"], ["a", "b"], []] },
  {
    name: "LOAD_BALANCER_SECURITY_GROUP_IDS",
    rule: LOAD_BALANCER_SECURITY_GROUP_IDS,
    values: [["sg-1"], ["1", "2", "3", "4", "5"], [], ["1", "2", "3", "4", "5", "6"]],
  },
  { name: "subnet ids, each", rule: eachItem(SUBNET_ID), values: [[], ["subnet-0123abcd"], ["subnet-0123abcd", "private-b"]] },
  { name: "distinct zones", rule: distinct("zones"), values: [[], ["a", "b"], ["a", "a"]] },
  { name: "AVAILABILITY_ZONE", rule: AVAILABILITY_ZONE, values: ["eu-central-1a", "us-gov-west-1b", "us-east-1", "zone-b"] },
  {
    name: "VPC_CIDR",
    rule: VPC_CIDR,
    values: ["10.0.0.0/16", "10.0.0.0/20", "10.0.0.0/8", "10.0.0.0/24", "10.0.256.0/16", "300.0.0.0/16", "10.0.1.0/16", "172.16.16.0/20", "172.16.8.0/20"],
  },
  {
    name: "TAGS",
    rule: TAGS,
    values: [
      {},
      { Team: "chat", "cost center": "a/b:c=d+e-f@g_h.i" },
      { "aws:cost": "x" },
      { "AWS:cost": "x" },
      { "cost#center": "x" },
      { k: "v,w" },
      { "": "x" },
      { k: "v".repeat(256) },
      { k: "v".repeat(257) },
      { ["k".repeat(129)]: "v" },
      { Équipe: "ventes" },
      Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, "x"])),
      Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "x"])),
    ],
  },
  { name: "security group ids, each", rule: SECURITY_GROUP_IDS, values: [[], ["sg-0123abcd"], ["sg-0123abcd", "default"]] },
  { name: "REGION", rule: REGION, values: ["us-east-1", "us-gov-west-1", "europe", "us-east-1a"] },
  {
    name: "GITHUB_REPOSITORY",
    rule: GITHUB_REPOSITORY,
    values: ["https://github.com/acme/chat", "https://github.com/acme/chat.git", "https://gitlab.com/acme/chat", "git@github.com:acme/chat.git"],
  },
  // The production edges (custom domain, $connect authorization): the unit suite's samples.
  ...EDGE_RULE_SAMPLES.map((s) => ({ name: s.name, rule: s.rule, values: [...s.good, ...s.bad] })),
  ...EDGE_RULE_SAMPLES.map((s) => ({ name: `${s.name}, nullable`, rule: s.rule, nullable: true, values: [null, s.good[0], s.bad[0]] })),
  {
    name: "IDENTITY_SOURCES",
    rule: IDENTITY_SOURCES,
    values: [...EDGE_COLLECTION_SAMPLES.identitySources.good, ...EDGE_COLLECTION_SAMPLES.identitySources.bad],
  },
  {
    name: "AUTHORIZER_CONTEXT_HEADERS",
    rule: AUTHORIZER_CONTEXT_HEADERS,
    values: [...EDGE_COLLECTION_SAMPLES.contextHeaders.good, ...EDGE_COLLECTION_SAMPLES.contextHeaders.bad],
  },
];

/** Evaluates `expression` with `terraform console` in `dir`; returns what it prints. */
function consoleEval(dir: string, expression: string): { status: number; output: string } {
  const r = spawnSync("terraform", ["console"], {
    cwd: dir,
    input: `${expression}\n`,
    env: { ...process.env, TF_IN_AUTOMATION: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** What TypeScript says of each value of a case. */
const inTypeScript = (c: Case) => c.values.map((v) => (v === null ? c.nullable === true : c.rule.test(v as never)));

describeWith(["terraform"])("validation rules in Terraform", () => {
  test("every rule's condition accepts and rejects the same values as its TypeScript check", () => {
    // GIVEN one local per case: the condition applied to each value (values
    // read from a file, so Terraform does not read "${" in them as a template)
    const dir = workdir("rules");
    try {
      writeJson(path.join(dir, "values.json"), Object.fromEntries(CASES.map((c, i) => [`c${i}`, c.values])));
      const locals = Object.fromEntries(
        CASES.map((c, i) => [
          `c${i}`,
          `\${[for v in jsondecode(file("\${path.module}/values.json"))["c${i}"] : ${c.rule.condition("v", { nullable: c.nullable })}]}`,
        ]),
      );
      writeJson(path.join(dir, "main.tf.json"), { locals });
      // WHEN Terraform evaluates them
      const r = consoleEval(dir, `jsonencode({${CASES.map((_, i) => `c${i} = local.c${i}`).join(", ")}})`);
      expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
      const inTerraform = JSON.parse(JSON.parse(r.output.trim().split("\n").pop()!));
      // THEN each value gets the same verdict
      for (const [i, c] of CASES.entries()) {
        const verdicts = (vs: boolean[]) => c.values.map((v, j) => [JSON.stringify(v), vs[j]]);
        expect({ rule: c.name, verdicts: verdicts(inTerraform[`c${i}`]) }).toEqual({ rule: c.name, verdicts: verdicts(inTypeScript(c)) });
      }
    } finally {
      removeWorkdir(dir);
    }
  });

  test("a log group name part is sanitized alike in TypeScript and by Terraform's replace (module variables)", () => {
    // GIVEN API names with characters log group names reject
    const names = ["turtle-battleships-websocket", "Turtle Battleships", "chat:api/v1.2_x#3", "Zürich 😀", "a\tb"];
    const dir = workdir("log-group-names");
    try {
      writeJson(path.join(dir, "names.json"), names);
      // WHEN Terraform sanitizes them with the expression the modules use
      const app = Testing.app();
      const stack = new TerraformStack(app as unknown as App, "names");
      const v = new TerraformVariable(stack, "n", { type: "string" });
      v.overrideLogicalId("n");
      new TerraformOutput(stack, "sanitized", { value: logGroupNamePart(v.stringValue), staticId: true });
      const expression: string = JSON.parse(Testing.synth(stack)).output.sanitized.value;
      expect(expression).toBe('${replace(var.n, "/[^-._/A-Za-z0-9]/", "-")}');
      writeJson(path.join(dir, "main.tf.json"), {
        locals: { out: `\${[for n in jsondecode(file("\${path.module}/names.json")) : ${expression.slice(2, -1).replace("var.n", "n")}]}` },
      });
      const r = consoleEval(dir, "jsonencode(local.out)");
      expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
      // THEN each name comes out the same as the constructs write it
      expect(JSON.parse(JSON.parse(r.output.trim().split("\n").pop()!))).toEqual(names.map((n) => logGroupNamePart(n)));
      expect(logGroupNamePart("Turtle Battleships")).toBe("Turtle-Battleships");
      expect(logGroupNamePart("turtle-battleships-websocket")).toBe("turtle-battleships-websocket");
    } finally {
      removeWorkdir(dir);
    }
  });

  test("a module variable validated by a rule rejects a bad value at plan time with the house message", () => {
    // GIVEN a root module whose variables carry the rules' validation blocks, as cdktf writes them
    const app = Testing.app();
    const stack = new TerraformStack(app as unknown as App, "rules");
    const variables: Array<[string, Rule<any>, unknown, unknown]> = [
      ["stage_name", STAGE_NAME, "prod", "prod stage"],
      ["fargate_port", PORT, 3000, 0],
      ["log_retention_days", LOG_RETENTION, 14, 10],
      ["nlb_name", ELB_NAME, "chat-nlb", "internal-chat"],
    ];
    for (const [name, rule, good] of variables) {
      new TerraformVariable(stack, name, { type: typeof good === "number" ? "number" : "string", validation: [rule.hcl(name)] }).overrideLogicalId(name);
    }
    const dir = workdir("rules-plan");
    try {
      writeJson(path.join(dir, "main.tf.json"), JSON.parse(Testing.synth(stack)));
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      const vars = (pick: 2 | 3) => variables.flatMap((v) => ["-var", `${v[0]}=${v[pick]}`]);
      // WHEN planned with good values, then with bad ones
      const good = terraformRun(dir, ["plan", "-input=false", "-lock=false", ...vars(2)]);
      const bad = terraformRun(dir, ["plan", "-input=false", "-lock=false", "-json", ...vars(3)]);
      // THEN the good values pass, and every bad one fails with the message the construct would give, ending with a period
      expect(good.status).toBe(0);
      expect(bad.status).not.toBe(0);
      const details = bad.output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l))
        .filter((m) => m.type === "diagnostic" && m.diagnostic.severity === "error")
        .map((m) => String(m.diagnostic.detail).split("\n\n")[0]);
      for (const [name, rule, , value] of variables) {
        const words = rule.noun ? `${rule.noun} ${rule.rule}` : rule.rule;
        expect(details).toContain(`${invalid(name, words, value, rule.fix).message}.`);
      }
    } finally {
      removeWorkdir(dir);
    }
  });
});
