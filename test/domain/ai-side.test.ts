/**
 * Defects of issue 8 that sit in pure policy: each test here failed before its fix.
 */
import { buildHandover, resolvePolicy } from '../../src/domain';
import { defaultSeed, SEED_REFERENCE_DATE } from '../../src/commerce/seed';
import { fresh, NOW, seededTools, turn, u } from './helpers';
import { initialState } from '../../src/domain';

const HAN = /[\u4e00-\u9fff]/;

describe('English replies carry English text only', () => {
  it("shows SF Express and the English event for a Chinese carrier's shipment", () => {
    const s = initialState({ conversationId: 'c', customer: { id: 'cust-cn-vip', name: '李娜', tier: 'vip' }, locale: 'en' }, NOW);
    const r = turn(s, u('track_order', 'where is my order 100000000007', { entities: { orderNumber: '100000000007' } }));
    expect(r.templates).toEqual(['shipment_status']);
    expect(r.replies[0]).toContain('SF Express');
    expect(r.replies[0]).toContain('Wuhan sorting centre: In transit');
    expect(r.replies[0]).not.toMatch(HAN);
  });

  it('keeps the carrier\'s own words in Chinese replies', () => {
    const s = initialState({ conversationId: 'c', customer: { id: 'cust-cn-vip', name: '李娜', tier: 'vip' }, locale: 'zh' }, NOW);
    const r = turn(s, u('track_order', '订单100000000007到哪了', { entities: { orderNumber: '100000000007' } }));
    expect(r.replies[0]).toContain('顺丰速运');
    expect(r.replies[0]).toContain('武汉转运中心');
  });
});

describe('seed data relative to now', () => {
  it('moves every date by whole days so estimates are ahead and history behind', () => {
    const now = new Date('2026-12-01T16:00:00.000Z');
    const seed = defaultSeed(now);
    for (const s of seed.shipments) {
      if (s.estimatedDelivery && s.status !== 'delivered') expect(Date.parse(`${s.estimatedDelivery}T23:59:59Z`)).toBeGreaterThan(now.getTime());
      for (const e of s.events) expect(Date.parse(e.at)).toBeLessThan(now.getTime());
    }
    for (const o of seed.orders) expect(Date.parse(o.placedAt)).toBeLessThan(now.getTime());
    // On the day it was written for, it is the seed as written.
    expect(defaultSeed(new Date(`${SEED_REFERENCE_DATE}T12:00:00Z`)).shipments[1]!.estimatedDelivery).toBe('2025-06-03');
  });
});

describe('compensation', () => {
  it('sends a compensation demand to a human with its own reason and never starts a refund', () => {
    const tools = seededTools();
    const r = turn(fresh(), u('get_refund', 'I demand 500 dollars compensation for order 100000000001', { confidence: 0.85, entities: { orderNumber: '100000000001' } }), tools);
    expect(r.escalation?.reasons).toContain('compensation_request');
    expect(r.templates).toEqual(['escalating_compensation']);
    expect(tools.calls).toEqual([]);
    expect(buildHandover(r.state, r.escalation!).recommendedAction).toMatch(/compensation/);
  });

  it('does the same in Chinese', () => {
    const r = turn(fresh('regular', 'zh'), u('complaint', '东西坏了，你们必须赔偿我', { confidence: 0.9 }));
    expect(r.escalation?.reasons).toContain('compensation_request');
    expect(r.replies[0]).toMatch(/赔偿需要由我们的团队决定/);
  });
});

describe('business refusals in plain words', () => {
  it('says why a refund is refused, in Chinese too, without an apology or the vague "system did not accept"', () => {
    const refusing = seededTools({ submitRefund: { ok: false, error: 'bad_request', code: 'order_not_refundable' } });
    let r = turn(fresh('regular', 'zh'), u('get_refund', '订单100000000004退款', { entities: { orderNumber: '100000000004' } }), refusing);
    r = turn(r.state, u('out_of_scope', '不想要了', { confidence: 0.3 }), refusing);
    r = turn(r.state, u('out_of_scope', '原路退回', { confidence: 0.3 }), refusing);
    r = turn(r.state, u('affirm', '确认'), refusing);
    expect(r.templates).toEqual(['refusal_order_not_refundable']);
    expect(r.replies[0]).toContain('订单尚未发货，您可以直接取消订单');
    expect(r.replies[0]).not.toMatch(/抱歉|系统未受理/);
    expect(r.state.toolCalls.at(-1)?.summary).toBe('submitRefund for order 100000000004: refused (order_not_refundable)');
  });
});

describe('the VIP rule', () => {
  const vipTurn = (rule: 'upset' | 'immediate' | 'after_unresolved') => {
    const p = resolvePolicy({ vipRule: rule });
    let r = turn(fresh('vip'), u('greeting', 'hi'), seededTools(), p);
    const first = r.escalation;
    r = turn(r.state, u('out_of_scope', 'blorp', { confidence: 0.2 }), seededTools(), p);
    return { first, second: r.escalation };
  };

  it("'immediate' hands a VIP to a person on the first message", () => {
    expect(vipTurn('immediate').first?.reasons).toContain('vip_customer');
  });

  it("'after_unresolved' (the default) waits for the first turn the AI cannot resolve", () => {
    const r = vipTurn('after_unresolved');
    expect(r.first).toBeUndefined();
    expect(r.second?.reasons).toContain('vip_customer');
    expect(resolvePolicy().vipRule).toBe('after_unresolved');
  });

  it("'upset' keeps a calm VIP with the AI", () => {
    const r = vipTurn('upset');
    expect(r.first).toBeUndefined();
    expect(r.second).toBeUndefined();
  });

  it('refuses an unknown rule', () => {
    expect(() => resolvePolicy({ vipRule: 'sometimes' as never })).toThrow(/vipRule/);
  });
});

describe('handover keeps dropped tasks', () => {
  it('lists a task dropped mid-way', () => {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001', { entities: { orderNumber: '100000000001' } }));
    r = turn(r.state, u('deny', '算了'));
    r = turn(r.state, u('cancel_order', 'cancel order 100000000004', { entities: { orderNumber: '100000000004' } }));
    r = turn(r.state, u('contact_human_agent', 'human please', { humanRequested: true }));
    const h = buildHandover(r.state, r.escalation!);
    expect(h.droppedTasks).toEqual([{ intent: 'get_refund', slots: { orderNumber: '100000000001' }, how: 'dropped' }]);
    expect(h.summary).toContain('Earlier requests: get a refund 100000000001 (dropped)');
    expect(h.intent).toBe('cancel_order');
  });

  it('writes the handover in the language asked for, with the same facts', () => {
    const r = turn(fresh('regular', 'en'), u('get_refund', 'refund 100000000003', { entities: { orderNumber: '100000000003' } }));
    expect(r.escalation).toBeDefined();
    const en = buildHandover(r.state, r.escalation!);
    const zh = buildHandover(r.state, r.escalation!, 'zh');
    expect(zh.summary).toMatch(/^普通客户/);
    expect(zh.recommendedAction).toMatch(/审核订单 100000000003/);
    expect({ ...zh, summary: '', recommendedAction: '', handoverLanguage: 'en' }).toEqual({ ...en, summary: '', recommendedAction: '' });
  });
});
