import { defineRule, Rule } from "./rule";
import { oneOf, pattern, range } from "./shapes";

/* Rules of the VPC, its subnets and Availability Zones. */

/** The VPC's address range: /16 (the largest AWS allows) to /20 (room for the subnet layout). */
export const VPC_CIDR = pattern(
  "^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/(1[6-9]|20)$",
  "an IPv4 CIDR block from /16 to /20",
  'use for example "10.0.0.0/16"',
);

/** Availability Zones the network spreads over. */
export const AZ_COUNT = range(2, 6, "use 2 to 6 Availability Zones");

/** NAT gateways: one for the VPC, or one per zone. */
export const NAT_GATEWAY_MODES = ["single", "one-per-az"] as const;
export const NAT_GATEWAYS = oneOf(NAT_GATEWAY_MODES);

export const VPC_ID = pattern("^vpc-[0-9a-f]{8,17}$", "a VPC id (vpc-...)", "copy the id from the VPC console");
export const SUBNET_ID = pattern("^subnet-[0-9a-f]{8,17}$", "a subnet id (subnet-...)", "copy the id from the VPC console");
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
