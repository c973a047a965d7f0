import { DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcEndpointsCommand, RouteTable } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { some, VerifyContext } from "./context";
import { unreadable } from "./control-api";
import { fail, HopResult, pass, skip, warn } from "./report";

/**
 * `callback-path`: the backend answers clients by calling the @connections
 * API at `<api-id>.execute-api.<region>.amazonaws.com`, a public endpoint.
 * From private subnets that takes a default route to a NAT gateway (or, with
 * a public IP, to an internet gateway). And an `execute-api` interface VPC
 * endpoint with private DNS in the VPC captures every *.execute-api host
 * there and serves only private APIs: the backend's calls get 403 Forbidden
 * (AWS Knowledge Center, "Why do I get an HTTP 403 Forbidden error when I
 * connect to my API Gateway APIs from a VPC?":
 * https://repost.aws/knowledge-center/api-gateway-vpc-connections).
 *
 * AWS API reference (EC2): DescribeSubnets, DescribeRouteTables (filters
 * association.subnet-id, association.main), DescribeNatGateways (State
 * pending | failed | available | deleting | deleted, FailureMessage),
 * DescribeVpcEndpoints (filters vpc-id, service-name; PrivateDnsEnabled):
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html
 */
export async function checkCallbackPath(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  let subnets: string[] | undefined = [...(target.ecs?.subnets ?? [])];
  if (!subnets.length) subnets = seen.service?.networkConfiguration?.awsvpcConfiguration?.subnets;
  let from = "the backend's subnets";
  const publicIp = seen.service?.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === "ENABLED";
  const ec2 = aws.ec2();
  try {
    if (!subnets?.length && seen.nlbArns?.length) {
      const lbs = (await aws.elbv2().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: seen.nlbArns }))).LoadBalancers ?? [];
      subnets = lbs.flatMap((lb) => (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean));
      from = "the NLB's subnets (the backend's are not known; it usually shares them)";
    }
    if (!subnets?.length) return skip("callback-path", "not checked: the backend's subnets are not known (no ECS service found, no NLB)");
    subnets = [...new Set(subnets)].sort();
    const described = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets }))).Subnets ?? [];
    const vpcId = described[0]?.VpcId;
    if (!vpcId) return fail("callback-path", `subnets ${some(subnets)} do not exist`, "they were deleted", `deploy again (${ctx.redeploy})`);
    const associated = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: subnets }] }))).RouteTables ?? [];
    const main = (
      await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpcId] },
            { Name: "association.main", Values: ["true"] },
          ],
        }),
      )
    ).RouteTables?.[0];
    const tableOf = (subnet: string): RouteTable | undefined => associated.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet)) ?? main;

    const problems: string[] = [];
    const unclear: string[] = [];
    const nats = new Set<string>();
    const via: string[] = [];
    for (const subnet of subnets) {
      const table = tableOf(subnet);
      const route = (table?.Routes ?? []).find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
      if (!route) {
        problems.push(`${subnet} has no default route (route table ${table?.RouteTableId ?? "none"})`);
      } else if (route.State === "blackhole") {
        problems.push(
          `${subnet}'s default route is a blackhole (its target ${route.NatGatewayId ?? route.GatewayId ?? route.NetworkInterfaceId ?? "?"} is gone)`,
        );
      } else if (route.NatGatewayId) {
        nats.add(route.NatGatewayId);
        via.push(`${subnet} -> ${route.NatGatewayId}`);
      } else if (route.GatewayId?.startsWith("igw-")) {
        if (publicIp) via.push(`${subnet} -> ${route.GatewayId} (tasks with public IPs)`);
        else problems.push(`${subnet} routes 0.0.0.0/0 to the internet gateway ${route.GatewayId}, but the tasks have no public IP`);
      } else {
        unclear.push(
          `${subnet} -> ${route.TransitGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ?? route.VpcPeeringConnectionId ?? route.GatewayId ?? "?"}`,
        );
      }
    }
    if (nats.size) {
      const gateways = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [...nats] }))).NatGateways ?? [];
      for (const id of nats) {
        const g = gateways.find((x) => x.NatGatewayId === id);
        if (!g) problems.push(`NAT gateway ${id} does not exist`);
        else if (g.State !== "available") problems.push(`NAT gateway ${id} is ${g.State}${g.FailureMessage ? `: ${g.FailureMessage}` : ""}`);
      }
    }
    const region = target.region;
    const endpoints =
      (
        await ec2.send(
          new DescribeVpcEndpointsCommand({
            Filters: [
              { Name: "vpc-id", Values: [vpcId] },
              { Name: "service-name", Values: [`com.amazonaws.${region}.execute-api`] },
            ],
          }),
        )
      ).VpcEndpoints ?? [];
    const capturing = endpoints.filter(
      (e) => e.VpcEndpointType !== "Gateway" && e.PrivateDnsEnabled && !["deleted", "deleting", "rejected", "failed"].includes(String(e.State).toLowerCase()),
    );
    const host = `${target.apiId}.execute-api.${region}.amazonaws.com`;
    if (capturing.length) {
      return fail(
        "callback-path",
        `${some(capturing.map((e) => e.VpcEndpointId!))} (execute-api interface endpoint, private DNS on) in ${vpcId} captures ${host}: the backend's @connections calls get 403 Forbidden`,
        "an interface endpoint with private DNS answers for every *.execute-api host in its VPC and serves private APIs only",
        `turn its private DNS off (aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${capturing[0].VpcEndpointId} --no-private-dns-enabled) if nothing in the VPC calls private APIs by their execute-api names; else run the backend in a VPC without it`,
      );
    }
    if (problems.length) {
      return fail(
        "callback-path",
        `${from}: ${some(problems, 3)}`,
        `the backend cannot reach ${host}: messages it sends through @connections never arrive (and pulling a public image fails too)`,
        "route 0.0.0.0/0 of the private subnets to an available NAT gateway (the chat stack's own network has one: chat.network.natGateways)",
      );
    }
    const emulated = target.local ? " (the emulator's network; npm run local's @connections is on loopback)" : "";
    const seenText = `${from} ${some(via, 3)}${nats.size ? " (available)" : ""}; no execute-api interface endpoint with private DNS in ${vpcId}${emulated}`;
    if (unclear.length) {
      return warn(
        "callback-path",
        `${seenText}; default routes through ${some(unclear, 3)}`,
        "a route through a transit gateway, appliance or peering: whether it reaches the internet cannot be read here",
        "make sure that path reaches the public internet (or an egress proxy allowing execute-api)",
      );
    }
    return pass("callback-path", seenText);
  } catch (e) {
    return unreadable("callback-path", e, "ec2:DescribeSubnets, ec2:DescribeRouteTables, ec2:DescribeNatGateways and ec2:DescribeVpcEndpoints");
  }
}
