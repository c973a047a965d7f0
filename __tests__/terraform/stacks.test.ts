import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  describeWith,
  OFFLINE_PROVIDER,
  MODULE_INPUTS,
  planJson,
  plannedResources as planned,
  removeWorkdir,
  synthInto,
  workdir,
  writeJson,
} from "../support/terraform";

/** Makes a synthesized root stack plannable offline: dummy credentials, state in the folder. */
function offline(dir: string): void {
  writeJson(path.join(dir, "offline_override.tf.json"), {
    provider: { aws: OFFLINE_PROVIDER },
    terraform: { backend: { local: { path: "offline.tfstate" } } },
  });
}

describeWith(["terraform"])("every stack, with the cdktf Testing matchers", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = workdir("matchers");
    // Availability Zones given, so the plan needs no AWS lookup.
    synthInto(outdir, { chat: { network: { availabilityZones: ["us-east-1a", "us-east-1b"] } } });
  });
  afterAll(() => removeWorkdir(outdir));

  // One matcher, not toBeValidTerraform as well: a plan runs terraform validate's walk before planning and fails
  // with its errors (VALIDATED_BY_PLAN in support/terraform.ts), so a second init and validate per stack proved nothing more.
  test("validates and plans offline, each stack as a root module (toPlanSuccessfully)", () => {
    // GIVEN the modules' required inputs, and providers that need no AWS account
    for (const stack of ["websocket-nlb", "websocket-alb"]) {
      const dir = path.join(outdir, "stacks", stack);
      // A module has no provider block to override: a plain file adds one.
      writeJson(path.join(dir, "offline.tf.json"), { provider: { aws: OFFLINE_PROVIDER } });
      writeJson(path.join(dir, "terraform.tfvars.json"), MODULE_INPUTS[stack]);
    }
    // The chat stack keeps its backend (init must not see it change); plan writes no state.
    writeJson(path.join(outdir, "stacks", "chat", "offline_override.tf.json"), { provider: { aws: OFFLINE_PROVIDER } });
    // THEN the matcher runs init and plan in every stack of the manifest
    expect(outdir).toPlanSuccessfully();
  });
});

/** The Lambda authorizer of the edges the default chat plan has on. */
const AUTHORIZER = "arn:aws:lambda:us-east-1:123456789012:function:chat-auth";

describeWith(["terraform"])("terraform validate and plan of every stack", () => {
  let outdir: string;
  /** The chat stack's plan with the defaults and every edge on: planned once, by the first test that reads it. */
  let chatPlan: any;
  function defaultsAndEdgesPlan(): any {
    if (chatPlan) return chatPlan;
    const dir = path.join(outdir, "stacks", "chat");
    offline(dir);
    return (chatPlan = planJson(dir));
  }
  beforeAll(() => {
    outdir = workdir("stacks");
    // Availability Zones given, so the plan needs no AWS lookup. The edges (a custom domain under a
    // mapping key, a Lambda authorizer on $connect, per-route throttling) are on, as in the e2e chat
    // deployment: one plan for the defaults and the edges, which touch none of the defaults asserted
    // below (they were a root of their own, chat-edges: docs/testing.md, "Fourth pass").
    synthInto(outdir, {
      chat: {
        network: { availabilityZones: ["us-east-1a", "us-east-1b"] },
        domain: { name: "chat.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", mappingKey: "chat" },
        api: { authorization: { type: "CUSTOM", functionArn: AUTHORIZER }, routeThrottle: { message: { burstLimit: 20, rateLimit: 10 } } },
      },
    });
  });
  afterAll(() => removeWorkdir(outdir));

  test("chat plans without an AWS account and without any token, with every part of the system", () => {
    // GIVEN the defaults (the frontend built by CodeBuild and published by manual deployment), and the edges
    // WHEN planned with no variable at all
    const plan = defaultsAndEdgesPlan();
    // THEN nothing asks for a GitHub token, and the frontend is built and published during apply
    expect(plan.variables ?? {}).toEqual({});
    expect(planned(plan, "aws_secretsmanager_secret")).toHaveLength(0);
    expect(planned(plan, "aws_amplify_app")[0].values.repository).toBeNull();
    expect(
      planned(plan, "aws_codebuild_project")
        .map((p) => p.values.name)
        .sort(),
    ).toEqual(["chat-dev-backend", "chat-dev-frontend"]);
    const actions = planned(plan, "aws_lambda_invocation").map((i) => JSON.parse(i.values.input ?? "{}").action ?? "(known after apply)");
    expect(actions.filter((a) => a !== "(known after apply)").sort()).toEqual(["build-image"]);
    // the account setting (one CRUD invocation, shared with the region's stacks), and each build a chain of four
    expect(planned(plan, "aws_lambda_invocation")).toHaveLength(9);
    expect(planned(plan, "aws_lambda_invocation").filter((i) => i.values.lifecycle_scope === "CRUD")).toHaveLength(1);
    expect(planned(plan, "aws_api_gateway_account")).toHaveLength(0);
    // the table advertises no TTL
    expect(planned(plan, "aws_dynamodb_table")[0].values.ttl ?? []).toEqual([]);
    expect(planned(plan, "aws_apigatewayv2_vpc_link")).toHaveLength(0);
    const link = planned(plan, "aws_api_gateway_vpc_link");
    expect(link).toHaveLength(1);
    const integrations = planned(plan, "aws_apigatewayv2_integration");
    const http = integrations.filter((i) => i.values.integration_type === "HTTP");
    expect(http.map((i) => i.values.integration_uri).sort()).toEqual(
      ["connect", "disconnect", "message", "online", "username"].map((p) => `http://\${stageVariables.backendHost}/${p}`),
    );
    expect(http.every((i) => i.values.connection_type === "VPC_LINK")).toBe(true);
    expect(planned(plan, "aws_apigatewayv2_integration_response")).toHaveLength(6);
    expect(planned(plan, "aws_apigatewayv2_route_response")).toHaveLength(6);
    expect(planned(plan, "aws_ecs_service")[0].values.network_configuration[0].assign_public_ip).toBe(false);
    for (const type of [
      "aws_amplify_app",
      "aws_amplify_branch",
      "aws_codebuild_project",
      "aws_ecr_repository",
      "aws_lambda_invocation",
      "aws_dynamodb_table",
      "aws_appautoscaling_target",
      "aws_cloudwatch_dashboard",
      "aws_cloudwatch_log_metric_filter",
      "aws_xray_sampling_rule",
    ]) {
      expect([type, planned(plan, type).length]).not.toEqual([type, 0]);
    }
  });

  test("chat with the repository-connected frontend plans with the GitHub token kept out of the plan", () => {
    const other = workdir("chat-repository");
    try {
      synthInto(other, { chat: { network: { availabilityZones: ["us-east-1a", "us-east-1b"] }, frontend: { source: "repository" } } });
      const dir = path.join(other, "stacks", "chat");
      offline(dir);
      const token = ["ghp", "Z".repeat(36)].join("_");
      const plan = planJson(dir, ["-var", `github_access_token=${token}`]);
      // The ephemeral variable feeds only a write-only argument: neither the plan file nor its JSON holds it.
      // Every member of the plan file (a zip), uncompressed, with the Python the emulator needs anyway.
      const unzip = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(b''.join(z.read(n) for n in z.namelist()))";
      const planFile = spawnSync("python3", ["-c", unzip, path.join(dir, "plan.bin")], { maxBuffer: 256 * 1024 * 1024 });
      expect(planFile.status).toBe(0);
      expect(planFile.stdout.length).toBeGreaterThan(1000);
      expect(planFile.stdout.includes(token)).toBe(false);
      expect(JSON.stringify(plan).includes(token)).toBe(false);
      expect(planned(plan, "aws_secretsmanager_secret_version")[0].values.secret_string_wo).toBeNull();
      expect(planned(plan, "aws_amplify_app")).toHaveLength(1);
      expect(planned(plan, "aws_codebuild_project").map((p) => p.values.name)).toEqual(["chat-dev-backend"]);
    } finally {
      removeWorkdir(other);
    }
  });

  test("chat plans with the X-Ray daemon, alarms, interface endpoints, a NAT gateway per zone, no frontend and no dashboard", () => {
    const other = workdir("chat-variant");
    try {
      synthInto(other, {
        environment: "production",
        chat: {
          network: { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"], natGateways: "one-per-az", interfaceEndpoints: true },
          backend: { tracing: "xray-daemon", architecture: "ARM64", cpu: 512, memory: 1024 },
          alarms: { enabled: true, email: "ops@example.com" },
          dashboard: { enabled: false },
          frontend: { enabled: false },
          api: { autoDeploy: false },
        },
      });
      const dir = path.join(other, "stacks", "chat");
      offline(dir);
      const plan = planJson(dir);
      expect(planned(plan, "aws_nat_gateway")).toHaveLength(3);
      expect(planned(plan, "aws_vpc_endpoint")).toHaveLength(6);
      const alarms = planned(plan, "aws_cloudwatch_metric_alarm");
      expect(alarms).toHaveLength(8);
      const throttled = alarms.find((a) => a.values.alarm_name === "chat-production-api-throttled-requests")!.values;
      expect(throttled.metric_query.find((q: any) => q.return_data).expression).toBe("FILL(frames, 0) + FILL(connects, 0)");
      // the alarms keep the access log metric filters they read, without the dashboard
      expect(planned(plan, "aws_cloudwatch_log_metric_filter")).toHaveLength(5);
      expect(planned(plan, "aws_cloudwatch_dashboard")).toHaveLength(0);
      expect(planned(plan, "aws_xray_sampling_rule")).toHaveLength(1);
      expect(planned(plan, "aws_apigatewayv2_deployment")).toHaveLength(1);
      expect(planned(plan, "aws_amplify_app")).toHaveLength(0);
      expect(planned(plan, "aws_lb")[0].values.enable_deletion_protection).toBe(true);
    } finally {
      removeWorkdir(other);
    }
  });

  test("chat plans in an existing VPC with a given image and the account setting left alone", () => {
    const other = workdir("chat-existing");
    try {
      synthInto(other, {
        chat: {
          network: { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"] },
          backend: { image: { uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/chat@sha256:" + "a".repeat(64) } },
          apiGatewayAccount: { manage: false },
          frontend: { enabled: false },
        },
      });
      const dir = path.join(other, "stacks", "chat");
      offline(dir);
      const plan = planJson(dir);
      expect(planned(plan, "aws_vpc")).toHaveLength(0);
      expect(planned(plan, "aws_api_gateway_account")).toHaveLength(0);
      expect(planned(plan, "aws_codebuild_project")).toHaveLength(0);
      expect(planned(plan, "aws_lambda_function")).toHaveLength(0);
      expect(planned(plan, "aws_lb")[0].values.subnets).toEqual(["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]);
    } finally {
      removeWorkdir(other);
    }
  });

  test("chat plans with a custom domain under a mapping key, a Lambda authorizer on $connect and per-route throttling", () => {
    // The defaults with these edges on. The default frontend is built and published by manual
    // deployment: no GitHub token variable.
    const plan = defaultsAndEdgesPlan();
    const fn = AUTHORIZER;
    expect(planned(plan, "aws_apigatewayv2_domain_name")[0].values.domain_name_configuration[0]).toMatchObject({
      endpoint_type: "REGIONAL",
      security_policy: "TLS_1_2",
    });
    expect(planned(plan, "aws_apigatewayv2_api_mapping")[0].values.api_mapping_key).toBe("chat");
    expect(planned(plan, "aws_route53_record")).toHaveLength(3);
    // The frontend is built with the custom domain's URL (the build project's environment, not Amplify's: manual deployment).
    const frontend = planned(plan, "aws_codebuild_project").find((p) => p.values.name === "chat-dev-frontend");
    expect(frontend.values.environment[0].environment_variable).toContainEqual(
      expect.objectContaining({ name: "WEBSOCKET_URL", value: "wss://chat.example.com/chat" }),
    );
    expect(plan.planned_values.outputs.custom_domain_url.value).toBe("wss://chat.example.com/chat");
    expect(planned(plan, "aws_apigatewayv2_authorizer")[0].values).toMatchObject({
      authorizer_type: "REQUEST",
      identity_sources: ["route.request.querystring.token"],
    });
    expect(planned(plan, "aws_lambda_permission").filter((p) => p.values.function_name === fn)).toHaveLength(1);
    expect(planned(plan, "aws_apigatewayv2_route").find((r) => r.values.route_key === "$connect").values.authorization_type).toBe("CUSTOM");
    expect(planned(plan, "aws_apigatewayv2_stage")[0].values.route_settings).toEqual([
      expect.objectContaining({ route_key: "message", throttling_burst_limit: 20, throttling_rate_limit: 10 }),
    ]);
  });

  test("the modules have no backend and no provider configuration", () => {
    for (const stack of ["websocket-nlb", "websocket-alb"]) {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect(json.terraform.backend).toBeUndefined();
      expect(json.provider).toBeUndefined();
      expect(json.terraform.required_providers.aws).toEqual({ source: "aws", version: ">= 5.100.0, < 6.0.0" });
    }
  });
});
