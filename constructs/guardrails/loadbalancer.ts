import { defineRule } from "./rule";
import { RuleContext, TfBlock } from "./types";
import { asBool, asString, blocks, UNKNOWN, Unknown } from "./values";

/** `aws_lb` and its alias `aws_alb`. */
export function loadBalancers(ctx: RuleContext): TfBlock[] {
  return [...ctx.model.resources("aws_lb"), ...ctx.model.resources("aws_alb")];
}

/** `application` (the provider's default), `network`, `gateway`, or UNKNOWN. */
export function loadBalancerType(lb: TfBlock): string | Unknown {
  return asString(lb.config.load_balancer_type) ?? "application";
}

/** WSG-LB-001: internal unless explicitly public. */
export const internalLoadBalancer = defineRule({
  id: "WSG-LB-001",
  description:
    "Load balancers are internal, unless explicitly marked public with a suppression of this rule (which also lets WSG-SG-002 admit 0.0.0.0/0 to them).",
  fix: 'set internal = true (PrivateLink.internal); a load balancer meant for the internet must say so: Guardrails.suppress(lb, "WSG-LB-001", "<why it is public>")',
  severity: "error",
  details: "Every `aws_lb`/`aws_alb` that is not a gateway load balancer has `internal = true` (unset means public).",
  suppressOn: "the load balancer: this is how a load balancer is *marked public*",
  check: (ctx, report) => {
    for (const lb of loadBalancers(ctx)) {
      if (loadBalancerType(lb) === "gateway") continue;
      const internal = asBool(lb.config.internal);
      if (internal === UNKNOWN) continue;
      if (internal !== true) report(lb, "internal", "true", lb.config.internal);
    }
  },
});

/** WSG-LB-002: deletion protection in production. */
export const deletionProtection = defineRule({
  id: "WSG-LB-002",
  checkov: ["CKV_AWS_150"],
  description: "With the production option, load balancers have deletion protection.",
  fix: "set enable_deletion_protection = true (PrivateLink.deletionProtection; the chat stack turns it on for environment production)",
  severity: (options) => (options.production ? "error" : undefined),
  details: "`enable_deletion_protection = true`.",
  suppressOn: "the load balancer",
  checkovDeviation: "Enforced only with the `production` option: development stacks must be destroyable without a console visit.",
  check: (ctx, report) => {
    for (const lb of loadBalancers(ctx)) {
      const on = asBool(lb.config.enable_deletion_protection);
      if (on === UNKNOWN) continue;
      if (on !== true) report(lb, "enable_deletion_protection", "true in production", lb.config.enable_deletion_protection);
    }
  },
});

/** WSG-LB-003: cross-zone load balancing on NLBs and GWLBs. */
export const crossZone = defineRule({
  id: "WSG-LB-003",
  checkov: ["CKV_AWS_152"],
  description: "Network and Gateway Load Balancers spread traffic across zones (cross-zone load balancing is off by default for them).",
  fix: "set enable_cross_zone_load_balancing = true (PrivateLink.crossZoneLoadBalancing)",
  severity: "error",
  details: "`enable_cross_zone_load_balancing = true` on network and gateway load balancers.",
  suppressOn: "the load balancer",
  check: (ctx, report) => {
    for (const lb of loadBalancers(ctx)) {
      const type = loadBalancerType(lb);
      if (type !== "network" && type !== "gateway") continue;
      const on = asBool(lb.config.enable_cross_zone_load_balancing);
      if (on === UNKNOWN) continue;
      if (on !== true) report(lb, "enable_cross_zone_load_balancing", "true", lb.config.enable_cross_zone_load_balancing);
    }
  },
});

/** WSG-LB-004: access logs, with the option. */
export const accessLogs = defineRule({
  id: "WSG-LB-004",
  checkov: ["CKV_AWS_91"],
  description: "With the requireLbAccessLogs option, load balancers write access logs to S3.",
  fix: "set access_logs { bucket = <bucket>, enabled = true } (PrivateLink.accessLogsBucket); NLBs log TLS listeners only",
  severity: (options) => (options.requireLbAccessLogs ? "warning" : undefined),
  details: "`access_logs.enabled = true`.",
  suppressOn: "the load balancer",
  checkovDeviation:
    "Off unless `requireLbAccessLogs`: the NLB of the private path has TCP listeners only, and NLBs write access logs for TLS listeners only, so the setting would create a bucket that stays empty.",
  check: (ctx, report) => {
    for (const lb of loadBalancers(ctx)) {
      const logs = blocks(lb.config.access_logs);
      if (logs === UNKNOWN) continue;
      const enabled = logs.length ? asBool(logs[0].enabled) : undefined;
      if (enabled === UNKNOWN) continue;
      if (enabled !== true) report(lb, "access_logs.enabled", "true", logs.length ? logs[0].enabled : undefined);
    }
  },
});

export const LOAD_BALANCER_RULES = [internalLoadBalancer, deletionProtection, crossZone, accessLogs];
