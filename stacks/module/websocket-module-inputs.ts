import { Construct } from "constructs";
import {
  API_DESCRIPTION,
  API_GATEWAY_ACCOUNT_ROLE,
  API_NAME,
  CUSTOM_ROUTE_KEY,
  DASHBOARD_NAME,
  INTEGRATION_TIMEOUT,
  LOG_RETENTION,
  LOGGING_LEVEL,
  MAX_USER_TAGS,
  TAGS_VARIABLE,
  ROUTE_SELECTION_EXPRESSION,
  STAGE_NAME,
  THROTTLE_BURST_LIMIT,
  THROTTLE_RATE_LIMIT,
  VPC_LINK_NAME,
} from "../../constructs/rules";
import { ExecutionLoggingLevel } from "../../constructs/websocket-stage";
import { variable } from "../fixed-names";
import { declareWebSocketEdgeInputs, WebSocketEdgeInputs } from "./websocket-edge-inputs";

/** One entry of `custom_routes`, keyed by route key. */
export interface CustomRouteInput {
  /** `"$default"` sends the backend's reply to the client; null drops it. */
  readonly route_response_selection_expression?: string | null;
  /** Backend path the route calls (POST); null for `/<route key>`. */
  readonly path?: string | null;
  /** Burst limit of the route; null for the stage's (`throttling_burst_limit`). */
  readonly throttling_burst_limit?: number | null;
  /** Rate limit of the route; null for the stage's (`throttling_rate_limit`). */
  readonly throttling_rate_limit?: number | null;
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
  /** `logging_level`: null for the default ("ERROR" when logs are written). */
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
  /** `api_gateway_account_role`: "none", "existing" or "managed". */
  readonly apiGatewayAccountRole: string;
  /** `manage_api_gateway_account`: the deprecated alias of `api_gateway_account_role = "managed"`. */
  readonly manageApiGatewayAccount: boolean;
  /** `vpc_link_name`. */
  readonly vpcLinkName: string;
  /** `nlb_deletion_protection`. */
  readonly nlbDeletionProtection: boolean;
  /** `tags`. */
  readonly tags: Record<string, string>;
  /** `dashboard_enabled`. */
  readonly dashboardEnabled: boolean;
  /** `dashboard_name`: null for `<api_name>-<stage_name>`. */
  readonly dashboardName: string;
  /** The custom domain and `$connect` authorization inputs (websocket-edge-inputs.ts). */
  readonly edges: WebSocketEdgeInputs;
}

/** Terraform condition on one `custom_routes` entry (`k`, `r`). */
const CUSTOM_ROUTE_VALID = `${CUSTOM_ROUTE_KEY.condition("k")} && (r.route_response_selection_expression == null || r.route_response_selection_expression == "$default") && (r.path == null || startswith(coalesce(r.path, "/"), "/"))`;

/**
 * Terraform condition on the limits of one `custom_routes` entry (`r`):
 * each null (the stage's) or what the stage's limit must be. `||` does not
 * short-circuit in Terraform, hence coalesce() with a valid stand-in.
 */
const CUSTOM_ROUTE_LIMITS_VALID = `${THROTTLE_BURST_LIMIT.condition("coalesce(r.throttling_burst_limit, 1)")} && ${THROTTLE_RATE_LIMIT.condition("coalesce(r.throttling_rate_limit, 1)")}`;

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
      validation: [API_NAME.hcl("api_name")],
    }).stringValue,
    apiDescription: variable(scope, "api_description", {
      type: "string",
      default: "",
      description: "Description of the WebSocket API.",
      validation: [API_DESCRIPTION.hcl("api_description")],
    }).stringValue,
    stageName: variable(scope, "stage_name", {
      type: "string",
      default: "prod",
      description: "Name of the API Gateway stage; part of the invoke URL.",
      validation: [STAGE_NAME.hcl("stage_name")],
    }).stringValue,
    routeSelectionExpression: variable(scope, "route_selection_expression", {
      type: "string",
      default: "$request.body.action",
      description: "Where API Gateway finds the route key in a frame ($request.body.<path>).",
      validation: [ROUTE_SELECTION_EXPRESSION.hcl("route_selection_expression")],
    }).stringValue,
    customRoutes: variable(scope, "custom_routes", {
      type: "map(object({ route_response_selection_expression = optional(string), path = optional(string), throttling_burst_limit = optional(number), throttling_rate_limit = optional(number) }))",
      default: {},
      description:
        "Custom routes, keyed by route key. Each calls the backend at POST <path> (default /<route key>) with the frame as body and the connection id in the connectionId header. Set route_response_selection_expression = \"$default\" to send the backend's reply to the client. throttling_burst_limit and throttling_rate_limit limit the route alone; a route that gives one gets the stage's value for the other.",
      validation: [
        {
          condition: `\${alltrue([for k, r in var.custom_routes : ${CUSTOM_ROUTE_VALID}])}`,
          // Terraform >= 1.2 evaluates error_message as an expression.
          errorMessage: `custom_routes keys must be 1 to 128 printable ASCII characters, not starting with "$" (reserved for $connect, $disconnect, $default) or a space and not ending with a space; route_response_selection_expression must be null or "$default"; path must start with "/". Entries breaking a rule: \${jsonencode([for k, r in var.custom_routes : k if !(${CUSTOM_ROUTE_VALID})])}.`,
        },
        {
          condition: `\${alltrue([for k, r in var.custom_routes : ${CUSTOM_ROUTE_LIMITS_VALID}])}`,
          errorMessage: `custom_routes throttling_burst_limit must be a whole number greater than 0 and throttling_rate_limit a number greater than 0 (a limit of 0 rejects every message of the route with 429), or null for the stage's. Entries breaking a rule: \${jsonencode([for k, r in var.custom_routes : k if !(${CUSTOM_ROUTE_LIMITS_VALID})])}.`,
        },
        {
          condition: "${length(var.custom_routes) <= 297}",
          errorMessage:
            "custom_routes allows at most 297 entries: API Gateway's default quota is 300 routes per API, and 3 are $connect, $disconnect and $default.",
        },
      ],
    }).value,
    logRetentionDays: variable(scope, "log_retention_days", {
      type: "number",
      default: 14,
      description: "Retention in days of the access and execution log groups.",
      validation: [LOG_RETENTION.hcl("log_retention_days")],
    }).numberValue,
    loggingLevel: variable(scope, "logging_level", {
      type: "string",
      default: null,
      description:
        'Execution logging level: OFF, ERROR or INFO (null: ERROR). Applies only when the stage writes logs, which needs the region\'s API Gateway CloudWatch role (api_gateway_account_role "existing" or "managed"); otherwise the plan warns and the level is OFF.',
      validation: [LOGGING_LEVEL.hcl("logging_level", { nullable: true })],
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
      validation: [THROTTLE_BURST_LIMIT.hcl("throttling_burst_limit")],
    }).numberValue,
    throttlingRateLimit: variable(scope, "throttling_rate_limit", {
      type: "number",
      default: 10000,
      description: "Stage throttling rate limit in requests per second, always set on the default route settings.",
      validation: [THROTTLE_RATE_LIMIT.hcl("throttling_rate_limit")],
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
      validation: [INTEGRATION_TIMEOUT.hcl("integration_timeout_milliseconds")],
    }).numberValue,
    apiGatewayAccountRole: variable(scope, "api_gateway_account_role", {
      type: "string",
      default: "none",
      description:
        'The region\'s API Gateway CloudWatch role, which a stage needs to write access and execution logs (one account setting per region; a stage with logs and no role fails with "CloudWatch Logs role ARN must be set in account settings to enable logging"). "none": the stage writes no logs (the log groups exist, empty), so a first apply works on any account. "existing": the region has a role (`aws apigateway get-account` shows cloudwatchRoleArn): logs on. "managed": logs on, and the setting is shared with the region\'s other stacks: a Lambda function of this module creates the role /websocket-gateway/apigateway-cloudwatch-logs when the region has none and sets it, or joins the role the region\'s stacks share; only the region\'s last stack resets it on destroy. A role these stacks did not create stops the apply (use "existing").',
      validation: [API_GATEWAY_ACCOUNT_ROLE.hcl("api_gateway_account_role")],
    }).stringValue,
    manageApiGatewayAccount: variable(scope, "manage_api_gateway_account", {
      type: "bool",
      default: false,
      description: 'Deprecated: use api_gateway_account_role. true is api_gateway_account_role = "managed" (whatever that variable says).',
    }).value,
    vpcLinkName: variable(scope, "vpc_link_name", {
      type: "string",
      description: "Name of the VPC link (an API Gateway v1 VPC link: the only kind WebSocket APIs accept).",
      validation: [VPC_LINK_NAME.hcl("vpc_link_name")],
    }).stringValue,
    nlbDeletionProtection: variable(scope, "nlb_deletion_protection", {
      type: "bool",
      default: false,
      description: "Protect the NLB from deletion (turn on for production).",
    }).value,
    tags: variable(scope, "tags", {
      type: "map(string)",
      default: {},
      description: `Tags of every resource the module creates: at most ${MAX_USER_TAGS}, keys of 1 to 128 and values of at most 256 letters, digits, spaces and _ . : / = + - @ (IAM's characters), no key starting with aws:.`,
      validation: [TAGS_VARIABLE.hcl("tags")],
    }).value,
    dashboardEnabled: variable(scope, "dashboard_enabled", {
      type: "bool",
      default: false,
      description:
        'Create a CloudWatch dashboard of the API (connects, messages, errors, integration latency), its clients (a connected-clients gauge, throttled frames and connects, 4xx on $connect: from the access logs, which the stage writes only with api_gateway_account_role "existing" or "managed") and the NLB (healthy and unhealthy targets, active flows, target resets), with the five metric filters on the access log group it reads (five custom metrics). $3 a month per dashboard beyond the account\'s first three.',
    }).value,
    dashboardName: variable(scope, "dashboard_name", {
      type: "string",
      default: null,
      description:
        "Name of the dashboard (1 to 255 letters, digits, hyphens or underscores; unique in the account, as PutDashboard replaces a dashboard of the same name). Default: <api_name>-<stage_name>, every other character written as -.",
      validation: [DASHBOARD_NAME.hcl("dashboard_name", { nullable: true })],
    }).stringValue,
    edges: declareWebSocketEdgeInputs(scope),
  };
}
