import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { AZ_COUNT, distinct, NAT_GATEWAYS, VPC_CIDR } from "./rules";
import { checkMinItems, invalid, isUnresolved } from "./validation";

/** What other constructs need of a network, new or existing. */
export interface INetwork {
  readonly vpcId: string;
  /** Private subnets, at least two in different Availability Zones. */
  readonly privateSubnetIds: string[];
}

/** How private subnets reach the internet. */
export type NatGatewayMode = "single" | "one-per-az";

/** Interface endpoints {@link Network} can add. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "xray"] as const;

/** Properties of {@link Network}. */
export interface NetworkProps {
  /** Name used in the `Name` tags. */
  readonly name: string;
  /**
   * IPv4 CIDR of the VPC, a /16 to /20 block.
   * @default "10.0.0.0/16"
   */
  readonly cidr?: string;
  /**
   * Availability Zones of the subnets (at least two).
   * @default - the first `azCount` zones of the region that need no opt-in, looked up at plan time
   */
  readonly availabilityZones?: string[];
  /**
   * How many Availability Zones to use when none are given, 2 to 6.
   * @default 2
   */
  readonly azCount?: number;
  /**
   * NAT gateways for the private subnets: one shared (cheaper, one zone's
   * outage cuts egress) or one per zone.
   * @default "single"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Interface endpoints (ECR, CloudWatch Logs, X-Ray) so image pulls, logs
   * and traces stay off the NAT gateway. Each costs per hour and zone.
   * @default false
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A VPC over two or more Availability Zones: public subnets with an internet
 * gateway and NAT gateway(s), private subnets for the workload, free gateway
 * endpoints for S3 and DynamoDB, and a default security group that allows
 * nothing.
 *
 * Private subnets still need a NAT gateway for this workload: the backend
 * calls the @connections API at `<api-id>.execute-api.<region>.amazonaws.com`,
 * which an `execute-api` interface endpoint would capture and answer only for
 * private APIs.
 */
export class Network extends Construct implements INetwork {
  public readonly vpc: Vpc;
  public readonly vpcId: string;
  public readonly privateSubnets: Subnet[] = [];
  public readonly publicSubnets: Subnet[] = [];
  public readonly privateSubnetIds: string[];
  public readonly natGatewayCount: number;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidr = props.cidr ?? "10.0.0.0/16";
    validate(cidr, props);
    const tags = props.tags ?? {};
    const name = (suffix: string) => ({ ...tags, Name: `${props.name}-${suffix}` });

    let zones: string[];
    let zoneCount: number;
    if (props.availabilityZones) {
      zones = props.availabilityZones;
      zoneCount = props.availabilityZones.length;
    } else {
      zoneCount = props.azCount ?? 2;
      const lookup = new DataAwsAvailabilityZones(this, "Zones", {
        state: "available",
        filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      });
      zones = Array.from({ length: zoneCount }, (_, i) => Fn.element(lookup.names, i));
    }

    this.vpc = new Vpc(this, "Resource", {
      cidrBlock: cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: name("vpc"),
    });
    this.vpcId = this.vpc.id;

    // CKV2_AWS_12: the default security group allows nothing.
    new DefaultSecurityGroup(this, "DefaultSecurityGroup", { vpcId: this.vpc.id, tags: name("default-deny") });

    const igw = new InternetGateway(this, "InternetGateway", { vpcId: this.vpc.id, tags: name("igw") });
    const publicRoutes = new RouteTable(this, "PublicRoutes", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: name("public"),
    });

    // Private subnets take /20s from the bottom of a /16 (4 bits more than
    // the VPC), public ones small blocks from the top (8 bits more).
    const prefix = Number(cidr.split("/")[1]);
    const publicBits = Math.min(8, 28 - prefix);
    this.natGatewayCount = (props.natGateways ?? "single") === "single" ? 1 : zoneCount;
    const natGateways: NatGateway[] = [];
    for (let i = 0; i < zoneCount; i++) {
      const pub = new Subnet(this, `PublicSubnet${i + 1}`, {
        vpcId: this.vpc.id,
        availabilityZone: zones[i],
        cidrBlock: Fn.cidrsubnet(cidr, publicBits, 2 ** publicBits - 1 - i),
        mapPublicIpOnLaunch: false,
        tags: name(`public-${i + 1}`),
      });
      new RouteTableAssociation(this, `PublicSubnet${i + 1}Routes`, { subnetId: pub.id, routeTableId: publicRoutes.id });
      this.publicSubnets.push(pub);
      if (i < this.natGatewayCount) {
        const eip = new Eip(this, `NatAddress${i + 1}`, { domain: "vpc", tags: name(`nat-${i + 1}`) });
        natGateways.push(
          new NatGateway(this, `NatGateway${i + 1}`, {
            allocationId: eip.id,
            subnetId: pub.id,
            tags: name(`nat-${i + 1}`),
            dependsOn: [igw],
          }),
        );
      }
    }

    const privateRouteTables: RouteTable[] = [];
    for (let i = 0; i < zoneCount; i++) {
      const priv = new Subnet(this, `PrivateSubnet${i + 1}`, {
        vpcId: this.vpc.id,
        availabilityZone: zones[i],
        cidrBlock: Fn.cidrsubnet(cidr, 4, i),
        tags: name(`private-${i + 1}`),
      });
      const routes = new RouteTable(this, `PrivateRoutes${i + 1}`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[Math.min(i, natGateways.length - 1)].id }],
        tags: name(`private-${i + 1}`),
      });
      new RouteTableAssociation(this, `PrivateSubnet${i + 1}Routes`, { subnetId: priv.id, routeTableId: routes.id });
      this.privateSubnets.push(priv);
      privateRouteTables.push(routes);
    }
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);

    const region = new DataAwsRegion(this, "Region");
    for (const service of ["s3", "dynamodb"]) {
      new VpcEndpoint(this, `${service === "s3" ? "S3" : "DynamoDb"}Endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region.name}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRouteTables.map((r) => r.id),
        tags: name(`${service}-endpoint`),
      });
    }

    if (props.interfaceEndpoints) {
      const endpointSg = new SecurityGroup(this, "EndpointSecurityGroup", {
        name: `${props.name}-endpoints`,
        description: "Interface endpoints: HTTPS from the VPC",
        vpcId: this.vpc.id,
        tags: name("endpoints"),
      });
      new VpcSecurityGroupIngressRule(this, "EndpointHttpsFromVpc", {
        securityGroupId: endpointSg.id,
        cidrIpv4: this.vpc.cidrBlock,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "HTTPS from inside the VPC to the interface endpoints",
      });
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        new VpcEndpoint(this, `Endpoint-${service}`, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region.name}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [endpointSg.id],
          tags: name(`${service.replace(".", "-")}-endpoint`),
        });
      }
    }
  }
}

function validate(cidr: string, props: NetworkProps): void {
  // The subnet layout is computed at synth time.
  for (const [setting, value] of [
    ["Network.cidr", cidr],
    ["Network.azCount", props.azCount],
    ["Network.availabilityZones", props.availabilityZones],
  ] as const) {
    if (isUnresolved(value))
      throw invalid(setting, "known at synth time (the subnet layout is computed from it)", "an unresolved Terraform expression", "pass a literal value");
  }
  VPC_CIDR.check("Network.cidr", cidr);
  AZ_COUNT.with({ fix: "use at least two Availability Zones" }).check("Network.azCount", props.azCount);
  NAT_GATEWAYS.check("Network.natGateways", props.natGateways);
  if (props.availabilityZones) {
    checkMinItems("Network.availabilityZones", props.availabilityZones, 2, "list at least two Availability Zones");
    distinct("zones").check("Network.availabilityZones", props.availabilityZones);
  }
}
