import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Fn, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { PrivateLink } from "../../constructs/private-link";
import { WebSocketAccessLogMetrics } from "../../constructs/websocket-access-log-metrics";
import { WebSocketDashboard } from "../../constructs/websocket-dashboard";
import { local } from "../fixed-names";
import { WebSocketGateway } from "./websocket-gateway";
import { WebSocketModuleInputs } from "./websocket-module-inputs";

/** What a module's dashboard gives its outputs. */
export interface ModuleDashboard {
  /** Name of the dashboard; null unless `dashboard_enabled`. */
  readonly dashboardName: string;
}

/**
 * A module's optional dashboard (`dashboard_enabled`, off by default): the
 * access log metric filters and the CloudWatch dashboard of the API, its
 * clients and the NLB, each with `count = var.dashboard_enabled ? 1 : 0`.
 * The backend behind the NLB is the caller's, so the dashboard draws neither
 * its service nor its store. A `check` warns when the dashboard is asked for
 * while the stage writes no access logs (its client widgets would stay empty).
 *
 * The construct ids `access-log-metrics`, `dashboard` and `region` are
 * created directly in `scope` (the stack): they are part of the addresses.
 */
export function buildModuleDashboard(scope: Construct, inputs: WebSocketModuleInputs, gateway: WebSocketGateway, link: PrivateLink): ModuleDashboard {
  const count = Token.asNumber(Fn.conditional(inputs.dashboardEnabled, 1, 0));
  // PutDashboard accepts letters, digits, - and _; API and stage names allow more.
  const name = local(
    scope,
    "dashboard_name",
    '${coalesce(var.dashboard_name, substr(replace("${var.api_name}-${var.stage_name}", "/[^A-Za-z0-9_-]/", "-"), 0, 255))}',
  ).asString;
  const region = new DataAwsRegion(scope, "region").name;
  const accessLogs = new WebSocketAccessLogMetrics(scope, "access-log-metrics", {
    logGroupName: gateway.stage.accessLogGroup!.name,
    apiId: gateway.api.apiId,
    stageName: gateway.stage.resource.name,
    count,
  });
  new WebSocketDashboard(scope, "dashboard", {
    dashboardName: name,
    region,
    api: { apiId: gateway.api.apiId, stageName: gateway.stage.resource.name },
    accessLogs,
    loadBalancer: { loadBalancerArnSuffix: link.nlb.arnSuffix, targetGroupArnSuffix: link.targetGroup.arnSuffix },
    note: "The backend behind the NLB is yours: add its service and store widgets beside these.",
    count,
  });
  TerraformStack.of(scope).addOverride("check.dashboard_access_logs", {
    assert: [
      {
        condition: "${!var.dashboard_enabled || local.logging_enabled}",
        error_message:
          'dashboard_enabled is true, but the stage writes no access logs, so the dashboard\'s connected-clients gauge, throttling and rejected-connect widgets stay empty: set api_gateway_account_role = "existing" if the region has an API Gateway CloudWatch role, or "managed" to have this module set one.',
      },
    ],
  });
  return { dashboardName: "${var.dashboard_enabled ? local.dashboard_name : null}" };
}
