import { Construct } from "constructs";
import { PrivateLink } from "../../constructs/private-link";
import { output } from "../fixed-names";
import { declareWebSocketEdgeOutputs } from "./websocket-edges";
import { WebSocketGateway } from "./websocket-gateway";
import { ModuleDashboard } from "./websocket-observability";

/**
 * Declares the outputs both seed modules share, with fixed snake_case names:
 * the API, its stage and logs, the @connections API, the VPC link, the NLB
 * and its target group, the account's CloudWatch role, whether the stage
 * logs, the dashboard, and the custom domain and `$connect` authorization.
 */
export function declareWebSocketModuleOutputs(scope: Construct, gateway: WebSocketGateway, link: PrivateLink, dashboard: ModuleDashboard): void {
  output(scope, "websocket_api_id", { value: gateway.api.apiId, description: "ID of the WebSocket API Gateway." });
  output(scope, "websocket_stage_invoke_url", {
    value: gateway.stage.invokeUrl,
    description: "WebSocket connection URL (wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>).",
  });
  output(scope, "connections_callback_url", {
    value: gateway.stage.callbackUrl,
    description: "Base URL of the @connections API the backend calls to send to a client (https://<api-id>.execute-api.<region>.amazonaws.com/<stage>).",
  });
  output(scope, "api_execution_arn", { value: gateway.api.executionArn, description: "Execution ARN of the API." });
  output(scope, "connections_arn", {
    value: gateway.stage.connectionsArn,
    description:
      "Resource to grant execute-api:ManageConnections on in the backend's role: every @connections method (POST, GET, DELETE) of this stage (<api execution ARN>/<stage>/*/@connections/*).",
  });
  output(scope, "vpc_link_id", { value: link.vpcLinkId, description: "ID of the VPC link (aws_api_gateway_vpc_link, v1)." });
  output(scope, "nlb_arn", { value: link.nlb.arn, description: "ARN of the Network Load Balancer behind the VPC link." });
  output(scope, "nlb_dns_name", { value: link.dnsName, description: "DNS name of the NLB." });
  // Depends on the listener: an ECS service created from this output before
  // the target group is on a load balancer fails with "target group does
  // not have an associated load balancer".
  output(scope, "target_group_arn", {
    value: link.targetGroup.arn,
    description:
      "ARN of the NLB target group, for an aws_ecs_service load_balancer block. The output depends on the NLB listener, so a service that uses it is created only once the target group is attached to the NLB.",
    dependsOn: [link.listener],
  });
  output(scope, "cloudwatch_log_group_name", { value: gateway.stage.accessLogGroup!.name, description: "Name of the stage's access log group." });
  output(scope, "execution_log_group_name", { value: gateway.stage.executionLogGroup!.name, description: "Name of the stage's execution log group." });
  output(scope, "api_gateway_cloudwatch_role_arn", {
    value: gateway.cloudWatchRole.roleArn,
    description:
      'The region\'s API Gateway CloudWatch role once applied: the role shared by the stacks of the region, which this module created or joined (null unless api_gateway_account_role is "managed").',
  });
  output(scope, "logging_enabled", {
    value: gateway.loggingEnabled,
    description: 'Whether the stage writes access and execution logs (false while api_gateway_account_role is "none": the log groups then stay empty).',
  });
  output(scope, "cloudwatch_dashboard_name", {
    value: dashboard.dashboardName,
    description: "Name of the CloudWatch dashboard (null unless dashboard_enabled).",
  });
  // The custom domain and $connect authorization (null where not asked for).
  declareWebSocketEdgeOutputs(scope, gateway);
}
