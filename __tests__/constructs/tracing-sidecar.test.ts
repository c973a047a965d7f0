import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { TerraformOutput, TerraformVariable, Testing } from "cdktf";
import { ADOT_XRAY_CONFIG, DEFAULT_COLLECTOR_IMAGES, TracingSidecar, TracingSidecarProps, XRAY_WRITE_ACTIONS } from "../../constructs/tracing-sidecar";
import { newStack, onlyResource, policyDocumentOf, synthJson } from "../helpers";

const sidecar = (props: Partial<TracingSidecarProps> = {}, stack = newStack()) => ({
  stack,
  sidecar: new TracingSidecar(stack, "tracing", { logGroupName: "/ecs/chat/tracing", region: "eu-west-1", ...props }),
});

describe("TracingSidecar", () => {
  test("runs the pinned ADOT collector by default", () => {
    const { sidecar: s } = sidecar();
    expect(s.containerName).toBe("otel-collector");
    expect(s.containerDefinition()).toMatchObject({
      name: "otel-collector",
      image: DEFAULT_COLLECTOR_IMAGES.adot,
      essential: false,
      readonlyRootFilesystem: true,
    });
    expect(DEFAULT_COLLECTOR_IMAGES.adot).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/);
  });

  test("runs the pinned X-Ray daemon when asked, as a non-essential container on UDP 2000 with a read-only root", () => {
    // GIVEN / WHEN
    const { sidecar: s } = sidecar({ collector: "xray-daemon" });
    // THEN
    expect(s.containerName).toBe("xray-daemon");
    expect(s.containerDefinition()).toMatchObject({
      name: "xray-daemon",
      image: DEFAULT_COLLECTOR_IMAGES["xray-daemon"],
      essential: false,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: 2000, hostPort: 2000, protocol: "udp" }],
      environment: [{ name: "AWS_REGION", value: "eu-west-1" }],
    });
    expect(DEFAULT_COLLECTOR_IMAGES["xray-daemon"]).toMatch(/^public\.ecr\.aws\/xray\/aws-xray-daemon:\d+\.\d+\.\d+$/);
  });

  test("logs to its own log group with the awslogs driver", () => {
    const { stack, sidecar: s } = sidecar({ tags: { team: "chat" } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/ecs/chat/tracing", retention_in_days: 30, tags: { team: "chat" } });
    new TerraformOutput(stack, "probe", { value: s.containerDefinition().logConfiguration });
    expect(synthJson(stack).output.probe.value).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": `\${aws_cloudwatch_log_group.${s.logGroup.friendlyUniqueId}.name}`,
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "otel-collector",
      },
    });
  });

  test("runs the ADOT collector with an X-Ray-only configuration that also proxies the SDK's sampling calls", () => {
    const { sidecar: s } = sidecar({ collector: "adot" });
    expect(s.containerName).toBe("otel-collector");
    expect(s.containerDefinition()).toMatchObject({
      name: "otel-collector",
      image: DEFAULT_COLLECTOR_IMAGES.adot,
      portMappings: [{ containerPort: 2000, hostPort: 2000, protocol: "udp" }],
      environment: [
        { name: "AOT_CONFIG_CONTENT", value: ADOT_XRAY_CONFIG },
        { name: "AWS_REGION", value: "eu-west-1" },
      ],
    });
    expect(ADOT_XRAY_CONFIG).toContain("    endpoint: 127.0.0.1:2000\n    transport: udp\n");
    // GetSamplingRules / GetSamplingTargets of the X-Ray SDK, on TCP 2000 as with the daemon
    expect(ADOT_XRAY_CONFIG).toContain("    proxy_server:\n      endpoint: 127.0.0.1:2000\n");
    expect(ADOT_XRAY_CONFIG).not.toContain("awsproxy");
    expect(ADOT_XRAY_CONFIG).toContain("      receivers: [awsxray]\n");
    expect(ADOT_XRAY_CONFIG).toContain("      exporters: [awsxray]\n");
    expect(ADOT_XRAY_CONFIG).not.toMatch(/awsemf|metrics:/);
  });

  test("uses the given image and retention", () => {
    const { stack, sidecar: s } = sidecar({ image: "registry.example.com/xray:1", logRetentionInDays: 7 });
    expect(s.containerDefinition().image).toBe("registry.example.com/xray:1");
    expect(onlyResource(synthJson(stack), "aws_cloudwatch_log_group").retention_in_days).toBe(7);
  });

  test("tells the application to send segments to 127.0.0.1:2000", () => {
    expect(sidecar().sidecar.applicationEnvironment).toEqual({ AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000" });
  });

  describe("grantWrite", () => {
    test("allows exactly the X-Ray write and sampling actions, on * as X-Ray requires, and not the console's sampling summaries", () => {
      // GIVEN
      const { stack, sidecar: s } = sidecar();
      // WHEN
      s.grantWrite({ name: "backend-task" });
      // THEN
      const json = synthJson(stack);
      const policy = onlyResource(json, "aws_iam_role_policy");
      expect(policy).toMatchObject({ name: "xray-write", role: "backend-task" });
      expect(policyDocumentOf(json, policy.policy).statement).toEqual([
        {
          sid: "XRayWrite",
          effect: "Allow",
          actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
          resources: ["*"],
        },
      ]);
      expect(XRAY_WRITE_ACTIONS.every((a) => a.startsWith("xray:"))).toBe(true);
    });
  });

  test("fails when the collector is unknown", () => {
    expect(() => sidecar({ collector: "jaeger" as any })).toThrow(
      'TracingSidecar.collector must be one of "xray-daemon", "adot", got "jaeger": use one of the allowed values',
    );
  });

  test("does not check an unresolved collector", () => {
    const stack = newStack();
    const collector = new TerraformVariable(stack, "collector", { type: "string" }).stringValue as "adot";
    expect(() => sidecar({ collector }, stack)).not.toThrow();
  });

  test("fails when the log retention is not one CloudWatch Logs accepts", () => {
    expect(() => sidecar({ logRetentionInDays: 2 })).toThrow(
      /^TracingSidecar.logRetentionInDays must be one of the retentions CloudWatch Logs accepts \(.*\), got 2: pick the nearest accepted value$/,
    );
  });

  test("does not check an unresolved log retention", () => {
    const stack = newStack();
    const days = new TerraformVariable(stack, "days", { type: "number" }).numberValue;
    sidecar({ logRetentionInDays: days }, stack);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: "${var.days}" });
  });
});
