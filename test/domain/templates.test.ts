import { COMPENSATION_PROMISE, render, TEMPLATES, withApology, type TemplateKey } from '../../src/domain';
import { fresh, policy, turn, u } from './helpers';

const SAMPLE = {
  orderNumber: '100000000001',
  amount: 'USD 59.90',
  reason: 'broken',
  refundMethodLabel: 'store credit',
  returnType: 'return',
  description: 'does not start',
  address: '1 Main St',
  slotLabels: 'order number',
  statusLabel: 'delivered',
  total: 'USD 59.90',
  placedAt: '2025-05-02 09:14 UTC',
  carrier: 'UPS',
  trackingNumber: '1Z',
  shipmentStatusLabel: 'in transit',
  refundId: 'RF-1',
  refundStatusLabel: 'submitted',
  rmaId: 'RMA-1',
  instructions: 'Print the label.',
  repairId: 'RP-1',
  ticketId: 'TK-1',
  actionEn: 'retrieve the order details',
  actionZh: '查询订单信息',
  skillLabel: 'orders',
  waitMinutes: '10',
  agentName: 'Dana',
  summary: 'refund RF-1',
  triesLeft: '2',
  first: 'track an order',
  second: 'get a refund',
  intentLabel: 'get a refund',
  progressEn: 'checking your order',
  progressZh: '为您查询订单',
  minutes: '12',
  items: '• one\n• two',
  callbackEn: 'for a callback to the number ending 5678',
  callbackZh: '预约回电至尾号5678的电话',
  reopen: 'Mon 5 Jan 09:00 (Asia/Shanghai)',
  contact: 'the number ending 5678',
  time: 'after 3pm',
  count: '3',
  windowMinutes: '60',
  where: 'You are already in the queue for an agent.',
  leftQueue: 'yes',
};

const keys = Object.keys(TEMPLATES) as TemplateKey[];

describe('templates', () => {
  it.each(keys)('%s renders in English and Chinese', (key) => {
    const en = render(key, 'en', SAMPLE);
    const zh = render(key, 'zh', SAMPLE);
    expect(en.length).toBeGreaterThan(5);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
    expect(en).not.toMatch(/undefined|\$\{/);
    expect(zh).not.toMatch(/undefined|\$\{/);
  });

  it.each(keys)('%s promises no compensation and carries no apology of its own', (key) => {
    for (const lang of ['en', 'zh'] as const) {
      const text = render(key, lang, SAMPLE);
      expect(text).not.toMatch(COMPENSATION_PROMISE);
      expect(text).not.toMatch(/\bsorry\b|apologi[sz]e|抱歉|对不起|不好意思/i);
    }
  });

  it('the compensation detector catches promises in both languages', () => {
    expect("We'll compensate you for this").toMatch(COMPENSATION_PROMISE);
    expect('I will give you a voucher').toMatch(COMPENSATION_PROMISE);
    expect('我们会赔偿您的损失').toMatch(COMPENSATION_PROMISE);
    expect('保证退款').toMatch(COMPENSATION_PROMISE);
    expect('Your refund request RF-1 is submitted.').not.toMatch(COMPENSATION_PROMISE);
  });

  it('leaves optional facts out instead of inventing them', () => {
    expect(render('shipment_status', 'en', { orderNumber: '1', carrier: 'UPS', trackingNumber: 'T', shipmentStatusLabel: 'in transit' })).toBe(
      'Order 1 is with UPS (tracking T): in transit.',
    );
    expect(render('repair_created', 'zh', { repairId: 'RP-1', orderNumber: '1' })).toBe('订单 1 的维修申请 RP-1 已安排。');
  });

  it('apologizes in the conversation language', () => {
    expect(withApology('I could not do that.', 'en')).toBe('Sorry — I could not do that.');
    expect(withApology('That order number looks wrong.', 'en')).toBe('Sorry — that order number looks wrong.');
    expect(withApology('暂时无法查询。', 'zh')).toBe('抱歉，暂时无法查询。');
  });
});

describe('apology cap', () => {
  it('apologizes at most twice per conversation, then stays plain', () => {
    const p = { maxLowConfidenceTurns: 99, maxConsecutiveAiFailures: 99 };
    let s = fresh();
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = turn(s, u('out_of_scope', `gibberish ${i}`, { confidence: 0.1 }), undefined, { ...policy, ...p });
      replies.push(r.replies[0]);
      s = r.state;
    }
    expect(replies.filter((t) => t.startsWith('Sorry'))).toHaveLength(2);
    expect(replies.slice(2).every((t) => t.startsWith("I didn't quite catch that"))).toBe(true);
    expect(s.ai.counters.apologies).toBe(2);
  });

  it('follows a configured cap of zero', () => {
    const r = turn(fresh(), u('out_of_scope', 'xyz', { confidence: 0.1 }), undefined, { ...policy, maxApologies: 0 });
    expect(r.replies[0]).not.toMatch(/sorry/i);
  });
});
