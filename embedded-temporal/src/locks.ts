import type { ServerClock } from './clock-types';

/**
 * One time-skipping lock owned by one piece of work (a workflow task, an
 * activity attempt, an outstanding query). Idempotent both ways, so the many
 * paths that end a piece of work (complete, fail, time out, run closed) can
 * all release without counting.
 */
export class HeldLock {
  private held = false;

  constructor(
    private readonly clock: ServerClock,
    private readonly reason: string,
  ) {}

  acquire(): void {
    if (this.held) return;
    this.held = true;
    this.clock.lock(this.reason);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.clock.unlock(this.reason);
  }

  get isHeld(): boolean {
    return this.held;
  }
}
