import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { ConfigError } from "../../stacks/config";
import { CHAT_BACKEND_SEGMENT_NAME, CHAT_ROUTES, UNKNOWN_ACTION_REPLY } from "../../stacks/chat-contract";
import { CHAT_STACK, ChatStack } from "../../stacks/chat-stack";
import { synthesize } from "../../stacks/synth";
import { dataOf, invocationSteps, invocationsByAction, policyDocumentOf, resourcesOf, settingsWith, synthJson } from "../helpers";
import { dashboardLogSources, dashboardMetrics, dashboardRegions } from "../support/dashboard";
import { buildStacks, chatJson, FAKE, filesUnder, findBy, only, ref, tempDir } from "./support";

const VPC = "vpc-0123456789abcdef0";
const SUBNETS = ["subnet-0123abcd", "subnet-4567abcd"];
const DIGEST = "sha256:" + "a".repeat(64);
const ECR_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/chat/backend@${DIGEST}`;
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token-AbCdEf";
/** The frontend connected to its repository by Amplify (source "repository"), as before source "build" became the default. */
const REPOSITORY = { chat: { frontend: { source: "repository" } } };

/** The container definitions: a `${jsonencode([...])}` HCL expression. */
const containers = (json: any): string => only(json, "aws_ecs_task_definition")[1].container_definitions;
/** One HCL `{"name" = "X", "value" = Y}` environment entry. */
const envEntry = (name: string, value: string) => `{"name" = "${name}", "value" = ${value}}`;

/** A role by name: its id, trust statements, inline policies (name -> statements) and managed policy ARNs. */
function role(json: any, name: string) {
  const [id, r] = findBy(json, "aws_iam_role", "name", name);
  const roleRef = ref("aws_iam_role", id, "name");
  const inline = Object.fromEntries(
    Object.values<any>(resourcesOf(json, "aws_iam_role_policy"))
      .filter((p) => p.role === roleRef)
      .map((p) => [p.name, policyDocumentOf(json, p.policy).statement]),
  );
  const managed = Object.values<any>(resourcesOf(json, "aws_iam_role_policy_attachment"))
    .filter((a) => a.role === roleRef)
    .map((a) => a.policy_arn);
  return { id, trust: policyDocumentOf(json, r.assume_role_policy).statement, inline, managed };
}
const trustedService = (service: string) => [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }] }];
const allow = (sid: string, actions: string[], resources: string[]) => ({ sid, effect: "Allow", actions, resources });

/** Route, integration, integration responses and route responses of a route key. */
function route(json: any, routeKey: string) {
  const [routeId, r] = findBy(json, "aws_apigatewayv2_route", "route_key", routeKey);
  const integrationId = /^integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}$/.exec(r.target)![1];
  return {
    route: r,
    integrationId,
    integration: resourcesOf(json, "aws_apigatewayv2_integration")[integrationId],
    integrationResponses: Object.values<any>(resourcesOf(json, "aws_apigatewayv2_integration_response")).filter(
      (x) => x.integration_id === ref("aws_apigatewayv2_integration", integrationId),
    ),
    routeResponses: Object.values<any>(resourcesOf(json, "aws_apigatewayv2_route_response")).filter(
      (x) => x.route_id === ref("aws_apigatewayv2_route", routeId),
    ),
  };
}

describe("ChatStack", () => {
  test("is the chat stack of the project and passes its validations (guardrails) with the defaults", () => {
    // GIVEN / WHEN
    const { chat } = buildStacks({});
    // THEN
    expect(chat).toBeInstanceOf(ChatStack);
    expect(chat.node.id).toBe(CHAT_STACK);
    expect(CHAT_STACK).toBe("chat");
    expect(() => Testing.synth(chat, true)).not.toThrow();
    expect(chat.omissions).toEqual([]);
  });

  test.each<[string, unknown]>([
    ["production", { environment: "production" }],
    ["an existing VPC", { chat: { network: { vpcId: VPC, privateSubnetIds: SUBNETS } } }],
    ["a given image without frontend", { chat: { backend: { image: { uri: ECR_IMAGE } }, frontend: { enabled: false } } }],
    ["alarms", { chat: { alarms: { enabled: true, email: "ops@example.com" } } }],
    ["the emulator target", { target: { kind: "emulator" } }],
    [
      "the token in Secrets Manager",
      { chat: { frontend: { source: "repository", tokenSecretArn: SECRET_ARN }, backend: { image: { githubTokenSecretArn: SECRET_ARN } } } },
    ],
    ["the repository-connected frontend", REPOSITORY],
    ["Docker Hub login", { chat: { backend: { image: { dockerHub: { kind: "login", credentialsSecretArn: SECRET_ARN } } } } }],
    [
      "anonymous Docker Hub pulls and no account setting",
      { chat: { backend: { image: { dockerHub: { kind: "anonymous" } } }, apiGatewayAccount: { manage: false } } },
    ],
  ])("passes its validations with %s", (_name, overrides) => {
    expect(() => Testing.synth(buildStacks(overrides).chat, true)).not.toThrow();
  });

  describe("WebSocket API", () => {
    test("selects routes by the frame's action", () => {
      const api = only(chatJson(), "aws_apigatewayv2_api")[1];
      expect(api).toEqual({
        name: "chat-dev-websocket",
        description: "WebSocket API of the chat-dev chat",
        protocol_type: "WEBSOCKET",
        route_selection_expression: "$request.body.action",
      });
    });

    test("has exactly the contract's routes and a $default route", () => {
      const keys = Object.values<any>(resourcesOf(chatJson(), "aws_apigatewayv2_route")).map((r) => r.route_key);
      expect(keys.sort()).toEqual([...CHAT_ROUTES.map((r) => r.routeKey), "$default"].sort());
    });

    test.each(CHAT_ROUTES.map((r) => [r.routeKey, r]))(
      "calls the backend for %s: non-proxy HTTP, POST, through the VPC link, with both $default responses",
      (routeKey, contract) => {
        // GIVEN / WHEN
        const json = chatJson();
        const [linkId] = only(json, "aws_api_gateway_vpc_link");
        const r = route(json, routeKey);
        // THEN
        expect(r.integration).toEqual({
          api_id: ref("aws_apigatewayv2_api", only(json, "aws_apigatewayv2_api")[0]),
          integration_type: "HTTP",
          integration_method: "POST",
          connection_type: "VPC_LINK",
          connection_id: ref("aws_api_gateway_vpc_link", linkId),
          integration_uri: `http://$\${stageVariables.backendHost}${contract.path}`,
          request_templates: { $default: contract.template },
          template_selection_expression: "\\$default",
          passthrough_behavior: "NEVER",
          timeout_milliseconds: 29000,
          description: `POST ${contract.path} (${contract.fields.join(", ")})`,
        });
        expect(r.route.route_response_selection_expression).toBe("$default");
        expect(r.integrationResponses).toEqual([expect.objectContaining({ integration_response_key: "$default" })]);
        expect(r.routeResponses).toEqual([expect.objectContaining({ route_response_key: "$default" })]);
      },
    );

    test("answers frames with an unknown action from a MOCK $default route", () => {
      const r = route(chatJson(), "$default");
      expect(r.integration).toMatchObject({ integration_type: "MOCK", request_templates: { $default: '{"statusCode": 200}' } });
      expect(r.integration.connection_id).toBeUndefined();
      expect(r.integrationResponses).toEqual([
        expect.objectContaining({ integration_response_key: "$default", response_templates: { $default: UNKNOWN_ACTION_REPLY } }),
      ]);
      expect(r.route.route_response_selection_expression).toBe("$default");
      expect(r.routeResponses).toEqual([expect.objectContaining({ route_response_key: "$default" })]);
    });

    test("reaches the backend only through the v1 VPC link on the internal NLB", () => {
      const json = chatJson();
      const [nlbId, nlb] = only(json, "aws_lb");
      expect(resourcesOf(json, "aws_apigatewayv2_vpc_link")).toEqual({});
      expect(only(json, "aws_api_gateway_vpc_link")[1]).toMatchObject({ name: "chat-dev-vpc-link", target_arns: [ref("aws_lb", nlbId, "arn")] });
      expect(nlb).toMatchObject({ internal: true, load_balancer_type: "network", name: "chat-dev-nlb" });
    });
  });

  describe("stage", () => {
    test("deploys itself, throttles, logs and points backendHost at the NLB's DNS name and port", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [nlbId] = only(json, "aws_lb");
      const [accountId] = invocationsByAction(json)["api-gateway-account"];
      const [, stage] = only(json, "aws_apigatewayv2_stage");
      const accessLogs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/apigatewayv2/chat-dev-websocket/prod");
      // THEN
      expect(stage).toMatchObject({
        name: "prod",
        auto_deploy: true,
        default_route_settings: {
          throttling_burst_limit: 1000,
          throttling_rate_limit: 500,
          logging_level: "ERROR",
          data_trace_enabled: false,
          detailed_metrics_enabled: false,
        },
        stage_variables: { backendHost: `\${aws_lb.${nlbId}.dns_name}:80` },
        access_log_settings: { destination_arn: ref("aws_cloudwatch_log_group", accessLogs[0], "arn") },
      });
      expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({
        requestId: "$context.requestId",
        routeKey: "$context.routeKey",
        connectionId: "$context.connectionId",
        status: "$context.status",
      });
      expect(accessLogs[1].retention_in_days).toBe(30);
      expect(stage.depends_on).toContain(`aws_lambda_invocation.${accountId}`);
      expect(resourcesOf(json, "aws_apigatewayv2_deployment")).toEqual({});
    });

    test("follows the backend port, the throttling and the stage name of the settings; the NLB listens on 80 whatever the backend's port", () => {
      const json = chatJson({
        chat: { backend: { port: 9090 }, api: { stageName: "v1", throttle: { burstLimit: 50, rateLimit: 20.5 }, loggingLevel: "INFO" } },
      });
      const [nlbId] = only(json, "aws_lb");
      expect(only(json, "aws_apigatewayv2_stage")[1]).toMatchObject({
        name: "v1",
        default_route_settings: { throttling_burst_limit: 50, throttling_rate_limit: 20.5, logging_level: "INFO" },
        stage_variables: { backendHost: `\${aws_lb.${nlbId}.dns_name}:80` },
      });
      expect(only(json, "aws_lb_listener")[1].port).toBe(80);
      expect(only(json, "aws_lb_target_group")[1]).toMatchObject({ port: 9090, name: "chat-dev-9090" });
    });

    test("replaces the target group before the old one goes when the port changes: named after its port, created first (release 2.0.0's port 80 keeps <base>-tg)", () => {
      const [, tg] = only(chatJson(), "aws_lb_target_group");
      expect(tg).toMatchObject({ name: "chat-dev-8080", port: 8080, lifecycle: { create_before_destroy: true } });
      const [, old] = only(chatJson({ chat: { backend: { port: 80, image: { dockerfile: "Dockerfile" } } } }), "aws_lb_target_group");
      expect(old).toMatchObject({ name: "chat-dev-tg", port: 80 });
    });

    test("deploys explicitly when autoDeploy is off", () => {
      const json = chatJson({ chat: { api: { autoDeploy: false } } });
      const [deploymentId] = only(json, "aws_apigatewayv2_deployment");
      expect(only(json, "aws_apigatewayv2_stage")[1]).toMatchObject({ auto_deploy: false, deployment_id: ref("aws_apigatewayv2_deployment", deploymentId) });
    });
  });

  describe("backend service", () => {
    test("starts its tasks only after every policy of the task role exists", () => {
      const json = chatJson();
      const [, service] = only(json, "aws_ecs_service");
      const [taskRoleId] = findBy(json, "aws_iam_role", "name", "chat-dev-backend-task");
      const taskPolicies = Object.entries<any>(resourcesOf(json, "aws_iam_role_policy"))
        .filter(([, p]) => p.role === ref("aws_iam_role", taskRoleId, "name"))
        .map(([id]) => `aws_iam_role_policy.${id}`);
      expect(taskPolicies).toHaveLength(3);
      for (const policy of taskPolicies) expect(service.depends_on).toContain(policy);
    });

    test("runs the Go backend with the contract's environment and the X-Ray daemon sidecar", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [tableId] = only(json, "aws_dynamodb_table");
      const definitions = containers(json);
      // THEN the app container has exactly the contract's environment
      const environment = /"environment" = \[(.*?)\], "readonlyRootFilesystem"/.exec(definitions)![1];
      expect(environment).toBe(
        [
          envEntry("AWS_XRAY_DAEMON_ADDRESS", '"127.0.0.1:2000"'),
          envEntry("DB_TYPE", '"DYNAMODB"'),
          envEntry("DYNAMODB_TABLE_NAME", `aws_dynamodb_table.${tableId}.name`),
          envEntry("ENV", '"production"'),
          envEntry("HTTP_PORT", '"8080"'),
        ].join(", "),
      );
      expect(definitions).toContain('"portMappings" = [{"containerPort" = 8080, "hostPort" = 8080, "protocol" = "tcp"}]');
      // and it starts after the sidecar, which listens on UDP 2000 and logs to its own group
      expect(definitions).toContain('"dependsOn" = [{"containerName" = "otel-collector", "condition" = "START"}]');
      expect(definitions).toMatch(
        /\{"name" = "otel-collector", "image" = "public\.ecr\.aws\/aws-observability\/aws-otel-collector:v[0-9.]+", "essential" = false/,
      );
      expect(definitions).toContain('"portMappings" = [{"containerPort" = 2000, "hostPort" = 2000, "protocol" = "udp"}]');
      expect(definitions).toContain('"awslogs-region" = data.aws_region.region.name');
      expect(definitions).not.toMatch(/"awslogs-region" = "/);
    });

    test("sets HTTP_PORT and the container port from the settings", () => {
      const definitions = containers(chatJson({ chat: { backend: { port: 9090 } } }));
      expect(definitions).toContain(envEntry("HTTP_PORT", '"9090"'));
      expect(definitions).toContain('"portMappings" = [{"containerPort" = 9090, "hostPort" = 9090, "protocol" = "tcp"}]');
    });

    test("uses the X-Ray daemon as the sidecar when asked", () => {
      const definitions = containers(chatJson({ chat: { backend: { tracing: "xray-daemon" } } }));
      expect(definitions).toContain('"dependsOn" = [{"containerName" = "xray-daemon", "condition" = "START"}]');
      expect(definitions).toMatch(/\{"name" = "xray-daemon", "image" = "public\.ecr\.aws\/xray\/aws-xray-daemon:[0-9.]+", "essential" = false/);
      expect(definitions).toContain(envEntry("AWS_XRAY_DAEMON_ADDRESS", '"127.0.0.1:2000"'));
    });

    test("switching the sidecar between ADOT (the default) and the X-Ray daemon (2.0.0's) changes the task definition's containers and nothing else", () => {
      // GIVEN both configurations, synthesized
      const adot = chatJson();
      const daemon = chatJson({ chat: { backend: { tracing: "xray-daemon" } } });
      // WHEN every argument of every block is compared
      const differences: string[] = [];
      for (const kind of ["resource", "data", "output", "locals", "variable"]) {
        const a = adot[kind] ?? {};
        const b = daemon[kind] ?? {};
        for (const type of new Set([...Object.keys(a), ...Object.keys(b)])) {
          for (const id of new Set([...Object.keys(a[type] ?? {}), ...Object.keys(b[type] ?? {})])) {
            const x = a[type]?.[id];
            const y = b[type]?.[id];
            if (x === undefined || y === undefined || typeof x !== "object") {
              if (JSON.stringify(x) !== JSON.stringify(y)) differences.push(`${kind}.${type}.${id}`);
              continue;
            }
            for (const key of new Set([...Object.keys(x), ...Object.keys(y)]))
              if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) differences.push(`${type}.${id}.${key}`);
          }
        }
      }
      // THEN only the task definition's container definitions differ (the upgrade plan: a new revision, and the service moves to it)
      expect(differences).toEqual([`aws_ecs_task_definition.${only(adot, "aws_ecs_task_definition")[0]}.container_definitions`]);
    });

    test("keeps the NLB's health checks out of the traces: an X-Ray sampling rule on the health check path traces none of the backend's GETs", () => {
      const json = chatJson({ chat: { backend: { healthCheckPath: "/health/live" } } });
      expect(only(json, "aws_xray_sampling_rule")[1]).toEqual({
        rule_name: "chat-dev-health",
        url_path: "/health/live",
        http_method: "GET",
        service_name: CHAT_BACKEND_SEGMENT_NAME,
        service_type: "*",
        host: "*",
        resource_arn: "*",
        fixed_rate: 0,
        reservoir_size: 0,
        priority: 100,
        version: 1,
      });
      expect(CHAT_BACKEND_SEGMENT_NAME).toBe("MyApp");
    });

    test("runs no sidecar, sets no daemon address and grants no X-Ray when tracing is off", () => {
      const json = chatJson({ chat: { backend: { tracing: "off" } } });
      expect(containers(json)).not.toContain("AWS_XRAY_DAEMON_ADDRESS");
      expect(containers(json)).toContain('"dependsOn" = []');
      expect(Object.keys(role(json, "chat-dev-backend-task").inline).sort()).toEqual(["connections-table", "manage-connections-prod"]);
      expect(resourcesOf(json, "aws_xray_sampling_rule")).toEqual({});
    });

    test("runs at least two private tasks behind the NLB, with rollback and CPU scaling", () => {
      const json = chatJson();
      const [tgId, tg] = only(json, "aws_lb_target_group");
      const [, service] = only(json, "aws_ecs_service");
      const subnets = Object.entries<any>(resourcesOf(json, "aws_subnet"))
        .filter(([id]) => /PrivateSubnet/.test(id))
        .map(([id]) => ref("aws_subnet", id));
      expect(service).toMatchObject({
        desired_count: 2,
        launch_type: "FARGATE",
        deployment_circuit_breaker: { enable: true, rollback: true },
        network_configuration: { assign_public_ip: false, subnets },
        load_balancer: [{ container_name: "backend", container_port: 8080, target_group_arn: ref("aws_lb_target_group", tgId, "arn") }],
      });
      expect(tg).toMatchObject({ target_type: "ip", deregistration_delay: "30", health_check: { path: "/healthz", matcher: "200", protocol: "HTTP" } });
      expect(only(json, "aws_appautoscaling_target")[1]).toMatchObject({ min_capacity: 2, max_capacity: 6 });
      expect(only(json, "aws_appautoscaling_policy")[1].target_tracking_scaling_policy_configuration).toMatchObject({ target_value: 60 });
    });

    test("admits traffic to the tasks only from the NLB's security group, on the backend port", () => {
      const json = chatJson();
      const tasks = findBy(json, "aws_security_group", "name", "chat-dev-backend-tasks")[0];
      const ingress = Object.values<any>(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
      expect(ingress).toEqual([
        expect.objectContaining({
          security_group_id: ref("aws_security_group", tasks),
          referenced_security_group_id: ref("aws_security_group", findBy(json, "aws_security_group", "name", "chat-dev-nlb-nlb")[0]),
          from_port: 8080,
          to_port: 8080,
          ip_protocol: "tcp",
        }),
      ]);
      expect(resourcesOf(json, "aws_security_group_rule")).toEqual({});
    });
  });

  describe("least privilege", () => {
    test("grants the task role exactly the table's items, X-Ray writes and ManageConnections on the stage", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [tableId] = only(json, "aws_dynamodb_table");
      const [apiId] = only(json, "aws_apigatewayv2_api");
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      const task = role(json, "chat-dev-backend-task");
      // THEN
      expect(task.trust).toEqual(trustedService("ecs-tasks.amazonaws.com"));
      expect(task.managed).toEqual([]);
      expect(task.inline).toEqual({
        "connections-table": [
          allow(
            "ConnectionsTableItems",
            ["dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:Scan"],
            [ref("aws_dynamodb_table", tableId, "arn")],
          ),
        ],
        "xray-write": [allow("XRayWrite", ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], ["*"])],
        "manage-connections-prod": [
          allow(
            "ManageStageConnections",
            ["execute-api:ManageConnections"],
            [`\${aws_apigatewayv2_api.${apiId}.execution_arn}/\${aws_apigatewayv2_stage.${stageId}.name}/*/@connections/*`],
          ),
        ],
      });
    });

    test("lets the execution role pull only the built image and write only the service's log groups", () => {
      const json = chatJson();
      const [repoId] = only(json, "aws_ecr_repository");
      const logs = (name: string) => `${ref("aws_cloudwatch_log_group", findBy(json, "aws_cloudwatch_log_group", "name", name)[0], "arn")}:*`;
      const execution = role(json, "chat-dev-backend-execution");
      expect(execution.trust).toEqual(trustedService("ecs-tasks.amazonaws.com"));
      expect(execution.managed).toEqual([]);
      expect(execution.inline).toEqual({
        "pull-image-and-write-logs": [
          allow("ContainerLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logs("/ecs/chat-dev-backend/backend"), logs("/ecs/chat-dev-backend/tracing")]),
          allow("RegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]),
          allow(
            "PullImage",
            ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            [ref("aws_ecr_repository", repoId, "arn")],
          ),
        ],
      });
    });

    test("lets the build role write its logs and push to its repository only", () => {
      const json = chatJson();
      const [repoId] = only(json, "aws_ecr_repository");
      const build = role(json, "chat-dev-backend-build");
      const buildLogs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/codebuild/chat-dev-backend")[0];
      expect(build.trust).toEqual(trustedService("codebuild.amazonaws.com"));
      expect(build.managed).toEqual([]);
      expect(build.inline).toEqual({
        "build-and-push": [
          allow("BuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${ref("aws_cloudwatch_log_group", buildLogs, "arn")}:*`]),
          allow("RegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]),
          allow(
            "PushImage",
            [
              "ecr:BatchCheckLayerAvailability",
              "ecr:BatchGetImage",
              "ecr:CompleteLayerUpload",
              "ecr:DescribeImages",
              "ecr:InitiateLayerUpload",
              "ecr:PutImage",
              "ecr:UploadLayerPart",
            ],
            [ref("aws_ecr_repository", repoId, "arn")],
          ),
          // The ECR Public login of the default Docker Hub access: these two actions have no resource-level permissions.
          allow("EcrPublicLogin", ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], ["*"]),
        ],
      });
    });

    test("lets the build role read only the given GitHub token secret", () => {
      const json = chatJson({ chat: { backend: { image: { githubTokenSecretArn: SECRET_ARN } } } });
      const statements = role(json, "chat-dev-backend-build").inline["build-and-push"];
      expect(statements.find((s: any) => s.sid === "GitHubToken")).toEqual(allow("GitHubToken", ["secretsmanager:GetSecretValue"], [SECRET_ARN]));
      expect(findBy(json, "aws_codebuild_project", "name", "chat-dev-backend")[1].source.auth).toEqual({ type: "SECRETS_MANAGER", resource: SECRET_ARN });
    });

    test("lets the deploy-actions role run the image and frontend builds, read the digest and the frontend's release only", () => {
      const json = chatJson();
      const [backendId] = findBy(json, "aws_codebuild_project", "name", "chat-dev-backend");
      const [frontendId] = findBy(json, "aws_codebuild_project", "name", "chat-dev-frontend");
      const [repoId] = only(json, "aws_ecr_repository");
      const [branchId] = only(json, "aws_amplify_branch");
      const logs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/lambda/chat-dev-deploy-actions")[0];
      const actions = role(json, "chat-dev-deploy-actions");
      expect(actions.trust).toEqual(trustedService("lambda.amazonaws.com"));
      expect(actions.managed).toEqual([]);
      expect(actions.inline).toEqual({
        "deploy-actions": [
          allow("OwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${ref("aws_cloudwatch_log_group", logs, "arn")}:*`]),
          allow(
            "RunImageBuild",
            ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
            [ref("aws_codebuild_project", backendId, "arn")],
          ),
          allow("ReadImageDigest", ["ecr:DescribeImages"], [ref("aws_ecr_repository", repoId, "arn")]),
          allow(
            "RunFrontendBuild",
            ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
            [ref("aws_codebuild_project", frontendId, "arn")],
          ),
          allow("ReadFrontendRelease", ["amplify:GetJob"], [`${ref("aws_amplify_branch", branchId, "arn")}/jobs/*`]),
        ],
      });
    });

    test("lets the account function's role read and set this region's API Gateway account setting and manage the shared roles only", () => {
      const json = chatJson();
      const [partition] = Object.keys(dataOf(json, "aws_partition")).filter((id) => id.startsWith("apigateway-cloudwatch-role_"));
      const [region] = Object.keys(dataOf(json, "aws_region")).filter((id) => id.startsWith("apigateway-cloudwatch-role_"));
      const logs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/lambda/chat-dev-account-check")[0];
      const check = role(json, "chat-dev-account-check");
      expect(check.trust).toEqual(trustedService("lambda.amazonaws.com"));
      expect(check.managed).toEqual([]);
      const statements = check.inline["deploy-actions"];
      expect(statements.slice(0, 2)).toEqual([
        allow("OwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${ref("aws_cloudwatch_log_group", logs, "arn")}:*`]),
        allow(
          "ApiGatewayAccountSetting",
          ["apigateway:GET", "apigateway:PATCH"],
          [`arn:\${data.aws_partition.${partition}.partition}:apigateway:\${data.aws_region.${region}.name}::/account`],
        ),
      ]);
      // The shared roles (one IAM path), and the stack's own role of release 2.0.0 by name.
      const [checkId] = findBy(json, "aws_iam_role", "name", "chat-dev-account-check");
      const iam = `arn:\${data.aws_partition.${partition}.partition}:iam::\${element(split(":", aws_iam_role.${checkId}.arn), 4)}`;
      expect(statements.slice(2).map((st: any) => [st.sid, st.resources])).toEqual([
        // AWS requires "*": ListRoles has no resource-level permissions.
        ["ListSharedRoles", ["*"]],
        ["SharedRoles", [`${iam}:role/websocket-gateway/*`]],
        ["SharedRolesPolicy", [`${iam}:role/websocket-gateway/*`]],
        ["PassSharedRolesToApiGateway", [`${iam}:role/websocket-gateway/*`]],
        ["PreviousRoles", [`${iam}:role/chat-dev-apigw-cloudwatch`]],
        ["PreviousRolesPolicy", [`${iam}:role/chat-dev-apigw-cloudwatch`]],
      ]);
    });

    test("lets the frontend's build role write its logs and publish to its Amplify branch only", () => {
      const json = chatJson();
      const [branchId] = only(json, "aws_amplify_branch");
      const buildLogs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/codebuild/chat-dev-frontend")[0];
      const build = role(json, "chat-dev-frontend-build");
      expect(build.trust).toEqual(trustedService("codebuild.amazonaws.com"));
      expect(build.managed).toEqual([]);
      expect(build.inline).toEqual({
        [Object.keys(build.inline)[0]]: [
          allow("BuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${ref("aws_cloudwatch_log_group", buildLogs, "arn")}:*`]),
          allow("PublishToBranch", ["amplify:CreateDeployment", "amplify:StartDeployment"], [ref("aws_amplify_branch", branchId, "arn")]),
        ],
      });
    });

    test("with the repository-connected frontend, lets the deploy-actions role connect it with the token secret and start its build only", () => {
      const json = chatJson(REPOSITORY);
      const [projectId] = only(json, "aws_codebuild_project");
      const [repoId] = only(json, "aws_ecr_repository");
      const [appId] = only(json, "aws_amplify_app");
      const [secretId] = only(json, "aws_secretsmanager_secret");
      const logs = findBy(json, "aws_cloudwatch_log_group", "name", "/aws/lambda/chat-dev-deploy-actions")[0];
      const actions = role(json, "chat-dev-deploy-actions");
      expect(actions.trust).toEqual(trustedService("lambda.amazonaws.com"));
      expect(actions.managed).toEqual([]);
      expect(actions.inline).toEqual({
        "deploy-actions": [
          allow("OwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [`${ref("aws_cloudwatch_log_group", logs, "arn")}:*`]),
          allow(
            "RunImageBuild",
            ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"],
            [ref("aws_codebuild_project", projectId, "arn")],
          ),
          allow("ReadImageDigest", ["ecr:DescribeImages"], [ref("aws_ecr_repository", repoId, "arn")]),
          allow("ReadFrontendToken", ["secretsmanager:GetSecretValue"], [ref("aws_secretsmanager_secret", secretId, "arn")]),
          allow("ConnectFrontendRepository", ["amplify:GetApp", "amplify:UpdateApp"], [ref("aws_amplify_app", appId, "arn")]),
          allow(
            "StartFrontendBuild",
            ["amplify:StartJob", "amplify:ListJobs"],
            [`${ref("aws_amplify_app", appId, "arn")}/branches/main`, `${ref("aws_amplify_app", appId, "arn")}/branches/main/jobs/*`],
          ),
        ],
      });
    });

    test("has no other role, policy or attachment", () => {
      const json = chatJson();
      const roles = Object.values<any>(resourcesOf(json, "aws_iam_role")).map((r) => r.name);
      expect(roles.sort()).toEqual([
        "chat-dev-account-check",
        "chat-dev-backend-build",
        "chat-dev-backend-execution",
        "chat-dev-backend-task",
        "chat-dev-deploy-actions",
        "chat-dev-frontend-build",
      ]);
      expect(Object.keys(resourcesOf(json, "aws_iam_role_policy"))).toHaveLength(8);
      // The region's CloudWatch role is shared: the account function makes it (with AWS's push-to-CloudWatch-Logs policy only).
      expect(Object.keys(resourcesOf(json, "aws_iam_role_policy_attachment"))).toHaveLength(0);
      for (const type of ["aws_iam_policy", "aws_iam_user", "aws_iam_access_key", "aws_iam_policy_attachment", "aws_iam_instance_profile"])
        expect(resourcesOf(json, type)).toEqual({});
    });

    test("lets the account administer the alarm topic's key and CloudWatch use it, nothing more", () => {
      // GIVEN / WHEN
      const json = chatJson({ chat: { alarms: { enabled: true } } });
      const [, key] = only(json, "aws_kms_key");
      const [taskRoleId] = findBy(json, "aws_iam_role", "name", "chat-dev-backend-task");
      const partition = Object.keys(dataOf(json, "aws_partition")).find((id) => id.startsWith("alarms_"))!;
      // THEN
      expect(policyDocumentOf(json, key.policy).statement).toEqual([
        {
          sid: "AccountAdministersKeyThroughIam",
          effect: "Allow",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [
            {
              type: "AWS",
              identifiers: [`arn:\${data.aws_partition.${partition}.partition}:iam::\${element(split(":", aws_iam_role.${taskRoleId}.arn), 4)}:root`],
            },
          ],
        },
        {
          sid: "CloudWatchPublishesAlarms",
          effect: "Allow",
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        },
      ]);
    });
  });

  describe("GitHub token", () => {
    test("is not asked for with the default frontend (source build): no variable, no secret, no Terraform 1.11 requirement", () => {
      const json = chatJson();
      expect(json.variable).toBeUndefined();
      expect(json.terraform.required_version).toBeUndefined();
      expect(resourcesOf(json, "aws_secretsmanager_secret")).toEqual({});
      expect(JSON.stringify(json)).not.toContain("github_access_token");
    });

    test("with source repository, comes from the ephemeral, sensitive variable github_access_token, written only into a write-only argument", () => {
      // GIVEN / WHEN
      const json = chatJson(REPOSITORY);
      // THEN the variable has no value and is never stored
      expect(Object.keys(json.variable).sort()).toEqual(["github_access_token", "github_access_token_version"]);
      expect(json.variable.github_access_token).toMatchObject({ type: "string", sensitive: true, ephemeral: true, nullable: true, default: null });
      expect(json.variable.github_access_token.description).toMatch(/TF_VAR_github_access_token/);
      expect(json.variable.github_access_token_version).toMatchObject({ type: "number", default: 1 });
      expect(json.terraform.required_version).toBe(">= 1.11.0");
      // and is referenced by the write-only argument only
      const references = JSON.stringify(json).split("var.github_access_token").length - 1;
      const [versionId, version] = only(json, "aws_secretsmanager_secret_version");
      expect(version.secret_string_wo).toBe('${var.github_access_token == null ? "NO_TOKEN_GIVEN" : var.github_access_token}');
      expect(version.secret_string_wo_version).toBe("${var.github_access_token_version}");
      expect(references).toBe(2 + 1);
      // the app has no token; the deploy actions read the secret after it is written
      const [secretId, secret] = only(json, "aws_secretsmanager_secret");
      expect(secret).toMatchObject({ name: "chat-dev-github-token", recovery_window_in_days: 0 });
      expect(only(json, "aws_amplify_app")[1].access_token).toBeUndefined();
      const [, connect] = invocationsByAction(json)["connect-repository"];
      expect(connect.input).toContain(`"tokenSecretArn" = ${ref("aws_secretsmanager_secret", secretId, "arn").slice(2, -1)}`);
      expect(connect.depends_on).toContain(`aws_secretsmanager_secret_version.${versionId}`);
    });

    test("with source repository, comes from the given secret when chat.frontend.tokenSecretArn is set, read by the deploy actions only", () => {
      const json = chatJson({ chat: { frontend: { source: "repository", tokenSecretArn: SECRET_ARN } } });
      expect(json.variable).toBeUndefined();
      expect(json.terraform.required_version).toBeUndefined();
      expect(dataOf(json, "aws_secretsmanager_secret_version")).toEqual({});
      expect(resourcesOf(json, "aws_secretsmanager_secret")).toEqual({});
      expect(only(json, "aws_amplify_app")[1].access_token).toBeUndefined();
      expect(invocationsByAction(json)["connect-repository"][1].input).toContain(`"tokenSecretArn" = "${SECRET_ARN}"`);
    });

    test("given as TF_VAR or in the environment, never appears in anything synthesized", () => {
      // GIVEN tokens and keys in the environment of the synth
      const injected = { TF_VAR_github_access_token: FAKE.classicToken, GITHUB_TOKEN: FAKE.fineGrainedToken, AWS_ACCESS_KEY_ID: FAKE.accessKeyId };
      const saved = Object.fromEntries(Object.keys(injected).map((k) => [k, process.env[k]]));
      Object.assign(process.env, injected);
      const outdir = path.join(tempDir("token-"), "cdktf.out");
      try {
        // WHEN
        synthesize(settingsWith({}), outdir);
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      // THEN no file of the outdir holds any of them
      const files = filesUnder(outdir);
      expect(files).toContain(path.join("stacks", "chat", "cdk.tf.json"));
      for (const file of files) {
        const bytes = fs.readFileSync(path.join(outdir, file));
        for (const secret of Object.values(FAKE)) expect({ file, leaks: bytes.includes(secret) }).toEqual({ file, leaks: false });
      }
    });

    test("given in the configuration, stops the synth before anything is written", () => {
      expect(() => settingsWith({ chat: { frontend: { branch: FAKE.classicToken } } })).toThrow(ConfigError);
      expect(() => settingsWith({}, { WSGW_IMAGE_TAG: FAKE.classicToken })).toThrow(ConfigError);
    });
  });

  describe("targets", () => {
    test("on the emulator, points every endpoint at loopback and leaves out Amplify, Lambda and autoscaling", () => {
      // GIVEN / WHEN
      const { chat } = buildStacks({ target: { kind: "emulator", emulatorEndpoint: "http://127.0.0.1:5555" } });
      const json = synthJson(chat);
      // THEN
      const [provider] = json.provider.aws;
      // every service: the profile's endpoint_url, written beside the stack by the synth (synth.test.ts)
      expect(provider).toMatchObject({ profile: "wsgw-emulator", shared_config_files: ["${path.root}/emulator.aws-config"] });
      expect(provider.endpoints).toBeUndefined();
      expect(provider).toMatchObject({ access_key: "test", secret_key: "test", skip_credentials_validation: true, region: "us-east-1" });
      for (const type of [
        "aws_amplify_app",
        "aws_amplify_branch",
        "aws_lambda_function",
        "aws_lambda_invocation",
        "aws_appautoscaling_target",
        "aws_appautoscaling_policy",
      ]) {
        expect({ type, resources: resourcesOf(json, type) }).toEqual({ type, resources: {} });
      }
      // the frontend's build project goes with Amplify; the account setting goes with the Lambda functions
      expect(Object.values<any>(resourcesOf(json, "aws_codebuild_project")).map((p) => p.name)).toEqual(["chat-dev-backend"]);
      expect(resourcesOf(json, "aws_api_gateway_account")).toEqual({});
      expect(chat.omissions.map((o) => o.what)).toEqual([
        "deploy-actions Lambda and its invocations (image build, frontend build and publication or Amplify repository connection, the region's API Gateway CloudWatch role setting)",
        "aws_appautoscaling_target and aws_appautoscaling_policy",
        "the Amplify frontend (aws_amplify_app, aws_amplify_branch and the frontend's build project)",
        "aws_xray_sampling_rule (health checks are traced)",
      ]);
      expect(resourcesOf(json, "aws_xray_sampling_rule")).toEqual({});
      for (const o of chat.omissions) expect(o.why).toMatch(/emulator/);
    });

    test("on the emulator with a Lambda stand-in, keeps the deploy actions (the stand-in's endpoints: emulatorAwsConfig, target.test.ts)", () => {
      // GIVEN / WHEN
      const { chat } = buildStacks({ target: { kind: "emulator", emulatorEndpoint: "http://127.0.0.1:5555", lambdaStandInEndpoint: "http://127.0.0.1:6666" } });
      const json = synthJson(chat);
      // THEN
      expect(json.provider.aws[0]).toMatchObject({ profile: "wsgw-emulator" });
      expect(Object.keys(invocationsByAction(json)).sort()).toEqual(["api-gateway-account", "build-image"]);
      expect(chat.omissions.map((o) => o.what)).not.toContain(expect.stringMatching(/Lambda/));
    });

    test("on the emulator with autoDeploy off, creates the stage without a deployment and says so", () => {
      const { chat } = buildStacks({ target: { kind: "emulator" }, chat: { api: { autoDeploy: false } } });
      expect(resourcesOf(synthJson(chat), "aws_apigatewayv2_deployment")).toEqual({});
      expect(chat.omissions[0]).toEqual({
        what: "aws_apigatewayv2_deployment",
        why: "the emulator cannot create deployments; the stage is created without one",
      });
    });

    test("on AWS, configures no endpoints, no dummy keys and nothing on loopback", () => {
      // GIVEN / WHEN
      const json = chatJson({ chat: { alarms: { enabled: true } } });
      const text = JSON.stringify(json);
      // THEN
      expect(json.provider.aws).toEqual([
        { region: "us-east-1", default_tags: [{ tags: { Project: "websocket-chat", Environment: "dev", Stack: "chat", ManagedBy: "cdktf" } }] },
      ]);
      expect(text).not.toMatch(/https?:\/\/(127\.0\.0\.1|localhost)/);
      expect(text).not.toMatch(/"(access_key|secret_key|endpoints|profile|shared_config_files|skip_credentials_validation)"/);
      // the only loopback address is the tracing collector's, inside the task
      expect([...new Set(text.match(/127\.0\.0\.1[^"\\]*/g))]).toEqual(["127.0.0.1:2000"]);
    });

    test("tags every resource through the provider's default tags", () => {
      const json = chatJson({ environment: "qa", tags: { Team: "chat" } });
      expect(json.provider.aws[0].default_tags).toEqual([{ tags: { Team: "chat", Environment: "qa", Stack: "chat", ManagedBy: "cdktf" } }]);
    });
  });

  describe("network", () => {
    test("creates a VPC over two zones with private and public subnets and one NAT gateway", () => {
      const json = chatJson();
      expect(only(json, "aws_vpc")[1].cidr_block).toBe("10.0.0.0/16");
      expect(Object.keys(resourcesOf(json, "aws_subnet"))).toHaveLength(4);
      expect(Object.keys(resourcesOf(json, "aws_nat_gateway"))).toHaveLength(1);
      for (const [id, subnet] of Object.entries<any>(resourcesOf(json, "aws_subnet")))
        if (/Private/.test(id)) expect(subnet.map_public_ip_on_launch ?? false).toBe(false);
    });

    test("uses an existing VPC and its subnets instead of creating one", () => {
      // GIVEN / WHEN
      const json = chatJson({ chat: { network: { vpcId: VPC, privateSubnetIds: SUBNETS } } });
      // THEN
      for (const type of ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_internet_gateway", "aws_route_table", "aws_eip", "aws_vpc_endpoint"]) {
        expect({ type, resources: resourcesOf(json, type) }).toEqual({ type, resources: {} });
      }
      expect(dataOf(json, "aws_availability_zones")).toEqual({});
      expect(only(json, "aws_lb")[1].subnets).toEqual(SUBNETS);
      expect(only(json, "aws_ecs_service")[1].network_configuration).toMatchObject({ subnets: SUBNETS, assign_public_ip: false });
      expect(only(json, "aws_lb_target_group")[1].vpc_id).toBe(VPC);
      for (const sg of Object.values<any>(resourcesOf(json, "aws_security_group"))) expect(sg.vpc_id).toBe(VPC);
    });
  });

  describe("image", () => {
    test("is built from GitHub into an immutable ECR tag, and the service runs the built digest", () => {
      const json = chatJson();
      const [repoId, repo] = only(json, "aws_ecr_repository");
      expect(repo).toMatchObject({ image_tag_mutability: "IMMUTABLE", name: "chat-dev-backend" });
      expect(findBy(json, "aws_codebuild_project", "name", "chat-dev-backend")[1]).toMatchObject({
        source: { type: "GITHUB", location: "https://github.com/Faaizz/simple_http_chatapp" },
        source_version: "main",
      });
      const steps = invocationSteps(json, "build-image");
      expect(steps[0][1].input).toContain('"imageTag" = "v1"');
      // The digest the last of the build's invocations returns (a build of up to 45 minutes, queue included).
      expect(containers(json)).toContain(
        `"image" = "\${aws_ecr_repository.${repoId}.repository_url}@\${jsondecode(aws_lambda_invocation.${steps[steps.length - 1][0]}.result).imageDigest}"`,
      );
    });

    test("builds the backend with the project's Dockerfile by default: a supported Go, a static binary in a scratch image run as a non-root user on the backend port", () => {
      const spec = findBy(chatJson(), "aws_codebuild_project", "name", "chat-dev-backend")[1].source.buildspec;
      expect(spec).toContain(`cat > ".websocket-gateway.Dockerfile" <<'WEBSOCKET_GATEWAY_DOCKERFILE'`);
      expect(spec).toContain("FROM golang:1.26-alpine AS build");
      expect(spec).toContain("FROM scratch");
      expect(spec).toContain("USER 65532:65532");
      expect(spec).toContain("ENV HTTP_PORT=8080");
      expect(spec).toContain('docker build --file ".websocket-gateway.Dockerfile"');
      expect(chatJson({ chat: { backend: { image: { goVersion: "1.27" } } } })).toBeDefined();
    });

    test("builds the repository's own Dockerfile when chat.backend.image.dockerfile names it", () => {
      const spec = findBy(
        chatJson({ chat: { backend: { port: 80, image: { dockerfile: "Dockerfile" } } } }),
        "aws_codebuild_project",
        "name",
        "chat-dev-backend",
      )[1].source.buildspec;
      expect(spec).not.toContain(".websocket-gateway.Dockerfile");
      expect(spec).toContain('docker build --file "Dockerfile"');
    });

    test("runs the image build, then the frontend build (one CodeBuild build at a time: a new account's quota of 1 runs both)", () => {
      const json = chatJson();
      const image = invocationSteps(json, "build-image");
      const [, frontendFirst] = invocationSteps(json, "deploy-frontend")[0];
      expect(frontendFirst.depends_on).toContain(`aws_lambda_invocation.${image[image.length - 1][0]}`);
    });

    test("runs an ARM64 image build beside the frontend's build: they draw on different quotas (ARM/Small, Linux/Small)", () => {
      const json = chatJson({ chat: { backend: { architecture: "ARM64" } } });
      const [, frontendFirst] = invocationSteps(json, "deploy-frontend")[0];
      expect(frontendFirst.depends_on.filter((d: string) => d.startsWith("aws_lambda_invocation."))).toEqual([]);
    });

    test("pulls Docker Official Images from ECR Public by default: no Docker Hub account, no anonymous Docker Hub pulls", () => {
      const json = chatJson();
      const spec = findBy(json, "aws_codebuild_project", "name", "chat-dev-backend")[1].source.buildspec;
      expect(spec).toContain("aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws");
      expect(spec).toContain('python3 - ".websocket-gateway.Dockerfile" public.ecr.aws/docker');
      expect(resourcesOf(json, "aws_ecr_pull_through_cache_rule")).toEqual({});
    });

    test("logs in to Docker Hub with the credentials secret when dockerHub.kind is login", () => {
      const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:docker-hub-AbCdEf";
      const json = chatJson({ chat: { backend: { image: { dockerHub: { kind: "login", credentialsSecretArn: secret } } } } });
      const [, project] = findBy(json, "aws_codebuild_project", "name", "chat-dev-backend");
      expect(project.environment.environment_variable).toEqual(
        expect.arrayContaining([
          { name: "DOCKER_HUB_USERNAME", value: `${secret}:username`, type: "SECRETS_MANAGER" },
          { name: "DOCKER_HUB_ACCESS_TOKEN", value: `${secret}:accessToken`, type: "SECRETS_MANAGER" },
        ]),
      );
      expect(role(json, "chat-dev-backend-build").inline["build-and-push"].find((s: any) => s.sid === "DockerHubCredentials")).toEqual(
        allow("DockerHubCredentials", ["secretsmanager:GetSecretValue"], [secret]),
      );
    });

    test("pulls through an ECR cache of Docker Hub with the given prefix when dockerHub.kind is pull-through-cache", () => {
      const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
      const json = chatJson({
        chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: secret, repositoryPrefix: "hub" } } } },
      });
      expect(only(json, "aws_ecr_pull_through_cache_rule")[1]).toMatchObject({
        ecr_repository_prefix: "hub",
        upstream_registry_url: "registry-1.docker.io",
        credential_arn: secret,
      });
      const none = chatJson({
        chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: secret, repositoryPrefix: "hub", createRule: false } } } },
      });
      expect(resourcesOf(none, "aws_ecr_pull_through_cache_rule")).toEqual({});
    });

    test("leaves the pull through cache rule out on the emulator, which has none, and says so", () => {
      const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
      const { chat } = buildStacks({
        target: { kind: "emulator" },
        chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: secret } } } },
      });
      expect(resourcesOf(synthJson(chat), "aws_ecr_pull_through_cache_rule")).toEqual({});
      expect(chat.omissions.map((o) => o.what)).toContain("aws_ecr_pull_through_cache_rule (the image build's Docker Hub cache)");
    });

    test("is the given image when image.uri is set: no ECR, CodeBuild or Lambda, and pulls only from its repository", () => {
      // GIVEN / WHEN
      const json = chatJson({ chat: { backend: { image: { uri: ECR_IMAGE } }, frontend: { enabled: false }, apiGatewayAccount: { manage: false } } });
      // THEN
      for (const type of ["aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_codebuild_project", "aws_lambda_function", "aws_lambda_invocation"]) {
        expect({ type, resources: resourcesOf(json, type) }).toEqual({ type, resources: {} });
      }
      expect(containers(json)).toContain(`"image" = "${ECR_IMAGE}"`);
      expect(json.output.backend_image.value).toBe(ECR_IMAGE);
      expect(json.output.ecr_repository_url).toBeUndefined();
      const pull = role(json, "chat-dev-backend-execution").inline["pull-image-and-write-logs"].find((s: any) => s.sid === "PullImage");
      expect(pull.resources).toEqual(["arn:aws:ecr:us-east-1:123456789012:repository/chat/backend"]);
    });

    test("keeps the Lambda for the frontend and the account check only, when the image is given", () => {
      const json = chatJson({ chat: { backend: { image: { uri: "ghcr.io/acme/chat:v1.2.3" } } } });
      expect(Object.keys(invocationsByAction(json)).sort()).toEqual(["api-gateway-account", "deploy-frontend"]);
      expect(role(json, "chat-dev-deploy-actions").inline["deploy-actions"].map((s: any) => s.sid)).toEqual([
        "OwnLogs",
        "RunFrontendBuild",
        "ReadFrontendRelease",
      ]);
      expect(role(json, "chat-dev-backend-execution").inline["pull-image-and-write-logs"].map((s: any) => s.sid)).toEqual(["ContainerLogs"]);
      const repository = chatJson({
        chat: { backend: { image: { uri: "ghcr.io/acme/chat:v1.2.3" } }, frontend: { source: "repository" }, apiGatewayAccount: { manage: false } },
      });
      expect(Object.keys(invocationsByAction(repository))).toEqual(["connect-repository", "start-amplify-job"]);
    });

    test("keeps only the account check's Lambda, with a given image and no frontend", () => {
      const json = chatJson({ chat: { backend: { image: { uri: ECR_IMAGE } }, frontend: { enabled: false } } });
      expect(Object.keys(invocationsByAction(json))).toEqual(["api-gateway-account"]);
      expect(Object.values<any>(resourcesOf(json, "aws_lambda_function")).map((f) => f.function_name)).toEqual(["chat-dev-account-check"]);
    });
  });

  describe("production", () => {
    test("protects the NLB and the table from deletion and keeps images on destroy", () => {
      const json = chatJson({ environment: "production" });
      expect(only(json, "aws_lb")[1].enable_deletion_protection).toBe(true);
      expect(only(json, "aws_dynamodb_table")[1].deletion_protection_enabled).toBe(true);
      expect(only(json, "aws_ecr_repository")[1].force_delete).toBe(false);
    });

    test("leaves deletion protection off elsewhere, unless asked", () => {
      const dev = chatJson();
      expect(only(dev, "aws_lb")[1].enable_deletion_protection).toBe(false);
      expect(only(dev, "aws_dynamodb_table")[1].deletion_protection_enabled).toBe(false);
      const asked = chatJson({ chat: { deletionProtection: true } });
      expect(only(asked, "aws_lb")[1].enable_deletion_protection).toBe(true);
    });
  });

  describe("dashboard", () => {
    /** What each dimension of the dashboard's metrics must be: a reference to the stack's own resource. */
    function ownResources(json: any) {
      const [apiId] = only(json, "aws_apigatewayv2_api");
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      const [lbId] = only(json, "aws_lb");
      const [tgId] = only(json, "aws_lb_target_group");
      const [clusterId] = only(json, "aws_ecs_cluster");
      const [serviceId] = only(json, "aws_ecs_service");
      const [tableId] = only(json, "aws_dynamodb_table");
      const stage = { ApiId: ref("aws_apigatewayv2_api", apiId), Stage: ref("aws_apigatewayv2_stage", stageId, "name") };
      const service = { ClusterName: ref("aws_ecs_cluster", clusterId, "name"), ServiceName: ref("aws_ecs_service", serviceId, "name") };
      return {
        stage,
        byNamespace: {
          "AWS/ApiGateway": stage,
          WebSocketGateway: stage,
          "AWS/NetworkELB": { LoadBalancer: ref("aws_lb", lbId, "arn_suffix"), TargetGroup: ref("aws_lb_target_group", tgId, "arn_suffix") },
          "ECS/ContainerInsights": service,
          "AWS/ECS": service,
          "AWS/DynamoDB": { TableName: ref("aws_dynamodb_table", tableId, "name") },
        } as Record<string, Record<string, string>>,
        accessLogGroup: ref(
          "aws_cloudwatch_log_group",
          findBy(json, "aws_cloudwatch_log_group", "name", "/aws/apigatewayv2/chat-dev-websocket/prod")[0],
          "name",
        ),
      };
    }

    test("is on by default, named after the stack, and reads only the stack's own resources: every metric's dimensions, every log query's log group", () => {
      // GIVEN the defaults
      const json = chatJson();
      const [, dashboard] = only(json, "aws_cloudwatch_dashboard");
      const own = ownResources(json);
      // WHEN the body is read as CloudWatch reads it
      const metrics = dashboardMetrics(dashboard.dashboard_body);
      // THEN every metric's every dimension is a reference to the resource of the stack it names
      expect(dashboard.dashboard_name).toBe("chat-dev");
      expect(new Set(metrics.map((m) => m.namespace))).toEqual(new Set(Object.keys(own.byNamespace)));
      for (const m of metrics) {
        const { Operation, ...dimensions } = m.dimensions;
        const expected = own.byNamespace[m.namespace];
        // AWS/NetworkELB: targets by load balancer and target group; flows and resets by load balancer only
        const wanted = m.namespace === "AWS/NetworkELB" && !/HostCount$/.test(m.metricName) ? { LoadBalancer: expected.LoadBalancer } : expected;
        expect({ widget: m.widget, metric: m.metricName, dimensions }).toEqual({ widget: m.widget, metric: m.metricName, dimensions: wanted });
        if (m.namespace === "AWS/DynamoDB" && Operation !== undefined) expect(["GetItem", "PutItem", "DeleteItem", "Scan"]).toContain(Operation);
      }
      // the metrics of the brief, each drawn
      const drawn = new Set(metrics.map((m) => `${m.namespace}:${m.metricName}`));
      for (const name of [
        "AWS/ApiGateway:ConnectCount",
        "AWS/ApiGateway:MessageCount",
        "AWS/ApiGateway:IntegrationError",
        "AWS/ApiGateway:ClientError",
        "AWS/ApiGateway:ExecutionError",
        "AWS/ApiGateway:IntegrationLatency",
        "WebSocketGateway:ConnectionsOpened",
        "WebSocketGateway:ConnectionsClosed",
        "WebSocketGateway:ConnectsRejected",
        "WebSocketGateway:ThrottledConnects",
        "WebSocketGateway:ThrottledMessages",
        "AWS/NetworkELB:HealthyHostCount",
        "AWS/NetworkELB:UnHealthyHostCount",
        "AWS/NetworkELB:ActiveFlowCount",
        "AWS/NetworkELB:TCP_Target_Reset_Count",
        "ECS/ContainerInsights:RunningTaskCount",
        "AWS/ECS:CPUUtilization",
        "AWS/ECS:MemoryUtilization",
        "AWS/DynamoDB:ReadThrottleEvents",
        "AWS/DynamoDB:WriteThrottleEvents",
        "AWS/DynamoDB:SuccessfulRequestLatency",
      ])
        expect(drawn).toContain(name);
      // the Logs Insights widgets query the stage's access log group, and every widget is in the stack's region
      const sources = dashboardLogSources(dashboard.dashboard_body);
      expect(sources.length).toBeGreaterThanOrEqual(3);
      for (const s of sources) expect(s.sources).toEqual([own.accessLogGroup]);
      expect(dashboardRegions(dashboard.dashboard_body)).toEqual(["${data.aws_region.region.name}"]);
    });

    test("reads metrics the stack's metric filters publish, with the dimensions the access logs carry", () => {
      const json = chatJson();
      const own = ownResources(json);
      const filters = Object.values<any>(resourcesOf(json, "aws_cloudwatch_log_metric_filter"));
      const custom = dashboardMetrics(only(json, "aws_cloudwatch_dashboard")[1].dashboard_body).filter((m) => m.namespace === "WebSocketGateway");
      for (const m of custom) {
        const filter = filters.find((f) => f.metric_transformation.namespace === m.namespace && f.metric_transformation.name === m.metricName);
        expect({ metric: m.metricName, filter: filter?.log_group_name, dimensions: filter?.metric_transformation.dimensions }).toEqual({
          metric: m.metricName,
          filter: own.accessLogGroup,
          dimensions: { ApiId: "$.apiId", Stage: "$.stage" },
        });
      }
      // the stage's access logs carry those fields
      const format = JSON.parse(only(json, "aws_apigatewayv2_stage")[1].access_log_settings.format);
      expect(format).toMatchObject({ apiId: "$context.apiId", stage: "$context.stage", eventType: "$context.eventType", status: "$context.status" });
    });

    test("gauges connected clients as the connections opened over the last 2 hours, the longest a connection lives", () => {
      const body = JSON.parse(only(chatJson(), "aws_cloudwatch_dashboard")[1].dashboard_body);
      const gauge = body.widgets.find((w: any) => w.properties.view === "singleValue");
      expect(gauge.properties).toMatchObject({ start: "-PT2H", setPeriodToTimeRange: true, stat: "Sum" });
      expect(gauge.properties.metrics.map((e: unknown[]) => e[1])).toEqual(["ConnectionsOpened"]);
      expect(body).toMatchObject({ start: "-PT3H", periodOverride: "inherit" });
    });

    test("counts the backend's @connections calls from the frames that make them: message and online", () => {
      const body = JSON.parse(only(chatJson(), "aws_cloudwatch_dashboard")[1].dashboard_body);
      const calls = body.widgets.find((w: any) => w.type === "log" && /@connections/.test(w.properties.title));
      expect(calls.properties.query).toContain('routeKey in ["message", "online"] and integrationStatus like /^2/');
      expect(CHAT_ROUTES.filter((r) => r.fields.includes("url")).map((r) => r.routeKey)).toEqual(["message", "online"]);
    });

    test("draws each route of the API when the stage's detailed metrics are on", () => {
      const json = chatJson({ chat: { api: { detailedMetricsEnabled: true } } });
      const routeKeys = Object.values<any>(resourcesOf(json, "aws_apigatewayv2_route")).map((r) => r.route_key);
      const own = ownResources(json);
      const perRoute = dashboardMetrics(only(json, "aws_cloudwatch_dashboard")[1].dashboard_body).filter((m) => m.dimensions.Route !== undefined);
      expect([...new Set(perRoute.map((m) => m.dimensions.Route))].sort()).toEqual(routeKeys.sort());
      for (const m of perRoute) expect(m.dimensions).toEqual({ ...own.stage, Route: m.dimensions.Route });
      expect(dashboardMetrics(only(chatJson(), "aws_cloudwatch_dashboard")[1].dashboard_body).some((m) => m.dimensions.Route)).toBe(false);
    });

    test("is left out, with its metric filters, when chat.dashboard.enabled is false and alarms are off", () => {
      const json = chatJson({ chat: { dashboard: { enabled: false } } });
      expect(resourcesOf(json, "aws_cloudwatch_dashboard")).toEqual({});
      expect(resourcesOf(json, "aws_cloudwatch_log_metric_filter")).toEqual({});
      // the alarms keep the filters they read
      const alarmsOnly = chatJson({ chat: { dashboard: { enabled: false }, alarms: { enabled: true } } });
      expect(Object.keys(resourcesOf(alarmsOnly, "aws_cloudwatch_log_metric_filter"))).toHaveLength(5);
    });

    test("is on the emulator target too (moto keeps dashboards and metric filters)", () => {
      const json = chatJson({ target: { kind: "emulator" } });
      expect(Object.keys(resourcesOf(json, "aws_cloudwatch_dashboard"))).toHaveLength(1);
      expect(Object.keys(resourcesOf(json, "aws_cloudwatch_log_metric_filter"))).toHaveLength(5);
    });
  });

  describe("alarms", () => {
    test("are off by default", () => {
      const json = chatJson();
      for (const type of ["aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_kms_key"]) expect(resourcesOf(json, type)).toEqual({});
    });

    test("when enabled, are eight alarms on a new KMS-encrypted topic with the e-mail subscribed", () => {
      // GIVEN / WHEN
      const json = chatJson({ chat: { alarms: { enabled: true, email: "ops@example.com" } } });
      const [topicId, topic] = only(json, "aws_sns_topic");
      const [keyId] = only(json, "aws_kms_key");
      // THEN
      const alarms = Object.values<any>(resourcesOf(json, "aws_cloudwatch_metric_alarm"));
      expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
        "chat-dev-api-connected-clients",
        "chat-dev-api-execution-errors",
        "chat-dev-api-integration-errors",
        "chat-dev-api-rejected-connects",
        "chat-dev-api-throttled-requests",
        "chat-dev-nlb-target-resets",
        "chat-dev-nlb-unhealthy-targets",
        "chat-dev-service-cpu",
      ]);
      for (const a of alarms)
        expect(a).toMatchObject({ alarm_actions: [ref("aws_sns_topic", topicId, "arn")], ok_actions: [ref("aws_sns_topic", topicId, "arn")] });
      expect(topic).toEqual({ name: "chat-dev-alarms", kms_master_key_id: ref("aws_kms_key", keyId, "arn") });
      expect(only(json, "aws_kms_key")[1]).toMatchObject({ enable_key_rotation: true });
      expect(only(json, "aws_sns_topic_subscription")[1]).toEqual({
        topic_arn: ref("aws_sns_topic", topicId, "arn"),
        protocol: "email",
        endpoint: "ops@example.com",
      });
    });

    test("when given a topic, notify it and create none", () => {
      const topic = "arn:aws:sns:us-east-1:123456789012:ops";
      const json = chatJson({ chat: { alarms: { enabled: true, snsTopicArn: topic } } });
      for (const type of ["aws_sns_topic", "aws_kms_key", "aws_sns_topic_subscription"]) expect(resourcesOf(json, type)).toEqual({});
      const alarms = Object.values<any>(resourcesOf(json, "aws_cloudwatch_metric_alarm"));
      expect(alarms).toHaveLength(8);
      for (const a of alarms) expect(a.alarm_actions).toEqual([topic]);
    });
  });

  describe("API Gateway CloudWatch role", () => {
    test("is left alone when apiGatewayAccount.manage is false", () => {
      const json = chatJson({ chat: { apiGatewayAccount: { manage: false } } });
      expect(resourcesOf(json, "aws_api_gateway_account")).toEqual({});
      expect(Object.values<any>(resourcesOf(json, "aws_iam_role")).map((r) => r.name)).not.toContain("chat-dev-apigw-cloudwatch");
      expect(only(json, "aws_apigatewayv2_stage")[1].depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.stage_ExecutionLogs_/)]);
    });

    test("takes the role name from the settings", () => {
      const json = chatJson({ chat: { apiGatewayAccount: { roleName: "shared-apigw-logs" } } });
      expect(invocationsByAction(json)["api-gateway-account"][1].input).toContain('"roleName" = "shared-apigw-logs"');
    });

    test("is shared with the region's other stacks: a CRUD invocation (on create, update and destroy) of the account function, before the stage", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [accountId, account] = invocationsByAction(json)["api-gateway-account"];
      const [apiId] = only(json, "aws_apigatewayv2_api");
      // THEN the stack is known by its name and its API's id, and its role of release 2.0.0 is recognised
      expect(account.lifecycle_scope).toBe("CRUD");
      expect(account.input).toContain(`"roleName" = "apigateway-cloudwatch-logs", "rolePath" = "/websocket-gateway/"`);
      expect(account.input).toContain(`"user" = "chat chat-dev \${aws_apigatewayv2_api.${apiId}.id}"`);
      expect(account.input).toContain('"previousRoleNames" = ["chat-dev-apigw-cloudwatch"]');
      expect(account.input).toContain(
        '"keepHint" = "set chat.apiGatewayAccount.manage to false", "replaceHint" = "set chat.apiGatewayAccount.replaceExisting to true"',
      );
      expect(account.depends_on).toContain(`aws_apigatewayv2_api.${apiId}`);
      // the stage (which logs) waits for the setting
      expect(only(json, "aws_apigatewayv2_stage")[1].depends_on).toContain(`aws_lambda_invocation.${accountId}`);
      expect(resourcesOf(json, "aws_api_gateway_account")).toEqual({});
    });

    test("forgets what release 2.0.0 made for the setting (removed blocks, destroy = false): destroying it would reset the setting", () => {
      const removed = chatJson().removed;
      expect(removed).toEqual(
        [
          "aws_iam_role.apigateway-cloudwatch-role_Role_0819448F",
          "aws_iam_role_policy_attachment.apigateway-cloudwatch-role_PushToCloudWatchLogs_5E1BE7E1",
          "aws_api_gateway_account.apigateway-cloudwatch-role_011F5D24",
          "aws_lambda_invocation.account-check_CheckApiGatewayAccount_3407F173",
        ].map((from) => ({ from, lifecycle: { destroy: false } })),
      );
    });

    test("replaces a role the region has only when apiGatewayAccount.replaceExisting is true", () => {
      const [, account] = invocationsByAction(chatJson({ chat: { apiGatewayAccount: { replaceExisting: true } } }))["api-gateway-account"];
      expect(account.input).toContain('"replaceExisting" = true');
    });

    test("is neither checked nor set when apiGatewayAccount.manage is false", () => {
      const json = chatJson({ chat: { apiGatewayAccount: { manage: false } } });
      expect(invocationsByAction(json)["api-gateway-account"]).toBeUndefined();
      expect(Object.values<any>(resourcesOf(json, "aws_lambda_function")).map((f) => f.function_name)).toEqual(["chat-dev-deploy-actions"]);
    });

    test("is managed by a function of its own, so the stage, which waits for the setting, and the frontend's build, which waits for the stage, make no cycle", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [, account] = invocationsByAction(json)["api-gateway-account"];
      const [functionId] = findBy(json, "aws_lambda_function", "function_name", "chat-dev-account-check");
      // THEN it runs the account-check function, whose policy names nothing of the frontend
      expect(account.function_name).toBe(ref("aws_lambda_function", functionId, "function_name"));
      const policy = JSON.stringify(role(json, "chat-dev-account-check").inline);
      expect(policy).not.toMatch(/amplify|codebuild/);
    });
  });

  describe("frontend", () => {
    test("is built by CodeBuild at the git ref with the stage's wss URL and published to an Amplify app with no repository, by default", () => {
      // GIVEN / WHEN
      const json = chatJson();
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      const [appId, app] = only(json, "aws_amplify_app");
      const [, project] = findBy(json, "aws_codebuild_project", "name", "chat-dev-frontend");
      const [, deploy] = invocationsByAction(json)["deploy-frontend"];
      // THEN the app has no repository, token or webhook; its branch is not built by Amplify
      expect(app).toMatchObject({ name: "chat-dev-frontend", platform: "WEB", custom_rule: [{ source: "/<*>", target: "/index.html", status: "404" }] });
      for (const key of ["repository", "access_token", "oauth_token", "environment_variables"]) expect(app[key]).toBeUndefined();
      expect(only(json, "aws_amplify_branch")[1]).toMatchObject({ app_id: ref("aws_amplify_app", appId), branch_name: "main", enable_auto_build: false });
      // the public repository is built at the ref, with WEBSOCKET_URL set to the stage's URL
      expect(project).toMatchObject({
        source: { type: "GITHUB", location: "https://github.com/Faaizz/simple_websocket_chatapp_frontend" },
        source_version: "main",
      });
      expect(project.source.auth).toBeUndefined();
      expect(project.environment.environment_variable).toContainEqual({ name: "WEBSOCKET_URL", value: ref("aws_apigatewayv2_stage", stageId, "invoke_url") });
      expect(project.environment.privileged_mode).toBe(false);
      // and the apply runs the build and waits for Amplify's release; a new URL runs it again
      expect(deploy.input).toContain(`"environment" = {"WEBSOCKET_URL" = aws_apigatewayv2_stage.${stageId}.invoke_url}`);
      expect(deploy.input).toContain('"sourceVersion" = "main"');
      expect(invocationsByAction(json)["connect-repository"]).toBeUndefined();
      expect(json.output.frontend_url.value).toContain(`.\${aws_amplify_app.${appId}.default_domain}`);
    });

    test("builds the ref, output folder and Node.js version of the settings", () => {
      const json = chatJson({ chat: { frontend: { gitRef: "v1.2.0", branch: "live", build: { outputDirectory: "dist", nodeVersion: "20" } } } });
      const [, project] = findBy(json, "aws_codebuild_project", "name", "chat-dev-frontend");
      expect(project.source_version).toBe("v1.2.0");
      expect(project.source.buildspec).toContain("nodejs: 20");
      expect(project.source.buildspec).toContain("dist");
      expect(only(json, "aws_amplify_branch")[1].branch_name).toBe("live");
      expect(invocationsByAction(json)["deploy-frontend"][1].input).toContain('"sourceVersion" = "v1.2.0"');
    });

    test("is a different app than the repository-connected one: switching sources replaces it (Amplify cannot convert an app)", () => {
      const build = Object.keys(resourcesOf(chatJson(), "aws_amplify_app"));
      const repository = Object.keys(resourcesOf(chatJson(REPOSITORY), "aws_amplify_app"));
      expect(build).toEqual([expect.stringMatching(/^frontend-site_/)]);
      expect(repository).toEqual([expect.stringMatching(/^frontend_/)]);
    });

    test("with source repository, is an Amplify app connected by the deploy actions, built by Amplify with the stage's wss URL", () => {
      const json = chatJson(REPOSITORY);
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      expect(only(json, "aws_amplify_app")[1]).toMatchObject({
        environment_variables: { WEBSOCKET_URL: ref("aws_apigatewayv2_stage", stageId, "invoke_url") },
        custom_rule: [{ source: "/<*>", target: "/index.html", status: "404" }],
      });
      const [, connect] = invocationsByAction(json)["connect-repository"];
      expect(connect.input).toContain('"repository" = "https://github.com/Faaizz/simple_websocket_chatapp_frontend"');
      expect(only(json, "aws_amplify_branch")[1].branch_name).toBe("main");
      expect(Object.values<any>(resourcesOf(json, "aws_codebuild_project")).map((p) => p.name)).toEqual(["chat-dev-backend"]);
    });
  });

  describe("state backend", () => {
    test("is a local file in the project folder, written relative to the stack folder", () => {
      expect(chatJson().terraform.backend).toEqual({ local: { path: "../../../terraform.chat.tfstate" } });
    });

    test("is an encrypted, lock-file-locked S3 object per stack", () => {
      // GIVEN
      const kms = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      // WHEN
      const json = chatJson({ state: { backend: "s3", s3: { bucket: "acme-tf-state", kmsKeyArn: kms } } });
      // THEN
      expect(json.terraform.backend).toEqual({
        s3: {
          bucket: "acme-tf-state",
          key: "websocket-gateway/chat/terraform.tfstate",
          region: "us-east-1",
          encrypt: true,
          kms_key_id: kms,
          use_lockfile: true,
        },
      });
    });

    test("is S3 in the bucket's own region, with another prefix, without lock file when asked", () => {
      const json = chatJson({
        region: "eu-west-1",
        state: { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-2", keyPrefix: "teams/chat", useLockfile: false } },
      });
      expect(json.terraform.backend).toEqual({ s3: { bucket: "acme-tf-state", key: "teams/chat/chat/terraform.tfstate", region: "us-east-2", encrypt: true } });
    });

    test("is a named HCP Terraform workspace, in a project", () => {
      const json = chatJson({ state: { backend: "cloud", cloud: { organization: "acme", workspace: "chat-dev", project: "chat" } } });
      expect(json.terraform.backend).toBeUndefined();
      expect(json.terraform.cloud).toEqual({ hostname: "app.terraform.io", organization: "acme", workspaces: { name: "chat-dev", project: "chat" } });
    });

    test("is the HCP Terraform workspaces with the given tags, on another host", () => {
      const json = chatJson({ state: { backend: "cloud", cloud: { hostname: "tfe.example.com", organization: "acme", workspaceTags: ["chat", "dev"] } } });
      expect(json.terraform.cloud).toEqual({ hostname: "tfe.example.com", organization: "acme", workspaces: { tags: ["chat", "dev"] } });
    });

    test("is the one written to cdk.tf.json by a real synth", () => {
      const outdir = path.join(tempDir("backend-"), "cdktf.out");
      synthesize(settingsWith({ state: { backend: "s3", s3: { bucket: "acme-tf-state" } } }), outdir);
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "chat", "cdk.tf.json"), "utf8"));
      expect(json.terraform.backend).toEqual({
        s3: { bucket: "acme-tf-state", key: "websocket-gateway/chat/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
      });
    });
  });

  describe("outputs", () => {
    test("are the frontend, wss and callback URLs, ids, names and log groups, each described", () => {
      const json = chatJson();
      expect(Object.keys(json.output).sort()).toEqual(
        [
          "api_access_log_group_name",
          "api_execution_log_group_name",
          "api_id",
          "backend_image",
          "backend_log_group_name",
          "connections_callback_url",
          "connections_table_name",
          "ecr_repository_url",
          "ecs_cluster_name",
          "ecs_service_name",
          "frontend_url",
          "tracing_log_group_name",
          "websocket_url",
        ].sort(),
      );
      for (const [name, o] of Object.entries<any>(json.output))
        expect({ name, described: typeof o.description === "string" && o.description.length > 10 }).toEqual({ name, described: true });
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      expect(json.output.websocket_url.value).toBe(ref("aws_apigatewayv2_stage", stageId, "invoke_url"));
      expect(json.output.connections_callback_url.value).toBe(`\${replace(aws_apigatewayv2_stage.${stageId}.invoke_url, "wss://", "https://")}`);
    });
  });

  describe("production edges (custom domain, $connect authorization, per-route throttling)", () => {
    const ZONE = "Z0123456789ABCDEFGHIJ";
    const FN = "arn:aws:lambda:us-east-1:123456789012:function:chat-auth";
    const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";
    const EDGES = {
      chat: {
        domain: { name: "chat.example.com", hostedZoneId: ZONE, mappingKey: "chat" },
        api: { authorization: { type: "CUSTOM", functionArn: FN }, routeThrottle: { message: { burstLimit: 20 }, $connect: { rateLimit: 5 } } },
      },
    };
    /** The @connections URL a template gets behind a custom domain: the API's own endpoint and the stage. */
    const apiCallbackUrl = (json: any) =>
      `\${replace(aws_apigatewayv2_api.${only(json, "aws_apigatewayv2_api")[0]}.api_endpoint, "wss://", "https://")}/$context.stage`;

    test("are off by default: $connect open, no domain, no authorizer, no route settings, the request's host in the callback URL", () => {
      const json = chatJson();
      for (const type of [
        "aws_apigatewayv2_domain_name",
        "aws_apigatewayv2_api_mapping",
        "aws_apigatewayv2_authorizer",
        "aws_acm_certificate",
        "aws_route53_record",
      ]) {
        expect([type, resourcesOf(json, type)]).toEqual([type, {}]);
      }
      expect(resourcesOf(json, "aws_lambda_permission")).toEqual({});
      expect(route(json, "$connect").route.authorization_type).toBeUndefined();
      expect(only(json, "aws_apigatewayv2_stage")[1].route_settings).toEqual([]);
      expect(route(json, "online").integration.request_templates.$default).toContain('"url":"https://$context.domainName/$context.stage"');
    });

    test("authorize $connect with the configured Lambda REQUEST authorizer, and only $connect", () => {
      const json = chatJson(EDGES);
      const [authorizerId, authorizer] = only(json, "aws_apigatewayv2_authorizer");
      expect(authorizer).toMatchObject({
        authorizer_type: "REQUEST",
        name: "chat-dev-connect",
        identity_sources: ["route.request.querystring.token"],
        authorizer_uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`,
      });
      expect(only(json, "aws_lambda_permission")[1]).toMatchObject({ function_name: FN, principal: "apigateway.amazonaws.com" });
      expect(route(json, "$connect").route).toMatchObject({ authorization_type: "CUSTOM", authorizer_id: ref("aws_apigatewayv2_authorizer", authorizerId) });
      for (const key of ["$disconnect", "username", "message", "online", "$default"])
        expect([key, route(json, key).route.authorization_type]).toEqual([key, undefined]);
      expect(json.output.connect_authorizer_id.value).toBe(ref("aws_apigatewayv2_authorizer", authorizerId));
    });

    test("give the backend the authorizer's principal id in every body, and the API's own @connections URL behind the domain", () => {
      const json = chatJson(EDGES);
      for (const key of ["$connect", "$disconnect", "username", "message", "online"]) {
        expect([key, route(json, key).integration.request_templates.$default]).toEqual([
          key,
          expect.stringContaining('"principalId":"$util.escapeJavaScript($context.authorizer.principalId)'),
        ]);
      }
      for (const key of ["message", "online"]) expect(route(json, key).integration.request_templates.$default).toContain(`"url":"${apiCallbackUrl(json)}"`);
    });

    test("serve the stage under the custom domain, and build the frontend with that URL", () => {
      const json = chatJson(EDGES);
      const [domainId, domain] = only(json, "aws_apigatewayv2_domain_name");
      expect(domain).toMatchObject({
        domain_name: "chat.example.com",
        domain_name_configuration: { endpoint_type: "REGIONAL", security_policy: "TLS_1_2", ip_address_type: "dualstack" },
      });
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      expect(only(json, "aws_apigatewayv2_api_mapping")[1]).toMatchObject({ api_mapping_key: "chat", stage: ref("aws_apigatewayv2_stage", stageId, "name") });
      const records = Object.values<any>(resourcesOf(json, "aws_route53_record"));
      expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(["A", "AAAA", expect.stringContaining("domain_validation_options")]));
      expect(records.every((r) => r.zone_id === ZONE)).toBe(true);
      expect(only(json, "aws_acm_certificate")[1]).toMatchObject({ domain_name: "chat.example.com", validation_method: "DNS" });
      const url = `wss://${ref("aws_apigatewayv2_domain_name", domainId, "domain_name")}/chat`;
      // The frontend is built with the custom domain's URL.
      expect(findBy(json, "aws_codebuild_project", "name", "chat-dev-frontend")[1].environment.environment_variable).toContainEqual({
        name: "WEBSOCKET_URL",
        value: url,
      });
      expect(json.output.custom_domain_url.value).toBe(url);
      expect(json.output.custom_domain_target_domain_name.value).toBe(
        ref("aws_apigatewayv2_domain_name", domainId, "domain_name_configuration.0.target_domain_name"),
      );
      // The execute-api URLs stay what they were.
      expect(json.output.websocket_url.value).toBe(ref("aws_apigatewayv2_stage", stageId, "invoke_url"));
    });

    test("serve the stage at the root of a domain without mapping key, with a given certificate and no DNS records", () => {
      const json = chatJson({ chat: { domain: { name: "chat.example.com", certificateArn: CERT, ipAddressType: "ipv4" } } });
      const [domainId, domain] = only(json, "aws_apigatewayv2_domain_name");
      expect(domain.domain_name_configuration).toMatchObject({ certificate_arn: CERT, ip_address_type: "ipv4" });
      expect(resourcesOf(json, "aws_acm_certificate")).toEqual({});
      expect(resourcesOf(json, "aws_route53_record")).toEqual({});
      expect(only(json, "aws_apigatewayv2_api_mapping")[1].api_mapping_key).toBeUndefined();
      expect(findBy(json, "aws_codebuild_project", "name", "chat-dev-frontend")[1].environment.environment_variable).toContainEqual({
        name: "WEBSOCKET_URL",
        value: `wss://${ref("aws_apigatewayv2_domain_name", domainId, "domain_name")}`,
      });
      // Behind the domain, with or without mapping key, the backend calls the API's own host.
      expect(route(json, "online").integration.request_templates.$default).toContain(`"url":"${apiCallbackUrl(json)}"`);
      expect(route(json, "online").integration.request_templates.$default).not.toContain("principalId");
    });

    test("authorize $connect with IAM, and give the resource clients need execute-api:Invoke on", () => {
      const json = chatJson({ chat: { api: { authorization: { type: "AWS_IAM" } } } });
      expect(route(json, "$connect").route).toMatchObject({ authorization_type: "AWS_IAM" });
      expect(route(json, "$connect").route.authorizer_id).toBeUndefined();
      expect(resourcesOf(json, "aws_apigatewayv2_authorizer")).toEqual({});
      const [apiId] = only(json, "aws_apigatewayv2_api");
      const [stageId] = only(json, "aws_apigatewayv2_stage");
      expect(json.output.connect_route_arn.value).toBe(
        `${ref("aws_apigatewayv2_api", apiId, "execution_arn")}/${ref("aws_apigatewayv2_stage", stageId, "name")}/$connect`,
      );
    });

    test("throttle single routes with both limits, the one left out being the stage's", () => {
      const json = chatJson(EDGES);
      const [, stage] = only(json, "aws_apigatewayv2_stage");
      const settings = Object.fromEntries(
        stage.route_settings.map((r: any) => [r.route_key, [r.throttling_burst_limit, r.throttling_rate_limit, r.logging_level]]),
      );
      expect(settings).toEqual({ message: [20, 500, "ERROR"], $connect: [1000, 5, "ERROR"] });
      // API Gateway rejects settings of a route that does not exist yet.
      expect(stage.depends_on).toEqual(expect.arrayContaining([`aws_apigatewayv2_route.${findBy(json, "aws_apigatewayv2_route", "route_key", "message")[0]}`]));
    });

    test("pass their validations (the guardrails: TLS 1.2, authorized $connect, route limits)", () => {
      const { chat } = buildStacks(EDGES);
      expect(() => Testing.synth(chat, true)).not.toThrow();
    });

    test("use the one provider, whose profile points every service (ACM and Route 53 too) at the emulator on the emulator target", () => {
      const json = chatJson({ target: { kind: "emulator" }, chat: { domain: { name: "chat.example.com", hostedZoneId: ZONE } } });
      expect(json.provider.aws).toHaveLength(1);
      expect(json.provider.aws[0]).toMatchObject({ profile: "wsgw-emulator" });
      for (const type of ["aws_acm_certificate", "aws_route53_record"])
        for (const r of Object.values<any>(resourcesOf(json, type))) expect(r.provider).toBeUndefined();
    });
  });
});
