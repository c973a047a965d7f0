/**
 * Reading a CloudWatch dashboard body (as synthesized, with Terraform
 * references inside its strings, or as GetDashboard returns it): every metric
 * a widget draws, with its dimensions, and every log group a Logs Insights
 * widget queries.
 */

/** One metric a widget draws. */
export interface DashboardMetric {
  readonly widget: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** The widgets of a dashboard body, a JSON string or parsed. */
function widgetsOf(body: string | { widgets?: unknown[] }): Array<{ type: string; properties: Record<string, any> }> {
  const parsed = typeof body === "string" ? JSON.parse(body) : body;
  return (parsed.widgets ?? []) as Array<{ type: string; properties: Record<string, any> }>;
}

/**
 * Every metric of every metric widget: `[namespace, name, dim, value, ...,
 * {options}]` entries. Expressions (`[{ expression }]`) read no metric of
 * their own; the shorthand `"..."` (repeat the entry above) is refused, so
 * that no dimension escapes the check.
 */
export function dashboardMetrics(body: string | { widgets?: unknown[] }): DashboardMetric[] {
  const metrics: DashboardMetric[] = [];
  for (const w of widgetsOf(body).filter((w) => w.type === "metric")) {
    for (const entry of w.properties.metrics as unknown[][]) {
      const values = entry.filter((v) => typeof v === "string") as string[];
      if (values.length === 0) continue;
      if (values.includes("...") || values.includes(".")) throw new Error(`widget "${w.properties.title}" uses the metrics shorthand: write every entry out`);
      const [namespace, metricName, ...dims] = values;
      if (dims.length % 2) throw new Error(`widget "${w.properties.title}": dimension without a value in ${JSON.stringify(entry)}`);
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
      metrics.push({ widget: String(w.properties.title), namespace, metricName, dimensions });
    }
  }
  return metrics;
}

/** The log groups each Logs Insights widget queries (`SOURCE '<group>'`), by widget title. */
export function dashboardLogSources(body: string | { widgets?: unknown[] }): Array<{ widget: string; sources: string[] }> {
  return widgetsOf(body)
    .filter((w) => w.type === "log")
    .map((w) => ({ widget: String(w.properties.title), sources: [...String(w.properties.query).matchAll(/SOURCE '([^']+)'/g)].map((m) => m[1]) }));
}

/** The region of every metric and log widget. */
export function dashboardRegions(body: string | { widgets?: unknown[] }): string[] {
  return [
    ...new Set(
      widgetsOf(body)
        .filter((w) => w.type !== "text")
        .map((w) => w.properties.region),
    ),
  ];
}
