import { defineRule } from "./rule";
import { asBool, asNumber, asString, blocks, dynamicContents, UNKNOWN } from "./values";

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
  details:
    "Reads `access_log_settings` of every `aws_apigatewayv2_stage`: a destination, and a format that is a JSON object (unquoted `$context` numbers allowed).",
  suppressOn: "the stage",
  check: ({ model }, report) => {
    for (const stage of model.resources(STAGE)) {
      // A dynamic block (logs only where the account's CloudWatch role is declared) is judged by its content.
      const written = blocks(stage.config.access_log_settings);
      const dynamic = dynamicContents(stage.config, "access_log_settings");
      if (written === UNKNOWN || dynamic === UNKNOWN) continue;
      const settings = [...written, ...dynamic];
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
  suppressOn: "the stage",
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
  details: 'Reads `data_trace_enabled` in `default_route_settings`, in every `route_settings` entry and in the content of a `dynamic "route_settings"` block.',
  suppressOn: "the stage, with why you debug",
  checkovDeviation:
    "CKV_AWS_276 is Checkov's data-trace check for REST method settings (a REST analogue); WSG-APIGW-003 applies the same idea to v2 stages, as a warning so a debugging session can turn it on with a suppression.",
  check: ({ model }, report) => {
    for (const stage of model.resources(STAGE)) {
      const defaults = blocks(stage.config.default_route_settings);
      if (defaults !== UNKNOWN && defaults.length && asBool(defaults[0].data_trace_enabled) === true) {
        report(stage, "default_route_settings.data_trace_enabled", "false", true);
      }
      const routes = blocks(stage.config.route_settings);
      if (routes !== UNKNOWN) {
        routes.forEach((r, i) => {
          if (asBool(r.data_trace_enabled) === true) report(stage, `route_settings[${i}] (${r.route_key ?? "?"}).data_trace_enabled`, "false", true);
        });
      }
      // Route settings from a module variable: on in the content is on in every entry.
      const dynamic = dynamicContents(stage.config, "route_settings");
      if (dynamic === UNKNOWN) continue;
      for (const content of dynamic) {
        if (asBool(content.data_trace_enabled) === true) report(stage, 'dynamic "route_settings" content.data_trace_enabled', "false", true);
      }
    }
  },
});

/** WSG-APIGW-004: custom domains negotiate TLS 1.2 at least. */
export const domainTlsPolicy = defineRule({
  id: "WSG-APIGW-004",
  checkov: ["CKV_AWS_206"],
  description:
    'API Gateway v2 custom domain names use the security policy "TLS_1_2" (TLS_1_0 admits TLS 1.0 and 1.1 clients; WebSocket APIs support only TLS 1.2 on custom domains).',
  fix: 'set domain_name_configuration.security_policy = "TLS_1_2" (WebSocketDomainName always does)',
  severity: "error",
  details: "Reads `domain_name_configuration.security_policy` of every `aws_apigatewayv2_domain_name`.",
  suppressOn: "— (AWS rejects anything else for WebSocket APIs)",
  checkovDeviation:
    "CKV_AWS_206 checks REST custom domains (`aws_api_gateway_domain_name`), a REST analogue; WSG-APIGW-004 applies it to v2 domain names, which WebSocket APIs use. REST domains are not read.",
  check: ({ model }, report) => {
    for (const domain of model.resources("aws_apigatewayv2_domain_name")) {
      const configs = blocks(domain.config.domain_name_configuration);
      if (configs === UNKNOWN) continue;
      configs.forEach((c, i) => {
        const policy = asString(c.security_policy);
        if (policy === UNKNOWN || policy === "TLS_1_2") return;
        report(
          domain,
          configs.length > 1 ? `domain_name_configuration[${i}].security_policy` : "domain_name_configuration.security_policy",
          '"TLS_1_2"',
          c.security_policy,
        );
      });
    }
  },
});

export const API_GATEWAY_RULES = [stageAccessLogging, stageDefaultThrottling, stageDataTrace, domainTlsPolicy];
