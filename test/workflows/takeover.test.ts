/**
 * Human takeover: the AI is cancelled mid-turn and its late reply dropped;
 * customer messages in QUEUED and HUMAN never reach an AI activity; claims
 * race with exactly one winner; release, transfer, agent silence and close.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import { InProcessBus } from '../../src/bus/in-process';
import { startCommerceServer, type CommerceServer } from '../../src/commerce';
import { createLlm } from '../../src/llm';
import type { Understander } from '../../src/nlu/types';
import { createHttpToolClient } from '../../src/tools/client';
import {
  agentAssignedSignal,
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  ErrorCode,
  handoverQuery,
  releaseUpdate,
  transcriptQuery,
  transferUpdate,
  type OutboundEvent,
} from '../../src/workflows/contract';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import {
  aiCallCount,
  eventually,
  fakeActivities,
  say,
  scriptedUnderstanding,
  STANDARD_SCRIPT,
  startConversation,
  startTestEnv,
  textsFrom,
  waitForEntries,
  waitForState,
  type ConversationHandle,
  type TestEnv,
} from './support';

let t: TestEnv;
let fake: FakeOpenAi;
let commerce: CommerceServer;

beforeAll(async () => {
  [t, fake, commerce] = await Promise.all([startTestEnv(), startFakeOpenAi(), startCommerceServer({ port: 0 })]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await commerce?.close();
});

const scriptedNlu: Understander = {
  understand: async (input) => scriptedUnderstanding(input.text, STANDARD_SCRIPT),
  classify: async (text) => {
    const u = scriptedUnderstanding(text, STANDARD_SCRIPT);
    return { intent: u.intent, confidence: u.confidence, layer: u.layer };
  },
};

/** Real activities: HTTP tools on the sample backend, the LLM on the fake OpenAI server, an in-process bus. */
function realActivitiesWithLlm() {
  const bus = new InProcessBus();
  const events: OutboundEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const llm = createLlm({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-4o-mini' }, { timeoutMs: 15_000 });
  const activities = createActivities({ tools: createHttpToolClient({ baseUrl: commerce.url, timeoutMs: 2000 }), nlu: scriptedNlu, llm, bus });
  return { activities, events };
}

function rejectionType(err: unknown): string | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
  return undefined;
}

async function expectRejection(update: Promise<unknown>, type: ErrorCode): Promise<void> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(rejectionType(err)).toBe(type);
}

async function escalated(h: ConversationHandle): Promise<void> {
  await waitForState(h, (s) => s.phase === 'queued', 'queued');
}

describe('takeover while an LLM call is in flight', () => {
  beforeEach(() => fake.reset());

  /** The LLM's phrasing of the greeting; the guardrails accept it (the control test shows it delivered). */
  const PHRASED = 'Phrased by the LLM: Hello! How can I help you?';

  it('delivers the LLM phrasing when nobody takes over (control)', async () => {
    fake.enqueue({ json: { reply: PHRASED } });
    const { activities } = realActivitiesWithLlm();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'hello');
    const transcript = await waitForEntries(h, 1);
    expect(textsFrom(transcript)).toEqual([PHRASED]);
    await t.terminate(h);
  });

  it('cancels the turn and never delivers the late reply', async () => {
    fake.enqueue({ json: { reply: PHRASED }, delayMs: 3000 });
    const { activities, events } = realActivitiesWithLlm();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'hello');
    await fake.waitForRequests(1, 15_000);
    expect(fake.inFlight).toBe(1);

    await h.signal(agentAssignedSignal, { agentId: 'agent-7', agentName: 'Sam' });
    await waitForState(h, (s) => s.phase === 'human', 'human');
    // Let the slow LLM answer arrive, then check it went nowhere.
    await eventually(async () => (fake.inFlight === 0 ? true : undefined), 'LLM answer sent', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    await h.signal(agentMessageSignal, { agentId: 'agent-7', messageId: 'a-1', text: 'Hi, Sam here.' });
    const transcript = await waitForEntries(h, 1, 'agent');
    expect(transcript.map((e) => [e.from, e.text])).toEqual([
      ['customer', 'hello'],
      ['system', 'Sam has joined the conversation.'],
      ['agent', 'Hi, Sam here.'],
    ]);
    const published = events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? e.entry.text : ''));
    expect(published).not.toContain(PHRASED);
    expect(events.filter((e) => e.kind === 'message' && e.entry.from === 'bot')).toEqual([]);
    const handover = await h.query(handoverQuery);
    expect(handover?.reasons).toEqual(['agent_takeover']);
    await t.terminate(h);
  });
});

describe('QUEUED and HUMAN never reach the AI', () => {
  it('records and relays customer messages without any AI activity call', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'I want a human');
    await escalated(h);
    const aiCallsAtEscalation = aiCallCount(calls);
    expect(calls.count('understand')).toBe(1);

    for (const text of ['hello?', 'I want a refund for 100000000001', 'yes']) await say(h, text);
    // 1 request, 2 "connecting you", 3 queue notice, 4 self-service suggestions, 5–7 the messages typed while waiting.
    await waitForState(h, (s) => s.lastSeq === 7, 'queued messages recorded');

    const claim = await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    expect(claim.handover).toMatchObject({ reasons: ['explicit_request'], skill: 'general', source: 'template' });
    expect(claim.transcript.map((e) => e.text)).toContain('I want a refund for 100000000001');

    for (const text of ['are you there?', 'where is my order 100000000002', 'human please']) await say(h, text);
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'a-1', text: 'Let me check that for you.' });
    const transcript = await waitForEntries(h, 1, 'agent');
    expect(transcript.filter((e) => e.from === 'customer')).toHaveLength(7);
    expect(transcript.filter((e) => e.from === 'bot')).toHaveLength(1);
    expect(aiCallCount(calls)).toBe(aiCallsAtEscalation);
    const relayed = () => calls.events.filter((e) => e.kind === 'message' && e.entry.from === 'customer').length;
    await eventually(async () => (relayed() === 7 ? true : undefined), 'all customer messages published');

    // Handing back to the AI makes the AI answer again (the counter above can move).
    await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-1', to: 'ai' }] });
    await say(h, 'where is my order 100000000002');
    await waitForEntries(h, 2);
    expect(calls.count('understand')).toBe(2);
    await t.terminate(h);
  });
});

describe('claims, release, transfer', () => {
  it('lets exactly one of 10 concurrent claims win', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please');
    await escalated(h);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => h.executeUpdate(claimUpdate, { args: [{ agentId: `agent-${i}`, agentName: `Agent ${i}` }] })),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(9);
    expect(losers.map((l) => rejectionType(l.reason))).toEqual(Array(9).fill(ErrorCode.AlreadyClaimed));
    const state = await waitForState(h, (s) => s.phase === 'human', 'human');
    const winnerIndex = results.findIndex((r) => r.status === 'fulfilled');
    expect(state.agent?.id).toBe(`agent-${winnerIndex}`);
    await t.terminate(h);
  });

  it('rejects claims that are not waiting, and actions by agents who are not assigned', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'hello');
    await waitForEntries(h, 1);
    await expectRejection(h.executeUpdate(claimUpdate, { args: [{ agentId: 'a', agentName: 'A' }] }), ErrorCode.NotWaiting);
    await say(h, 'human please');
    await escalated(h);
    await expectRejection(h.executeUpdate(claimUpdate, { args: [{ agentId: '', agentName: 'A' }] }), ErrorCode.InvalidInput);
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    await expectRejection(h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-2', to: 'ai' }] }), ErrorCode.NotAssigned);
    await expectRejection(h.executeUpdate(transferUpdate, { args: [{ agentId: 'agent-2', skill: 'technical' }] }), ErrorCode.NotAssigned);
    // A message from someone else is not relayed.
    await h.signal(agentMessageSignal, { agentId: 'agent-2', messageId: 'x', text: 'intruder' });
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'y', text: 'Dana here' });
    const transcript = await waitForEntries(h, 1, 'agent');
    expect(textsFrom(transcript, 'agent')).toEqual(['Dana here']);
    await t.terminate(h);
  });

  it('transfers to another skill and lets another agent claim it', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please');
    await escalated(h);
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    const view = await h.executeUpdate(transferUpdate, { args: [{ agentId: 'agent-1', skill: 'technical', note: 'router issue' }] });
    expect(view).toMatchObject({ phase: 'queued', queue: { skill: 'technical' } });
    expect(view.agent).toBeUndefined();
    const second = await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-2', agentName: 'Lee' }] });
    expect(second.handover.reasons).toEqual(['explicit_request', 'transfer']);
    expect(second.handover.aiAttempts).toContain('Agent note: router issue');
    await t.terminate(h);
  });

  it('closes by the agent and returns a resolution', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please');
    await escalated(h);
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    await h.signal(closeSignal, { by: 'agent', agentId: 'agent-2', resolution: 'not mine' });
    await h.signal(closeSignal, { by: 'agent', agentId: 'agent-1', resolution: 'answered by phone' });
    const result = await h.result();
    expect(result).toMatchObject({
      closedBy: 'agent',
      resolution: 'answered by phone',
      escalated: true,
      reasons: ['explicit_request'],
      agent: { id: 'agent-1', name: 'Dana' },
      turnCount: 1,
    });
    const transcript = await h.query(transcriptQuery, 0);
    expect(transcript.at(-1)?.text).toBe('This conversation has been closed. Thank you for contacting us.');
    expect(result.lastSeq).toBe(transcript.length);
  });
});

describe('agent silence', () => {
  it('puts the conversation back in the queue when the agent does not answer', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: { agentSilenceMs: t.minute } });
    await escalated(h);
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }] });
    await say(h, 'hello? anyone?');
    await t.advance(t.minute + 1000);
    const state = await waitForState(h, (s) => s.phase === 'queued', 're-queued');
    expect(state.escalation?.reasons).toEqual(['explicit_request', 'agent_unresponsive']);
    expect(state.escalation?.priority).toBe('high');
    expect(state.agent).toBeUndefined();
    await t.terminate(h);
  });
});
