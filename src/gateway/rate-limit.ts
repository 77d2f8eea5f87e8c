/**
 * Per-connection frame rate limit: a sliding window of `limit` frames per
 * `windowMs`. Kept per socket (not per conversation) so it needs no shared
 * state between gateways; a client opening many sockets is bounded by the
 * token being per conversation and by the load balancer's connection limits.
 */
export class SlidingWindowLimiter {
  private readonly stamps: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when one more frame is allowed now (and counts it). */
  tryTake(): boolean {
    const t = this.now();
    while (this.stamps.length > 0 && this.stamps[0] <= t - this.windowMs) this.stamps.shift();
    if (this.stamps.length >= this.limit) return false;
    this.stamps.push(t);
    return true;
  }
}
