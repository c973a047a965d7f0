import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Network, NetworkProps } from "../../constructs/network";
import { dataOf, newStack, onlyResource, resourcesOf, synthJson } from "../helpers";

const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const ref = (r: TerraformResource, attribute = "id") => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;

function network(props: Partial<NetworkProps> = {}, stack = newStack()) {
  return { stack, network: new Network(stack, "network", { name: "chat", ...props }) };
}

describe("Network", () => {
  test("creates a VPC with DNS support from 10.0.0.0/16 by default", () => {
    // GIVEN / WHEN
    const { stack } = network({ tags: { team: "chat" } });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { team: "chat", Name: "chat-vpc" },
    });
  });

  test("spreads over the first two zones that need no opt-in, looked up at plan time", () => {
    const { stack, network: n } = network();
    const json = synthJson(stack);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataAwsAvailabilityZones, {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    const zones = Object.keys(dataOf(json, "aws_availability_zones"))[0];
    expect(n.privateSubnets.map((s) => tf(json, s).availability_zone)).toEqual([
      `\${element(data.aws_availability_zones.${zones}.names, 0)}`,
      `\${element(data.aws_availability_zones.${zones}.names, 1)}`,
    ]);
    expect(n.publicSubnets).toHaveLength(2);
  });

  test("takes private /20s from the bottom and public /24s from the top of a /16", () => {
    const { stack, network: n } = network();
    const json = synthJson(stack);
    expect(n.privateSubnets.map((s) => tf(json, s).cidr_block)).toEqual(['${cidrsubnet("10.0.0.0/16", 4, 0)}', '${cidrsubnet("10.0.0.0/16", 4, 1)}']);
    expect(n.publicSubnets.map((s) => tf(json, s).cidr_block)).toEqual(['${cidrsubnet("10.0.0.0/16", 8, 255)}', '${cidrsubnet("10.0.0.0/16", 8, 254)}']);
    for (const s of n.publicSubnets) expect(tf(json, s).map_public_ip_on_launch).toBe(false);
  });

  test("keeps public subnets at /28 in a /20", () => {
    const { stack, network: n } = network({ cidr: "10.1.0.0/20" });
    const json = synthJson(stack);
    expect(tf(json, n.publicSubnets[0]).cidr_block).toBe('${cidrsubnet("10.1.0.0/20", 8, 255)}');
    expect(tf(json, n.privateSubnets[0]).cidr_block).toBe('${cidrsubnet("10.1.0.0/20", 4, 0)}');
  });

  test("routes public subnets to the internet gateway", () => {
    const { stack, network: n } = network();
    const json = synthJson(stack);
    const igw = onlyResource(json, "aws_internet_gateway");
    expect(igw.vpc_id).toBe(ref(n.vpc));
    const publicRoutes = Object.entries(resourcesOf(json, "aws_route_table")).filter(([id]) => id.includes("PublicRoutes"));
    expect(publicRoutes).toHaveLength(1);
    expect(publicRoutes[0][1].route).toEqual([
      expect.objectContaining({ cidr_block: "0.0.0.0/0", gateway_id: expect.stringMatching(/^\$\{aws_internet_gateway\..+\.id\}$/) }),
    ]);
    const associations = Object.values(resourcesOf(json, "aws_route_table_association")).filter((a: any) => a.route_table_id.includes("PublicRoutes"));
    expect(associations.map((a: any) => a.subnet_id).sort()).toEqual(n.publicSubnets.map((s) => ref(s)).sort());
  });

  test("shares one NAT gateway between the private subnets by default", () => {
    const { stack, network: n } = network();
    const json = synthJson(stack);
    const nat = Object.keys(resourcesOf(json, "aws_nat_gateway"));
    expect(nat).toHaveLength(1);
    expect(n.natGatewayCount).toBe(1);
    const privateRoutes = Object.entries(resourcesOf(json, "aws_route_table")).filter(([id]) => id.includes("PrivateRoutes"));
    expect(privateRoutes).toHaveLength(2);
    for (const [, table] of privateRoutes)
      expect(table.route).toEqual([expect.objectContaining({ cidr_block: "0.0.0.0/0", nat_gateway_id: `\${aws_nat_gateway.${nat[0]}.id}` })]);
    expect(onlyResource(json, "aws_nat_gateway")).toMatchObject({
      subnet_id: ref(n.publicSubnets[0]),
      depends_on: [expect.stringMatching(/^aws_internet_gateway\./)],
    });
    expect(onlyResource(json, "aws_eip")).toMatchObject({ domain: "vpc" });
  });

  test("gives each zone its own NAT gateway with one-per-az", () => {
    const { stack } = network({ natGateways: "one-per-az", azCount: 3 });
    const json = synthJson(stack);
    const nat = Object.keys(resourcesOf(json, "aws_nat_gateway")).sort();
    expect(nat).toHaveLength(3);
    const used = Object.entries(resourcesOf(json, "aws_route_table"))
      .filter(([id]) => id.includes("PrivateRoutes"))
      .map(([, table]) => table.route[0].nat_gateway_id)
      .sort();
    expect(used).toEqual(nat.map((id) => `\${aws_nat_gateway.${id}.id}`));
  });

  test("uses the given zones as they are", () => {
    const { stack, network: n } = network({ availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
    const json = synthJson(stack);
    expect(dataOf(json, "aws_availability_zones")).toEqual({});
    expect(n.privateSubnets.map((s) => tf(json, s).availability_zone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(n.publicSubnets.map((s) => tf(json, s).availability_zone)).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
  });

  test("adds free S3 and DynamoDB gateway endpoints to every private route table", () => {
    const { stack } = network();
    const json = synthJson(stack);
    const privateTables = Object.keys(resourcesOf(json, "aws_route_table"))
      .filter((id) => id.includes("PrivateRoutes"))
      .map((id) => `\${aws_route_table.${id}.id}`);
    const region = Object.keys(dataOf(json, "aws_region"))[0];
    const endpoints = Object.values(resourcesOf(json, "aws_vpc_endpoint"));
    expect(endpoints.map((e: any) => e.service_name).sort()).toEqual([
      `com.amazonaws.\${data.aws_region.${region}.name}.dynamodb`,
      `com.amazonaws.\${data.aws_region.${region}.name}.s3`,
    ]);
    for (const e of endpoints) expect(e).toMatchObject({ vpc_endpoint_type: "Gateway", route_table_ids: privateTables });
  });

  test("denies everything in the default security group", () => {
    const { stack } = network();
    const group = onlyResource(synthJson(stack), "aws_default_security_group");
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  test("adds interface endpoints reachable over HTTPS from the VPC only when asked", () => {
    // GIVEN / WHEN
    const { stack, network: n } = network({ interfaceEndpoints: true });
    // THEN
    const json = synthJson(stack);
    const interfaces = Object.values(resourcesOf(json, "aws_vpc_endpoint")).filter((e: any) => e.vpc_endpoint_type === "Interface");
    const region = Object.keys(dataOf(json, "aws_region"))[0];
    expect(interfaces.map((e: any) => e.service_name).sort()).toEqual(
      ["ecr.api", "ecr.dkr", "logs", "xray"].map((service) => `com.amazonaws.\${data.aws_region.${region}.name}.${service}`),
    );
    for (const e of interfaces) expect(e.subnet_ids).toEqual(n.privateSubnets.map((s) => ref(s)));
    const group = onlyResource(json, "aws_security_group");
    for (const e of interfaces)
      expect(e).toMatchObject({ private_dns_enabled: true, security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\./)] });
    expect(group.ingress).toBeUndefined();
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      cidr_ipv4: ref(n.vpc, "cidr_block"),
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
    });
  });

  test("adds no interface endpoint by default", () => {
    const { stack } = network();
    const json = synthJson(stack);
    expect(Object.values(resourcesOf(json, "aws_vpc_endpoint")).filter((e: any) => e.vpc_endpoint_type === "Interface")).toEqual([]);
    expect(resourcesOf(json, "aws_security_group")).toEqual({});
  });

  test("exposes the VPC id and the private subnet ids", () => {
    const { stack, network: n } = network();
    new TerraformOutput(stack, "probe", { value: { vpc: n.vpcId, subnets: n.privateSubnetIds } });
    expect(synthJson(stack).output.probe.value).toEqual({ vpc: ref(n.vpc), subnets: n.privateSubnets.map((s) => ref(s)) });
  });

  describe("validation", () => {
    test("fails when the CIDR is not a /16 to /20 IPv4 block", () => {
      const fix = 'use for example "10.0.0.0/16"';
      expect(() => network({ cidr: "10.0.0.0/8" })).toThrow(`Network.cidr must be an IPv4 CIDR block from /16 to /20, got "10.0.0.0/8": ${fix}`);
      expect(() => network({ cidr: "10.0.0.0/24" })).toThrow(`Network.cidr must be an IPv4 CIDR block from /16 to /20, got "10.0.0.0/24": ${fix}`);
      expect(() => network({ cidr: "300.0.0.0/16" })).toThrow(`Network.cidr must be an IPv4 CIDR block from /16 to /20, got "300.0.0.0/16": ${fix}`);
    });

    test("fails when the CIDR is an unresolved expression (the subnet layout is computed at synth time)", () => {
      const stack = newStack();
      expect(() => network({ cidr: stringVar(stack) }, stack)).toThrow(
        'Network.cidr must be known at synth time (the subnet layout is computed from it), got "an unresolved Terraform expression": pass a literal value',
      );
    });

    test("fails when the zone count is outside 2 to 6", () => {
      expect(() => network({ azCount: 1 })).toThrow("Network.azCount must be a whole number from 2 to 6, got 1: use at least two Availability Zones");
      expect(() => network({ azCount: 7 })).toThrow("Network.azCount must be a whole number from 2 to 6, got 7: use at least two Availability Zones");
    });

    test("fails when the zone count is an unresolved expression instead of creating no subnet", () => {
      const stack = newStack();
      expect(() => network({ azCount: numberVar(stack) }, stack)).toThrow(/Network\.azCount must be known at synth time/);
    });

    test("fails when the NAT gateway mode is unknown", () => {
      expect(() => network({ natGateways: "none" as any })).toThrow(
        'Network.natGateways must be one of "single", "one-per-az", got "none": use one of the allowed values',
      );
    });

    test("does not check an unresolved NAT gateway mode", () => {
      const stack = newStack();
      expect(() => network({ natGateways: stringVar(stack) as any }, stack)).not.toThrow();
    });

    test("fails when fewer than two zones are given", () => {
      expect(() => network({ availabilityZones: ["us-east-1a"] })).toThrow(
        'Network.availabilityZones must be a list of at least 2 item(s), got ["us-east-1a"]: list at least two Availability Zones',
      );
    });

    test("fails when a zone is given twice", () => {
      expect(() => network({ availabilityZones: ["us-east-1a", "us-east-1a"] })).toThrow(
        'Network.availabilityZones must be distinct zones, got ["us-east-1a","us-east-1a"]: remove the duplicates',
      );
    });

    test("fails when the zones are an unresolved expression", () => {
      const stack = newStack();
      const zones = new TerraformVariable(stack, "zones", { type: "list(string)" }).listValue;
      expect(() => network({ availabilityZones: zones }, stack)).toThrow(/Network\.availabilityZones must be known at synth time/);
    });
  });
});
