import { Clause, defineRule, length, listSize, pattern, range } from "./rule";

/* Rules of Elastic Load Balancing and the VPC link in front of it. */

/**
 * The clauses both ELB names share, in the order their messages say them:
 * 1 to 32 characters, letters, digits and hyphens, no hyphen at either end
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
 */
const ELB_NAME_CLAUSES: ReadonlyArray<Clause<string>> = [
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
  { rule: "a name that does not start or end with a hyphen", fix: "remove the leading or trailing hyphen", test: (name) => !name.startsWith("-") && !name.endsWith("-") },
];

/** The clauses above as one RE2 pattern. */
const ELB_NAME_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$";
const ELB_NAME_RULE = "1 to 32 letters, digits or hyphens, not starting or ending with a hyphen";

/** Name of a target group. */
export const TARGET_GROUP_NAME = defineRule<string>({
  summary: { rule: ELB_NAME_RULE, fix: "rename it: Elastic Load Balancing allows 32 letters, digits and inner hyphens" },
  clauses: ELB_NAME_CLAUSES,
  condition: (ref) => `can(regex("${ELB_NAME_PATTERN}", ${ref}))`,
  nullSafe: true,
});

/**
 * Name of a load balancer: a target group name that also does not start
 * with "internal-", in any case
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
 */
export const LOAD_BALANCER_NAME = defineRule<string>({
  summary: { rule: `${ELB_NAME_RULE}, nor starting with "internal-"`, fix: 'rename it: Elastic Load Balancing allows 32 letters, digits and inner hyphens, and reserves the prefix "internal-"' },
  clauses: [
    ...ELB_NAME_CLAUSES,
    { rule: 'a name that does not start with "internal-"', fix: "Elastic Load Balancing reserves that prefix", test: (name) => !name.toLowerCase().startsWith("internal-") },
  ],
  condition: (ref) => `can(regex("${ELB_NAME_PATTERN}", ${ref})) && !can(regex("^(?i)internal-", ${ref}))`,
  nullSafe: true,
});

/** A TCP port. */
export const PORT = range(1, 65535, "use a TCP port");

/**
 * Path of an HTTP health check: from the root, visible ASCII, at most 1024
 * characters
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
 */
export const HEALTH_CHECK_PATH = pattern("^/[\\x21-\\x7E]{0,1023}$", 'a path starting with "/"', 'use for example "/healthz"');

/** Seconds a deregistering target keeps its connections. */
export const DEREGISTRATION_DELAY = range(0, 3600, "use 0 to 3600 seconds");

/** Name of a VPC link. */
export const VPC_LINK_NAME = length(1, 255, "give the VPC link a name");

/** Subnets of a load balancer. */
export const LOAD_BALANCER_SUBNET_IDS = listSize(1, undefined, "give the NLB at least one subnet, one per Availability Zone");
