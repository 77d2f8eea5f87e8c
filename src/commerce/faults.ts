/**
 * Fault injection for the sample commerce backend: the outages the workflow's
 * retry policies and failure replies are built for, on demand.
 *
 * - `latencyMs`: every matching request waits this long before it is handled.
 * - `errorRate`: share of matching requests answered 503 without effect. The
 *   draw comes from a seeded PRNG (`seed`), so a test gets the same sequence
 *   every run.
 * - `hang`: matching requests get no answer at all until `reset()` (or until
 *   `hang` is set back to false); then they are handled normally.
 * - `failNext`: the next N matching requests are answered 503 without effect.
 * - `loseNext`: the next N matching requests take effect, but the answer is
 *   replaced by a 503 — the response lost on the way back that idempotency
 *   keys exist for.
 * - `replyDelayMs`: matching requests take effect at once, and their answer
 *   waits this long — the window in which a crashed caller leaves an effect
 *   done but unacknowledged, and retries it.
 * - `routes`: restrict all of the above to some routes (see {@link routeMatches});
 *   absent = every route except the admin and health routes.
 */
import { z } from 'zod';

export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  seed: number;
  hang: boolean;
  failNext: number;
  loseNext: number;
  replyDelayMs: number;
  /** 503 by default; any 5xx. */
  status: number;
  routes?: string[];
}

export const faultPatchSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  hang: z.boolean().optional(),
  failNext: z.number().int().min(0).max(1_000_000).optional(),
  loseNext: z.number().int().min(0).max(1_000_000).optional(),
  replyDelayMs: z.number().int().min(0).max(600_000).optional(),
  status: z.number().int().min(500).max(599).optional(),
  routes: z.array(z.string().min(1)).min(1).nullable().optional(),
});
export type FaultPatch = z.infer<typeof faultPatchSchema>;

const DEFAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  seed: 1,
  hang: false,
  failNext: 0,
  loseNext: 0,
  replyDelayMs: 0,
  status: 503,
};

/** What the controller decided for one request. */
export type FaultDecision = { kind: 'pass'; replyDelayMs?: number } | { kind: 'fail'; status: number } | { kind: 'lose'; status: number };

export interface FaultStats {
  /** Requests that matched the fault routes. */
  seen: number;
  failed: number;
  lost: number;
  hung: number;
}

export class FaultController {
  private settings: FaultSettings = { ...DEFAULTS };
  private random = mulberry32(DEFAULTS.seed);
  private waiters = new Set<() => void>();
  private counts: FaultStats = { seen: 0, failed: 0, lost: 0, hung: 0 };

  /** Merges `patch` into the current settings. `routes: null` clears the route filter. */
  set(patch: FaultPatch): FaultSettings {
    const parsed = faultPatchSchema.parse(patch);
    const { routes, ...rest } = parsed;
    const next: FaultSettings = { ...this.settings };
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    if (routes === null) delete next.routes;
    else if (routes !== undefined) next.routes = routes;
    this.settings = next;
    if (parsed.seed !== undefined || parsed.errorRate !== undefined) this.random = mulberry32(next.seed);
    if (!next.hang) this.releaseHung();
    return this.get();
  }

  /** Back to no faults; requests hanging so far are released and handled. */
  reset(): FaultSettings {
    this.settings = { ...DEFAULTS };
    this.random = mulberry32(DEFAULTS.seed);
    this.counts = { seen: 0, failed: 0, lost: 0, hung: 0 };
    this.releaseHung();
    return this.get();
  }

  get(): FaultSettings {
    return { ...this.settings, routes: this.settings.routes ? [...this.settings.routes] : undefined };
  }

  stats(): FaultStats {
    return { ...this.counts };
  }

  /** Requests currently held by `hang`. */
  get hanging(): number {
    return this.waiters.size;
  }

  matches(method: string, path: string): boolean {
    const routes = this.settings.routes;
    return !routes || routes.some((r) => routeMatches(r, method, path));
  }

  /**
   * Applies latency and hang, then decides whether this request fails. Call
   * once per request that {@link matches}. `signal` ends a hang early when the
   * client goes away, so hung sockets don't pile up.
   */
  async apply(signal?: AbortSignal): Promise<FaultDecision> {
    this.counts.seen++;
    const { latencyMs } = this.settings;
    if (latencyMs > 0) await sleep(latencyMs, signal);
    if (this.settings.hang) {
      this.counts.hung++;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    // Read after the waits: a reset during latency or a hang takes effect.
    const s = this.settings;
    if (s.failNext > 0) {
      s.failNext--;
      this.counts.failed++;
      return { kind: 'fail', status: s.status };
    }
    if (s.errorRate > 0 && this.random() < s.errorRate) {
      this.counts.failed++;
      return { kind: 'fail', status: s.status };
    }
    if (s.loseNext > 0) {
      s.loseNext--;
      this.counts.lost++;
      return { kind: 'lose', status: s.status };
    }
    return s.replyDelayMs > 0 ? { kind: 'pass', replyDelayMs: s.replyDelayMs } : { kind: 'pass' };
  }

  private releaseHung(): void {
    for (const release of [...this.waiters]) release();
  }
}

/**
 * Route patterns: `[METHOD ]/path`, where a `:name` or `*` segment matches any
 * one segment and a final `**` matches the rest. Without a method, any method.
 * Examples: `/orders/:n`, `POST /refunds`, `/orders/**`.
 */
export function routeMatches(pattern: string, method: string, path: string): boolean {
  const space = pattern.indexOf(' ');
  const wantMethod = space > 0 ? pattern.slice(0, space).toUpperCase() : undefined;
  const wantPath = space > 0 ? pattern.slice(space + 1).trim() : pattern.trim();
  if (wantMethod && wantMethod !== method.toUpperCase()) return false;
  const want = wantPath.split('/').filter(Boolean);
  const got = path.split('?')[0].split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '**') return true;
    if (i >= got.length) return false;
    if (want[i] === '*' || want[i].startsWith(':')) continue;
    if (want[i] !== got[i]) return false;
  }
  return want.length === got.length;
}

/** Small seeded PRNG (mulberry32): deterministic error-rate draws. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
