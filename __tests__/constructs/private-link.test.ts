import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { PrivateLink, PrivateLinkProps } from "../../constructs/private-link";
import { AlbTarget, IpTargets, PrivateLinkHealthCheck } from "../../constructs/private-link-targets";
import { newStack, onlyResource, resourcesOf, synthJson } from "../helpers";

const ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/chat-alb/0123456789abcdef";
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const numberVar = (stack: TerraformStack, id = "n") => new TerraformVariable(stack, id, { type: "number" }).numberValue;
const stringVar = (stack: TerraformStack, id = "s") => new TerraformVariable(stack, id, { type: "string" }).stringValue;
const listVar = (stack: TerraformStack, id = "l") => new TerraformVariable(stack, id, { type: "list(string)" }).listValue;

function props(overrides: Partial<PrivateLinkProps> = {}): PrivateLinkProps {
  return {
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    nlbName: "chat-nlb",
    targetGroupName: "chat-tg",
    vpcLinkName: "chat-vpc-link",
    target: { kind: "ip", port: 8080 },
    ...overrides,
  };
}

const link = (overrides: Partial<PrivateLinkProps> = {}, stack = newStack()) => ({ stack, link: new PrivateLink(stack, "link", props(overrides)) });
const ipTarget = (extra: Partial<IpTargets> = {}): IpTargets => ({ kind: "ip", port: 8080, ...extra });
const albTarget = (extra: Partial<AlbTarget> = {}): AlbTarget => ({ kind: "alb", port: 80, albArn: ALB_ARN, ...extra });
const withHealthCheck = (healthCheck: PrivateLinkHealthCheck) => props({ target: ipTarget({ healthCheck }) });

describe("PrivateLink", () => {
  test("creates an internal NLB that does not evaluate inbound rules for PrivateLink traffic", () => {
    // GIVEN / WHEN
    const { stack } = link();
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Lb, {
      name: "chat-nlb",
      load_balancer_type: "network",
      internal: true,
      subnets: ["subnet-a", "subnet-b"],
      enforce_security_group_inbound_rules_on_private_link_traffic: "off",
      enable_cross_zone_load_balancing: true,
      enable_deletion_protection: false,
    });
  });

  test("creates the v1 VPC link (aws_api_gateway_vpc_link) on the NLB and never an HTTP API (v2) VPC link", () => {
    const { stack, link: l } = link({ vpcLinkDescription: "to the chat backend" });
    const json = synthJson(stack);
    expect(tf(json, l.vpcLink)).toEqual({
      name: "chat-vpc-link",
      description: "to the chat backend",
      target_arns: [`\${aws_lb.${l.nlb.friendlyUniqueId}.arn}`],
    });
    expect(resourcesOf(json, "aws_apigatewayv2_vpc_link")).toEqual({});
    expect(l.vpcLinkKind).toBe("api-gateway-v1");
    expect(l.vpcLink).toBeInstanceOf(ApiGatewayVpcLink);
  });

  test("keeps the NLB under the id Resource", () => {
    expect(link().link.nlb.node.id).toBe("Resource");
  });

  test("sends TCP from the listener to an ip target group with HTTP health checks and a 30 s drain by default", () => {
    const { stack, link: l } = link();
    const json = synthJson(stack);
    expect(tf(json, l.targetGroup)).toEqual({
      name: "chat-tg",
      port: 8080,
      protocol: "TCP",
      target_type: "ip",
      vpc_id: "vpc-1",
      deregistration_delay: "30",
      health_check: {
        enabled: true,
        protocol: "HTTP",
        path: "/",
        matcher: "200-399",
        port: "traffic-port",
        interval: 10,
        healthy_threshold: 2,
        unhealthy_threshold: 2,
      },
    });
    expect(tf(json, l.listener)).toEqual({
      load_balancer_arn: `\${aws_lb.${l.nlb.friendlyUniqueId}.arn}`,
      port: 8080,
      protocol: "TCP",
      default_action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${l.targetGroup.friendlyUniqueId}.arn}` }],
    });
  });

  test("uses the given health check and drain time", () => {
    const { stack } = link({
      target: ipTarget({
        deregistrationDelaySeconds: 0,
        healthCheck: { path: "/health", matcher: "200", intervalSeconds: 30, healthyThreshold: 3, unhealthyThreshold: 4 },
      }),
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LbTargetGroup, {
      deregistration_delay: "0",
      health_check: {
        enabled: true,
        protocol: "HTTP",
        path: "/health",
        matcher: "200",
        port: "traffic-port",
        interval: 30,
        healthy_threshold: 3,
        unhealthy_threshold: 4,
      },
    });
  });

  test("sends no path or matcher with a TCP health check", () => {
    const { stack, link: l } = link({ target: ipTarget({ healthCheck: { protocol: "TCP" } }) });
    const healthCheck = tf(synthJson(stack), l.targetGroup).health_check;
    expect(healthCheck.protocol).toBe("TCP");
    expect(healthCheck.path).toBeUndefined();
    expect(healthCheck.matcher).toBeUndefined();
  });

  test("listens on the given port and keeps the target port for the targets", () => {
    const { stack, link: l } = link({ listenerPort: 80 });
    const json = synthJson(stack);
    expect(tf(json, l.listener).port).toBe(80);
    expect(tf(json, l.targetGroup).port).toBe(8080);
    expect([l.listenerPort, l.targetPort]).toEqual([80, 8080]);
  });

  test("forwards to an existing ALB through an alb target group it attaches the ALB to", () => {
    // GIVEN / WHEN
    const { stack, link: l } = link({ target: albTarget() });
    // THEN
    const json = synthJson(stack);
    const group = tf(json, l.targetGroup);
    expect(group).toMatchObject({ target_type: "alb", protocol: "TCP", port: 80 });
    expect(group.deregistration_delay).toBeUndefined();
    expect(onlyResource(json, "aws_lb_target_group_attachment")).toEqual({
      target_group_arn: `\${aws_lb_target_group.${l.targetGroup.friendlyUniqueId}.arn}`,
      target_id: ALB_ARN,
      port: 80,
      depends_on: [`aws_lb_listener.${l.listener.friendlyUniqueId}`],
    });
  });

  test("attaches nothing for ip targets (ECS registers the tasks)", () => {
    const { stack } = link();
    expect(resourcesOf(synthJson(stack), "aws_lb_target_group_attachment")).toEqual({});
  });

  test("creates a security group for the NLB without any inline rule (connectTo adds the only egress)", () => {
    const { stack, link: l } = link({ tags: { team: "chat" } });
    const json = synthJson(stack);
    const group = tf(json, l.securityGroup!);
    expect(group).toMatchObject({ name: "chat-nlb-nlb", vpc_id: "vpc-1", tags: { team: "chat", Name: "chat-nlb-nlb" } });
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
    expect(tf(json, l.nlb).security_groups).toEqual([`\${aws_security_group.${l.securityGroup!.friendlyUniqueId}.id}`]);
  });

  test("uses the given security groups instead of creating one", () => {
    const { stack, link: l } = link({ securityGroupIds: ["sg-given"] });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_security_group")).toEqual({});
    expect(tf(json, l.nlb).security_groups).toEqual(["sg-given"]);
  });

  test("applies access logs, deletion protection, cross-zone and internal settings", () => {
    const { stack } = link({ accessLogsBucket: "logs-bucket", deletionProtection: true, crossZoneLoadBalancing: false, internal: false });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Lb, {
      internal: false,
      enable_cross_zone_load_balancing: false,
      enable_deletion_protection: true,
      access_logs: { bucket: "logs-bucket", enabled: true, prefix: "chat-nlb" },
    });
  });

  describe("connectTo", () => {
    test("lets the NLB reach only the target security group on the target port, and the targets admit only the NLB", () => {
      // GIVEN
      const { stack, link: l } = link({ listenerPort: 80 });
      // WHEN
      l.connectTo("sg-tasks");
      // THEN
      const json = synthJson(stack);
      const nlbGroup = `\${aws_security_group.${l.securityGroup!.friendlyUniqueId}.id}`;
      expect(onlyResource(json, "aws_vpc_security_group_egress_rule")).toEqual({
        security_group_id: nlbGroup,
        referenced_security_group_id: "sg-tasks",
        ip_protocol: "tcp",
        from_port: 8080,
        to_port: 8080,
        description: "NLB to targets: traffic and health checks",
      });
      expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toEqual({
        security_group_id: "sg-tasks",
        referenced_security_group_id: nlbGroup,
        ip_protocol: "tcp",
        from_port: 8080,
        to_port: 8080,
        description: "From the API Gateway VPC link NLB only",
      });
    });

    test("fails at synth when the link created its own security group and connectTo was never called", () => {
      // GIVEN / WHEN
      const { stack } = link();
      // THEN
      expect(() => Testing.synth(stack, true)).toThrow(
        'PrivateLink test/link must be connected to its targets with connectTo when it creates its own security group, got "a security group with no outbound rule": call connectTo(<security group of the targets>) so the NLB can reach them on port 8080 (traffic and health checks), or give securityGroupIds whose rules you manage',
      );
    });

    test("fails at synth when the link to an ALB created its own security group and connectTo was never called", () => {
      const { stack } = link({ target: albTarget() });
      expect(() => Testing.synth(stack, true)).toThrow(
        /must be connected to its targets with connectTo .*: call connectTo\(<security group of the ALB>\) so the NLB can reach them on port 80 /,
      );
    });

    test("passes its validations once connected, or with given security groups", () => {
      const connected = link();
      connected.link.connectTo("sg-tasks");
      expect(() => Testing.synth(connected.stack, true)).not.toThrow();
      const alb = link({ target: albTarget() });
      alb.link.connectTo("sg-alb");
      expect(() => Testing.synth(alb.stack, true)).not.toThrow();
      expect(() => Testing.synth(link({ securityGroupIds: ["sg-given"] }).stack, true)).not.toThrow();
    });

    test("fails when the link uses given security groups", () => {
      const { link: l } = link({ securityGroupIds: ["sg-given"] });
      expect(() => l.connectTo("sg-tasks")).toThrow(
        'PrivateLink.connectTo must be called on a link that created its own security group, got "given securityGroupIds": admit the given groups in the target\'s security group yourself',
      );
    });
  });

  describe("urlFor", () => {
    test("builds http://<nlb dns>:<listener port><path>", () => {
      const stack = newStack();
      const l = new PrivateLink(stack, "link", props({ listenerPort: 80 }));
      new TerraformOutput(stack, "probe", { value: l.urlFor("/connect") });
      expect(synthJson(stack).output.probe.value).toBe(`http://\${aws_lb.${l.nlb.friendlyUniqueId}.dns_name}:80/connect`);
    });

    test('fails when the path does not start with "/"', () => {
      expect(() => link().link.urlFor("connect")).toThrow('PrivateLink.urlFor path must be a path starting with "/", got "connect": write "/connect"');
    });

    test("does not check an unresolved path", () => {
      const { stack, link: l } = link();
      expect(() => l.urlFor(stringVar(stack))).not.toThrow();
    });
  });

  describe("validation", () => {
    test("fails when the NLB name is longer than 32 characters or badly formed, naming the rule it breaks", () => {
      const long = "n".repeat(33);
      expect(() => link({ nlbName: long })).toThrow(
        `PrivateLink.nlbName must be 1 to 32 characters long, got "${long}": shorten it by 1 character(s): Elastic Load Balancing limits names to 32`,
      );
      expect(() => link({ nlbName: "chat_nlb" })).toThrow(
        'PrivateLink.nlbName must be made of letters, digits and hyphens only, got "chat_nlb": remove or replace "_"',
      );
    });

    test('fails when the NLB name starts with "internal-"', () => {
      expect(() => link({ nlbName: "internal-chat" })).toThrow(
        'PrivateLink.nlbName must be a name that does not start with "internal-", got "internal-chat": Elastic Load Balancing reserves that prefix',
      );
    });

    test("does not check an unresolved NLB name", () => {
      const stack = newStack();
      expect(() => link({ nlbName: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the target group name is longer than 32 characters or badly formed", () => {
      expect(() => link({ targetGroupName: "-tg" })).toThrow(
        'PrivateLink.targetGroupName must be a name that does not start or end with a hyphen, got "-tg": remove the leading or trailing hyphen',
      );
      expect(() => link({ targetGroupName: "internal-tg" })).toThrow(/^PrivateLink.targetGroupName must be a name that does not start with "internal-"/);
    });

    test("does not check an unresolved target group name", () => {
      const stack = newStack();
      expect(() => link({ targetGroupName: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the VPC link name is empty or longer than 255 characters", () => {
      expect(() => link({ vpcLinkName: "" })).toThrow('PrivateLink.vpcLinkName must be 1 to 255 characters, got "": give the VPC link a name');
      expect(() => link({ vpcLinkName: "v".repeat(256) })).toThrow(/^PrivateLink.vpcLinkName must be 1 to 255 characters/);
    });

    test("does not check an unresolved VPC link name", () => {
      const stack = newStack();
      expect(() => link({ vpcLinkName: stringVar(stack) }, stack)).not.toThrow();
    });

    test("fails when no subnet is given", () => {
      expect(() => link({ subnetIds: [] })).toThrow(
        "PrivateLink.subnetIds must be a list of at least 1 item(s), got []: give the NLB at least one subnet, one per Availability Zone",
      );
    });

    test("does not check unresolved subnets", () => {
      const stack = newStack();
      expect(() => link({ subnetIds: listVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the given security groups are an empty list", () => {
      expect(() => link({ securityGroupIds: [] })).toThrow(
        "PrivateLink.securityGroupIds must be a list of at least 1 item(s), got []: omit the setting to have a security group created",
      );
    });

    test("does not check unresolved security groups", () => {
      const stack = newStack();
      expect(() => link({ securityGroupIds: listVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the target port is outside 1 to 65535", () => {
      expect(() => link({ target: ipTarget({ port: 0 }) })).toThrow(
        "PrivateLink.target.port must be a whole number from 1 to 65535, got 0: use the port the backend listens on",
      );
      expect(() => link({ target: albTarget({ port: 65536 }) })).toThrow(
        "PrivateLink.target.port must be a whole number from 1 to 65535, got 65536: use the port the backend listens on",
      );
    });

    test("does not check an unresolved target port", () => {
      const stack = newStack();
      expect(() => link({ target: ipTarget({ port: numberVar(stack) }) }, stack)).not.toThrow();
    });

    test("fails when the listener port is outside 1 to 65535", () => {
      expect(() => link({ listenerPort: 70000 })).toThrow("PrivateLink.listenerPort must be a whole number from 1 to 65535, got 70000: use a TCP port");
    });

    test("does not check an unresolved listener port", () => {
      const stack = newStack();
      expect(() => link({ listenerPort: numberVar(stack) }, stack)).not.toThrow();
    });

    test("fails when the health check interval is outside 5 to 300 s", () => {
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ intervalSeconds: 4 }))).toThrow(
        "PrivateLink.target.healthCheck.intervalSeconds must be a whole number from 5 to 300, got 4: pick a value in that range",
      );
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ intervalSeconds: 301 }))).toThrow(
        /^PrivateLink.target.healthCheck.intervalSeconds must be a whole number from 5 to 300, got 301/,
      );
    });

    test("does not check an unresolved health check interval", () => {
      const stack = newStack();
      expect(() => new PrivateLink(stack, "link", withHealthCheck({ intervalSeconds: numberVar(stack) }))).not.toThrow();
    });

    test("fails when the healthy threshold is outside 2 to 10", () => {
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ healthyThreshold: 1 }))).toThrow(
        "PrivateLink.target.healthCheck.healthyThreshold must be a whole number from 2 to 10, got 1: pick a value in that range",
      );
    });

    test("does not check an unresolved healthy threshold", () => {
      const stack = newStack();
      expect(() => new PrivateLink(stack, "link", withHealthCheck({ healthyThreshold: numberVar(stack) }))).not.toThrow();
    });

    test("fails when the unhealthy threshold is outside 2 to 10", () => {
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ unhealthyThreshold: 11 }))).toThrow(
        "PrivateLink.target.healthCheck.unhealthyThreshold must be a whole number from 2 to 10, got 11: pick a value in that range",
      );
    });

    test("does not check an unresolved unhealthy threshold", () => {
      const stack = newStack();
      expect(() => new PrivateLink(stack, "link", withHealthCheck({ unhealthyThreshold: numberVar(stack) }))).not.toThrow();
    });

    test('fails when the health check path does not start with "/"', () => {
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ path: "health" }))).toThrow(
        'PrivateLink.target.healthCheck.path must be a path starting with "/", got "health": write the health check path from the root',
      );
      expect(() => new PrivateLink(newStack(), "link", withHealthCheck({ path: "/he alth" }))).toThrow(
        /^PrivateLink.target.healthCheck.path must be a path starting with "\/"/,
      );
    });

    test("does not check an unresolved health check path", () => {
      const stack = newStack();
      expect(() => new PrivateLink(stack, "link", withHealthCheck({ path: stringVar(stack) }))).not.toThrow();
    });

    test("fails when an ALB target has a TCP health check", () => {
      expect(() => link({ target: albTarget({ healthCheck: { protocol: "TCP" } }) })).toThrow(
        'PrivateLink.target.healthCheck.protocol must be "HTTP" or "HTTPS" for an ALB target, got "TCP": NLB target groups of type alb support only HTTP(S) health checks',
      );
    });

    test("does not check an unresolved health check protocol of an ALB target", () => {
      const stack = newStack();
      expect(() => link({ target: albTarget({ healthCheck: { protocol: stringVar(stack) as "TCP" } }) }, stack)).not.toThrow();
    });

    test("fails when the drain time is outside 0 to 3600 s", () => {
      expect(() => link({ target: ipTarget({ deregistrationDelaySeconds: 3601 }) })).toThrow(
        "PrivateLink.target.deregistrationDelaySeconds must be a whole number from 0 to 3600, got 3601: pick a value in that range",
      );
    });

    test("does not check an unresolved drain time", () => {
      const stack = newStack();
      link({ target: ipTarget({ deregistrationDelaySeconds: numberVar(stack) }) }, stack);
      expect(onlyResource(synthJson(stack), "aws_lb_target_group").deregistration_delay).toBe("${var.n}");
    });

    test("fails when the ALB ARN is not the ARN of an Application Load Balancer", () => {
      const nlbArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/chat-nlb/0123456789abcdef";
      expect(() => link({ target: albTarget({ albArn: nlbArn }) })).toThrow(
        `PrivateLink.target.albArn must be the ARN of an Application Load Balancer, got "${nlbArn}": give the ARN of the ALB (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)`,
      );
    });

    test("does not check an unresolved ALB ARN", () => {
      const stack = newStack();
      link({ target: albTarget({ albArn: stringVar(stack) }) }, stack);
      expect(onlyResource(synthJson(stack), "aws_lb_target_group_attachment").target_id).toBe("${var.s}");
    });
  });
});
