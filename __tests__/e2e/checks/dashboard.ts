import { CloudWatchClient, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { dashboardLogSources, dashboardMetrics, dashboardRegions } from "../../support/dashboard";
import { REGION, sdkConfig } from "../../support/e2e";

/** What a deployment's dashboard must read, as deployed on the emulator. */
export interface DashboardDeployment {
  /** SDK configuration of the emulator the stack is deployed on. */
  readonly cfg: ReturnType<typeof sdkConfig>;
  readonly dashboardName: string;
  /** The deployed API's id and stage name. */
  readonly apiId: string;
  readonly stageName: string;
  /** The stage's access log group: the metric filters' and the Logs Insights widgets'. */
  readonly accessLogGroupName: string;
  /** Name of the NLB behind the VPC link (its ARN suffix is looked up). */
  readonly loadBalancerName: string;
  /** The chat stack's service and table; a module draws neither. */
  readonly service?: { readonly clusterName: string; readonly serviceName: string };
  readonly tableName?: string;
}

/** The part of an ELB ARN CloudWatch dimensions use, as the provider's `arn_suffix` computes it. */
const arnSuffix = (arn: string, kind: "loadbalancer" | "targetgroup") =>
  kind === "loadbalancer" ? arn.slice(arn.indexOf(":loadbalancer/") + ":loadbalancer/".length) : arn.slice(arn.lastIndexOf(":") + 1);

/**
 * Reads the dashboard and its metric filters back from the emulator
 * (GetDashboard, DescribeMetricFilters; moto keeps both as sent) and checks
 * that every metric's dimensions are the deployed resources' values, and that
 * the metrics of the access logs are published by the stage's metric filters.
 * Called with one line by the file that deploys the stack.
 */
export function dashboardChecks(ctx: () => DashboardDeployment): void {
  test("the dashboard reads the deployed resources: every metric's dimensions are the API, stage, NLB, target group (and service, table) as deployed", async () => {
    const d = ctx();
    const body = (await new CloudWatchClient(d.cfg).send(new GetDashboardCommand({ DashboardName: d.dashboardName }))).DashboardBody!;
    const elb = new ElasticLoadBalancingV2Client(d.cfg);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [d.loadBalancerName] }))).LoadBalancers![0];
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups![0];
    const stage = { ApiId: d.apiId, Stage: d.stageName };
    const nlb = { LoadBalancer: arnSuffix(lb.LoadBalancerArn!, "loadbalancer") };
    const expected: Record<string, (metricName: string) => Record<string, string>> = {
      "AWS/ApiGateway": () => stage,
      WebSocketGateway: () => stage,
      "AWS/NetworkELB": (name) => (/HostCount$/.test(name) ? { ...nlb, TargetGroup: arnSuffix(tg.TargetGroupArn!, "targetgroup") } : nlb),
      ...(d.service
        ? {
            "ECS/ContainerInsights": () => ({ ClusterName: d.service!.clusterName, ServiceName: d.service!.serviceName }),
            "AWS/ECS": () => ({ ClusterName: d.service!.clusterName, ServiceName: d.service!.serviceName }),
          }
        : {}),
      ...(d.tableName ? { "AWS/DynamoDB": () => ({ TableName: d.tableName! }) } : {}),
    };
    const metrics = dashboardMetrics(body);
    expect(metrics.length).toBeGreaterThan(10);
    expect([...new Set(metrics.map((m) => m.namespace))].sort()).toEqual(Object.keys(expected).sort());
    for (const m of metrics) {
      const { Operation, ...dimensions } = m.dimensions;
      if (Operation !== undefined) expect(["GetItem", "PutItem", "DeleteItem", "Scan"]).toContain(Operation);
      expect({ widget: m.widget, metric: m.metricName, dimensions }).toEqual({
        widget: m.widget,
        metric: m.metricName,
        dimensions: expected[m.namespace](m.metricName),
      });
    }
    for (const s of dashboardLogSources(body)) expect({ widget: s.widget, sources: s.sources }).toEqual({ widget: s.widget, sources: [d.accessLogGroupName] });
    expect(dashboardRegions(body)).toEqual([REGION]);
  });

  test("the stage's access log group has the metric filters that publish the dashboard's client metrics, dimensioned by the log's apiId and stage", async () => {
    const d = ctx();
    const filters = (await new CloudWatchLogsClient(d.cfg).send(new DescribeMetricFiltersCommand({ logGroupName: d.accessLogGroupName }))).metricFilters ?? [];
    const byMetric = Object.fromEntries(filters.map((f) => [f.metricTransformations![0].metricName, f]));
    expect(Object.keys(byMetric).sort()).toEqual(["ConnectionsClosed", "ConnectionsOpened", "ConnectsRejected", "ThrottledConnects", "ThrottledMessages"]);
    for (const f of filters) {
      expect(f.metricTransformations).toEqual([
        expect.objectContaining({ metricNamespace: "WebSocketGateway", metricValue: "1", dimensions: { ApiId: "$.apiId", Stage: "$.stage" } }),
      ]);
    }
    expect(byMetric.ConnectionsOpened.filterPattern).toBe('{ ($.eventType = "CONNECT") && ($.status = "2*") }');
    expect(byMetric.ThrottledMessages.filterPattern).toBe('{ ($.eventType = "MESSAGE") && ($.status = "429") }');
    // every custom metric the dashboard draws is one of them
    const body = (await new CloudWatchClient(d.cfg).send(new GetDashboardCommand({ DashboardName: d.dashboardName }))).DashboardBody!;
    for (const m of dashboardMetrics(body).filter((x) => x.namespace === "WebSocketGateway")) expect(Object.keys(byMetric)).toContain(m.metricName);
  });
}
