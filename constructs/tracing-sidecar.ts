import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { LOG_RETENTION, TRACING_COLLECTOR } from "./rules";

/**
 * Which collector receives the application's X-Ray segments on UDP 2000:
 * the AWS X-Ray daemon (end of support: 25 February 2027) or the AWS Distro
 * for OpenTelemetry collector with its X-Ray receiver, which accepts the same
 * segments and replaces the daemon.
 */
export type TracingCollector = "xray-daemon" | "adot";

/** Port the collectors listen on, UDP (segments) and TCP (sampling proxy), in the task's network namespace. */
export const TRACING_PORT = 2000;

/** Default images, pinned so a deploy never changes the collector silently. */
export const DEFAULT_COLLECTOR_IMAGES: Record<TracingCollector, string> = {
  "xray-daemon": "public.ecr.aws/xray/aws-xray-daemon:3.3.15",
  adot: "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0",
};

/**
 * Collector configuration for ADOT: only the X-Ray receiver (UDP 2000 on the
 * task's loopback) and the X-Ray exporter, so the task role needs X-Ray
 * write actions and nothing else (the image's default configuration also
 * exports metrics, which would need CloudWatch permissions).
 */
export const ADOT_XRAY_CONFIG = [
  "receivers:",
  "  awsxray:",
  `    endpoint: 127.0.0.1:${TRACING_PORT}`,
  "    transport: udp",
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

/** The X-Ray write actions (as in the managed policy AWSXRayDaemonWriteAccess). */
export const XRAY_WRITE_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
];

/** Properties of {@link TracingSidecar}. */
export interface TracingSidecarProps {
  /**
   * The collector.
   * @default "xray-daemon"
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
    this.collector = props.collector ?? "xray-daemon";
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
   * Lets a task role write traces. X-Ray has no resource-level permissions
   * for these actions, so AWS requires `"Resource": "*"`.
   */
  public grantWrite(role: { readonly name: string }): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(this, "WriteDocument", {
      statement: [{ sid: "XRayWrite", effect: "Allow", actions: XRAY_WRITE_ACTIONS, resources: ["*"] }],
    });
    return new IamRolePolicy(this, "WritePolicy", { name: "xray-write", role: role.name, policy: document.json });
  }
}
