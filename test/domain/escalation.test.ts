import { bumpPriority, priorityCues, priorityFor, resolvePolicy, skillFor, isHighValueRefund, decideOnUnderstandFailure } from '../../src/domain';
import type { Customer, Emotion, EscalationReason, Intent, PriorityCue } from '../../src/workflows/contract';
import { customer, fresh, NOW, policy, seededTools, turn, u } from './helpers';

describe('escalation rules', () => {
  it.each([
    ['I want to talk to a human', 'en'],
    ['转人工', 'zh'],
    ['人工客服', 'zh'],
  ])('escalates an explicit request: %s', (text) => {
    const r = turn(fresh(), u('contact_human_agent', text, { humanRequested: true }));
    expect(r.escalation?.reasons).toEqual(['explicit_request']);
    expect(r.escalation?.priority).toBe('normal');
    expect(r.escalation?.skill).toBe('general');
    expect(r.state.ai.counters.humanRequests).toBe(1);
    expect(r.templates).toEqual(['escalating']);
  });

  it('honours the humanRequested flag whatever the intent, and routes by the task', () => {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because broken', { entities: { orderNumber: '100000000001' } }));
    r = turn(r.state, u('get_refund', 'just get me a real person', { humanRequested: true }));
    expect(r.escalation?.reasons).toEqual(['explicit_request']);
    expect(r.escalation?.skill).toBe('refunds');
  });

  it('answers in Chinese when escalating a Chinese conversation', () => {
    const r = turn(fresh('regular', 'zh'), u('contact_human_agent', '我要转人工', { humanRequested: true }));
    expect(r.replies[0]).toContain('正在为您转接人工客服');
  });

  it('escalates an angry customer with high priority', () => {
    const r = turn(fresh(), u('track_order', 'WHERE IS MY ORDER this is ridiculous', { emotion: 'angry' }));
    expect(r.escalation).toMatchObject({ reasons: ['negative_emotion'], priority: 'high', skill: 'orders' });
  });

  it('does not escalate mere negativity from a regular customer', () => {
    const r = turn(fresh(), u('track_order', 'a bit annoyed, where is my order', { emotion: 'negative' }));
    expect(r.escalation).toBeUndefined();
  });

  it('sends an angry VIP to the VIP desk as urgent', () => {
    const r = turn(fresh('vip'), u('track_order', 'unacceptable!!', { emotion: 'angry' }));
    expect(r.escalation?.reasons).toEqual(['negative_emotion', 'vip_customer']);
    expect(r.escalation?.priority).toBe('urgent');
    expect(r.escalation?.skill).toBe('vip');
  });

  it('escalates a VIP complaint straight away, as urgent (the design: VIP requests are urgent)', () => {
    const r = turn(fresh('vip'), u('complaint', 'I want to complain about the delivery'));
    expect(r.escalation).toMatchObject({ reasons: ['vip_customer'], priority: 'urgent', skill: 'vip' });
  });

  it('lets the AI serve a calm VIP', () => {
    const r = turn(fresh('vip'), u('track_order', 'track 100000000003', { entities: { orderNumber: '100000000003' } }));
    expect(r.escalation).toBeUndefined();
    expect(r.templates).toEqual(['order_status']);
  });

  it('any VIP escalation goes to the vip skill, carries the VIP reason and is urgent', () => {
    const r = turn(fresh('vip'), u('contact_human_agent', 'agent please', { humanRequested: true }));
    expect(r.escalation).toMatchObject({ reasons: ['explicit_request', 'vip_customer'], priority: 'urgent', skill: 'vip' });
  });

  it('escalates after more than maxAiTurns turns', () => {
    const p = resolvePolicy({ maxAiTurns: 3 });
    let s = fresh();
    for (let i = 0; i < 3; i++) {
      const r = turn(s, u('greeting', 'hi'), seededTools(), p);
      expect(r.escalation).toBeUndefined();
      s = r.state;
    }
    const r = turn(s, u('greeting', 'hi'), seededTools(), p);
    expect(r.escalation?.reasons).toEqual(['too_many_turns']);
  });

  it('defaults to 15 turns', () => {
    let s = fresh();
    for (let i = 0; i < 15; i++) s = turn(s, u('greeting', 'hello')).state;
    expect(turn(s, u('greeting', 'hello')).escalation?.reasons).toEqual(['too_many_turns']);
  });

  it('escalates after 3 consecutive AI failures', () => {
    const p = resolvePolicy({ maxLowConfidenceTurns: 99 });
    let r = turn(fresh(), u('track_order', 'track my order'), seededTools(), p);
    r = turn(r.state, u('track_order', 'it is 12345', { confidence: 0.9 }), seededTools(), p);
    expect(r.state.ai.counters.consecutiveAiFailures).toBe(1);
    r = turn(r.state, u('track_order', 'I said 12345', { confidence: 0.9 }), seededTools(), p);
    expect(r.escalation).toBeUndefined();
    r = turn(r.state, u('track_order', '123456 then', { confidence: 0.9 }), seededTools(), p);
    expect(r.escalation?.reasons).toEqual(['repeated_ai_failure']);
    expect(r.templates).toEqual(['escalating']);
  });

  it('resets the failure streak after a turn that helped', () => {
    const p = resolvePolicy({ maxLowConfidenceTurns: 99 });
    let r = turn(fresh(), u('out_of_scope', 'blorp', { confidence: 0.9 }), seededTools(), p);
    r = turn(r.state, u('out_of_scope', 'blorp', { confidence: 0.9 }), seededTools(), p);
    expect(r.state.ai.counters.consecutiveAiFailures).toBe(2);
    r = turn(r.state, u('greeting', 'hi'), seededTools(), p);
    expect(r.state.ai.counters.consecutiveAiFailures).toBe(0);
    r = turn(r.state, u('out_of_scope', 'blorp', { confidence: 0.9 }), seededTools(), p);
    expect(r.escalation).toBeUndefined();
  });

  it('escalates after three unclear turns in a row by default, as the policy table says', () => {
    let r = turn(fresh(), u('out_of_scope', 'asdf', { confidence: 0.2 }));
    expect(r.escalation).toBeUndefined();
    expect(r.templates).toEqual(['not_understood']);
    r = turn(r.state, u('out_of_scope', 'qwer', { confidence: 0.3 }));
    expect(r.escalation).toBeUndefined();
    r = turn(r.state, u('out_of_scope', 'zxcv', { confidence: 0.3 }));
    expect(r.escalation?.reasons).toEqual(expect.arrayContaining(['low_confidence']));
  });

  it('uses the configured number of unclear turns', () => {
    const p = resolvePolicy({ maxLowConfidenceTurns: 2 });
    let r = turn(fresh(), u('out_of_scope', 'asdf', { confidence: 0.2 }), seededTools(), p);
    r = turn(r.state, u('out_of_scope', 'qwer', { confidence: 0.3 }), seededTools(), p);
    expect(r.escalation?.reasons).toEqual(['low_confidence']);
  });

  it('low confidence streak is broken by a confident turn', () => {
    let r = turn(fresh(), u('out_of_scope', 'asdf', { confidence: 0.2 }));
    r = turn(r.state, u('greeting', 'hello'));
    r = turn(r.state, u('out_of_scope', 'qwer', { confidence: 0.3 }));
    expect(r.escalation).toBeUndefined();
    const p = resolvePolicy({ maxLowConfidenceTurns: 3 });
    let s = fresh();
    s = turn(s, u('out_of_scope', 'a', { confidence: 0.1 }), seededTools(), p).state;
    s = turn(s, u('out_of_scope', 'b', { confidence: 0.1 }), seededTools(), p).state;
    expect(turn(s, u('out_of_scope', 'c', { confidence: 0.1 }), seededTools(), p).escalation?.reasons).toContain('low_confidence');
  });

  it('escalates on a business rule (payment issues need a human)', () => {
    const r = turn(fresh(), u('payment_issue', 'I was charged twice'));
    expect(r.escalation).toMatchObject({ reasons: ['business_rule'], skill: 'refunds' });
  });

  it('escalates when the customer accepts an offered human', () => {
    let r = turn(fresh(), u('recover_password', 'I forgot my password'));
    expect(r.templates).toEqual(['info_offer_human']);
    expect(r.state.ai.offeredHuman).toBe(true);
    r = turn(r.state, u('affirm', 'yes please'));
    expect(r.escalation?.reasons).toEqual(['explicit_request']);
    expect(r.escalation?.skill).toBe('technical');
  });

  it('keeps helping when the customer declines the offered human', () => {
    let r = turn(fresh(), u('recover_password', 'I forgot my password'));
    r = turn(r.state, u('deny', 'no thanks'));
    expect(r.escalation).toBeUndefined();
    expect(r.templates).toEqual(['human_declined']);
    expect(r.state.ai.offeredHuman).toBe(false);
  });

  it('counts understanding failures and escalates the third', () => {
    let s = fresh();
    s = decideOnUnderstandFailure(s, policy, NOW).state;
    const second = decideOnUnderstandFailure(s, policy, NOW);
    expect(second.actions.map((a) => a.kind)).toEqual(['reply']);
    const third = decideOnUnderstandFailure(second.state, policy, NOW);
    expect(third.actions.find((a) => a.kind === 'escalate')).toMatchObject({ escalation: { reasons: ['repeated_ai_failure'] } });
  });
});

describe('priority and routing', () => {
  const routing = policy.routing;
  const p = (reasons: EscalationReason[], tier: Customer['tier'], emotion: Emotion, intent?: Intent, cues: PriorityCue[] = [], paying?: boolean) =>
    priorityFor({ reasons, customer: { ...customer(tier), ...(paying ? { paying } : {}) }, emotion, intent, cues }, routing);

  it('maps intents to skills from the routing policy', () => {
    const c = customer('regular');
    expect(skillFor('get_refund', c, routing)).toBe('refunds');
    expect(skillFor('track_order', c, routing)).toBe('orders');
    expect(skillFor('repair_request', c, routing)).toBe('technical');
    expect(skillFor('complaint', c, routing)).toBe('complaints');
    expect(skillFor('greeting', c, routing)).toBe('general');
    expect(skillFor(undefined, c, routing)).toBe('general');
    expect(skillFor('get_refund', customer('vip'), routing)).toBe('vip');
  });

  it('ranks as the design lists: urgent, high, normal, low', () => {
    // urgent: VIP, legal words, system faults
    expect(p(['explicit_request'], 'vip', 'neutral')).toBe('urgent');
    expect(p(['legal_threat'], 'regular', 'neutral', 'complaint', ['legal'])).toBe('urgent');
    expect(p(['explicit_request'], 'regular', 'neutral', undefined, ['system_fault'])).toBe('urgent');
    expect(p(['tool_failure'], 'regular', 'neutral')).toBe('urgent');
    // high: enterprise or paying customers, order and payment problems
    expect(p(['explicit_request'], 'enterprise', 'neutral', 'newsletter_subscription')).toBe('high');
    expect(p(['explicit_request'], 'regular', 'neutral', 'newsletter_subscription', [], true)).toBe('high');
    expect(p(['explicit_request'], 'regular', 'neutral', 'payment_issue')).toBe('high');
    expect(p(['explicit_request'], 'regular', 'neutral', 'track_order')).toBe('high');
    expect(p(['high_value_refund'], 'regular', 'neutral')).toBe('high');
    expect(p(['negative_emotion'], 'regular', 'angry')).toBe('high');
    expect(p(['complaint'], 'regular', 'neutral', 'complaint')).toBe('high');
    // normal: the rest
    expect(p(['explicit_request'], 'regular', 'neutral')).toBe('normal');
    expect(p(['explicit_request'], 'regular', 'neutral', 'greeting')).toBe('normal');
    // low: plain information
    expect(p(['explicit_request'], 'regular', 'neutral', 'check_payment_methods')).toBe('low');
    expect(p(['explicit_request'], 'regular', 'neutral', 'delivery_options')).toBe('low');
  });

  it('takes its rules from configuration', () => {
    const custom = { ...routing, priorities: { urgent: {}, high: { intents: ['greeting' as Intent] }, low: { tiers: ['enterprise' as const] } } };
    expect(priorityFor({ reasons: [], customer: customer('vip'), emotion: 'neutral', cues: [] }, custom)).toBe('normal');
    expect(priorityFor({ reasons: [], customer: customer('regular'), emotion: 'neutral', intent: 'greeting', cues: [] }, custom)).toBe('high');
    expect(priorityFor({ reasons: [], customer: customer('enterprise'), emotion: 'neutral', cues: [] }, custom)).toBe('low');
  });

  it('bumps priority one level, capped at urgent', () => {
    expect(bumpPriority('low')).toBe('normal');
    expect(bumpPriority('normal')).toBe('high');
    expect(bumpPriority('high')).toBe('urgent');
    expect(bumpPriority('urgent')).toBe('urgent');
  });

  it('compares refunds in USD, converting known currencies and sending unknown ones to a human', () => {
    expect(isHighValueRefund({ amount: 200, currency: 'USD' }, policy)).toBe(false);
    expect(isHighValueRefund({ amount: 200.01, currency: 'USD' }, policy)).toBe(true);
    expect(isHighValueRefund({ amount: 1299, currency: 'CNY' }, policy)).toBe(false);
    expect(isHighValueRefund({ amount: 3599, currency: 'CNY' }, policy)).toBe(true);
    expect(isHighValueRefund({ amount: 1, currency: 'XTS' }, policy)).toBe(true);
  });
});

describe('the topic is not lost (the design’s priorities through decide)', () => {
  const human = (text: string, topic?: Intent, extra: Partial<Parameters<typeof u>[2]> = {}) =>
    u('contact_human_agent', text, { humanRequested: true, ...(topic ? { topic: { intent: topic, confidence: 0.9 } } : {}), ...extra });

  it('a payment problem asked with a human request goes to the payments queue at high priority', () => {
    const en = turn(fresh(), human('my card was charged twice, I want a real person', 'payment_issue'));
    expect(en.escalation).toMatchObject({ reasons: ['explicit_request'], skill: 'refunds', priority: 'high' });
    expect(en.state.ai.lastIntent).toBe('payment_issue');
    const zh = turn(fresh('regular', 'zh'), human('我被扣了两次款，转人工', 'payment_issue'));
    expect(zh.escalation).toMatchObject({ skill: 'refunds', priority: 'high' });
  });

  it('a task and its details in the same message travel with the handover', () => {
    const r = turn(
      fresh(),
      human('I want a refund for order 100000000001, get me a human', 'get_refund', { entities: { orderNumber: '100000000001' } }),
    );
    expect(r.escalation).toMatchObject({ skill: 'refunds', priority: 'high' });
    expect(r.state.ai.task).toMatchObject({ intent: 'get_refund', slots: { orderNumber: '100000000001' } });
  });

  it('legal words are urgent and reach a person even from a calm customer (EN and 中文)', () => {
    const en = turn(fresh(), u('complaint', 'I will contact my lawyer about this', { emotion: 'neutral' }));
    expect(en.escalation).toMatchObject({ priority: 'urgent' });
    expect(en.escalation?.reasons).toContain('legal_threat');
    const zh = turn(fresh('regular', 'zh'), u('out_of_scope', '再不解决我就去法院起诉你们', { confidence: 0.3 }));
    expect(zh.escalation).toMatchObject({ priority: 'urgent', reasons: ['legal_threat'] });
    // And they keep counting later in the conversation.
    expect(zh.state.ai.cues).toEqual(['legal']);
  });

  it('a reported system fault is urgent', () => {
    const en = turn(fresh(), u('place_order', 'your website is down and I cannot pay', { confidence: 0.2 }));
    expect(en.escalation).toMatchObject({ reasons: ['system_fault'], priority: 'urgent' });
    const zh = turn(fresh('regular', 'zh'), u('payment_issue', '系统故障，付不了款'));
    expect(zh.escalation?.reasons).toEqual(expect.arrayContaining(['system_fault']));
    expect(zh.escalation?.priority).toBe('urgent');
  });

  it('plain information is low; enterprise customers rank high', () => {
    expect(turn(fresh(), human('what payment methods do you take? human please', 'check_payment_methods')).escalation?.priority).toBe('low');
    expect(turn(fresh('enterprise'), human('human please')).escalation?.priority).toBe('high');
    expect(turn(fresh(), human('human please')).escalation?.priority).toBe('normal');
  });

  it('does not mistake ordinary words for legal or fault cues', () => {
    for (const text of ['the food court delivery was late', 'I wonder if the app supports dark mode', 'is the system down for maintenance tonight?']) {
      const reasons = turn(fresh(), u('out_of_scope', text, { confidence: 0.2 })).escalation?.reasons ?? [];
      expect({ text, legal: reasons.includes('legal_threat') }).toEqual({ text, legal: false });
    }
    expect(priorityCues('I will take you to court')).toEqual(['legal']);
    expect(priorityCues('the app keeps crashing')).toEqual(['system_fault']);
    expect(priorityCues('我要去消协投诉你们')).toEqual(['legal']);
    expect(turn(fresh(), u('track_order', 'where is my order 100000000002', { entities: { orderNumber: '100000000002' } })).escalation).toBeUndefined();
  });
});

describe('system-fault cues in Chinese wording', () => {
  it.each(['我想转人工，你们的网站一直打不开', '系统又出错了', 'APP总是闪退', '页面加载不出来'])('%s', (text) => {
    expect(priorityCues(text)).toContain('system_fault');
  });
});
