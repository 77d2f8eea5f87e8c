import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, createActivitiesFromConfig } from '../../src/activities';
import { InProcessBus } from '../../src/bus/in-process';
import { startCommerceServer, type CommerceServer } from '../../src/commerce';
import { loadConfig } from '../../src/config';
import { createLlm, type Llm } from '../../src/llm';
import { createLogger } from '../../src/logger';
import type { UnderstandInput, Understander } from '../../src/nlu/types';
import type { ToolClient } from '../../src/tools/client';
import type { Handover, OutboundEvent, TranscriptEntry, Understanding } from '../../src/workflows/contract';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';

const quietSdk = new DefaultLogger('ERROR', () => undefined);
const silent = createLogger({ level: 'silent' });
const env = () =>
  new MockActivityEnvironment(
    { activityId: '3', workflowExecution: { workflowId: 'conversation-llm-test', runId: 'r1' } },
    { logger: quietSdk },
  );
function exec<P extends unknown[], R>(e: MockActivityEnvironment, fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
  return e.run(fn, ...args) as Promise<R>;
}

const noTools = new Proxy({} as ToolClient, {
  get: () => () => Promise.reject(new Error('no tool calls expected')),
});

const understanding: Understanding = {
  intent: 'track_order',
  confidence: 0.95,
  layer: 'rule',
  entities: { orderNumber: '100000000002' },
  emotion: 'neutral',
  language: 'en',
  humanRequested: false,
  normalizedText: 'where is order 100000000002',
};

function recordingNlu(): Understander & { calls: UnderstandInput[] } {
  const calls: UnderstandInput[] = [];
  return {
    calls,
    understand: async (input) => {
      calls.push(input);
      return understanding;
    },
    classify: async () => ({ intent: 'track_order', confidence: 0.95, layer: 'rule' }),
  };
}

const handover: Handover = {
  conversationId: 'c-7',
  customer: { id: 'cust-cn-1', name: '王小明', tier: 'regular' },
  language: 'zh',
  intent: 'track_order',
  filledSlots: { orderNumber: '100000000007' },
  missingSlots: [],
  orderIds: ['100000000007'],
  toolCalls: [{ tool: 'trackShipment', ok: false, summary: 'timed out after 4 attempts', at: '2025-06-01T10:00:00.000Z' }],
  aiAttempts: ['查询物流'],
  reasons: ['tool_failure'],
  emotion: 'negative',
  priority: 'normal',
  skill: 'orders',
  recommendedAction: '人工查询物流状态并告知客户。',
  summary: '客户查询订单100000000007的物流，物流查询失败。',
  source: 'template',
};
const transcript: TranscriptEntry[] = [
  { seq: 1, from: 'customer', text: '我的订单100000000007到哪了', at: '2025-06-01T10:00:00.000Z' },
];

describe('understand, publishEvent and publishEvents', () => {
  it('understand passes the input to the NLU and returns its answer', async () => {
    const nlu = recordingNlu();
    const activities = createActivities({ tools: noTools, nlu, bus: new InProcessBus(), logger: silent });
    const input: UnderstandInput = { text: 'where is order 100000000002', languageHint: 'en' };
    await expect(exec(env(), activities.understand, input)).resolves.toEqual(understanding);
    expect(nlu.calls).toEqual([input]);
  });

  it('publishEvent delivers to the bus', async () => {
    const bus = new InProcessBus();
    const seen: OutboundEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const activities = createActivities({ tools: noTools, nlu: recordingNlu(), bus, logger: silent });
    const event: OutboundEvent = {
      kind: 'message',
      conversationId: 'c-1',
      entry: { seq: 4, from: 'bot', text: 'hi', at: '2025-06-01T10:00:00.000Z' },
    };
    await exec(env(), activities.publishEvent, event);
    expect(seen).toEqual([event]);
  });

  it('publishEvents delivers a batch to the bus in order', async () => {
    const bus = new InProcessBus();
    const seen: OutboundEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const activities = createActivities({ tools: noTools, nlu: recordingNlu(), bus, logger: silent });
    const batch: OutboundEvent[] = [5, 6, 7].map((seq) => ({
      kind: 'message',
      conversationId: 'c-1',
      entry: { seq, from: 'bot', text: `line ${seq}`, at: '2025-06-01T10:00:00.000Z' },
    }));
    await exec(env(), activities.publishEvents, batch);
    expect(seen).toEqual(batch);
  });
});

describe('phraseReply and summarizeHandover without an LLM', () => {
  const activities = createActivities({ tools: noTools, nlu: recordingNlu(), bus: new InProcessBus(), logger: silent });

  it('phraseReply returns the draft unchanged', async () => {
    const draft = 'Your order 100000000002 is in transit.';
    await expect(exec(env(), activities.phraseReply, { draft, language: 'en' })).resolves.toBe(draft);
  });

  it('summarizeHandover returns the template handover unchanged', async () => {
    await expect(exec(env(), activities.summarizeHandover, { handover, transcript })).resolves.toEqual(handover);
  });
});

describe('phraseReply and summarizeHandover with the LLM (fake OpenAI server)', () => {
  let fake: FakeOpenAi;
  let llm: Llm;
  let activities: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    llm = createLlm(loadConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url }), { timeoutMs: 300 })!;
    activities = createActivities({ tools: noTools, nlu: recordingNlu(), llm, bus: new InProcessBus(), logger: silent });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const draft = '您的订单100000000007正在运输中。';

  it('uses the LLM wording when it passes the guardrails', async () => {
    fake.enqueue({ json: { reply: '订单100000000007已经在路上啦。' } });
    await expect(exec(env(), activities.phraseReply, { draft, language: 'zh', intent: 'track_order' })).resolves.toBe(
      '订单100000000007已经在路上啦。',
    );
  });

  it('returns the draft when the guardrails reject the wording', async () => {
    fake.enqueue({ json: { reply: '订单100000000007明天送到，另送您一张优惠券。' } });
    await expect(exec(env(), activities.phraseReply, { draft, language: 'zh' })).resolves.toBe(draft);
  });

  it('returns the draft when the LLM answers 500', async () => {
    fake.enqueue({ status: 500 });
    await expect(exec(env(), activities.phraseReply, { draft, language: 'zh' })).resolves.toBe(draft);
    expect(fake.requests).toHaveLength(1);
  });

  it('returns the draft when the LLM hangs past the timeout', async () => {
    fake.enqueue({ hang: true });
    await expect(exec(env(), activities.phraseReply, { draft, language: 'zh' })).resolves.toBe(draft);
  });

  it('a cancelled phraseReply stays cancelled instead of returning the draft', async () => {
    fake.enqueue({ hang: true });
    const e = env();
    const running = exec(e, activities.phraseReply, { draft, language: 'zh' });
    await fake.waitForRequests(1);
    e.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });

  it('summarizeHandover writes the LLM summary and marks the source', async () => {
    fake.enqueue({
      json: { summary: '王小明查询订单100000000007的物流，查询超时，客户情绪不佳。', recommendedAction: '人工查询物流后回复客户。' },
    });
    const result = await exec(env(), activities.summarizeHandover, { handover, transcript });
    expect(result).toEqual({
      ...handover,
      summary: '王小明查询订单100000000007的物流，查询超时，客户情绪不佳。',
      recommendedAction: '人工查询物流后回复客户。',
      source: 'llm',
    });
  });

  it('summarizeHandover keeps the template when the summary invents an amount', async () => {
    fake.enqueue({ json: { summary: '客户要求赔偿500元。', recommendedAction: '赔偿。' } });
    await expect(exec(env(), activities.summarizeHandover, { handover, transcript })).resolves.toEqual(handover);
  });

  it('summarizeHandover keeps the template when the LLM is down', async () => {
    fake.enqueue({ status: 503 });
    await expect(exec(env(), activities.summarizeHandover, { handover, transcript })).resolves.toEqual(handover);
  });
});

describe('createActivitiesFromConfig', () => {
  let commerce: CommerceServer;
  let fake: FakeOpenAi;
  beforeAll(async () => {
    commerce = await startCommerceServer();
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await commerce.close();
    await fake.close();
  });

  it('without a key: real tools and NLU, template wording, no LLM calls', async () => {
    const activities = createActivitiesFromConfig(loadConfig({ LOG_LEVEL: 'silent' }), {
      bus: new InProcessBus(),
      toolsBaseUrl: commerce.url,
    });
    const order = await exec(env(), activities.getOrder, { orderNumber: '100000000002' });
    expect(order.status).toBe('in_transit');
    const understood = await exec(env(), activities.understand, { text: 'where is my order 100000000002?' });
    expect(understood.entities.orderNumber).toBe('100000000002');
    await expect(exec(env(), activities.phraseReply, { draft: 'Hello.', language: 'en' })).resolves.toBe('Hello.');
    expect(fake.requests).toHaveLength(0);
  });

  it('with a key: TOOLS_BASE_URL from config and the LLM on OPENAI_BASE_URL', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', TOOLS_BASE_URL: commerce.url, OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: fake.url });
    const activities = createActivitiesFromConfig(config, { bus: new InProcessBus() });
    fake.enqueue({ json: { reply: 'Hi there.' } });
    await expect(exec(env(), activities.phraseReply, { draft: 'Hello.', language: 'en' })).resolves.toBe('Hi there.');
    expect(fake.requests).toHaveLength(1);
    const ticket = await exec(env(), activities.createTicket, {
      conversationId: 'c-9',
      customerId: 'cust-1001',
      kind: 'leave_message',
      subject: 'Call me back',
      description: 'Customer left a message',
      priority: 'low',
    });
    expect(ticket.status).toBe('open');
  });
});
