import { DataAwsLbListener } from "@cdktf/provider-aws/lib/data-aws-lb-listener";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { Fn, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { DEPLOY_ACTIONS_CODE_DIR } from "./paths";
import { Guardrails } from "../constructs/guardrails";
import { PrivateLink } from "../constructs/private-link";
import { local, output, variable } from "./fixed-names";
import {
  ELB_NAME,
  HEALTH_CHECK_PATH,
  LOAD_BALANCER_SECURITY_GROUP_IDS,
  LOAD_BALANCER_SUBNET_IDS,
  VPC_ID,
  SECURITY_GROUP_IDS,
  SUBNET_IDS,
  PORT,
} from "../constructs/rules";
import { configureAsModule, ModuleStackProps } from "./module/required-aws-provider";
import { buildWebSocketGateway } from "./module/websocket-gateway";
import { declareWebSocketModuleInputs } from "./module/websocket-module-inputs";
import { declareWebSocketModuleOutputs } from "./module/websocket-module-outputs";
import { buildModuleDashboard } from "./module/websocket-observability";

/** Name of the stack: part of the contract (folder under cdktf.out/stacks). */
export const WEBSOCKET_ALB_STACK = "websocket-alb";

/** Pattern of an ALB listener ARN, with the parts that make the ALB's ARN. */
export const ALB_LISTENER_ARN_PATTERN = "^(arn:[^:]+:elasticloadbalancing:[^:]+:[0-9]{12}):listener/app/([^/]+)/([0-9a-f]+)/[0-9a-f]+$";

/**
 * The "existing ALB" seed module: a WebSocket API that reaches an existing
 * Application Load Balancer privately. WebSocket APIs accept only the v1 VPC
 * link, which targets NLBs, so the module puts an internal NLB in front of
 * the ALB (target group with `target_type = "alb"` on the listener's port)
 * and links to that NLB. It does not create or change the ALB.
 *
 * Synthesized as a Terraform module: variables and outputs carry the seed's
 * names; no backend and no provider configuration. Reads as the module's
 * variables, main and outputs.
 */
export class WebSocketAlbStack extends TerraformStack {
  constructor(scope: Construct, id = WEBSOCKET_ALB_STACK, props: ModuleStackProps = {}) {
    super(scope, id);
    configureAsModule(this);
    // The rule pack (docs/guardrails.md) runs at every synth.
    Guardrails.apply(this);

    // variables
    const inputs = declareWebSocketModuleInputs(this);
    const v = {
      albListenerArn: variable(this, "alb_listener_arn", {
        type: "string",
        description:
          "ARN of the existing ALB listener to reach (e.g. the HTTP listener of an ECS service's ALB). It must be an HTTP listener, not HTTPS: the NLB forwards TCP to its port unchanged and the integrations call http://. Checked when the module looks the listener up (alb_listener_port null).",
        validation: [
          {
            condition: `\${can(regex("${ALB_LISTENER_ARN_PATTERN.replace(/\\/g, "\\\\")}", var.alb_listener_arn))}`,
            errorMessage:
              "alb_listener_arn must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>).",
          },
        ],
      }),
      vpcLinkSubnetIds: variable(this, "vpc_link_subnet_ids", {
        type: "list(string)",
        description:
          "Private subnets where the VPC link enters the VPC: the subnets of the internal NLB placed in front of the ALB, one per Availability Zone.",
        validation: [LOAD_BALANCER_SUBNET_IDS.hcl("vpc_link_subnet_ids"), SUBNET_IDS.hcl("vpc_link_subnet_ids")],
      }),
      vpcLinkSecurityGroupIds: variable(this, "vpc_link_security_group_ids", {
        type: "list(string)",
        description:
          "Security groups attached to the NLB, the VPC link's entry point. Traffic from the VPC link passes them without an inbound rule; the ALB's security group must admit these groups on the listener port.",
        validation: [LOAD_BALANCER_SECURITY_GROUP_IDS.hcl("vpc_link_security_group_ids"), SECURITY_GROUP_IDS.hcl("vpc_link_security_group_ids")],
      }),
      vpcId: variable(this, "vpc_id", {
        type: "string",
        default: null,
        description: "VPC of the ALB. Default: looked up from the first of vpc_link_subnet_ids.",
        validation: [VPC_ID.hcl("vpc_id", { nullable: true })],
      }),
      listenerPort: variable(this, "alb_listener_port", {
        type: "number",
        default: null,
        description: "Port of the ALB listener. Default: looked up from alb_listener_arn.",
        validation: [PORT.hcl("alb_listener_port", { nullable: true })],
      }),
      nlbName: variable(this, "nlb_name", {
        type: "string",
        default: null,
        description: "Name of the NLB put in front of the ALB. Default: derived from vpc_link_name.",
        validation: [ELB_NAME.hcl("nlb_name", { nullable: true })],
      }),
      targetGroupName: variable(this, "target_group_name", {
        type: "string",
        default: null,
        description: "Name of the NLB's alb-type target group. Default: derived from vpc_link_name.",
        validation: [ELB_NAME.hcl("target_group_name", { nullable: true })],
      }),
      healthCheckPath: variable(this, "health_check_path", {
        type: "string",
        default: "/",
        description: "Path of the HTTP health check the NLB sends to the ALB; any 2xx or 3xx answer is healthy.",
        validation: [HEALTH_CHECK_PATH.hcl("health_check_path")],
      }),
    };

    // main
    // Looked up only when not given, so plans need no AWS reads when they are.
    const listener = new DataAwsLbListener(this, "alb_listener", {
      count: Token.asNumber("${var.alb_listener_port == null ? 1 : 0}"),
      arn: v.albListenerArn.stringValue,
      lifecycle: {
        postcondition: [
          {
            condition: '${self.protocol == "HTTP"}',
            errorMessage:
              "alb_listener_arn must be an HTTP listener, got a ${self.protocol} listener on port ${self.port}: the NLB forwards TCP to it unchanged and the integrations call http://, so give the ARN of an HTTP listener of the ALB (add one if needed).",
          },
        ],
      },
    });
    const subnet = new DataAwsSubnet(this, "first_vpc_link_subnet", {
      count: Token.asNumber("${var.vpc_id == null ? 1 : 0}"),
      id: Fn.element(v.vpcLinkSubnetIds.listValue, 0),
    });
    const derivedName = (suffix: string) => `\${trim(substr(replace(lower(var.vpc_link_name), "/[^a-z0-9-]/", "-"), 0, ${32 - suffix.length}), "-")}${suffix}`;
    const albArn = local(this, "alb_arn", `\${replace(var.alb_listener_arn, "/${ALB_LISTENER_ARN_PATTERN}/", "$1:loadbalancer/app/$2/$3")}`);
    const port = local(this, "alb_listener_port", Fn.coalesce([v.listenerPort.value, Fn.one(Fn.lookupNested(listener.fqn, ["*", "port"]))]));
    const vpcId = local(this, "vpc_id", Fn.coalesce([v.vpcId.value, Fn.one(Fn.lookupNested(subnet.fqn, ["*", "vpc_id"]))]));
    const nlbName = local(this, "nlb_name", `\${coalesce(var.nlb_name, "${derivedName("-nlb")}")}`);
    const tgName = local(this, "target_group_name", `\${coalesce(var.target_group_name, "${derivedName("-alb")}")}`);

    const link = new PrivateLink(this, "private-link", {
      vpcId: vpcId.asString,
      subnetIds: v.vpcLinkSubnetIds.listValue,
      securityGroupIds: v.vpcLinkSecurityGroupIds.listValue,
      internal: true,
      nlbName: nlbName.asString,
      targetGroupName: tgName.asString,
      vpcLinkName: inputs.vpcLinkName,
      vpcLinkDescription: `VPC link of WebSocket API ${inputs.apiName} to an existing ALB`,
      deletionProtection: inputs.nlbDeletionProtection,
      target: { kind: "alb", albArn: albArn.asString, port: port.asNumber, healthCheck: { path: v.healthCheckPath.stringValue } },
      tags: inputs.tags,
    });
    const gateway = buildWebSocketGateway(this, inputs, link, props.deployActionsCode ?? DEPLOY_ACTIONS_CODE_DIR);
    const dashboard = buildModuleDashboard(this, inputs, gateway, link);

    // outputs
    declareWebSocketModuleOutputs(this, gateway, link, dashboard);
    output(this, "alb_arn", { value: albArn.asString, description: "ARN of the existing ALB, registered as the NLB's target." });
  }
}
