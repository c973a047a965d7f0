import { Construct } from "constructs";
import { PrivateLink } from "../constructs/private-link";
import { nameRule, WebSocketModuleStack } from "./module-stack";

/** Name of the stack: part of the contract (folder under cdktf.out/stacks). */
export const WEBSOCKET_NLB_STACK = "websocket-nlb";

/**
 * The "NLB + Fargate" seed module: a WebSocket API that reaches a Fargate
 * service privately through a v1 VPC link and a new NLB whose `ip` target
 * group the service registers in (output `target_group_arn`).
 *
 * Synthesized as a Terraform module: variables and outputs carry the seed's
 * names; no backend and no provider configuration.
 */
export class WebSocketNlbStack extends WebSocketModuleStack {
  constructor(scope: Construct, id = WEBSOCKET_NLB_STACK) {
    super(scope, id);
    const v = {
      nlbName: this.variable("nlb_name", {
        type: "string",
        description: "Name of the Network Load Balancer (at most 32 letters, digits or hyphens).",
        validation: [nameRule("nlb_name")],
      }),
      nlbInternal: this.variable("nlb_internal", {
        type: "bool",
        default: true,
        description:
          "Make the NLB internal. API Gateway reaches an internal NLB through the VPC link; false gives the NLB public addresses and exposes the backend to the internet.",
      }),
      nlbSubnetIds: this.variable("nlb_subnet_ids", {
        type: "list(string)",
        description: "Subnets of the NLB, one per Availability Zone (private subnets for an internal NLB).",
        validation: [{ condition: "${length(var.nlb_subnet_ids) >= 1}", errorMessage: "nlb_subnet_ids must list at least one subnet." }],
      }),
      targetGroupName: this.variable("target_group_name", {
        type: "string",
        description: "Name of the ip target group the Fargate service registers in (at most 32 letters, digits or hyphens).",
        validation: [nameRule("target_group_name")],
      }),
      fargatePort: this.variable("fargate_port", {
        type: "number",
        default: 3000,
        description: "Port the Fargate containers listen on; the NLB listens on the same port.",
        validation: [{ condition: "${var.fargate_port >= 1 && var.fargate_port <= 65535 && floor(var.fargate_port) == var.fargate_port}", errorMessage: "fargate_port must be a whole number from 1 to 65535." }],
      }),
      vpcId: this.variable("vpc_id", {
        type: "string",
        description: "VPC of the NLB and the target group.",
        validation: [{ condition: '${can(regex("^vpc-[0-9a-f]+$", var.vpc_id))}', errorMessage: "vpc_id must be a VPC id (vpc-...)." }],
      }),
      vpcLinkSubnetIds: this.variable("vpc_link_subnet_ids", {
        type: "list(string)",
        description:
          "Kept for compatibility with the original module. A v1 VPC link has no subnets of its own: it enters the VPC through the NLB, which sits in nlb_subnet_ids.",
        validation: [{ condition: "${length(var.vpc_link_subnet_ids) >= 1}", errorMessage: "vpc_link_subnet_ids must list at least one subnet." }],
      }),
      vpcLinkSecurityGroupIds: this.variable("vpc_link_security_group_ids", {
        type: "list(string)",
        description:
          "Security groups attached to the NLB, the VPC link's entry point. Traffic from the VPC link passes them without an inbound rule; give the Fargate tasks' security group an ingress rule from these groups on fargate_port.",
        validation: [{ condition: "${length(var.vpc_link_security_group_ids) >= 1 && length(var.vpc_link_security_group_ids) <= 5}", errorMessage: "vpc_link_security_group_ids must list 1 to 5 security groups." }],
      }),
      healthCheckPath: this.variable("health_check_path", {
        type: "string",
        default: "/healthz",
        description: "Path of the target group's HTTP health check; the backend must answer it with 2xx or 3xx.",
        validation: [{ condition: '${startswith(var.health_check_path, "/")}', errorMessage: "health_check_path must start with /." }],
      }),
    };
    const tags = this.common.tags.value as Record<string, string>;
    const port = v.fargatePort.numberValue;

    const link = new PrivateLink(this, "private-link", {
      vpcId: v.vpcId.stringValue,
      subnetIds: v.nlbSubnetIds.listValue,
      securityGroupIds: v.vpcLinkSecurityGroupIds.listValue,
      internal: v.nlbInternal.value as boolean,
      nlbName: v.nlbName.stringValue,
      targetGroupName: v.targetGroupName.stringValue,
      vpcLinkName: this.common.vpcLinkName.stringValue,
      vpcLinkDescription: `VPC link of WebSocket API ${this.common.apiName.stringValue}`,
      deletionProtection: this.common.nlbDeletionProtection.value as boolean,
      target: { kind: "ip", port, healthCheck: { path: v.healthCheckPath.stringValue } },
      tags,
    });
    this.buildApi(link);
  }
}
