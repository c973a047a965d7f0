import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { FargateService, FargateServiceProps } from "../../constructs/fargate-service";
import { PrivateLink } from "../../constructs/private-link";
import { ADOT_XRAY_CONFIG, DEFAULT_COLLECTOR_IMAGES } from "../../constructs/tracing-sidecar";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const REPOSITORY_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/chat-backend";
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const ref = (r: TerraformResource, attribute = "id") => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

function service(overrides: Partial<FargateServiceProps> = {}, stack = newStack()) {
  const link = new PrivateLink(stack, "link", {
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    nlbName: "chat-nlb",
    targetGroupName: "chat-tg",
    vpcLinkName: "chat-link",
    target: { kind: "ip", port: 8080 },
  });
  const svc = new FargateService(stack, "backend", {
    serviceName: "chat-backend",
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    container: { image: "registry.example.com/chat@sha256:abc", port: 8080, environment: { DB_TYPE: "DYNAMODB", HTTP_PORT: "8080" } },
    targetGroup: { targetGroupArn: link.targetGroup.arn, dependsOn: [link.listener] },
    region: "us-east-1",
    ...overrides,
  });
  link.connectTo(svc.securityGroup.id, "backendTasks");
  return { stack, link, svc };
}

/** The task definition's container definitions: a `${jsonencode([...])}` expression. */
const containerDefinitions = (json: any): string => onlyResource(json, "aws_ecs_task_definition").container_definitions;
/** The HCL object of one container inside the jsonencode expression (each ends with its systemControls). */
function containerHcl(definitions: string, name: string): string {
  const found = definitions.split('"systemControls" = []}').filter((c) => c.includes(`{"name" = "${name}", "image" = `));
  expect(found).toHaveLength(1);
  return found[0];
}
/** Statements of the inline policies attached to a role, by policy name. */
function policiesOf(json: any, role: TerraformResource): Record<string, any[]> {
  const roleName = ref(role, "name");
  return Object.fromEntries(
    Object.values(resourcesOf(json, "aws_iam_role_policy"))
      .filter((p: any) => p.role === roleName)
      .map((p: any) => [p.name, policyDocumentOf(json, p.policy).statement]),
  );
}

describe("FargateService", () => {
  test("creates a cluster with Container Insights", () => {
    const { stack, svc } = service();
    expect(tf(synthJson(stack), svc.cluster)).toEqual({ name: "chat-backend", setting: [{ name: "containerInsights", value: "enabled" }] });
  });

  test("names the cluster and sets Container Insights as asked", () => {
    const { stack, svc } = service({ clusterName: "chat", containerInsights: "enhanced" });
    expect(tf(synthJson(stack), svc.cluster)).toEqual({ name: "chat", setting: [{ name: "containerInsights", value: "enhanced" }] });
  });

  test("defines a Fargate awsvpc task with separate execution and task roles", () => {
    const { stack, svc } = service({ cpu: 512, memory: 1024, architecture: "ARM64" });
    const json = synthJson(stack);
    expect(tf(json, svc.taskDefinition)).toMatchObject({
      family: "chat-backend",
      cpu: "512",
      memory: "1024",
      network_mode: "awsvpc",
      requires_compatibilities: ["FARGATE"],
      runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "ARM64" },
      execution_role_arn: ref(svc.executionRole, "arn"),
      task_role_arn: ref(svc.taskRole, "arn"),
    });
    expect(tf(json, svc.executionRole).name).toBe("chat-backend-execution");
    expect(tf(json, svc.taskRole).name).toBe("chat-backend-task");
    expect(policyDocumentOf(json, tf(json, svc.taskRole).assume_role_policy).statement).toEqual([
      { effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }] },
    ]);
  });

  test("sizes the task at 256 CPU units and 512 MiB by default", () => {
    const { stack, svc } = service();
    expect(tf(synthJson(stack), svc.taskDefinition)).toMatchObject({ cpu: "256", memory: "512", runtime_platform: { cpu_architecture: "X86_64" } });
  });

  describe("containers", () => {
    test("runs the application as the essential container with a read-only root, logging to its own group", () => {
      const { stack, svc } = service();
      const app = containerHcl(containerDefinitions(synthJson(stack)), "backend");
      expect(app).toContain('"image" = "registry.example.com/chat@sha256:abc"');
      expect(app).toContain('"essential" = true');
      expect(app).toContain('"portMappings" = [{"containerPort" = 8080, "hostPort" = 8080, "protocol" = "tcp"}]');
      expect(app).toContain('"readonlyRootFilesystem" = true');
      expect(app).toContain(
        `"logConfiguration" = {"logDriver" = "awslogs", "options" = {"awslogs-group" = aws_cloudwatch_log_group.${svc.logGroup.friendlyUniqueId}.name, "awslogs-region" = "us-east-1", "awslogs-stream-prefix" = "backend"}}`,
      );
      expect(onlyResource(synthJson(stack), "aws_ecs_task_definition").container_definitions).toMatch(/^\$\{jsonencode\(\[.*\]\)\}$/s);
    });

    test("wires the ADOT collector by default: the application waits for it to start and sends to 127.0.0.1:2000", () => {
      const { stack, svc } = service();
      expect(svc.sidecar?.containerName).toBe("otel-collector");
      const definitions = containerDefinitions(synthJson(stack));
      expect(containerHcl(definitions, "backend")).toContain('"dependsOn" = [{"containerName" = "otel-collector", "condition" = "START"}]');
      expect(containerHcl(definitions, "otel-collector")).toContain(`"image" = "${DEFAULT_COLLECTOR_IMAGES.adot}"`);
    });

    test("wires the X-Ray daemon sidecar when asked: the application waits for it to start and sends to 127.0.0.1:2000", () => {
      // GIVEN / WHEN
      const { stack } = service({ tracing: "xray-daemon" });
      // THEN
      const definitions = containerDefinitions(synthJson(stack));
      const app = containerHcl(definitions, "backend");
      expect(app).toContain('"dependsOn" = [{"containerName" = "xray-daemon", "condition" = "START"}]');
      expect(app).toContain(
        '"environment" = [{"name" = "AWS_XRAY_DAEMON_ADDRESS", "value" = "127.0.0.1:2000"}, {"name" = "DB_TYPE", "value" = "DYNAMODB"}, {"name" = "HTTP_PORT", "value" = "8080"}]',
      );
      const daemon = containerHcl(definitions, "xray-daemon");
      expect(daemon).toContain(`"image" = "${DEFAULT_COLLECTOR_IMAGES["xray-daemon"]}"`);
      expect(daemon).toContain('"essential" = false');
      expect(daemon).toContain('"portMappings" = [{"containerPort" = 2000, "hostPort" = 2000, "protocol" = "udp"}]');
    });

    test("wires the ADOT collector with its X-Ray-only configuration", () => {
      const { stack } = service({ tracing: "adot", tracingImage: "registry.example.com/otel:1" });
      const definitions = containerDefinitions(synthJson(stack));
      expect(containerHcl(definitions, "backend")).toContain('"dependsOn" = [{"containerName" = "otel-collector", "condition" = "START"}]');
      expect(containerHcl(definitions, "backend")).toContain('{"name" = "AWS_XRAY_DAEMON_ADDRESS", "value" = "127.0.0.1:2000"}');
      const collector = containerHcl(definitions, "otel-collector");
      expect(collector).toContain('"image" = "registry.example.com/otel:1"');
      expect(collector).toContain(`{"name" = "AOT_CONFIG_CONTENT", "value" = ${JSON.stringify(ADOT_XRAY_CONFIG)}}`);
      expect(collector).toContain('"protocol" = "udp"');
    });

    test("runs the application alone when tracing is off", () => {
      const { stack, svc } = service({ tracing: "off", container: { image: "app:1", port: 8080, readonlyRootFilesystem: false } });
      const definitions = containerDefinitions(synthJson(stack));
      expect(svc.sidecar).toBeUndefined();
      expect(definitions).not.toContain("xray");
      expect(definitions).not.toContain("AWS_XRAY_DAEMON_ADDRESS");
      expect(definitions).toContain('"dependsOn" = []');
      expect(definitions).toContain('"readonlyRootFilesystem" = false');
      expect(Object.keys(resourcesOf(synthJson(stack), "aws_cloudwatch_log_group"))).toHaveLength(1);
    });
  });

  describe("IAM", () => {
    test("lets the execution role write only its own log groups and pull only from the given repository", () => {
      // GIVEN / WHEN
      const { stack, svc } = service({ imageRepositoryArn: REPOSITORY_ARN });
      // THEN
      const json = synthJson(stack);
      expect(policiesOf(json, svc.executionRole)).toEqual({
        "pull-image-and-write-logs": [
          {
            sid: "ContainerLogs",
            effect: "Allow",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [`${ref(svc.logGroup, "arn")}:*`, `${ref(svc.sidecar!.logGroup, "arn")}:*`],
          },
          { sid: "RegistryLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
          {
            sid: "PullImage",
            effect: "Allow",
            actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            resources: [REPOSITORY_ARN],
          },
        ],
      });
      expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
      expect(tf(json, svc.taskDefinition).depends_on).toEqual([
        `aws_iam_role_policy.${Object.keys(resourcesOf(json, "aws_iam_role_policy")).find((id) => id.includes("ExecutionPolicy"))}`,
      ]);
    });

    test("gives the execution role no ECR access for a public image", () => {
      const { stack, svc } = service({ tracing: "off" });
      expect(policiesOf(synthJson(stack), svc.executionRole)).toEqual({
        "pull-image-and-write-logs": [
          { sid: "ContainerLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${ref(svc.logGroup, "arn")}:*`] },
        ],
      });
    });

    test("gives the task role only the X-Ray write actions of the sidecar", () => {
      const { stack, svc } = service();
      expect(policiesOf(synthJson(stack), svc.taskRole)).toEqual({
        "xray-write": [
          {
            sid: "XRayWrite",
            effect: "Allow",
            actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
            resources: ["*"],
          },
        ],
      });
    });

    test("gives the task role nothing when tracing is off", () => {
      const { stack, svc } = service({ tracing: "off" });
      expect(policiesOf(synthJson(stack), svc.taskRole)).toEqual({});
    });

    test('uses "*" only for X-Ray writes and the ECR login', () => {
      const { stack } = service({ imageRepositoryArn: REPOSITORY_ARN });
      const json = synthJson(stack);
      const wildcards = Object.values(json.data.aws_iam_policy_document)
        .flatMap((d: any) => d.statement)
        .filter((s: any) => (s.resources ?? []).includes("*"))
        .map((s: any) => s.sid);
      expect(wildcards.sort()).toEqual(["RegistryLogin", "XRayWrite"]);
    });
  });

  describe("service", () => {
    test("runs two tasks in private subnets without public IPs, registered in the NLB target group", () => {
      // GIVEN / WHEN
      const { stack, link, svc } = service();
      // THEN
      const json = synthJson(stack);
      expect(tf(json, svc.resource)).toMatchObject({
        name: "chat-backend",
        cluster: ref(svc.cluster, "arn"),
        task_definition: ref(svc.taskDefinition, "arn"),
        desired_count: 2,
        launch_type: "FARGATE",
        network_configuration: { subnets: ["subnet-a", "subnet-b"], security_groups: [ref(svc.securityGroup)], assign_public_ip: false },
        load_balancer: [{ target_group_arn: ref(link.targetGroup, "arn"), container_name: "backend", container_port: 8080 }],
        health_check_grace_period_seconds: 30,
      });
      expect(svc.resource.node.id).toBe("Resource");
    });

    test("starts after the listener attaches the target group and after the task role may write X-Ray traces", () => {
      const { stack, link, svc } = service();
      const xray = svc.sidecar!.node.findChild("WritePolicy") as TerraformResource;
      expect(tf(synthJson(stack), svc.resource).depends_on).toEqual([
        `aws_lb_listener.${link.listener.friendlyUniqueId}`,
        `aws_iam_role_policy.${xray.friendlyUniqueId}`,
      ]);
    });

    test("starts after the task role's other grants given to addDependency", () => {
      // GIVEN a service without tracing and a policy another construct grants its task role
      const { stack, link, svc } = service({ tracing: "off" });
      const grant = new IamRolePolicy(stack, "grant", { role: svc.taskRole.name, policy: "{}" });
      // WHEN
      svc.addDependency(grant);
      // THEN
      expect(tf(synthJson(stack), svc.resource).depends_on).toEqual([
        `aws_lb_listener.${link.listener.friendlyUniqueId}`,
        `aws_iam_role_policy.${grant.friendlyUniqueId}`,
      ]);
    });

    test("rolls back failed deployments with the circuit breaker, keeping full capacity", () => {
      const { stack } = service();
      expect(Testing.synth(stack)).toHaveResourceWithProperties(EcsService, {
        deployment_circuit_breaker: { enable: true, rollback: true },
        deployment_minimum_healthy_percent: 100,
        deployment_maximum_percent: 200,
      });
    });

    test("leaves the task count to Terraform without auto scaling", () => {
      const { stack, svc } = service({ desiredCount: 3 });
      const json = synthJson(stack);
      expect(tf(json, svc.resource).desired_count).toBe(3);
      expect(tf(json, svc.resource).lifecycle).toBeUndefined();
      expect(resourcesOf(json, "aws_appautoscaling_target")).toEqual({});
      expect(resourcesOf(json, "aws_appautoscaling_policy")).toEqual({});
    });

    test("scales on CPU and lets auto scaling own the task count", () => {
      // GIVEN / WHEN
      const { stack, svc } = service({ autoScaling: { minCapacity: 3, maxCapacity: 6, targetCpuPercent: 50 } });
      // THEN
      const json = synthJson(stack);
      expect(tf(json, svc.resource)).toMatchObject({ desired_count: 3, lifecycle: { ignore_changes: ["desired_count"] } });
      const target = onlyResource(json, "aws_appautoscaling_target");
      expect(target).toEqual({
        service_namespace: "ecs",
        resource_id: `service/${ref(svc.cluster, "name")}/${ref(svc.resource, "name")}`,
        scalable_dimension: "ecs:service:DesiredCount",
        min_capacity: 3,
        max_capacity: 6,
      });
      expect(onlyResource(json, "aws_appautoscaling_policy")).toMatchObject({
        name: "chat-backend-cpu",
        policy_type: "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: {
          target_value: 50,
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        },
      });
    });
  });

  describe("network", () => {
    test("admits only the NLB's security group, on the container port", () => {
      // GIVEN / WHEN
      const { stack, link, svc } = service();
      // THEN
      const json = synthJson(stack);
      const taskGroup = ref(svc.securityGroup);
      const group = tf(json, svc.securityGroup);
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
      const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).filter((r: any) => r.security_group_id === taskGroup);
      expect(ingress).toEqual([
        {
          security_group_id: taskGroup,
          referenced_security_group_id: ref(link.securityGroup!),
          ip_protocol: "tcp",
          from_port: 8080,
          to_port: 8080,
          description: "From the API Gateway VPC link NLB only",
        },
      ]);
    });

    test("admits nothing itself: the load balancer admits its security group", () => {
      // GIVEN / WHEN a service registered in a target group, with no load balancer admitting it
      let svc: FargateService | undefined;
      const json = JSON.parse(
        Testing.synthScope((scope) => {
          svc = new FargateService(scope, "backend", {
            serviceName: "chat-backend",
            vpcId: "vpc-1",
            subnetIds: ["subnet-a", "subnet-b"],
            container: { image: "app:1", port: 8080 },
            targetGroup: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/chat-tg/0123456789abcdef" },
            region: "us-east-1",
          });
        }),
      );
      // THEN the tasks register in it, and their group has no inbound rule
      expect(resourcesOf(json, "aws_ecs_service")[svc!.resource.friendlyUniqueId]).toMatchObject({
        load_balancer: [
          {
            target_group_arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/chat-tg/0123456789abcdef",
            container_name: "backend",
            container_port: 8080,
          },
        ],
      });
      expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
      expect(resourcesOf(json, "aws_ecs_service")[svc!.resource.friendlyUniqueId].depends_on).toEqual([
        `aws_iam_role_policy.${(svc!.sidecar!.node.findChild("WritePolicy") as TerraformResource).friendlyUniqueId}`,
      ]);
    });

    test("lets the tasks out on HTTPS only", () => {
      const { stack, svc } = service();
      const json = synthJson(stack);
      const egress = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule")).filter((r: any) => r.security_group_id === ref(svc.securityGroup));
      expect(egress).toEqual([expect.objectContaining({ cidr_ipv4: "0.0.0.0/0", ip_protocol: "tcp", from_port: 443, to_port: 443 })]);
    });
  });

  describe("validation", () => {
    test("fails when the service name is longer than 45 characters or badly formed", () => {
      const fix = "shorten the name (role names add up to 10 characters)";
      expect(() => service({ serviceName: "s".repeat(46) })).toThrow(
        `FargateService.serviceName must be 1 to 45 letters, digits, hyphens or underscores, got "${"s".repeat(46)}": ${fix}`,
      );
      expect(() => service({ serviceName: "-chat" })).toThrow(
        `FargateService.serviceName must be 1 to 45 letters, digits, hyphens or underscores, got "-chat": ${fix}`,
      );
    });

    test("does not check an unresolved service name", () => {
      const stack = newStack();
      expect(() => service({ serviceName: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when fewer than two subnets are given", () => {
      expect(() => service({ subnetIds: ["subnet-a"] })).toThrow(
        'FargateService.subnetIds must be a list of at least 2 item(s), got ["subnet-a"]: give private subnets in at least two Availability Zones',
      );
    });

    test("does not check unresolved subnets", () => {
      const stack = newStack();
      const subnetIds = new TerraformVariable(stack, "subnets", { type: "list(string)" }).listValue;
      expect(() => service({ subnetIds }, stack)).not.toThrow();
    });

    test("fails when the container port is outside 1 to 65535", () => {
      expect(() => service({ container: { image: "app:1", port: 0 } })).toThrow(
        "FargateService.container.port must be a whole number from 1 to 65535, got 0: use the port the application listens on",
      );
    });

    test("fails when the container port is the tracing collector's port", () => {
      expect(() => service({ container: { image: "app:1", port: 2000 } })).toThrow(
        'FargateService.container.port must be other than 2000 while a tracing collector runs (it listens on 2000 in the task), got 2000: pick another port, or set tracing to "off"',
      );
      expect(() => service({ container: { image: "app:1", port: 2000 }, tracing: "off" })).not.toThrow();
    });

    test("does not check an unresolved container port", () => {
      const stack = newStack();
      expect(() => service({ container: { image: "app:1", port: numberVar(stack) } }, stack)).not.toThrow();
    });

    test("fails when the tracing collector is unknown", () => {
      expect(() => service({ tracing: "zipkin" as any })).toThrow(
        'FargateService.tracing must be one of "xray-daemon", "adot", "off", got "zipkin": use one of the allowed values',
      );
    });

    test("does not check an unresolved tracing collector", () => {
      const stack = newStack();
      expect(() => service({ tracing: stringVar(stack) as "adot" }, stack)).not.toThrow(/FargateService.tracing/);
    });

    test("fails when the architecture is unknown", () => {
      expect(() => service({ architecture: "arm64" as any })).toThrow(
        'FargateService.architecture must be one of "X86_64", "ARM64", got "arm64": use one of the allowed values',
      );
    });

    test("does not check an unresolved architecture", () => {
      const stack = newStack();
      expect(() => service({ architecture: stringVar(stack) as "ARM64" }, stack)).not.toThrow();
    });

    test("fails when the log retention is not one CloudWatch Logs accepts", () => {
      expect(() => service({ logRetentionInDays: 4 })).toThrow(
        /^FargateService.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(.*\), got 4: pick the nearest accepted value$/,
      );
    });

    test("does not check an unresolved log retention", () => {
      const stack = newStack();
      expect(() => service({ logRetentionInDays: numberVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the CPU size is not one Fargate offers", () => {
      expect(() => service({ cpu: 300 })).toThrow("FargateService.cpu must be 256, 512, 1024, 2048 or 4096, got 300: pick a Fargate CPU size");
    });

    test("fails when the memory size does not go with the CPU size", () => {
      expect(() => service({ cpu: 256, memory: 4096 })).toThrow(
        "FargateService.memory must be one of 512, 1024, 2048 MiB with 256 CPU units, got 4096: pick a memory size Fargate accepts with that CPU",
      );
    });

    test("does not check unresolved CPU and memory sizes", () => {
      const stack = newStack();
      const { svc } = service({ cpu: numberVar(stack, "cpu"), memory: numberVar(stack, "memory") }, stack);
      expect(tf(synthJson(stack), svc.taskDefinition)).toMatchObject({ cpu: "${var.cpu}", memory: "${var.memory}" });
    });

    test("fails when fewer than two tasks would run", () => {
      expect(() => service({ desiredCount: 1 })).toThrow(
        "FargateService.desiredCount must be a whole number from 2 to 1000, got 1: run at least 2 tasks so both Availability Zones serve",
      );
    });

    test("does not check an unresolved task count", () => {
      const stack = newStack();
      expect(() => service({ desiredCount: numberVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the scaling range is below 2 tasks", () => {
      expect(() => service({ autoScaling: { minCapacity: 1, maxCapacity: 4 }, desiredCount: 2 })).toThrow(
        "FargateService.autoScaling.minCapacity must be a whole number from 2 to 1000, got 1: keep at least 2 tasks",
      );
      expect(() => service({ autoScaling: { minCapacity: 2, maxCapacity: 1001 } })).toThrow(
        "FargateService.autoScaling.maxCapacity must be a whole number from 2 to 1000, got 1001: allow at least 2 tasks",
      );
    });

    test("fails when the CPU target is outside 10 to 90 percent", () => {
      expect(() => service({ autoScaling: { minCapacity: 2, maxCapacity: 4, targetCpuPercent: 95 } })).toThrow(
        "FargateService.autoScaling.targetCpuPercent must be a whole number from 10 to 90, got 95: hold CPU between 10 and 90 percent",
      );
    });

    test("fails when the maximum capacity is below the minimum", () => {
      expect(() => service({ autoScaling: { minCapacity: 4, maxCapacity: 3 } })).toThrow(
        "FargateService.autoScaling.maxCapacity must be at least minCapacity (4), got 3: raise maxCapacity or lower minCapacity",
      );
    });

    test("fails when the task count is outside the scaling range", () => {
      expect(() => service({ desiredCount: 8, autoScaling: { minCapacity: 2, maxCapacity: 6 } })).toThrow(
        "FargateService.desiredCount must be between minCapacity (2) and maxCapacity (6), got 8: move it into the scaling range",
      );
    });

    test("does not check unresolved scaling limits and CPU target", () => {
      const stack = newStack();
      expect(() =>
        service(
          { autoScaling: { minCapacity: numberVar(stack, "min"), maxCapacity: numberVar(stack, "max"), targetCpuPercent: numberVar(stack, "cpu") } },
          stack,
        ),
      ).not.toThrow();
    });

    test("does not compare a known task count with unresolved scaling limits", () => {
      const stack = newStack();
      expect(() => service({ desiredCount: 2, autoScaling: { minCapacity: 2, maxCapacity: numberVar(stack, "max") } }, stack)).not.toThrow();
    });
  });
});
