/**
 * Durable timers: an idle AI conversation closes. (Agent silence is in
 * takeover.test.ts; the queue's service levels and abandonment in
 * service-levels.test.ts.) Durations are in `t.minute`s, so the same tests
 * run where time skips (embedded server, Temporal's test server) and in real
 * time on Temporal's dev server.
 */
import { transcriptQuery } from '../../src/workflows/contract';
import { fakeActivities, startConversation, startTestEnv, textsFrom, waitForEntries, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('idle close', () => {
  it('closes an idle AI conversation and returns the resolution', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const m = t.minute;
    const h = await startConversation(t.client, taskQueue, 'hello', { policy: { idleCloseMs: 5 * m } });
    await waitForEntries(h, 1);
    const result = await h.result();
    expect(result).toMatchObject({ closedBy: 'system', resolution: 'idle', escalated: false, turnCount: 1 });
    const transcript = await h.query(transcriptQuery, 0);
    expect(textsFrom(transcript, 'system')).toEqual(['This conversation was closed after a period of inactivity. Message us again any time.']);
    expect(Date.parse(result.closedAt) - Date.parse(transcript[1].at)).toBeGreaterThanOrEqual(5 * m);
  });
});
