import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { TerraformVariable, Testing } from "cdktf";
import { DEFAULT_ACCESS_LOG_FORMAT } from "../../constructs/websocket-access-log-format";
import { MAX_CONNECTION_SECONDS, WebSocketAccessLogMetrics, WebSocketAccessLogMetricsProps } from "../../constructs/websocket-access-log-metrics";
import { newStack, resourcesOf, synthJson } from "../helpers";

const metrics = (props: Partial<WebSocketAccessLogMetricsProps> = {}, stack = newStack()) => ({
  stack,
  metrics: new WebSocketAccessLogMetrics(stack, "access-log-metrics", {
    logGroupName: "/aws/apigatewayv2/chat/prod",
    apiId: "abc123",
    stageName: "prod",
    ...props,
  }),
});

/** The filters keyed by the metric they publish. */
const filtersByMetric = (json: any): Record<string, any> =>
  Object.fromEntries(Object.values<any>(resourcesOf(json, "aws_cloudwatch_log_metric_filter")).map((f) => [f.metric_transformation.name, f]));

describe("WebSocketAccessLogMetrics", () => {
  test("counts opened and closed connections, 4xx on $connect and throttled connects and frames, from the access log group", () => {
    // GIVEN / WHEN
    const { stack } = metrics();
    const byMetric = filtersByMetric(synthJson(stack));
    // THEN one filter per metric, each counting 1 per matching event
    expect(Object.fromEntries(Object.entries(byMetric).map(([name, f]) => [name, f.pattern]))).toEqual({
      ConnectionsOpened: '{ ($.eventType = "CONNECT") && ($.status = "2*") }',
      ConnectionsClosed: '{ $.eventType = "DISCONNECT" }',
      ConnectsRejected: '{ ($.eventType = "CONNECT") && ($.status = "4*") }',
      ThrottledConnects: '{ ($.eventType = "CONNECT") && ($.status = "429") }',
      ThrottledMessages: '{ ($.eventType = "MESSAGE") && ($.status = "429") }',
    });
    for (const f of Object.values<any>(byMetric)) {
      expect(f).toMatchObject({ log_group_name: "/aws/apigatewayv2/chat/prod" });
      expect(f.metric_transformation).toEqual({
        namespace: "WebSocketGateway",
        name: f.metric_transformation.name,
        value: "1",
        unit: "Count",
        dimensions: { ApiId: "$.apiId", Stage: "$.stage" },
      });
      expect(f.name).toMatch(/^websocket-[a-z-]+$/);
    }
    expect(byMetric.ConnectionsOpened.name).toBe("websocket-connections-opened");
  });

  test("describes each metric as the dashboard and the alarms read it: the API id and stage as ApiId and Stage", () => {
    const { metrics: m } = metrics();
    expect(m.connectionsOpened).toEqual({ namespace: "WebSocketGateway", metricName: "ConnectionsOpened", dimensions: { ApiId: "abc123", Stage: "prod" } });
    expect([m.connectionsClosed, m.connectsRejected, m.throttledConnects, m.throttledMessages].map((x) => x.metricName)).toEqual([
      "ConnectionsClosed",
      "ConnectsRejected",
      "ThrottledConnects",
      "ThrottledMessages",
    ]);
    expect(m.logGroupName).toBe("/aws/apigatewayv2/chat/prod");
  });

  test("reads fields the default access log format writes", () => {
    const format = JSON.parse(DEFAULT_ACCESS_LOG_FORMAT);
    expect(format).toMatchObject({ apiId: "$context.apiId", stage: "$context.stage", eventType: "$context.eventType", status: "$context.status" });
    // API Gateway's access log template quota is 3 KB
    expect(DEFAULT_ACCESS_LOG_FORMAT.length).toBeLessThan(3 * 1024);
  });

  test("takes a namespace and a count (a module's switch)", () => {
    const stack = newStack();
    const on = new TerraformVariable(stack, "on", { type: "number" }).numberValue;
    metrics({ namespace: "Chat/Access", count: on }, stack);
    const filters = Object.values<any>(resourcesOf(synthJson(stack), "aws_cloudwatch_log_metric_filter"));
    expect(filters).toHaveLength(5);
    for (const f of filters) expect([f.count, f.metric_transformation.namespace]).toEqual(["${var.on}", "Chat/Access"]);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CloudwatchLogMetricFilter, { count: "${var.on}" });
  });

  test("knows how long a connection lives at most: 2 hours", () => {
    expect(MAX_CONNECTION_SECONDS).toBe(7200);
  });
});
