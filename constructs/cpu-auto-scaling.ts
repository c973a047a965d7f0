import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Construct } from "constructs";

/** Scaling on average CPU. */
export interface CpuAutoScaling {
  /** Fewest tasks, at least 2 (two Availability Zones). */
  readonly minCapacity: number;
  /** Most tasks. */
  readonly maxCapacity: number;
  /**
   * Average CPU utilization to hold, in percent.
   * @default 60
   */
  readonly targetCpuPercent?: number;
}

/** What {@link addCpuAutoScaling} scales. */
export interface CpuAutoScalingTarget {
  /** Name of the scaling policy. */
  readonly policyName: string;
  /** Name of the ECS cluster. */
  readonly clusterName: string;
  /** Name of the ECS service. */
  readonly serviceName: string;
  /** The scaling range and target. */
  readonly scaling: CpuAutoScaling;
  /**
   * Tags of the scalable target.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * Scales an ECS service's desired count on average CPU: a scalable target
 * (`ScalingTarget`) and a target tracking policy (`CpuScaling`), created in
 * `scope` (the service's construct, so their addresses stay under it). The
 * service should ignore changes to `desired_count`: auto scaling owns it.
 */
export function addCpuAutoScaling(scope: Construct, props: CpuAutoScalingTarget): void {
  const scaling = props.scaling;
  const target = new AppautoscalingTarget(scope, "ScalingTarget", {
    serviceNamespace: "ecs",
    resourceId: `service/${props.clusterName}/${props.serviceName}`,
    scalableDimension: "ecs:service:DesiredCount",
    minCapacity: scaling.minCapacity,
    maxCapacity: scaling.maxCapacity,
    tags: props.tags,
  });
  new AppautoscalingPolicy(scope, "CpuScaling", {
    name: props.policyName,
    policyType: "TargetTrackingScaling",
    serviceNamespace: target.serviceNamespace,
    resourceId: target.resourceId,
    scalableDimension: target.scalableDimension,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: scaling.targetCpuPercent ?? 60,
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      scaleInCooldown: 120,
      scaleOutCooldown: 60,
    },
  });
}
