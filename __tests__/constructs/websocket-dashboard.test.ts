import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Testing } from "cdktf";
import { WebSocketAccessLogMetrics } from "../../constructs/websocket-access-log-metrics";
import { WebSocketDashboard, WebSocketDashboardProps } from "../../constructs/websocket-dashboard";
import { newStack, onlyResource, synthJson } from "../helpers";
import { dashboardLogSources, dashboardMetrics, dashboardRegions } from "../support/dashboard";

const API = { apiId: "abc123", stageName: "prod" };

function dashboard(props: Partial<WebSocketDashboardProps> = {}, stack = newStack()) {
  const accessLogs = new WebSocketAccessLogMetrics(stack, "metrics", { logGroupName: "/aws/apigatewayv2/chat/prod", ...API });
  const d = new WebSocketDashboard(stack, "dashboard", { dashboardName: "chat-prod", region: "eu-west-1", api: API, accessLogs, ...props });
  return { stack, dashboard: d };
}

const body = (stack: ReturnType<typeof newStack>) => onlyResource(synthJson(stack), "aws_cloudwatch_dashboard").dashboard_body as string;

describe("WebSocketDashboard", () => {
  test("draws the API's metrics and its clients' from the access logs, in the given region", () => {
    // GIVEN / WHEN
    const { stack } = dashboard();
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CloudwatchDashboard, { dashboard_name: "chat-prod" });
    const metrics = dashboardMetrics(body(stack));
    expect([...new Set(metrics.map((m) => `${m.namespace}:${m.metricName}`))].sort()).toEqual(
      [
        "AWS/ApiGateway:ClientError",
        "AWS/ApiGateway:ConnectCount",
        "AWS/ApiGateway:ExecutionError",
        "AWS/ApiGateway:IntegrationError",
        "AWS/ApiGateway:IntegrationLatency",
        "AWS/ApiGateway:MessageCount",
        "WebSocketGateway:ConnectionsClosed",
        "WebSocketGateway:ConnectionsOpened",
        "WebSocketGateway:ConnectsRejected",
        "WebSocketGateway:ThrottledConnects",
        "WebSocketGateway:ThrottledMessages",
      ].sort(),
    );
    for (const m of metrics) expect(m.dimensions).toEqual({ ApiId: "abc123", Stage: "prod" });
    expect(dashboardRegions(body(stack))).toEqual(["eu-west-1"]);
    expect(dashboardLogSources(body(stack)).map((s) => s.sources)).toEqual([["/aws/apigatewayv2/chat/prod"], ["/aws/apigatewayv2/chat/prod"]]);
  });

  test("draws integration latency at p50 and p99", () => {
    const { stack } = dashboard();
    const latency = JSON.parse(body(stack)).widgets.find((w: any) => w.properties.title === "Integration latency (ms)");
    expect(latency.properties.metrics.map((e: any[]) => e[e.length - 1].stat)).toEqual(["p50", "p99"]);
  });

  test("adds the private path, the service, the table and the @connections calls when given", () => {
    const { stack } = dashboard({
      loadBalancer: { loadBalancerArnSuffix: "net/nlb/1", targetGroupArnSuffix: "targetgroup/tg/2" },
      service: { clusterName: "c", serviceName: "s" },
      table: { tableName: "t", operations: ["GetItem"] },
      connectionsCalls: { routeKeys: ["message"] },
    });
    const metrics = dashboardMetrics(body(stack));
    const dims = (ns: string, name: string) => metrics.filter((m) => m.namespace === ns && m.metricName === name).map((m) => m.dimensions);
    expect(dims("AWS/NetworkELB", "UnHealthyHostCount")).toEqual([{ LoadBalancer: "net/nlb/1", TargetGroup: "targetgroup/tg/2" }]);
    expect(dims("AWS/NetworkELB", "TCP_Target_Reset_Count")).toEqual([{ LoadBalancer: "net/nlb/1" }]);
    expect(dims("ECS/ContainerInsights", "RunningTaskCount")).toEqual([{ ClusterName: "c", ServiceName: "s" }]);
    expect(dims("AWS/DynamoDB", "SuccessfulRequestLatency")).toEqual([{ TableName: "t", Operation: "GetItem" }]);
    const calls = JSON.parse(body(stack)).widgets.find((w: any) => w.type === "log" && /@connections/.test(w.properties.title));
    expect(calls.properties.query).toContain('routeKey in ["message"]');
  });

  test("says where to count @connections calls when it cannot count them", () => {
    const stack = newStack();
    new WebSocketDashboard(stack, "dashboard", { dashboardName: "d", region: "us-east-1", api: API });
    const widgets = JSON.parse(body(stack)).widgets;
    expect(widgets.filter((w: any) => w.type === "log")).toEqual([]);
    expect(widgets.some((w: any) => w.type === "metric" && w.properties.view === "singleValue")).toBe(false);
    expect(widgets.find((w: any) => /@connections/.test(w.properties.markdown ?? "")).properties.markdown).toContain("Count them in your backend");
  });

  test("places every widget on the 24-column grid without overlap", () => {
    const { stack } = dashboard({
      service: { clusterName: "c", serviceName: "s" },
      table: { tableName: "t" },
      api: { ...API, detailedRouteKeys: ["$connect", "a", "b", "c"] },
    });
    const widgets = JSON.parse(body(stack)).widgets as Array<{ x: number; y: number; width: number; height: number }>;
    const cells = new Set<string>();
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  test("fails when the name is not one CloudWatch accepts", () => {
    expect(() => dashboard({ dashboardName: "chat prod" })).toThrow(
      'WebSocketDashboard.dashboardName must be 1 to 255 letters, digits, hyphens or underscores, got "chat prod": use for example "chat-prod"',
    );
  });
});
