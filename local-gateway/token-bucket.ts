/**
 * The token bucket API Gateway throttles with: the bucket holds up to `burst`
 * requests and refills at `rate` per second; a request that finds it empty is
 * throttled (429). A burst of 0 throttles everything, as on AWS.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    public readonly burst: number,
    public readonly ratePerSecond: number,
    now = performance.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token; false when the bucket is empty. */
  public take(now = performance.now()): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
