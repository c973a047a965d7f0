import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { AlbTarget, IpTargets } from "./private-link-targets";
import { IWebSocketVpcLink } from "./websocket-integration";
import { DEREGISTRATION_DELAY, HEALTH_CHECK_PATH, ELB_NAME, LOAD_BALANCER_SUBNET_IDS, PORT, VPC_LINK_NAME } from "./rules";
import { checkMinItems, checkPattern, checkRange, invalid, isUnresolved } from "./validation";

/** Properties of {@link PrivateLink}. */
export interface PrivateLinkProps {
  /** VPC of the NLB and its targets. */
  readonly vpcId: string;
  /** Subnets of the NLB: private subnets, one per Availability Zone. */
  readonly subnetIds: string[];
  /** What the NLB forwards to. */
  readonly target: IpTargets | AlbTarget;
  /** Name of the NLB: at most 32 letters, digits or hyphens. */
  readonly nlbName: string;
  /** Name of the target group: at most 32 letters, digits or hyphens. */
  readonly targetGroupName: string;
  /** Name of the VPC link. */
  readonly vpcLinkName: string;
  /**
   * Description of the VPC link.
   * @default - none
   */
  readonly vpcLinkDescription?: string;
  /**
   * Security groups of the NLB. Inbound rules are not evaluated for traffic
   * arriving through the VPC link (PrivateLink), so the NLB needs none for
   * API Gateway; targets should admit these groups.
   * @default - a new security group with no inbound rules and no outbound
   * rules either until {@link PrivateLink.connectTo} is called: the NLB
   * cannot reach its targets (traffic or health checks) before that, and a
   * synth fails when it is never called
   */
  readonly securityGroupIds?: string[];
  /**
   * Makes the NLB internal (no public address). API Gateway reaches an
   * internal NLB through the VPC link.
   * @default true
   */
  readonly internal?: boolean;
  /**
   * Port of the NLB listener.
   * @default - the target port
   */
  readonly listenerPort?: number;
  /**
   * Spreads requests over targets in every Availability Zone.
   * @default true
   */
  readonly crossZoneLoadBalancing?: boolean;
  /**
   * Protects the NLB from deletion.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * S3 bucket for NLB access logs (TLS listeners only log).
   * @default - no access logs
   */
  readonly accessLogsBucket?: string;
  /**
   * Tags of every resource.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * The private path from a WebSocket API to a backend: an internal Network
 * Load Balancer with a TCP listener and a target group (`ip` targets, or an
 * existing ALB through `target_type = "alb"`), and the v1 VPC link
 * (`aws_api_gateway_vpc_link`) on it, the only kind WebSocket APIs accept.
 */
export class PrivateLink extends Construct implements IWebSocketVpcLink {
  /** The NLB (`aws_lb`, id `Resource`). */
  public readonly nlb: Lb;
  public readonly listener: LbListener;
  public readonly targetGroup: LbTargetGroup;
  public readonly vpcLink: ApiGatewayVpcLink;
  /** The security group created for the NLB, when none was given. */
  public readonly securityGroup?: SecurityGroup;
  /** Security groups of the NLB: the sources targets must admit. */
  public readonly securityGroupIds: string[];
  public readonly vpcLinkId: string;
  public readonly vpcLinkKind = "api-gateway-v1" as const;
  public readonly listenerPort: number;
  public readonly targetPort: number;
  private connected = false;

  constructor(scope: Construct, id: string, props: PrivateLinkProps) {
    super(scope, id);
    validate(props);
    const target = props.target;
    this.targetPort = target.port;
    this.listenerPort = props.listenerPort ?? target.port;

    if (props.securityGroupIds === undefined) {
      this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
        name: `${props.nlbName}-nlb`,
        description: `NLB ${props.nlbName}: reached only through the API Gateway VPC link; no inbound rules`,
        vpcId: props.vpcId,
        tags: { ...props.tags, Name: `${props.nlbName}-nlb` },
        // No inline rules: Terraform removes AWS's default allow-all egress
        // rule, and connectTo adds the only egress the NLB needs.
      });
    }
    this.securityGroupIds = this.securityGroup ? [this.securityGroup.id] : props.securityGroupIds!;

    this.nlb = new Lb(this, "Resource", {
      name: props.nlbName,
      loadBalancerType: "network",
      internal: props.internal ?? true,
      subnets: props.subnetIds,
      securityGroups: this.securityGroupIds,
      // API Gateway's VPC link reaches the NLB through PrivateLink. With "on",
      // that traffic would need an inbound rule for addresses AWS does not
      // publish; AWS's setup guide for VPC links says to turn evaluation off.
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
      enableCrossZoneLoadBalancing: props.crossZoneLoadBalancing ?? true,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: props.accessLogsBucket ? { bucket: props.accessLogsBucket, enabled: true, prefix: props.nlbName } : undefined,
      tags: props.tags,
    });

    const hc = target.healthCheck ?? {};
    const hcProtocol = hc.protocol ?? "HTTP";
    this.targetGroup = new LbTargetGroup(this, "TargetGroup", {
      name: props.targetGroupName,
      port: target.port,
      protocol: "TCP",
      targetType: target.kind,
      vpcId: props.vpcId,
      deregistrationDelay: target.kind === "ip" ? String(target.deregistrationDelaySeconds ?? 30) : undefined,
      healthCheck: {
        enabled: true,
        protocol: hcProtocol,
        path: hcProtocol === "TCP" ? undefined : (hc.path ?? "/"),
        matcher: hcProtocol === "TCP" ? undefined : (hc.matcher ?? "200-399"),
        port: "traffic-port",
        interval: hc.intervalSeconds ?? 10,
        healthyThreshold: hc.healthyThreshold ?? 2,
        unhealthyThreshold: hc.unhealthyThreshold ?? 2,
      },
      tags: props.tags,
    });

    this.listener = new LbListener(this, "Listener", {
      loadBalancerArn: this.nlb.arn,
      port: this.listenerPort,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
      tags: props.tags,
    });

    if (target.kind === "alb") {
      new LbTargetGroupAttachment(this, "AlbAttachment", {
        targetGroupArn: this.targetGroup.arn,
        targetId: target.albArn,
        port: target.port,
        // An ALB can be registered only in a target group an NLB listener uses.
        dependsOn: [this.listener],
      });
    }

    this.vpcLink = new ApiGatewayVpcLink(this, "VpcLink", {
      name: props.vpcLinkName,
      description: props.vpcLinkDescription,
      targetArns: [this.nlb.arn],
      tags: props.tags,
    });
    this.vpcLinkId = this.vpcLink.id;

    this.node.addValidation({
      validate: () =>
        this.securityGroup && !this.connected
          ? [
              invalid(
                `PrivateLink ${this.node.path}`,
                "connected to its targets with connectTo when it creates its own security group",
                "a security group with no outbound rule",
                `call connectTo(<security group of the ${target.kind === "alb" ? "ALB" : "targets"}>) so the NLB can reach them on ${isUnresolved(this.targetPort) ? "the target port" : `port ${this.targetPort}`} (traffic and health checks), or give securityGroupIds whose rules you manage`,
              ).message,
            ]
          : [],
    });
  }

  /** DNS name of the NLB. */
  public get dnsName(): string {
    return this.nlb.dnsName;
  }

  /** `http://<nlb dns>:<listener port>`: the base of integration URLs. */
  public get baseUrl(): string {
    return `http://${this.nlb.dnsName}:${this.listenerPort}`;
  }

  /**
   * URL of a backend path through this link, for integrations:
   * `http://<nlb dns>:<listener port><path>`.
   */
  public urlFor(path: string): string {
    if (!isUnresolved(path) && !path.startsWith("/")) {
      throw invalid("PrivateLink.urlFor path", 'a path starting with "/"', path, `write "/${path}"`);
    }
    return `${this.baseUrl}${path}`;
  }

  /**
   * Lets the NLB reach a target security group on the target port (traffic
   * and health checks): an egress rule on the NLB's own group and an ingress
   * rule on the target group that admits only the NLB. Required when the
   * link created its own security group: that group has no outbound rule
   * until this is called.
   */
  public connectTo(targetSecurityGroupId: string, id = "Targets"): void {
    if (!this.securityGroup) {
      throw invalid(
        "PrivateLink.connectTo",
        "called on a link that created its own security group",
        "given securityGroupIds",
        "admit the given groups in the target's security group yourself",
      );
    }
    new VpcSecurityGroupEgressRule(this, `${id}Egress`, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: targetSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: this.targetPort,
      toPort: this.targetPort,
      description: "NLB to targets: traffic and health checks",
    });
    new VpcSecurityGroupIngressRule(this, `${id}Ingress`, {
      securityGroupId: targetSecurityGroupId,
      referencedSecurityGroupId: this.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: this.targetPort,
      toPort: this.targetPort,
      description: "From the API Gateway VPC link NLB only",
    });
    this.connected = true;
  }
}

function validate(props: PrivateLinkProps): void {
  ELB_NAME.check("PrivateLink.nlbName", props.nlbName);
  ELB_NAME.check("PrivateLink.targetGroupName", props.targetGroupName);
  VPC_LINK_NAME.check("PrivateLink.vpcLinkName", props.vpcLinkName);
  LOAD_BALANCER_SUBNET_IDS.check("PrivateLink.subnetIds", props.subnetIds);
  if (props.securityGroupIds !== undefined) {
    checkMinItems("PrivateLink.securityGroupIds", props.securityGroupIds, 1, "omit the setting to have a security group created");
  }
  PORT.with({ fix: "use the port the backend listens on" }).check("PrivateLink.target.port", props.target.port);
  PORT.check("PrivateLink.listenerPort", props.listenerPort);
  const hc = props.target.healthCheck;
  if (hc) {
    checkRange("PrivateLink.target.healthCheck.intervalSeconds", hc.intervalSeconds, 5, 300);
    checkRange("PrivateLink.target.healthCheck.healthyThreshold", hc.healthyThreshold, 2, 10);
    checkRange("PrivateLink.target.healthCheck.unhealthyThreshold", hc.unhealthyThreshold, 2, 10);
    HEALTH_CHECK_PATH.with({ fix: "write the health check path from the root" }).check("PrivateLink.target.healthCheck.path", hc.path);
    if (props.target.kind === "alb" && hc.protocol === "TCP") {
      throw invalid(
        "PrivateLink.target.healthCheck.protocol",
        '"HTTP" or "HTTPS" for an ALB target',
        hc.protocol,
        "NLB target groups of type alb support only HTTP(S) health checks",
      );
    }
  }
  if (props.target.kind === "ip") {
    DEREGISTRATION_DELAY.with({ fix: "pick a value in that range" }).check(
      "PrivateLink.target.deregistrationDelaySeconds",
      props.target.deregistrationDelaySeconds,
    );
  } else {
    checkPattern(
      "PrivateLink.target.albArn",
      props.target.albArn,
      /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/,
      "the ARN of an Application Load Balancer",
      "give the ARN of the ALB (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)",
    );
  }
}
