/**
 * Durable timers: the queue wait limit leads to a callback ticket and a
 * priority bump; an idle AI conversation closes. (Agent silence is in
 * takeover.test.ts.) Durations are in `t.minute`s, so the same tests run
 * where time skips (embedded server, Temporal's test server) and in real
 * time on Temporal's dev server.
 */
import { ApplicationFailure } from '@temporalio/common';
import { claimUpdate, ErrorCode, searchAttributes, stateQuery, transcriptQuery } from '../../src/workflows/contract';
import { fakeActivities, startConversation, startTestEnv, textsFrom, waitForEntries, waitForState, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const waitLimits = (m: number) => ({ waitLimitMs: { vip: 2 * m, enterprise: 5 * m, regular: 10 * m } });

describe('queue wait limit', () => {
  it('overflows to a callback ticket and bumps the priority after the tier wait limit', async () => {
    const { activities, calls } = fakeActivities({ createTicket: async () => ({ ticketId: 'TK-CB-1', status: 'open' }) });
    const { taskQueue } = await t.worker(activities);
    const m = t.minute;
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: waitLimits(m) });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.advance(5 * m);
    expect(calls.count('createTicket')).toBe(0);
    await t.advance(5 * m + 1000);
    const state = await waitForState(h, (s) => s.escalation?.reasons.includes('wait_limit') === true, 'overflow');
    expect(state.phase).toBe('queued');
    expect(state.escalation?.priority).toBe('high');
    expect(calls.byName.createTicket).toEqual([
      expect.objectContaining({ kind: 'callback', customerId: 'cust-1001', priority: 'high', conversationId: state.conversationId }),
    ]);
    const transcript = await h.query(transcriptQuery, 0);
    expect(transcript.at(-1)).toMatchObject({ from: 'system' });
    expect(transcript.at(-1)?.text).toContain('TK-CB-1');
    const sa = (await h.describe()).typedSearchAttributes;
    expect(sa.get(searchAttributes.priority)).toBe('high');
    expect(sa.get(searchAttributes.priorityRank)).toBe(1);
    // Still claimable, and overflow happens once.
    await t.advance(20 * m);
    expect(calls.count('createTicket')).toBe(1);
    const claim = await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    expect(claim.handover.reasons).toEqual(['explicit_request', 'wait_limit']);
    await t.terminate(h);
  });

  it('uses the shorter VIP limit', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const m = t.minute;
    const h = await startConversation(t.client, taskQueue, 'human please', {
      customer: { id: 'cust-vip-1', name: 'Victoria Park', tier: 'vip' },
      policy: waitLimits(m),
    });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    expect((await h.query(stateQuery)).escalation).toMatchObject({ skill: 'vip', priority: 'high' });
    await t.advance(1 * m);
    expect(calls.count('createTicket')).toBe(0);
    await t.advance(1 * m + 1000);
    const state = await waitForState(h, (s) => s.escalation?.reasons.includes('wait_limit') === true, 'overflow');
    expect(state.escalation?.priority).toBe('urgent');
    expect(calls.count('createTicket')).toBe(1);
    await t.terminate(h);
  });

  it('still tells the customer, without a ticket number, when the ticket cannot be created', async () => {
    const { activities } = fakeActivities({
      createTicket: async () => {
        throw ApplicationFailure.create({ type: ErrorCode.ToolBadRequest, message: 'rejected', nonRetryable: true });
      },
    });
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: { waitLimitMs: { regular: t.minute } as never } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.advance(t.minute + 1000);
    await waitForState(h, (s) => s.escalation?.reasons.includes('wait_limit') === true, 'overflow');
    const transcript = await h.query(transcriptQuery, 0);
    expect(transcript.at(-1)?.text).toBe(
      'All our agents are still busy. Please stay in this chat or leave a message here; an agent will read it when they join.',
    );
    await t.terminate(h);
  });
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
