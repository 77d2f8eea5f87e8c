import { afterTool, type ConversationState } from '../../src/domain';
import { fresh, NOW, policy, seededTools, turn, u } from './helpers';

function awaitingLookup(): ConversationState {
  const r = turn(fresh(), u('track_order', 'where is my order'));
  return r.state;
}

describe('afterTool: replies from tool data only', () => {
  it('says plainly that the lookup failed, offers a human, and states no order data', () => {
    const down = seededTools({ getOrder: { ok: false, error: 'unavailable', attempts: 4 } });
    const r = turn(awaitingLookup(), u('out_of_scope', '100000000002', { confidence: 0.2, entities: { orderNumber: '100000000002' } }), down);
    expect(r.templates).toEqual(['tool_unavailable']);
    expect(r.replies[0]).toBe(
      "Sorry — I couldn't retrieve the order details right now. Would you like me to connect you with a human agent? You can also ask me again in a moment.",
    );
    expect(r.replies[0]).not.toMatch(/transit|deliver|USD|UPS|\d{4}/i);
    expect(r.state.ai.offeredHuman).toBe(true);
    expect(r.state.ai.counters.toolFailures).toBe(1);
    expect(r.state.toolCalls).toEqual([
      { tool: 'getOrder', ok: false, summary: 'getOrder for order 100000000002: no answer from the system after 4 attempts', at: NOW },
    ]);
    expect(r.escalation).toBeUndefined();
  });

  it('in Chinese as well', () => {
    let r = turn(fresh('regular', 'zh'), u('track_order', '查一下我的订单'));
    r = turn(r.state, u('out_of_scope', '100000000007', { confidence: 0.2, language: 'zh', entities: { orderNumber: '100000000007' } }), seededTools({ getOrder: { ok: false, error: 'unavailable' } }));
    expect(r.replies[0]).toBe('抱歉，暂时无法查询订单信息。需要为您转接人工客服吗？您也可以稍后再问我一次。');
  });

  it('escalates on the second tool failure in the conversation', () => {
    const down = seededTools({ getOrder: { ok: false, error: 'unavailable' } });
    let r = turn(awaitingLookup(), u('track_order', 'track 100000000002', { entities: { orderNumber: '100000000002' } }), down);
    expect(r.escalation).toBeUndefined();
    r = turn(r.state, u('track_order', 'please try 100000000002 again', { entities: { orderNumber: '100000000002' } }), down);
    expect(r.escalation?.reasons).toEqual(['tool_failure']);
    expect(r.templates).toEqual(['escalating_tool_failure']);
    expect(r.replies.join(' ')).not.toMatch(/transit|USD/);
  });

  it('uses the configured tool failure limit', () => {
    const down = seededTools({ getOrder: { ok: false, error: 'unavailable' } });
    const r = turn(fresh(), u('track_order', 'track 100000000002', { entities: { orderNumber: '100000000002' } }), down, { ...policy, maxToolFailures: 1 });
    expect(r.escalation?.reasons).toContain('tool_failure');
  });

  it('asks again when the order does not exist (not an outage)', () => {
    const r = turn(fresh(), u('track_order', 'track 999999999999', { entities: { orderNumber: '999999999999' } }));
    expect(r.templates).toEqual(['order_not_found']);
    expect(r.replies[0]).toContain('999999999999');
    expect(r.state.ai.task?.slots.orderNumber).toBeUndefined();
    expect(r.state.ai.task?.awaiting).toEqual({ kind: 'slot', slot: 'orderNumber' });
    expect(r.state.ai.counters.toolFailures).toBe(0);
  });

  it('reports a rejected side effect without claiming it happened', () => {
    const rejecting = seededTools({ cancelOrder: { ok: false, error: 'bad_request' } });
    let r = turn(fresh(), u('cancel_order', 'cancel 100000000001', { entities: { orderNumber: '100000000001' } }), rejecting);
    r = turn(r.state, u('affirm', 'yes'), rejecting);
    expect(r.templates).toEqual(['tool_rejected']);
    expect(r.replies[0]).not.toMatch(/has been cancelled/);
    expect(r.state.ai.offeredHuman).toBe(true);
    expect(r.state.toolCalls.map((c) => [c.tool, c.ok])).toEqual([
      ['getOrder', true],
      ['cancelOrder', false],
    ]);
  });

  it('renders a rejected refund as rejected', () => {
    const tools = seededTools({
      submitRefund: { ok: true, result: { refundId: 'RF-9', orderNumber: '100000000001', status: 'rejected', amount: { amount: 59.9, currency: 'USD' }, method: 'store_credit' } },
    });
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because broken', { entities: { orderNumber: '100000000001', refundMethod: 'store_credit' } }), tools);
    expect(r.templates).toEqual(['confirm_get_refund']);
    r = turn(r.state, u('affirm', 'yes'), tools);
    expect(r.templates).toEqual(['refund_rejected']);
    expect(r.replies[0]).toContain('RF-9');
  });

  it('takes amounts, ids and dates from the result, not from the request', () => {
    const s = turn(fresh(), u('get_refund', 'refund 100000000001 because broken', { entities: { orderNumber: '100000000001', refundMethod: 'bank_transfer' } })).state;
    const r = afterTool(
      s,
      { tool: 'submitRefund', input: { orderNumber: '100000000001', reason: 'broken', method: 'bank_transfer' } },
      { ok: true, result: { refundId: 'RF-77', orderNumber: '100000000001', status: 'approved', amount: { amount: 12.34, currency: 'USD' }, method: 'store_credit' } },
      policy,
      NOW,
    );
    const text = r.actions.find((a) => a.kind === 'reply');
    expect(text).toMatchObject({ text: 'Your refund request RF-77 for order 100000000001 (USD 12.34, to store credit) is approved.' });
    expect(r.record.summary).toBe('refund RF-77 for order 100000000001: approved, USD 12.34');
  });

  it('leaves the input state untouched', () => {
    const s = awaitingLookup();
    const before = JSON.stringify(s);
    afterTool(s, { tool: 'getOrder', input: { orderNumber: '100000000001' }, purpose: 'track' }, { ok: false, error: 'unavailable' }, policy, NOW);
    expect(JSON.stringify(s)).toBe(before);
  });
});
