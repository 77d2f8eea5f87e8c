import { buildEscalation, buildHandover } from '../../src/domain';
import { customer, fresh, NOW, policy, seededTools, turn, u } from './helpers';

describe('handover', () => {
  it('describes a tool-failure escalation completely and only from state', () => {
    const down = seededTools({ getOrder: { ok: false, error: 'unavailable', attempts: 4 } });
    let r = turn(fresh(), u('get_refund', 'refund for 100000000002 because it never arrived', { entities: { orderNumber: '100000000002' } }), down);
    r = turn(r.state, u('get_refund', 'try again: 100000000002', { entities: { orderNumber: '100000000002' }, emotion: 'negative' }), down);
    expect(r.escalation?.reasons).toEqual(['tool_failure']);
    const h = buildHandover(r.state, r.escalation!);
    expect(h).toMatchObject({
      conversationId: 'conv-1',
      customer: customer('regular'),
      language: 'en',
      intent: 'get_refund',
      filledSlots: { orderNumber: '100000000002', reason: 'it never arrived' },
      missingSlots: ['refundMethod'],
      orderIds: ['100000000002'],
      reasons: ['tool_failure'],
      emotion: 'negative',
      // A failing order system is a system fault: urgent, as the design lists it.
      priority: 'urgent',
      skill: 'refunds',
      source: 'template',
    });
    expect(h.toolCalls).toHaveLength(2);
    expect(h.toolCalls.every((c) => !c.ok)).toBe(true);
    expect(h.aiAttempts).toEqual(expect.arrayContaining(['Started get_refund', 'Looked up order 100000000002']));
    expect(h.aiAttempts.some((a) => a.startsWith('Escalated (tool_failure)'))).toBe(true);
    expect(h.recommendedAction).toContain('order 100000000002');
    expect(h.recommendedAction).toContain('2 failed calls');
    expect(h.summary).toContain('REGULAR customer Alice Johnson (cust-regular)');
    expect(h.summary).toContain('Missing: refund method.');
    expect(h.summary).toContain('order systems did not respond');
  });

  it('recommends a review for a high-value refund, with the amount from the order lookup', () => {
    const r = turn(fresh(), u('get_refund', 'refund 100000000003', { entities: { orderNumber: '100000000003' } }));
    const h = buildHandover(r.state, r.escalation!);
    expect(h.recommendedAction).toBe('Review the refund for order 100000000003 (USD 899.00) and approve or decline it; the assistant has not submitted it.');
    expect(h.toolCalls).toEqual([{ tool: 'getOrder', ok: true, summary: 'order 100000000003: delivered, USD 899.00', at: NOW }]);
  });

  it('asks the agent to greet when nothing is known (in the language asked for)', () => {
    const s = fresh('enterprise', 'zh');
    const h = buildHandover(s, buildEscalation({ reasons: ['explicit_request'], customer: s.customer, emotion: 'neutral' }, policy.routing, NOW), 'en');
    expect(h.recommendedAction).toBe('Greet the customer and ask how you can help.');
    expect(h.intent).toBeUndefined();
    expect(h.summary).toContain('writing in Chinese');
    expect(h.summary).toContain('Topic not identified.');
    expect(h.filledSlots).toEqual({});
  });

  it('is deterministic', () => {
    const r = turn(fresh(), u('get_refund', 'refund 100000000003', { entities: { orderNumber: '100000000003' } }));
    expect(buildHandover(r.state, r.escalation!)).toEqual(buildHandover(r.state, r.escalation!));
  });
});
