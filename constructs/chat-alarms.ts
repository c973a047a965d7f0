import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { EMAIL } from "./rules";
import { checkRange, invalid } from "./validation";

/** Properties of {@link ChatAlarms}. */
export interface ChatAlarmsProps {
  /** Prefix of the alarm and topic names. */
  readonly name: string;
  /** WebSocket API id (dimension ApiId). */
  readonly apiId: string;
  /** Stage name (dimension Stage). */
  readonly stageName: string;
  /** `arn_suffix` of the NLB. */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of the NLB target group. */
  readonly targetGroupArnSuffix: string;
  /** ECS cluster name. */
  readonly clusterName: string;
  /** ECS service name. */
  readonly serviceName: string;
  /**
   * Topic the alarms notify.
   * @default - a new topic, encrypted with a new customer managed key that
   * CloudWatch may use (CloudWatch cannot publish to a topic encrypted with
   * the AWS managed key alias/aws/sns)
   */
  readonly snsTopicArn?: string;
  /**
   * Account id, for the new topic's key policy. Required without `snsTopicArn`.
   * @default - none
   */
  readonly accountId?: string;
  /**
   * E-mail address subscribed to the new topic (confirm the e-mail AWS sends).
   * @default - no subscription
   */
  readonly email?: string;
  /**
   * Integration errors (backend answered 4xx/5xx or could not be reached) per
   * 5 minutes that raise the alarm.
   * @default 5
   */
  readonly integrationErrorThreshold?: number;
  /**
   * Average service CPU, in percent, that raises the alarm.
   * @default 80
   */
  readonly cpuThresholdPercent?: number;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * CloudWatch alarms of the chat system: API integration errors and execution
 * errors (the WebSocket API's 5xx), unhealthy NLB targets, and service CPU,
 * all notifying one SNS topic.
 */
export class ChatAlarms extends Construct {
  public readonly topicArn: string;
  public readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: ChatAlarmsProps) {
    super(scope, id);
    checkRange("ChatAlarms.cpuThresholdPercent", props.cpuThresholdPercent, 1, 100, "use a percentage");
    checkRange("ChatAlarms.integrationErrorThreshold", props.integrationErrorThreshold, 1, 1_000_000, "use a count of at least 1");
    EMAIL.check("ChatAlarms.email", props.email);
    if (props.email && props.snsTopicArn) {
      throw invalid(
        "ChatAlarms.email",
        "unset when snsTopicArn is given (only the new topic gets a subscription)",
        props.email,
        "subscribe the address to your topic yourself, or drop snsTopicArn",
      );
    }
    if (props.snsTopicArn) {
      this.topicArn = props.snsTopicArn;
    } else {
      if (!props.accountId)
        throw invalid("ChatAlarms.accountId", "set when no snsTopicArn is given", props.accountId, "pass the account id for the new topic's key policy");
      const partition = new DataAwsPartition(this, "Partition").partition;
      const keyPolicy = new DataAwsIamPolicyDocument(this, "TopicKeyPolicy", {
        statement: [
          {
            sid: "AccountAdministersKeyThroughIam",
            effect: "Allow",
            principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${props.accountId}:root`] }],
            actions: ["kms:*"],
            // In a key policy "*" means this key.
            resources: ["*"],
          },
          {
            sid: "CloudWatchPublishesAlarms",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
            actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
            resources: ["*"],
          },
        ],
      });
      const key = new KmsKey(this, "TopicKey", {
        description: `Encrypts the ${props.name} alarm topic; CloudWatch may use it`,
        enableKeyRotation: true,
        deletionWindowInDays: 7,
        policy: keyPolicy.json,
        tags: props.tags,
      });
      const topic = new SnsTopic(this, "Topic", { name: `${props.name}-alarms`, kmsMasterKeyId: key.arn, tags: props.tags });
      this.topicArn = topic.arn;
      if (props.email) {
        new SnsTopicSubscription(this, "Email", { topicArn: topic.arn, protocol: "email", endpoint: props.email });
      }
    }
    const alarm = (id: string, config: Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], "alarmActions" | "okActions">) =>
      this.alarms.push(
        new CloudwatchMetricAlarm(this, id, {
          ...config,
          alarmActions: [this.topicArn],
          okActions: [this.topicArn],
          treatMissingData: "notBreaching",
          tags: props.tags,
        }),
      );
    const api = { ApiId: props.apiId, Stage: props.stageName };
    alarm("IntegrationErrors", {
      alarmName: `${props.name}-api-integration-errors`,
      alarmDescription: "The backend answered WebSocket routes with errors or could not be reached through the VPC link",
      namespace: "AWS/ApiGateway",
      metricName: "IntegrationError",
      dimensions: api,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: props.integrationErrorThreshold ?? 5,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    alarm("ExecutionErrors", {
      alarmName: `${props.name}-api-execution-errors`,
      alarmDescription: "API Gateway failed to execute WebSocket routes (the API's 5xx)",
      namespace: "AWS/ApiGateway",
      metricName: "ExecutionError",
      dimensions: api,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    alarm("UnhealthyTargets", {
      alarmName: `${props.name}-nlb-unhealthy-targets`,
      alarmDescription: "Backend tasks fail the NLB health check",
      namespace: "AWS/NetworkELB",
      metricName: "UnHealthyHostCount",
      dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    alarm("ServiceCpu", {
      alarmName: `${props.name}-service-cpu`,
      alarmDescription: "The backend service's average CPU is high",
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      dimensions: { ClusterName: props.clusterName, ServiceName: props.serviceName },
      statistic: "Average",
      period: 300,
      evaluationPeriods: 2,
      threshold: props.cpuThresholdPercent ?? 80,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  }
}
