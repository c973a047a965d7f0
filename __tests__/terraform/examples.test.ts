import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { copyExample, describeWith, removeWorkdir, terraform, terraformAsync, terraformJsonAsync, workdir, writeJson } from "../support/terraform";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SARIF_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

/**
 * The HCL examples, each copied as a user takes it and planned once
 * offline, with insecure variants of two: every example passes `terraform
 * validate` with the committed module in place, the two seed examples plan
 * for a fresh account (no stage logging, no account setting), and
 * `npm run guardrails` reads the plans (issue 20): each
 * example as written is clean (its guardrails-suppressions.json accepts
 * the stage's missing access logs, with the reason), and each insecure
 * variant the rule tests use (__tests__/constructs/guardrails-rules.test.ts),
 * applied to an example as override files and added files (the module
 * copied beside the root, so that its resources can be overridden too), is
 * reported with its rule id at its address. Plans are offline (no AWS
 * account: dummy credentials, no data source calls AWS) and run in parallel.
 */

const MINUTES = 60_000;
/** Credentials for offline plans, given as the environment (the examples' provider blocks stay as written). */
const OFFLINE_ENV = { AWS_ACCESS_KEY_ID: "offline-plan", AWS_SECRET_ACCESS_KEY: "offline-plan", AWS_EC2_METADATA_DISABLED: "true" };
const SKIP = { skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: "true" };
const ENVIRONMENTS = {
  a: { vpc_id: "vpc-0123456789abcdef0", subnet_ids: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], security_group_ids: ["sg-0123456789abcdef0"] },
  b: { vpc_id: "vpc-0fedcba9876543210", subnet_ids: ["subnet-0123456789abcdef1"], security_group_ids: ["sg-0123456789abcdef1"] },
};
const DOMAIN_VARS = {
  domain_name: "game.example.com",
  hosted_zone_id: "Z0123456789ABCDEFGHIJ",
  authorizer_function_arn: "arn:aws:lambda:us-east-1:123456789012:function:game-authorizer",
};

/** The module's resources of a type, by name (its committed main.tf.json), to override them by name. */
function moduleResources(module: string, type: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "modules", module, "main.tf.json"), "utf8")).resource[type];
}
const moduleNames = (module: string, type: string): string[] => Object.keys(moduleResources(module, type));

/**
 * Copies an example into `dir` (support/terraform.ts's copyExample: every file,
 * the module in place or copied into `dir/module`), plus the offline provider
 * override: the `skip_*` flags on each of its AWS provider blocks.
 */
function copyOfflineExample(example: string, dir: string, copyModule: boolean): string {
  const module = copyExample(example, dir, { copyModule });
  const main = fs.readFileSync(path.join(dir, "main.tf"), "utf8");
  const aliases = [...main.matchAll(/alias\s*=\s*"(\w+)"/g)].map((m) => m[1]);
  const hasDefault = /provider "aws" \{\n(?!\s*alias)/.test(main);
  writeJson(path.join(dir, "offline_override.tf.json"), {
    provider: { aws: [...(hasDefault ? [SKIP] : []), ...aliases.map((alias) => ({ alias, ...SKIP }))] },
  });
  return module;
}

/** One plan: an example, optionally changed, with the variables it needs. */
interface Variant {
  readonly example: string;
  readonly copyModule: boolean;
  readonly vars?: Record<string, unknown>;
  /** Writes the variant's files into the root folder. */
  readonly change?: (dir: string, module: string) => void;
}

/** The NLB example with one insecure setting per rule, each on its own resource. */
function insecureNlb(dir: string, module: string): void {
  const name = (type: string, match: RegExp) => moduleNames(module, type).find((n) => match.test(n))!;
  // The module's own resources, overridden in its copied folder.
  writeJson(path.join(dir, "module", "insecure_override.tf.json"), {
    resource: {
      aws_apigatewayv2_stage: {
        [name("aws_apigatewayv2_stage", /stage/)]: {
          default_route_settings: { data_trace_enabled: true, logging_level: "INFO" }, // no throttling: WSG-APIGW-002; data trace: WSG-APIGW-003
          route_settings: [{ route_key: "joinGame", logging_level: "OFF" }], // no limits: WSG-WS-003
        },
      },
      aws_cloudwatch_log_group: { [name("aws_cloudwatch_log_group", /AccessLogs/)]: { retention_in_days: 0 } }, // WSG-LOGS-001
      aws_lb: { [name("aws_lb", /private-link/)]: { enable_cross_zone_load_balancing: false } }, // WSG-LB-003
      aws_apigatewayv2_integration: {
        [name("aws_apigatewayv2_integration", /route-connect/)]: {
          connection_type: "INTERNET",
          connection_id: null,
          integration_uri: "http://backend.example.com/connect",
        }, // WSG-WS-005
        [name("aws_apigatewayv2_integration", /route-default/)]: { integration_type: "HTTP" }, // no $default integration response: WSG-WS-004
        [name("aws_apigatewayv2_integration", /route-disconnect/)]: { connection_id: "${aws_apigatewayv2_vpc_link.insecure.id}" }, // WSG-WS-002
      },
    },
  });
  // A v2 VPC link beside the WebSocket API: WSG-WS-001.
  writeJson(path.join(dir, "module", "insecure.tf.json"), {
    resource: { aws_apigatewayv2_vpc_link: { insecure: { name: "insecure", subnet_ids: "${var.vpc_link_subnet_ids}", security_group_ids: [] } } },
  });
  // The root's resources and module call.
  writeJson(path.join(dir, "insecure_override.tf.json"), {
    module: { websocket_api: { nlb_internal: false, api_gateway_account_role: "existing" } }, // WSG-LB-001
    resource: {
      aws_ecs_cluster: { main: { setting: { name: "containerInsights", value: "disabled" } } }, // WSG-ECS-005
      aws_ecs_task_definition: {
        backend: {
          container_definitions: JSON.stringify([{ name: "backend", image: "nginx:1.27", essential: true, readonlyRootFilesystem: false, privileged: true }]), // WSG-ECS-001, -002
          execution_role_arn: "arn:aws:iam::123456789012:role/shared",
          task_role_arn: "arn:aws:iam::123456789012:role/shared", // WSG-ECS-003
        },
      },
      aws_ecs_service: {
        backend: {
          network_configuration: {
            subnets: "${local.vpc.private_subnet_ids}",
            security_groups: ["${aws_security_group.fargate_sg.id}"],
            assign_public_ip: true,
          }, // WSG-ECS-004
          deployment_circuit_breaker: { enable: false, rollback: false }, // WSG-ECS-006
        },
      },
      aws_security_group_rule: { allow_vpc_link: { description: "", cidr_blocks: ["0.0.0.0/0"], source_security_group_id: null } }, // WSG-SG-001, -002
      aws_vpc: { main: { tags: { Name: "turtle-battleships", Token: `ghp_${"a1B2".repeat(9)}` } } }, // WSG-SEC-001
    },
  });
  // Resources the example does not have, added beside it.
  writeJson(path.join(dir, "insecure.tf.json"), {
    variable: { db_password: { type: "string", default: "hunter2hunter2" } }, // WSG-SEC-002
    data: { aws_iam_policy_document: { wild: { statement: [{ actions: ["s3:*"], resources: ["*"] }] } } }, // WSG-IAM-001, -002
    resource: {
      aws_ecr_repository: { images: { name: "images" } }, // WSG-ECR-001
      aws_dynamodb_table: { t: { name: "t", billing_mode: "PAY_PER_REQUEST", hash_key: "id", attribute: [{ name: "id", type: "S" }] } }, // WSG-DDB-001, -002
      aws_iam_role_policy: {
        wild: { role: "app", policy: "${data.aws_iam_policy_document.wild.json}" },
        admin: { role: "app", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }, // WSG-IAM-003
      },
      aws_amplify_app: { site: { name: "site", access_token: "literal-token-value" } }, // WSG-SEC-003
    },
  });
}

/** The custom domain example with a domain that admits TLS 1.0: WSG-APIGW-004. */
function insecureDomain(dir: string, module: string): void {
  const [name] = moduleNames(module, "aws_apigatewayv2_domain_name");
  const configuration = { ...moduleResources(module, "aws_apigatewayv2_domain_name")[name].domain_name_configuration, security_policy: "TLS_1_0" };
  writeJson(path.join(dir, "module", "insecure_override.tf.json"), {
    resource: { aws_apigatewayv2_domain_name: { [name]: { domain_name_configuration: configuration } } },
  });
}

const VARIANTS: Record<string, Variant> = {
  "websocket-nlb": { example: "websocket-nlb", copyModule: false },
  "websocket-alb": { example: "websocket-alb", copyModule: false },
  "websocket-nlb-for-each": { example: "websocket-nlb-for-each", copyModule: false, vars: { environments: ENVIRONMENTS } },
  "websocket-nlb-custom-domain": { example: "websocket-nlb-custom-domain", copyModule: false, vars: DOMAIN_VARS },
  "insecure-nlb": { example: "websocket-nlb", copyModule: true, change: insecureNlb },
  "insecure-domain": { example: "websocket-nlb-custom-domain", copyModule: true, vars: DOMAIN_VARS, change: insecureDomain },
};

/** Runs `npm run guardrails` as a user runs it (npm, from the plan's folder); each command line once. */
const RUNS = new Map<string, { status: number; output: string }>();
function guardrails(cwd: string, args: string[]): { status: number; output: string } {
  const key = JSON.stringify([cwd, args]);
  if (!RUNS.has(key)) RUNS.set(key, runGuardrails(cwd, args));
  return RUNS.get(key)!;
}
function runGuardrails(cwd: string, args: string[]): { status: number; output: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/guardrails.ts", ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, INIT_CWD: cwd },
    encoding: "utf8",
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describeWith(["terraform"])("the HCL examples, each planned once offline", () => {
  const dirs: Record<string, string> = {};
  /** What each plan printed (its warnings). */
  const printed: Record<string, string> = {};

  beforeAll(async () => {
    for (const [id, v] of Object.entries(VARIANTS)) {
      const dir = (dirs[id] = workdir(`guardrails-${id}`));
      const module = copyOfflineExample(v.example, dir, v.copyModule);
      if (v.vars) writeJson(path.join(dir, "terraform.tfvars.json"), v.vars);
      v.change?.(dir, module);
      // One init at a time: the shared plugin cache is not safe for concurrent installs.
      terraform(dir, ["init", "-input=false", "-backend=false"], OFFLINE_ENV);
    }
    await Promise.all(
      Object.entries(dirs).map(async ([id, dir]) => {
        printed[id] = await terraformAsync(dir, ["plan", "-input=false", "-lock=false", "-out=plan.bin"], OFFLINE_ENV);
        writeJson(path.join(dir, "plan.json"), await terraformJsonAsync(dir, ["show", "-json", "plan.bin"], OFFLINE_ENV));
      }),
    );
  }, 15 * MINUTES);

  afterAll(() => Object.values(dirs).forEach(removeWorkdir));

  describe("HCL examples consume the committed modules", () => {
    // The examples as written (VARIANTS without changes): copied as a user takes them, the module source pointed at
    // the committed modules/<name>, with credentials that need no AWS account (offline_override.tf.json sets only the
    // provider's skip_* flags, terraform.tfvars.json the variables a plan needs).
    test.each(["websocket-nlb", "websocket-alb", "websocket-nlb-for-each", "websocket-nlb-custom-domain"])(
      "examples/%s passes terraform init and validate (the plan's first walk)",
      (example) => {
        // VALIDATED_BY_PLAN: the plan in beforeAll succeeded, so the validate walk it runs first found no error.
        expect(printed[example]).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/m);
      },
    );

    test("the module is used unchanged: its folder is the committed modules/websocket-alb", () => {
      const dir = dirs["websocket-alb"];
      const modules = JSON.parse(fs.readFileSync(path.join(dir, ".terraform", "modules", "modules.json"), "utf8"));
      const ws = modules.Modules.find((m: any) => m.Key === "websocket_api");
      expect(path.resolve(dir, ws.Dir)).toBe(path.join(PROJECT_DIR, "modules", "websocket-alb"));
    });

    // A fresh account's region has no API Gateway CloudWatch role: as written
    // (the seed READMEs' usage), the examples must apply there in one step, so
    // their stages ask for no logs, and nothing sets the account's role.
    test.each(["websocket-nlb", "websocket-alb"])(
      "examples/%s plans for a fresh account: no stage logging, no account setting (and the NLB example's tasks can pull their image)",
      (example) => {
        const output = printed[example];
        const plan = JSON.parse(fs.readFileSync(path.join(dirs[example], "plan.json"), "utf8"));
        const resources = (plan.resource_changes ?? []).filter((r: any) => r.mode === "managed");
        const stage = resources.find((r: any) => r.type === "aws_apigatewayv2_stage").change.after;
        expect(stage.access_log_settings).toEqual([]);
        expect(stage.default_route_settings[0].logging_level).toBe("OFF");
        expect(resources.filter((r: any) => r.type === "aws_api_gateway_account")).toEqual([]);
        if (example === "websocket-alb") {
          expect(output).not.toContain("Check block assertion failed");
          return;
        }
        // the NLB example sets logging_level as the seed does: the plan says what to set for logs
        expect(output.replace(/\s+/g, " ")).toContain('Set api_gateway_account_role = "existing" if the region has one');
        // and its private tasks have a way out for the image pull (NAT gateway, routes, HTTPS egress) and a backend that answers
        const byAddress = Object.fromEntries(resources.map((r: any) => [r.address, r.change.after]));
        expect(byAddress["aws_nat_gateway.main"]).toBeDefined();
        expect(byAddress["aws_route_table.private"].route).toEqual([expect.objectContaining({ cidr_block: "0.0.0.0/0" })]);
        expect(byAddress["aws_route_table_association.private[1]"]).toBeDefined();
        expect(byAddress["aws_security_group_rule.tasks_https_out"]).toMatchObject({
          type: "egress",
          from_port: 443,
          to_port: 443,
          protocol: "tcp",
          cidr_blocks: ["0.0.0.0/0"],
        });
        const [backend] = JSON.parse(byAddress["aws_ecs_task_definition.backend"].container_definitions);
        expect(backend).toMatchObject({
          image: "public.ecr.aws/docker/library/node:22-alpine",
          command: ["node", "-e", expect.stringContaining(".listen(3000)")],
        });
      },
    );
  });

  describe("npm run guardrails on the examples' plans", () => {
    test.each(["websocket-nlb", "websocket-alb", "websocket-nlb-for-each", "websocket-nlb-custom-domain"])(
      "examples/%s as written is clean: no error or warning, the missing access logs accepted with their reason",
      (id) => {
        const r = guardrails(dirs[id], ["plan.json"]);
        expect(r.output).toMatch(/^0 errors, 0 warnings, 1 suppression/m);
        expect(r.output).toMatch(
          /WSG-APIGW-001 suppressed at module\.websocket_api: "As written the stage writes no logs, .*" \(silences module\.websocket_api.*aws_apigatewayv2_stage/,
        );
        expect(r.status).toBe(0);
      },
    );

    test("the for_each example's suppression covers the stage of every instance", () => {
      const r = guardrails(dirs["websocket-nlb-for-each"], ["plan.json"]);
      expect(r.output).toContain('silences module.websocket_api["a"].aws_apigatewayv2_stage.');
      expect(r.output).toContain('module.websocket_api["b"].aws_apigatewayv2_stage.');
    });

    test("without its suppression file an example fails on the stage's missing access logs (WSG-APIGW-001), exit 1 as the synth", () => {
      const dir = dirs["websocket-alb"];
      fs.writeFileSync(path.join(dir, "empty.json"), JSON.stringify({ suppressions: [] }));
      const r = guardrails(dir, ["plan.json", "--suppressions", "empty.json"]);
      expect(r.output).toMatch(
        /^ {2}module\.websocket_api: error: WSG-APIGW-001 error at module\.websocket_api\.aws_apigatewayv2_stage\.\S+ \[aws_apigatewayv2_stage\.\S+\]: access_log_settings must be set/m,
      );
      expect(r.output).toContain('To accept it, add {"rule": "WSG-APIGW-001", "address": "module.websocket_api.aws_apigatewayv2_stage.');
      expect(r.status).toBe(1);
    });

    // Every rule the insecure variants break, where it must be reported (instance address prefixes).
    const EXPECTED: Array<[string, string, string]> = [
      ["insecure-nlb", "WSG-APIGW-002", "module.websocket_api.aws_apigatewayv2_stage."],
      ["insecure-nlb", "WSG-APIGW-003", "module.websocket_api.aws_apigatewayv2_stage."],
      ["insecure-domain", "WSG-APIGW-004", "module.websocket_api.aws_apigatewayv2_domain_name."],
      ["insecure-nlb", "WSG-LOGS-001", "module.websocket_api.aws_cloudwatch_log_group.stage_AccessLogs"],
      ["insecure-nlb", "WSG-ECS-001", "aws_ecs_task_definition.backend"],
      ["insecure-nlb", "WSG-ECS-002", "aws_ecs_task_definition.backend"],
      ["insecure-nlb", "WSG-ECS-003", "aws_ecs_task_definition.backend"],
      ["insecure-nlb", "WSG-ECS-004", "aws_ecs_service.backend"],
      ["insecure-nlb", "WSG-ECS-005", "aws_ecs_cluster.main"],
      ["insecure-nlb", "WSG-ECS-006", "aws_ecs_service.backend"],
      ["insecure-nlb", "WSG-ECR-001", "aws_ecr_repository.images"],
      ["insecure-nlb", "WSG-LB-001", "module.websocket_api.aws_lb."],
      ["insecure-nlb", "WSG-LB-003", "module.websocket_api.aws_lb."],
      ["insecure-nlb", "WSG-IAM-001", "data.aws_iam_policy_document.wild"],
      ["insecure-nlb", "WSG-IAM-002", "data.aws_iam_policy_document.wild"],
      ["insecure-nlb", "WSG-IAM-003", "aws_iam_role_policy.admin"],
      ["insecure-nlb", "WSG-SG-001", "aws_security_group_rule.allow_vpc_link"],
      ["insecure-nlb", "WSG-SG-002", "aws_security_group_rule.allow_vpc_link"],
      ["insecure-nlb", "WSG-DDB-001", "aws_dynamodb_table.t"],
      ["insecure-nlb", "WSG-DDB-002", "aws_dynamodb_table.t"],
      ["insecure-nlb", "WSG-SEC-001", "aws_vpc.main"],
      ["insecure-nlb", "WSG-SEC-002", "var.db_password"],
      ["insecure-nlb", "WSG-SEC-003", "aws_amplify_app.site"],
      ["insecure-nlb", "WSG-WS-001", "module.websocket_api.aws_apigatewayv2_vpc_link.insecure"],
      ["insecure-nlb", "WSG-WS-002", "module.websocket_api.aws_apigatewayv2_integration.api_route-disconnect"],
      ["insecure-nlb", "WSG-WS-003", "module.websocket_api.aws_apigatewayv2_stage."],
      ["insecure-nlb", "WSG-WS-004", "module.websocket_api.aws_apigatewayv2_integration.api_route-default"],
      ["insecure-nlb", "WSG-WS-005", "module.websocket_api.aws_apigatewayv2_integration.api_route-connect"],
    ];

    test.each(EXPECTED)("%s: reports %s at %s", (variant, ruleId, address) => {
      const r = guardrails(dirs[variant], ["plan.json", "--report-info"]);
      const lines = r.output.split("\n").filter((l) => new RegExp(`: (error|warning): ${ruleId} \\w+ at ${address.replace(/[.[\]"]/g, "\\$&")}`).test(l));
      expect([ruleId, lines.length > 0 ? "reported" : r.output]).toEqual([ruleId, "reported"]);
      expect(r.status).toBe(1);
    });

    test("options of the synth: production (WSG-LB-002), load balancer access logs (WSG-LB-004), KMS for logs (WSG-LOGS-002), informational findings (WSG-WS-006)", () => {
      const dir = dirs["websocket-nlb"];
      const strict = guardrails(dir, ["plan.json", "--production", "--require-lb-access-logs", "--require-log-kms"]);
      expect(strict.output).toMatch(/module\.websocket_api: error: WSG-LB-002 error at module\.websocket_api\.aws_lb\./);
      expect(strict.output).toMatch(/module\.websocket_api: warning: WSG-LB-004 warning at module\.websocket_api\.aws_lb\./);
      expect(strict.output).toMatch(/module\.websocket_api: warning: WSG-LOGS-002 warning at module\.websocket_api\.aws_cloudwatch_log_group\./);
      expect(strict.status).toBe(1);
      const info = guardrails(dir, ["plan.json", "--report-info"]);
      expect(info.output).toMatch(/module\.websocket_api: info: WSG-WS-006 info at module\.websocket_api\.aws_apigatewayv2_route\.api_route-connect/);
      expect(info.status).toBe(0);
    });

    test("writes SARIF 2.1.0 of a real plan: valid against the schema, the insecure findings as results", () => {
      const dir = dirs["insecure-nlb"];
      const r = guardrails(dir, ["plan.json", "--sarif", "out/guardrails.sarif"]);
      expect(r.output).toMatch(/SARIF 2\.1\.0 written to out\/guardrails\.sarif \(\d+ results\)/);
      const log = JSON.parse(fs.readFileSync(path.join(dir, "out", "guardrails.sarif"), "utf8"));
      const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
      addFormats(ajv);
      const validate = ajv.compile(SARIF_SCHEMA);
      expect([validate(log), validate.errors ?? []]).toEqual([true, []]);
      const ids = new Set(log.runs[0].results.map((x: any) => x.ruleId));
      for (const [variant, ruleId] of EXPECTED) if (variant === "insecure-nlb") expect([ruleId, ids.has(ruleId)]).toEqual([ruleId, true]);
      expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("plan.json");
    });
  });
});
