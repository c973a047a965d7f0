import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { App, Fn, TerraformIterator, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { Construct } from "constructs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Guardrails, GuardrailsOptions, RULES } from "../../constructs/guardrails";
import { containerDefinitions } from "../../constructs/guardrails/ecs";
import { buildModel } from "../../constructs/guardrails/model";
import { decodeJsonDocument, parseHclLiteral } from "../../constructs/guardrails/json-document";
import { UNKNOWN } from "../../constructs/guardrails/values";
import { buildApp, ProjectStacks } from "../../stacks/app";
import { newStack, settingsWith } from "../helpers";

/** Messages of the annotations of a level on a construct. */
function annotations(construct: Construct, level: "@cdktf/info" | "@cdktf/warn" | "@cdktf/error"): string[] {
  return construct.node.metadata.filter((m) => m.type === level).map((m) => String(m.data));
}

function synthError(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("Guardrails.apply", () => {
  test("fails the synth on error violations, with every violation in the message", () => {
    // GIVEN
    const stack = newStack();
    new CloudwatchLogGroup(stack, "a", { name: "/a" });
    new CloudwatchLogGroup(stack, "b", { name: "/b" });
    // WHEN
    Guardrails.apply(stack);
    // THEN
    const message = synthError(stack);
    expect(message).toContain("WSG-LOGS-001 error at test/a [aws_cloudwatch_log_group.a]");
    expect(message).toContain("WSG-LOGS-001 error at test/b [aws_cloudwatch_log_group.b]");
  });

  test("lets a compliant stack synthesize and prints info and warning violations as annotations", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 30 });
    Guardrails.apply(stack, { requireLogKms: true });
    expect(synthError(stack)).toBe("");
    expect(annotations(logs, "@cdktf/warn")).toEqual([
      expect.stringMatching(/^WSG-LOGS-002 warning at test\/logs \[aws_cloudwatch_log_group\.logs\]: kms_key_id must be/),
    ]);
  });

  test("registers one pass per stack; applying again replaces the options", () => {
    const stack = newStack();
    new Lb(stack, "nlb", { loadBalancerType: "network", internal: true, enableCrossZoneLoadBalancing: true });
    Guardrails.apply(stack);
    expect(synthError(stack)).toBe("");
    Guardrails.apply(stack, { production: true });
    const message = synthError(stack);
    expect(message.match(/WSG-LB-002 error/g)).toHaveLength(1);
  });

  test("applies to every stack of an app", () => {
    const app = Testing.app() as unknown as App;
    const one = new TerraformStack(app, "one");
    const two = new TerraformStack(app, "two");
    new CloudwatchLogGroup(one, "logs", { name: "/a" });
    new CloudwatchLogGroup(two, "logs", { name: "/b" });
    Guardrails.apply(app);
    expect(synthError(one)).toContain("WSG-LOGS-001 error at one/logs");
    expect(synthError(two)).toContain("WSG-LOGS-001 error at two/logs");
  });

  test("fails when the scope holds no stack", () => {
    const app = Testing.app() as unknown as App;
    expect(() => Guardrails.apply(app)).toThrow(
      /Guardrails.apply scope must be a stack or contain stacks, got .* with none: call it after the stacks are created/,
    );
  });

  test("annotates once even when validations run several times", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 30 });
    Guardrails.apply(stack, { reportInfo: true });
    synthError(stack);
    synthError(stack);
    expect(annotations(logs, "@cdktf/info")).toHaveLength(1);
  });

  test("prints informational findings only when asked to (they stay in the report)", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 30 });
    Guardrails.apply(stack);
    synthError(stack);
    expect(annotations(logs, "@cdktf/info")).toEqual([]);
    expect(Guardrails.evaluate(stack).violations.map((v) => `${v.ruleId} ${v.severity}`)).toEqual(["WSG-LOGS-002 info"]);
  });
});

describe("Guardrails.suppress", () => {
  test("silences the rule on exactly one resource and echoes the reason", () => {
    // GIVEN two log groups without retention
    const stack = newStack();
    const kept = new CloudwatchLogGroup(stack, "kept", { name: "/kept" });
    new CloudwatchLogGroup(stack, "other", { name: "/other" });
    // WHEN one is suppressed
    Guardrails.suppress(kept, "WSG-LOGS-001", "audit logs are kept forever by policy");
    Guardrails.apply(stack);
    // THEN only the other fails the synth
    const message = synthError(stack);
    expect(message).toContain("WSG-LOGS-001 error at test/other");
    expect(message).not.toContain("test/kept");
    // AND the suppression is echoed with its reason and what it silenced
    expect(annotations(kept, "@cdktf/info")).toContain(
      'WSG-LOGS-001 suppressed at test/kept: "audit logs are kept forever by policy" (silences aws_cloudwatch_log_group.kept)',
    );
    const report = Guardrails.evaluate(stack);
    expect(report.suppressions).toHaveLength(1);
    expect(report.suppressions[0].silenced.map((v) => v.address)).toEqual(["aws_cloudwatch_log_group.kept"]);
    expect(report.errors.map((v) => v.address)).toEqual(["aws_cloudwatch_log_group.other"]);
  });

  test("silences only the named rule", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a" });
    Guardrails.suppress(logs, "WSG-LOGS-002", "the service key is enough for these logs");
    expect(Guardrails.evaluate(stack).errors.map((v) => v.ruleId)).toEqual(["WSG-LOGS-001"]);
  });

  test("covers every resource under the construct it is made on", () => {
    const stack = newStack();
    const scope = new Construct(stack, "legacy");
    new CloudwatchLogGroup(scope, "a", { name: "/a" });
    new CloudwatchLogGroup(scope, "b", { name: "/b" });
    new CloudwatchLogGroup(stack, "c", { name: "/c" });
    Guardrails.suppress(scope, "WSG-LOGS-001", "imported groups; retention is managed by the platform team");
    const report = Guardrails.evaluate(stack);
    expect(report.suppressions[0].silenced.map((v) => v.path)).toEqual(["test/legacy/a", "test/legacy/b"]);
    expect(report.errors.map((v) => v.path)).toEqual(["test/c"]);
  });

  test("reports a suppression that silences nothing", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a", retentionInDays: 30 });
    Guardrails.suppress(logs, "WSG-LOGS-001", "was needed once");
    expect(Guardrails.evaluate(stack).suppressions[0].message).toBe(
      'WSG-LOGS-001 suppressed at test/logs: "was needed once" (nothing to silence here: remove the suppression if it is stale)',
    );
  });

  test("fails when the reason is missing or blank", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "logs", { name: "/a" });
    expect(() => Guardrails.suppress(logs, "WSG-LOGS-001", "")).toThrow(
      /Guardrails.suppress reason must be a non-empty explanation, got "": say why WSG-LOGS-001 does not apply to test\/logs/,
    );
    expect(() => Guardrails.suppress(logs, "WSG-LOGS-001", "   ")).toThrow(/reason must be a non-empty explanation/);
    expect(() => Guardrails.suppress(logs, "WSG-LOGS-001", undefined as unknown as string)).toThrow(/reason must be a non-empty explanation, got nothing/);
    // Nothing was suppressed.
    expect(Guardrails.evaluate(stack).suppressions).toEqual([]);
  });

  test("fails when the rule id is not one of the pack", () => {
    const logs = new CloudwatchLogGroup(newStack(), "logs", { name: "/a" });
    expect(() => Guardrails.suppress(logs, "WSG-LOGS-009", "typo")).toThrow(/Guardrails.suppress ruleId must be one of WSG-APIGW-001, .*got "WSG-LOGS-009"/);
    expect(() => Guardrails.suppress(logs, "retention", "typo")).toThrow(/ruleId must be a rule id such as "WSG-LB-001", got "retention"/);
  });
});

describe("reading synthesized values", () => {
  test("every rule has an id, a severity, a description and a fix; Checkov ids where Checkov has a check", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^WSG-[A-Z]+-\d{3}$/);
      expect(r.description).not.toBe("");
      expect(r.fix).not.toBe("");
      r.checkov.forEach((c) => expect(c).toMatch(/^CKV2?_(AWS|SECRET)_\d+$/));
    }
  });

  test("every rule has a `fails when ...` test", () => {
    const tests = fs.readFileSync(path.join(__dirname, "guardrails-rules.test.ts"), "utf8");
    const untested = RULES.map((r) => r.id).filter((id) => !new RegExp(`test\\("fails when [^"]*\\(${id}\\)`).test(tests));
    expect(untested).toEqual([]);
  });

  test("reads cdktf's jsonencode text of the shipped task definition", () => {
    const stacks = buildApp(settingsWith({}), path.join(os.tmpdir(), "guardrails-read"));
    const report = Guardrails.evaluate(stacks.chat);
    expect(report.errors).toEqual([]);
    const td = (stacks.chat.service.taskDefinition as EcsTaskDefinition).node.path;
    const block = buildModel(stacks.chat).model.resources("aws_ecs_task_definition")[0];
    expect(block.path).toBe(td);
    const defs = containerDefinitions(block);
    expect(defs.map((d) => [d.name, d.def.readonlyRootFilesystem, d.def.essential])).toEqual([
      ["backend", true, true],
      ["otel-collector", true, false],
    ]);
    // References become "cannot tell"; interpolated strings are kept as written.
    const env = defs[0].def.environment as Array<{ name: string; value: unknown }>;
    expect(env.find((e) => e.name === "DYNAMODB_TABLE_NAME")!.value).toBe(UNKNOWN);
    expect(defs[0].def.image).toMatch(/^\$\{aws_ecr_repository\..+\.repository_url\}@\$\{jsondecode\(/);
  });

  test("parses HCL literals and gives up on expressions without throwing", () => {
    expect(parseHclLiteral('[{"a" = 1, b = true, "c" = null, "d" = "x${var.y}", "e" = [for x in var.l : x], "f" = var.z ? 1 : 2}]')).toEqual([
      { a: 1, b: true, c: null, d: "x${var.y}", e: UNKNOWN, f: UNKNOWN },
    ]);
    expect(parseHclLiteral('{"s" = "say \\"hi\\" $${literal}"}')).toEqual({ s: 'say "hi" $${literal}' });
    expect(parseHclLiteral("concat(var.a, [1])")).toBe(UNKNOWN);
    expect(parseHclLiteral('{"a" = "unterminated')).toBe(UNKNOWN);
    expect(decodeJsonDocument('{"Version":"2012-10-17"}')).toEqual({ Version: "2012-10-17" });
    expect(decodeJsonDocument("${data.aws_iam_policy_document.x.json}")).toBe(UNKNOWN);
    expect(decodeJsonDocument('${jsonencode({"a" = [1, 2]})}')).toEqual({ a: [1, 2] });
    expect(decodeJsonDocument("${jsonencode(local.defs)}")).toBe(UNKNOWN);
  });

  test("treats for_each, count and variables as 'cannot tell' and reports nothing for them", () => {
    const stack = newStack();
    const v = (name: string, type: string) => new TerraformVariable(stack, name, { type });
    const each = TerraformIterator.fromMap(v("routes", "map(any)").value);
    new Apigatewayv2Integration(stack, "integration", {
      forEach: each,
      apiId: "abc123",
      integrationType: each.getString("type"),
      connectionId: each.getString("link"),
    });
    new Lb(stack, "lb", {
      forEach: each,
      internal: v("internal", "bool").booleanValue,
      loadBalancerType: each.getString("kind"),
      enableCrossZoneLoadBalancing: each.getBoolean("cross_zone"),
      enableDeletionProtection: v("protect", "bool").booleanValue,
    });
    new SecurityGroup(stack, "group", { description: each.getString("description"), ingress: Token.asAny(Fn.lookup(each.value, "rules")) });
    new CloudwatchLogGroup(stack, "logs", { forEach: each, name: each.key, retentionInDays: each.getNumber("days") });
    new EcsTaskDefinition(stack, "task", { family: "x", containerDefinitions: Fn.jsonencode(v("containers", "any").value) });
    const options: GuardrailsOptions = { production: true, requireLbAccessLogs: false };
    const report = Guardrails.evaluate(stack, options);
    expect(report.violations.filter((x) => x.severity !== "info").map((x) => x.message)).toEqual([]);
  });
});

/**
 * Every stack the project ships passes the pack with zero errors, in every
 * variant users pick (defaults, production, emulator, ADOT with alarms, a
 * backend that writes to its root file system).
 */
describe("shipped stacks", () => {
  const variants: Array<[string, unknown, GuardrailsOptions]> = [
    ["defaults", {}, {}],
    ["production", { environment: "production" }, { production: true }],
    ["emulator", { target: { kind: "emulator" } }, {}],
    ["ADOT tracing and alarms", { chat: { backend: { tracing: "adot" }, alarms: { enabled: true } } }, {}],
    ["writable root file system", { chat: { backend: { readonlyRootFilesystem: false } } }, {}],
  ];

  describe.each(variants)("%s", (name, overrides, options) => {
    let built: ProjectStacks | undefined;
    const stacks = () => (built ??= buildApp(settingsWith(overrides), path.join(os.tmpdir(), `guardrails-${name.replace(/\W+/g, "-")}`)));
    for (const id of ["nlb", "alb", "chat"] as const) {
      test(`${id} synthesizes with zero rule errors`, () => {
        const stack = stacks()[id];
        Guardrails.apply(stack, options);
        expect(Guardrails.evaluate(stack, options).errors.map((v) => v.message)).toEqual([]);
        expect(() => Testing.synth(stack, true)).not.toThrow();
      });
    }
  });

  test("the emulator's dummy provider keys are suppressed with a reason, which the synth echoes", () => {
    const stack = buildApp(settingsWith({ target: { kind: "emulator" } }), path.join(os.tmpdir(), "guardrails-emulator-known")).chat;
    const report = Guardrails.evaluate(stack);
    expect(report.errors).toEqual([]);
    expect(report.suppressions).toEqual([
      expect.objectContaining({ ruleId: "WSG-SEC-002", reason: expect.stringMatching(/emulator's fixed dummy credentials/) }),
    ]);
  });
});
