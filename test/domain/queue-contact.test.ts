import {
  abandonDeadline,
  appendEntries,
  assignAgent,
  buildHandover,
  closeOutcome,
  contactDone,
  contactStep,
  contactTicket,
  deskNotes,
  enterQueue,
  findEmail,
  findPhone,
  offerContact,
  passPeriod,
  recordCustomerPresence,
  release,
  resolvePolicy,
  routingMessages,
  slaDeadline,
  slaStepsFor,
  transfer,
  type ConversationState,
} from '../../src/domain';
import { fresh, NOW, turn, u } from './helpers';

const MIN = 60_000;
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
const policy = resolvePolicy({ waitLimitMs: { regular: 10 * MIN, vip: MIN, enterprise: 5 * MIN } });

function queued(state = fresh(), when = NOW): ConversationState {
  const r = turn(state, u('contact_human_agent', state.ai.language === 'zh' ? '转人工' : 'human please', { humanRequested: true }));
  return enterQueue(r.state, r.escalation!, buildHandover(r.state, r.escalation!), policy, when).state;
}

describe('service levels', () => {
  it('runs the ladder — remind, alert, overflow — then repeats remind and alert every period', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => slaStepsFor(n, policy))).toEqual([['remind'], ['alert'], ['overflow'], ['remind', 'alert'], ['remind', 'alert'], ['remind', 'alert']]);
  });

  it('each period is the tier’s wait limit after the last one', () => {
    let s = queued();
    expect(slaDeadline(s, policy)).toBe(Date.parse(at(10 * MIN)));
    const first = passPeriod(s, policy, at(10 * MIN));
    expect(first).toMatchObject({ period: 1, steps: ['remind'], overflow: false });
    expect(first.alert).toBeUndefined();
    expect(first.entries.map((e) => e.text)).toEqual(["You've been waiting 10 minutes. You're still in the queue and will be connected as soon as an agent is free."]);
    s = first.state;
    expect(slaDeadline(s, policy)).toBe(Date.parse(at(20 * MIN)));
    const second = passPeriod(s, policy, at(20 * MIN));
    expect(second.alert).toEqual({ conversationId: 'conv-1', skill: 'general', priority: 'normal', tier: 'regular', waitedMs: 20 * MIN, period: 2, at: at(20 * MIN) });
    expect(second.entries[0].text).toMatch(/longer than we aim for, so I've let a supervisor know/);
    expect(passPeriod(second.state, policy, at(30 * MIN))).toMatchObject({ period: 3, overflow: true });
    expect(slaDeadline(queued(fresh('vip')), policy)).toBe(Date.parse(at(MIN)));
    expect(slaDeadline(fresh(), policy)).toBeUndefined();
  });

  it('tells the customer about the supervisor once; later alerts only remind', () => {
    let s = queued();
    for (let p = 1; p <= 4; p++) s = passPeriod(s, policy, at(p * 10 * MIN)).state;
    const fifth = passPeriod(s, policy, at(50 * MIN));
    expect(fifth.alert?.period).toBe(5);
    expect(fifth.entries.map((e) => e.text)).toEqual([expect.stringMatching(/^You've been waiting 50 minutes\. You're still in the queue/)]);
  });
});

describe('abandonment', () => {
  it('never abandons on a guess: no presence report, no deadline', () => {
    expect(abandonDeadline(queued(), policy)).toBeUndefined();
  });

  it('counts from the later of the last sign of life and the start of the wait', () => {
    let s = recordCustomerPresence(fresh(), { connectionId: 'a', state: 'open' }, NOW, 90_000);
    s = queued(s, at(5 * MIN));
    // The socket's last report (at NOW) holds 90 s — long over when the wait starts: the wait's start counts.
    expect(abandonDeadline(s, policy)).toBe(Date.parse(at(5 * MIN)) + policy.routing.abandonAfterMs);
    s = recordCustomerPresence(s, { connectionId: 'a', state: 'alive' }, at(6 * MIN), 90_000);
    expect(abandonDeadline(s, policy)).toBe(Date.parse(at(6 * MIN)) + 90_000 + policy.routing.abandonAfterMs);
    s = recordCustomerPresence(s, { connectionId: 'a', state: 'closed' }, at(6.5 * MIN), 90_000);
    expect(abandonDeadline(s, policy)).toBe(Date.parse(at(6.5 * MIN)) + policy.routing.abandonAfterMs);
  });

  it('ignores malformed reports and keeps a bounded list of sockets', () => {
    let s = fresh();
    expect(recordCustomerPresence(s, { connectionId: '', state: 'open' }, NOW, 1000)).toBe(s);
    for (let i = 0; i < 30; i++) s = recordCustomerPresence(s, { connectionId: `c${i}`, state: 'open' }, NOW, 1000);
    expect(s.presence?.connections).toHaveLength(10);
  });
});

describe('leave a message or a callback', () => {
  const offered = (state = queued()) => offerContact(state, 'overflow', state.escalation!, at(30 * MIN)).state;

  it('finds phone numbers and emails, never taking an order number for a phone', () => {
    expect(findPhone('call me on +44 20 7946 0958')).toBe('+442079460958');
    expect(findPhone('13800138000')).toBe('13800138000');
    expect(findPhone('order 100000000002')).toBeUndefined();
    expect(findPhone('+100000000002')).toBe('+100000000002');
    expect(findPhone('call me at 3pm')).toBeUndefined();
    expect(findEmail('write to wang.li+shop@example.com.cn please')).toBe('wang.li+shop@example.com.cn');
  });

  it('offers a callback only with a way to call back: with a known number it names it, without one it says it will ask', () => {
    const withPhone = offerContact(queued(fresh()), 'overflow', { skill: 'general', priority: 'normal' }, NOW);
    expect(withPhone.entries[0].text).toMatch(/2 for a callback \(I'll ask for your phone number\)/);
    const known = { ...fresh(), customer: { ...fresh().customer, phone: '+8613800138000' } };
    const offer = offerContact(queued(known), 'overflow', { skill: 'general', priority: 'normal' }, NOW);
    expect(offer.entries[0].text).toMatch(/2 for a callback to the number ending 8000\./);
    const zh = offerContact(queued(fresh('regular', 'zh')), 'overflow', { skill: 'general', priority: 'normal' }, NOW);
    expect(zh.entries[0].text).toBe('客服仍然繁忙。您可以继续等待，或者：回复 1 给团队留言，回复 2 预约回电（我会请您留下电话号码）。回复 3 继续等待。');
  });

  it('after an AI reply, a bare "1" belongs to the AI’s question, not to the offer; the words still choose', () => {
    const s = offered();
    const later = appendEntries(s, [{ from: 'bot', text: 'Did you mean to track an order or get a refund?' }], NOW).state;
    expect(contactStep(later, '1', NOW).consumed).toBe(false);
    expect(contactStep(later, 'I would like to leave a message', NOW).state.contact?.stage).toBe('message');
    expect(contactStep(s, '1', NOW).state.contact?.stage).toBe('message');
  });

  it('leaves messages that are not about the offer to the agent (or the AI)', () => {
    const s = offered();
    expect(contactStep(s, 'where is my order?', NOW).consumed).toBe(false);
    expect(contactStep(s, 'order 100000000002', NOW).consumed).toBe(false);
  });

  it('callback: a number given straight away counts as the choice', () => {
    const r = contactStep(offered(), 'please call 13800138000', NOW);
    expect(r.state.contact).toMatchObject({ stage: 'time', choice: 'callback', phone: '13800138000' });
    expect(r.entries[0].text).toMatch(/the number ending 8000/);
  });

  it('callback: gives up after repeated answers that are not a number, and on "never mind"', () => {
    let s = contactStep(offered(), '2', NOW).state;
    s = contactStep(s, 'later', NOW).state;
    s = contactStep(s, 'hmm', NOW).state;
    expect(s.contact).toMatchObject({ stage: 'phone', retries: 2 });
    expect(contactStep(s, 'no idea', NOW).state.contact?.stage).toBe('cancelled');
    const zh = contactStep(contactStep(offered(queued(fresh('regular', 'zh'))), '回电', NOW).state, '算了', NOW);
    expect(zh.state.contact?.stage).toBe('cancelled');
    expect(zh.entries[0].text).toBe('好的，您仍在排队中，客服空闲后会立即接入。');
  });

  it('message: takes the text, and a reply address found in it', () => {
    let s = contactStep(offered(), 'leave a message', NOW).state;
    const r = contactStep(s, 'Please send me the invoice at anna@example.com', NOW);
    expect(r.state.contact).toMatchObject({ stage: 'submit', email: 'anna@example.com', message: 'Please send me the invoice at anna@example.com' });
    s = r.state;
    expect(contactTicket(s)).toEqual({
      kind: 'leave_message',
      subject: 'Message left for general',
      description: expect.stringMatching(/^Reply to email anna@example.com\. Message: Please send me the invoice at anna@example.com\. The customer waited past the wait limit\. Summary: /),
      priority: 'normal',
    });
  });

  it('done: the customer leaves the queue with the ticket number; without a ticket they keep their place', () => {
    let s = contactStep(offered(), '2', NOW).state;
    s = contactStep(s, '13800138000', NOW).state;
    s = contactStep(s, 'after 6pm', NOW).state;
    const done = contactDone(s, 'TK-7', at(31 * MIN));
    expect(done.leftQueue).toBe(true);
    expect(done.state).toMatchObject({ phase: 'ai', queue: undefined, contact: { stage: 'done', ticketId: 'TK-7' } });
    expect(done.entries[0].text).toBe(
      "Thanks — a callback to the number ending 8000 (after 6pm) is registered as ticket TK-7. You've left the queue. I'm still here if you need anything else.",
    );
    const failed = contactDone(s, undefined, at(31 * MIN));
    expect(failed.state).toMatchObject({ phase: 'queued', contact: { stage: 'cancelled' } });
    expect(failed.entries.map((e) => e.text)).toEqual([
      "I couldn't register that just now: the ticket system did not answer.",
      "OK, you're still in the queue; an agent will join as soon as one is free.",
    ]);
  });

  it('closed while the ticket was being filed: the ticket is kept, nobody is told, the close counts it', () => {
    let s = contactStep(offered(), '1', NOW).state;
    s = contactStep(s, 'please email me at anna@example.com', NOW).state;
    const closed = { ...s, phase: 'closed' as const };
    expect(closeOutcome(s, closed)).toBe('left_message');
    const done = contactDone(closed, 'TK-9', NOW);
    expect(done.entries).toEqual([]);
    expect(done.state).toMatchObject({ phase: 'closed', contact: { stage: 'done', ticketId: 'TK-9' } });
  });

  it('an agent taking the conversation cancels an open offer', () => {
    const s = assignAgent(offered(), { id: 'a1', name: 'Ann' }, policy, NOW).state;
    expect(s.contact?.stage).toBe('cancelled');
    expect(contactStep(s, '2', NOW).consumed).toBe(false);
  });
});

describe('desk notes and routing messages', () => {
  it('escalation: an escalated note and an enqueue for the skill’s router', () => {
    const before = turn(fresh(), u('contact_human_agent', 'human please', { humanRequested: true }));
    const after = enterQueue(before.state, before.escalation!, buildHandover(before.state, before.escalation!), policy, NOW).state;
    expect(deskNotes(before.state, after, Date.parse(NOW))).toEqual([{ kind: 'escalated', reasons: ['explicit_request'], priority: 'normal', skill: 'general' }]);
    expect(routingMessages(before.state, after, Date.parse(NOW))).toEqual([
      {
        to: 'router',
        skill: 'general',
        kind: 'enqueue',
        request: { conversationId: 'conv-1', customerId: 'cust-regular', tier: 'regular', language: 'en', priority: 'normal', reasons: ['explicit_request'], intent: 'contact_human_agent', waitingSince: NOW },
      },
    ]);
  });

  it('claim: assigned with the wait, dequeue from the router, a slot for the agent', () => {
    const q = queued();
    const h = assignAgent(q, { id: 'a1', name: 'Ann' }, policy, at(3 * MIN)).state;
    expect(deskNotes(q, h, Date.parse(at(3 * MIN)))).toEqual([{ kind: 'assigned', agentId: 'a1', skill: 'general', waitMs: 3 * MIN }]);
    expect(routingMessages(q, h, Date.parse(at(3 * MIN)))).toEqual([
      { to: 'router', skill: 'general', kind: 'dequeue', request: { conversationId: 'conv-1', reason: 'assigned', agentId: 'a1' } },
      { to: 'agent', agentId: 'a1', kind: 'slot', event: { conversationId: 'conv-1', kind: 'assigned', skill: 'general' } },
    ]);
  });

  it('transfer and release are not escalations: handled, transferred / released, and the slot ends', () => {
    const h = assignAgent(queued(), { id: 'a1', name: 'Ann' }, policy, NOW).state;
    const moved = transfer(h, { agentId: 'a1', skill: 'refunds' }, policy, at(4 * MIN)).state;
    const notes = deskNotes(h, moved, Date.parse(at(4 * MIN)));
    expect(notes).toEqual([
      { kind: 'handled', agentId: 'a1', skill: 'general', handleMs: 4 * MIN, outcome: 'transferred' },
      { kind: 'transferred', from: 'general', to: 'refunds' },
    ]);
    expect(notes.some((n) => n.kind === 'escalated')).toBe(false);
    expect(routingMessages(h, moved, Date.parse(at(4 * MIN))).map((m) => [m.to, m.kind, m.to === 'router' ? m.skill : m.agentId])).toEqual([
      ['agent', 'slot', 'a1'],
      ['router', 'enqueue', 'refunds'],
    ]);
    const back = release(h, { agentId: 'a1', to: 'ai' }, policy, at(2 * MIN)).state;
    expect(deskNotes(h, back, Date.parse(at(2 * MIN)))).toEqual([
      { kind: 'handled', agentId: 'a1', skill: 'general', handleMs: 2 * MIN, outcome: 'released_ai' },
      { kind: 'released', to: 'ai' },
    ]);
  });

  it('close outcomes: AI-resolved only when no person was ever involved', () => {
    const ai = fresh();
    expect(closeOutcome(ai, { ...ai, phase: 'closed' })).toBe('ai_resolved');
    const q = queued();
    expect(closeOutcome(q, { ...q, phase: 'closed' })).toBe('abandoned');
    const h = assignAgent(q, { id: 'a1', name: 'Ann' }, policy, NOW).state;
    const back = release(h, { agentId: 'a1', to: 'ai' }, policy, NOW).state;
    expect(closeOutcome(back, { ...back, phase: 'closed' })).toBe('human_resolved');
  });
});
