/**
 * The widgets of a CloudWatch dashboard body, as "Dashboard Body Structure
 * and Syntax" describes them
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
 * metric graphs and single values, Markdown text, Logs Insights tables and
 * graphs, placed on the 24-column grid.
 */

/** Where a metric is read: namespace, name and dimensions (name → value), exactly as published. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** One entry of a metric widget's `metrics`: `[namespace, name, dim, value, ..., {options}]`. */
export type MetricEntry = unknown[];

/** A widget before it is placed on the grid. */
export interface Widget {
  readonly type: "metric" | "text" | "log";
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/** A metric entry; `options` are the entry's own (stat, label, yAxis). */
export function metricEntry(metric: MetricId, options: Record<string, unknown> = {}): MetricEntry {
  return [metric.namespace, metric.metricName, ...Object.entries(metric.dimensions).flat(), ...(Object.keys(options).length ? [options] : [])];
}

/** A time series graph; by default the Sum per minute of each metric. */
export function graphWidget(region: string, title: string, metrics: MetricEntry[], options: Record<string, unknown> = {}, width = 8): Widget {
  return {
    type: "metric",
    width,
    height: 6,
    properties: { title, region, view: "timeSeries", stacked: false, period: 60, stat: "Sum", metrics, ...options },
  };
}

/**
 * One number: the statistic over the widget's own range ending now
 * (`start` like "-PT2H"), whatever the range the dashboard shows.
 */
export function singleValueWidget(region: string, title: string, metrics: MetricEntry[], stat: string, start: string, width = 6): Widget {
  return { type: "metric", width, height: 6, properties: { title, region, view: "singleValue", start, setPeriodToTimeRange: true, stat, metrics } };
}

/** Markdown across the dashboard. */
export function textWidget(markdown: string, height = 2, width = 24): Widget {
  return { type: "text", width, height, properties: { markdown } };
}

/** A Logs Insights query (`SOURCE '<log group>' | ...`) drawn as a table or a graph. */
export function logsWidget(region: string, title: string, query: string, view: "table" | "timeSeries", width = 12): Widget {
  return { type: "log", width, height: 6, properties: { title, region, view, query } };
}

/** Places rows of widgets on the 24-column grid, top to bottom; a row too wide wraps. */
export function placeWidgets(rows: readonly Widget[][]): Array<Record<string, unknown>> {
  const placed: Array<Record<string, unknown>> = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const w of row) {
      if (x + w.width > 24) {
        y += height;
        x = 0;
        height = 0;
      }
      placed.push({ type: w.type, x, y, width: w.width, height: w.height, properties: w.properties });
      x += w.width;
      height = Math.max(height, w.height);
    }
    y += height;
  }
  return placed;
}
