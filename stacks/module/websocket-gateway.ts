import { Fn, Op, TerraformIterator, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { ApiGatewayCloudWatchRole, DEFAULT_SHARED_ROLE_NAME, forgetPreviousAccountResources } from "../../constructs/api-gateway-cloud-watch-role";
import { DeployActions } from "../../constructs/deploy-actions";
import { logGroupNamePart } from "../../constructs/rules";
import { WebSocketApi } from "../../constructs/websocket-api";
import { IWebSocketVpcLink, WebSocketHttpProxyIntegration } from "../../constructs/websocket-integration";
import { DEFAULT_ACCESS_LOG_FORMAT, ExecutionLoggingLevel, WebSocketStage } from "../../constructs/websocket-stage";
import { local } from "../fixed-names";
import { ModuleConnectAuthorization, moduleConnectAuthorization, ModuleCustomDomain, moduleCustomDomain, moduleRequestParameters } from "./websocket-edges";
import { WebSocketModuleInputs } from "./websocket-module-inputs";

/** Backend paths of the predefined routes; custom routes default to `/<route key>`. */
export const PREDEFINED_ROUTE_PATHS: Record<string, string> = {
  $connect: "/connect",
  $disconnect: "/disconnect",
  $default: "/default",
};

/** What the gateway needs of the private path to the backend (`PrivateLink` is one). */
export interface IGatewayLink extends IWebSocketVpcLink {
  /** `http://<host>:<port>`: the base of integration URLs. */
  readonly baseUrl: string;
  /** `<baseUrl><path>`. */
  urlFor(path: string): string;
}

/** The parts of a module's WebSocket gateway. */
export interface WebSocketGateway {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** The region's API Gateway CloudWatch role, shared with the region's other stacks (managed only when `api_gateway_account_role` is "managed"). */
  readonly cloudWatchRole: ApiGatewayCloudWatchRole;
  /** The function that manages that setting (created only when "managed"). */
  readonly accountFunction: DeployActions;
  /** `local.logging_enabled`: whether the stage writes access and execution logs. */
  readonly loggingEnabled: boolean;
  /** Authorization of `$connect` (an authorizer only with `connect_authorization_type = "CUSTOM"`). */
  readonly connect: ModuleConnectAuthorization;
  /** The custom domain and its mapping (created only with `domain_name`). */
  readonly customDomain: ModuleCustomDomain;
}

/**
 * Builds a seed module's WebSocket gateway from its inputs: the API with the
 * predefined and custom routes (HTTP_PROXY through the link, the route key
 * in a `routeKey` header), the optional account CloudWatch role, the stage
 * with its logs, throttling (per custom route too) and deployment, and the
 * optional production edges: `$connect` authorization and a custom domain.
 *
 * Logs need the region's API Gateway CloudWatch role, an account setting a
 * plan cannot read (provider 5.x has no data source for it), so the stage
 * writes logs only when `api_gateway_account_role` says the region has one
 * ("existing") or the module sets it ("managed"); with "none", the default,
 * the stage writes none and a `check` warns when logging was asked for.
 *
 * The construct ids `api`, `cloudwatch-role`, `stage`, `connect-authorizer`
 * and `custom-domain` are created directly in `scope` (the stack): they are
 * part of the resource addresses.
 */
export function buildWebSocketGateway(scope: Construct, inputs: WebSocketModuleInputs, link: IGatewayLink, deployActionsCodeDir: string): WebSocketGateway {
  const tags = inputs.tags;
  // The route key header, and the authorizer's result as headers where asked for.
  const requestParameters = moduleRequestParameters(inputs.edges);
  const integration = (url: string) =>
    new WebSocketHttpProxyIntegration({
      url,
      vpcLink: link,
      timeoutMilliseconds: inputs.integrationTimeoutMilliseconds,
      requestParameters,
    });

  const api = new WebSocketApi(scope, "api", {
    apiName: inputs.apiName,
    description: inputs.apiDescription,
    routeSelectionExpression: inputs.routeSelectionExpression,
    tags,
  });
  // The authorizer needs the API, and $connect needs the authorizer: the
  // predefined routes are added after both (same construct ids and order as
  // when the API added them itself).
  const connect = moduleConnectAuthorization(scope, inputs.edges, api, inputs.apiName);
  api.addRoute("$connect", { integration: integration(link.urlFor(PREDEFINED_ROUTE_PATHS.$connect)), authorizer: connect.routeAuthorizer });
  api.addRoute("$disconnect", { integration: integration(link.urlFor(PREDEFINED_ROUTE_PATHS.$disconnect)) });
  api.addRoute("$default", { integration: integration(link.urlFor(PREDEFINED_ROUTE_PATHS.$default)), returnResponse: true });

  const routes = TerraformIterator.fromMap(inputs.customRoutes);
  const twoWay = TerraformIterator.fromMap(Token.asAnyMap(routes.forExpressionForMap("key", "val if val.route_response_selection_expression != null")));
  const customRoutes = api.addIteratedRoutes("custom-routes", {
    forEach: routes,
    routeKey: routes.key,
    integration: integration(link.baseUrl + Fn.coalesce([routes.getString("path"), `/${Fn.urlencode(routes.key)}`])),
    routeResponseSelectionExpression: routes.getString("route_response_selection_expression"),
    returnResponseForEach: twoWay,
  });

  // manage_api_gateway_account = true is the deprecated spelling of "managed".
  const accountRole = local(
    scope,
    "api_gateway_account_role",
    Fn.conditional(inputs.manageApiGatewayAccount, "managed", inputs.apiGatewayAccountRole),
  ).asString;
  const loggingEnabled = local(scope, "logging_enabled", Op.neq(accountRole, "none")).asBoolean as unknown as boolean;
  TerraformStack.of(scope).addOverride("check.api_gateway_logging", {
    assert: [
      {
        // Warns at plan and apply (a check never fails a run): the seed's own
        // usage sets logging_level and must still apply on a fresh account.
        condition: '${local.logging_enabled || ((var.logging_level == null || var.logging_level == "OFF") && !var.data_trace_enabled)}',
        error_message:
          'logging_level is ${jsonencode(var.logging_level)} and data_trace_enabled is ${var.data_trace_enabled}, but the stage writes no logs: API Gateway needs this region\'s CloudWatch role (an account setting) for them. Set api_gateway_account_role = "existing" if the region has one (`aws apigateway get-account` shows cloudwatchRoleArn), or "managed" to have this module create and set it.',
      },
    ],
  });

  const limited = TerraformIterator.fromMap(
    Token.asAnyMap(routes.forExpressionForMap("key", "val if val.throttling_burst_limit != null || val.throttling_rate_limit != null")),
  );

  // "managed": the region's setting is shared with its other stacks (a
  // function of the module counts them: constructs/api-gateway-cloud-watch-role.ts).
  // What release 2.0.0 made for it is forgotten, not destroyed: destroying
  // it would reset the setting other APIs log through.
  const managed = Op.eq(accountRole, "managed") as unknown as boolean;
  forgetPreviousAccountResources(TerraformStack.of(scope), PREVIOUS_ACCOUNT_ADDRESSES);
  // Lambda function and IAM role names allow 64 of [A-Za-z0-9_-] (IAM more); API names allow more.
  const safeName = (suffix: string, allowed: string) => Fn.substr(Fn.replace(Fn.join("", [inputs.apiName, suffix]), allowed, "-"), 0, 64);
  const accountFunction = new DeployActions(scope, "account-function", {
    functionName: safeName("-apigw-account", "/[^0-9A-Za-z_-]/"),
    codeDirectory: deployActionsCodeDir,
    enabled: managed,
    // The module's Terraform runs from the caller's folder: the archive is the module's.
    archivePathPrefix: "${path.module}/",
    logRetentionInDays: inputs.logRetentionDays,
    tags,
  });
  const cloudWatchRole = new ApiGatewayCloudWatchRole(scope, "cloudwatch-role", {
    deployActions: accountFunction,
    enabled: managed,
    user: Fn.join(" ", ["module", inputs.apiName, api.apiId]),
    roleName: DEFAULT_SHARED_ROLE_NAME,
    // No double quotes: the text goes into a jsonencode() expression as it is.
    keepHint: "set api_gateway_account_role to 'existing' (this module's logs go through that role) or 'none'",
    // The role release 2.0.0 made for this module.
    previousRoleNames: [safeName("-apigw-cloudwatch", "/[^0-9A-Za-z+=,.@_-]/")],
    dependsOn: [api.resource],
  });

  const stage = new WebSocketStage(scope, "stage", {
    api,
    stageName: inputs.stageName,
    autoDeploy: inputs.autoDeploy,
    throttle: { burstLimit: inputs.throttlingBurstLimit, rateLimit: inputs.throttlingRateLimit },
    // Routes of custom_routes with a limit of their own; the missing limit is the stage's, never 0.
    iteratedRouteSettings: {
      forEach: limited,
      routes: customRoutes,
      throttle: {
        burstLimit: Fn.coalesce([limited.getNumber("throttling_burst_limit"), inputs.throttlingBurstLimit]),
        rateLimit: Fn.coalesce([limited.getNumber("throttling_rate_limit"), inputs.throttlingRateLimit]),
      },
    },
    loggingLevel: Fn.conditional(loggingEnabled, Fn.coalesce([inputs.loggingLevel, "ERROR"]), "OFF") as ExecutionLoggingLevel,
    dataTraceEnabled: Op.and(loggingEnabled, inputs.dataTraceEnabled) as unknown as boolean,
    detailedMetricsEnabled: inputs.detailedMetricsEnabled,
    logRetentionInDays: inputs.logRetentionDays,
    // Log group names allow fewer characters than API names (a space).
    accessLogGroupName: `/aws/apigatewayv2/${logGroupNamePart(inputs.apiName)}`,
    dependsOn: [cloudWatchRole.resource],
    tags,
  });
  // Access logs only with the role: the log group exists either way, so the
  // outputs and addresses stay the same whatever the variable says.
  stage.resource.addOverride("access_log_settings", undefined);
  stage.resource.addOverride("dynamic.access_log_settings", {
    for_each: Fn.conditional(loggingEnabled, [1], []),
    content: { destination_arn: stage.accessLogGroup!.arn, format: DEFAULT_ACCESS_LOG_FORMAT },
  });
  const customDomain = moduleCustomDomain(scope, inputs.edges, stage, tags);
  return { api, stage, cloudWatchRole, accountFunction, loggingEnabled, connect, customDomain };
}

/**
 * What release 2.0.0 made for "managed" (a role per module and the setting,
 * reset on destroy), forgotten by `removed` blocks on upgrade: the same
 * construct ids in both modules.
 */
const PREVIOUS_ACCOUNT_ADDRESSES = [
  "aws_iam_role.cloudwatch-role_Role_E17F69E7",
  "aws_iam_role_policy_attachment.cloudwatch-role_PushToCloudWatchLogs_CAD7F66D",
  "aws_api_gateway_account.cloudwatch-role_9D28046D",
];
