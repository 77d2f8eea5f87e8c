import { createClock, ClockClosedError, UnbalancedUnlockError } from '../../src/clock';
import type { ServerClock } from '../../src/clock-types';

const DAY = 24 * 60 * 60 * 1000;

/** Lets pending setImmediate pumps run (bounded). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

const realDelay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('clock with time skipping off', () => {
  let clock: ServerClock;
  afterEach(() => clock.close());

  it('follows the wall clock', () => {
    clock = createClock({ timeSkipping: false });
    const before = Date.now();
    const t = clock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(clock.timeSkipping).toBe(false);
  });

  it('starts at startAtMs and then moves with the wall clock', async () => {
    clock = createClock({ timeSkipping: false, startAtMs: 1_000_000 });
    expect(clock.now()).toBeGreaterThanOrEqual(1_000_000);
    expect(clock.now()).toBeLessThan(1_000_000 + 1000);
    await realDelay(30);
    expect(clock.now()).toBeGreaterThanOrEqual(1_000_000 + 25);
  });

  it('fires a timer after real time has passed, not before', async () => {
    clock = createClock({ timeSkipping: false });
    const start = clock.now();
    let firedAt = 0;
    clock.schedule(start + 300, () => (firedAt = clock.now()));
    await realDelay(10);
    expect(firedAt).toBe(0);
    for (let i = 0; i < 100 && firedAt === 0; i++) await realDelay(20);
    expect(firedAt).toBeGreaterThanOrEqual(start + 300);
  });

  it('fires equal-time timers in schedule order and earlier timers first', async () => {
    clock = createClock({ timeSkipping: false });
    const at = clock.now() + 20;
    const order: string[] = [];
    clock.schedule(at, () => order.push('a'));
    clock.schedule(at + 5, () => order.push('late'));
    clock.schedule(at, () => order.push('b'));
    clock.schedule(at - 10, () => order.push('early'));
    clock.schedule(at, () => order.push('c'));
    for (let i = 0; i < 100 && order.length < 5; i++) await realDelay(20);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'late']);
  });

  it('lock and unlock are counted but do not stop time', async () => {
    clock = createClock({ timeSkipping: false });
    clock.lock('a');
    clock.lock('b');
    expect(clock.lockCount).toBe(2);
    const t0 = clock.now();
    await realDelay(20);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + 15);
    clock.unlock('b');
    clock.unlock('a');
    expect(clock.lockCount).toBe(0);
    expect(() => clock.unlock('extra')).toThrow(UnbalancedUnlockError);
  });

  it('sleep waits real time', async () => {
    clock = createClock({ timeSkipping: false });
    const wall = Date.now();
    await clock.sleep(30);
    expect(Date.now() - wall).toBeGreaterThanOrEqual(25);
  });

  it('skip moves time forward and fires what became due', () => {
    clock = createClock({ timeSkipping: false });
    const t0 = clock.now();
    let fired = false;
    clock.schedule(t0 + DAY, () => (fired = true));
    clock.skip(DAY);
    expect(fired).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + DAY);
  });

  it('handles delays beyond the 32-bit setTimeout limit without firing early', async () => {
    clock = createClock({ timeSkipping: false });
    let fired = false;
    clock.schedule(clock.now() + 30 * DAY, () => (fired = true));
    await realDelay(20);
    expect(fired).toBe(false);
  });
});

describe('clock with time skipping on', () => {
  let clock: ServerClock;
  afterEach(() => clock.close());

  it('jumps to the next timer when nothing holds a lock', async () => {
    clock = createClock({ timeSkipping: true });
    const t0 = clock.now();
    let firedAt = 0;
    clock.schedule(t0 + 30 * DAY, () => (firedAt = clock.now()));
    await settle();
    expect(firedAt).toBeGreaterThanOrEqual(t0 + 30 * DAY);
    expect(firedAt).toBeLessThan(t0 + 30 * DAY + 1000);
  });

  it('does not jump while a lock is held, and jumps once it is released', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    expect(clock.lockCount).toBe(1);
    const t0 = clock.now();
    let fired = false;
    clock.schedule(t0 + DAY, () => (fired = true));
    await settle();
    await realDelay(20);
    expect(fired).toBe(false);
    expect(clock.now()).toBeLessThan(t0 + 1000);
    clock.unlock('harness');
    await settle();
    expect(fired).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + DAY);
  });

  it('moves with the wall clock while locked', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true, startAtMs: 5_000 });
    clock.schedule(5_000 + DAY, () => undefined);
    const t0 = clock.now();
    await realDelay(30);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('fires a timer at wall speed while locked', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    let fired = false;
    const at = clock.now() + 300;
    let firedAt = 0;
    clock.schedule(at, () => {
      fired = true;
      firedAt = clock.now();
    });
    await realDelay(10);
    expect(fired).toBe(false);
    for (let i = 0; i < 100 && !fired; i++) await realDelay(20);
    expect(fired).toBe(true);
    expect(firedAt).toBeGreaterThanOrEqual(at);
  });

  it('nested locks all have to be released before time jumps', async () => {
    clock = createClock({ timeSkipping: true });
    clock.lock('wft');
    clock.lock('activity');
    clock.lock('rpc');
    let fired = false;
    clock.schedule(clock.now() + DAY, () => (fired = true));
    clock.unlock('rpc');
    await settle();
    expect(fired).toBe(false);
    clock.unlock('activity');
    await settle();
    expect(fired).toBe(false);
    clock.unlock('wft');
    await settle();
    expect(fired).toBe(true);
  });

  it('a lock taken right after an unlock, in the same turn, prevents the jump', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    let fired = false;
    clock.schedule(clock.now() + DAY, () => (fired = true));
    clock.unlock('harness');
    clock.lock('rpc');
    await settle();
    expect(fired).toBe(false);
    expect(clock.lockCount).toBe(1);
  });

  it('fires timers in time order, equal times in schedule order', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    const order: string[] = [];
    clock.schedule(t0 + 3 * DAY, () => order.push('3d'));
    clock.schedule(t0 + DAY, () => order.push('1d-a'));
    clock.schedule(t0 + 2 * DAY, () => order.push('2d'));
    clock.schedule(t0 + DAY, () => order.push('1d-b'));
    clock.schedule(t0 + 1000, () => order.push('1s'));
    clock.schedule(t0 + DAY, () => order.push('1d-c'));
    clock.unlock('harness');
    await settle();
    expect(order).toEqual(['1s', '1d-a', '1d-b', '1d-c', '2d', '3d']);
  });

  it('records each timer firing at its own scheduled time', async () => {
    clock = createClock({ timeSkipping: true, startAtMs: 1_000_000, startLocked: true });
    const seen: number[] = [];
    for (const offset of [5000, 1000, 3000]) clock.schedule(1_000_000 + offset, () => seen.push(clock.now()));
    clock.unlock('harness');
    await settle();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBeGreaterThanOrEqual(1_001_000);
    expect(seen[0]).toBeLessThan(1_003_000);
    expect(seen[1]).toBeGreaterThanOrEqual(1_003_000);
    expect(seen[1]).toBeLessThan(1_005_000);
    expect(seen[2]).toBeGreaterThanOrEqual(1_005_000);
  });

  it('stops jumping when a callback takes a lock, resumes when it is released', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    const order: string[] = [];
    clock.schedule(t0 + DAY, () => {
      order.push('first');
      clock.lock('workflow task');
    });
    clock.schedule(t0 + 2 * DAY, () => order.push('second'));
    clock.unlock('harness');
    await settle();
    expect(order).toEqual(['first']);
    expect(clock.lockCount).toBe(1);
    const held = clock.now();
    expect(held).toBeLessThan(t0 + 2 * DAY);
    clock.unlock('workflow task');
    await settle();
    expect(order).toEqual(['first', 'second']);
  });

  it('holds a lock while a callback runs', async () => {
    clock = createClock({ timeSkipping: true });
    let countInside = -1;
    clock.schedule(clock.now() + DAY, () => (countInside = clock.lockCount));
    await settle();
    expect(countInside).toBe(1);
    expect(clock.lockCount).toBe(0);
  });

  it('a cancelled timer does not pull time forward', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    const h = clock.schedule(t0 + DAY, () => undefined);
    clock.cancel(h);
    clock.unlock('harness');
    await settle();
    expect(clock.now()).toBeLessThan(t0 + 1000);
  });

  it('cancelled timers never fire', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    const order: string[] = [];
    const h = clock.schedule(t0 + DAY, () => order.push('cancelled'));
    clock.schedule(t0 + 2 * DAY, () => order.push('kept'));
    clock.cancel(h);
    clock.cancel(h); // idempotent
    clock.cancel({ id: 987654 }); // unknown handles are ignored
    clock.unlock('harness');
    await settle();
    expect(order).toEqual(['kept']);
  });

  it('a timer can cancel a later one scheduled at the same time', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const at = clock.now() + DAY;
    const order: string[] = [];
    // eslint-disable-next-line prefer-const
    let second: { id: number };
    clock.schedule(at, () => {
      order.push('first');
      clock.cancel(second);
    });
    second = clock.schedule(at, () => order.push('second'));
    clock.unlock('harness');
    await settle();
    expect(order).toEqual(['first']);
  });

  it('a callback that throws does not break the clock', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const errSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const t0 = clock.now();
    const order: string[] = [];
    clock.schedule(t0 + DAY, () => {
      throw new Error('boom');
    }, 'bad');
    clock.schedule(t0 + 2 * DAY, () => order.push('after'));
    clock.unlock('harness');
    await settle();
    expect(order).toEqual(['after']);
    expect(clock.lockCount).toBe(0);
    expect(errSpy).toHaveBeenCalled();
    errSpy.mockRestore();
  });

  it('never goes backwards', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const samples: number[] = [clock.now()];
    for (let i = 0; i < 50; i++) {
      clock.schedule(clock.now() + (i % 7) * 1000, () => samples.push(clock.now()));
      if (i % 10 === 0) {
        clock.unlock('h');
        await settle(1);
        samples.push(clock.now());
        clock.lock('h');
      }
      samples.push(clock.now());
    }
    clock.unlock('h');
    await settle();
    samples.push(clock.now());
    for (let i = 1; i < samples.length; i++) expect(samples[i]).toBeGreaterThanOrEqual(samples[i - 1]);
  });

  it('a timer scheduled in the past fires without moving time back', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    let firedAt = 0;
    clock.schedule(t0 - DAY, () => (firedAt = clock.now()));
    await settle();
    expect(firedAt).toBeGreaterThanOrEqual(t0);
  });

  it('never fires a callback synchronously inside schedule or unlock', () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    let fired = false;
    clock.schedule(clock.now() - 1, () => (fired = true));
    clock.unlock('harness');
    expect(fired).toBe(false);
  });

  it('sleep while unlocked returns quickly in wall time but advances virtual time', async () => {
    clock = createClock({ timeSkipping: true });
    const t0 = clock.now();
    const wall = Date.now();
    await clock.sleep(365 * DAY);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + 365 * DAY);
    expect(Date.now() - wall).toBeLessThan(1000);
  });

  it('sleep while locked waits wall time', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const wall = Date.now();
    await clock.sleep(30);
    expect(Date.now() - wall).toBeGreaterThanOrEqual(25);
  });

  it('concurrent sleeps resolve in order of their deadlines', async () => {
    clock = createClock({ timeSkipping: true });
    const order: number[] = [];
    await Promise.all([3, 1, 2].map((d) => clock.sleep(d * DAY).then(() => order.push(d))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('skip moves time and fires due timers before returning, later ones stay queued', () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const t0 = clock.now();
    const order: string[] = [];
    clock.schedule(t0 + 1000, () => order.push('1s'));
    clock.schedule(t0 + 5000, () => order.push('5s'));
    clock.schedule(t0 + DAY, () => order.push('1d'));
    clock.skip(6000);
    expect(order).toEqual(['1s', '5s']);
    expect(clock.now()).toBeGreaterThanOrEqual(t0 + 6000);
    expect(clock.now()).toBeLessThan(t0 + DAY);
    expect(() => clock.skip(-1)).toThrow(RangeError);
  });

  it('unlocking below zero throws and leaves the count at zero', () => {
    clock = createClock({ timeSkipping: true });
    expect(() => clock.unlock('nothing held')).toThrow(UnbalancedUnlockError);
    expect(clock.lockCount).toBe(0);
    clock.lock('a');
    clock.unlock('a');
    expect(() => clock.unlock('again')).toThrow(UnbalancedUnlockError);
  });

  it('with an empty queue and no lock, time still moves with the wall clock', async () => {
    clock = createClock({ timeSkipping: true });
    const t0 = clock.now();
    await realDelay(30);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('fires thousands of chained timers without deep recursion or starving I/O', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    const total = 20_000;
    let count = 0;
    const chain = () => {
      count++;
      if (count < total) clock.schedule(clock.now() + 1000, chain);
    };
    clock.schedule(clock.now() + 1000, chain);
    // Also a burst of independent same-time timers.
    const at = clock.now() + 500;
    let burst = 0;
    for (let i = 0; i < 5000; i++) clock.schedule(at, () => burst++);
    let ioTurns = 0;
    const io = setInterval(() => ioTurns++, 0);
    clock.unlock('harness');
    for (let i = 0; i < 2000 && count < total; i++) await new Promise<void>((r) => setImmediate(r));
    clearInterval(io);
    expect(burst).toBe(5000);
    expect(count).toBe(total);
    expect(ioTurns).toBeGreaterThan(0);
  });

  it('close cancels every timer and rejects pending sleeps', async () => {
    clock = createClock({ timeSkipping: true, startLocked: true });
    let fired = false;
    clock.schedule(clock.now() + 10, () => (fired = true));
    const sleeping = clock.sleep(DAY);
    clock.close();
    await expect(sleeping).rejects.toBeInstanceOf(ClockClosedError);
    await realDelay(30);
    expect(fired).toBe(false);
    await expect(clock.sleep(1)).rejects.toBeInstanceOf(ClockClosedError);
    // Scheduling after close is harmless (a server shutting down may still try).
    expect(() => clock.schedule(0, () => undefined)).not.toThrow();
  });
});
