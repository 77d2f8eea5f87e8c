/**
 * AI-phase dialogues through the real SDK and the embedded server: refund in
 * English and Chinese, order tracking, an intent switch, merged bursts,
 * duplicate message ids, search attributes.
 */
import { searchAttributes, stateQuery, transcriptQuery } from '../../src/workflows/contract';
import { defaultSeed } from '../../src/commerce/seed';
import { formatTime } from '../../src/domain';
import { fakeActivities, say, startConversation, startTestEnv, textsFrom, waitForEntries, waitForState, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('AI dialogues', () => {
  it('runs a full refund dialogue in English', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'I want a refund for order 100000000001');
    let transcript = await waitForEntries(h, 1);
    expect(textsFrom(transcript).at(-1)).toBe("What's the reason for the refund?");
    await say(h, 'It stopped working after two days');
    transcript = await waitForEntries(h, 2);
    expect(textsFrom(transcript).at(-1)).toContain('original payment method');
    await say(h, 'store credit please');
    transcript = await waitForEntries(h, 3);
    expect(textsFrom(transcript).at(-1)).toBe(
      'To confirm: refund of USD 59.90 for order 100000000001, reason "It stopped working after two days", to store credit. Shall I submit it?',
    );
    expect(calls.count('submitRefund')).toBe(0);
    await say(h, 'yes');
    transcript = await waitForEntries(h, 4);
    expect(textsFrom(transcript).at(-1)).toBe('Your refund request RF-001 for order 100000000001 (USD 59.90, to store credit) is submitted.');
    expect(calls.byName.submitRefund).toEqual([{ orderNumber: '100000000001', reason: 'It stopped working after two days', method: 'store_credit' }]);
    expect(transcript.map((e) => e.seq)).toEqual(transcript.map((_, i) => i + 1));
    expect(transcript.map((e) => e.from)).toEqual(['customer', 'bot', 'customer', 'bot', 'customer', 'bot', 'customer', 'bot']);
    const state = await h.query(stateQuery);
    expect(state).toMatchObject({ phase: 'ai', turnCount: 4, lastSeq: 8, slots: {} });
    // Every appended entry was published to the bus, in order.
    const published = calls.events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? e.entry.seq : 0));
    expect(published).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await t.terminate(h);
  });

  it('runs a full refund dialogue in Chinese', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, '我要退款，订单号100000000006', { locale: 'zh', customer: { id: 'cust-cn-1', name: '王小明', tier: 'regular' } });
    await waitForEntries(h, 1);
    await say(h, '质量有问题');
    await waitForEntries(h, 2);
    await say(h, '原路退回');
    let transcript = await waitForEntries(h, 3);
    expect(textsFrom(transcript).at(-1)).toBe('请确认：订单 100000000006 退款 CNY 1299.00，原因"质量有问题"，退款方式：原支付方式。确认提交吗？');
    await say(h, '确认');
    transcript = await waitForEntries(h, 4);
    expect(textsFrom(transcript)).toEqual([
      '请问退款原因是什么？',
      '您希望退款退到哪里：原支付方式、店铺余额，还是银行转账？',
      '请确认：订单 100000000006 退款 CNY 1299.00，原因"质量有问题"，退款方式：原支付方式。确认提交吗？',
      '订单 100000000006 的退款申请 RF-006（CNY 1299.00，退至原支付方式）状态：已提交。',
    ]);
    expect(calls.count('submitRefund')).toBe(1);
    expect((await h.query(stateQuery)).language).toBe('zh');
    await t.terminate(h);
  });

  it('tracks an order from tool data', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'where is my order?', { customer: { id: 'cust-1002', name: 'Bob Smith', tier: 'regular' } });
    await waitForEntries(h, 1);
    await say(h, '100000000002');
    const transcript = await waitForEntries(h, 2);
    // The seed's dates move with the clock: the latest event is in the past, the estimate ahead.
    const shipment = defaultSeed().shipments.find((s) => s.orderNumber === '100000000002')!;
    expect(textsFrom(transcript)).toEqual([
      'Could you give me your 12-digit order number?',
      `Order 100000000002 is with UPS (tracking 1Z999AA10000000002): in transit. Latest update: ${formatTime(shipment.events.at(-1)!.at)}, Portland, OR: Arrived at destination facility. Estimated delivery: ${shipment.estimatedDelivery}.`,
    ]);
    expect(calls.byName.getOrder).toEqual([{ orderNumber: '100000000002' }]);
    expect(calls.byName.trackShipment).toEqual([{ orderNumber: '100000000002' }]);
    await t.terminate(h);
  });

  it('clears the refund slots when the customer switches intent mid-refund', async () => {
    const { activities } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'refund order 100000000001');
    await waitForEntries(h, 1);
    await say(h, 'it broke');
    await waitForState(h, (s) => s.slots.reason === 'it broke', 'reason slot');
    await say(h, 'actually, where is my order 100000000004?');
    const state = await waitForState(h, (s) => s.intent === 'track_order', 'switch to tracking');
    expect(state.slots).toEqual({});
    const transcript = await waitForEntries(h, 3);
    expect(textsFrom(transcript).at(-1)).toContain('Order 100000000004: being processed');
    await t.terminate(h);
  });

  it('merges a burst typed during a turn into the next turn, and ignores duplicate ids', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const { activities, calls } = fakeActivities({
      phraseReply: async (input) => {
        if (first) {
          first = false;
          await gate;
        }
        return input.draft;
      },
    });
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'hello');
    await waitForState(h, () => calls.count('phraseReply') >= 1, 'first turn in flight');
    await say(h, 'I want a refund', 'burst-1');
    await say(h, 'order 100000000001', 'burst-2');
    await say(h, 'order 100000000001', 'burst-2');
    await waitForState(h, (s) => s.lastSeq === 3, 'burst recorded');
    release();
    const transcript = await waitForEntries(h, 2);
    expect(calls.count('understand')).toBe(2);
    expect((calls.byName.understand[1] as { text: string }).text).toBe('I want a refund\norder 100000000001');
    expect(transcript.filter((e) => e.from === 'customer').map((e) => e.messageId).slice(1)).toEqual(['burst-1', 'burst-2']);
    expect(textsFrom(transcript).at(-1)).toBe("What's the reason for the refund?");
    await t.terminate(h);
  });

  it('upserts search attributes on escalation', async () => {
    const { activities, calls } = fakeActivities();
    const { taskQueue } = await t.worker(activities);
    const h = await startConversation(t.client, taskQueue, 'refund order 100000000001', { policy: { refundEscalationAmount: 50 } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    const desc = await h.describe();
    const sa = desc.typedSearchAttributes;
    expect(sa.get(searchAttributes.status)).toBe('queued');
    expect(sa.get(searchAttributes.priority)).toBe('high');
    expect(sa.get(searchAttributes.priorityRank)).toBe(1);
    expect(sa.get(searchAttributes.skill)).toBe('refunds');
    expect(sa.get(searchAttributes.tier)).toBe('regular');
    expect(sa.get(searchAttributes.intent)).toBe('get_refund');
    expect(sa.get(searchAttributes.escalationReasons)).toEqual(['high_value_refund']);
    expect(sa.get(searchAttributes.customerId)).toBe('cust-1001');
    expect(sa.get(searchAttributes.waitingSince)).toBeInstanceOf(Date);
    expect(calls.count('summarizeHandover')).toBe(1);
    const transcript = await h.query(transcriptQuery, 0);
    expect(textsFrom(transcript).at(-1)).toContain('USD 59.90');
    expect(calls.count('submitRefund')).toBe(0);
    await t.terminate(h);
  });
});
