import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { dependable, Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ApplicationContainer, applicationContainerDefinition } from "./application-container";
import { addCpuAutoScaling, CpuAutoScaling } from "./cpu-auto-scaling";
import { Guardrails } from "./guardrails";
import { DEFAULT_TRACING_COLLECTOR, TracingCollector, TRACING_PORT, TracingSidecar } from "./tracing-sidecar";
import {
  ARCHITECTURE,
  atLeastMinCapacity,
  DESIRED_COUNT,
  FARGATE_CPU,
  fargateMemory,
  LOG_RETENTION,
  MAX_CAPACITY,
  MIN_CAPACITY,
  PORT,
  TARGET_CPU_PERCENT,
  TRACING,
  withinCapacity,
} from "./rules";
import { checkMinItems, checkPattern, invalid, isUnresolved } from "./validation";

/** The load balancer target group the service's tasks register in. */
export interface ServiceTargetGroup {
  /** ARN of the target group; its target type must be `ip` (awsvpc tasks). */
  readonly targetGroupArn: string;
  /**
   * What the service waits for before it registers tasks: at least the
   * listener that attaches the target group to its load balancer. ECS
   * rejects a target group no load balancer uses ("The target group ...
   * does not have an associated load balancer").
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Properties of {@link FargateService}. */
export interface FargateServiceProps {
  /** Name of the service, its task family and its roles (at most 45 characters: role names add a suffix). */
  readonly serviceName: string;
  /**
   * Name of the ECS cluster created for the service.
   * @default - the service name
   */
  readonly clusterName?: string;
  /** VPC of the tasks. */
  readonly vpcId: string;
  /** Private subnets of the tasks, in at least two Availability Zones. */
  readonly subnetIds: string[];
  /** The application. */
  readonly container: ApplicationContainer;
  /**
   * The target group the tasks register in, on the container port. The
   * service admits no inbound traffic itself: the load balancer admits
   * {@link FargateService.securityGroup} (e.g. `PrivateLink.connectTo`).
   */
  readonly targetGroup: ServiceTargetGroup;
  /**
   * Task CPU units (256, 512, 1024, 2048 or 4096).
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB, a size Fargate accepts with `cpu`.
   * @default 512
   */
  readonly memory?: number;
  /**
   * CPU architecture; must match the image.
   * @default "X86_64"
   */
  readonly architecture?: "X86_64" | "ARM64";
  /**
   * Tasks to run, at least 2 so both Availability Zones serve.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * Scaling on CPU. Off where the platform cannot register scalable targets.
   * @default - no auto scaling
   */
  readonly autoScaling?: CpuAutoScaling;
  /**
   * Tracing sidecar; "off" runs the application alone.
   * @default "adot"
   */
  readonly tracing?: TracingCollector | "off";
  /**
   * Image of the tracing collector.
   * @default - the pinned default of the collector
   */
  readonly tracingImage?: string;
  /**
   * Retention of the containers' log groups, in days.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Container Insights level of the cluster.
   * @default "enabled"
   */
  readonly containerInsights?: "enabled" | "enhanced";
  /**
   * Seconds ECS ignores failing load balancer health checks after a task starts.
   * @default 30
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * ECR repository the image comes from; the execution role may pull from it only.
   * @default - none: the image is public
   */
  readonly imageRepositoryArn?: string;
  /** Region of the stack, for the awslogs driver. */
  readonly region: string;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * An ECS Fargate service registered in a load balancer's target group:
 * cluster with Container Insights, task definition with the application and
 * a tracing sidecar, a task role (granted by its users) apart from the
 * execution role, tasks in private subnets without public IPs whose
 * security group admits nothing until the load balancer admits it,
 * deployment circuit breaker with rollback, and optional CPU auto scaling.
 */
export class FargateService extends Construct {
  public readonly cluster: EcsCluster;
  public readonly taskDefinition: EcsTaskDefinition;
  /** The `aws_ecs_service` (id `Resource`). */
  public readonly resource: EcsService;
  public readonly taskRole: IamRole;
  public readonly executionRole: IamRole;
  /**
   * Security group of the tasks: HTTPS out only, and no inbound rule; the
   * load balancer in front admits it (e.g. `PrivateLink.connectTo`).
   */
  public readonly securityGroup: SecurityGroup;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly sidecar?: TracingSidecar;
  public readonly containerName: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    validate(props);
    const tags = props.tags;
    const name = props.serviceName;
    const container = props.container;
    this.containerName = container.name ?? "backend";
    const tracing = props.tracing ?? DEFAULT_TRACING_COLLECTOR;

    this.cluster = new EcsCluster(this, "Cluster", {
      name: props.clusterName ?? name,
      setting: [{ name: "containerInsights", value: props.containerInsights ?? "enabled" }],
      tags,
    });

    this.logGroup = new CloudwatchLogGroup(this, "Logs", {
      name: `/ecs/${name}/${this.containerName}`,
      retentionInDays: props.logRetentionInDays ?? 30,
      tags,
    });
    if (tracing !== "off") {
      this.sidecar = new TracingSidecar(this, "Tracing", {
        collector: tracing,
        image: props.tracingImage,
        logGroupName: `/ecs/${name}/tracing`,
        logRetentionInDays: props.logRetentionInDays,
        region: props.region,
        tags,
      });
    }

    const ecsTasks = new DataAwsIamPolicyDocument(this, "TaskTrust", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }] }],
    });
    this.executionRole = new IamRole(this, "ExecutionRole", {
      name: `${name}-execution`,
      description: `ECS agent of ${name}: pulls the image and writes container logs`,
      assumeRolePolicy: ecsTasks.json,
      tags,
    });
    const logGroups = [this.logGroup, ...(this.sidecar ? [this.sidecar.logGroup] : [])];
    const executionStatements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "ContainerLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: logGroups.map((g) => `${g.arn}:*`) },
    ];
    if (props.imageRepositoryArn) {
      executionStatements.push(
        // AWS requires "*": GetAuthorizationToken has no resource-level permissions.
        { sid: "RegistryLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PullImage",
          effect: "Allow",
          actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          resources: [props.imageRepositoryArn],
        },
      );
    }
    const executionDocument = new DataAwsIamPolicyDocument(this, "ExecutionPolicyDocument", { statement: executionStatements });
    const executionPolicy = new IamRolePolicy(this, "ExecutionPolicy", {
      name: "pull-image-and-write-logs",
      role: this.executionRole.name,
      policy: executionDocument.json,
    });

    this.taskRole = new IamRole(this, "TaskRole", {
      name: `${name}-task`,
      description: `Application of ${name}: only what the application calls`,
      assumeRolePolicy: ecsTasks.json,
      tags,
    });
    const tracingGrant = this.sidecar?.grantWrite(this.taskRole);

    const appDefinition = applicationContainerDefinition(container, {
      logGroupName: this.logGroup.name,
      region: props.region,
      extraEnvironment: this.sidecar?.applicationEnvironment,
      startsAfter: this.sidecar?.containerName,
    });
    this.taskDefinition = new EcsTaskDefinition(this, "TaskDefinition", {
      family: name,
      cpu: String(props.cpu ?? 256),
      memory: String(props.memory ?? 512),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.architecture ?? "X86_64" },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: Fn.jsonencode([appDefinition, ...(this.sidecar ? [this.sidecar.containerDefinition()] : [])]),
      tags,
      dependsOn: [executionPolicy],
    });
    if (container.readonlyRootFilesystem === false) {
      Guardrails.suppress(
        this.taskDefinition,
        "WSG-ECS-001",
        `the application container is configured with readonlyRootFilesystem: false (it writes to its root file system)`,
      );
    }

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${name}-tasks`,
      description: `Tasks of ${name}: inbound from the VPC link NLB only`,
      vpcId: props.vpcId,
      tags: { ...tags, Name: `${name}-tasks` },
    });
    new VpcSecurityGroupEgressRule(this, "HttpsOut", {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS to AWS APIs (DynamoDB, X-Ray, ECR, @connections) through the NAT gateway or endpoints",
    });

    const scaling = props.autoScaling;
    this.resource = new EcsService(this, "Resource", {
      name,
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount ?? scaling?.minCapacity ?? 2,
      launchType: "FARGATE",
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
      loadBalancer: [{ targetGroupArn: props.targetGroup.targetGroupArn, containerName: this.containerName, containerPort: container.port }],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 30,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      tags,
      // Auto scaling owns the task count once the service exists.
      lifecycle: scaling ? { ignoreChanges: ["desired_count"] } : undefined,
      // The target group must be on its load balancer before tasks register,
      // and the task role must hold its permissions before tasks start.
      dependsOn: [...(props.targetGroup.dependsOn ?? []), ...(tracingGrant ? [tracingGrant] : [])],
    });

    if (scaling) {
      addCpuAutoScaling(this, { policyName: `${name}-cpu`, clusterName: this.cluster.name, serviceName: this.resource.name, scaling, tags });
    }
  }

  /**
   * Makes the service wait for `dependencies`, such as the policies other
   * constructs grant the task role (`grant*` methods return them): tasks
   * started before their permissions exist fail at start-up and trip the
   * deployment circuit breaker.
   */
  public addDependency(...dependencies: ITerraformDependable[]): void {
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), ...dependencies.map((d) => dependable(d))];
  }
}

function validate(props: FargateServiceProps): void {
  checkPattern(
    "FargateService.serviceName",
    props.serviceName,
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,44}$/,
    "1 to 45 letters, digits, hyphens or underscores",
    "shorten the name (role names add up to 10 characters)",
  );
  checkMinItems("FargateService.subnetIds", props.subnetIds, 2, "give private subnets in at least two Availability Zones");
  PORT.with({ fix: "use the port the application listens on" }).check("FargateService.container.port", props.container.port);
  TRACING.check("FargateService.tracing", props.tracing);
  if ((props.tracing ?? DEFAULT_TRACING_COLLECTOR) !== "off" && props.container.port === TRACING_PORT) {
    throw invalid(
      "FargateService.container.port",
      `other than ${TRACING_PORT} while a tracing collector runs (it listens on ${TRACING_PORT} in the task)`,
      props.container.port,
      'pick another port, or set tracing to "off"',
    );
  }
  ARCHITECTURE.check("FargateService.architecture", props.architecture);
  LOG_RETENTION.check("FargateService.logRetentionInDays", props.logRetentionInDays);
  const cpu = props.cpu ?? 256;
  FARGATE_CPU.check("FargateService.cpu", cpu);
  if (!isUnresolved(cpu)) fargateMemory(cpu).check("FargateService.memory", props.memory ?? 512);
  const desired = props.desiredCount ?? props.autoScaling?.minCapacity ?? 2;
  DESIRED_COUNT.with({ fix: "run at least 2 tasks so both Availability Zones serve" }).check("FargateService.desiredCount", desired);
  const s = props.autoScaling;
  if (s) {
    MIN_CAPACITY.check("FargateService.autoScaling.minCapacity", s.minCapacity);
    MAX_CAPACITY.check("FargateService.autoScaling.maxCapacity", s.maxCapacity);
    TARGET_CPU_PERCENT.check("FargateService.autoScaling.targetCpuPercent", s.targetCpuPercent);
    if (!isUnresolved(s.minCapacity)) atLeastMinCapacity(s.minCapacity).check("FargateService.autoScaling.maxCapacity", s.maxCapacity);
    if (!isUnresolved(s.minCapacity) && !isUnresolved(s.maxCapacity))
      withinCapacity(s.minCapacity, s.maxCapacity).check("FargateService.desiredCount", desired);
  }
}
