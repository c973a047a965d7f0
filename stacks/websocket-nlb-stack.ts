import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DEPLOY_ACTIONS_CODE_DIR } from "./paths";
import { Guardrails } from "../constructs/guardrails";
import { PrivateLink } from "../constructs/private-link";
import { variable } from "./fixed-names";
import {
  ELB_NAME,
  HEALTH_CHECK_PATH,
  LOAD_BALANCER_SECURITY_GROUP_IDS,
  LOAD_BALANCER_SUBNET_IDS,
  PORT,
  VPC_ID,
  SECURITY_GROUP_IDS,
  SUBNET_IDS,
} from "../constructs/rules";
import { configureAsModule, ModuleStackProps } from "./module/required-aws-provider";
import { buildWebSocketGateway } from "./module/websocket-gateway";
import { declareWebSocketModuleInputs } from "./module/websocket-module-inputs";
import { declareWebSocketModuleOutputs } from "./module/websocket-module-outputs";
import { buildModuleDashboard } from "./module/websocket-observability";

/** Name of the stack: part of the contract (folder under cdktf.out/stacks). */
export const WEBSOCKET_NLB_STACK = "websocket-nlb";

/**
 * The "NLB + Fargate" seed module: a WebSocket API that reaches a Fargate
 * service privately through a v1 VPC link and a new NLB whose `ip` target
 * group the service registers in (output `target_group_arn`).
 *
 * Synthesized as a Terraform module: variables and outputs carry the seed's
 * names; no backend and no provider configuration. Reads as the module's
 * variables, main and outputs.
 */
export class WebSocketNlbStack extends TerraformStack {
  constructor(scope: Construct, id = WEBSOCKET_NLB_STACK, props: ModuleStackProps = {}) {
    super(scope, id);
    configureAsModule(this);
    // The rule pack (docs/guardrails.md) runs at every synth.
    Guardrails.apply(this);

    // variables
    const inputs = declareWebSocketModuleInputs(this);
    const nlb = {
      nlbName: variable(this, "nlb_name", {
        type: "string",
        description: "Name of the Network Load Balancer (at most 32 letters, digits or hyphens).",
        validation: [ELB_NAME.hcl("nlb_name")],
      }).stringValue,
      nlbInternal: variable(this, "nlb_internal", {
        type: "bool",
        default: true,
        description:
          "Make the NLB internal. API Gateway reaches an internal NLB through the VPC link; false gives the NLB public addresses and exposes the backend to the internet.",
      }).value,
      nlbSubnetIds: variable(this, "nlb_subnet_ids", {
        type: "list(string)",
        description: "Subnets of the NLB, one per Availability Zone (private subnets for an internal NLB).",
        validation: [LOAD_BALANCER_SUBNET_IDS.hcl("nlb_subnet_ids"), SUBNET_IDS.hcl("nlb_subnet_ids")],
      }).listValue,
      targetGroupName: variable(this, "target_group_name", {
        type: "string",
        description: "Name of the ip target group the Fargate service registers in (at most 32 letters, digits or hyphens).",
        validation: [ELB_NAME.hcl("target_group_name")],
      }).stringValue,
      fargatePort: variable(this, "fargate_port", {
        type: "number",
        default: 3000,
        description: "Port the Fargate containers listen on; the NLB listens on the same port.",
        validation: [PORT.hcl("fargate_port")],
      }).numberValue,
      vpcId: variable(this, "vpc_id", {
        type: "string",
        description: "VPC of the NLB and the target group.",
        validation: [VPC_ID.hcl("vpc_id")],
      }).stringValue,
      vpcLinkSubnetIds: variable(this, "vpc_link_subnet_ids", {
        type: "list(string)",
        description:
          "Kept for compatibility with the original module. A v1 VPC link has no subnets of its own: it enters the VPC through the NLB, which sits in nlb_subnet_ids.",
        validation: [LOAD_BALANCER_SUBNET_IDS.hcl("vpc_link_subnet_ids"), SUBNET_IDS.hcl("vpc_link_subnet_ids")],
      }).listValue,
      vpcLinkSecurityGroupIds: variable(this, "vpc_link_security_group_ids", {
        type: "list(string)",
        description:
          "Security groups attached to the NLB, the VPC link's entry point. Traffic from the VPC link passes them without an inbound rule; give the Fargate tasks' security group an ingress rule from these groups on fargate_port.",
        validation: [LOAD_BALANCER_SECURITY_GROUP_IDS.hcl("vpc_link_security_group_ids"), SECURITY_GROUP_IDS.hcl("vpc_link_security_group_ids")],
      }).listValue,
      healthCheckPath: variable(this, "health_check_path", {
        type: "string",
        default: "/healthz",
        description: "Path of the target group's HTTP health check; the backend must answer it with 2xx or 3xx.",
        validation: [HEALTH_CHECK_PATH.hcl("health_check_path")],
      }).stringValue,
    };

    // main
    const link = new PrivateLink(this, "private-link", {
      vpcId: nlb.vpcId,
      subnetIds: nlb.nlbSubnetIds,
      securityGroupIds: nlb.vpcLinkSecurityGroupIds,
      internal: nlb.nlbInternal,
      nlbName: nlb.nlbName,
      targetGroupName: nlb.targetGroupName,
      vpcLinkName: inputs.vpcLinkName,
      vpcLinkDescription: `VPC link of WebSocket API ${inputs.apiName}`,
      deletionProtection: inputs.nlbDeletionProtection,
      target: { kind: "ip", port: nlb.fargatePort, healthCheck: { path: nlb.healthCheckPath } },
      tags: inputs.tags,
    });
    const gateway = buildWebSocketGateway(this, inputs, link, props.deployActionsCode ?? DEPLOY_ACTIONS_CODE_DIR);
    const dashboard = buildModuleDashboard(this, inputs, gateway, link);

    // outputs
    declareWebSocketModuleOutputs(this, gateway, link, dashboard);
  }
}
