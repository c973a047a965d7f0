import { defineRule } from "./rule";
import { length, listSize, matches, range } from "./shapes";

/* Rules of Elastic Load Balancing and the VPC link in front of it. */

/**
 * Names of load balancers and target groups: 1 to 32 characters, letters,
 * digits and hyphens, no hyphen at either end, and not starting with
 * "internal-" in any case. AWS reserves that prefix for load balancers
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html)
 * and not for target groups
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html);
 * one rule for both keeps a name usable for either. Errors name the clause
 * the name breaks.
 */
export const ELB_NAME = defineRule<string>({
  summary: {
    rule: '1 to 32 letters, digits or hyphens, not starting or ending with a hyphen nor starting with "internal-"',
    fix: 'rename it: Elastic Load Balancing allows 32 letters, digits and inner hyphens, and reserves the prefix "internal-"',
  },
  clauses: [
    {
      rule: "1 to 32 characters long",
      fix: (name) => (name.length === 0 ? "give it a name" : `shorten it by ${name.length - 32} character(s): Elastic Load Balancing limits names to 32`),
      test: (name) => typeof name === "string" && name.length >= 1 && name.length <= 32,
    },
    {
      rule: "made of letters, digits and hyphens only",
      fix: (name) => `remove or replace ${[...new Set(name.replace(/[A-Za-z0-9-]/g, ""))].map((c) => JSON.stringify(c)).join(", ")}`,
      test: (name) => /^[A-Za-z0-9-]*$/.test(name),
    },
    {
      rule: "a name that does not start or end with a hyphen",
      fix: "remove the leading or trailing hyphen",
      test: (name) => !name.startsWith("-") && !name.endsWith("-"),
    },
    {
      rule: 'a name that does not start with "internal-"',
      fix: "Elastic Load Balancing reserves that prefix",
      test: (name) => !name.toLowerCase().startsWith("internal-"),
    },
  ],
  // The first three clauses in one RE2 pattern, then the prefix in any case.
  condition: (ref) => `can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", ${ref})) && !can(regex("^(?i)internal-", ${ref}))`,
  nullSafe: true,
});

/** A TCP port. */
export const PORT = range(1, 65535, "use a TCP port");

/**
 * A port a non-root process may bind: Linux reserves ports below 1024 to
 * processes with CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start,
 * 1024 by default), which a non-root container user does not have.
 */
export const UNPRIVILEGED_PORT = range(1024, 65535, "a non-root process cannot listen below 1024: use 8080");

/**
 * Path of an HTTP health check: from the root, visible ASCII, at most 1024
 * characters
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
 */
export const HEALTH_CHECK_PATH = defineRule<string>({
  clauses: [matches("^/[\\x21-\\x7E]{0,1023}$", 'a path starting with "/"', 'use for example "/healthz"')],
  // RE2 repeats at most 1000 times: the length is counted apart.
  condition: (ref) => `can(regex("^/[\\\\x21-\\\\x7E]*$", ${ref})) && length(${ref}) <= 1024`,
});

/** Seconds a deregistering target keeps its connections. */
export const DEREGISTRATION_DELAY = range(0, 3600, "use 0 to 3600 seconds");

/** Name of a VPC link. */
export const VPC_LINK_NAME = length(1, 255, "give the VPC link a name");

/** Subnets of a load balancer. */
export const LOAD_BALANCER_SUBNET_IDS = listSize(1, undefined, "give the NLB at least one subnet, one per Availability Zone");

/**
 * Security groups a module attaches to its NLB: 1 to 5, 5 being the default
 * quota of security groups per network interface
 * (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).
 */
export const LOAD_BALANCER_SECURITY_GROUP_IDS = listSize(1, 5, "give 1 to 5 security groups (5 per network interface is the default quota)");
