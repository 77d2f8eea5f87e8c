/**
 * The QUEUED phase's durable timers with the real SDK: wait limits that
 * repeat (remind, supervisor alert, overflow offer, then remind and alert
 * again), the leave-a-message / callback dialogue, abandonment, service
 * hours, and the desk notes the workflow publishes for the metrics.
 *
 * Every timer is a short policy value (wait limits of 2 s, abandonment after
 * 3 s), so the tests run as they are on a server without time skipping; on
 * the embedded server `env.sleep` skips ahead.
 */
import { DEFAULT_ROUTING } from '../../src/domain/routing-policy';
import {
  closeSignal,
  customerPresenceSignal,
  stateQuery,
  transcriptQuery,
  type DeskNote,
  type OutboundEvent,
  type PolicyConfig,
  type RoutingPolicy,
} from '../../src/workflows/contract';
import { eventually, fakeActivities, say, startConversation, startTestEnv, textsFrom, waitForEntries, waitForState, type ConversationHandle, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const LIMIT = 2_000;
const policy = (over: Partial<RoutingPolicy> = {}): Partial<PolicyConfig> => ({
  waitLimitMs: { vip: LIMIT, enterprise: LIMIT, regular: LIMIT },
  routing: { ...DEFAULT_ROUTING, abandonAfterMs: 3_000, presenceLeaseMs: 60_000, ...over },
});

const alerts = (events: OutboundEvent[]) => events.filter((e): e is Extract<OutboundEvent, { kind: 'alert' }> => e.kind === 'alert');
const notes = (events: OutboundEvent[]): DeskNote[] => events.flatMap((e) => ('desk' in e && e.desk ? e.desk : []));
const system = async (h: ConversationHandle) => textsFrom(await h.query(transcriptQuery, 0), 'system');

describe('wait limits that repeat', () => {
  it('reminds, alerts the supervisors, offers overflow, then reminds and alerts again every period', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: policy() });
    const q = await waitForState(h, (s) => s.phase === 'queued', 'queued');
    expect(q.queue).toMatchObject({ periods: 0, skill: 'general' });

    // Four periods pass; what each did is read from the record afterwards, so a slow server cannot race the checks.
    for (let period = 1; period <= 4; period++) {
      await t.advance(LIMIT + (period === 1 ? 200 : 0));
      await waitForState(h, (s) => (s.queue?.periods ?? 0) >= period, `period ${period}`);
    }
    await eventually(async () => (alerts(calls.events).length === 2 ? true : undefined), 'two supervisor alerts');
    const texts = (await system(h)).slice(2, 6);
    expect(texts[0]).toMatch(/^You've been waiting 1 minute\. You're still in the queue/);
    expect(texts[1]).toMatch(/longer than we aim for, so I've let a supervisor know/);
    expect(texts[2]).toBe(
      "All our agents are still busy. You can keep waiting, or: reply 1 to leave a message for the team, or 2 for a callback (I'll ask for your phone number). Reply 3 to keep waiting.",
    );
    // The later alert reminds the customer instead of repeating the supervisor line.
    expect(texts[3]).toMatch(/^You've been waiting \d+ minutes?\. You're still in the queue/);
    const [first, second] = alerts(calls.events);
    expect(first.alert).toMatchObject({ conversationId: q.conversationId, skill: 'general', priority: 'normal', tier: 'regular', period: 2 });
    expect(first.alert.waitedMs).toBeGreaterThanOrEqual(2 * LIMIT);
    expect(second.alert.period).toBe(4);
    expect((await h.query(stateQuery)).phase).toBe('queued');
    // The desk counts the breach once, and every step.
    const sla = notes(calls.events).filter((n): n is Extract<DeskNote, { kind: 'sla' }> => n.kind === 'sla');
    expect(sla.map((n) => [n.period, n.steps])).toEqual([
      [1, ['remind']],
      [2, ['alert']],
      [3, ['overflow']],
      [4, ['remind', 'alert']],
    ]);
    await t.terminate(h);
  }, 60_000);

  it('in Chinese too', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, '转人工', { policy: policy(), locale: 'zh' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.advance(LIMIT + 200);
    await waitForState(h, (s) => (s.queue?.periods ?? 0) >= 1, 'first period');
    expect((await system(h))[2]).toMatch(/^您已等待 1 分钟，仍在排队中/);
    await t.terminate(h);
  });
});

describe('overflow: leave a message or get a callback', () => {
  async function overflowed(opts: { customer?: { id: string; tier: 'regular'; phone?: string }; locale?: 'zh' } = {}) {
    const { activities, calls } = fakeActivities({ createTicket: async () => ({ ticketId: 'TK-CB-9', status: 'open' }) });
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, opts.locale === 'zh' ? '转人工' : 'human please', {
      // Nothing after the offer, so later periods cannot slip a reminder between the questions and the answers.
      policy: policy({ sla: { ladder: [['overflow']], repeat: [] } }),
      ...(opts.customer ? { customer: opts.customer } : {}),
      ...(opts.locale ? { locale: opts.locale } : {}),
    });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.advance(LIMIT + 200);
    await waitForState(h, (s) => s.contact?.stage === 'offered', 'offer');
    return { h, calls };
  }

  it('asks for a phone number when none is known, then a time, then registers the callback and leaves the queue', async () => {
    const { h, calls } = await overflowed();
    await say(h, '2');
    await waitForState(h, (s) => s.contact?.stage === 'phone', 'asked for a phone');
    expect((await system(h)).at(-1)).toBe('What phone number should we call you on?');
    await say(h, 'tomorrow is fine');
    await eventually(async () => ((await system(h)).at(-1)?.startsWith("That doesn't look like") ? true : undefined), 'asked again');
    expect((await h.query(stateQuery)).contact?.stage).toBe('phone');
    expect((await system(h)).at(-1)).toMatch(/doesn't look like a phone number/);
    await say(h, '+44 20 7946 0958');
    await waitForState(h, (s) => s.contact?.stage === 'time', 'asked for a time');
    expect((await system(h)).at(-1)).toBe('When would suit you for the call to the number ending 0958? (for example "today after 3pm" or "any time")');
    await say(h, 'tomorrow after 3pm');
    const done = await waitForState(h, (s) => s.phase === 'ai', 'left the queue');
    expect(done.contact).toBeUndefined();
    expect(calls.byName.createTicket).toEqual([
      expect.objectContaining({
        kind: 'callback',
        description: expect.stringContaining('Call back phone +442079460958; preferred time: tomorrow after 3pm.'),
      }),
    ]);
    expect((await system(h)).at(-1)).toBe(
      "Thanks — a callback to the number ending 0958 (tomorrow after 3pm) is registered as ticket TK-CB-9. You've left the queue. I'm still here if you need anything else.",
    );
    expect(notes(calls.events)).toContainEqual(expect.objectContaining({ kind: 'left_queue', outcome: 'callback', skill: 'general' }));
    // The AI is back for anything else.
    await say(h, 'where is my order 100000000002');
    await waitForEntries(h, 2);
    await t.terminate(h);
  }, 60_000);

  it('offers a callback to the number the back end knows, without asking for it', async () => {
    const { h, calls } = await overflowed({ customer: { id: 'c-9', tier: 'regular', phone: '+8613800138000' } });
    expect((await system(h)).at(-1)).toMatch(/or 2 for a callback to the number ending 8000\./);
    await say(h, '2');
    await waitForState(h, (s) => s.contact?.stage === 'time', 'asked for a time');
    await say(h, 'any time');
    await waitForState(h, (s) => s.phase === 'ai', 'left the queue');
    expect(calls.byName.createTicket).toEqual([expect.objectContaining({ kind: 'callback', description: expect.stringContaining('phone +8613800138000') })]);
    await t.terminate(h);
  });

  it('takes a message, asks how to reply, and files it (Chinese)', async () => {
    const { h, calls } = await overflowed({ locale: 'zh' });
    await say(h, '1');
    await waitForState(h, (s) => s.contact?.stage === 'message', 'asked for the message');
    await say(h, '请把发票发给我');
    await waitForState(h, (s) => s.contact?.stage === 'reply_to', 'asked how to reply');
    expect((await system(h)).at(-1)).toBe('团队应该如何回复您？请发送电话号码或邮箱地址。');
    await say(h, 'wang@example.com');
    await waitForState(h, (s) => s.phase === 'ai', 'left the queue');
    expect(calls.byName.createTicket).toEqual([
      expect.objectContaining({ kind: 'leave_message', description: expect.stringContaining('Reply to email wang@example.com. Message: 请把发票发给我.') }),
    ]);
    expect((await system(h)).at(-1)).toMatch(/^好的，您的留言已转交团队（工单号 TK-CB-9），他们会通过 w\*\*\*@example.com 回复您。您已退出排队。/);
    await t.terminate(h);
  });

  it('keeps waiting on 3, and other messages stay messages for the agent', async () => {
    const { h, calls } = await overflowed();
    await say(h, 'is anyone there?');
    await say(h, '3');
    await waitForState(h, (s) => s.contact === undefined && s.phase === 'queued', 'keeps waiting');
    expect((await system(h)).at(-1)).toBe("OK, you're still in the queue; an agent will join as soon as one is free.");
    expect(calls.count('createTicket')).toBe(0);
    const transcript = await h.query(transcriptQuery, 0);
    expect(textsFrom(transcript, 'customer')).toEqual(['human please', 'is anyone there?', '3']);
    await t.terminate(h);
  });
});

describe('abandonment', () => {
  it('a queued customer whose socket closed leaves the queue after the configured time, recorded and counted', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: policy() });
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'open' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'closed' });
    const result = await h.result();
    expect(result).toMatchObject({ closedBy: 'system', resolution: 'abandoned', escalated: true });
    expect((await system(h)).at(-1)).toBe('You left the queue, so this conversation was closed. Message us again any time.');
    expect(notes(calls.events)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'left_queue', outcome: 'abandoned', skill: 'general' }),
        expect.objectContaining({ kind: 'closed', outcome: 'abandoned' }),
      ]),
    );
    const waited = notes(calls.events).find((n) => n.kind === 'left_queue') as Extract<DeskNote, { kind: 'left_queue' }>;
    expect(waited.waitMs).toBeGreaterThanOrEqual(3_000);
  });

  it('keeps a customer whose socket keeps reporting, and never abandons on a guess when nothing was reported', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const present = await startConversation(t.client, taskQueue, 'human please', { policy: policy({ presenceLeaseMs: 2_000 }) });
    const silent = await startConversation(t.client, taskQueue, 'human please', { policy: policy() });
    await present.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'open' });
    await waitForState(present, (s) => s.phase === 'queued', 'queued');
    await waitForState(silent, (s) => s.phase === 'queued', 'queued');
    for (let i = 0; i < 4; i++) {
      await t.advance(1_500);
      await present.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'alive' });
    }
    expect((await present.query(stateQuery)).phase).toBe('queued');
    expect((await silent.query(stateQuery)).phase).toBe('queued');
    // The reports stop (a gateway died): the lease lapses, then the abandonment time passes.
    await t.advance(2_000 + 3_000 + 500);
    await waitForState(present, (s) => s.phase === 'closed', 'abandoned after the lease');
    expect((await silent.query(stateQuery)).phase).toBe('queued');
    await t.terminate(silent);
  }, 60_000);
});

describe('service hours', () => {
  it('outside them the AI keeps serving, says when people are back, and offers a message or a callback', async () => {
    const now = new Date(await t.env.currentTimeMs());
    const today = now.toISOString().slice(0, 10);
    const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const hours = { timeZone: 'UTC', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']])), holidays: [today] };
    const routing = { skills: DEFAULT_ROUTING.skills.map((s) => (s.id === 'general' ? { ...s, hours } : s)) };
    const { activities, calls } = fakeActivities({ createTicket: async () => ({ ticketId: 'TK-AH-1', status: 'open' }) });
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'human please', { policy: policy(routing) });
    const s = await waitForState(h, (x) => x.contact?.stage === 'offered', 'after-hours offer');
    expect(s.phase).toBe('ai');
    const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${tomorrow}T00:00:00Z`).getUTCDay()];
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(tomorrow.slice(5, 7)) - 1];
    expect((await system(h)).at(-1)).toBe(
      `Our customer service team is not available right now; they're back ${weekday} ${Number(tomorrow.slice(8, 10))} ${month} 00:00 (UTC). I can keep helping you here, or: reply 1 to leave a message for the team, or 2 for a callback (I'll ask for your phone number).`,
    );
    // Nothing entered a queue; the AI answers the next question.
    expect(notes(calls.events).some((n) => n.kind === 'escalated')).toBe(false);
    await say(h, 'where is my order 100000000002');
    await waitForEntries(h, 2);
    // …and the message option still works — in words now: after an AI reply a bare "1" would answer the AI, not the offer.
    await say(h, 'I want to leave a message');
    await waitForState(h, (x) => x.contact?.stage === 'message', 'asked for the message');
    await say(h, 'please call me about my invoice on 020 7946 0958');
    await waitForState(h, (x) => x.contact === undefined, 'message filed');
    expect(calls.count('createTicket')).toBe(1);
    expect(calls.byName.createTicket).toEqual([
      expect.objectContaining({ kind: 'leave_message', description: expect.stringContaining('contacted us outside service hours') }),
    ]);
    await h.signal(closeSignal, { by: 'customer' });
    const result = await h.result();
    expect(result.escalated).toBe(false);
    expect(notes(calls.events)).toContainEqual(expect.objectContaining({ kind: 'closed', outcome: 'left_message' }));
  }, 60_000);
});

describe('what the desk learns from a conversation', () => {
  it('started, escalated with its reasons, self-service suggestions, assigned with the wait, first response, handled, closed', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    // A refund above the approval amount goes to people: the refunds queue (Alice's own order, under a low limit).
    const h = await startConversation(t.client, taskQueue, 'refund order 100000000001', { policy: { ...policy(), refundEscalationAmount: 50 } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    const texts = await system(h);
    expect(texts[0]).toMatch(/refunds and payments team/);
    expect(texts[1]).toMatch(/^While you wait, this may help:\n• Refunds: you choose where a refund goes/);
    const { claimUpdate, agentMessageSignal } = await import('../../src/workflows/contract');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'ann', agentName: 'Ann' }] });
    await h.signal(agentMessageSignal, { agentId: 'ann', messageId: 'a1', text: 'Hello, Ann here.' });
    await waitForEntries(h, 1, 'agent');
    await h.signal(closeSignal, { by: 'agent', agentId: 'ann', resolution: 'done' });
    await h.result();
    await eventually(async () => (notes(calls.events).some((n) => n.kind === 'closed') ? true : undefined), 'closed note');
    const kinds = notes(calls.events).map((n) => n.kind);
    expect(kinds).toEqual(['started', 'escalated', 'assigned', 'first_response', 'handled', 'closed']);
    expect(notes(calls.events)[1]).toEqual({ kind: 'escalated', reasons: ['high_value_refund'], priority: 'high', skill: 'refunds' });
    expect(notes(calls.events)[2]).toMatchObject({ kind: 'assigned', agentId: 'ann', skill: 'refunds' });
    expect(notes(calls.events)[4]).toMatchObject({ kind: 'handled', agentId: 'ann', skill: 'refunds', outcome: 'resolved' });
    expect(notes(calls.events)[5]).toMatchObject({ kind: 'closed', outcome: 'human_resolved', customerTurns: 1 });
  });
});
