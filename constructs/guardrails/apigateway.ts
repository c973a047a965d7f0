import { defineRule } from "./rule";
import { asBool, asNumber, asString, blocks, UNKNOWN } from "./values";

const STAGE = "aws_apigatewayv2_stage";

/** True when an access log format is a JSON object (with `$context` variables quoted or not). */
export function isJsonLogFormat(format: string): boolean {
  const parses = (text: string) => {
    try {
      const v = JSON.parse(text);
      return v !== null && typeof v === "object" && !Array.isArray(v);
    } catch {
      return false;
    }
  };
  // Unquoted numeric variables (`"latency": $context.integrationLatency`) are still JSON once substituted.
  return parses(format) || parses(format.replace(/\$context\.[A-Za-z0-9_.]+/g, "0"));
}

/** WSG-APIGW-001: access logs in JSON. */
export const stageAccessLogging = defineRule({
  id: "WSG-APIGW-001",
  checkov: ["CKV_AWS_76"],
  description: "API Gateway v2 stages write access logs to a destination, in a JSON format.",
  fix: "give the stage access_log_settings with a CloudWatch log group ARN and a JSON format (WebSocketStage does both unless accessLogging is false)",
  severity: "error",
  check: ({ model }, report) => {
    for (const stage of model.resources(STAGE)) {
      // A dynamic block (logs only where the account's CloudWatch role is declared) is judged by its content.
      const settings = blocks(stage.config.access_log_settings ?? (stage.config.dynamic as any)?.access_log_settings?.content);
      if (settings === UNKNOWN) continue;
      if (settings.length === 0) {
        report(stage, "access_log_settings", "set (a destination_arn and a JSON format)", undefined);
        continue;
      }
      const s = settings[0];
      if (s.destination_arn === undefined || s.destination_arn === null || s.destination_arn === "") {
        report(stage, "access_log_settings.destination_arn", "the ARN of a log group or Firehose stream", s.destination_arn);
      }
      const format = asString(s.format);
      if (format === UNKNOWN) continue;
      if (format === undefined || !isJsonLogFormat(format)) {
        report(
          stage,
          "access_log_settings.format",
          "a JSON object format",
          format,
          'write the format as JSON, e.g. {"requestId":"$context.requestId","routeKey":"$context.routeKey","status":"$context.status"} (DEFAULT_ACCESS_LOG_FORMAT)',
        );
      }
    }
  },
});

/** WSG-APIGW-002: default route throttling. */
export const stageDefaultThrottling = defineRule({
  id: "WSG-APIGW-002",
  description: "API Gateway v2 stages set throttling_burst_limit and throttling_rate_limit above 0 in default_route_settings.",
  fix: "set default_route_settings with both throttling limits greater than 0 (WebSocketStage.throttle); a limit left unset is sent as 0 and every call gets 429",
  severity: "error",
  check: ({ model }, report) => {
    for (const stage of model.resources(STAGE)) {
      const settings = blocks(stage.config.default_route_settings);
      if (settings === UNKNOWN) continue;
      if (settings.length === 0) {
        report(stage, "default_route_settings", "set with throttling_burst_limit and throttling_rate_limit greater than 0", undefined);
        continue;
      }
      for (const key of ["throttling_burst_limit", "throttling_rate_limit"]) {
        const n = asNumber(settings[0][key]);
        if (n === UNKNOWN) continue;
        if (n === undefined || !(n > 0)) report(stage, `default_route_settings.${key}`, "a number greater than 0", settings[0][key]);
      }
    }
  },
});

/** WSG-APIGW-003: data trace off. */
export const stageDataTrace = defineRule({
  id: "WSG-APIGW-003",
  checkov: ["CKV_AWS_276"],
  description: "API Gateway v2 stages do not log full message bodies (data_trace_enabled), which hold user data.",
  fix: "set data_trace_enabled false (WebSocketStage.dataTraceEnabled), or suppress the rule with the reason while you debug",
  severity: "warning",
  check: ({ model }, report) => {
    for (const stage of model.resources(STAGE)) {
      const defaults = blocks(stage.config.default_route_settings);
      if (defaults !== UNKNOWN && defaults.length && asBool(defaults[0].data_trace_enabled) === true) {
        report(stage, "default_route_settings.data_trace_enabled", "false", true);
      }
      const routes = blocks(stage.config.route_settings);
      if (routes === UNKNOWN) continue;
      routes.forEach((r, i) => {
        if (asBool(r.data_trace_enabled) === true) report(stage, `route_settings[${i}] (${r.route_key ?? "?"}).data_trace_enabled`, "false", true);
      });
    }
  },
});

export const API_GATEWAY_RULES = [stageAccessLogging, stageDefaultThrottling, stageDataTrace];
