/**
 * Continue-as-new: a long conversation rolls over to a new run carrying its
 * whole state — transcript and seq, duplicate-message memory, the open task,
 * the assigned agent — and goes on as if nothing happened.
 */
import { agentMessageSignal, claimUpdate, releaseUpdate, stateQuery, transcriptQuery } from '../../src/workflows/contract';
import { testServerKind } from '../helpers/temporal-env';
import { eventually, fakeActivities, say, startConversation, startTestEnv, textsFrom, waitForEntries, waitForState, type ConversationHandle, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function runIdOf(h: ConversationHandle): Promise<string> {
  return (await h.describe()).runId;
}

async function waitForNewRun(h: ConversationHandle, oldRunId: string): Promise<string> {
  return eventually(async () => {
    const id = await runIdOf(h);
    return id !== oldRunId ? id : undefined;
  }, 'a new run');
}

describe('continue-as-new', () => {
  it('keeps the transcript, the open task and the duplicate memory across runs', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'hello', { policy: { turnsPerRun: 3 } });
    const firstRun = h.signaledRunId;
    await waitForEntries(h, 1);
    const refundId = await say(h, 'I want a refund for order 100000000001');
    await waitForEntries(h, 2);
    await say(h, 'it broke after a week');
    await waitForEntries(h, 3);
    const secondRun = await waitForNewRun(h, firstRun);

    // The second run continues the first (Temporal's test server leaves its initiator unset, so that is not checked).
    const started = (await t.client.workflow.getHandle(h.workflowId, secondRun).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.continuedExecutionRunId).toBe(firstRun);
    // And the first run's history ends with that. Not on Temporal's time-skipping test server: under load it
    // starts the new run while the old history still ends at WorkflowTaskStarted, and in CI it stayed so for
    // more than 30 s (seen in 1 of 4 runs here with the machine loaded). Real Temporal writes both at once.
    if (testServerKind() !== 'time-skipping') {
      const closing = await eventually(async () => {
        const last = (await t.client.workflow.getHandle(h.workflowId, firstRun).fetchHistory()).events?.at(-1);
        return last && Object.keys(last).some((k) => /^workflowExecution(Completed|Failed|TimedOut|Canceled|Terminated|ContinuedAsNew)EventAttributes$/.test(k) && (last as Record<string, unknown>)[k])
          ? last
          : undefined;
      }, 'the first run to close');
      expect(closing.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(secondRun);
    }

    const before = await h.query(transcriptQuery, 0);
    expect(before.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const state = await h.query(stateQuery);
    expect(state).toMatchObject({ phase: 'ai', intent: 'get_refund', slots: { orderNumber: '100000000001', reason: 'it broke after a week' }, turnCount: 3, lastSeq: 6 });

    // A message id from the first run is still recognised as a duplicate.
    const understandCalls = calls.count('understand');
    await say(h, 'I want a refund for order 100000000001', refundId);
    await say(h, 'store credit');
    const after = await waitForEntries(h, 4);
    expect(after.filter((e) => e.messageId === refundId)).toHaveLength(1);
    expect(calls.count('understand')).toBe(understandCalls + 1);
    expect(after.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(textsFrom(after).at(-1)).toContain('refund of USD 59.90 for order 100000000001, reason "it broke after a week", to store credit');

    await say(h, 'yes');
    const done = await waitForEntries(h, 5);
    expect(textsFrom(done).at(-1)).toBe('Your refund request RF-001 for order 100000000001 (USD 59.90, to store credit) is submitted.');
    expect(calls.byName.submitRefund).toEqual([{ orderNumber: '100000000001', reason: 'it broke after a week', method: 'store_credit' }]);
    expect(secondRun).not.toBe(firstRun);
    await t.terminate(h);
  });

  it('keeps the agent and the handover when a human conversation rolls over', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: { turnsPerRun: 3 } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    const claim = await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    const runBefore = await runIdOf(h);
    for (let i = 1; i <= 3; i++) await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: `a-${i}`, text: `agent line ${i}` });
    await waitForNewRun(h, runBefore);
    const state = await waitForState(h, (s) => s.phase === 'human', 'human after rollover');
    expect(state.agent).toEqual({ id: 'agent-1', name: 'Dana' });
    // The agent's duplicate is still ignored, and the agent can still act.
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'a-3', text: 'agent line 3' });
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'a-4', text: 'agent line 4' });
    const transcript = await waitForEntries(h, 4, 'agent');
    expect(textsFrom(transcript, 'agent')).toEqual(['agent line 1', 'agent line 2', 'agent line 3', 'agent line 4']);
    expect(transcript.map((e) => e.seq)).toEqual(transcript.map((_, i) => i + 1));
    const view = await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-1', to: 'queue' }] });
    expect(view.phase).toBe('queued');
    const second = await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-2', agentName: 'Lee' }] });
    expect(second.handover.conversationId).toBe(claim.handover.conversationId);
    expect(second.handover.reasons).toEqual(['explicit_request', 'released_to_queue']);
    await t.terminate(h);
  });
});
