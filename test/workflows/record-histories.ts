/**
 * Records workflow histories for the replay test from real runs on the
 * embedded server (time skipping), into test/fixtures/histories/*.json.
 *
 *   npx tsx test/workflows/record-histories.ts
 *   RECORD_ONLY=anonymous-early-reason npx tsx test/workflows/record-histories.ts
 *
 * The second form records one scenario and keeps every other recording (those
 * are the older release's runs a patch must keep replaying). Re-record after an intentional, versioned change to the workflow; an
 * unintentional change is what the replay test is there to catch.
 */
import { writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { DEFAULT_ROUTING } from '../../src/domain/routing-policy';
import { AgentDirectory } from '../../src/gateway/agents';
import { claimWithSlot } from '../../src/gateway/claims';
import { Conversations } from '../../src/gateway/conversations';
import { RoutingDesk } from '../../src/gateway/routing';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { resolveRouting } from '../../src/routing/config';
import { payloadCodecFromConfig } from '../../src/temporal/codec';
import { agentWorkflowId, routerWorkflowId } from '../../src/routing/contract';
import {
  agentAssignedSignal,
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  customerPresenceSignal,
  releaseUpdate,
  stateQuery,
  type OutboundEvent,
} from '../../src/workflows/contract';
import { defaultSeed } from '../../src/commerce/seed';
import { createUnderstander } from '../../src/nlu';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { eventually, fakeActivities, say, startConversation, startTestEnv, waitForEntries, waitForState, type Calls, type ConversationHandle, type TestEnv } from './support';

const OUT = join(__dirname, '../fixtures/histories');
/** The real understanding pipeline, where a scenario needs what it reads out of context. */
const nlu = createUnderstander();

/** A conversation scenario drives one conversation to its close and returns it. */
type Scenario = (t: TestEnv, taskQueue: string) => Promise<ConversationHandle>;
/** A routing scenario returns finished runs (closed, or continued as new) by fixture name. */
type RoutingScenario = (t: TestEnv, taskQueue: string, calls: Calls) => Promise<Record<string, WorkflowHandle>>;

const SHORT_LIMITS = { waitLimitMs: { vip: 60_000, enterprise: 60_000, regular: 60_000 } };

const scenarios: Record<string, Scenario> = {
  async 'refund-en'(t, tq) {
    const h = await startConversation(t.client, tq, 'I want a refund for order 100000000001', { conversationId: 'replay-refund-en' });
    await waitForEntries(h, 1);
    for (const [i, text] of ['it stopped working', 'store credit please', 'yes'].entries()) {
      await say(h, text, `r-en-${i}`);
      await waitForEntries(h, i + 2);
    }
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'refund-zh'(t, tq) {
    const h = await startConversation(t.client, tq, '我要退款，订单号100000000006', {
      conversationId: 'replay-refund-zh',
      locale: 'zh',
      customer: { id: 'cust-cn-1', name: '王小明', tier: 'regular' },
    });
    await waitForEntries(h, 1);
    for (const [i, text] of ['质量有问题', '原路退回', '确认'].entries()) {
      await say(h, text, `r-zh-${i}`);
      await waitForEntries(h, i + 2);
    }
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'escalate-claim-release'(t, tq) {
    const h = await startConversation(t.client, tq, 'refund order 100000000003', {
      conversationId: 'replay-escalate',
      customer: { id: 'cust-vip-1', name: 'Victoria Park', tier: 'vip' },
    });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await say(h, 'hello? still waiting', 'e-1');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-1', agentName: 'Dana' }], updateId: 'claim-1' });
    await h.signal(agentMessageSignal, { agentId: 'agent-1', messageId: 'a-1', text: 'I approved the refund.' });
    await waitForEntries(h, 1, 'agent');
    await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-1', to: 'ai' }], updateId: 'release-1' });
    await say(h, 'where is my order 100000000003', 'e-2');
    await waitForEntries(h, 2);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  /** An anonymous customer verifies by email; the tracking lookup is slow enough for the "checking…" notice. */
  async 'anonymous-verify-progress'(t, tq) {
    const h = await startConversation(t.client, tq, 'where is my order 100000000002', {
      conversationId: 'replay-verify',
      customer: { id: 'anon-replay', tier: 'regular', anonymous: true },
    });
    await waitForEntries(h, 1);
    await say(h, 'bob@example.com', 'v-1');
    await waitForEntries(h, 3);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  /** An anonymous customer gives the reason before the phone (the answers-before-verification patch), then finishes the refund. */
  async 'anonymous-early-reason'(t, tq) {
    const h = await startConversation(t.client, tq, '我要退款，订单100000000006', {
      conversationId: 'replay-early-reason',
      customer: { id: 'anon-replay', tier: 'regular', anonymous: true },
      locale: 'zh',
    });
    await waitForEntries(h, 1);
    for (const [i, text] of ['不想要了', 'xiaoming@example.cn', '原路退回', '确认'].entries()) {
      await say(h, text, `e-${i}`);
      await waitForEntries(h, i + 2);
    }
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  /** The agent sets up a refund, hands back with a note; the AI continues it. */
  async 'release-with-context'(t, tq) {
    const h = await startConversation(t.client, tq, 'I want to talk to a human', { conversationId: 'replay-handback', customer: { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular' } });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-4', agentName: 'Kim' }], updateId: 'claim-4' });
    await h.signal(agentMessageSignal, { agentId: 'agent-4', messageId: 'a-4', text: 'Which order is it about?' });
    await say(h, '100000000001, it arrived broken', 'c-4');
    await waitForEntries(h, 1, 'agent');
    await h.executeUpdate(releaseUpdate, { args: [{ agentId: 'agent-4', to: 'ai', note: 'customer wants a refund' }], updateId: 'release-4' });
    await say(h, 'ok please go ahead with the refund', 'c-5');
    await waitForEntries(h, 2);
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  // main's scenario (its LA-era recording is overflow-timer.local-activities.json): a wait past the limit, then a claim.
  async 'overflow-timer'(t, tq) {
    const h = await startConversation(t.client, tq, 'human please', { conversationId: 'replay-overflow' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await t.env.sleep(10 * 60_000 + 1000);
    await waitForState(h, (s) => (s.queue?.periods ?? 0) >= 1, 'a wait period passed');
    await h.executeUpdate(claimUpdate, { args: [{ agentId: 'agent-2', agentName: 'Lee' }], updateId: 'claim-2' });
    await h.signal(closeSignal, { by: 'agent', agentId: 'agent-2', resolution: 'called back' });
    return h;
  },
  async 'service-levels'(t, tq) {
    const h = await startConversation(t.client, tq, 'human please', { conversationId: 'replay-service-levels', policy: SHORT_LIMITS });
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'open' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    // remind, alert, overflow offer
    for (let period = 1; period <= 3; period++) {
      await t.env.sleep(60_000);
      await waitForState(h, (s) => (s.queue?.periods ?? 0) >= period, `period ${period}`);
      await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'alive' });
    }
    await say(h, '2', 'sl-1');
    await waitForState(h, (s) => s.contact?.stage === 'phone', 'asked for a phone');
    await say(h, '+44 20 7946 0958', 'sl-2');
    await waitForState(h, (s) => s.contact?.stage === 'time', 'asked for a time');
    await say(h, 'tomorrow morning', 'sl-3');
    await waitForState(h, (s) => s.phase === 'ai', 'left the queue');
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'abandoned'(t, tq) {
    const h = await startConversation(t.client, tq, '转人工', { conversationId: 'replay-abandoned', locale: 'zh' });
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'open' });
    await waitForState(h, (s) => s.phase === 'queued', 'queued');
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'closed' });
    return h;
  },
  async 'after-hours'(t, tq) {
    const today = new Date(await t.env.currentTimeMs()).toISOString().slice(0, 10);
    const hours = { timeZone: 'UTC', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']])), holidays: [today] };
    const routing = { ...DEFAULT_ROUTING, skills: DEFAULT_ROUTING.skills.map((k) => (k.id === 'general' ? { ...k, hours } : k)) };
    const h = await startConversation(t.client, tq, 'human please', { conversationId: 'replay-after-hours', policy: { routing } });
    await waitForState(h, (s) => s.contact?.stage === 'offered', 'offer');
    await say(h, '1', 'ah-1');
    await waitForState(h, (s) => s.contact?.stage === 'message', 'asked for the message');
    await say(h, 'please email me at anna@example.com about my invoice', 'ah-2');
    await waitForEntries(h, 1, 'system');
    await eventually(async () => ((await h.query(stateQuery)).contact === undefined ? true : undefined), 'ticket filed');
    await h.signal(closeSignal, { by: 'customer' });
    return h;
  },
  async 'takeover-mid-turn'(t, tq) {
    const h = await startConversation(t.client, tq, 'hello', { conversationId: 'replay-takeover' });
    await new Promise((r) => setTimeout(r, 300));
    await h.signal(agentAssignedSignal, { agentId: 'agent-3', agentName: 'Sam' });
    await waitForState(h, (s) => s.phase === 'human', 'human');
    await h.signal(closeSignal, { by: 'operator', resolution: 'test' });
    return h;
  },
};

/**
 * protobufjs JSON of temporal.api.history.v1.History (enums by name, int64 as
 * strings, bytes in base64); the replay test reads it back with
 * `History.fromObject`. Not the SDK's historyToJSON: with protobufjs 7 hoisted
 * to the top of node_modules by another dependency, each @temporalio package
 * gets its own protobufjs 8 copy and historyToJSON/historyFromJSON fail with
 * "type must be a Type".
 */
export function historyFileText(history: temporal.api.history.v1.IHistory): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(temporal.api.history.v1.History.toObject(message, { longs: String, enums: String, bytes: String }), null, 1) + '\n';
}

/**
 * Two agents and the general router with runs short enough to continue as
 * new: an offer declined, the next agent accepts (offer → claim), talks,
 * closes; then socket refreshes until both entities have continued as new.
 * Records the conversation and the first run of the accepting agent and of
 * the router.
 */
const routingScenarios: Record<string, RoutingScenario> = {
  async 'routing'(t, tq, calls) {
    const routing = resolveRouting({ assignment: { strategy: 'round_robin' } }, { OFFER_TIMEOUT_SECONDS: 30, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 180 });
    routing.agent.eventsPerRun = 80;
    routing.router.eventsPerRun = 80;
    const agents = AgentDirectory.fromJson([
      { id: 'ann', name: 'Ann', token: 'token-ann-0123456789', skills: ['general'], maxConcurrent: 2 },
      { id: 'bob', name: 'Bob', token: 'token-bob-0123456789', skills: ['general', { skill: 'refunds', level: 5 }], maxConcurrent: 2 },
    ]);
    const desk = new RoutingDesk(t.client, tq, routing, agents, createLogger({ level: 'silent' }));
    await desk.ensure();
    const firstRun = async (workflowId: string) => (await t.client.workflow.getHandle(workflowId).describe()).runId;
    const bobId = agentWorkflowId(tq, 'bob');
    const routerId = routerWorkflowId(tq, 'general');
    const [bobRun, routerRun] = await Promise.all([firstRun(bobId), firstRun(routerId)]);
    const [ann, bob] = [agents.get('ann')!, agents.get('bob')!];
    await desk.connection(ann, 's-ann', 'open');
    await desk.connection(bob, 's-bob', 'open');
    const h = await startConversation(t.client, tq, 'human please', { conversationId: 'replay-routing' });
    const offers = () => calls.events.filter((e): e is Extract<OutboundEvent, { kind: 'offer' }> => e.kind === 'offer');
    const first = await eventually(async () => offers()[0], 'first offer');
    const next = first.agentId === 'ann' ? bob : ann;
    await desk.respond(first.agentId === 'ann' ? ann : bob, first.offer.offerId, false);
    const second = await eventually(async () => offers().find((o) => o.agentId === next.id), 'second offer');
    await desk.respond(next, second.offer.offerId, true);
    const conversations = new Conversations(t.client, loadConfig({ TASK_QUEUE: tq, LOG_LEVEL: 'silent' }));
    await claimWithSlot({ conversations, routing: desk, metrics: createMetrics({ defaultMetrics: false }) }, next, 'replay-routing', 'general');
    await h.signal(agentMessageSignal, { agentId: next.id, messageId: 'rt-a1', text: 'Hello, how can I help?' });
    await waitForEntries(h, 1, 'agent');
    await h.signal(closeSignal, { by: 'agent', agentId: next.id, resolution: 'solved' });
    await h.result();
    // Keep both entities busy until each has continued as new once.
    const runs = (id: string) => t.client.workflow.count(`WorkflowId = '${id}'`).then((c) => c.count);
    for (let i = 0; i < 200 && ((await runs(bobId)) < 2 || (await runs(routerId)) < 2); i++) {
      await desk.connection(bob, 's-bob', 'alive');
      await desk.setPresence(bob, i % 2 === 0 ? 'away' : 'online');
    }
    return {
      'routing-conversation': h,
      'routing-agent': t.client.workflow.getHandle(bobId, bobRun),
      'routing-router': t.client.workflow.getHandle(routerId, routerRun),
    };
  },
};

/**
 * The history as a worker without the payload codec would have written it:
 * the suites run with the codec (support.ts), and the replay test seals the
 * plain fixtures itself, so they are stored readable (a reviewer can diff
 * them) and are checked both ways.
 */
async function unseal(history: temporal.api.history.v1.IHistory): Promise<temporal.api.history.v1.IHistory> {
  const codec = payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }))!;
  const copy = temporal.api.history.v1.History.decode(temporal.api.history.v1.History.encode(temporal.api.history.v1.History.fromObject(history)).finish());
  const visit = async (value: unknown, depth: number): Promise<void> => {
    if (depth > 40 || value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    const obj = value as Record<string, unknown>;
    if (Array.isArray(obj.payloads)) {
      obj.payloads = await codec.decode(obj.payloads as Payload[]);
      return;
    }
    for (const v of Object.values(obj)) {
      if (Array.isArray(v)) for (const item of v) await visit(item, depth + 1);
      else await visit(v, depth + 1);
    }
  };
  await visit(copy, 0);
  return copy;
}

async function record(name: string, h: WorkflowHandle): Promise<void> {
  const history = await unseal(await h.fetchHistory());
  writeFileSync(join(OUT, `${name}.json`), historyFileText(history));
  console.log(`${name}: ${history.events?.length ?? 0} events`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // local-activities-*.json are runs of an older release (see test/replay.test.ts), not re-recordable.
  // The recordings made with local activities (*.local-activities.json) cannot be made again: never touched.
  // Nor the ones recorded before routing (*.before-routing.json, see test/replay.test.ts).
  // RECORD_ONLY=a,b records just those scenarios (a new one, say) and leaves every other recording as it is.
  const only = process.env.RECORD_ONLY?.split(',').map((n) => n.trim()).filter(Boolean);
  if (!only) for (const f of readdirSync(OUT)) if (f.endsWith('.json') && !f.endsWith('.local-activities.json') && !f.endsWith('.before-routing.json')) rmSync(join(OUT, f));
  const t = await startTestEnv();
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (only && !only.includes(name)) continue;
      // The takeover scenario needs a turn that is still running when the agent arrives.
      const slow = name === 'takeover-mid-turn';
      const { activities } = fakeActivities(
        slow
          ? { phraseReply: async (input) => new Promise((r) => setTimeout(() => r(input.draft), 1500)) }
          : name === 'anonymous-verify-progress'
            ? { trackShipment: async ({ orderNumber }) => new Promise((r) => setTimeout(() => r(defaultSeed().shipments.find((s) => s.orderNumber === orderNumber)!), 2500)) }
            : name === 'release-with-context' || name === 'anonymous-early-reason'
              ? { understand: (input) => nlu.understand(input) }
              : {},
      );
      const { taskQueue } = await t.worker(activities);
      const h = await scenario(t, taskQueue);
      await h.result();
      await record(name, h);
    }
    for (const scenario of only ? [] : Object.values(routingScenarios)) {
      const { activities, calls } = fakeActivities();
      const { taskQueue } = await t.worker(activities);
      for (const [name, h] of Object.entries(await scenario(t, taskQueue, calls))) await record(name, h);
    }
  } finally {
    await t.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
