import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { DASHBOARD_NAME } from "./rules";
import { graphWidget, logsWidget, metricEntry, placeWidgets, singleValueWidget, textWidget, Widget } from "./dashboard-widgets";
import { IWebSocketAccessLogMetrics, MAX_CONNECTION_SECONDS } from "./websocket-access-log-metrics";

/** What the dashboard reads of the API: its id and stage. */
export interface DashboardApi {
  readonly apiId: string;
  /** Name of the stage (a reference to the stage resource, so the dashboard follows it). */
  readonly stageName: string;
  /**
   * Route keys drawn one by one: only with the stage's detailed metrics on,
   * which publish per route (dimension `Route`; billed as custom metrics).
   * @default - no per-route widgets
   */
  readonly detailedRouteKeys?: readonly string[];
}

/** What the dashboard reads of the private path: the NLB and its target group. */
export interface DashboardLoadBalancer {
  /** `arn_suffix` of the NLB (dimension `LoadBalancer`). */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of its target group (dimension `TargetGroup`). */
  readonly targetGroupArnSuffix: string;
}

/** What the dashboard reads of the backend service. */
export interface DashboardService {
  readonly clusterName: string;
  readonly serviceName: string;
}

/** What the dashboard reads of the connections table. */
export interface DashboardTable {
  readonly tableName: string;
  /**
   * Operations the backend calls, one latency line each.
   * @default ["GetItem", "PutItem", "DeleteItem", "Scan"]
   */
  readonly operations?: readonly string[];
}

/**
 * The routes whose frames make the backend call the @connections API once
 * each (PostToConnection): AWS publishes no metric of those calls of its own.
 */
export interface DashboardConnectionsCalls {
  /** Route keys of those frames, e.g. the chat's "message" and "online". */
  readonly routeKeys: readonly string[];
}

/** Properties of {@link WebSocketDashboard}. */
export interface WebSocketDashboardProps {
  /** Name of the dashboard: 1 to 255 letters, digits, hyphens or underscores. */
  readonly dashboardName: string;
  /** Region of the metrics (the stack's). */
  readonly region: string;
  readonly api: DashboardApi;
  /**
   * The access logs' metrics (connections opened and closed, 429s, 4xx on
   * `$connect`) and log group (Logs Insights widgets).
   * @default - no widgets from the access logs, hence no connected-clients gauge
   */
  readonly accessLogs?: IWebSocketAccessLogMetrics;
  /** @default - no private path widgets */
  readonly loadBalancer?: DashboardLoadBalancer;
  /** @default - no backend widgets */
  readonly service?: DashboardService;
  /** @default - no DynamoDB widgets */
  readonly table?: DashboardTable;
  /** @default - the @connections section says only what MessageCount holds */
  readonly connectionsCalls?: DashboardConnectionsCalls;
  /**
   * Line shown under the title, e.g. what the dashboard leaves out.
   * @default - none
   */
  readonly note?: string;
  /**
   * Number of dashboards to create (a Terraform expression in a module:
   * `var.dashboard_enabled ? 1 : 0`).
   * @default - one, unconditionally
   */
  readonly count?: number;
}

const API = "AWS/ApiGateway";

/**
 * A CloudWatch dashboard (`aws_cloudwatch_dashboard`, id `Resource`) of a
 * WebSocket API and what serves it, reading only what its props name (the
 * stack's own resources, by reference):
 *
 * - the API: ConnectCount, MessageCount, IntegrationError, ClientError,
 *   ExecutionError, IntegrationLatency p50 and p99 (dimensions ApiId, Stage:
 *   "Monitor WebSocket API execution with CloudWatch metrics");
 * - from the access logs ({@link WebSocketAccessLogMetrics}): the
 *   connected-clients gauge, connections opened and closed, throttled (429)
 *   frames and connects, 4xx on `$connect`, and the sources of rejected
 *   connects (Logs Insights);
 * - the private path: NLB healthy and unhealthy targets (LoadBalancer,
 *   TargetGroup), active flows and target resets (LoadBalancer);
 * - the backend: running and desired tasks (Container Insights, the
 *   cluster's `containerInsights` setting), CPU and memory (the free service
 *   metrics of AWS/ECS);
 * - DynamoDB: read and write throttle events and request latency per operation;
 * - @connections calls: AWS publishes no metric of their own (MessageCount
 *   counts them with the clients' frames), so the calls are counted from the
 *   frames that make the backend call @connections, when given.
 *
 * **The connected-clients gauge** is an upper bound: connections opened in
 * the last 2 hours. API Gateway closes every connection after 2 hours
 * (quota "Connection duration for WebSocket API", not adjustable), so every
 * client connected now opened its connection within them; connections
 * closed since are counted too. It does not rest on `$disconnect`, which API
 * Gateway delivers on a best-effort basis. No AWS metric says how many
 * clients are connected, and a count of opens minus closes cannot say it
 * either without a running total kept somewhere (docs/chat.md, "Observing it").
 */
export class WebSocketDashboard extends Construct {
  /** The `aws_cloudwatch_dashboard`. */
  public readonly resource: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: WebSocketDashboardProps) {
    super(scope, id);
    DASHBOARD_NAME.check("WebSocketDashboard.dashboardName", props.dashboardName);
    const header = textWidget(
      [
        "# WebSocket API, its clients and its backend",
        "What each widget measures, the connected-clients gauge's accuracy and the alarms: the project's docs/chat.md (Observing it) and the modules' READMEs (Dashboard)." +
          (props.note ? ` ${props.note}` : ""),
      ].join("\n\n"),
    );
    const rows: Widget[][] = [
      [header],
      ...apiRows(props.region, props.api),
      ...(props.accessLogs ? clientRows(props.region, props.accessLogs) : []),
      ...(props.loadBalancer ? [privatePathRow(props.region, props.loadBalancer)] : []),
      ...(props.service ? [serviceRow(props.region, props.service)] : []),
      ...(props.table ? [tableRow(props.region, props.table)] : []),
      connectionsRow(props.region, props.accessLogs, props.connectionsCalls),
    ];
    // The dashboard's own range is 3 hours; each graph keeps its own period ("inherit").
    const body = { start: "-PT3H", periodOverride: "inherit", widgets: placeWidgets(rows) };
    this.resource = new CloudwatchDashboard(this, "Resource", {
      dashboardName: props.dashboardName,
      // JSON with Terraform references inside strings (ids, names, ARN suffixes): Terraform fills them in.
      dashboardBody: JSON.stringify(body),
      count: props.count,
    });
  }
}

/** API Gateway's own metrics of the stage, and of each route with detailed metrics. */
function apiRows(region: string, api: DashboardApi): Widget[][] {
  const stage = { ApiId: api.apiId, Stage: api.stageName };
  const m = (metricName: string, dimensions = stage, options: Record<string, unknown> = {}) => metricEntry({ namespace: API, metricName, dimensions }, options);
  const rows: Widget[][] = [
    [
      graphWidget(region, "Connects and messages (per minute)", [m("ConnectCount"), m("MessageCount")]),
      graphWidget(region, "Errors (per minute)", [m("IntegrationError"), m("ClientError"), m("ExecutionError")]),
      graphWidget(
        region,
        "Integration latency (ms)",
        [m("IntegrationLatency", stage, { stat: "p50", label: "p50" }), m("IntegrationLatency", stage, { stat: "p99", label: "p99" })],
        { stat: "p50" },
      ),
    ],
  ];
  // Detailed metrics of a WebSocket stage carry the route key in the dimension Route.
  const routes = (api.detailedRouteKeys ?? []).map((routeKey) => {
    const route = { ...stage, Route: routeKey };
    return graphWidget(region, `Route ${routeKey}: messages, errors, latency p99`, [
      m("MessageCount", route),
      m("IntegrationError", route),
      m("IntegrationLatency", route, { stat: "p99", label: "latency p99 (ms)", yAxis: "right" }),
    ]);
  });
  if (routes.length) rows.push(routes);
  return rows;
}

/** The clients, from the access logs: the gauge, opens and closes, 429s and 4xx, and who is rejected. */
function clientRows(region: string, a: IWebSocketAccessLogMetrics): Widget[][] {
  return [
    [
      singleValueWidget(
        region,
        "Connected clients, at most (opened in the last 2 h)",
        [metricEntry(a.connectionsOpened, { label: "at most connected" })],
        "Sum",
        // Its own range: the sum over exactly the connections' longest life, whatever the dashboard shows.
        `-PT${MAX_CONNECTION_SECONDS / 3600}H`,
      ),
      graphWidget(region, "Connections opened and closed (per minute)", [
        metricEntry(a.connectionsOpened, { label: "opened" }),
        metricEntry(a.connectionsClosed, { label: "closed ($disconnect, best effort)" }),
      ]),
      graphWidget(
        region,
        "Throttled (429) and rejected (4xx) (per minute)",
        [
          metricEntry(a.throttledMessages, { label: "throttled frames" }),
          metricEntry(a.throttledConnects, { label: "throttled connects" }),
          metricEntry(a.connectsRejected, { label: "$connect answered 4xx" }),
        ],
        {},
        10,
      ),
    ],
    [
      logsWidget(
        region,
        "Sources of rejected $connect (top 10, access logs)",
        `SOURCE '${a.logGroupName}' | filter eventType = "CONNECT" and status like /^4/ | stats count(*) as rejected by ip, status | sort rejected desc | limit 10`,
        "table",
      ),
      logsWidget(
        region,
        "Frames by route and status (access logs)",
        `SOURCE '${a.logGroupName}' | filter eventType = "MESSAGE" | stats count(*) as frames by routeKey, status | sort frames desc | limit 20`,
        "table",
      ),
    ],
  ];
}

/** The NLB: targets (LoadBalancer and TargetGroup), flows and resets (LoadBalancer). */
function privatePathRow(region: string, lb: DashboardLoadBalancer): Widget[] {
  const m = (metricName: string, dimensions: Record<string, string>, options: Record<string, unknown> = {}) =>
    metricEntry({ namespace: "AWS/NetworkELB", metricName, dimensions }, options);
  const group = { LoadBalancer: lb.loadBalancerArnSuffix, TargetGroup: lb.targetGroupArnSuffix };
  const nlb = { LoadBalancer: lb.loadBalancerArnSuffix };
  return [
    graphWidget(
      region,
      "Private path: NLB targets",
      [
        m("HealthyHostCount", group, { stat: "Minimum", label: "healthy (min)" }),
        m("UnHealthyHostCount", group, { stat: "Maximum", label: "unhealthy (max)" }),
      ],
      { stat: "Maximum" },
    ),
    graphWidget(
      region,
      "Private path: active flows",
      [m("ActiveFlowCount", nlb, { stat: "Average", label: "average" }), m("ActiveFlowCount", nlb, { stat: "Maximum", label: "max" })],
      { stat: "Average" },
    ),
    graphWidget(region, "Private path: resets sent by targets (per minute)", [m("TCP_Target_Reset_Count", nlb)]),
  ];
}

/** The service: tasks (Container Insights), CPU and memory (AWS/ECS service metrics, free). */
function serviceRow(region: string, svc: DashboardService): Widget[] {
  const service = { ClusterName: svc.clusterName, ServiceName: svc.serviceName };
  const insights = (metricName: string, label: string) => metricEntry({ namespace: "ECS/ContainerInsights", metricName, dimensions: service }, { label });
  const ecs = (metricName: string, stat: string, label: string) => metricEntry({ namespace: "AWS/ECS", metricName, dimensions: service }, { stat, label });
  return [
    graphWidget(
      region,
      "Backend: tasks (Container Insights)",
      [insights("RunningTaskCount", "running"), insights("DesiredTaskCount", "desired")],
      { stat: "Average" },
      12,
    ),
    graphWidget(
      region,
      "Backend: CPU and memory (%)",
      [
        ecs("CPUUtilization", "Average", "CPU average"),
        ecs("CPUUtilization", "Maximum", "CPU max"),
        ecs("MemoryUtilization", "Average", "memory average"),
        ecs("MemoryUtilization", "Maximum", "memory max"),
      ],
      { stat: "Average", yAxis: { left: { min: 0, max: 100 } } },
      12,
    ),
  ];
}

/** The table: throttle events, and latency per operation the backend calls. */
function tableRow(region: string, t: DashboardTable): Widget[] {
  const m = (metricName: string, dimensions: Record<string, string>, options: Record<string, unknown> = {}) =>
    metricEntry({ namespace: "AWS/DynamoDB", metricName, dimensions }, options);
  const table = { TableName: t.tableName };
  return [
    graphWidget(region, "DynamoDB: throttle events (per minute)", [m("ReadThrottleEvents", table), m("WriteThrottleEvents", table)], {}, 12),
    graphWidget(
      region,
      "DynamoDB: request latency (ms, average)",
      (t.operations ?? ["GetItem", "PutItem", "DeleteItem", "Scan"]).map((operation) =>
        m("SuccessfulRequestLatency", { ...table, Operation: operation }, { label: operation }),
      ),
      { stat: "Average" },
      12,
    ),
  ];
}

/**
 * @connections calls: no AWS metric of their own. With the routes whose
 * frames make the backend call @connections, they are counted from the
 * access logs; otherwise the widget says where to count them.
 */
function connectionsRow(region: string, a?: IWebSocketAccessLogMetrics, calls?: DashboardConnectionsCalls): Widget[] {
  const counted = a !== undefined && calls !== undefined;
  const markdown = [
    "## @connections calls",
    "AWS publishes no metric of @connections calls of their own: MessageCount counts the messages sent to clients through @connections together with the clients' frames.",
    counted
      ? `The backend calls @connections (PostToConnection) once for each ${calls.routeKeys.map((k) => `\`${k}\``).join(" and ")} frame it answers 2xx: counted beside, from the access logs.`
      : "Count them in your backend (one per PostToConnection).",
  ].join("\n\n");
  if (!counted) return [textWidget(markdown, 4)];
  const keys = calls.routeKeys.map((k) => JSON.stringify(k)).join(", ");
  return [
    textWidget(markdown, 6, 8),
    logsWidget(
      region,
      "@connections calls by the backend (per minute, access logs)",
      `SOURCE '${a.logGroupName}' | filter eventType = "MESSAGE" and routeKey in [${keys}] and integrationStatus like /^2/ | stats count(*) as calls by bin(1m)`,
      "timeSeries",
      16,
    ),
  ];
}
