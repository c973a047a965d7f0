import { internalLoadBalancer, loadBalancers } from "./loadbalancer";
import { defineRule } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { asBool, asString, blocks, isUnknown, referencedAddresses, stringList, UNKNOWN } from "./values";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

const GROUPS = ["aws_security_group", "aws_default_security_group"];
const RULE_RESOURCES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

function hasDescription(value: unknown): boolean {
  if (isUnknown(value)) return true;
  return typeof value === "string" && value.trim() !== "";
}

/** WSG-SG-001: descriptions. */
export const ruleDescriptions = defineRule({
  id: "WSG-SG-001",
  checkov: ["CKV_AWS_23"],
  description: "Every security group and every security group rule (inline, aws_security_group_rule, aws_vpc_security_group_*_rule) has a description.",
  fix: 'say in description what the group or rule admits and why (e.g. "From the API Gateway VPC link NLB only")',
  severity: "error",
  details:
    "Every `aws_security_group` has a description, and every inline rule, `aws_security_group_rule` and `aws_vpc_security_group_{ingress,egress}_rule` has one.",
  suppressOn: "the rule or group",
  checkovDeviation: "CKV_AWS_23 also covers `aws_db_security_group`, which these stacks never use; the pack does not read it.",
  check: (ctx, report) => {
    for (const type of GROUPS) {
      for (const group of ctx.model.resources(type)) {
        if (type === "aws_security_group" && !hasDescription(group.config.description)) {
          report(group, "description", "a description of what the group is for", group.config.description);
        }
        for (const direction of ["ingress", "egress"]) {
          const rules = blocks(group.config[direction]);
          if (rules === UNKNOWN) continue;
          rules.forEach((r, i) => {
            if (!hasDescription(r.description)) report(group, `${direction}[${i}].description`, "a description of what the rule admits", r.description);
          });
        }
      }
    }
    for (const type of RULE_RESOURCES) {
      for (const rule of ctx.model.resources(type)) {
        if (!hasDescription(rule.config.description)) report(rule, "description", "a description of what the rule admits", rule.config.description);
      }
    }
  },
});

/** Addresses of the security groups of load balancers explicitly marked public (WSG-LB-001 suppressed). */
function publicLoadBalancerGroups(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const lb of loadBalancers(ctx)) {
    if (asBool(lb.config.internal) === true || !ctx.isSuppressed(lb, internalLoadBalancer.id)) continue;
    const groups = stringList(lb.config.security_groups);
    if (groups === UNKNOWN) continue;
    for (const g of groups) if (typeof g === "string") referencedAddresses(g, "aws_security_group").forEach((a) => out.add(a));
  }
  return out;
}

function openCidrs(value: unknown): string[] {
  const list = stringList(value);
  if (list === UNKNOWN) return [];
  return list.filter((c): c is string => typeof c === "string" && WORLD.has(c.trim()));
}

/** WSG-SG-002: no ingress from anywhere, except to an explicitly public load balancer. */
export const noOpenIngress = defineRule({
  id: "WSG-SG-002",
  checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
  description: "No security group admits 0.0.0.0/0 or ::/0, except a group of a load balancer explicitly marked public (WSG-LB-001 suppressed on it).",
  fix: 'admit the security group or CIDR of the actual clients (e.g. referenced_security_group_id of the NLB); a public load balancer must be marked public with Guardrails.suppress(lb, "WSG-LB-001", reason)',
  severity: "error",
  details: "Reads ingress inline, in `aws_security_group_rule` and in `aws_vpc_security_group_ingress_rule`.",
  suppressOn: "mark the load balancer public, or the rule itself",
  check: (ctx, report) => {
    const exempt = publicLoadBalancerGroups(ctx);
    const target = (value: unknown): string | undefined => (typeof value === "string" ? referencedAddresses(value, "aws_security_group")[0] : undefined);
    const check = (block: TfBlock, setting: string, cidrs: string[], group: string | undefined) => {
      if (cidrs.length && !(group && exempt.has(group)))
        report(block, setting, "a narrower source than the whole internet", cidrs.length === 1 ? cidrs[0] : cidrs);
    };
    for (const type of GROUPS) {
      for (const group of ctx.model.resources(type)) {
        const rules = blocks(group.config.ingress);
        if (rules === UNKNOWN) continue;
        rules.forEach((r, i) => {
          check(group, `ingress[${i}].cidr_blocks`, openCidrs(r.cidr_blocks), group.address);
          check(group, `ingress[${i}].ipv6_cidr_blocks`, openCidrs(r.ipv6_cidr_blocks), group.address);
        });
      }
    }
    for (const rule of ctx.model.resources("aws_security_group_rule")) {
      if (asString(rule.config.type) !== "ingress") continue;
      check(rule, "cidr_blocks", openCidrs(rule.config.cidr_blocks), target(rule.config.security_group_id));
      check(rule, "ipv6_cidr_blocks", openCidrs(rule.config.ipv6_cidr_blocks), target(rule.config.security_group_id));
    }
    for (const rule of ctx.model.resources("aws_vpc_security_group_ingress_rule")) {
      check(rule, "cidr_ipv4", openCidrs(rule.config.cidr_ipv4), target(rule.config.security_group_id));
      check(rule, "cidr_ipv6", openCidrs(rule.config.cidr_ipv6), target(rule.config.security_group_id));
    }
  },
});

export const SECURITY_GROUP_RULES = [ruleDescriptions, noOpenIngress];
