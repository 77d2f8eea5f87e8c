/**
 * The one clock of the embedded server. Every timestamp and every timer
 * (user timers, activity timeouts and backoffs, workflow-task timeouts, run
 * timeouts) goes through it, so time skipping can move all of them together.
 *
 * Time-skipping model (after Temporal's Java test server): a lock counter.
 * While it is above zero, time flows with the wall clock; when it drops to
 * zero, time jumps to the next scheduled timer, fires it (holding a lock while
 * the callback runs), and repeats. With skipping off, lock/unlock do nothing
 * and the clock is the wall clock.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface ServerClock {
  readonly timeSkipping: boolean;
  /** Milliseconds since the epoch; virtual when time skipping is on. Never goes backwards. */
  now(): number;
  /** Calls `callback` once the clock reaches `atMs` (soon, if already past). */
  schedule(atMs: number, callback: () => void, label?: string): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** Holds time still relative to the wall clock (no jumping) until the matching unlock. */
  lock(reason: string): void;
  /** Throws if it would take the counter below zero. */
  unlock(reason: string): void;
  readonly lockCount: number;
  /** Resolves when the clock has advanced by `ms` (instantly in virtual terms if nothing holds a lock). */
  sleep(ms: number): Promise<void>;
  /** Moves time forward by `ms` at once, firing due timers in order. */
  skip(ms: number): void;
  /** Cancels every timer; used at server shutdown. */
  close(): void;
}

export interface ClockOptions {
  timeSkipping: boolean;
  /** Start with one lock held (the test harness's), as the Java test server does. Default false. */
  startLocked?: boolean;
  /** Initial time; defaults to the wall clock. */
  startAtMs?: number;
}
