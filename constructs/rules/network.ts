import { defineRule, Rule } from "./rule";
import { eachItem, matches, oneOf, pattern, range } from "./shapes";

/* Rules of the VPC, its subnets and Availability Zones. */

/**
 * The VPC's address range: /16 (the largest AWS allows) to /20 (room for the
 * subnet layout), written as its network address: EC2 CreateVpc refuses a
 * block whose host bits are set ("10.0.1.0/16" is not a valid CIDR block),
 * as the provider's own check of cidr_block does (IsCIDRNetwork).
 */
export const VPC_CIDR = defineRule<string>({
  summary: { rule: "an IPv4 CIDR block from /16 to /20, written as its network address", fix: 'use for example "10.0.0.0/16"' },
  clauses: [
    matches(
      "^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/(1[6-9]|20)$",
      "an IPv4 CIDR block from /16 to /20",
      'use for example "10.0.0.0/16"',
    ),
    {
      rule: "a CIDR block written as its network address (no host bits set)",
      fix: (cidr) => `write it as ${networkOf(cidr)}`,
      test: (cidr) => networkOf(cidr) === cidr,
      // && does not short-circuit in Terraform: a conditional keeps cidrhost() off a value it cannot read.
      condition: (ref) => `(can(cidrhost(${ref}, 0)) ? cidrhost(${ref}, 0) == split("/", ${ref})[0] : false)`,
    },
  ],
});

/** The network address of an IPv4 CIDR block, in CIDR notation. */
function networkOf(cidr: string): string {
  const [ip, bits] = cidr.split("/");
  const value = ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  const net = (value & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${bits}`;
}

/** Availability Zones the network spreads over. */
export const AZ_COUNT = range(2, 6, "use 2 to 6 Availability Zones");

/** NAT gateways: one for the VPC, or one per zone. */
export const NAT_GATEWAY_MODES = ["single", "one-per-az"] as const;
export const NAT_GATEWAYS = oneOf(NAT_GATEWAY_MODES);

export const VPC_ID = pattern("^vpc-[0-9a-f]{8,17}$", "a VPC id (vpc-...)", "copy the id from the VPC console");
export const SUBNET_ID = pattern("^subnet-[0-9a-f]{8,17}$", "a subnet id (subnet-...)", "copy the id from the VPC console");
export const SECURITY_GROUP_ID = pattern("^sg-[0-9a-f]{8,17}$", "a security group id (sg-...)", "copy the id from the VPC console");

/** Lists of ids, each checked (a module variable names the first bad one in its message's value). */
export const SUBNET_IDS = eachItem(SUBNET_ID);
export const SECURITY_GROUP_IDS = eachItem(SECURITY_GROUP_ID);
export const AVAILABILITY_ZONE = pattern("^[a-z]{2}(-gov)?-[a-z]+-\\d[a-z]$", "an Availability Zone name", 'use for example "eu-central-1a"');

/** A list without repeats; `what` names the items ("zones"). */
export function distinct(what: string): Rule<readonly unknown[]> {
  return defineRule({
    clauses: [
      {
        rule: `distinct ${what}`,
        fix: "remove the duplicates",
        test: (list) => new Set(list).size === list.length,
        condition: (ref) => `length(distinct(${ref})) == length(${ref})`,
      },
    ],
  });
}
