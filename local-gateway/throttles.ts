import { StageModel } from "./api-model";
import { GatewayLimits } from "./limits";
import { TokenBucket } from "./token-bucket";

/**
 * Throttling as API Gateway applies it: a token bucket per route (the
 * route's `route_settings`, else the stage's `default_route_settings`), the
 * account's requests per second, and the account's new connections per
 * second (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 */
export class Throttles {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly account: TokenBucket;
  private readonly newConnections: TokenBucket;

  constructor(
    private readonly stage: StageModel,
    limits: GatewayLimits,
    private readonly enabled: boolean,
  ) {
    this.account = new TokenBucket(limits.accountThrottle.burstLimit, limits.accountThrottle.rateLimit);
    this.newConnections = new TokenBucket(limits.newConnectionsPerSecond, limits.newConnectionsPerSecond);
  }

  /** Whether a request to a route is throttled (takes a token otherwise). */
  public route(routeKey: string): boolean {
    if (!this.enabled) return false;
    const route = this.bucketFor(routeKey);
    if (route && !route.take()) return true;
    return !this.account.take();
  }

  /** Whether a new connection is over the account's new connections per second. */
  public newConnection(): boolean {
    return this.enabled && !this.newConnections.take();
  }

  private bucketFor(routeKey: string): TokenBucket | undefined {
    const limits = this.stage.routeThrottles[routeKey] ?? this.stage.defaultThrottle;
    if (!limits) return undefined;
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(limits.burstLimit, limits.rateLimit);
      this.buckets.set(routeKey, bucket);
    }
    return bucket;
  }
}
