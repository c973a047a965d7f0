import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { dependable, Fn, ITerraformDependable, Lazy, MapTerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { DEFAULT_ACCESS_LOG_FORMAT } from "./websocket-access-log-format";
import { WebSocketDeployment } from "./websocket-deployment";
import { IWebSocketApi } from "./websocket-route";
import {
  checkThrottle,
  ExecutionLoggingLevel,
  routeSettingsBlocks,
  routesNamedBy,
  StageRouteDefaults,
  ThrottleSettings,
  WebSocketRouteSettings,
} from "./websocket-route-settings";
import { LOG_RETENTION, LOGGING_LEVEL, logGroupNamePart, STAGE_NAME } from "./rules";
import { checkPattern, invalid, isUnresolved } from "./validation";

// Re-exported: the types of the stage's props, and its default log format.
export { DEFAULT_ACCESS_LOG_FORMAT } from "./websocket-access-log-format";
export type { ExecutionLoggingLevel, ThrottleSettings, WebSocketRouteSettings } from "./websocket-route-settings";

/** What a stage needs of a route of its API. */
export interface IWebSocketStageRoute {
  /** The route key as given (a token for routes from a Terraform map). */
  readonly routeKey: string;
  /** The `aws_apigatewayv2_route`, for `depends_on`. */
  readonly resource: ITerraformDependable;
}

/** What a stage needs of its API (`WebSocketApi` is one). */
export interface IWebSocketStageApi extends IWebSocketApi {
  /** Name of the API, for the default access log group name. */
  readonly apiName: string;
  /** Execution ARN, `arn:aws:execute-api:<region>:<account>:<api-id>`. */
  readonly executionArn: string;
  /** The routes so far; read again at synth, so routes added after the stage count. */
  readonly routes: readonly IWebSocketStageRoute[];
  /** Feeds an explicit deployment with every route, also those added later. */
  addDeployment(deployment: WebSocketDeployment): void;
}

/**
 * Throttling of routes that come from a Terraform map (module variables):
 * one `route_settings` entry per entry of `forEach`, written as a
 * `dynamic "route_settings"` block.
 */
export interface WebSocketIteratedRouteSettings {
  /**
   * The entries that get settings, keyed by route key (e.g. the entries of
   * a `custom_routes` variable that give a limit). Each key must be a route
   * of `routes`.
   */
  readonly forEach: MapTerraformIterator;
  /**
   * The routes the keys name (the iterated route, `WebSocketApi.addIteratedRoutes`):
   * the stage waits for them, since API Gateway rejects settings of a route
   * that does not exist yet.
   */
  readonly routes: { readonly resource: ITerraformDependable };
  /**
   * Both limits of each entry, as expressions of `forEach` (both are always
   * sent: a missing limit is 0 and every call gets 429), e.g.
   * `coalesce(each.value.throttling_burst_limit, var.throttling_burst_limit)`.
   */
  readonly throttle: ThrottleSettings;
}

/** Properties of {@link WebSocketStage}. */
export interface WebSocketStageProps {
  /** The API to deploy. */
  readonly api: IWebSocketStageApi;
  /**
   * Stage name: letters, digits, hyphens and underscores, at most 128.
   * @default "prod"
   */
  readonly stageName?: string;
  /**
   * Description of the stage.
   * @default - none
   */
  readonly description?: string;
  /**
   * Lets API Gateway deploy every change itself. When false, the stage uses
   * an explicit deployment ({@link WebSocketDeployment}) whose triggers
   * change with every route, integration and response of the API, so
   * changes always go live.
   * @default false
   */
  readonly autoDeploy?: boolean;
  /**
   * With `autoDeploy` false: create the explicit deployment. Turn off only
   * where deployments are made elsewhere (or an emulator cannot make them).
   * @default true
   */
  readonly explicitDeployment?: boolean;
  /**
   * Default throttling of every route (`default_route_settings`).
   * @default { burstLimit: 5000, rateLimit: 10000 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Execution logging level of every route. Needs the account-level
   * CloudWatch role (see `ApiGatewayCloudWatchRole`).
   * @default "ERROR"
   */
  readonly loggingLevel?: ExecutionLoggingLevel;
  /**
   * Logs full message bodies in execution logs.
   * @default false
   */
  readonly dataTraceEnabled?: boolean;
  /**
   * Per-route CloudWatch metrics.
   * @default false
   */
  readonly detailedMetricsEnabled?: boolean;
  /**
   * Per-route settings, keyed by route key. Each must set throttling. The
   * stage then waits for the routes they name (API Gateway rejects route
   * settings for a route that does not exist yet), including routes added
   * after the stage.
   * @default - none
   */
  readonly routeSettings?: Record<string, WebSocketRouteSettings>;
  /**
   * Per-route throttling of routes from a Terraform map, as a
   * `dynamic "route_settings"` block; the other settings of each entry are
   * the stage's. A stage has either these or `routeSettings`.
   * @default - none
   */
  readonly iteratedRouteSettings?: WebSocketIteratedRouteSettings;
  /**
   * Writes access logs to a CloudWatch log group created here.
   * @default true
   */
  readonly accessLogging?: boolean;
  /**
   * Access log format; must include `$context.requestId`.
   * @default - JSON with the request id, connection id, route, status, integration status, latency and error
   */
  readonly accessLogFormat?: string;
  /**
   * Name of the access log group.
   * @default "/aws/apigatewayv2/<api name>/<stage name>", every character of
   *   the API name that log group names reject (a space) written as "-"
   */
  readonly accessLogGroupName?: string;
  /**
   * Retention of the stage's log groups, in days (a value CloudWatch accepts).
   * @default 14
   */
  readonly logRetentionInDays?: number;
  /**
   * KMS key for the stage's log groups. The key policy must let CloudWatch
   * Logs use it.
   * @default - encrypted by CloudWatch Logs with its own key
   */
  readonly logKmsKeyArn?: string;
  /**
   * Creates the execution log group (`API-Gateway-Execution-Logs_<api-id>/<stage>`)
   * before API Gateway does, so it has a retention and is removed on destroy.
   * @default true
   */
  readonly manageExecutionLogGroup?: boolean;
  /**
   * Stage variables, usable in integration URLs as `${stageVariables.name}`.
   * @default - none
   */
  readonly stageVariables?: Record<string, string>;
  /**
   * Resources the stage waits for, e.g. the account's CloudWatch role
   * setting, without which logging fails.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Tags of the stage and its log groups.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A stage of a WebSocket API (`aws_apigatewayv2_stage`, id `Resource`) with
 * access and execution logs, throttling and its deployment.
 */
export class WebSocketStage extends Construct {
  /** The `aws_apigatewayv2_stage`. */
  public readonly resource: Apigatewayv2Stage;
  /** The explicit deployment, when one is made. */
  public readonly deployment?: WebSocketDeployment;
  /** Access log group, when access logging is on. */
  public readonly accessLogGroup?: CloudwatchLogGroup;
  /** Execution log group, when managed here. */
  public readonly executionLogGroup?: CloudwatchLogGroup;
  /** Name of the stage. */
  public readonly stageName: string;
  /** `wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>`: the URL clients connect to. */
  public readonly invokeUrl: string;
  /**
   * `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`: the base URL
   * of the @connections API, which backends call to send to a client. The
   * provider does not output it; it is the invoke URL with an https scheme.
   */
  public readonly callbackUrl: string;
  /** `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>`. */
  public readonly executionArn: string;
  /**
   * ARN of this stage's @connections resources, for every method (POST
   * sends, GET reads, DELETE closes): `<execution-arn>/<method>/@connections/<id>`
   * with `*` as method and id. For `execute-api:ManageConnections`.
   */
  public readonly connectionsArn: string;
  private readonly api: IWebSocketStageApi;
  private readonly routeSettingKeys: string[];

  constructor(scope: Construct, id: string, props: WebSocketStageProps) {
    super(scope, id);
    const stageName = props.stageName ?? "prod";
    validateStageProps(stageName, props);
    this.api = props.api;
    this.stageName = stageName;
    this.routeSettingKeys = Object.keys(props.routeSettings ?? {});
    const retention = props.logRetentionInDays ?? 14;
    const throttle = props.throttle ?? { burstLimit: 5000, rateLimit: 10000 };
    const autoDeploy = props.autoDeploy ?? false;
    const stageRouteDefaults: StageRouteDefaults = {
      loggingLevel: props.loggingLevel ?? "ERROR",
      dataTraceEnabled: props.dataTraceEnabled ?? false,
      detailedMetricsEnabled: props.detailedMetricsEnabled ?? false,
    };

    if (props.accessLogging ?? true) {
      this.accessLogGroup = new CloudwatchLogGroup(this, "AccessLogs", {
        name: props.accessLogGroupName ?? `/aws/apigatewayv2/${logGroupNamePart(props.api.apiName)}/${stageName}`,
        retentionInDays: retention,
        kmsKeyId: props.logKmsKeyArn,
        tags: props.tags,
      });
    }
    if (props.manageExecutionLogGroup ?? true) {
      this.executionLogGroup = new CloudwatchLogGroup(this, "ExecutionLogs", {
        name: `API-Gateway-Execution-Logs_${props.api.apiId}/${stageName}`,
        retentionInDays: retention,
        kmsKeyId: props.logKmsKeyArn,
        tags: props.tags,
      });
    }

    // autoDeploy may be a Terraform expression (a module variable): then the
    // deployment exists only when it evaluates to false.
    const conditional = isUnresolved(autoDeploy);
    if ((conditional || !autoDeploy) && (props.explicitDeployment ?? true)) {
      this.deployment = new WebSocketDeployment(this, "Deployment", {
        api: props.api,
        description: `Deployment of ${stageName}; replaced whenever a route, integration or response changes`,
        count: conditional ? Token.asNumber(Fn.conditional(autoDeploy, 0, 1)) : undefined,
      });
      props.api.addDeployment(this.deployment);
    }

    this.resource = new Apigatewayv2Stage(this, "Resource", {
      apiId: props.api.apiId,
      name: stageName,
      description: props.description,
      autoDeploy,
      deploymentId: this.deployment?.deploymentId,
      stageVariables: props.stageVariables,
      defaultRouteSettings: {
        throttlingBurstLimit: throttle.burstLimit,
        throttlingRateLimit: throttle.rateLimit,
        ...stageRouteDefaults,
      },
      routeSettings: props.iteratedRouteSettings
        ? iteratedRouteSettingsBlock(props.iteratedRouteSettings, stageRouteDefaults)
        : routeSettingsBlocks(props.routeSettings ?? {}, stageRouteDefaults),
      accessLogSettings: this.accessLogGroup
        ? { destinationArn: this.accessLogGroup.arn, format: props.accessLogFormat ?? DEFAULT_ACCESS_LOG_FORMAT }
        : undefined,
      dependsOn: [
        ...(props.dependsOn ?? []),
        ...(this.executionLogGroup ? [this.executionLogGroup] : []),
        // "Unable to find Route by key" otherwise (see routeSettings below).
        ...(props.iteratedRouteSettings ? [props.iteratedRouteSettings.routes.resource] : []),
      ],
      tags: props.tags,
    });
    if (this.routeSettingKeys.length > 0) {
      // CreateStage fails with "Unable to find Route by key <key> within the
      // provided RouteSettings" when a named route does not exist yet, and
      // nothing else orders the stage after the routes when API Gateway
      // deploys automatically. Resolved at synth, so later routes count.
      const fixed = this.resource.dependsOn ?? [];
      this.resource.dependsOn = Lazy.listValue({
        produce: () => [...fixed, ...routesNamedBy(this.routeSettingKeys, this.api.routes).map((r) => dependable(r.resource))],
      });
    }

    this.invokeUrl = this.resource.invokeUrl;
    this.callbackUrl = Fn.replace(this.resource.invokeUrl, "wss://", "https://");
    this.executionArn = `${props.api.executionArn}/${this.resource.name}`;
    // Every method: POST sends, GET reads (GetConnection), DELETE closes.
    this.connectionsArn = `${this.executionArn}/*/@connections/*`;

    this.node.addValidation({
      validate: () => {
        const known = new Set(this.api.routes.map((r) => r.routeKey));
        if (this.api.routes.some((r) => isUnresolved(r.routeKey))) return [];
        return this.routeSettingKeys
          .filter((k) => !known.has(k))
          .map(
            (k) =>
              invalid(
                `routeSettings key of stage ${stageName}`,
                `a route of the API (${[...known].join(", ") || "none yet"})`,
                k,
                "add the route or remove its settings",
              ).message,
          );
      },
    });
  }

  /**
   * Lets a role send to, read and close this stage's connections through the
   * @connections API: `execute-api:ManageConnections` on
   * {@link connectionsArn} (every method of every connection of this stage)
   * and nothing else, in an inline policy of the role.
   *
   * @param role the role to grant
   * @param id id of the policy construct (and of its document, `<id>Document`)
   * @param policyName name of the inline policy. Inline policy names are
   *   unique per role: granting one role on two stages of the same name (of
   *   different APIs) needs a name for at least one of them.
   *   Default: `manage-connections-<stage name>`
   */
  public grantManageConnections(role: { readonly name: string }, id = "ManageConnections", policyName?: string): IamRolePolicy {
    if (policyName !== undefined) {
      checkPattern(
        "WebSocketStage.grantManageConnections policyName",
        policyName,
        /^[\w+=,.@-]{1,128}$/,
        "1 to 128 letters, digits or + = , . @ _ -",
        "use an IAM policy name",
      );
    }
    const document = new DataAwsIamPolicyDocument(this, `${id}Document`, {
      statement: [
        {
          sid: "ManageStageConnections",
          effect: "Allow",
          actions: ["execute-api:ManageConnections"],
          resources: [this.connectionsArn],
        },
      ],
    });
    return new IamRolePolicy(this, `${id}Policy`, {
      name: policyName ?? defaultPolicyName(this.stageName),
      role: role.name,
      policy: document.json,
    });
  }
}

/** `manage-connections-<stage name>`, the stage name cut to IAM's 128 characters. */
function defaultPolicyName(stageName: string): string {
  const room = 128 - "manage-connections-".length;
  return `manage-connections-${isUnresolved(stageName) ? Fn.substr(stageName, 0, room) : stageName.slice(0, room)}`;
}

/** The `dynamic "route_settings"` block of iterated route settings. */
function iteratedRouteSettingsBlock(s: WebSocketIteratedRouteSettings, stage: StageRouteDefaults) {
  return s.forEach.dynamic({
    route_key: s.forEach.key,
    throttling_burst_limit: s.throttle.burstLimit,
    throttling_rate_limit: s.throttle.rateLimit,
    logging_level: stage.loggingLevel,
    data_trace_enabled: stage.dataTraceEnabled,
    detailed_metrics_enabled: stage.detailedMetricsEnabled,
  });
}

function validateStageProps(stageName: string, props: WebSocketStageProps): void {
  STAGE_NAME.with({ fix: 'pick a stage name such as "prod" or "dev"' }).check("WebSocketStage.stageName", stageName);
  checkThrottle("WebSocketStage.throttle", props.throttle);
  LOGGING_LEVEL.check("WebSocketStage.loggingLevel", props.loggingLevel);
  LOG_RETENTION.check("WebSocketStage.logRetentionInDays", props.logRetentionInDays);
  if (props.iteratedRouteSettings && Object.keys(props.routeSettings ?? {}).length > 0) {
    throw invalid(
      "WebSocketStage.iteratedRouteSettings",
      "unset when routeSettings are given (a stage has either static or dynamic route_settings blocks)",
      Object.keys(props.routeSettings ?? {}),
      "give the routes of the map all their settings through iteratedRouteSettings, or list every route in routeSettings",
    );
  }
  checkThrottle("WebSocketStage.iteratedRouteSettings.throttle", props.iteratedRouteSettings?.throttle);
  for (const [key, settings] of Object.entries(props.routeSettings ?? {})) {
    const where = `WebSocketStage.routeSettings["${key}"]`;
    if (!settings || settings.throttle === undefined || settings.throttle.burstLimit === undefined || settings.throttle.rateLimit === undefined) {
      throw invalid(
        `${where}.throttle`,
        "set with both burstLimit and rateLimit",
        settings?.throttle,
        "a route setting without throttling limits throttles the route to 0 and every call gets 429; set both limits",
      );
    }
    checkThrottle(`${where}.throttle`, settings.throttle);
    LOGGING_LEVEL.check(`${where}.loggingLevel`, settings.loggingLevel);
  }
  const format = props.accessLogFormat;
  if (format !== undefined && !isUnresolved(format) && !format.includes("$context.requestId")) {
    throw invalid(
      "WebSocketStage.accessLogFormat",
      "a format that includes $context.requestId",
      format,
      "add the request id; API Gateway rejects access log formats without it",
    );
  }
}
