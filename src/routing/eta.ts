/**
 * Honest queue estimates: when each waiting conversation can expect an
 * agent, from the live queue, the agents online for the skill with their
 * real load, and the measured handle time. Pure.
 *
 * Every slot of an online agent is simulated: a free slot is free now; a
 * busy one frees up when its conversation is expected to end (its start
 * plus the handle time — or, for one already past that, a share of a
 * handle time from now); the conversations are served in queue order, each
 * taking the earliest free slot and holding it for a handle time, plus the
 * time agents take to accept an offer. Estimates count down by themselves
 * (they are instants, not durations), and an agent who is full moves the
 * estimate to when one of their conversations is expected to end, never to
 * "90 seconds" by formula. No online agent: no estimate at all.
 */

export interface EtaAgent {
  capacity: number;
  /** Slots in use (active + reserved + offered). */
  used: number;
  /** Start times (ISO) of the active slots. */
  activeSince: readonly string[];
}

export interface EtaInput {
  agents: readonly EtaAgent[];
  handleMs: number;
  /** Typical time from an offer to its acceptance. */
  acceptMs: number;
  /** Share of a handle time still expected from an agent already past the expected end. */
  overdueFraction: number;
  nowMs: number;
  /** Conversations to estimate, in queue order. */
  count: number;
}

class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/** Expected agent arrival (epoch ms) for each of `count` conversations in queue order; all undefined without online capacity. */
export function estimateArrivals(input: EtaInput): (number | undefined)[] {
  const { agents, handleMs, acceptMs, overdueFraction, nowMs, count } = input;
  const heap = new MinHeap();
  const overdueLeft = Math.max(0, handleMs * overdueFraction);
  for (const agent of agents) {
    const capacity = Math.max(0, Math.floor(agent.capacity));
    const active = agent.activeSince.map((s) => Date.parse(s)).filter((t) => Number.isFinite(t)).slice(0, capacity);
    for (const since of active) heap.push(Math.max(since + handleMs, nowMs + overdueLeft));
    // Slots reserved or offered but not yet active: busy from now on.
    const pending = Math.max(0, Math.min(capacity, agent.used) - active.length);
    for (let i = 0; i < pending; i++) heap.push(nowMs + handleMs);
    const free = Math.max(0, capacity - Math.max(agent.used, active.length));
    for (let i = 0; i < free; i++) heap.push(nowMs);
  }
  if (heap.size === 0) return Array.from({ length: count }, () => undefined);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const freeAt = Math.max(heap.pop(), nowMs);
    out.push(freeAt + acceptMs);
    heap.push(freeAt + acceptMs + handleMs);
  }
  return out;
}

/** Median of the samples, or `fallback` with fewer than `min` of them. */
export function medianOr(samples: readonly number[], fallback: number, min = 5): number {
  if (samples.length < min) return fallback;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}
