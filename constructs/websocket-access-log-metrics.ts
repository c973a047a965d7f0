import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { Construct } from "constructs";
import { MetricId } from "./dashboard-widgets";

/**
 * Connections live at most this long: API Gateway closes every WebSocket
 * connection after 2 hours ("Connection duration for WebSocket API", not
 * adjustable: "Amazon API Gateway quotas for configuring and running a
 * WebSocket API",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

export type { MetricId } from "./dashboard-widgets";

/** The metrics a stage's access logs yield, and the log group they come from. */
export interface IWebSocketAccessLogMetrics {
  /** Name of the access log group (for Logs Insights queries). */
  readonly logGroupName: string;
  /** Successful `$connect`s (CONNECT events answered 2xx). */
  readonly connectionsOpened: MetricId;
  /** `$disconnect`s (DISCONNECT events; API Gateway delivers them on a best-effort basis). */
  readonly connectionsClosed: MetricId;
  /** `$connect`s answered 4xx: refused by the authorizer or the backend, or throttled. */
  readonly connectsRejected: MetricId;
  /** `$connect`s answered 429: throttled. */
  readonly throttledConnects: MetricId;
  /** Frames answered 429: throttled. */
  readonly throttledMessages: MetricId;
}

/** Properties of {@link WebSocketAccessLogMetrics}. */
export interface WebSocketAccessLogMetricsProps {
  /**
   * The stage's access log group. Its format must be JSON with the fields of
   * `DEFAULT_ACCESS_LOG_FORMAT` that the filters read: `apiId`, `stage`,
   * `eventType` and `status`.
   */
  readonly logGroupName: string;
  /** ID of the API, the value of the metrics' `ApiId` dimension (the log's `apiId`). */
  readonly apiId: string;
  /** Name of the stage, the value of the metrics' `Stage` dimension (the log's `stage`). */
  readonly stageName: string;
  /**
   * Namespace of the metrics.
   * @default "WebSocketGateway"
   */
  readonly namespace?: string;
  /**
   * Number of each filter to create (a Terraform expression in a module:
   * `var.dashboard_enabled ? 1 : 0`).
   * @default - one of each, unconditionally
   */
  readonly count?: number;
}

/** Metric name → the JSON filter pattern that counts it. */
const FILTERS = {
  ConnectionsOpened: '{ ($.eventType = "CONNECT") && ($.status = "2*") }',
  ConnectionsClosed: '{ $.eventType = "DISCONNECT" }',
  ConnectsRejected: '{ ($.eventType = "CONNECT") && ($.status = "4*") }',
  ThrottledConnects: '{ ($.eventType = "CONNECT") && ($.status = "429") }',
  ThrottledMessages: '{ ($.eventType = "MESSAGE") && ($.status = "429") }',
} as const;

/**
 * Metrics AWS does not publish for WebSocket APIs, made from the stage's
 * access logs by metric filters (`aws_cloudwatch_log_metric_filter`, one per
 * metric): connections opened and closed, `$connect`s answered 4xx, and
 * throttled (429) connects and frames. API Gateway's own metrics
 * (ConnectCount, MessageCount, ClientError, ...) count neither closes nor
 * throttling ("Monitor WebSocket API execution with CloudWatch metrics",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-logging.html).
 *
 * Each metric has the dimensions `ApiId` and `Stage`, taken from the log
 * event's `apiId` and `stage` fields, so the metrics of two stages never mix.
 * A metric filter publishes a data point only for the events it matches
 * (none while the stage writes no access logs); each of the five metrics is
 * a custom metric, billed as one.
 */
export class WebSocketAccessLogMetrics extends Construct implements IWebSocketAccessLogMetrics {
  public readonly logGroupName: string;
  public readonly connectionsOpened: MetricId;
  public readonly connectionsClosed: MetricId;
  public readonly connectsRejected: MetricId;
  public readonly throttledConnects: MetricId;
  public readonly throttledMessages: MetricId;
  /** The metric filters, by metric name. */
  public readonly filters: Record<keyof typeof FILTERS, CloudwatchLogMetricFilter>;

  constructor(scope: Construct, id: string, props: WebSocketAccessLogMetricsProps) {
    super(scope, id);
    const namespace = props.namespace ?? "WebSocketGateway";
    this.logGroupName = props.logGroupName;
    const dimensions = { ApiId: props.apiId, Stage: props.stageName };
    const filter = (metricName: keyof typeof FILTERS): CloudwatchLogMetricFilter =>
      new CloudwatchLogMetricFilter(this, metricName, {
        // Unique per log group; a filter name may hold neither ":" nor "*".
        name: `websocket-${metricName.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase())}`,
        logGroupName: props.logGroupName,
        pattern: FILTERS[metricName],
        count: props.count,
        metricTransformation: {
          namespace,
          name: metricName,
          value: "1",
          unit: "Count",
          // The event's own fields (a filter with dimensions takes no default value).
          dimensions: { ApiId: "$.apiId", Stage: "$.stage" },
        },
      });
    this.filters = {
      ConnectionsOpened: filter("ConnectionsOpened"),
      ConnectionsClosed: filter("ConnectionsClosed"),
      ConnectsRejected: filter("ConnectsRejected"),
      ThrottledConnects: filter("ThrottledConnects"),
      ThrottledMessages: filter("ThrottledMessages"),
    };
    const metric = (metricName: keyof typeof FILTERS): MetricId => ({ namespace, metricName, dimensions });
    this.connectionsOpened = metric("ConnectionsOpened");
    this.connectionsClosed = metric("ConnectionsClosed");
    this.connectsRejected = metric("ConnectsRejected");
    this.throttledConnects = metric("ThrottledConnects");
    this.throttledMessages = metric("ThrottledMessages");
  }
}
