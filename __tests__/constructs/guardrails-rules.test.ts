import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2IntegrationResponse } from "@cdktf/provider-aws/lib/apigatewayv2-integration-response";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage, Apigatewayv2StageConfig } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DynamodbTable, DynamodbTableConfig } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsAccountSettingDefault } from "@cdktf/provider-aws/lib/ecs-account-setting-default";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService, EcsServiceConfig } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { Lb, LbConfig } from "@cdktf/provider-aws/lib/lb";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, TerraformIterator, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Guardrails, GuardrailsOptions, ruleById } from "../../constructs/guardrails";
import { newStack } from "../helpers";

/**
 * One `fails when ...` test per rule: a small stack that violates it, and
 * the message the synth fails with (errors) or the violation reported
 * (warnings, info): rule id, construct path, the setting and the fix.
 */

/** The synth error of a stack with the guardrails applied. */
function synthError(stack: TerraformStack, options: GuardrailsOptions = {}): string {
  Guardrails.apply(stack, options);
  try {
    Testing.synth(stack, true);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

/** Asserts the synth fails with rule `ruleId` at `path`, naming the setting and the fix. */
function expectError(stack: TerraformStack, ruleId: string, path: string, setting: string, options: GuardrailsOptions = {}, fix = ruleById(ruleId)!.fix): void {
  const message = synthError(stack, options);
  expect(message).toContain(`${ruleId} error at ${path} [`);
  expect(message).toContain(setting);
  expect(message).toContain(fix);
  expect(message).toContain(`Guardrails.suppress(<construct>, "${ruleId}"`);
}

/** The violations of one rule, without synthesizing. */
function violations(stack: TerraformStack, ruleId: string, options: GuardrailsOptions = {}) {
  return Guardrails.evaluate(stack, options).violations.filter((v) => v.ruleId === ruleId);
}

const api = (stack: TerraformStack, protocolType = "WEBSOCKET", id = "api") =>
  new Apigatewayv2Api(stack, id, { name: id, protocolType, routeSelectionExpression: protocolType === "WEBSOCKET" ? "$request.body.action" : undefined });

const goodStage = (stack: TerraformStack, overrides: Partial<Apigatewayv2StageConfig> = {}) =>
  new Apigatewayv2Stage(stack, "stage", {
    apiId: api(stack).id,
    name: "prod",
    accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:access", format: '{"requestId":"$context.requestId"}' },
    defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50, dataTraceEnabled: false },
    ...overrides,
  });

const taskDefinition = (
  stack: TerraformStack,
  containers: unknown,
  roles = { executionRoleArn: "arn:aws:iam::123456789012:role/exec", taskRoleArn: "arn:aws:iam::123456789012:role/task" },
) =>
  new EcsTaskDefinition(stack, "task", {
    family: "app",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: Fn.jsonencode(containers),
    ...roles,
  });

const container = (extra: Record<string, unknown> = {}) => ({ name: "app", image: "nginx:1.27", essential: true, readonlyRootFilesystem: true, ...extra });

const service = (stack: TerraformStack, overrides: Partial<EcsServiceConfig> = {}) =>
  new EcsService(stack, "service", {
    name: "app",
    cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/app",
    taskDefinition: "app:1",
    networkConfiguration: { subnets: ["subnet-0123456789abcdef0"], assignPublicIp: false },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    ...overrides,
  });

const nlb = (stack: TerraformStack, overrides: Partial<LbConfig> = {}) =>
  new Lb(stack, "nlb", {
    name: "nlb",
    loadBalancerType: "network",
    internal: true,
    enableCrossZoneLoadBalancing: true,
    subnets: ["subnet-0123456789abcdef0"],
    ...overrides,
  });

const policyDocument = (stack: TerraformStack, actions: string[], resources: string[]) => {
  const doc = new DataAwsIamPolicyDocument(stack, "doc", { statement: [{ sid: "Grant", effect: "Allow", actions, resources }] });
  new IamRolePolicy(stack, "policy", { role: "app", policy: doc.json });
  return doc;
};

const table = (stack: TerraformStack, overrides: Partial<DynamodbTableConfig> = {}) =>
  new DynamodbTable(stack, "table", {
    name: "connections",
    billingMode: "PAY_PER_REQUEST",
    hashKey: "connectionId",
    attribute: [{ name: "connectionId", type: "S" }],
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true },
    ...overrides,
  });

describe("API Gateway rules", () => {
  test("passes a stage with JSON access logs and default throttling", () => {
    const stack = newStack();
    goodStage(stack);
    expect(synthError(stack)).toBe("");
  });

  test("fails when a stage has no access logging (WSG-APIGW-001)", () => {
    const stack = newStack();
    goodStage(stack, { accessLogSettings: undefined });
    expectError(stack, "WSG-APIGW-001", "test/stage", "access_log_settings must be set");
  });

  test("fails when the access log format is not JSON (WSG-APIGW-001)", () => {
    const stack = newStack();
    goodStage(stack, {
      accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:a", format: "$context.requestId $context.status" },
    });
    expectError(
      stack,
      "WSG-APIGW-001",
      "test/stage",
      'access_log_settings.format must be a JSON object format, got "$context.requestId $context.status"',
      {},
      "write the format as JSON",
    );
  });

  test("judges a dynamic access_log_settings block by its content (logs only where a condition holds)", () => {
    const dynamicLogs = (format: string) => {
      const stack = newStack();
      const stage = goodStage(stack, { accessLogSettings: undefined });
      stage.addOverride("dynamic.access_log_settings", {
        for_each: "${var.logs ? [1] : []}",
        content: { destination_arn: "arn:aws:logs:us-east-1:123456789012:log-group:a", format },
      });
      return stack;
    };
    expect(violations(dynamicLogs('{"requestId":"$context.requestId"}'), "WSG-APIGW-001")).toEqual([]);
    expectError(
      dynamicLogs("$context.requestId"),
      "WSG-APIGW-001",
      "test/stage",
      'access_log_settings.format must be a JSON object format, got "$context.requestId"',
      {},
      "write the format as JSON",
    );
  });

  test("accepts a JSON format whose numeric variables are unquoted", () => {
    const stack = newStack();
    goodStage(stack, {
      accessLogSettings: {
        destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:a",
        format: '{"requestId":"$context.requestId","latency":$context.integrationLatency}',
      },
    });
    expect(violations(stack, "WSG-APIGW-001")).toEqual([]);
  });

  test("fails when default route settings lack throttling (WSG-APIGW-002)", () => {
    const stack = newStack();
    goodStage(stack, { defaultRouteSettings: { throttlingBurstLimit: 100, loggingLevel: "ERROR" } });
    expectError(stack, "WSG-APIGW-002", "test/stage", "default_route_settings.throttling_rate_limit must be a number greater than 0, got nothing");
  });

  test("fails when a stage has no default route settings (WSG-APIGW-002)", () => {
    const stack = newStack();
    goodStage(stack, { defaultRouteSettings: undefined });
    expectError(
      stack,
      "WSG-APIGW-002",
      "test/stage",
      "default_route_settings must be set with throttling_burst_limit and throttling_rate_limit greater than 0",
    );
  });

  test("fails when data trace is on, as a warning (WSG-APIGW-003)", () => {
    const stack = newStack();
    goodStage(stack, { defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50, dataTraceEnabled: true } });
    const [v] = violations(stack, "WSG-APIGW-003");
    expect(v.severity).toBe("warning");
    expect(v.message).toMatch(
      /^WSG-APIGW-003 warning at test\/stage \[aws_apigatewayv2_stage\.stage\]: default_route_settings\.data_trace_enabled must be false, got true: set data_trace_enabled false/,
    );
    expect(synthError(stack)).toBe(""); // warnings do not fail the synth
  });

  test("fails when a dynamic route_settings block turns data trace on, as a warning (WSG-APIGW-003)", () => {
    // The module stacks write route settings as a dynamic block.
    const stack = newStack();
    const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
    goodStage(stack, {
      routeSettings: routes.dynamic({ route_key: routes.key, throttling_burst_limit: 10, throttling_rate_limit: 5, data_trace_enabled: true }),
    });
    const found = violations(stack, "WSG-APIGW-003");
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('dynamic "route_settings" content.data_trace_enabled must be false, got true');
  });

  test("leaves data trace from a variable in a dynamic route_settings block to Terraform (WSG-APIGW-003)", () => {
    const stack = newStack();
    const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
    const trace = new TerraformVariable(stack, "trace", { type: "bool" });
    goodStage(stack, {
      routeSettings: routes.dynamic({ route_key: routes.key, throttling_burst_limit: 10, throttling_rate_limit: 5, data_trace_enabled: trace.booleanValue }),
    });
    expect(violations(stack, "WSG-APIGW-003")).toEqual([]);
  });

  const domain = (stack: TerraformStack, securityPolicy: string) =>
    new Apigatewayv2DomainName(stack, "domain", {
      domainName: "ws.example.com",
      domainNameConfiguration: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", endpointType: "REGIONAL", securityPolicy },
    });

  test("passes a custom domain with TLS_1_2", () => {
    const stack = newStack();
    domain(stack, "TLS_1_2");
    expect(violations(stack, "WSG-APIGW-004")).toEqual([]);
  });

  test("fails when a custom domain's security policy is not TLS_1_2 (WSG-APIGW-004)", () => {
    const stack = newStack();
    domain(stack, "TLS_1_0");
    expectError(stack, "WSG-APIGW-004", "test/domain", 'domain_name_configuration.security_policy must be "TLS_1_2", got "TLS_1_0"');
  });

  test("leaves a security policy from a variable to Terraform (WSG-APIGW-004)", () => {
    const stack = newStack();
    domain(stack, new TerraformVariable(stack, "policy", { type: "string" }).stringValue);
    expect(violations(stack, "WSG-APIGW-004")).toEqual([]);
  });
});

describe("CloudWatch Logs rules", () => {
  test("fails when a log group has no retention (WSG-LOGS-001)", () => {
    const stack = newStack();
    new CloudwatchLogGroup(stack, "logs", { name: "/app" });
    expectError(stack, "WSG-LOGS-001", "test/logs", "retention_in_days must be a number of days greater than 0, got nothing");
  });

  test("fails when a log group has no KMS key: info by default, a warning with requireLogKms (WSG-LOGS-002)", () => {
    const stack = newStack();
    new CloudwatchLogGroup(stack, "logs", { name: "/app", retentionInDays: 30 });
    expect(violations(stack, "WSG-LOGS-002").map((v) => v.severity)).toEqual(["info"]);
    const [v] = violations(stack, "WSG-LOGS-002", { requireLogKms: true });
    expect(v.severity).toBe("warning");
    expect(v.message).toContain(
      "WSG-LOGS-002 warning at test/logs [aws_cloudwatch_log_group.logs]: kms_key_id must be a customer managed KMS key ARN, got nothing",
    );
    expect(v.message).toContain(ruleById("WSG-LOGS-002")!.fix);
    expect(synthError(stack, { requireLogKms: true })).toBe("");
  });
});

describe("ECS rules", () => {
  test("passes a read-only, unprivileged container with separate roles", () => {
    const stack = newStack();
    taskDefinition(stack, [container()]);
    expect(synthError(stack)).toBe("");
  });

  test("fails when a container's root file system is writable (WSG-ECS-001)", () => {
    const stack = newStack();
    taskDefinition(stack, [container(), container({ name: "sidecar", readonlyRootFilesystem: undefined })]);
    expectError(stack, "WSG-ECS-001", "test/task", "container_definitions[1] (sidecar).readonlyRootFilesystem must be true, got nothing");
  });

  test("fails when the container definitions are plain JSON with readonlyRootFilesystem false (WSG-ECS-001)", () => {
    const stack = newStack();
    const td = taskDefinition(stack, []);
    td.containerDefinitions = JSON.stringify([container({ readonlyRootFilesystem: false })]);
    expectError(stack, "WSG-ECS-001", "test/task", "container_definitions[0] (app).readonlyRootFilesystem must be true, got false");
  });

  test("fails when a container is privileged (WSG-ECS-002)", () => {
    const stack = newStack();
    taskDefinition(stack, [container({ privileged: true })]);
    expectError(stack, "WSG-ECS-002", "test/task", "container_definitions[0] (app).privileged must be false or unset, got true");
  });

  test("fails when the task role is the execution role (WSG-ECS-003)", () => {
    const stack = newStack();
    const role = new IamRole(stack, "role", { name: "app", assumeRolePolicy: "{}" });
    taskDefinition(stack, [container()], { executionRoleArn: role.arn, taskRoleArn: role.arn });
    expectError(stack, "WSG-ECS-003", "test/task", 'task_role_arn must be a different role than execution_role_arn ("${aws_iam_role.role.arn}")');
  });

  test("fails when a service assigns public IPs (WSG-ECS-004)", () => {
    const stack = newStack();
    service(stack, { networkConfiguration: { subnets: ["subnet-0123456789abcdef0"], assignPublicIp: true } });
    expectError(stack, "WSG-ECS-004", "test/service", "network_configuration.assign_public_ip must be false, got true");
  });

  test("fails when a cluster has no Container Insights (WSG-ECS-005)", () => {
    const stack = newStack();
    new EcsCluster(stack, "cluster", { name: "app" });
    new EcsCluster(stack, "disabled", { name: "off", setting: [{ name: "containerInsights", value: "disabled" }] });
    expectError(stack, "WSG-ECS-005", "test/cluster", 'setting "containerInsights" must be "enabled" or "enhanced", got nothing');
    expect(violations(stack, "WSG-ECS-005").map((v) => v.path)).toEqual(["test/cluster", "test/disabled"]);
  });

  test("fails when a second containerInsights setting turns it off, e.g. from an override (WSG-ECS-005)", () => {
    const stack = newStack();
    const cluster = new EcsCluster(stack, "cluster", { name: "app", setting: [{ name: "containerInsights", value: "enabled" }] });
    cluster.addOverride("setting", [{ name: "containerInsights", value: "disabled" }]);
    expectError(stack, "WSG-ECS-005", "test/cluster", 'setting[1] "containerInsights" must be "enabled" or "enhanced", got "disabled"');
  });

  test("fails when the account default turns Container Insights off (WSG-ECS-005)", () => {
    const stack = newStack();
    new EcsAccountSettingDefault(stack, "account", { name: "containerInsights", value: "disabled" });
    expectError(
      stack,
      "WSG-ECS-005",
      "test/account",
      'value must be "enabled" or "enhanced" for containerInsights, got "disabled"',
      {},
      'set the account default to "enabled"',
    );
  });

  test("leaves a dynamic setting block to Terraform (WSG-ECS-005)", () => {
    const stack = newStack();
    const settings = TerraformIterator.fromList(new TerraformVariable(stack, "settings", { type: "list(any)" }).listValue);
    new EcsCluster(stack, "cluster", { name: "app", setting: settings.dynamic({ name: settings.getString("name"), value: settings.getString("value") }) });
    expect(violations(stack, "WSG-ECS-005")).toEqual([]);
  });

  test("fails when a service has no deployment circuit breaker (WSG-ECS-006)", () => {
    const stack = newStack();
    service(stack, { deploymentCircuitBreaker: undefined });
    expectError(stack, "WSG-ECS-006", "test/service", "deployment_circuit_breaker must be set with enable = true, got nothing");
  });

  test("leaves the circuit breaker to CodeDeploy-controlled services", () => {
    const stack = newStack();
    service(stack, { deploymentCircuitBreaker: undefined, deploymentController: { type: "CODE_DEPLOY" } });
    expect(violations(stack, "WSG-ECS-006")).toEqual([]);
  });
});

describe("ECR rules", () => {
  test("passes a repository with immutable tags", () => {
    const stack = newStack();
    new EcrRepository(stack, "repo", { name: "app", imageTagMutability: "IMMUTABLE" });
    expect(synthError(stack)).toBe("");
  });

  test("fails when a repository has mutable tags (WSG-ECR-001)", () => {
    const stack = newStack();
    new EcrRepository(stack, "repo", { name: "app", imageTagMutability: "MUTABLE" });
    new EcrRepository(stack, "unset", { name: "other" });
    expectError(stack, "WSG-ECR-001", "test/repo", 'image_tag_mutability must be "IMMUTABLE", got "MUTABLE"');
    expect(violations(stack, "WSG-ECR-001").map((v) => v.message.match(/got ([^:]+):/)![1])).toEqual(['"MUTABLE"', '"MUTABLE (unset)"']);
  });
});

describe("load balancer rules", () => {
  test("fails when a load balancer is public and not marked so (WSG-LB-001)", () => {
    const stack = newStack();
    nlb(stack, { internal: false });
    expectError(stack, "WSG-LB-001", "test/nlb", "internal must be true, got false");
  });

  test("fails when a load balancer leaves internal unset, which is public (WSG-LB-001)", () => {
    const stack = newStack();
    nlb(stack, { internal: undefined });
    expectError(stack, "WSG-LB-001", "test/nlb", "internal must be true, got nothing");
  });

  test("fails when production load balancers lack deletion protection (WSG-LB-002)", () => {
    const stack = newStack();
    nlb(stack);
    expect(violations(stack, "WSG-LB-002")).toEqual([]); // off without the production option
    expectError(stack, "WSG-LB-002", "test/nlb", "enable_deletion_protection must be true in production, got nothing", { production: true });
  });

  test("fails when an NLB has no cross-zone load balancing (WSG-LB-003)", () => {
    const stack = newStack();
    nlb(stack, { enableCrossZoneLoadBalancing: undefined });
    expectError(stack, "WSG-LB-003", "test/nlb", "enable_cross_zone_load_balancing must be true, got nothing");
  });

  test("fails when a load balancer has no access logs, as a warning with requireLbAccessLogs (WSG-LB-004)", () => {
    const stack = newStack();
    nlb(stack);
    expect(violations(stack, "WSG-LB-004")).toEqual([]); // off without the option
    const [v] = violations(stack, "WSG-LB-004", { requireLbAccessLogs: true });
    expect(v.severity).toBe("warning");
    expect(v.message).toContain("WSG-LB-004 warning at test/nlb [aws_lb.nlb]: access_logs.enabled must be true, got nothing");
    expect(v.message).toContain(ruleById("WSG-LB-004")!.fix);
  });
});

describe("IAM rules", () => {
  test("passes the documented wildcard-resource actions", () => {
    const stack = newStack();
    policyDocument(stack, ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "ecr:GetAuthorizationToken"], ["*"]);
    expect(synthError(stack)).toBe("");
  });

  test("passes the ECR Public login, whose two actions have no resource-level permissions", () => {
    const stack = newStack();
    policyDocument(stack, ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], ["*"]);
    expect(synthError(stack)).toBe("");
  });

  test("fails when other ECR Public or STS actions get every resource (WSG-IAM-002)", () => {
    const stack = newStack();
    policyDocument(stack, ["ecr-public:GetAuthorizationToken", "ecr-public:BatchCheckLayerAvailability", "sts:AssumeRole"], ["*"]);
    expectError(
      stack,
      "WSG-IAM-002",
      "test/doc",
      'statement[0] (Grant) resources must be specific ARNs for ecr-public:BatchCheckLayerAvailability, sts:AssumeRole, got ["*"]',
    );
  });

  test("fails when a policy document allows a wildcard action (WSG-IAM-001)", () => {
    const stack = newStack();
    policyDocument(stack, ["dynamodb:*"], ["arn:aws:dynamodb:us-east-1:123456789012:table/connections"]);
    expectError(stack, "WSG-IAM-001", "test/doc", 'statement[0] (Grant) actions must be specific actions, not wildcards, got ["dynamodb:*"]');
  });

  test("fails when an inline JSON policy allows a wildcard action (WSG-IAM-001)", () => {
    const stack = newStack();
    new IamPolicy(stack, "policy", {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket" }] }),
    });
    expectError(stack, "WSG-IAM-001", "test/policy", 'policy.Statement[0] actions must be specific actions, not wildcards, got ["*"]');
  });

  test("fails when a policy allows other actions on every resource (WSG-IAM-002)", () => {
    const stack = newStack();
    policyDocument(stack, ["xray:PutTraceSegments", "s3:GetObject"], ["*"]);
    expectError(stack, "WSG-IAM-002", "test/doc", 'statement[0] (Grant) resources must be specific ARNs for s3:GetObject, got ["*"]');
  });

  test("fails when a jsonencode'd inline policy allows actions on every resource (WSG-IAM-002)", () => {
    const stack = newStack();
    new IamRolePolicy(stack, "inline", {
      role: "app",
      policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: "*" }] }),
    });
    expectError(stack, "WSG-IAM-002", "test/inline", 'policy.Statement[0] resources must be specific ARNs for dynamodb:PutItem, got ["*"]');
  });

  test("accepts actions given in the wildcardResourceActions option", () => {
    const stack = newStack();
    policyDocument(stack, ["ec2:DescribeNetworkInterfaces"], ["*"]);
    expect(violations(stack, "WSG-IAM-002", { wildcardResourceActions: ["ec2:DescribeNetworkInterfaces"] })).toEqual([]);
  });

  test("fails when a policy grants administrator access (WSG-IAM-003)", () => {
    const stack = newStack();
    policyDocument(stack, ["*"], ["*"]);
    expectError(stack, "WSG-IAM-003", "test/doc", 'statement[0] (Grant) must be anything but "Action": "*" on "Resource": "*"');
    // Reported once, as administrator access, not also as a wildcard action and resource.
    expect(Guardrails.evaluate(stack).errors.map((v) => v.ruleId)).toEqual(["WSG-IAM-003"]);
  });

  test("leaves trust and resource policies (with principals) alone", () => {
    const stack = newStack();
    new DataAwsIamPolicyDocument(stack, "key-policy", {
      statement: [{ actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] }],
    });
    expect(Guardrails.evaluate(stack).errors).toEqual([]);
  });
});

describe("security group rules", () => {
  test("fails when a security group rule has no description (WSG-SG-001)", () => {
    const stack = newStack();
    new VpcSecurityGroupIngressRule(stack, "from-vpc", {
      securityGroupId: "sg-0123456789abcdef0",
      cidrIpv4: "10.0.0.0/16",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });
    expectError(stack, "WSG-SG-001", "test/from-vpc", "description must be a description of what the rule admits, got nothing");
  });

  test("fails when an inline rule or a group has no description (WSG-SG-001)", () => {
    const stack = newStack();
    new SecurityGroup(stack, "group", {
      vpcId: "vpc-0123456789abcdef0",
      egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
    });
    expectError(stack, "WSG-SG-001", "test/group", "egress[0].description must be a description of what the rule admits");
    expect(violations(stack, "WSG-SG-001").map((v) => v.setting)).toEqual(["description", "egress[0].description"]);
  });

  test("fails when a rule admits 0.0.0.0/0 (WSG-SG-002)", () => {
    const stack = newStack();
    const group = new SecurityGroup(stack, "group", { vpcId: "vpc-0123456789abcdef0", description: "tasks" });
    new SecurityGroupRule(stack, "http", {
      type: "ingress",
      securityGroupId: group.id,
      protocol: "tcp",
      fromPort: 80,
      toPort: 80,
      cidrBlocks: ["0.0.0.0/0"],
      description: "HTTP",
    });
    expectError(stack, "WSG-SG-002", "test/http", 'cidr_blocks must be a narrower source than the whole internet, got "0.0.0.0/0"');
  });

  test("fails when a rule admits ::/0 (WSG-SG-002)", () => {
    const stack = newStack();
    new VpcSecurityGroupIngressRule(stack, "v6", {
      securityGroupId: "sg-0123456789abcdef0",
      cidrIpv6: "::/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS",
    });
    expectError(stack, "WSG-SG-002", "test/v6", 'cidr_ipv6 must be a narrower source than the whole internet, got "::/0"');
  });

  test("admits 0.0.0.0/0 to a load balancer explicitly marked public", () => {
    const stack = newStack();
    const group = new SecurityGroup(stack, "alb-group", { vpcId: "vpc-0123456789abcdef0", description: "public ALB" });
    new VpcSecurityGroupIngressRule(stack, "https", {
      securityGroupId: group.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS from anywhere",
    });
    const lb = new Lb(stack, "alb", {
      name: "alb",
      loadBalancerType: "application",
      internal: false,
      securityGroups: [group.id],
      subnets: ["subnet-0123456789abcdef0"],
    });
    expect(violations(stack, "WSG-SG-002")).toHaveLength(1); // not marked public yet
    Guardrails.suppress(lb, "WSG-LB-001", "the frontend ALB serves browsers on the internet");
    expect(violations(stack, "WSG-SG-002")).toEqual([]);
  });
});

describe("DynamoDB rules", () => {
  test("fails when a table has no point-in-time recovery (WSG-DDB-001)", () => {
    const stack = newStack();
    table(stack, { pointInTimeRecovery: { enabled: false } });
    expectError(stack, "WSG-DDB-001", "test/table", "point_in_time_recovery.enabled must be true, got false");
  });

  test("fails when a table has no server-side encryption setting (WSG-DDB-002)", () => {
    const stack = newStack();
    table(stack, { serverSideEncryption: undefined });
    expectError(stack, "WSG-DDB-002", "test/table", "server_side_encryption.enabled must be true, got nothing");
  });
});

describe("secret rules", () => {
  const ghToken = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"; // 36 characters after the prefix
  const awsKey = "AKIA" + "IOSFODNN7EXAMPLE";

  test("fails when a GitHub token is written in a resource argument, and never prints it (WSG-SEC-001)", () => {
    const stack = newStack();
    new CodebuildProject(stack, "build", {
      name: "build",
      serviceRole: "arn:aws:iam::123456789012:role/build",
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        computeType: "BUILD_GENERAL1_SMALL",
        image: "aws/codebuild/standard:7.0",
        type: "LINUX_CONTAINER",
        environmentVariable: [{ name: "GH", value: ghToken }],
      },
      source: { type: "NO_SOURCE", buildspec: "version: 0.2" },
    });
    const message = synthError(stack);
    expect(message).toContain(
      "WSG-SEC-001 error at test/build [aws_codebuild_project.build]: environment.environment_variable[0].value must be free of credentials (it holds a GitHub token)",
    );
    expect(message).toContain(ruleById("WSG-SEC-001")!.fix);
    expect(message).toContain('got "ghp_... (40 characters, masked)"');
    expect(message).not.toContain(ghToken);
  });

  test("fails when an AWS access key id is written inside container definitions (WSG-SEC-001)", () => {
    const stack = newStack();
    taskDefinition(stack, [container({ environment: [{ name: "AWS_ACCESS_KEY_ID", value: awsKey }] })]);
    const message = synthError(stack);
    expect(message).toContain(
      "WSG-SEC-001 error at test/task [aws_ecs_task_definition.task]: container_definitions must be free of credentials (it holds an AWS access key id)",
    );
    expect(message).not.toContain(awsKey);
  });

  test("fails when a password-looking setting has a literal value (WSG-SEC-002)", () => {
    const stack = newStack();
    new LambdaFunction(stack, "fn", {
      functionName: "fn",
      role: "arn:aws:iam::123456789012:role/fn",
      runtime: "nodejs22.x",
      handler: "index.handler",
      filename: "code.zip",
      environment: { variables: { DB_PASSWORD: "hunter2hunter2", TABLE: "connections" } },
    });
    expectError(
      stack,
      "WSG-SEC-002",
      "test/fn",
      'environment.variables.DB_PASSWORD must be a reference to a sensitive variable or a secret, not a literal, got "... (14 characters, masked)"',
    );
    expect(synthError(stack)).not.toContain("hunter2");
    expect(violations(stack, "WSG-SEC-002")).toHaveLength(1); // TABLE is not secret-named
  });

  test("fails when a container's secret-named environment variable is a literal (WSG-SEC-002)", () => {
    const stack = newStack();
    taskDefinition(stack, [
      container({
        environment: [
          { name: "API_TOKEN", value: "s3cr3t-value" },
          { name: "PORT", value: "80" },
        ],
      }),
    ]);
    expectError(
      stack,
      "WSG-SEC-002",
      "test/task",
      "container_definitions[0].environment[0].value (API_TOKEN) must be a reference to a sensitive variable or a secret",
    );
  });

  test("fails when a secret-named variable has a literal default (WSG-SEC-002)", () => {
    const stack = newStack();
    new TerraformVariable(stack, "db_password", { type: "string", default: "changeme123", sensitive: true });
    expectError(stack, "WSG-SEC-002", "test/db_password", "default must be a reference to a sensitive variable or a secret, not a literal");
  });

  test("fails when the Amplify access token is a literal (WSG-SEC-003)", () => {
    const stack = newStack();
    new AmplifyApp(stack, "frontend", { name: "frontend", repository: "https://github.com/o/r", accessToken: "not-a-variable" });
    expectError(
      stack,
      "WSG-SEC-003",
      "test/frontend",
      'access_token must be a sensitive variable or a secrets lookup, not a literal, got "... (14 characters, masked)"',
    );
  });

  test("fails when the Amplify access token is a variable not marked sensitive (WSG-SEC-003)", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "token", { type: "string" });
    new AmplifyApp(stack, "frontend", { name: "frontend", repository: "https://github.com/o/r", accessToken: token.stringValue });
    expectError(stack, "WSG-SEC-003", "test/frontend", 'access_token must be a sensitive variable or a secrets lookup, got "var.token (not marked sensitive)"');
  });

  test("accepts the Amplify token from a sensitive variable or a secrets lookup", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "token", { type: "string", sensitive: true });
    const secret = new DataAwsSecretsmanagerSecretVersion(stack, "secret", { secretId: "github" });
    new AmplifyApp(stack, "a", { name: "a", repository: "https://github.com/o/r", accessToken: token.stringValue });
    new AmplifyApp(stack, "b", { name: "b", repository: "https://github.com/o/r", accessToken: Fn.lookup(Fn.jsondecode(secret.secretString), "token") });
    expect(Guardrails.evaluate(stack).errors).toEqual([]);
  });
});

describe("WebSocket rules", () => {
  const integration = (stack: TerraformStack, apiId: string, id: string, type: string, connectionId?: string) =>
    new Apigatewayv2Integration(stack, id, {
      apiId,
      integrationType: type,
      integrationUri: type === "MOCK" ? undefined : "http://backend.internal/x",
      integrationMethod: type === "MOCK" ? undefined : "POST",
      connectionType: connectionId ? "VPC_LINK" : "INTERNET",
      connectionId,
    });
  const v2Link = (stack: TerraformStack) =>
    new Apigatewayv2VpcLink(stack, "link", { name: "link", securityGroupIds: [], subnetIds: ["subnet-0123456789abcdef0"] });

  test("fails when a WebSocket stack has a v2 VPC link (WSG-WS-001)", () => {
    const stack = newStack();
    api(stack);
    v2Link(stack);
    expectError(
      stack,
      "WSG-WS-001",
      "test/link",
      'resource type must be aws_api_gateway_vpc_link in a stack with a WebSocket API, got "aws_apigatewayv2_vpc_link"',
    );
  });

  test("accepts a v2 VPC link an HTTP API uses beside a WebSocket API", () => {
    const stack = newStack();
    api(stack);
    const http = api(stack, "HTTP", "http-api");
    integration(stack, http.id, "http-integration", "HTTP_PROXY", v2Link(stack).id);
    expect(Guardrails.evaluate(stack).errors).toEqual([]);
  });

  test("fails when a WebSocket integration goes through a v2 VPC link (WSG-WS-002)", () => {
    const stack = newStack();
    integration(stack, api(stack).id, "integration", "HTTP_PROXY", v2Link(stack).id);
    expectError(
      stack,
      "WSG-WS-002",
      "test/integration",
      'connection_id must be the id of an aws_api_gateway_vpc_link (v1), got "${aws_apigatewayv2_vpc_link.link.id}"',
    );
  });

  test("fails when route settings lack a throttling limit (WSG-WS-003)", () => {
    const stack = newStack();
    goodStage(stack, { routeSettings: [{ routeKey: "sendMessage", throttlingBurstLimit: 10 }] });
    expectError(stack, "WSG-WS-003", "test/stage", "route_settings[0] (sendMessage).throttling_rate_limit must be a number greater than 0, got nothing");
  });

  test("fails when a dynamic route_settings block leaves a throttling limit out (WSG-WS-003)", () => {
    const stack = newStack();
    const routes = TerraformIterator.fromMap(new TerraformVariable(stack, "routes", { type: "map(any)" }).value);
    goodStage(stack, { routeSettings: routes.dynamic({ route_key: routes.key, throttling_burst_limit: routes.getNumber("throttling_burst_limit") }) });
    expectError(
      stack,
      "WSG-WS-003",
      "test/stage",
      'dynamic "route_settings" content.throttling_rate_limit must be set in every entry, greater than 0, got nothing',
    );
    expect(violations(stack, "WSG-WS-003")).toHaveLength(1);
  });

  test("fails when a non-proxy integration has no $default integration response (WSG-WS-004)", () => {
    const stack = newStack();
    const apiId = api(stack).id;
    const answered = integration(stack, apiId, "answered", "HTTP");
    new Apigatewayv2IntegrationResponse(stack, "answered-response", { apiId, integrationId: answered.id, integrationResponseKey: "$default" });
    integration(stack, apiId, "mock", "MOCK");
    integration(stack, apiId, "proxy", "HTTP_PROXY");
    expectError(
      stack,
      "WSG-WS-004",
      "test/mock",
      'aws_apigatewayv2_integration_response "$default" must be present for a non-proxy MOCK integration, got nothing',
    );
    expect(violations(stack, "WSG-WS-004").map((v) => v.path)).toEqual(["test/mock"]);
  });

  test("passes HTTP integrations through a VPC link, and MOCK integrations (WSG-WS-005)", () => {
    const stack = newStack();
    const apiId = api(stack).id;
    integration(stack, apiId, "private", "HTTP_PROXY", "vpclink-123");
    integration(stack, apiId, "mock", "MOCK");
    expect(violations(stack, "WSG-WS-005")).toEqual([]);
  });

  test("fails when an HTTP integration of a WebSocket API goes over the internet (WSG-WS-005)", () => {
    const stack = newStack();
    const apiId = api(stack).id;
    integration(stack, apiId, "public", "HTTP_PROXY");
    const unset = integration(stack, apiId, "unset", "HTTP");
    unset.resetConnectionType();
    new Apigatewayv2IntegrationResponse(stack, "unset-response", { apiId, integrationId: unset.id, integrationResponseKey: "$default" });
    expectError(stack, "WSG-WS-005", "test/public", 'connection_type must be "VPC_LINK" for an HTTP_PROXY integration of a WebSocket API, got "INTERNET"');
    expect(violations(stack, "WSG-WS-005").map((v) => v.path)).toEqual(["test/public", "test/unset"]);
  });

  test("leaves the integrations of HTTP APIs alone (WSG-WS-005)", () => {
    const stack = newStack();
    api(stack);
    integration(stack, api(stack, "HTTP", "http-api").id, "http-integration", "HTTP_PROXY");
    expect(violations(stack, "WSG-WS-005")).toEqual([]);
  });

  test("accepts a public backend when the rule is suppressed with the reason (WSG-WS-005)", () => {
    const stack = newStack();
    const public_ = integration(stack, api(stack).id, "public", "HTTP_PROXY");
    Guardrails.suppress(public_, "WSG-WS-005", "the partner's public webhook, signed requests only");
    const report = Guardrails.evaluate(stack);
    expect(report.violations.filter((v) => v.ruleId === "WSG-WS-005")).toEqual([]);
    expect(report.suppressions.map((x) => x.message)).toEqual([
      'WSG-WS-005 suppressed at test/public: "the partner\'s public webhook, signed requests only" (silences aws_apigatewayv2_integration.public)',
    ]);
  });

  const route = (stack: TerraformStack, apiId: string, id: string, routeKey: string, authorizationType?: string) =>
    new Apigatewayv2Route(stack, id, { apiId, routeKey, authorizationType, authorizerId: authorizationType === "CUSTOM" ? "abc123" : undefined });

  test("fails when a $connect route has no authorization, as information (WSG-WS-006)", () => {
    const stack = newStack();
    route(stack, api(stack).id, "connect", "$connect");
    const [v] = violations(stack, "WSG-WS-006");
    expect(v.severity).toBe("info");
    expect(v.message).toMatch(
      /^WSG-WS-006 info at test\/connect \[aws_apigatewayv2_route\.connect\]: authorization_type must be "AWS_IAM" or "CUSTOM" on \$connect, got nothing: give the \$connect route an authorizer/,
    );
    expect(synthError(stack)).toBe(""); // information never fails the synth
  });

  test("accepts $connect with IAM or a Lambda authorizer (WSG-WS-006)", () => {
    for (const type of ["AWS_IAM", "CUSTOM"]) {
      const stack = newStack();
      route(stack, api(stack).id, "connect", "$connect", type);
      expect(violations(stack, "WSG-WS-006")).toEqual([]);
    }
  });

  test("fails when a WebSocket API has no $connect route, as information: every client is admitted (WSG-WS-006)", () => {
    const stack = newStack();
    route(stack, api(stack).id, "default", "$default");
    expect(violations(stack, "WSG-WS-006").map((v) => `${v.path} ${v.setting}`)).toEqual(['test/api route "$connect"']);
  });
});
