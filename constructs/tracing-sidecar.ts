import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { LOG_RETENTION, TRACING_COLLECTOR } from "./rules";

/**
 * Which collector receives the application's X-Ray segments on UDP 2000:
 * the AWS Distro for OpenTelemetry collector with its X-Ray receiver, which
 * accepts the segments of the X-Ray SDKs unchanged, or the AWS X-Ray daemon,
 * which entered maintenance on 25 February 2026 and reaches end of support on
 * 25 February 2027 ("X-Ray SDK and daemon end of support timeline",
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-eos.html).
 */
export type TracingCollector = "xray-daemon" | "adot";

/** The collector a sidecar runs when none is chosen: ADOT, which outlives the daemon. */
export const DEFAULT_TRACING_COLLECTOR: TracingCollector = "adot";

/** Port the collectors listen on, UDP (segments) and TCP (sampling proxy), in the task's network namespace. */
export const TRACING_PORT = 2000;

/** Default images, pinned so a deploy never changes the collector silently. */
export const DEFAULT_COLLECTOR_IMAGES: Record<TracingCollector, string> = {
  "xray-daemon": "public.ecr.aws/xray/aws-xray-daemon:3.3.15",
  adot: "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0",
};

/**
 * Collector configuration for ADOT: only the X-Ray receiver and the X-Ray
 * exporter, so the task role needs the X-Ray actions and nothing else (the
 * image's default ECS configuration, config/ecs/ecs-default-config.yaml of
 * aws-observability/aws-otel-collector, also receives OTLP and StatsD and
 * exports metrics with awsemf, which would need CloudWatch permissions).
 *
 * The receiver takes the X-Ray SDK's segments on UDP 2000, as the daemon
 * does, and its `proxy_server` serves the SDK's centralized sampling calls
 * (GetSamplingRules, GetSamplingTargets) on TCP 2000 and signs them to X-Ray,
 * as the daemon's TCP proxy does ("Centralized sampling is also supported via
 * a local TCP port": receiver/awsxrayreceiver/README.md of
 * open-telemetry/opentelemetry-collector-contrib). That proxy is what makes
 * sampling rules reach the application; the `awsproxy` extension is a
 * separate proxy for OpenTelemetry's remote sampler (extension/awsproxy:
 * "only the X-Ray Remote Sampler uses this proxy"), and on the same port it
 * would collide with the receiver's. Both listen on the task's loopback only.
 */
export const ADOT_XRAY_CONFIG = [
  "receivers:",
  "  awsxray:",
  `    endpoint: 127.0.0.1:${TRACING_PORT}`,
  "    transport: udp",
  "    proxy_server:",
  `      endpoint: 127.0.0.1:${TRACING_PORT}`,
  "processors:",
  "  batch/traces:",
  "    timeout: 1s",
  "    send_batch_size: 50",
  "exporters:",
  "  awsxray:",
  "service:",
  "  pipelines:",
  "    traces:",
  "      receivers: [awsxray]",
  "      processors: [batch/traces]",
  "      exporters: [awsxray]",
  "",
].join("\n");

/**
 * What a collector calls on X-Ray: sending segments and its own telemetry,
 * and, for the application's centralized sampling, reading the sampling rules
 * and reporting the sampling statistics (GetSamplingRules,
 * GetSamplingTargets). The managed policy AWSXRayDaemonWriteAccess also
 * grants GetSamplingStatisticSummaries, which only the console uses: left out.
 */
export const XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"];

/** Properties of {@link TracingSidecar}. */
export interface TracingSidecarProps {
  /**
   * The collector.
   * @default "adot"
   */
  readonly collector?: TracingCollector;
  /**
   * Image of the collector.
   * @default - see DEFAULT_COLLECTOR_IMAGES
   */
  readonly image?: string;
  /** Name of the collector's log group. */
  readonly logGroupName: string;
  /**
   * Retention of the log group, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /** Region for the awslogs driver (the stack's region). */
  readonly region: string;
  /**
   * Tags of the log group.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A tracing sidecar for a Fargate task: the collector's container
 * definition (UDP 2000, read-only root file system, its own log group), the
 * environment the application needs to find it, and the IAM grant.
 */
export class TracingSidecar extends Construct {
  /** Name of the container; the application waits for it to start. */
  public readonly containerName: string;
  /** Address the application sends segments to (in a Fargate task, loopback). */
  public readonly daemonAddress = `127.0.0.1:${TRACING_PORT}`;
  public readonly logGroup: CloudwatchLogGroup;
  private readonly collector: TracingCollector;
  private readonly image: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: TracingSidecarProps) {
    super(scope, id);
    TRACING_COLLECTOR.check("TracingSidecar.collector", props.collector);
    LOG_RETENTION.check("TracingSidecar.logRetentionInDays", props.logRetentionInDays);
    this.collector = props.collector ?? DEFAULT_TRACING_COLLECTOR;
    this.containerName = this.collector === "adot" ? "otel-collector" : "xray-daemon";
    this.image = props.image ?? DEFAULT_COLLECTOR_IMAGES[this.collector];
    this.region = props.region;
    this.logGroup = new CloudwatchLogGroup(this, "Logs", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags: props.tags,
    });
  }

  /** Environment variables the application needs (X-Ray is on only when set). */
  public get applicationEnvironment(): Record<string, string> {
    return { AWS_XRAY_DAEMON_ADDRESS: this.daemonAddress };
  }

  /** The collector's ECS container definition. */
  public containerDefinition(): Record<string, unknown> {
    const adot = this.collector === "adot";
    return {
      name: this.containerName,
      image: this.image,
      // Tracing is best effort: a collector crash must not stop the service.
      essential: false,
      cpu: 32,
      memoryReservation: 64,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: TRACING_PORT, hostPort: TRACING_PORT, protocol: "udp" }],
      // Both collectors take the region from AWS_REGION; the image's own
      // entrypoint binds UDP 2000 (only the task's own containers reach it:
      // the task security group admits nothing on that port).
      environment: [...(adot ? [{ name: "AOT_CONFIG_CONTENT", value: ADOT_XRAY_CONFIG }] : []), { name: "AWS_REGION", value: this.region }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": this.logGroup.name,
          "awslogs-region": this.region,
          "awslogs-stream-prefix": this.containerName,
        },
      },
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    };
  }

  /**
   * Lets a task role write traces and read the sampling rules. AWS requires
   * `"Resource": "*"` for these actions: X-Ray has no resource-level
   * permissions for them (the "Resource types" column of "Actions, resources,
   * and condition keys for AWS X-Ray" is empty for each, and "if there is no
   * value for this column, you must specify all resources ("*")":
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html;
   * "How AWS X-Ray works with IAM",
   * https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html).
   */
  public grantWrite(role: { readonly name: string }): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(this, "WriteDocument", {
      statement: [{ sid: "XRayWrite", effect: "Allow", actions: XRAY_WRITE_ACTIONS, resources: ["*"] }],
    });
    return new IamRolePolicy(this, "WritePolicy", { name: "xray-write", role: role.name, policy: document.json });
  }
}
