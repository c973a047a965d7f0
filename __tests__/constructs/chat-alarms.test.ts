import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { ChatAlarms, ChatAlarmsProps } from "../../constructs/chat-alarms";
import { IWebSocketAccessLogMetrics } from "../../constructs/websocket-access-log-metrics";
import { newStack, onlyResource, policyDocumentOf, resourcesOf, synthJson } from "../helpers";

const EXISTING_TOPIC = "arn:aws:sns:us-east-1:123456789012:ops";
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;

function alarms(overrides: Partial<ChatAlarmsProps> = {}, stack = newStack()) {
  return {
    stack,
    alarms: new ChatAlarms(stack, "alarms", {
      name: "chat",
      apiId: "api-123",
      stageName: "prod",
      loadBalancerArnSuffix: "net/chat-nlb/abc",
      targetGroupArnSuffix: "targetgroup/chat-tg/def",
      clusterName: "chat",
      serviceName: "chat-backend",
      accountId: "123456789012",
      ...overrides,
    }),
  };
}

/** The alarms keyed by metric name (by alarm name for those on an expression). */
function alarmsByMetric(stack: TerraformStack): Record<string, any> {
  return Object.fromEntries(Object.values(resourcesOf(synthJson(stack), "aws_cloudwatch_metric_alarm")).map((a: any) => [a.metric_name ?? a.alarm_name, a]));
}

/** Access log metrics as WebSocketAccessLogMetrics describes them. */
const metric = (metricName: string) => ({ namespace: "WebSocketGateway", metricName, dimensions: { ApiId: "api-123", Stage: "prod" } });
const ACCESS_LOGS: IWebSocketAccessLogMetrics = {
  logGroupName: "/aws/apigatewayv2/chat/prod",
  connectionsOpened: metric("ConnectionsOpened"),
  connectionsClosed: metric("ConnectionsClosed"),
  connectsRejected: metric("ConnectsRejected"),
  throttledConnects: metric("ThrottledConnects"),
  throttledMessages: metric("ThrottledMessages"),
};

describe("ChatAlarms", () => {
  test("creates a topic for the alarms", () => {
    const { stack } = alarms({ tags: { team: "chat" } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SnsTopic, { name: "chat-alarms", tags: { team: "chat" } });
    expect(Testing.synth(stack)).not.toHaveResource(SnsTopicSubscription);
  });

  test("encrypts the new topic with a rotated customer managed key CloudWatch alarms may use", () => {
    const { stack } = alarms();
    const json = synthJson(stack);
    const keyId = Object.keys(resourcesOf(json, "aws_kms_key"))[0];
    expect(onlyResource(json, "aws_sns_topic").kms_master_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    const key = onlyResource(json, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    const policy = policyDocumentOf(json, key.policy);
    expect(policy.statement).toEqual([
      expect.objectContaining({
        principals: [{ type: "AWS", identifiers: ["arn:${data.aws_partition.alarms_Partition_9279DC78.partition}:iam::123456789012:root"] }],
        actions: ["kms:*"],
        resources: ["*"],
      }),
      {
        sid: "CloudWatchPublishesAlarms",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      },
    ]);
  });

  test("fails when no account id is given for a new topic", () => {
    expect(() => alarms({ accountId: undefined })).toThrow(
      "ChatAlarms.accountId must be set when no snsTopicArn is given, got nothing: pass the account id for the new topic's key policy",
    );
  });

  test("fails when an e-mail address is given with an existing topic", () => {
    expect(() => alarms({ snsTopicArn: EXISTING_TOPIC, email: "ops@example.com" })).toThrow(
      'ChatAlarms.email must be unset when snsTopicArn is given (only the new topic gets a subscription), got "ops@example.com": subscribe the address to your topic yourself, or drop snsTopicArn',
    );
  });

  test("subscribes the given e-mail address to the new topic", () => {
    const { stack } = alarms({ email: "ops@example.com" });
    const json = synthJson(stack);
    const topic = Object.keys(resourcesOf(json, "aws_sns_topic"))[0];
    expect(onlyResource(json, "aws_sns_topic_subscription")).toEqual({
      topic_arn: `\${aws_sns_topic.${topic}.arn}`,
      protocol: "email",
      endpoint: "ops@example.com",
    });
  });

  test("notifies an existing topic instead of creating one", () => {
    const { stack, alarms: a } = alarms({ snsTopicArn: EXISTING_TOPIC });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_sns_topic")).toEqual({});
    expect(a.topicArn).toBe(EXISTING_TOPIC);
    for (const alarm of Object.values(alarmsByMetric(stack))) expect(alarm).toMatchObject({ alarm_actions: [EXISTING_TOPIC], ok_actions: [EXISTING_TOPIC] });
  });

  test("raises and clears every alarm on the topic, treating missing data as fine", () => {
    const { stack, alarms: a } = alarms();
    const json = synthJson(stack);
    const topic = `\${aws_sns_topic.${Object.keys(resourcesOf(json, "aws_sns_topic"))[0]}.arn}`;
    expect(a.alarms).toHaveLength(5);
    for (const alarm of Object.values(alarmsByMetric(stack))) {
      expect(alarm).toMatchObject({ alarm_actions: [topic], ok_actions: [topic], treat_missing_data: "notBreaching" });
    }
  });

  test("watches integration and execution errors of the API stage", () => {
    const byMetric = alarmsByMetric(alarms().stack);
    expect(byMetric.IntegrationError).toMatchObject({
      alarm_name: "chat-api-integration-errors",
      namespace: "AWS/ApiGateway",
      dimensions: { ApiId: "api-123", Stage: "prod" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 5,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
    expect(byMetric.ExecutionError).toMatchObject({
      alarm_name: "chat-api-execution-errors",
      namespace: "AWS/ApiGateway",
      dimensions: { ApiId: "api-123", Stage: "prod" },
      statistic: "Sum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
  });

  test("watches unhealthy NLB targets and the service's CPU", () => {
    const byMetric = alarmsByMetric(alarms().stack);
    expect(byMetric.UnHealthyHostCount).toMatchObject({
      alarm_name: "chat-nlb-unhealthy-targets",
      namespace: "AWS/NetworkELB",
      dimensions: { LoadBalancer: "net/chat-nlb/abc", TargetGroup: "targetgroup/chat-tg/def" },
      statistic: "Maximum",
      period: 60,
      evaluation_periods: 3,
      threshold: 1,
    });
    expect(byMetric.CPUUtilization).toMatchObject({
      alarm_name: "chat-service-cpu",
      namespace: "AWS/ECS",
      dimensions: { ClusterName: "chat", ServiceName: "chat-backend" },
      statistic: "Average",
      threshold: 80,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
  });

  test("watches the TCP resets the NLB's targets send", () => {
    expect(alarmsByMetric(alarms().stack).TCP_Target_Reset_Count).toMatchObject({
      alarm_name: "chat-nlb-target-resets",
      namespace: "AWS/NetworkELB",
      dimensions: { LoadBalancer: "net/chat-nlb/abc" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 10,
      comparison_operator: "GreaterThanOrEqualToThreshold",
    });
  });

  test("with the access log metrics, watches throttled frames and connects together, 4xx on $connect and connected clients", () => {
    // GIVEN / WHEN
    const { stack, alarms: a } = alarms({ accessLogs: ACCESS_LOGS });
    const byMetric = alarmsByMetric(stack);
    // THEN eight alarms, all on the topic
    expect(a.alarms).toHaveLength(8);
    // 429s of frames and of $connect, summed by an expression (a metric missing in a period counts 0)
    const throttled = byMetric["chat-api-throttled-requests"];
    expect(throttled).toMatchObject({
      evaluation_periods: 1,
      threshold: 10,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
    });
    expect(throttled.metric_query).toEqual([
      { id: "throttled", expression: "FILL(frames, 0) + FILL(connects, 0)", label: "throttled requests (429)", return_data: true },
      {
        id: "frames",
        metric: { namespace: "WebSocketGateway", metric_name: "ThrottledMessages", dimensions: { ApiId: "api-123", Stage: "prod" }, period: 300, stat: "Sum" },
      },
      {
        id: "connects",
        metric: { namespace: "WebSocketGateway", metric_name: "ThrottledConnects", dimensions: { ApiId: "api-123", Stage: "prod" }, period: 300, stat: "Sum" },
      },
    ]);
    expect(byMetric.ConnectsRejected).toMatchObject({
      alarm_name: "chat-api-rejected-connects",
      namespace: "WebSocketGateway",
      dimensions: { ApiId: "api-123", Stage: "prod" },
      statistic: "Sum",
      period: 300,
      threshold: 100,
    });
    // the gauge's upper bound: connections opened over the connections' longest life, 2 hours
    expect(byMetric.ConnectionsOpened).toMatchObject({
      alarm_name: "chat-api-connected-clients",
      namespace: "WebSocketGateway",
      dimensions: { ApiId: "api-123", Stage: "prod" },
      statistic: "Sum",
      period: 7200,
      evaluation_periods: 1,
      threshold: 10000,
      comparison_operator: "GreaterThanThreshold",
    });
  });

  test("uses the given thresholds of the access log alarms and of target resets", () => {
    const byMetric = alarmsByMetric(
      alarms({ accessLogs: ACCESS_LOGS, throttledRequestsThreshold: 1, rejectedConnectsThreshold: 2, connectedClientsThreshold: 3, targetResetsThreshold: 4 })
        .stack,
    );
    expect(byMetric["chat-api-throttled-requests"].threshold).toBe(1);
    expect(byMetric.ConnectsRejected.threshold).toBe(2);
    expect(byMetric.ConnectionsOpened.threshold).toBe(3);
    expect(byMetric.TCP_Target_Reset_Count.threshold).toBe(4);
  });

  test("fails when a count threshold is below 1", () => {
    expect(() => alarms({ connectedClientsThreshold: 0 })).toThrow(
      "ChatAlarms.connectedClientsThreshold must be a whole number from 1 to 1000000000, got 0: give a count of at least 1",
    );
    expect(() => alarms({ throttledRequestsThreshold: 1.5 })).toThrow(
      "ChatAlarms.throttledRequestsThreshold must be a whole number from 1 to 1000000000, got 1.5: give a count of at least 1",
    );
  });

  test("uses the given thresholds", () => {
    const byMetric = alarmsByMetric(alarms({ integrationErrorThreshold: 20, cpuThresholdPercent: 70 }).stack);
    expect(byMetric.IntegrationError.threshold).toBe(20);
    expect(byMetric.CPUUtilization.threshold).toBe(70);
  });

  test("fails when the CPU threshold is not a percentage", () => {
    expect(() => alarms({ cpuThresholdPercent: 0 })).toThrow("ChatAlarms.cpuThresholdPercent must be a whole number from 1 to 100, got 0: use a percentage");
    expect(() => alarms({ cpuThresholdPercent: 101 })).toThrow(
      "ChatAlarms.cpuThresholdPercent must be a whole number from 1 to 100, got 101: use a percentage",
    );
  });

  test("does not check an unresolved CPU threshold", () => {
    const stack = newStack();
    alarms({ cpuThresholdPercent: numberVar(stack) }, stack);
    expect(alarmsByMetric(stack).CPUUtilization.threshold).toBe("${var.n}");
  });

  test("fails when the integration error threshold is below 1", () => {
    expect(() => alarms({ integrationErrorThreshold: 0 })).toThrow(
      "ChatAlarms.integrationErrorThreshold must be a whole number from 1 to 1000000, got 0: use a count of at least 1",
    );
  });

  test("does not check an unresolved integration error threshold", () => {
    const stack = newStack();
    expect(() => alarms({ integrationErrorThreshold: numberVar(stack) }, stack)).not.toThrow();
  });

  test("fails when the e-mail address is not one", () => {
    expect(() => alarms({ email: "ops.example.com" })).toThrow('ChatAlarms.email must be an e-mail address, got "ops.example.com": fix the address');
  });

  test("does not check an unresolved e-mail address", () => {
    const stack = newStack();
    const email = new TerraformVariable(stack, "email", { type: "string" }).stringValue;
    alarms({ email }, stack);
    expect(onlyResource(synthJson(stack), "aws_sns_topic_subscription").endpoint).toBe("${var.email}");
  });
});
