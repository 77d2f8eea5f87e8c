import { fresh, policy, seededTools, turn, u } from './helpers';
import { resolvePolicy } from '../../src/domain';

describe('refund dialogue', () => {
  it('runs a full refund in English: order → lookup → reason → method → confirm → submit', () => {
    const tools = seededTools();
    let r = turn(fresh(), u('get_refund', 'I want a refund for order 100000000001', { entities: { orderNumber: '100000000001' } }), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder']);
    expect(r.templates).toEqual(['ask_reason_refund']);
    expect(r.state.ai.task?.facts.order?.total).toEqual({ amount: 59.9, currency: 'USD' });

    r = turn(r.state, u('out_of_scope', 'It stopped working after two days', { confidence: 0.3 }), tools);
    expect(r.state.ai.task?.slots.reason).toBe('It stopped working after two days');
    expect(r.templates).toEqual(['ask_refundMethod']);
    expect(r.state.ai.counters.lowConfidenceStreak).toBe(0);

    r = turn(r.state, u('out_of_scope', 'store credit please', { confidence: 0.4 }), tools);
    expect(r.templates).toEqual(['confirm_get_refund']);
    expect(r.replies[0]).toContain('USD 59.90');
    expect(r.replies[0]).toContain('100000000001');
    expect(r.replies[0]).toContain('store credit');
    expect(tools.calls).toHaveLength(1);

    r = turn(r.state, u('affirm', 'yes'), tools);
    expect(tools.calls[1]).toEqual({
      tool: 'submitRefund',
      input: { orderNumber: '100000000001', reason: 'It stopped working after two days', method: 'store_credit' },
    });
    expect(r.templates).toEqual(['refund_submitted']);
    expect(r.replies[0]).toContain('RF-1');
    expect(r.replies[0]).toContain('USD 59.90');
    expect(r.state.ai.task).toBeUndefined();
    expect(r.escalation).toBeUndefined();
    expect(r.state.toolCalls.map((c) => [c.tool, c.ok])).toEqual([
      ['getOrder', true],
      ['submitRefund', true],
    ]);
  });

  it('runs a full refund in Chinese with Chinese replies', () => {
    const tools = seededTools();
    let r = turn(fresh('regular', 'zh'), u('get_refund', '我要退款，订单号100000000006', { entities: { orderNumber: '100000000006' } }), tools);
    expect(r.replies).toEqual(['请问退款原因是什么？']);
    r = turn(r.state, u('out_of_scope', '质量有问题，用了两天就坏了', { confidence: 0.2 }), tools);
    expect(r.templates).toEqual(['ask_refundMethod']);
    expect(r.replies[0]).toContain('原支付方式');
    r = turn(r.state, u('out_of_scope', '原路退回吧', { confidence: 0.3 }), tools);
    expect(r.state.ai.task?.slots.refundMethod).toBe('original_payment');
    expect(r.replies[0]).toContain('CNY 1299.00');
    expect(r.replies[0]).toContain('确认提交吗');
    r = turn(r.state, u('affirm', '确认'), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder', 'submitRefund']);
    expect(r.replies[0]).toMatch(/^订单 100000000006 的退款申请 RF-1（CNY 1299.00，退至原支付方式）状态：已提交。$/);
  });

  it('escalates a refund above the limit instead of submitting it', () => {
    const tools = seededTools();
    const r = turn(fresh(), u('get_refund', 'refund order 100000000003 please', { entities: { orderNumber: '100000000003' } }), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder']);
    expect(r.escalation?.reasons).toEqual(['high_value_refund']);
    expect(r.escalation?.priority).toBe('high');
    expect(r.escalation?.skill).toBe('refunds');
    expect(r.replies[0]).toContain('USD 899.00');
  });

  it('uses the configured refund limit', () => {
    const strict = resolvePolicy({ refundEscalationAmount: 50 });
    const r = turn(fresh(), u('get_refund', 'refund 100000000001', { entities: { orderNumber: '100000000001' } }), seededTools(), strict);
    expect(r.escalation?.reasons).toContain('high_value_refund');
  });

  it('takes the reason from "because …" in the opening message', () => {
    const r = turn(fresh(), u('get_refund', 'I need a refund for 100000000001 because it arrived broken', { entities: { orderNumber: '100000000001' } }));
    expect(r.state.ai.task?.slots.reason).toBe('it arrived broken');
    expect(r.templates).toEqual(['ask_refundMethod']);
  });
});

describe('corrections and confirmation', () => {
  function atConfirm() {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because it is broken', { entities: { orderNumber: '100000000001' } }));
    r = turn(r.state, u('out_of_scope', 'to my card', { confidence: 0.3 }));
    expect(r.templates).toEqual(['confirm_get_refund']);
    return r.state;
  }

  it('replaces the order number on "no, it\'s order …" and confirms again with the new order\'s data', () => {
    const tools = seededTools();
    const r = turn(atConfirm(), u('deny', "no, it's order 100000000004", { entities: { orderNumber: '100000000004' } }), tools);
    expect(r.state.ai.task?.slots.orderNumber).toBe('100000000004');
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder']);
    expect(r.templates).toEqual(['confirm_get_refund']);
    expect(r.replies[0]).toContain('100000000004');
    expect(r.replies[0]).toContain('USD 24.50');
    expect(r.state.ai.task?.slots.reason).toBe('it is broken');
  });

  it('reads a correction even when the NLU calls it another task intent', () => {
    const r = turn(atConfirm(), u('track_order', 'no, order 100000000004', { entities: { orderNumber: '100000000004' } }));
    expect(r.state.ai.task?.intent).toBe('get_refund');
    expect(r.state.ai.task?.slots.orderNumber).toBe('100000000004');
  });

  it('asks what to change on a plain no, then asks the named slot', () => {
    let r = turn(atConfirm(), u('deny', 'no'));
    expect(r.templates).toEqual(['ask_change']);
    expect(r.replies[0]).toContain('order number, reason, refund method');
    r = turn(r.state, u('out_of_scope', 'the reason', { confidence: 0.2 }));
    expect(r.templates).toEqual(['ask_reason_refund']);
    expect(r.state.ai.task?.slots.reason).toBeUndefined();
    r = turn(r.state, u('out_of_scope', 'it was a duplicate gift', { confidence: 0.2 }));
    expect(r.templates).toEqual(['confirm_get_refund']);
    expect(r.replies[0]).toContain('it was a duplicate gift');
  });

  it('drops the task after no, then no again', () => {
    let r = turn(atConfirm(), u('deny', 'no'));
    r = turn(r.state, u('deny', 'no, never mind'));
    expect(r.templates).toEqual(['task_dropped']);
    expect(r.state.ai.task).toBeUndefined();
  });

  it('never runs the side effect without a yes', () => {
    const tools = seededTools();
    const r = turn(atConfirm(), u('out_of_scope', 'hmm', { confidence: 0.2 }), tools);
    expect(tools.calls).toHaveLength(0);
    expect(r.templates).toEqual(['confirm_again']);
  });

  it('answers an unrelated question without losing the pending confirmation', () => {
    const tools = seededTools();
    let r = turn(atConfirm(), u('greeting', 'hello'), tools);
    expect(r.templates).toEqual(['greeting']);
    expect(r.state.ai.task?.awaiting).toEqual({ kind: 'confirm' });
    r = turn(r.state, u('affirm', 'yes go ahead'), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['submitRefund']);
    expect(r.templates).toEqual(['refund_submitted']);
  });
});

describe('intent switch', () => {
  it('clears the refund slots when the customer switches to tracking', () => {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because it is broken', { entities: { orderNumber: '100000000001' } }));
    expect(r.state.ai.task?.slots).toEqual({ orderNumber: '100000000001', reason: 'it is broken' });
    const tools = seededTools();
    r = turn(r.state, u('track_order', 'actually where is my order 100000000002?', { entities: { orderNumber: '100000000002' } }), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder', 'trackShipment']);
    expect(r.templates).toEqual(['shipment_status']);
    expect(r.state.ai.task).toBeUndefined();
    expect(r.state.ai.attempts.some((a) => a.startsWith('Switched from get_refund to track_order'))).toBe(true);
  });

  it('does not carry the old order number into the new task', () => {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because it is broken', { entities: { orderNumber: '100000000001' } }));
    r = turn(r.state, u('cancel_order', 'I want to cancel an order instead'));
    expect(r.state.ai.task).toMatchObject({ intent: 'cancel_order', slots: {} });
    expect(r.templates).toEqual(['ask_orderNumber']);
  });

  it('switches in Chinese too', () => {
    let r = turn(fresh('regular', 'zh'), u('get_refund', '我要退款', {}));
    expect(r.replies).toEqual(['请提供您的12位订单号。']);
    r = turn(r.state, u('change_shipping_address', '算了，我想改一下收货地址'));
    expect(r.state.ai.task?.intent).toBe('change_shipping_address');
    expect(r.replies).toEqual(['请提供您的12位订单号。']);
  });

  it('reads a free-text answer as the answer unless the switch is very clear', () => {
    let r = turn(fresh(), u('return_exchange', 'I want to return order 100000000001', { entities: { orderNumber: '100000000001' } }));
    expect(r.templates).toEqual(['ask_reason_return']);
    r = turn(r.state, u('complaint', 'the screen is scratched', { confidence: 0.6 }));
    expect(r.state.ai.task?.intent).toBe('return_exchange');
    expect(r.state.ai.task?.slots.reason).toBe('the screen is scratched');
  });
});

describe('slot filling one at a time', () => {
  it('tracks an order from a bare order number answer', () => {
    let r = turn(fresh(), u('track_order', 'where is my package'));
    expect(r.templates).toEqual(['ask_orderNumber']);
    r = turn(r.state, u('out_of_scope', '100000000002', { confidence: 0.1, entities: { orderNumber: '100000000002' } }));
    expect(r.templates).toEqual(['shipment_status']);
    expect(r.replies[0]).toContain('UPS');
    expect(r.replies[0]).toContain('1Z999AA10000000002');
    expect(r.replies[0]).toContain('Portland, OR: Arrived at destination facility');
    expect(r.replies[0]).toContain('2025-06-03');
    expect(r.state.ai.counters.lowConfidenceStreak).toBe(0);
  });

  it('shows the order record for a delivered order (no live tracking needed)', () => {
    const tools = seededTools();
    const r = turn(fresh(), u('track_order', 'status of 100000000001', { entities: { orderNumber: '100000000001' } }), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder']);
    expect(r.replies[0]).toBe('Order 100000000001: delivered. Total USD 59.90, placed 2025-05-02 09:14 UTC, delivered 2025-05-06 15:40 UTC.');
  });

  it('re-asks with a hint for a malformed order number', () => {
    let r = turn(fresh(), u('track_order', 'track my order'));
    r = turn(r.state, u('track_order', 'it is 12345', { confidence: 0.7 }));
    expect(r.templates).toEqual(['invalid_order_number']);
    expect(r.state.ai.counters.consecutiveAiFailures).toBe(1);
    expect(r.state.ai.task?.awaiting).toEqual({ kind: 'slot', slot: 'orderNumber' });
  });

  it('runs an exchange: type from the text, then reason, confirm, create', () => {
    const tools = seededTools();
    let r = turn(fresh(), u('return_exchange', 'I want to exchange order 100000000001', { entities: { orderNumber: '100000000001' } }), tools);
    expect(r.replies).toEqual(["What's the reason for the exchange?"]);
    r = turn(r.state, u('out_of_scope', 'wrong size', { confidence: 0.3 }), tools);
    expect(r.templates).toEqual(['confirm_return_exchange']);
    r = turn(r.state, u('affirm', 'ok'), tools);
    expect(tools.calls).toEqual([
      { tool: 'getOrder', input: { orderNumber: '100000000001' }, purpose: 'verify' },
      { tool: 'createReturn', input: { orderNumber: '100000000001', type: 'exchange', reason: 'wrong size' } },
    ]);
    expect(r.replies[0]).toContain('RMA-1');
    expect(r.replies[0]).toContain('Print the label we emailed you.');
  });

  it('asks return or exchange when the text does not say', () => {
    const r = turn(fresh(), u('return_exchange', 'problem with order 100000000001, can you help', { entities: { orderNumber: '100000000001' } }));
    expect(r.templates).toEqual(['ask_returnType']);
  });

  it('takes a substantive repair description from the opening message', () => {
    const tools = seededTools();
    let r = turn(
      fresh(),
      u('repair_request', 'My laptop from order 100000000003 will not turn on since the update yesterday', { entities: { orderNumber: '100000000003' } }),
      tools,
    );
    expect(r.templates).toEqual(['confirm_repair_request']);
    r = turn(r.state, u('affirm', 'yes'), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['getOrder', 'createRepair']);
    expect(r.replies[0]).toContain('RP-1');
  });

  it('changes a shipping address after confirmation', () => {
    const tools = seededTools();
    let r = turn(fresh(), u('change_shipping_address', 'change the address of 100000000004', { entities: { orderNumber: '100000000004' } }), tools);
    expect(r.templates).toEqual(['ask_address']);
    r = turn(r.state, u('out_of_scope', '5 Oak Lane, Springfield, IL 62702', { confidence: 0.2 }), tools);
    expect(r.replies[0]).toContain('5 Oak Lane, Springfield, IL 62702');
    r = turn(r.state, u('affirm', 'yes'), tools);
    expect(tools.calls).toEqual([
      { tool: 'getOrder', input: { orderNumber: '100000000004' }, purpose: 'verify' },
      { tool: 'changeAddress', input: { orderNumber: '100000000004', address: '5 Oak Lane, Springfield, IL 62702' } },
    ]);
    expect(r.templates).toEqual(['address_changed']);
  });

  it('cancels an order after confirmation (Chinese)', () => {
    const tools = seededTools();
    let r = turn(fresh('regular', 'zh'), u('cancel_order', '取消订单100000000004', { entities: { orderNumber: '100000000004' } }), tools);
    expect(r.replies).toEqual(['请确认：取消订单 100000000004。确认取消吗？']);
    r = turn(r.state, u('affirm', '好的'), tools);
    expect(r.replies).toEqual(['订单 100000000004 已取消。']);
  });

  it("files a complaint as a ticket when complaint handling is 'ticket'", () => {
    const tools = seededTools();
    const ticketPolicy = resolvePolicy({ routing: { ...policy.routing, complaintHandling: 'ticket' } });
    const turnT = (s: Parameters<typeof turn>[0], x: Parameters<typeof turn>[1]) => turn(s, x, tools, ticketPolicy);
    let r = turnT(fresh(), u('complaint', 'I want to make a complaint'));
    expect(r.templates).toEqual(['ask_description_complaint']);
    r = turnT(r.state, u('out_of_scope', 'the courier threw the box over the fence', { confidence: 0.4 }));
    expect(r.templates).toEqual(['confirm_complaint']);
    r = turnT(r.state, u('affirm', 'yes'));
    expect(tools.calls[0]).toMatchObject({
      tool: 'createTicket',
      input: { kind: 'complaint', conversationId: 'conv-1', customerId: 'cust-regular', description: 'the courier threw the box over the fence' },
    });
    expect(r.replies[0]).toContain('TK-1');
  });

  it('by default hands a calm complaint to a person, with what the customer described', () => {
    const tools = seededTools();
    let r = turn(fresh(), u('complaint', 'I want to make a complaint'), tools);
    expect(r.templates).toEqual(['ask_description_complaint']);
    r = turn(r.state, u('out_of_scope', 'the courier threw the box over the fence', { confidence: 0.4 }), tools);
    expect(r.templates).toEqual(['escalating_complaint']);
    expect(r.escalation).toMatchObject({ reasons: ['complaint'], skill: 'complaints', priority: 'high' });
    expect(r.state.ai.task?.slots.description).toBe('the courier threw the box over the fence');
    expect(tools.calls).toEqual([]);
  });

  it('hands a calm Chinese complaint with its description straight to a person', () => {
    const r = turn(fresh('regular', 'zh'), u('complaint', '我要投诉，快递员把包裹扔在门口还态度很差'));
    expect(r.escalation).toMatchObject({ reasons: ['complaint'], skill: 'complaints' });
    expect(r.replies[0]).toContain('客户关怀团队');
  });

  it('closes on goodbye when nothing is pending', () => {
    const r = turn(fresh(), u('goodbye', 'thanks, bye'));
    expect(r.templates).toEqual(['goodbye']);
    expect(r.closed).toBe('customer said goodbye');
  });

  it('does not close on goodbye with a task open', () => {
    let r = turn(fresh(), u('track_order', 'track my order'));
    r = turn(r.state, u('goodbye', 'bye'));
    expect(r.closed).toBeUndefined();
  });

  it('keeps time out of the policy: the same inputs give the same outputs', () => {
    const a = turn(fresh(), u('track_order', 'track 100000000002', { entities: { orderNumber: '100000000002' } }));
    const b = turn(fresh(), u('track_order', 'track 100000000002', { entities: { orderNumber: '100000000002' } }));
    expect(a.replies).toEqual(b.replies);
    expect(a.state.ai).toEqual(b.state.ai);
  });
});

describe('unsure yes/no from the classifier', () => {
  it('takes a low-confidence "affirm" as the free-text answer it is', () => {
    let r = turn(fresh('regular', 'zh'), u('get_refund', '我要退款，订单号100000000006', { entities: { orderNumber: '100000000006' } }));
    r = turn(r.state, u('affirm', '质量有问题', { confidence: 0.27 }));
    expect(r.state.ai.task?.slots.reason).toBe('质量有问题');
    expect(r.templates).toEqual(['ask_refundMethod']);
  });

  it('does not read an unsure "affirm" as accepting a human', () => {
    let r = turn(fresh(), u('recover_password', 'I forgot my password'));
    expect(r.state.ai.offeredHuman).toBe(true);
    r = turn(r.state, u('affirm', 'the reset mail never came', { confidence: 0.3 }));
    expect(r.escalation).toBeUndefined();
  });

  it('still reads a literal yes with low classifier confidence', () => {
    const r = turn(fresh(), u('cancel_order', 'cancel 100000000004', { entities: { orderNumber: '100000000004' } }));
    const tools = seededTools();
    turn(r.state, u('out_of_scope', 'yes', { confidence: 0.1 }), tools);
    expect(tools.calls.map((c) => c.tool)).toEqual(['cancelOrder']);
  });
});
