/**
 * What a `PrivateLink`'s NLB forwards to: IP targets (e.g. Fargate
 * tasks) or an existing ALB, and the target group's health check.
 */

/** Health check of the NLB target group. */
export interface PrivateLinkHealthCheck {
  /**
   * Protocol of the check.
   * @default "HTTP"
   */
  readonly protocol?: "HTTP" | "HTTPS" | "TCP";
  /**
   * Path of an HTTP(S) check.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Status codes that count as healthy.
   * @default "200-399"
   */
  readonly matcher?: string;
  /**
   * Seconds between checks, 5 to 300.
   * @default 10
   */
  readonly intervalSeconds?: number;
  /**
   * Consecutive successes before a target is healthy, 2 to 10.
   * @default 2
   */
  readonly healthyThreshold?: number;
  /**
   * Consecutive failures before a target is unhealthy, 2 to 10.
   * @default 2
   */
  readonly unhealthyThreshold?: number;
}

/** Targets the NLB sends to: IP addresses (e.g. Fargate tasks). */
export interface IpTargets {
  readonly kind: "ip";
  /** Port the targets listen on, 1 to 65535. */
  readonly port: number;
  /**
   * Health check.
   * @default - HTTP GET / every 10 s
   */
  readonly healthCheck?: PrivateLinkHealthCheck;
  /**
   * Seconds a deregistering target keeps its in-flight requests. API Gateway
   * calls last at most 29 s, so 30 s drains every request.
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
}

/** Target the NLB sends to: an existing Application Load Balancer. */
export interface AlbTarget {
  readonly kind: "alb";
  /** ARN of the ALB (`...:loadbalancer/app/<name>/<id>`). */
  readonly albArn: string;
  /** Port of the ALB listener to reach; the target group uses the same port. */
  readonly port: number;
  /**
   * Health check of the ALB (HTTP or HTTPS only for ALB targets).
   * @default - HTTP GET / every 10 s
   */
  readonly healthCheck?: PrivateLinkHealthCheck;
}
