import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { Testing } from "cdktf";
import * as os from "os";
import * as path from "path";
import { Guardrails, GuardrailsOptions, RULES } from "../../constructs/guardrails";
import { addressInScope, formatAddress, parseAddress } from "../../constructs/guardrails/address";
import { readTerraformJson } from "../../constructs/guardrails/config-model";
import { evaluateUnits } from "../../constructs/guardrails/engine";
import { readPlan } from "../../constructs/guardrails/plan-model";
import { toSarif } from "../../constructs/guardrails/sarif";
import { FileSuppression, readSuppressionFile, suppressionsInForce } from "../../constructs/guardrails/suppression-file";
import { GuardrailsReport, StackModel } from "../../constructs/guardrails/types";
import { buildApp } from "../../stacks/app";
import { settingsWith } from "../helpers";
// The OASIS SARIF 2.1.0 schema (rtm.5, draft-04) as @microsoft/jest-sarif ships it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SARIF_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

/** Runs the pack over units of blocks with a suppression file's entries, as `npm run guardrails` does. */
function run(
  units: ReadonlyArray<{ label: string; model: StackModel }>,
  suppressions: FileSuppression[] = [],
  options: GuardrailsOptions = {},
): GuardrailsReport {
  return evaluateUnits(
    {
      units: units.map((u) => ({ ...u, suppressionsOf: suppressionsInForce(u.model.blocks, suppressions) })),
      suppressions,
      howToAccept: (ruleId, block) => `To accept it, add ${ruleId} at ${block.path} to the suppression file.`,
    },
    options,
  );
}
const found = (report: GuardrailsReport) => report.violations.map((v) => `${v.ruleId} ${v.path}`).sort();

/** A plan as `terraform show -json` writes it, with the given resource changes and configuration. */
function plan(changes: object[], config: object = {}, extra: object = {}): object {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: {} },
    resource_changes: changes,
    configuration: { root_module: config },
    ...extra,
  };
}
const change = (address: string, type: string, name: string, after: object, unknown: object = {}, more: object = {}) => ({
  address,
  mode: "managed",
  type,
  name,
  change: { actions: ["create"], before: null, after, after_unknown: unknown, after_sensitive: {} },
  ...more,
});

describe("Terraform addresses", () => {
  test("splits modules, resources, data sources and providers, keys included", () => {
    expect(parseAddress('module.ws["a.b"].module.inner[0].aws_lb.x[1]')).toEqual([
      { name: "module.ws", key: '["a.b"]' },
      { name: "module.inner", key: "[0]" },
      { name: "aws_lb.x", key: "[1]" },
    ]);
    expect(parseAddress("data.aws_iam_policy_document.doc")).toEqual([{ name: "data.aws_iam_policy_document.doc", key: undefined }]);
    expect(parseAddress("module.ws.provider.aws.eu")).toEqual([{ name: "module.ws" }, { name: "provider.aws.eu" }].map((s) => ({ key: undefined, ...s })));
    expect(formatAddress(parseAddress('module.ws["a"].aws_lb.x') as never)).toBe('module.ws["a"].aws_lb.x');
  });

  test("a module or a resource without its key covers every instance; with a key, that instance only", () => {
    const address = parseAddress('module.ws["a"].aws_lb.x[0]') as never;
    const covers = (scope: string) => addressInScope(address, parseAddress(scope) as never);
    expect(["module.ws", 'module.ws["a"]', "module.ws.aws_lb.x", 'module.ws["a"].aws_lb.x[0]'].map(covers)).toEqual([true, true, true, true]);
    expect(['module.ws["b"]', "aws_lb.x", "module.ws.aws_lb.x[1]", "module.other"].map(covers)).toEqual([false, false, false, false]);
  });

  test("fails when an address is malformed, and says where", () => {
    expect(parseAddress("module.")).toBe("it ends with a dot");
    expect(parseAddress('aws_lb.x["a')).toBe("unterminated instance key at character 9");
    expect(parseAddress("module")).toMatch(/ends inside a module segment/);
    expect(parseAddress("aws_lb[0].x")).toMatch(/an instance key belongs after the name/);
  });
});

describe("the suppression file", () => {
  test("reads entries: rule, address (a resource or a module) and reason", () => {
    const [s] = readSuppressionFile({ suppressions: [{ rule: "WSG-LB-001", address: "module.ws.aws_lb.x", reason: " the demo's public NLB " }] }, "s.json");
    expect(s).toEqual(expect.objectContaining({ ruleId: "WSG-LB-001", path: "module.ws.aws_lb.x", reason: "the demo's public NLB" }));
  });

  test("fails when the file or an entry is wrong, listing every problem", () => {
    expect(() => readSuppressionFile([], "s.json")).toThrow('s.json must be a JSON object with a "suppressions" list, got a list');
    expect(() =>
      readSuppressionFile(
        {
          suppressions: [
            { rule: "WSG-LB-009", address: "aws_lb.x", reason: "r" },
            { rule: "WSG-LB-001", address: "aws_lb.", reason: "r" },
            { rule: "WSG-LB-001", address: "aws_lb.x", reason: " " },
            { rule: "WSG-LB-001", address: "aws_lb.x", reason: "r", why: "typo" },
            "WSG-LB-001",
          ],
        },
        "s.json",
      ),
    ).toThrow(
      new RegExp(
        [
          "^s\\.json has 5 problems:",
          '  - s\\.json suppressions\\[0\\]\\.rule must be one of WSG-APIGW-001, .*, got "WSG-LB-009": check the id in docs/guardrails\\.md',
          '  - s\\.json suppressions\\[1\\]\\.address must be a Terraform address .*, got "aws_lb\\." \\(it ends with a dot\\): copy it from the finding',
          '  - s\\.json suppressions\\[2\\]\\.reason must be a non-empty explanation, got " ": say why the rule does not apply there',
          '  - s\\.json suppressions\\[3\\] must have only the keys rule, address, reason, got "why": remove or rename them',
          '  - s\\.json suppressions\\[4\\] must be an object with rule, address and reason, got "WSG-LB-001"',
        ].join(".*\\n"),
      ),
    );
  });
});

describe("reading a plan", () => {
  const STAGE = { api_id: { references: ["aws_apigatewayv2_api.api.id", "aws_apigatewayv2_api.api"] }, name: { constant_value: "prod" } };

  test("keeps references as expressions, so rules link resources inside a module instance as in a stack", () => {
    const p = plan(
      [
        change(
          'module.ws["a"].aws_apigatewayv2_api.api',
          "aws_apigatewayv2_api",
          "api",
          { protocol_type: "WEBSOCKET", name: "a" },
          { id: true },
          { module_address: 'module.ws["a"]' },
        ),
        change(
          'module.ws["a"].aws_apigatewayv2_integration.i',
          "aws_apigatewayv2_integration",
          "i",
          { integration_type: "HTTP", connection_type: "VPC_LINK" },
          { api_id: true },
          { module_address: 'module.ws["a"]' },
        ),
        change(
          'module.ws["a"].aws_apigatewayv2_integration_response.r',
          "aws_apigatewayv2_integration_response",
          "r",
          { integration_response_key: "$default" },
          { api_id: true, integration_id: true },
          { module_address: 'module.ws["a"]' },
        ),
      ],
      {
        module_calls: {
          ws: {
            module: {
              resources: [
                {
                  address: "aws_apigatewayv2_api.api",
                  mode: "managed",
                  type: "aws_apigatewayv2_api",
                  name: "api",
                  expressions: { protocol_type: { constant_value: "WEBSOCKET" }, name: { references: ["var.name"] } },
                },
                {
                  address: "aws_apigatewayv2_integration.i",
                  mode: "managed",
                  type: "aws_apigatewayv2_integration",
                  name: "i",
                  expressions: { ...STAGE, integration_type: { constant_value: "HTTP" }, connection_type: { constant_value: "VPC_LINK" } },
                },
                {
                  address: "aws_apigatewayv2_integration_response.r",
                  mode: "managed",
                  type: "aws_apigatewayv2_integration_response",
                  name: "r",
                  expressions: {
                    ...STAGE,
                    integration_response_key: { constant_value: "$default" },
                    integration_id: { references: ["aws_apigatewayv2_integration.i.id", "aws_apigatewayv2_integration.i"] },
                  },
                },
              ],
            },
          },
        },
      },
    );
    const model = readPlan(p);
    expect(model.units.map((u) => u.label)).toEqual(["the root module", 'module.ws["a"]']);
    const response = model.blocks.find((b) => b.type === "aws_apigatewayv2_integration_response")!;
    expect([response.address, response.path, response.config.integration_id]).toEqual([
      "aws_apigatewayv2_integration_response.r",
      'module.ws["a"].aws_apigatewayv2_integration_response.r',
      "${aws_apigatewayv2_integration.i.id, aws_apigatewayv2_integration.i}",
    ]);
    // WSG-WS-004 finds the $default response of the HTTP integration: nothing to report.
    expect(found(run(model.units)).filter((f) => f.startsWith("WSG-WS-004"))).toEqual([]);
  });

  test("reads values from variables as planned, treats unwritten arguments as unset and reads dynamic blocks expanded", () => {
    const p = plan(
      [
        change("aws_lb.nlb", "aws_lb", "nlb", { load_balancer_type: "network", internal: false, enable_cross_zone_load_balancing: true, name: "x" }),
        change("aws_security_group.sg", "aws_security_group", "sg", { name: "sg", description: "Managed by Terraform", ingress: [] }),
        change("aws_apigatewayv2_stage.s", "aws_apigatewayv2_stage", "s", {
          name: "prod",
          default_route_settings: [{ throttling_burst_limit: 10, throttling_rate_limit: 5, data_trace_enabled: false }],
          route_settings: [{ route_key: "move", throttling_burst_limit: 0, throttling_rate_limit: 0 }],
          access_log_settings: [{ destination_arn: "arn:aws:logs:us-east-1:1:log-group:x", format: '{"a":"$context.requestId"}' }],
        }),
      ],
      {
        resources: [
          {
            address: "aws_lb.nlb",
            mode: "managed",
            type: "aws_lb",
            name: "nlb",
            expressions: {
              load_balancer_type: { constant_value: "network" },
              internal: { references: ["var.internal"] },
              enable_cross_zone_load_balancing: { constant_value: true },
            },
          },
          { address: "aws_security_group.sg", mode: "managed", type: "aws_security_group", name: "sg", expressions: { name: { constant_value: "sg" } } },
          {
            address: "aws_apigatewayv2_stage.s",
            mode: "managed",
            type: "aws_apigatewayv2_stage",
            name: "s",
            expressions: {
              name: { constant_value: "prod" },
              default_route_settings: [{ throttling_burst_limit: { references: ["var.burst"] }, throttling_rate_limit: { constant_value: 5 } }],
            },
          },
        ],
        variables: { internal: { default: true }, burst: { default: 10 } },
      },
    );
    const report = run(readPlan(p).units);
    // internal comes from a variable: its planned value (false) is read; the security group's description
    // is the provider's default, not written: unset; the route_settings entry from a dynamic block is read.
    expect(found(report)).toEqual([
      "WSG-LB-001 aws_lb.nlb",
      "WSG-SG-001 aws_security_group.sg",
      "WSG-WS-003 aws_apigatewayv2_stage.s",
      "WSG-WS-003 aws_apigatewayv2_stage.s",
    ]);
  });

  test("keeps a sensitive value that came through a reference as the reference; flags a sensitive literal", () => {
    const p = plan(
      [change("aws_amplify_app.a", "aws_amplify_app", "a", { name: "a", access_token: "ghp_secret_from_a_variable", oauth_token: "a-literal-token" }, {}, {})],
      {
        resources: [
          {
            address: "aws_amplify_app.a",
            mode: "managed",
            type: "aws_amplify_app",
            name: "a",
            expressions: { name: { constant_value: "a" }, access_token: { references: ["var.token"] }, oauth_token: { constant_value: "a-literal-token" } },
          },
        ],
        variables: { token: { sensitive: true } },
      },
    );
    (p as any).resource_changes[0].change.after_sensitive = { access_token: true, oauth_token: true };
    const model = readPlan(p);
    expect(model.blocks.find((b) => b.type === "aws_amplify_app")!.config.access_token).toBe("${var.token}");
    expect(found(run(model.units))).toEqual(["WSG-SEC-003 aws_amplify_app.a"]);
  });

  test("reads data sources read at plan time from prior_state, and leaves out what the plan deletes", () => {
    const doc = { statement: [{ effect: "Allow", actions: ["s3:*"], resources: ["*"], not_actions: [], not_principals: [], principals: [], sid: "" }] };
    const p = plan(
      [{ ...change("aws_ecr_repository.old", "aws_ecr_repository", "old", {}), change: { actions: ["delete"], before: {}, after: null } }],
      {
        resources: [
          {
            address: "data.aws_iam_policy_document.d",
            mode: "data",
            type: "aws_iam_policy_document",
            name: "d",
            expressions: { statement: [{ effect: { constant_value: "Allow" }, actions: { constant_value: ["s3:*"] }, resources: { constant_value: ["*"] } }] },
          },
        ],
      },
      {
        prior_state: {
          values: {
            root_module: { resources: [{ address: "data.aws_iam_policy_document.d", mode: "data", type: "aws_iam_policy_document", name: "d", values: doc }] },
          },
        },
      },
    );
    expect(found(run(readPlan(p).units))).toEqual(["WSG-IAM-001 data.aws_iam_policy_document.d", "WSG-IAM-002 data.aws_iam_policy_document.d"]);
  });

  test("reads an unknown value as an expression: cannot tell, nothing reported", () => {
    const p = plan([change("aws_lb.nlb", "aws_lb", "nlb", { load_balancer_type: "network", enable_cross_zone_load_balancing: true }, { internal: true })], {
      resources: [
        {
          address: "aws_lb.nlb",
          mode: "managed",
          type: "aws_lb",
          name: "nlb",
          expressions: {
            load_balancer_type: { constant_value: "network" },
            enable_cross_zone_load_balancing: { constant_value: true },
            internal: { references: ["aws_ssm_parameter.p.value", "aws_ssm_parameter.p"] },
          },
        },
      ],
    });
    const lb = readPlan(p).blocks.find((b) => b.type === "aws_lb")!;
    expect(lb.config.internal).toBe("${aws_ssm_parameter.p.value, aws_ssm_parameter.p}");
    expect(found(run(readPlan(p).units))).toEqual([]);
  });

  test("fails when the input is not a plan, saying what it is", () => {
    expect(() => readPlan({ format_version: "1.0", values: {} })).toThrow(
      /got state \(terraform show -json without a plan file\): run terraform plan -out plan.bin/,
    );
    expect(() => readPlan({ resource: {} })).toThrow(/got Terraform JSON configuration \(give its folder instead\)/);
  });
});

describe("Terraform JSON files", () => {
  const main = {
    resource: {
      aws_cloudwatch_log_group: { logs: { name: "/x", retention_in_days: 30 } },
      aws_lb: { lb: { internal: true, load_balancer_type: "network", enable_cross_zone_load_balancing: true } },
    },
    variable: { db_password: { default: "hunter2hunter2" } },
  };

  test("read as the synth's blocks, with override files merged the way Terraform merges them", () => {
    const model = readTerraformJson([
      { name: "main.tf.json", json: main },
      { name: "nlb_override.tf.json", json: { resource: { aws_lb: { lb: { internal: false } } } } },
    ]);
    expect(model.byAddress("aws_lb.lb")!.config).toEqual({ internal: false, load_balancer_type: "network", enable_cross_zone_load_balancing: true });
    expect(found(run([{ label: "x", model }]))).toEqual(["WSG-LB-001 aws_lb.lb", "WSG-LOGS-002 aws_cloudwatch_log_group.logs", "WSG-SEC-002 var.db_password"]);
  });

  test("fails when an override names a block no other file declares", () => {
    expect(() => readTerraformJson([{ name: "x_override.tf.json", json: { resource: { aws_lb: { nope: {} } } } }])).toThrow(
      'x_override.tf.json overrides aws_lb.nope, which no other file of the folder declares: Terraform rejects that too ("Missing base ... to override")',
    );
  });

  test("suppressions name addresses, and report what they silence and when they are stale", () => {
    const model = readTerraformJson([{ name: "main.tf.json", json: main }]);
    const suppressions = readSuppressionFile(
      {
        suppressions: [
          { rule: "WSG-SEC-002", address: "var.db_password", reason: "a test fixture's throwaway password" },
          { rule: "WSG-LB-001", address: "aws_lb.lb", reason: "was public once" },
        ],
      },
      "s.json",
    );
    const report = run([{ label: "x", model }], suppressions);
    expect(found(report)).toEqual(["WSG-LOGS-002 aws_cloudwatch_log_group.logs"]);
    expect(report.suppressions.map((s) => s.message)).toEqual([
      'WSG-SEC-002 suppressed at var.db_password: "a test fixture\'s throwaway password" (silences var.db_password)',
      'WSG-LB-001 suppressed at aws_lb.lb: "was public once" (nothing to silence here: remove the suppression if it is stale)',
    ]);
  });

  test.each(["nlb", "alb", "chat"] as const)("the synthesized %s stack reads to the same findings as the synth's own model", (id) => {
    const stack = buildApp(settingsWith({}), path.join(os.tmpdir(), `guardrails-parity-${id}`))[id];
    const synth = Guardrails.evaluate(stack);
    const model = readTerraformJson([{ name: "cdk.tf.json", json: JSON.parse(Testing.synth(stack)) }]);
    const fromJson = run([{ label: id, model }]);
    const key = (r: GuardrailsReport) => r.violations.map((v) => `${v.ruleId} ${v.severity} ${v.address} ${v.setting}`).sort();
    expect(key(fromJson)).toEqual(key(synth));
    expect(model.blocks.length).toBeGreaterThan(10);
  });
});

describe("SARIF", () => {
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(SARIF_SCHEMA);

  test("the log validates against the SARIF 2.1.0 schema, with a result per finding and the suppressed ones marked", () => {
    const model = readTerraformJson([
      {
        name: "main.tf.json",
        json: {
          resource: { aws_lb: { lb: { load_balancer_type: "network" } }, aws_ecr_repository: { r: { name: "r" } } },
          variable: { api_token: { default: "abc" } },
        },
      },
    ]);
    const suppressions = readSuppressionFile(
      { suppressions: [{ rule: "WSG-ECR-001", address: "aws_ecr_repository.r", reason: "tags are rewritten by design" }] },
      "s.json",
    );
    const options = { production: true };
    const report = run([{ label: "x", model }], suppressions, options);
    const log = toSarif({ report, rules: RULES, options, artifactUri: "infra/main.tf.json", version: "2.0.0" });
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const results = log.runs[0].results!;
    expect(results.map((r) => `${r.ruleId} ${r.level}${r.suppressions ? " suppressed" : ""}`).sort()).toEqual([
      "WSG-ECR-001 error suppressed",
      "WSG-LB-001 error",
      "WSG-LB-002 error",
      "WSG-LB-003 error",
      "WSG-SEC-002 error",
    ]);
    expect(results.find((r) => r.suppressions)!.suppressions).toEqual([
      { kind: "external", status: "accepted", justification: "tags are rewritten by design" },
    ]);
    expect(log.runs[0].tool.driver.rules!.map((r) => r.id)).toContain("WSG-LB-002");
    expect(log.runs[0].tool.driver.rules!.map((r) => r.id)).not.toContain("WSG-LB-004");
    expect(results[0].locations![0].logicalLocations![0]).toEqual(expect.objectContaining({ kind: "resource" }));
  });

  test("fails validation when the log is not SARIF 2.1.0 (the schema check can fail)", () => {
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, level: "fatal" }] }] })).toBe(false);
    expect(validate({ version: "2.0.0", runs: [] })).toBe(false);
  });

  test("in-source suppressions (Guardrails.suppress) are marked inSource", () => {
    const report: GuardrailsReport = {
      violations: [],
      errors: [],
      warnings: [],
      elapsedMs: 0,
      suppressions: [
        {
          ruleId: "WSG-LB-001",
          reason: "r",
          path: "s/lb",
          construct: {} as never,
          silenced: [{ ruleId: "WSG-LB-001", checkov: [], severity: "error", path: "s/lb", address: "aws_lb.x", setting: "internal", fix: "f", message: "m" }],
          message: "m",
        },
      ],
    };
    expect(toSarif({ report, rules: RULES, options: {}, artifactUri: "cdk.tf.json", version: "1" }).runs[0].results![0].suppressions![0].kind).toBe("inSource");
  });
});
