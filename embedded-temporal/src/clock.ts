import type { ClockOptions, ServerClock, TimerHandle } from './clock-types';

/**
 * The server clock: wall time by default, or the Java test server's
 * self-advancing virtual time when `timeSkipping` is on.
 *
 * Both modes keep every timer in one priority queue ordered by (time, schedule
 * order) and arm at most one real `setTimeout` for the earliest, so equal-time
 * timers fire in the order they were scheduled in either mode.
 *
 * Virtual time (skipping on) moves with the wall clock while anything holds a
 * lock, or while no timer is queued (the Java server takes an implicit lock on
 * an empty queue, so an idle server does not stand still). When no lock is held
 * and a timer is queued, time jumps straight to that timer. Each callback runs
 * with a lock held, so work it starts (a workflow task taking its own lock)
 * stops the jumping before the next timer is considered.
 *
 * Callbacks never run synchronously inside `schedule`, `lock` or `unlock`: the
 * server calls those in the middle of state changes, and a timer firing there
 * would re-enter half-updated run state. Jumps and firing happen from a
 * `setImmediate` pump instead (the Java server uses a separate thread for the
 * same reason). `skip` is the exception: it is a test-only call from outside
 * the server's handlers, and firing before it returns lets a test observe the
 * effect directly.
 */
export function createClock(options: ClockOptions): ServerClock {
  return new Clock(options);
}

/** Node clamps larger delays to 1 ms (with a warning); longer waits are armed in chunks. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** Timers fired per event-loop turn before yielding, so a burst cannot starve I/O. */
const MAX_FIRES_PER_TURN = 256;

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  readonly label: string;
}

export class ClockClosedError extends Error {
  constructor() {
    super('the server clock is closed');
    this.name = 'ClockClosedError';
  }
}

export class UnbalancedUnlockError extends Error {
  constructor(reason: string) {
    super(`time-skipping unlock without a matching lock (reason: ${reason})`);
    this.name = 'UnbalancedUnlockError';
  }
}

class Clock implements ServerClock {
  readonly timeSkipping: boolean;

  private locks = 0;
  private closed = false;
  /** Virtual time at the last re-anchoring, and the wall time it was taken at. */
  private anchorVirtual: number;
  private anchorWall: number;
  private lastReturned: number;

  private nextId = 1;
  private nextSeq = 1;
  private readonly heap: Timer[] = [];
  private readonly live = new Map<number, Timer>();
  private readonly pendingSleeps = new Set<(err: Error) => void>();

  private pumpQueued = false;
  private pumping = false;
  private immediate: NodeJS.Immediate | undefined;
  private realTimer: NodeJS.Timeout | undefined;
  private realTimerDueWall = Number.NaN;

  constructor(options: ClockOptions) {
    this.timeSkipping = options.timeSkipping;
    const wall = Date.now();
    this.anchorWall = wall;
    this.anchorVirtual = options.startAtMs ?? wall;
    this.lastReturned = this.anchorVirtual;
    if (options.startLocked) this.locks = 1;
  }

  get lockCount(): number {
    return this.locks;
  }

  now(): number {
    const wall = Date.now();
    const t = this.flowing() ? this.anchorVirtual + Math.max(0, wall - this.anchorWall) : this.anchorVirtual;
    // Date.now() can step back (NTP); time handed out must not.
    if (t > this.lastReturned) this.lastReturned = t;
    return this.lastReturned;
  }

  schedule(atMs: number, callback: () => void, label = 'timer'): TimerHandle {
    const id = this.nextId++;
    if (this.closed) return { id };
    if (!Number.isFinite(atMs)) throw new RangeError(`timer "${label}" scheduled at a non-finite time: ${atMs}`);
    this.reanchor();
    const timer: Timer = { id, at: atMs, seq: this.nextSeq++, callback, label };
    this.live.set(id, timer);
    heapPush(this.heap, timer);
    this.requestPump();
    return { id };
  }

  cancel(handle: TimerHandle): void {
    if (!this.live.has(handle.id)) return;
    this.reanchor();
    // Removed lazily from the heap; `live` is the source of truth.
    this.live.delete(handle.id);
    this.requestPump();
  }

  lock(_reason: string): void {
    this.reanchor();
    this.locks++;
  }

  unlock(reason: string): void {
    if (this.locks <= 0) throw new UnbalancedUnlockError(reason);
    this.reanchor();
    this.locks--;
    if (this.locks === 0) this.requestPump();
  }

  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new ClockClosedError());
    return new Promise<void>((resolve, reject) => {
      const onClose = (err: Error) => reject(err);
      this.pendingSleeps.add(onClose);
      this.schedule(
        this.now() + Math.max(0, ms),
        () => {
          this.pendingSleeps.delete(onClose);
          resolve();
        },
        `sleep ${ms}ms`,
      );
    });
  }

  skip(ms: number): void {
    if (this.closed) throw new ClockClosedError();
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`cannot skip by ${ms} ms`);
    this.reanchor();
    this.anchorVirtual += ms;
    if (this.pumping) return; // the running pump picks up the new time
    this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live.clear();
    this.heap.length = 0;
    if (this.immediate) clearImmediate(this.immediate);
    if (this.realTimer) clearTimeout(this.realTimer);
    this.immediate = undefined;
    this.realTimer = undefined;
    const err = new ClockClosedError();
    for (const reject of this.pendingSleeps) reject(err);
    this.pendingSleeps.clear();
  }

  /** Whether virtual time currently advances with the wall clock rather than standing still (or jumping). */
  private flowing(): boolean {
    return !this.timeSkipping || this.locks > 0 || this.live.size === 0;
  }

  /** Fix the current time as the new anchor; called before anything that may change `flowing()`. */
  private reanchor(): void {
    this.anchorVirtual = this.now();
    this.anchorWall = Date.now();
  }

  private requestPump(): void {
    if (this.closed || this.pumpQueued || this.pumping) return;
    this.pumpQueued = true;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.pumpQueued = false;
      this.pump();
    });
  }

  private peek(): Timer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].id)) heapPop(this.heap);
    return this.heap[0];
  }

  private pump(): void {
    if (this.closed) return;
    this.pumping = true;
    let fired = 0;
    try {
      while (!this.closed && fired < MAX_FIRES_PER_TURN) {
        const next = this.peek();
        if (!next) break;
        const now = this.now();
        if (next.at > now) {
          if (!this.timeSkipping || this.locks > 0) break;
          // Nothing holds time still: jump to the next timer.
          this.anchorVirtual = next.at;
          this.anchorWall = Date.now();
          this.lastReturned = Math.max(this.lastReturned, next.at);
        }
        this.reanchor();
        heapPop(this.heap);
        this.live.delete(next.id);
        this.fire(next);
        fired++;
      }
    } finally {
      this.pumping = false;
    }
    if (this.closed) return;
    if (fired >= MAX_FIRES_PER_TURN && this.peek()) {
      this.requestPump();
      return;
    }
    this.armRealTimer();
  }

  private fire(timer: Timer): void {
    // The lock keeps a skipping clock from jumping past work the callback starts.
    this.locks++;
    try {
      timer.callback();
    } catch (err) {
      console.error(`embedded-temporal clock: timer "${timer.label}" threw`, err);
    } finally {
      this.reanchor();
      // A callback that released more than it took has already spent this lock; never go negative.
      if (this.locks > 0) this.locks--;
    }
  }

  private armRealTimer(): void {
    const next = this.peek();
    if (!next || (this.timeSkipping && this.locks === 0)) {
      // Either nothing to wait for, or the next unlock/schedule triggers a jump.
      this.clearRealTimer();
      if (next) this.requestPump();
      return;
    }
    const delay = Math.min(Math.max(0, next.at - this.now()), MAX_TIMEOUT_MS);
    const dueWall = Date.now() + delay;
    if (this.realTimer && this.realTimerDueWall === dueWall) return;
    this.clearRealTimer();
    this.realTimerDueWall = dueWall;
    this.realTimer = setTimeout(() => {
      this.realTimer = undefined;
      this.realTimerDueWall = Number.NaN;
      this.pump();
    }, delay);
  }

  private clearRealTimer(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.realTimerDueWall = Number.NaN;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function heapPush(heap: Timer[], t: Timer): void {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop(heap: Timer[]): Timer | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l], heap[m])) m = l;
      if (r < heap.length && before(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}
