import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../../constructs/validation";
import { ExecutionLoggingLevel } from "../../constructs/websocket-stage";
import { variable } from "../fixed-names";

/** One entry of `custom_routes`, keyed by route key. */
export interface CustomRouteInput {
  /** `"$default"` sends the backend's reply to the client; null drops it. */
  readonly route_response_selection_expression?: string | null;
  /** Backend path the route calls (POST); null for `/<route key>`. */
  readonly path?: string | null;
}

/**
 * The inputs both seed modules share, as typed values (Terraform
 * expressions `var.<name>`): the WebSocket API, its routes, stage, logging
 * and throttling, the account's CloudWatch role, the VPC link's name and the
 * NLB's deletion protection, and the tags.
 */
export interface WebSocketModuleInputs {
  /** `api_name`. */
  readonly apiName: string;
  /** `api_description`. */
  readonly apiDescription: string;
  /** `stage_name`. */
  readonly stageName: string;
  /** `route_selection_expression`. */
  readonly routeSelectionExpression: string;
  /** `custom_routes`: a map known at plan time, for `for_each` (TerraformIterator.fromMap). */
  readonly customRoutes: Record<string, CustomRouteInput>;
  /** `log_retention_days`. */
  readonly logRetentionDays: number;
  /** `logging_level`. */
  readonly loggingLevel: ExecutionLoggingLevel;
  /** `data_trace_enabled`. */
  readonly dataTraceEnabled: boolean;
  /** `detailed_metrics_enabled`. */
  readonly detailedMetricsEnabled: boolean;
  /** `throttling_burst_limit`. */
  readonly throttlingBurstLimit: number;
  /** `throttling_rate_limit`. */
  readonly throttlingRateLimit: number;
  /** `auto_deploy`. */
  readonly autoDeploy: boolean;
  /** `integration_timeout_milliseconds`. */
  readonly integrationTimeoutMilliseconds: number;
  /** `manage_api_gateway_account`. */
  readonly manageApiGatewayAccount: boolean;
  /** `vpc_link_name`. */
  readonly vpcLinkName: string;
  /** `nlb_deletion_protection`. */
  readonly nlbDeletionProtection: boolean;
  /** `tags`. */
  readonly tags: Record<string, string>;
}

/** Terraform condition on one `custom_routes` entry (`k`, `r`). */
const CUSTOM_ROUTE_VALID =
  'length(k) >= 1 && length(k) <= 128 && !startswith(k, "$") && (r.route_response_selection_expression == null || r.route_response_selection_expression == "$default") && (r.path == null || startswith(coalesce(r.path, "/"), "/"))';

/**
 * Declares the Terraform variables both seed modules share (names, types,
 * defaults, descriptions and validations are the modules' contract) and
 * returns them as typed values.
 */
export function declareWebSocketModuleInputs(scope: Construct): WebSocketModuleInputs {
  return {
    apiName: variable(scope, "api_name", {
      type: "string",
      description: "Name of the WebSocket API Gateway (1 to 128 characters).",
      validation: [
        {
          condition: "${length(var.api_name) >= 1 && length(var.api_name) <= 128}",
          errorMessage: "api_name must be 1 to 128 characters.",
        },
      ],
    }).stringValue,
    apiDescription: variable(scope, "api_description", {
      type: "string",
      default: "",
      description: "Description of the WebSocket API.",
      validation: [{ condition: "${length(var.api_description) <= 1024}", errorMessage: "api_description must be at most 1024 characters." }],
    }).stringValue,
    stageName: variable(scope, "stage_name", {
      type: "string",
      default: "prod",
      description: "Name of the API Gateway stage; part of the invoke URL.",
      validation: [
        {
          condition: '${can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))}',
          errorMessage: "stage_name must be 1 to 128 letters, digits, hyphens or underscores.",
        },
      ],
    }).stringValue,
    routeSelectionExpression: variable(scope, "route_selection_expression", {
      type: "string",
      default: "$request.body.action",
      description: "Where API Gateway finds the route key in a frame ($request.body.<path>).",
      validation: [
        {
          condition: '${can(regex("request\\\\.body\\\\.", var.route_selection_expression))}',
          errorMessage: "route_selection_expression must select from the request body, e.g. $request.body.action.",
        },
      ],
    }).stringValue,
    customRoutes: variable(scope, "custom_routes", {
      type: "map(object({ route_response_selection_expression = optional(string), path = optional(string) }))",
      default: {},
      description:
        "Custom routes, keyed by route key. Each calls the backend at POST <path> (default /<route key>) with the frame as body and the connection id in the connectionId header. Set route_response_selection_expression = \"$default\" to send the backend's reply to the client.",
      validation: [
        {
          condition: `\${alltrue([for k, r in var.custom_routes : ${CUSTOM_ROUTE_VALID}])}`,
          // Terraform >= 1.2 evaluates error_message as an expression.
          errorMessage:
            `custom_routes keys must be 1 to 128 characters and must not start with "$" (reserved for $connect, $disconnect, $default); route_response_selection_expression must be null or "$default"; path must start with "/". Entries breaking a rule: \${jsonencode([for k, r in var.custom_routes : k if !(${CUSTOM_ROUTE_VALID})])}.`,
        },
        {
          condition: "${length(var.custom_routes) <= 297}",
          errorMessage: "custom_routes allows at most 297 entries: API Gateway's default quota is 300 routes per API, and 3 are $connect, $disconnect and $default.",
        },
      ],
    }).value,
    logRetentionDays: variable(scope, "log_retention_days", {
      type: "number",
      default: 14,
      description: "Retention in days of the access and execution log groups.",
      validation: [
        {
          condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`,
          errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(", ")}.`,
        },
      ],
    }).numberValue,
    loggingLevel: variable(scope, "logging_level", {
      type: "string",
      default: "ERROR",
      description: "Execution logging level: OFF, ERROR or INFO. Logging needs the account's API Gateway CloudWatch role (see manage_api_gateway_account).",
      validation: [
        {
          condition: '${contains(["OFF", "ERROR", "INFO"], var.logging_level)}',
          errorMessage: "logging_level must be OFF, ERROR or INFO.",
        },
      ],
    }).stringValue as ExecutionLoggingLevel,
    dataTraceEnabled: variable(scope, "data_trace_enabled", {
      type: "bool",
      default: false,
      description: "Log full message bodies in execution logs (they hold user data; off by default).",
    }).value,
    detailedMetricsEnabled: variable(scope, "detailed_metrics_enabled", {
      type: "bool",
      default: false,
      description: "Per-route CloudWatch metrics (billed as custom metrics).",
    }).value,
    throttlingBurstLimit: variable(scope, "throttling_burst_limit", {
      type: "number",
      default: 5000,
      description: "Stage throttling burst limit, always set on the default route settings.",
      validation: [{ condition: "${var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit}", errorMessage: "throttling_burst_limit must be a whole number greater than 0 (0 answers every call with 429)." }],
    }).numberValue,
    throttlingRateLimit: variable(scope, "throttling_rate_limit", {
      type: "number",
      default: 10000,
      description: "Stage throttling rate limit in requests per second, always set on the default route settings.",
      validation: [{ condition: "${var.throttling_rate_limit > 0}", errorMessage: "throttling_rate_limit must be greater than 0 (0 answers every call with 429)." }],
    }).numberValue,
    autoDeploy: variable(scope, "auto_deploy", {
      type: "bool",
      default: true,
      description: "Let API Gateway deploy changes itself. When false, an explicit deployment is made and replaced whenever a route or integration changes.",
    }).value,
    integrationTimeoutMilliseconds: variable(scope, "integration_timeout_milliseconds", {
      type: "number",
      default: 29000,
      description: "Timeout of every integration, 50 to 29000 ms.",
      validation: [{ condition: "${var.integration_timeout_milliseconds >= 50 && var.integration_timeout_milliseconds <= 29000}", errorMessage: "integration_timeout_milliseconds must be 50 to 29000." }],
    }).numberValue,
    manageApiGatewayAccount: variable(scope, "manage_api_gateway_account", {
      type: "bool",
      default: false,
      description:
        "Create the IAM role API Gateway needs to write logs and set it as this account's and region's API Gateway CloudWatch role (aws_api_gateway_account). One setting per account and region: leave false where it is already set elsewhere. Without it, a stage with logging fails with \"CloudWatch Logs role ARN must be set in account settings to enable logging\".",
    }).value,
    vpcLinkName: variable(scope, "vpc_link_name", {
      type: "string",
      description: "Name of the VPC link (an API Gateway v1 VPC link: the only kind WebSocket APIs accept).",
      validation: [{ condition: "${length(var.vpc_link_name) >= 1 && length(var.vpc_link_name) <= 255}", errorMessage: "vpc_link_name must be 1 to 255 characters." }],
    }).stringValue,
    nlbDeletionProtection: variable(scope, "nlb_deletion_protection", {
      type: "bool",
      default: false,
      description: "Protect the NLB from deletion (turn on for production).",
    }).value,
    tags: variable(scope, "tags", {
      type: "map(string)",
      default: {},
      description: "Tags of every resource the module creates.",
    }).value,
  };
}
