import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  dependable,
  Fn,
  TerraformIterator,
  TerraformLocal,
  TerraformOutput,
  TerraformOutputConfig,
  TerraformStack,
  TerraformVariable,
  TerraformVariableConfig,
} from "cdktf";
import { Construct } from "constructs";
import { ApiGatewayCloudWatchRole } from "../constructs/api-gateway-account";
import { Guardrails } from "../constructs/guardrails";
import { PrivateLink } from "../constructs/private-link";
import { WebSocketApi } from "../constructs/websocket-api";
import { WebSocketHttpProxyIntegration } from "../constructs/websocket-integration";
import { LOG_RETENTION_DAYS } from "../constructs/validation";
import { WebSocketStage } from "../constructs/websocket-stage";
import { AWS_PROVIDER_VERSION } from "./provider";

/**
 * Declares `hashicorp/aws` in `required_providers` and nothing else: a module
 * with its own `provider` block cannot be used with `for_each`, `count` or
 * `providers = {}`; the caller's provider configuration applies instead.
 */
export class RequiredAwsProvider extends AwsProvider {
  public toTerraform(): any {
    return requiredOnly(super.toTerraform());
  }

  public toHclTerraform(): any {
    return requiredOnly(super.toHclTerraform());
  }
}

function requiredOnly(config: any): any {
  delete config.provider;
  config.terraform.required_providers.aws.version = AWS_PROVIDER_VERSION;
  return config;
}

/** The inputs both seed modules share, as Terraform variables. */
export interface CommonModuleVariables {
  readonly apiName: TerraformVariable;
  readonly apiDescription: TerraformVariable;
  readonly stageName: TerraformVariable;
  readonly routeSelectionExpression: TerraformVariable;
  readonly customRoutes: TerraformVariable;
  readonly logRetentionDays: TerraformVariable;
  readonly loggingLevel: TerraformVariable;
  readonly dataTraceEnabled: TerraformVariable;
  readonly detailedMetricsEnabled: TerraformVariable;
  readonly throttlingBurstLimit: TerraformVariable;
  readonly throttlingRateLimit: TerraformVariable;
  readonly autoDeploy: TerraformVariable;
  readonly integrationTimeout: TerraformVariable;
  readonly manageAccount: TerraformVariable;
  readonly vpcLinkName: TerraformVariable;
  readonly nlbDeletionProtection: TerraformVariable;
  readonly tags: TerraformVariable;
}

/** Backend paths of the predefined routes; custom routes default to `/<route key>`. */
export const PREDEFINED_ROUTE_PATHS: Record<string, string> = {
  $connect: "/connect",
  $disconnect: "/disconnect",
  $default: "/default",
};

/** Terraform condition on one `custom_routes` entry (`k`, `r`). */
const CUSTOM_ROUTE_VALID =
  'length(k) >= 1 && length(k) <= 128 && !startswith(k, "$") && (r.route_response_selection_expression == null || r.route_response_selection_expression == "$default") && (r.path == null || startswith(coalesce(r.path, "/"), "/"))';

/**
 * A stack synthesized as a Terraform module for existing HCL: Terraform
 * variables and outputs with fixed snake_case names, no backend block and no
 * provider configuration (only `required_providers`).
 */
export abstract class WebSocketModuleStack extends TerraformStack {
  protected readonly common: CommonModuleVariables;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    new RequiredAwsProvider(this, "aws");
    // A module's state lives in its caller's backend.
    this.addOverride("terraform.backend", undefined);
    this.common = this.declareCommonVariables();
    // The rule pack (constructs/guardrails/RULES.md) runs at every synth.
    Guardrails.apply(this);
  }

  /** Declares a Terraform variable whose name is exactly `name`. */
  protected variable(name: string, config: TerraformVariableConfig): TerraformVariable {
    const optional = config.default === null;
    const v = new TerraformVariable(this, name, { nullable: optional, ...config, default: optional ? undefined : config.default });
    v.overrideLogicalId(name);
    // cdktf drops a null default (which would make the variable required).
    if (optional) v.addOverride("default", null);
    return v;
  }

  /** Declares a Terraform output whose name is exactly `name`. */
  protected output(name: string, config: TerraformOutputConfig): TerraformOutput {
    // cdktf 0.21 writes an output's depends_on as "${type.name}", which
    // Terraform rejects ("A single static variable reference is required"):
    // written here as plain references instead.
    const { dependsOn, ...rest } = config;
    const output = new TerraformOutput(this, name, { ...rest, staticId: true });
    if (dependsOn?.length) output.addOverride("depends_on", dependsOn.map((d) => dependable(d)));
    return output;
  }

  /** Declares a local whose name is exactly `name`. */
  protected local(name: string, expression: unknown): TerraformLocal {
    const l = new TerraformLocal(this, `local-${name}`, expression);
    l.overrideLogicalId(name);
    return l;
  }

  private declareCommonVariables(): CommonModuleVariables {
    return {
      apiName: this.variable("api_name", {
        type: "string",
        description: "Name of the WebSocket API Gateway (1 to 128 characters).",
        validation: [
          {
            condition: "${length(var.api_name) >= 1 && length(var.api_name) <= 128}",
            errorMessage: "api_name must be 1 to 128 characters.",
          },
        ],
      }),
      apiDescription: this.variable("api_description", {
        type: "string",
        default: "",
        description: "Description of the WebSocket API.",
        validation: [{ condition: "${length(var.api_description) <= 1024}", errorMessage: "api_description must be at most 1024 characters." }],
      }),
      stageName: this.variable("stage_name", {
        type: "string",
        default: "prod",
        description: "Name of the API Gateway stage; part of the invoke URL.",
        validation: [
          {
            condition: '${can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))}',
            errorMessage: "stage_name must be 1 to 128 letters, digits, hyphens or underscores.",
          },
        ],
      }),
      routeSelectionExpression: this.variable("route_selection_expression", {
        type: "string",
        default: "$request.body.action",
        description: "Where API Gateway finds the route key in a frame ($request.body.<path>).",
        validation: [
          {
            condition: '${can(regex("request\\\\.body\\\\.", var.route_selection_expression))}',
            errorMessage: "route_selection_expression must select from the request body, e.g. $request.body.action.",
          },
        ],
      }),
      customRoutes: this.variable("custom_routes", {
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
      }),
      logRetentionDays: this.variable("log_retention_days", {
        type: "number",
        default: 14,
        description: "Retention in days of the access and execution log groups.",
        validation: [
          {
            condition: `\${contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)}`,
            errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(", ")}.`,
          },
        ],
      }),
      loggingLevel: this.variable("logging_level", {
        type: "string",
        default: "ERROR",
        description: "Execution logging level: OFF, ERROR or INFO. Logging needs the account's API Gateway CloudWatch role (see manage_api_gateway_account).",
        validation: [
          {
            condition: '${contains(["OFF", "ERROR", "INFO"], var.logging_level)}',
            errorMessage: "logging_level must be OFF, ERROR or INFO.",
          },
        ],
      }),
      dataTraceEnabled: this.variable("data_trace_enabled", {
        type: "bool",
        default: false,
        description: "Log full message bodies in execution logs (they hold user data; off by default).",
      }),
      detailedMetricsEnabled: this.variable("detailed_metrics_enabled", {
        type: "bool",
        default: false,
        description: "Per-route CloudWatch metrics (billed as custom metrics).",
      }),
      throttlingBurstLimit: this.variable("throttling_burst_limit", {
        type: "number",
        default: 5000,
        description: "Stage throttling burst limit, always set on the default route settings.",
        validation: [{ condition: "${var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit}", errorMessage: "throttling_burst_limit must be a whole number greater than 0 (0 answers every call with 429)." }],
      }),
      throttlingRateLimit: this.variable("throttling_rate_limit", {
        type: "number",
        default: 10000,
        description: "Stage throttling rate limit in requests per second, always set on the default route settings.",
        validation: [{ condition: "${var.throttling_rate_limit > 0}", errorMessage: "throttling_rate_limit must be greater than 0 (0 answers every call with 429)." }],
      }),
      autoDeploy: this.variable("auto_deploy", {
        type: "bool",
        default: true,
        description: "Let API Gateway deploy changes itself. When false, an explicit deployment is made and replaced whenever a route or integration changes.",
      }),
      integrationTimeout: this.variable("integration_timeout_milliseconds", {
        type: "number",
        default: 29000,
        description: "Timeout of every integration, 50 to 29000 ms.",
        validation: [{ condition: "${var.integration_timeout_milliseconds >= 50 && var.integration_timeout_milliseconds <= 29000}", errorMessage: "integration_timeout_milliseconds must be 50 to 29000." }],
      }),
      manageAccount: this.variable("manage_api_gateway_account", {
        type: "bool",
        default: false,
        description:
          "Create the IAM role API Gateway needs to write logs and set it as this account's and region's API Gateway CloudWatch role (aws_api_gateway_account). One setting per account and region: leave false where it is already set elsewhere. Without it, a stage with logging fails with \"CloudWatch Logs role ARN must be set in account settings to enable logging\".",
      }),
      vpcLinkName: this.variable("vpc_link_name", {
        type: "string",
        description: "Name of the VPC link (an API Gateway v1 VPC link: the only kind WebSocket APIs accept).",
        validation: [{ condition: "${length(var.vpc_link_name) >= 1 && length(var.vpc_link_name) <= 255}", errorMessage: "vpc_link_name must be 1 to 255 characters." }],
      }),
      nlbDeletionProtection: this.variable("nlb_deletion_protection", {
        type: "bool",
        default: false,
        description: "Protect the NLB from deletion (turn on for production).",
      }),
      tags: this.variable("tags", {
        type: "map(string)",
        default: {},
        description: "Tags of every resource the module creates.",
      }),
    };
  }

  /**
   * Builds the API, its predefined and custom routes (HTTP_PROXY through the
   * VPC link, connection id forwarded), the stage and the optional account
   * role, and declares the outputs both seed modules share.
   */
  protected buildApi(link: PrivateLink): { api: WebSocketApi; stage: WebSocketStage } {
    const v = this.common;
    const tags = v.tags.value as Record<string, string>;
    const integration = (path: string) =>
      new WebSocketHttpProxyIntegration({
        url: link.urlFor(path),
        vpcLink: link,
        timeoutMilliseconds: v.integrationTimeout.numberValue,
        requestParameters: { "integration.request.header.routeKey": "context.routeKey" },
      });

    const api = new WebSocketApi(this, "api", {
      apiName: v.apiName.stringValue,
      description: v.apiDescription.stringValue,
      routeSelectionExpression: v.routeSelectionExpression.stringValue,
      connectRoute: { integration: integration(PREDEFINED_ROUTE_PATHS.$connect) },
      disconnectRoute: { integration: integration(PREDEFINED_ROUTE_PATHS.$disconnect) },
      defaultRoute: { integration: integration(PREDEFINED_ROUTE_PATHS.$default), returnResponse: true },
      tags,
    });

    const routes = TerraformIterator.fromMap(v.customRoutes.value);
    const twoWay = TerraformIterator.fromMap(
      routes.forExpressionForMap("key", "val if val.route_response_selection_expression != null") as any,
    );
    api.addIteratedRoutes("custom-routes", {
      forEach: routes,
      routeKey: routes.key,
      integration: new WebSocketHttpProxyIntegration({
        url: link.baseUrl + Fn.coalesce([routes.getString("path"), `/${Fn.urlencode(routes.key)}`]),
        vpcLink: link,
        timeoutMilliseconds: v.integrationTimeout.numberValue,
        requestParameters: { "integration.request.header.routeKey": "context.routeKey" },
      }),
      routeResponseSelectionExpression: routes.getString("route_response_selection_expression"),
      returnResponseForEach: twoWay,
    });

    const account = new ApiGatewayCloudWatchRole(this, "cloudwatch-role", {
      enabled: v.manageAccount.value as boolean,
      // IAM role names allow 64 of [A-Za-z0-9+=,.@_-]; API names allow more.
      roleName: Fn.substr(Fn.replace(Fn.join("", [v.apiName.stringValue, "-apigw-cloudwatch"]), "/[^0-9A-Za-z+=,.@_-]/", "-"), 0, 64),
      tags,
    });

    const stage = new WebSocketStage(this, "stage", {
      api,
      stageName: v.stageName.stringValue,
      autoDeploy: v.autoDeploy.value as boolean,
      throttle: { burstLimit: v.throttlingBurstLimit.numberValue, rateLimit: v.throttlingRateLimit.numberValue },
      loggingLevel: v.loggingLevel.stringValue as any,
      dataTraceEnabled: v.dataTraceEnabled.value as boolean,
      detailedMetricsEnabled: v.detailedMetricsEnabled.value as boolean,
      logRetentionInDays: v.logRetentionDays.numberValue,
      accessLogGroupName: `/aws/apigatewayv2/${v.apiName.stringValue}`,
      dependsOn: [account.resource],
      tags,
    });

    this.output("websocket_api_id", { value: api.apiId, description: "ID of the WebSocket API Gateway." });
    this.output("websocket_stage_invoke_url", { value: stage.invokeUrl, description: "WebSocket connection URL (wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>)." });
    this.output("connections_callback_url", { value: stage.callbackUrl, description: "Base URL of the @connections API the backend calls to send to a client (https://<api-id>.execute-api.<region>.amazonaws.com/<stage>)." });
    this.output("api_execution_arn", { value: api.executionArn, description: "Execution ARN of the API." });
    this.output("connections_arn", {
      value: stage.connectionsArn,
      description: "Resource to grant execute-api:ManageConnections on in the backend's role: every @connections method (POST, GET, DELETE) of this stage (<api execution ARN>/<stage>/*/@connections/*).",
    });
    this.output("vpc_link_id", { value: link.vpcLinkId, description: "ID of the VPC link (aws_api_gateway_vpc_link, v1)." });
    this.output("nlb_arn", { value: link.nlb.arn, description: "ARN of the Network Load Balancer behind the VPC link." });
    this.output("nlb_dns_name", { value: link.dnsName, description: "DNS name of the NLB." });
    // Depends on the listener: an ECS service created from this output before
    // the target group is on a load balancer fails with "target group does
    // not have an associated load balancer".
    this.output("target_group_arn", {
      value: link.targetGroup.arn,
      description:
        "ARN of the NLB target group, for an aws_ecs_service load_balancer block. The output depends on the NLB listener, so a service that uses it is created only once the target group is attached to the NLB.",
      dependsOn: [link.listener],
    });
    this.output("cloudwatch_log_group_name", { value: stage.accessLogGroup!.name, description: "Name of the stage's access log group." });
    this.output("execution_log_group_name", { value: stage.executionLogGroup!.name, description: "Name of the stage's execution log group." });
    this.output("api_gateway_cloudwatch_role_arn", { value: account.roleArn, description: "Role set as the account's API Gateway CloudWatch role (null unless manage_api_gateway_account)." });
    return { api, stage };
  }
}

/** Terraform validation for load balancer and target group names. */
export function nameRule(name: string): { condition: string; errorMessage: string } {
  return {
    condition: `\${can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.${name}))}`,
    errorMessage: `${name} must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen.`,
  };
}
