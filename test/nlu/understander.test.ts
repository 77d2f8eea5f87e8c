import { createUnderstander, IntentModel, type LlmIntentClassifier } from '../../src/nlu';
import type { Intent } from '../../src/workflows/contract';

// One model for the file: loading it takes tens of milliseconds.
const model = IntentModel.load();

function fakeLlm(answer: () => ReturnType<LlmIntentClassifier['classifyIntent']>): LlmIntentClassifier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    classifyIntent(text) {
      calls.push(text);
      return answer();
    },
  };
}

describe('understand()', () => {
  const nlu = createUnderstander({ model });

  test('English refund with entities and emotion', async () => {
    const u = await nlu.understand({ text: 'I want a refund of $59.90 for order 100000000001 because it arrived broken' });
    expect(u).toMatchObject({
      intent: 'get_refund',
      language: 'en',
      humanRequested: false,
      entities: { orderNumber: '100000000001', amount: { value: 59.9, currency: 'USD' }, reason: 'it arrived broken' },
    });
    expect(u.confidence).toBeGreaterThan(0);
    expect(u.confidence).toBeLessThanOrEqual(1);
    expect(['rule', 'model']).toContain(u.layer);
  });

  test('Chinese refund, full-width digits', async () => {
    const u = await nlu.understand({ text: '订单１００００００００００３我要退款，原路退回' });
    expect(u).toMatchObject({
      intent: 'get_refund',
      layer: 'rule',
      language: 'zh',
      entities: { orderNumber: '100000000003', refundMethod: 'original_payment' },
      normalizedText: '订单100000000003我要退款,原路退回',
    });
  });

  test.each([
    ['I want to talk to a real person', 'en'],
    ['转人工', 'zh'],
  ] as const)('%j asks for a human', async (text, language) => {
    const u = await nlu.understand({ text });
    expect(u).toMatchObject({ intent: 'contact_human_agent', layer: 'rule', humanRequested: true, language });
  });

  test('angry message', async () => {
    const u = await nlu.understand({ text: 'WHERE IS MY ORDER 100000000002!!!' });
    expect(u.emotion).toBe('angry');
    expect(u.intent).toBe('track_order');
    expect(u.entities.orderNumber).toBe('100000000002');
  });

  test('the language hint decides for text without letters', async () => {
    expect((await nlu.understand({ text: '100000000001', languageHint: 'zh' })).language).toBe('zh');
    expect((await nlu.understand({ text: '100000000001' })).language).toBe('en');
  });

  test('the model answers what the rules leave', async () => {
    const u = await nlu.understand({ text: 'I need to update the phone number on my profile' });
    expect(u.layer).toBe('model');
    expect(u.intent).toBe('edit_account');
  });
});

describe('understand() in context', () => {
  const nlu = createUnderstander({ model });
  const confirming = { intent: 'get_refund' as Intent, confirming: true };

  test.each([
    ['yes', 'affirm'],
    ['ok', 'affirm'],
    ['sure', 'affirm'],
    ['yes, go ahead with it', 'affirm'],
    ['对', 'affirm'],
    ['好的', 'affirm'],
    ['是的', 'affirm'],
    ['没问题', 'affirm'],
    ['no', 'deny'],
    ['nope', 'deny'],
    ['不', 'deny'],
    ['不是', 'deny'],
    ['不用了', 'deny'],
    ["no, it's order 100000000002", 'deny'],
    ['不对，是100000000002', 'deny'],
  ] as const)('confirming: %j → %s', async (text, intent) => {
    const u = await nlu.understand({ text, expecting: confirming });
    expect(u.intent).toBe(intent);
    expect(u.confidence).toBeGreaterThanOrEqual(0.9);
  });

  test('a correction keeps its entity', async () => {
    const u = await nlu.understand({ text: "no, it's order 100000000002", expecting: confirming });
    expect(u.entities.orderNumber).toBe('100000000002');
  });

  test('a human request still wins while confirming', async () => {
    const u = await nlu.understand({ text: 'no, get me a human', expecting: confirming });
    expect(u).toMatchObject({ intent: 'contact_human_agent', humanRequested: true });
  });

  test.each([
    ['100000000001'],
    ['#100000000001'],
    ["it's 100000000001"],
    ['order number 100000000001 please'],
    ['订单号是100000000001'],
    ['１００００００００００１'],
  ])('bare order number %j keeps the expected intent', async (text) => {
    const u = await nlu.understand({ text, expecting: { intent: 'track_order', slot: 'orderNumber' } });
    expect(u).toMatchObject({ intent: 'track_order', layer: 'rule', entities: { orderNumber: '100000000001' } });
    expect(u.confidence).toBeGreaterThanOrEqual(0.9);
  });

  test('a new request with a number is not a bare value', async () => {
    const u = await nlu.understand({
      text: 'actually forget that, I need to cancel order 100000000001 right now please',
      expecting: { intent: 'track_order', slot: 'orderNumber' },
    });
    expect(u.intent).toBe('cancel_order');
  });

  test('a refund method answers the refund-method slot', async () => {
    const u = await nlu.understand({ text: 'store credit', expecting: { intent: 'get_refund', slot: 'refundMethod' } });
    expect(u).toMatchObject({ intent: 'get_refund', entities: { refundMethod: 'store_credit' } });
  });

  test.each([
    ['42 Elm Street, Springfield', '42 Elm Street, Springfield'],
    ['北京市朝阳区建国路88号', '北京市朝阳区建国路88号'],
    ['the green house behind the school', undefined],
  ])('an address answer %j keeps the address task', async (text, address) => {
    const u = await nlu.understand({ text, expecting: { intent: 'change_shipping_address', slot: 'address' } });
    expect(u.intent).toBe('change_shipping_address');
    expect(u.entities.address).toBe(address);
  });

  test('a free-text reason keeps the task', async () => {
    const u = await nlu.understand({ text: 'it stopped working after two days', expecting: { intent: 'get_refund', slot: 'reason' } });
    expect(u.intent).toBe('get_refund');
  });

  test('a clear new request during a free-text slot switches intent', async () => {
    const u = await nlu.understand({ text: 'how many loyalty points do I have', expecting: { intent: 'get_refund', slot: 'reason' } });
    expect(u.intent).toBe('points_inquiry');
  });
});

describe('LLM layer', () => {
  const unsure = 'hmm so about that thing from before';

  test('asked only when the local layers are unsure', async () => {
    const llm = fakeLlm(async () => ({ intent: 'complaint', confidence: 0.8 }));
    const nlu = createUnderstander({ model, llm, llmBelow: 0.5 });
    const sure = await nlu.classify('转人工');
    expect(sure.layer).toBe('rule');
    expect(llm.calls).toHaveLength(0);
    const local = await createUnderstander({ model }).classify(unsure);
    expect(local.confidence).toBeLessThan(0.5);
    const viaLlm = await nlu.classify(unsure);
    expect(viaLlm).toEqual({ intent: 'complaint', confidence: 0.8, layer: 'llm' });
    expect(llm.calls).toEqual([unsure]);
  });

  test('useLlm: false keeps it local', async () => {
    const llm = fakeLlm(async () => ({ intent: 'complaint', confidence: 0.8 }));
    const r = await createUnderstander({ model, llm, llmBelow: 1.01 }).classify(unsure, { useLlm: false });
    expect(r.layer).not.toBe('llm');
    expect(llm.calls).toHaveLength(0);
  });

  test.each([
    ['returns undefined', async () => undefined],
    ['throws', async () => Promise.reject(new Error('timeout'))],
    ['answers an unknown intent', async () => ({ intent: 'order_pizza' as Intent, confidence: 0.9 })],
    ['answers NaN confidence', async () => ({ intent: 'complaint' as Intent, confidence: Number.NaN })],
  ])('falls back to the local answer when the LLM %s', async (_label, answer) => {
    const errors: unknown[] = [];
    const llm = fakeLlm(answer);
    const nlu = createUnderstander({ model, llm, llmBelow: 1.01, onLlmError: (e) => errors.push(e) });
    const local = await createUnderstander({ model }).understand({ text: unsure });
    const u = await nlu.understand({ text: unsure });
    expect(llm.calls).toHaveLength(1);
    expect(u.layer).toBe(local.layer);
    expect(u.intent).toBe(local.intent);
    expect(errors).toHaveLength(_label === 'throws' ? 1 : 0);
  });

  test('LLM entities fill gaps but never override regex entities', async () => {
    const llm = fakeLlm(async () => ({
      intent: 'get_refund',
      confidence: 0.9,
      entities: { orderNumber: '999999999999', reason: 'item was cold' },
    }));
    const u = await createUnderstander({ model, llm, llmBelow: 1.01 }).understand({ text: 'hmm order 100000000001 from before' });
    expect(u.layer).toBe('llm');
    expect(u.entities).toMatchObject({ orderNumber: '100000000001', reason: 'item was cold' });
  });

  test('confidence from the LLM is clamped to 0..1', async () => {
    const llm = fakeLlm(async () => ({ intent: 'review', confidence: 7 }));
    expect((await createUnderstander({ model, llm, llmBelow: 1.01 }).classify(unsure)).confidence).toBe(1);
  });
});
