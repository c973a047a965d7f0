/**
 * The gateway's time: the machine's clock plus whatever was fast-forwarded.
 * Every time the gateway keeps (connection ages, idle times, authorizer
 * cache entries, `$context.requestTime`) reads it, so one
 * {@link GatewayClock.advance} moves all of them at once: a client's
 * keep-alive and reconnect logic is tried in seconds, not in 10 minutes or
 * 2 hours.
 */
export class GatewayClock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, fast-forwards included. */
  public now(): number {
    return Date.now() + this.offsetMs;
  }

  /** How far the clock was moved ahead in all, in milliseconds. */
  public get offset(): number {
    return this.offsetMs;
  }

  /** Moves the clock ahead; time never goes back. */
  public advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`a fast-forward must be a number of milliseconds >= 0, got ${ms}`);
    this.offsetMs += ms;
  }
}
