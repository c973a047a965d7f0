import { GetVpcLinkCommand } from "@aws-sdk/client-api-gateway";
import { DescribeServicesCommand, DescribeTasksCommand, ListClustersCommand, ListServicesCommand, ListTasksCommand, Service, Task } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  TargetGroup,
  TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { errorText, isNotFound } from "./aws";
import { ago, some, VerifyContext } from "./context";
import { unreadable } from "./control-api";
import { fail, HopResult, pass, skip, warn } from "./report";

/**
 * The private path: the v1 VPC link (`vpc-link`), the NLB's target groups and
 * their targets' health (`targets`), and the ECS service behind them
 * (`service`).
 *
 * AWS API reference: API Gateway GetVpcLink (status AVAILABLE | PENDING |
 * DELETING | FAILED, statusMessage:
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetVpcLink.html);
 * Elastic Load Balancing DescribeListeners, DescribeTargetGroups,
 * DescribeTargetHealth (TargetHealth State and Reason codes:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html);
 * ECS DescribeServices, ListTasks, DescribeTasks (stoppedReason, stopCode,
 * containers' reason: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html).
 */

/** `vpc-link`: every v1 VPC link the integrations use is AVAILABLE. */
export async function checkVpcLink(ctx: VerifyContext): Promise<HopResult> {
  const { aws, seen } = ctx;
  if (!seen.integrations) return skip("vpc-link", "not checked: the routes hop could not read the integrations");
  const ids = [...new Set(seen.integrations.filter((i) => i.ConnectionType === "VPC_LINK" && i.ConnectionId).map((i) => i.ConnectionId!))];
  if (ids.length === 0) return skip("vpc-link", "no integration of the API goes through a VPC link");
  const seenLinks: string[] = [];
  const nlbs: string[] = [];
  for (const id of ids) {
    let link;
    try {
      link = await aws.apigateway().send(new GetVpcLinkCommand({ vpcLinkId: id }));
    } catch (e) {
      if (isNotFound(e)) {
        return fail(
          "vpc-link",
          `VPC link ${id}, which the integrations use, does not exist (${errorText(e)})`,
          "it was deleted, or the integration names a VPC link of another kind (WebSocket APIs take only v1 VPC links, aws_api_gateway_vpc_link)",
          `deploy again (${ctx.redeploy})`,
        );
      }
      return unreadable("vpc-link", e, "apigateway:GET on the VPC link");
    }
    const label = `VPC link ${link.name ?? id} (${id})`;
    const message = link.statusMessage ? `: ${link.statusMessage}` : "";
    if (link.status === "PENDING") {
      return fail(
        "vpc-link",
        `${label} is PENDING${message}`,
        "a new v1 VPC link takes several minutes to become AVAILABLE (API Gateway creates a VPC endpoint service on the NLB); until then every integration through it fails with 500",
        "wait a few minutes, then run verify again",
      );
    }
    if (link.status === "FAILED") {
      return fail(
        "vpc-link",
        `${label} FAILED${message}`,
        "API Gateway could not link the NLB (the status message says why: a wrong or deleted NLB, an NLB that is not internal-ready, or a missing permission of the caller that created it)",
        "fix what the message names, then replace the link: terraform apply -replace=<its aws_api_gateway_vpc_link address> (a cdktf stack: in cdktf.out/stacks/<stack>, through node scripts/terraform-env.js)",
      );
    }
    if (link.status !== "AVAILABLE") {
      return fail("vpc-link", `${label} is ${link.status}${message}`, "the link is being deleted", `deploy again (${ctx.redeploy})`);
    }
    seenLinks.push(`${label} AVAILABLE`);
    nlbs.push(...(link.targetArns ?? []));
  }
  seen.nlbArns = [...new Set(nlbs)];
  return pass("vpc-link", `${seenLinks.join(", ")}, targeting ${some(seen.nlbArns.map(shortArn))}`);
}

/** Reasons of unhealthy targets, and what to do about each (DescribeTargetHealth's Reason codes). */
const REASONS: Record<string, { cause: string; fix: string }> = {
  "Target.ResponseCodeMismatch": {
    cause: "the health check path answered a status code the target group does not accept",
    fix: "make the backend answer GET <health check path> with 200 (chat.backend.healthCheckPath, the modules' health_check_path)",
  },
  "Target.Timeout": {
    cause: "the health check got no answer in time: the target's security group does not admit the NLB's, or nothing listens on the port",
    fix: "admit the NLB's security group on the target port in the tasks' group, and make the container listen on that port (HTTP_PORT)",
  },
  "Target.FailedHealthChecks": {
    cause: "the target refused or reset the health check connection: nothing listens on the target group's port",
    fix: "make the container listen on the target group's port (HTTP_PORT, container_port), then wait for the checks",
  },
  "Target.NotInUse": {
    cause: "the target group is not used by a listener of the NLB, or the target's Availability Zone is not one the NLB serves",
    fix: "register targets in the NLB's subnets' zones, and keep the listener forwarding to this target group",
  },
  "Target.NotRegistered": { cause: "the target is not registered", fix: "register it (ECS does for its tasks)" },
  "Target.InvalidState": { cause: "the target is stopped or terminated", fix: "start it, or let ECS replace the task" },
  "Target.IpUnusable": { cause: "the IP address cannot be used as a target (it belongs to a load balancer)", fix: "register the backend's own address" },
  "Target.HealthCheckDisabled": { cause: "health checks are off for the target group", fix: "turn health checks on" },
  "Elb.InternalError": { cause: "Elastic Load Balancing had an internal error checking the target", fix: "wait and run verify again" },
};

/**
 * `targets`: the target groups the NLB's listeners forward to (the stack's
 * when the VPC link hop could not say) and their targets' health.
 */
export async function checkTargets(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  const elb = aws.elbv2();
  let arns: string[] = [];
  try {
    for (const lb of seen.nlbArns ?? []) {
      const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb }))).Listeners ?? [];
      for (const l of listeners)
        for (const a of l.DefaultActions ?? []) {
          if (a.TargetGroupArn) arns.push(a.TargetGroupArn);
          for (const g of a.ForwardConfig?.TargetGroups ?? []) if (g.TargetGroupArn) arns.push(g.TargetGroupArn);
        }
    }
  } catch (e) {
    return unreadable("targets", e, "elasticloadbalancing:DescribeListeners");
  }
  arns = [...new Set(arns.length ? arns : (target.targetGroupArns ?? []))];
  if (arns.length === 0) {
    return seen.nlbArns?.length
      ? fail(
          "targets",
          `no listener of ${some(seen.nlbArns.map(shortArn))} forwards to a target group`,
          "the NLB's listener was deleted or changed",
          `deploy again (${ctx.redeploy})`,
        )
      : skip("targets", "not checked: no NLB is known (see the vpc-link hop)");
  }
  let groups: TargetGroup[];
  const health = new Map<string, TargetHealthDescription[]>();
  try {
    groups = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns }))).TargetGroups ?? [];
    for (const g of groups)
      health.set(g.TargetGroupArn!, (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions ?? []);
  } catch (e) {
    if (isNotFound(e))
      return fail("targets", `target group ${some(arns.map(shortArn))} does not exist (${errorText(e)})`, "it was deleted", `deploy again (${ctx.redeploy})`);
    return unreadable("targets", e, "elasticloadbalancing:DescribeTargetGroups and DescribeTargetHealth");
  }
  seen.targetGroups = groups;
  const lines: string[] = [];
  let worst: "PASS" | "WARN" | "FAIL" = "PASS";
  let cause = "";
  let fix = "";
  for (const g of groups) {
    const targets = health.get(g.TargetGroupArn!) ?? [];
    const name = `${g.TargetGroupName} (${g.TargetType}, port ${g.Port}${g.HealthCheckPath ? `, health check ${g.HealthCheckPath}` : ""})`;
    const label = (t: TargetHealthDescription) => `${shortTarget(t.Target?.Id ?? "?")}:${t.Target?.Port ?? g.Port}`;
    const healthy = targets.filter((t) => t.TargetHealth?.State === "healthy");
    const starting = targets.filter((t) => t.TargetHealth?.State === "initial" || t.TargetHealth?.State === "draining");
    const bad = targets.filter((t) => !healthy.includes(t) && !starting.includes(t));
    if (targets.length === 0) {
      worst = "FAIL";
      lines.push(`${name} has no targets`);
      cause = target.local
        ? "npm run local registers its --backend as the target group's target (the emulator runs no tasks to register); it was started without --backend, or the target was deregistered"
        : g.TargetType === "alb"
          ? "the ALB is not registered in the target group (its aws_lb_target_group_attachment)"
          : "the ECS service registers its tasks' IPs, and no task runs (see the service hop)";
      fix = target.local
        ? "restart npm run local with --backend http://127.0.0.1:<port>"
        : g.TargetType === "alb"
          ? `deploy again (${ctx.redeploy})`
          : "make the service's tasks run (the service hop says why they stop)";
      continue;
    }
    const describe = (t: TargetHealthDescription) =>
      `${label(t)} ${t.TargetHealth?.State}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason}${t.TargetHealth.Description ? `: ${t.TargetHealth.Description}` : ""})` : ""}`;
    if (healthy.length === targets.length) {
      lines.push(`${name}: ${healthy.length} of ${targets.length} healthy (${some(healthy.map(label))})`);
      continue;
    }
    lines.push(`${name}: ${healthy.length} of ${targets.length} healthy; ${some([...bad, ...starting].map(describe), 3)}`);
    const reason = bad[0]?.TargetHealth?.Reason ?? starting[0]?.TargetHealth?.Reason ?? "";
    const known = REASONS[reason];
    if (healthy.length === 0 && bad.length > 0) {
      worst = "FAIL";
      cause = known?.cause ?? `the targets are ${bad[0].TargetHealth?.State}`;
      fix = known?.fix ?? "read the reason above; the service hop shows the tasks";
    } else if (worst !== "FAIL") {
      worst = "WARN";
      cause =
        bad.length > 0
          ? `some targets are unhealthy: ${known?.cause ?? bad[0].TargetHealth?.State}`
          : "targets are being registered or drained (Elb.InitialHealthChecking, Target.DeregistrationInProgress)";
      fix = bad.length > 0 ? (known?.fix ?? "see the reason above") : "wait a minute and run verify again";
    }
  }
  const seenText = lines.join("; ") + (target.local && worst === "PASS" ? " (as the emulator reports them: moto runs no health checks)" : "");
  if (worst === "FAIL") return fail("targets", seenText, cause, fix);
  if (worst === "WARN") return warn("targets", seenText, cause, fix);
  return pass("targets", seenText);
}

/** `service`: the ECS service behind the target group runs its desired count; why its tasks stop. */
export async function checkService(ctx: VerifyContext): Promise<HopResult> {
  const { target, aws, seen } = ctx;
  const ecs = aws.ecs();
  const groups = seen.targetGroups ?? [];
  if (groups.length > 0 && groups.every((g) => g.TargetType === "alb")) {
    return skip("service", "the target group forwards to your ALB (websocket-alb): the service behind it is yours; the targets hop shows the ALB's health");
  }
  let service: Service | undefined;
  try {
    if (target.ecs) {
      const r = await ecs.send(new DescribeServicesCommand({ cluster: target.ecs.cluster, services: [target.ecs.service] }));
      service = r.services?.[0];
      if (!service || service.status === "INACTIVE") {
        return fail(
          "service",
          `ECS service ${target.ecs.service} in cluster ${target.ecs.cluster} does not exist${service ? " (INACTIVE)" : r.failures?.[0]?.reason ? ` (${r.failures[0].reason})` : ""}`,
          "it was deleted outside Terraform",
          `deploy again (${ctx.redeploy})`,
        );
      }
    } else {
      const arns = [...new Set(groups.map((g) => g.TargetGroupArn!).concat(target.targetGroupArns ?? []))];
      if (arns.length === 0) return skip("service", "not checked: no target group is known (see the targets hop), so its service cannot be found");
      service = await findServiceByTargetGroup(ctx, arns);
      if (!service) {
        return skip(
          "service",
          `no ECS service in ${target.region} uses the target group (looked through the region's clusters): if the backend is not on ECS, the targets hop covers it`,
        );
      }
    }
  } catch (e) {
    return unreadable("service", e, "ecs:DescribeServices (and ecs:ListClusters, ecs:ListServices to find it)");
  }
  seen.service = service;
  const name = `ECS service ${service.serviceName} (cluster ${shortArn(service.clusterArn ?? "")})`;
  if (target.local) {
    return skip(
      "service",
      `not shown by the emulator: moto runs no ECS tasks, so running count, events and stopped tasks cannot be shown (${name} exists, desired ${service.desiredCount}; npm run local sends VPC-link requests to --backend instead)`,
    );
  }
  const desired = service.desiredCount ?? 0;
  const running = service.runningCount ?? 0;
  const now = ctx.now();
  const events = (service.events ?? []).slice(0, 3).map((e) => `${e.message} (${ago(e.createdAt ?? now, now)})`);
  const primary = service.deployments?.find((d) => d.status === "PRIMARY");
  if (desired === 0) {
    return fail(
      "service",
      `${name} has a desired count of 0`,
      "the service was scaled to zero",
      "set the desired count (chat.backend.desiredCount) and deploy again",
    );
  }
  if (running >= desired && primary?.rolloutState !== "FAILED") {
    return pass("service", `${name}: ${running} of ${desired} tasks running${events[0] ? `; latest event: ${events[0]}` : ""}`);
  }
  let stopped: Task[] = [];
  try {
    const arns =
      (await ecs.send(new ListTasksCommand({ cluster: service.clusterArn, serviceName: service.serviceName, desiredStatus: "STOPPED", maxResults: 5 })))
        .taskArns ?? [];
    if (arns.length) stopped = (await ecs.send(new DescribeTasksCommand({ cluster: service.clusterArn, tasks: arns }))).tasks ?? [];
  } catch (e) {
    return unreadable("service", e, "ecs:ListTasks and ecs:DescribeTasks");
  }
  stopped.sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
  const reasons = stopped.map((t) => {
    const containers = (t.containers ?? []).filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0));
    const detail = containers.map(
      (c) => `container ${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}${c.reason && c.exitCode !== undefined ? ` (exit code ${c.exitCode})` : ""}`,
    );
    return `task ${shortArn(t.taskArn ?? "")} stopped ${t.stoppedAt ? ago(t.stoppedAt, now) : ""}: ${t.stoppedReason ?? "no reason given"}${t.stopCode ? ` [${t.stopCode}]` : ""}${detail.length ? `; ${detail.join("; ")}` : ""}`;
  });
  const text = `${name}: ${running} of ${desired} tasks running${primary?.rolloutState === "FAILED" ? `, rollout FAILED (${primary.rolloutStateReason})` : ""}; ${reasons.length ? some(reasons, 2) : "no stopped task recorded"}${events.length ? `; latest events: ${events.join(" | ")}` : ""}`;
  const { cause, fix } = stoppedCause(stopped, ctx);
  return running === 0 || primary?.rolloutState === "FAILED" ? fail("service", text, cause, fix) : warn("service", text, cause, fix);
}

/** Why tasks stop, from their stoppedReason, stopCode and containers' reasons. */
export function stoppedCause(stopped: readonly Task[], ctx: VerifyContext): { cause: string; fix: string } {
  const all = stopped.flatMap((t) => [t.stoppedReason ?? "", t.stopCode ?? "", ...(t.containers ?? []).map((c) => c.reason ?? "")]).join("\n");
  if (/CannotPullContainerError|pull image manifest|ResourceInitializationError: unable to pull/i.test(all)) {
    return {
      cause:
        "image pull: the task cannot pull its image (no route to ECR from the private subnets, a missing ECR permission of the execution role, or an image tag that does not exist)",
      fix: "check the image-build hop (was the image pushed?) and the callback-path hop (a NAT gateway route); the execution role needs ecr:GetAuthorizationToken and ecr:BatchGetImage",
    };
  }
  if (/ResourceInitializationError/i.test(all)) {
    return {
      cause: "the task could not start its resources (secrets, log configuration or ENI): the stopped reason names which",
      fix: "read the stopped reason above; the execution role needs every permission it names",
    };
  }
  if (/ELB health checks|health checks? failed/i.test(all)) {
    return {
      cause: "health check: the NLB's health checks failed and ECS replaced the task",
      fix: "see the targets hop: the backend must answer the health check path on its port",
    };
  }
  if (/EssentialContainerExited|Essential container in task exited/i.test(all)) {
    return {
      cause: "essential container exited: the backend process ended (a crash at start, a missing table or variable)",
      fix: "read the container's log (the backend_log_group_name output; aws logs tail <group> --since 1h)",
    };
  }
  if (stopped.length === 0) {
    return {
      cause: "no task has stopped yet: tasks are still starting, or cannot be placed (the events say: subnets, capacity, Fargate quota)",
      fix: "read the latest events above; wait a few minutes after a deploy",
    };
  }
  return { cause: "the stopped reasons above", fix: `fix what they name, then deploy again (${ctx.redeploy})` };
}

/** The ECS service whose load balancers use one of the target groups (ListClusters, ListServices, DescribeServices). */
async function findServiceByTargetGroup(ctx: VerifyContext, targetGroupArns: string[]): Promise<Service | undefined> {
  if (targetGroupArns.length === 0) return undefined;
  const ecs = ctx.aws.ecs();
  const clusters: string[] = [];
  let token: string | undefined;
  // A bounded look: 3 pages of clusters, 3 pages of services each.
  for (let i = 0; i < 3; i++) {
    const r = await ecs.send(new ListClustersCommand({ nextToken: token }));
    clusters.push(...(r.clusterArns ?? []));
    token = r.nextToken;
    if (!token) break;
  }
  for (const cluster of clusters) {
    let next: string | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await ecs.send(new ListServicesCommand({ cluster, nextToken: next }));
      const arns = r.serviceArns ?? [];
      for (let j = 0; j < arns.length; j += 10) {
        const services = (await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(j, j + 10) }))).services ?? [];
        const found = services.find((s) => (s.loadBalancers ?? []).some((lb) => lb.targetGroupArn && targetGroupArns.includes(lb.targetGroupArn)));
        if (found) return found;
      }
      next = r.nextToken;
      if (!next) break;
    }
  }
  return undefined;
}

/** The last part of an ARN (`.../name/id` -> `name/id` for load balancers, the name otherwise). */
export function shortArn(arn: string): string {
  const lb = /:(?:loadbalancer|targetgroup)\/(.+)$/.exec(arn);
  if (lb) return lb[1].replace(/^(net|app)\//, "");
  return arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : arn;
}

function shortTarget(id: string): string {
  return id.startsWith("arn:") ? shortArn(id) : id;
}
