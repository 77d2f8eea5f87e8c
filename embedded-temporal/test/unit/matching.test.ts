/** Long-poll queues: FIFO hand-out, stale tasks dropped, cancelled polls skipped, expiry answers empty. */
import { PollQueue, type PollCall } from '../../src/matching';

function call(): PollCall & { cancel(): void } {
  let cancelled = false;
  const listeners: (() => void)[] = [];
  return {
    isCancelled: () => cancelled,
    onCancelled: (l) => listeners.push(l),
    cancel: () => {
      cancelled = true;
      for (const l of listeners) l();
    },
  };
}

const task = (value: string, stale = false) => ({ tryStart: () => (stale ? undefined : value) });

test('queued tasks go out in order; stale ones are skipped', async () => {
  const q = new PollQueue<string>();
  q.offer(task('a'));
  q.offer(task('old', true));
  q.offer(task('b'));
  expect(await q.poll({ identity: 'w' }, call(), 1000)).toBe('a');
  expect(await q.poll({ identity: 'w' }, call(), 1000)).toBe('b');
  expect(q.backlog).toBe(0);
});

test('a parked poll receives the next task; a cancelled one never does', async () => {
  const q = new PollQueue<string>();
  const gone = call();
  const cancelledPoll = q.poll({ identity: 'gone' }, gone, 5000);
  const live = q.poll({ identity: 'live' }, call(), 5000);
  gone.cancel();
  expect(await cancelledPoll).toBeUndefined();
  q.offer(task('t'));
  expect(await live).toBe('t');
});

test('an idle poll answers empty when its time is up', async () => {
  const q = new PollQueue<string>();
  const started = Date.now();
  expect(await q.poll({ identity: 'w' }, call(), 50)).toBeUndefined();
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  q.offer(task('later'));
  expect(q.backlog).toBe(1);
});
