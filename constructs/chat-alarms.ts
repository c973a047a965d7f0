import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { ALARM_COUNT_THRESHOLD, EMAIL } from "./rules";
import { checkRange, invalid } from "./validation";
import { IWebSocketAccessLogMetrics, MAX_CONNECTION_SECONDS } from "./websocket-access-log-metrics";

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
   * The stage's access log metrics ({@link WebSocketAccessLogMetrics}): with
   * them come the alarms on throttling, on 4xx answers to `$connect` and on
   * connected clients.
   * @default - none of those three alarms
   */
  readonly accessLogs?: IWebSocketAccessLogMetrics;
  /**
   * Throttled requests (429 answers to frames and to `$connect`) per 5
   * minutes that raise the alarm.
   * @default 10
   */
  readonly throttledRequestsThreshold?: number;
  /**
   * 4xx answers to `$connect` (refused by the authorizer or the backend, or
   * throttled) per 5 minutes that raise the alarm: rejected or abusive clients.
   * @default 100
   */
  readonly rejectedConnectsThreshold?: number;
  /**
   * Connected clients that raise the alarm, read as the dashboard's gauge
   * reads them: connections opened in the last 2 hours, an upper bound of the
   * clients connected (API Gateway closes connections after 2 hours).
   * @default 10000
   */
  readonly connectedClientsThreshold?: number;
  /**
   * TCP resets the backend's targets sent through the NLB per 5 minutes
   * (TCP_Target_Reset_Count) that raise the alarm: tasks crashing or
   * refusing connections.
   * @default 10
   */
  readonly targetResetsThreshold?: number;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * CloudWatch alarms of the chat system: API integration errors and execution
 * errors (the WebSocket API's 5xx), unhealthy NLB targets, resets sent by
 * the NLB's targets, service CPU and, from the access logs, throttled
 * requests, 4xx answers to `$connect` and connected clients, all notifying
 * one SNS topic.
 */
export class ChatAlarms extends Construct {
  public readonly topicArn: string;
  public readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: ChatAlarmsProps) {
    super(scope, id);
    checkRange("ChatAlarms.cpuThresholdPercent", props.cpuThresholdPercent, 1, 100, "use a percentage");
    checkRange("ChatAlarms.integrationErrorThreshold", props.integrationErrorThreshold, 1, 1_000_000, "use a count of at least 1");
    ALARM_COUNT_THRESHOLD.check("ChatAlarms.throttledRequestsThreshold", props.throttledRequestsThreshold);
    ALARM_COUNT_THRESHOLD.check("ChatAlarms.rejectedConnectsThreshold", props.rejectedConnectsThreshold);
    ALARM_COUNT_THRESHOLD.check("ChatAlarms.connectedClientsThreshold", props.connectedClientsThreshold);
    ALARM_COUNT_THRESHOLD.check("ChatAlarms.targetResetsThreshold", props.targetResetsThreshold);
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
    alarm("TargetResets", {
      alarmName: `${props.name}-nlb-target-resets`,
      alarmDescription: "Backend tasks reset TCP connections the NLB forwarded (crashing, or refusing connections)",
      namespace: "AWS/NetworkELB",
      metricName: "TCP_Target_Reset_Count",
      dimensions: { LoadBalancer: props.loadBalancerArnSuffix },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: props.targetResetsThreshold ?? 10,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    const logs = props.accessLogs;
    if (logs) {
      const sum = (id: string, metric: IWebSocketAccessLogMetrics["throttledConnects"]) => ({
        id,
        metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions, period: 300, stat: "Sum" },
      });
      alarm("ThrottledRequests", {
        alarmName: `${props.name}-api-throttled-requests`,
        alarmDescription: "API Gateway throttled frames or connects (429): the stage's or a route's limit, or the account's, is too low for the load",
        metricQuery: [
          { id: "throttled", expression: "FILL(frames, 0) + FILL(connects, 0)", label: "throttled requests (429)", returnData: true },
          sum("frames", logs.throttledMessages),
          sum("connects", logs.throttledConnects),
        ],
        evaluationPeriods: 1,
        threshold: props.throttledRequestsThreshold ?? 10,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
      alarm("RejectedConnects", {
        alarmName: `${props.name}-api-rejected-connects`,
        alarmDescription: "Many $connect requests were answered 4xx (refused by the authorizer or the backend, or throttled): rejected or abusive clients",
        namespace: logs.connectsRejected.namespace,
        metricName: logs.connectsRejected.metricName,
        dimensions: logs.connectsRejected.dimensions,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: props.rejectedConnectsThreshold ?? 100,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
      alarm("ConnectedClients", {
        alarmName: `${props.name}-api-connected-clients`,
        alarmDescription:
          "More clients may be connected than the threshold: connections opened in the last 2 hours (API Gateway closes every connection after 2 hours, so this bounds the connected clients from above)",
        namespace: logs.connectionsOpened.namespace,
        metricName: logs.connectionsOpened.metricName,
        dimensions: logs.connectionsOpened.dimensions,
        statistic: "Sum",
        // One 2-hour window, evaluated every minute over the last 2 hours (alarms slide their window by default).
        period: MAX_CONNECTION_SECONDS,
        evaluationPeriods: 1,
        threshold: props.connectedClientsThreshold ?? 10000,
        comparisonOperator: "GreaterThanThreshold",
      });
    }
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
