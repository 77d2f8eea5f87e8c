import { loadConfig } from '../../src/config';
import {
  createLlm,
  INTENT_SCHEMA_NAME,
  LlmUnavailableError,
  PHRASE_SCHEMA_NAME,
  SUMMARY_SCHEMA_NAME,
  type Llm,
} from '../../src/llm';
import type { Handover, Intent, TranscriptEntry } from '../../src/workflows/contract';
import { lastUserText, schemaNameOf, startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';

const CANDIDATES: Intent[] = ['get_refund', 'track_order', 'cancel_order', 'out_of_scope'];

const handover: Handover = {
  conversationId: 'c-42',
  customer: { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular' },
  language: 'en',
  intent: 'get_refund',
  filledSlots: { orderNumber: '100000000001' },
  missingSlots: ['reason'],
  orderIds: ['100000000001'],
  toolCalls: [{ tool: 'getOrder', ok: true, summary: 'order 100000000001 delivered, USD 59.90', at: '2025-06-01T10:00:00.000Z' }],
  aiAttempts: ['looked up the order'],
  reasons: ['negative_emotion'],
  emotion: 'angry',
  priority: 'high',
  skill: 'refunds',
  recommendedAction: 'Confirm the refund reason and submit the refund.',
  summary: 'Template summary.',
  source: 'template',
};
const transcript: TranscriptEntry[] = [
  { seq: 1, from: 'customer', text: 'I want my money back for order 100000000001, this is ridiculous', at: '2025-06-01T10:00:00.000Z' },
  { seq: 2, from: 'bot', text: 'Order 100000000001 was delivered. What is the reason for the refund?', at: '2025-06-01T10:00:01.000Z' },
];

describe('createLlm', () => {
  it('is undefined without OPENAI_API_KEY (unset or blank)', () => {
    expect(createLlm(loadConfig({}))).toBeUndefined();
    expect(createLlm(loadConfig({ OPENAI_API_KEY: '  ' }))).toBeUndefined();
  });
});

describe('LLM against the fake OpenAI server', () => {
  let fake: FakeOpenAi;
  let llm: Llm;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    llm = createLlm(
      loadConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'test-model' }),
      { timeoutMs: 400 },
    )!;
  });

  describe('classifyIntent', () => {
    it('sends a strict JSON schema limited to the candidates and reads the answer', async () => {
      fake.enqueue({
        json: { intent: 'get_refund', confidence: 0.82, entities: { orderNumber: '100000000001', amount: null, currency: null } },
      });
      const result = await llm.classifyIntent('I want my money back for 100000000001', CANDIDATES);
      expect(result).toEqual({ intent: 'get_refund', confidence: 0.82, entities: { orderNumber: '100000000001' } });

      expect(fake.requests).toHaveLength(1);
      const req = fake.requests[0];
      expect(req.path).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe('Bearer sk-test');
      expect(req.body.model).toBe('test-model');
      expect(schemaNameOf(req)).toBe(INTENT_SCHEMA_NAME);
      expect(req.body.response_format.type).toBe('json_schema');
      expect(req.body.response_format.json_schema.strict).toBe(true);
      expect(req.body.response_format.json_schema.schema.properties.intent.enum).toEqual(CANDIDATES);
      expect(lastUserText(req)).toBe('I want my money back for 100000000001');
    });

    it('drops entities the message does not contain', async () => {
      fake.enqueue({ json: { intent: 'get_refund', confidence: 0.9, entities: { orderNumber: '100000000009', amount: 80 } } });
      const result = await llm.classifyIntent('refund please, it was 59.90', CANDIDATES);
      expect(result?.entities).toEqual({});
    });

    it('keeps an amount written in Chinese numerals', async () => {
      fake.enqueue({ json: { intent: 'get_refund', confidence: 0.9, entities: { amount: 100, currency: 'cny' } } });
      const result = await llm.classifyIntent('我要退一百元', CANDIDATES);
      expect(result?.entities).toEqual({ amount: { value: 100, currency: 'CNY' } });
    });

    it('clamps the confidence into [0, 1]', async () => {
      fake.enqueue({ json: { intent: 'track_order', confidence: 7, entities: null } });
      expect((await llm.classifyIntent('where is it', CANDIDATES))?.confidence).toBe(1);
    });

    it.each([
      ['an intent outside the candidates', { json: { intent: 'delete_account', confidence: 0.9, entities: null } }],
      ['content that is not JSON', { content: 'get_refund, I think' }],
      ['JSON of the wrong shape', { json: { label: 'get_refund' } }],
      ['a refusal', { refusal: 'I cannot help with that' }],
      ['a truncated answer', { content: '{"intent":"get_ref', finishReason: 'length' as const }],
    ])('is undefined (unsure) for %s', async (_name, reply) => {
      fake.enqueue(reply);
      await expect(llm.classifyIntent('hmm', CANDIDATES)).resolves.toBeUndefined();
    });

    it('HTTP 500 → LlmUnavailableError, and no retry by the client (Temporal retries)', async () => {
      fake.enqueue({ status: 500, error: 'boom' }, { json: { intent: 'get_refund', confidence: 1, entities: null } });
      const err = await llm.classifyIntent('refund', CANDIDATES).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmUnavailableError);
      expect((err as LlmUnavailableError).status).toBe(500);
      expect(fake.requests).toHaveLength(1);
      expect(fake.pending).toBe(1);
    });

    it('429 → LlmUnavailableError without retry', async () => {
      fake.enqueue({ status: 429, error: 'slow down' });
      await expect(llm.classifyIntent('refund', CANDIDATES)).rejects.toBeInstanceOf(LlmUnavailableError);
      expect(fake.requests).toHaveLength(1);
    });

    it('a hanging server → LlmUnavailableError after the timeout', async () => {
      fake.enqueue({ hang: true });
      const started = Date.now();
      await expect(llm.classifyIntent('refund', CANDIDATES)).rejects.toBeInstanceOf(LlmUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(fake.requests).toHaveLength(1);
    });

    it('a malformed response body → LlmUnavailableError', async () => {
      fake.enqueue({ raw: '<html>bad gateway</html>' });
      await expect(llm.classifyIntent('refund', CANDIDATES)).rejects.toBeInstanceOf(LlmUnavailableError);
    });
  });

  describe('phrase', () => {
    const draft = 'Your order 100000000002 is in transit with UPS.';

    it('returns the LLM wording when it passes the guardrails', async () => {
      fake.enqueue({ json: { reply: 'Good news: order 100000000002 is on its way with UPS.' } });
      const result = await llm.phrase(draft, 'en', { orderNumber: '100000000002' }, { intent: 'track_order' });
      expect(result).toEqual({ text: 'Good news: order 100000000002 is on its way with UPS.', accepted: true, violations: [] });
      const req = fake.requests[0];
      expect(schemaNameOf(req)).toBe(PHRASE_SCHEMA_NAME);
      expect(JSON.parse(lastUserText(req)!)).toEqual({
        draft,
        language: 'en',
        intent: 'track_order',
        facts: { orderNumber: '100000000002' },
      });
    });

    it('falls back to the draft when the wording breaks a guardrail', async () => {
      fake.enqueue({ json: { reply: 'Order 100000000002 arrives tomorrow, and here is a 10% voucher for the wait!' } });
      const result = await llm.phrase(draft, 'en');
      expect(result.text).toBe(draft);
      expect(result.accepted).toBe(false);
      expect(result.violations.map((v) => v.rule)).toEqual(
        expect.arrayContaining(['ungrounded_date', 'compensation', 'ungrounded_number']),
      );
    });

    it('falls back to the draft when the LLM switches language', async () => {
      fake.enqueue({ json: { reply: 'Your order 100000000002 is in transit.' } });
      const result = await llm.phrase('您的订单100000000002正在运输中。', 'zh');
      expect(result).toMatchObject({ text: '您的订单100000000002正在运输中。', accepted: false });
    });

    it('accepts a Chinese rephrasing', async () => {
      fake.enqueue({ json: { reply: '订单100000000002已经在路上了。' } });
      const result = await llm.phrase('您的订单100000000002正在运输中。', 'zh');
      expect(result).toMatchObject({ text: '订单100000000002已经在路上了。', accepted: true });
      expect(fake.requests[0].body.messages[0].content).toContain('Simplified Chinese');
    });

    it('falls back to the draft on output that is not the schema', async () => {
      fake.enqueue({ content: 'Sure! Here you go.' });
      await expect(llm.phrase(draft, 'en')).resolves.toMatchObject({ text: draft, accepted: false });
    });

    it('an aborted signal cancels the request and is not reported as an outage', async () => {
      fake.enqueue({ hang: true });
      const controller = new AbortController();
      const pending = llm.phrase(draft, 'en', {}, { signal: controller.signal });
      await fake.waitForRequests(1);
      controller.abort();
      const err = await pending.catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(LlmUnavailableError);
      expect(err).toBeInstanceOf(Error);
    });
  });

  describe('summarize', () => {
    it('sends the handover and transcript and returns a grounded summary', async () => {
      fake.enqueue({
        json: {
          summary: 'Alice (regular) is angry and wants a refund for order 100000000001 (USD 59.90, delivered). The reason is still missing.',
          recommendedAction: 'Ask for the refund reason, then submit the refund.',
        },
      });
      const result = await llm.summarize(handover, transcript);
      expect(result.accepted).toBe(true);
      expect(result.summary).toContain('100000000001');
      expect(result.recommendedAction).toBe('Ask for the refund reason, then submit the refund.');
      const sent = JSON.parse(lastUserText(fake.requests[0])!);
      expect(schemaNameOf(fake.requests[0])).toBe(SUMMARY_SCHEMA_NAME);
      expect(sent.handover.orderIds).toEqual(['100000000001']);
      expect(sent.handover.summary).toBeUndefined();
      expect(sent.transcript).toHaveLength(2);
    });

    it('rejects a summary with an invented order id and keeps the template', async () => {
      fake.enqueue({ json: { summary: 'Customer wants a refund for order 100000000007.', recommendedAction: 'Refund it.' } });
      const result = await llm.summarize(handover, transcript);
      expect(result).toMatchObject({
        accepted: false,
        summary: 'Template summary.',
        recommendedAction: 'Confirm the refund reason and submit the refund.',
      });
      expect(result.violations).toEqual([{ rule: 'ungrounded_number', detail: '100000000007' }]);
    });

    it('HTTP 503 → LlmUnavailableError', async () => {
      fake.enqueue({ status: 503 });
      await expect(llm.summarize(handover, transcript)).rejects.toBeInstanceOf(LlmUnavailableError);
    });
  });
  describe('describePhoto', () => {
    const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const vision = () =>
      createLlm(loadConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'test-model', OPENAI_VISION_MODEL: 'vision-model' }), { timeoutMs: 400 })!;

    it('sends the photo as a data URL to the vision model with a strict schema, and reads what it shows', async () => {
      fake.enqueue({ json: { shows: 'damage', description: 'A phone with a cracked screen.' } });
      const seen = await vision().describePhoto(PNG, 'image/png', 'en');
      expect(seen).toEqual({ shows: 'damage', description: 'A phone with a cracked screen.' });
      const body = fake.requests[0]!.body;
      expect(body.model).toBe('vision-model');
      expect(schemaNameOf(fake.requests[0]!)).toBe('photo_description');
      const part = body.messages.at(-1).content[0];
      expect(part).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'low' } });
      expect(body.messages[0].content).toMatch(/English/);
    });

    it('writes the description in the conversation language (the prompt says which)', async () => {
      fake.enqueue({ json: { shows: 'wrong_item', description: '照片里是一双红色的鞋。' } });
      expect(await vision().describePhoto(PNG, 'image/png', 'zh')).toEqual({ shows: 'wrong_item', description: '照片里是一双红色的鞋。' });
      expect(fake.requests[0]!.body.messages[0].content).toMatch(/Simplified Chinese/);
    });

    it('returns nothing without a vision model, for output outside the schema, and for an empty description; cleans and bounds the text', async () => {
      expect(llm.describesPhotos).toBe(false);
      expect(await llm.describePhoto(PNG, 'image/png', 'en')).toBeUndefined();
      expect(fake.requests).toHaveLength(0);
      const v = vision();
      expect(v.describesPhotos).toBe(true);
      fake.enqueue({ json: { shows: 'a cat', description: 'x' } });
      expect(await v.describePhoto(PNG, 'image/png', 'en')).toBeUndefined();
      fake.enqueue({ json: { shows: 'other', description: '  ' } });
      expect(await v.describePhoto(PNG, 'image/png', 'en')).toBeUndefined();
      fake.enqueue({ json: { shows: 'label', description: `a label\u0007 ${'x'.repeat(400)}` } });
      const long = await v.describePhoto(PNG, 'image/png', 'en');
      expect(long?.description).toHaveLength(300);
      expect(long?.description).not.toContain(String.fromCharCode(7));
    });

    it('HTTP 500 → LlmUnavailableError (the gateway goes on without a description)', async () => {
      fake.enqueue({ status: 500 });
      await expect(vision().describePhoto(PNG, 'image/png', 'en')).rejects.toBeInstanceOf(LlmUnavailableError);
    });
  });
});
