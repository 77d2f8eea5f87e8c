/**
 * The routing entities with the real SDK: the agent entity (presence,
 * capacity, offers) and the router (live queue, push assignment), together
 * with real conversation workflows and the gateway's own routing client and
 * claim path (src/gateway/routing.ts, src/gateway/claims.ts).
 *
 * Timers are short policy values (a 3 s offer timeout), so the same tests
 * hold on a server without time skipping; on the embedded server
 * `env.sleep` skips ahead.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../../src/config';
import { AgentDirectory } from '../../src/gateway/agents';
import { claimWithSlot } from '../../src/gateway/claims';
import { Conversations } from '../../src/gateway/conversations';
import { ApiError } from '../../src/gateway/errors';
import { RoutingDesk } from '../../src/gateway/routing';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { resolveRouting, type RoutingConfig } from '../../src/routing/config';
import {
  agentOfferSignal,
  agentViewQuery,
  agentWorkflowId,
  dequeueSignal,
  enqueueSignal,
  queueSnapshotQuery,
  reserveSlotUpdate,
  routerWorkflowId,
  RoutingErrorCode,
  type AgentSnapshot,
  type AgentView,
  type OfferRequest,
  type QueueRequest,
  type QueueSnapshot,
  type RouterInput,
} from '../../src/routing/contract';
import { ROUTER_STATE_VERSION, type RouterState } from '../../src/routing/router-state';
import type { agentWorkflow, routerWorkflow } from '../../src/workflows';
import type { CarriedOutbox } from '../../src/workflows/outbox';
import { testDataConverter } from '../helpers/payload-keys';
import { patchIdsOf } from '../helpers/histories';
import { testServerKind } from '../helpers/temporal-env';
import { customerPresenceSignal, type OutboundEvent } from '../../src/workflows/contract';
import { NO_LOCAL_ACTIVITIES, ROUTING_ENTITIES } from '../../src/workflows/runtime';
import { eventually, fakeActivities, startConversation, startTestEnv, waitForState, type Calls, type TestEnv } from './support';

let t: TestEnv;
beforeAll(async () => {
  t = await startTestEnv();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const logger = createLogger({ level: 'silent' });

function routingConfig(over: { offerTimeoutSeconds?: number; strategy?: 'round_robin' | 'mixed'; eventsPerRun?: number } = {}): RoutingConfig {
  const r = resolveRouting(
    { assignment: { strategy: over.strategy ?? 'round_robin' } },
    { OFFER_TIMEOUT_SECONDS: over.offerTimeoutSeconds ?? 3, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 300 },
    'test',
  );
  if (over.eventsPerRun) {
    r.agent.eventsPerRun = over.eventsPerRun;
    r.router.eventsPerRun = over.eventsPerRun;
  }
  return r;
}

const agentRecord = (id: string, maxConcurrent: number, skills: string[] = ['general']) => ({
  id,
  name: id.toUpperCase(),
  token: `token-${id}-0123456789abcdef`,
  skills,
  maxConcurrent,
});

interface Desk {
  taskQueue: string;
  calls: Calls;
  routing: RoutingDesk;
  conversations: Conversations;
  agents: AgentDirectory;
  view(agentId: string): Promise<AgentView>;
  snapshot(skill?: string): Promise<QueueSnapshot>;
  offersTo(agentId: string): Extract<OutboundEvent, { kind: 'offer' }>[];
  endedFor(agentId: string): Extract<OutboundEvent, { kind: 'offer_ended' }>[];
  queued(text?: string): Promise<string>;
  stopEntities(): Promise<void>;
}

async function desk(
  records: ReturnType<typeof agentRecord>[],
  routing = routingConfig(),
  workerOptions: Parameters<TestEnv['worker']>[2] = {},
): Promise<Desk & { worker: Awaited<ReturnType<TestEnv['worker']>> }> {
  const { activities, calls } = fakeActivities();
  const worker = await t.worker(activities, undefined, workerOptions);
  const { taskQueue } = worker;
  const agents = AgentDirectory.fromJson(records);
  const config = loadConfig({ TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent' });
  const conversations = new Conversations(t.client, config);
  const desk = new RoutingDesk(t.client, taskQueue, routing, agents, logger);
  await desk.ensure();
  return {
    worker,
    taskQueue,
    calls,
    routing: desk,
    conversations,
    agents,
    view: (agentId) => t.client.workflow.getHandle(agentWorkflowId(taskQueue, agentId)).query(agentViewQuery),
    snapshot: (skill = 'general') => t.client.workflow.getHandle(routerWorkflowId(taskQueue, skill)).query(queueSnapshotQuery),
    offersTo: (agentId) => calls.events.filter((e): e is Extract<OutboundEvent, { kind: 'offer' }> => e.kind === 'offer' && e.agentId === agentId),
    endedFor: (agentId) => calls.events.filter((e): e is Extract<OutboundEvent, { kind: 'offer_ended' }> => e.kind === 'offer_ended' && e.agentId === agentId),
    async queued(text = 'human please') {
      const h = await startConversation(t.client, taskQueue, text);
      const s = await waitForState(h, (x) => x.phase === 'queued', 'queued');
      return s.conversationId;
    },
    async stopEntities() {
      // At a quiet point each: Temporal's test server leaks its time-skipping lock on a busy termination.
      for (const id of [...records.map((r) => agentWorkflowId(taskQueue, r.id)), ...routing.policy.skills.map((s) => routerWorkflowId(taskQueue, s.id))]) {
        await t.terminate(t.client.workflow.getHandle(id));
      }
    },
  };
}

const agentOf = (d: Desk, id: string) => d.agents.get(id)!;

const codec = testDataConverter().payloadCodecs![0]!;
async function decoded<T>(payload: temporal.api.common.v1.IPayload | null | undefined): Promise<T> {
  const [plain] = await codec.decode([payload as Payload]);
  return defaultPayloadConverter.fromPayload(plain!) as T;
}

/** The histories of a workflow's runs, from `firstRunId` along the continue-as-new chain to the current run. */
async function runsOf(workflowId: string, firstRunId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const histories: temporal.api.history.v1.IHistory[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history = await t.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** What each run handed the next one in its outbox (one entry per continue-as-new). */
async function carriedOutboxes(histories: temporal.api.history.v1.IHistory[]): Promise<CarriedOutbox[]> {
  const carried: CarriedOutbox[] = [];
  for (const h of histories) {
    const attrs = h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    if (attrs) carried.push(((await decoded<RouterInput>(attrs.input?.payloads?.[0])).outbox ?? { signals: [], events: [] }) as CarriedOutbox);
  }
  return carried;
}

/** The offer ids an entity received as agentOffer signals, over all the runs given, in order (duplicates kept). */
async function offersReceived(histories: temporal.api.history.v1.IHistory[]): Promise<string[]> {
  const ids: string[] = [];
  for (const h of histories) {
    for (const e of h.events ?? []) {
      const a = e.workflowExecutionSignaledEventAttributes;
      if (a?.signalName === agentOfferSignal.name) ids.push((await decoded<OfferRequest>(a.input?.payloads?.[0])).offerId);
    }
  }
  return ids;
}

describe('capacity is never exceeded', () => {
  it('20 parallel reserve updates on an agent with maxConcurrent 2: exactly 2 get a slot, 18 get at_capacity', async () => {
    const d = await desk([agentRecord('ana', 2)]);
    const handle = t.client.workflow.getHandle<typeof agentWorkflow>(agentWorkflowId(d.taskQueue, 'ana'));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => handle.executeUpdate(reserveSlotUpdate, { args: [{ conversationId: `c-${i}`, skill: 'general' }] })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(2);
    expect(lost).toHaveLength(18);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((r.reason as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
      expect(((r.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(RoutingErrorCode.AtCapacity);
    }
    expect((await d.view('ana')).slots).toHaveLength(2);
    await d.stopEntities();
  });

  it('20 parallel claims of 20 waiting conversations by one agent with maxConcurrent 2: exactly 2 conversations are theirs', async () => {
    const d = await desk([agentRecord('ben', 2)]);
    const ids = await Promise.all(Array.from({ length: 20 }, () => d.queued()));
    const metrics = createMetrics({ defaultMetrics: false });
    const results = await Promise.allSettled(ids.map((id) => claimWithSlot({ conversations: d.conversations, routing: d.routing, metrics }, agentOf(d, 'ben'), id, 'general')));
    const won = ids.filter((_, i) => results[i].status === 'fulfilled');
    expect(won).toHaveLength(2);
    // A loser is told it is at capacity; on a loaded machine one reserve call was not answered within the
    // gateway's 10 s deadline (503 temporal_unavailable). Either way it changed nothing, as the states below show.
    for (const r of results) {
      if (r.status === 'rejected') expect([{ code: 'at_capacity', status: 409 }, { code: 'temporal_unavailable', status: 503 }]).toContainEqual({ code: r.reason.code, status: r.reason.status });
    }
    const states = await Promise.all(ids.map((id) => d.conversations.state(id)));
    expect(states.filter((s) => s.phase === 'human' && s.agent?.id === 'ben').map((s) => s.conversationId).sort()).toEqual([...won].sort());
    expect(states.filter((s) => s.phase === 'queued')).toHaveLength(18);
    // The conversations confirmed their assignment to the entity: two active slots, nothing left reserved.
    const view = await eventually(async () => {
      const v = await d.view('ben');
      return v.slots.every((s) => s.state === 'active') ? v : undefined;
    }, 'active slots');
    expect(view.slots.map((s) => s.conversationId).sort()).toEqual([...won].sort());
    expect(view.load).toBe(2);
    await d.stopEntities();
  }, 120_000);

  it('a claim that loses the conversation to another agent gives its slot back', async () => {
    const d = await desk([agentRecord('cat', 1), agentRecord('dan', 1)]);
    const id = await d.queued();
    const metrics = createMetrics({ defaultMetrics: false });
    const deps = { conversations: d.conversations, routing: d.routing, metrics };
    const results = await Promise.allSettled([claimWithSlot(deps, agentOf(d, 'cat'), id, 'general'), claimWithSlot(deps, agentOf(d, 'dan'), id, 'general')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results[0].status === 'rejected' ? 'cat' : 'dan';
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
    await eventually(async () => ((await d.view(loser)).slots.length === 0 ? true : undefined), 'slot released');
    await d.stopEntities();
  });
});

describe('presence', () => {
  it('is offline until the agent socket opens, follows the chosen status, and lapses when the socket stops reporting', async () => {
    const routing = routingConfig();
    routing.agent.presenceLeaseMs = 5_000;
    const d = await desk([agentRecord('eve', 2)], routing);
    const eve = agentOf(d, 'eve');
    expect((await d.view('eve')).presence).toBe('offline');
    await d.routing.connection(eve, 'sock-1', 'open');
    await eventually(async () => ((await d.snapshot()).roster.find((a) => a.agentId === 'eve')?.presence === 'online' ? true : undefined), 'online at the router');
    expect((await d.snapshot()).agents).toMatchObject({ online: 1, capacityOnline: 2, freeOnline: 2 });

    const away = await d.routing.setPresence(eve, 'away');
    expect(away).toMatchObject({ presence: 'away', status: 'away' });
    await eventually(async () => ((await d.snapshot()).agents.away === 1 ? true : undefined), 'away at the router');
    expect((await d.snapshot()).agents).toMatchObject({ online: 0, capacityOnline: 0 });

    await d.routing.setPresence(eve, 'online');
    // No refresh of the socket's report: the lease lapses and the agent is offline, to the router too.
    await t.advance(6_000);
    await eventually(async () => ((await d.view('eve')).presence === 'offline' ? true : undefined), 'lease lapsed');
    await eventually(async () => ((await d.snapshot()).agents.offline === 1 ? true : undefined), 'offline at the router');
    expect(d.calls.events.filter((e) => e.kind === 'agent' && e.agentId === 'eve').map((e) => (e.kind === 'agent' ? e.presence : ''))).toEqual(
      expect.arrayContaining(['online', 'away', 'offline']),
    );
    await d.stopEntities();
  });
});

describe('push assignment', () => {
  it('offers the waiting conversation to an online agent; a timed-out offer goes to the next agent, who accepts', async () => {
    const d = await desk([agentRecord('fay', 2), agentRecord('gus', 2)]);
    await d.routing.connection(agentOf(d, 'fay'), 's-f', 'open');
    await d.routing.connection(agentOf(d, 'gus'), 's-g', 'open');
    await eventually(async () => ((await d.snapshot()).agents.online === 2 ? true : undefined), 'both online');
    const id = await d.queued('I want a real person');

    const first = await eventually(async () => d.offersTo('fay')[0] ?? d.offersTo('gus')[0], 'first offer');
    const firstAgent = first.agentId;
    const nextAgent = firstAgent === 'fay' ? 'gus' : 'fay';
    expect(first.offer).toMatchObject({ conversationId: id, skill: 'general', priority: 'normal', tier: 'regular', language: 'en' });
    expect((await d.snapshot()).entries[0]).toMatchObject({ conversationId: id, position: 1, offeredTo: firstAgent });

    await t.advance(3_500);
    await eventually(async () => (d.endedFor(firstAgent).some((e) => e.outcome === 'timeout') ? true : undefined), 'timeout');
    const second = await eventually(async () => d.offersTo(nextAgent)[0], 'offer to the next agent');
    expect(second.offer.conversationId).toBe(id);

    const answer = await d.routing.respond(agentOf(d, nextAgent), second.offer.offerId, true);
    expect(answer).toEqual({ conversationId: id, skill: 'general' });
    const metrics = createMetrics({ defaultMetrics: false });
    const claim = await claimWithSlot({ conversations: d.conversations, routing: d.routing, metrics }, agentOf(d, nextAgent), id, 'general');
    expect(claim.handover.conversationId).toBe(id);
    expect((await d.conversations.state(id)).agent?.id).toBe(nextAgent);
    await eventually(async () => ((await d.snapshot()).entries.length === 0 ? true : undefined), 'left the queue');
    await eventually(async () => ((await d.view(nextAgent)).slots[0]?.state === 'active' ? true : undefined), 'active slot');
    await d.stopEntities();
  }, 60_000);

  it('a declined offer goes to the next agent at once; a claim by a third agent withdraws the pending offer', async () => {
    const d = await desk([agentRecord('hal', 1), agentRecord('ida', 1), agentRecord('jon', 1)]);
    for (const a of ['hal', 'ida']) await d.routing.connection(agentOf(d, a), `s-${a}`, 'open');
    await eventually(async () => ((await d.snapshot()).agents.online === 2 ? true : undefined), 'two online');
    const id = await d.queued();
    const first = await eventually(async () => d.offersTo('hal')[0] ?? d.offersTo('ida')[0], 'first offer');
    const other = first.agentId === 'hal' ? 'ida' : 'hal';
    await d.routing.respond(agentOf(d, first.agentId), first.offer.offerId, false);
    const second = await eventually(async () => d.offersTo(other)[0], 'offer to the other agent');
    expect(d.endedFor(first.agentId).map((e) => e.outcome)).toEqual(['declined']);

    // jon (not online, so never offered) claims from the list: the pending offer is taken back.
    const metrics = createMetrics({ defaultMetrics: false });
    await claimWithSlot({ conversations: d.conversations, routing: d.routing, metrics }, agentOf(d, 'jon'), id, 'general');
    await eventually(async () => (d.endedFor(other).some((e) => e.offerId === second.offer.offerId && e.outcome === 'withdrawn') ? true : undefined), 'withdrawn');
    await expect(d.routing.respond(agentOf(d, other), second.offer.offerId, true)).rejects.toMatchObject({ code: 'offer_not_found', status: 404 });
    expect((await d.view(other)).slots).toEqual([]);
    await d.stopEntities();
  }, 60_000);

  it('serves the queue in service-level order and gives each waiting customer a place and an estimate', async () => {
    const d = await desk([agentRecord('kim', 1)]);
    const normal = await d.queued('human please');
    const vip = await (async () => {
      const h = await startConversation(t.client, d.taskQueue, 'human please', { customer: { id: 'v-1', tier: 'vip' } });
      return (await waitForState(h, (x) => x.phase === 'queued', 'vip queued')).conversationId;
    })();
    // The conversation tells its router right after entering the queue; the router's answer follows a moment later.
    const snap = await eventually(async () => {
      const s = await d.snapshot();
      return s.entries.length === 1 ? s : undefined;
    }, 'general queue');
    expect(snap.entries.map((e) => e.conversationId)).toEqual([normal]);
    const vipSnap = await eventually(async () => {
      const s = await d.snapshot('vip');
      return s.entries.length === 1 ? s : undefined;
    }, 'vip queue');
    expect(vipSnap.entries[0]).toMatchObject({ conversationId: vip, priority: 'urgent', position: 1 });
    // Nobody online for either queue: no estimate, said plainly.
    expect(snap.entries[0].etaAt).toBeUndefined();
    expect(await d.routing.position(normal, 'general', await t.env.currentTimeMs())).toMatchObject({ position: 1, etaSeconds: null, size: 1, agentsOnline: 0 });
    await d.routing.connection(agentOf(d, 'kim'), 's-k', 'open');
    await d.routing.setPresence(agentOf(d, 'kim'), 'away');
    await d.routing.setPresence(agentOf(d, 'kim'), 'online');
    // Measured against the server's clock (time skipping moves it ahead of the wall clock).
    const withAgent = await eventually(async () => {
      const p = await d.routing.position(normal, 'general', await t.env.currentTimeMs());
      return p && p.etaSeconds !== null ? p : undefined;
    }, 'an estimate once someone is online');
    // Offered to the free agent at once: the estimate is the time agents take to accept (10 s until measured).
    expect(withAgent.etaSeconds).toBeLessThanOrEqual(10);
    await d.stopEntities();
  }, 60_000);
});

describe('continue-as-new', () => {
  it('carries the agent’s slots and presence and the router’s queue across runs', async () => {
    const d = await desk([agentRecord('lou', 3)], routingConfig({ eventsPerRun: 60 }));
    const lou = agentOf(d, 'lou');
    const handle = t.client.workflow.getHandle(agentWorkflowId(d.taskQueue, 'lou'));
    const firstRun = (await handle.describe()).runId;
    await d.routing.connection(lou, 's-l', 'open');
    const ids = await Promise.all(Array.from({ length: 3 }, () => d.queued()));
    const metrics = createMetrics({ defaultMetrics: false });
    for (const id of ids.slice(0, 2)) await claimWithSlot({ conversations: d.conversations, routing: d.routing, metrics }, lou, id, 'general');
    // Constant traffic (every status change is news for the routers) must not hold the continue-as-new off.
    // (The run id, not a visibility count: Temporal's test server has no visibility.)
    const continued = async () => (await handle.describe()).runId !== firstRun;
    // Traffic goes on for up to 30 s, not a fixed number of changes: the hold waits for a signal already handed to
    // the server, and under load the dev server took longer to deliver one than 40 changes took (the run had held,
    // its one signal out was still undelivered).
    const until = Date.now() + 30_000;
    for (let i = 0; Date.now() < until && !(await continued()); i++) await d.routing.setPresence(lou, i % 2 === 0 ? 'away' : 'online');
    expect(await continued()).toBe(true);
    await d.routing.setPresence(lou, 'online');
    const view = await handle.query(agentViewQuery);
    expect(view.presence).toBe('online');
    expect(view.slots.filter((s) => ids.slice(0, 2).includes(s.conversationId))).toHaveLength(2);
    const snap = await d.snapshot();
    expect(snap.entries.map((e) => e.conversationId)).toContain(ids[2]);
    await d.stopEntities();
  }, 90_000);

  // Not on Temporal's time-skipping test server: there the router's first run's history sometimes never ended in
  // 16 rounds (it passed alone and in most runs, failed twice in full runs). The same quirk, seen since in
  // continue-as-new.test.ts: under load that server starts the new run while the old history still ends at
  // WorkflowTaskStarted, for 30 s and more, and this test follows the runs by their closing events. The
  // carried-outbox logic is the same on every server; the dev server and the embedded one run it.
  (testServerKind() === 'time-skipping' ? it.skip : it)('a router under constant traffic continues as new with offers still queued: the next run sends them, each offer reaches its agent once and none is lost', async () => {
    const names = ['ava', 'ben', 'cai', 'dov', 'eli', 'fay'];
    const d = await desk(
      names.map((n) => agentRecord(n, 2)),
      routingConfig({ eventsPerRun: 40, offerTimeoutSeconds: 600 }),
    );
    for (const n of names) await d.routing.connection(agentOf(d, n), `s-${n}`, 'open');
    const routerId = routerWorkflowId(d.taskQueue, 'general');
    const router = t.client.workflow.getHandle(routerId);
    const firstRouterRun = (await router.describe()).runId;
    const firstAgentRuns = new Map<string, string>();
    for (const n of names) firstAgentRuns.set(n, (await t.client.workflow.getHandle(agentWorkflowId(d.taskQueue, n)).describe()).runId);
    const request = (conversationId: string): QueueRequest => ({
      conversationId,
      customerId: `cu-${conversationId}`,
      tier: 'regular',
      language: conversationId.endsWith('z') ? 'zh' : 'en',
      priority: 'normal',
      reasons: ['explicit_request'],
      waitingSince: new Date().toISOString(),
    });
    // Bursts of waiting customers, and the previous burst leaving: every enqueue and every leave is a routing
    // pass, every leave of an offered conversation a withdrawal and a new offer to the agent it freed, so the
    // router always has something in its outbox when its history asks it to carry on.
    let carried: CarriedOutbox[] = [];
    let previous: string[] = [];
    // Up to 40 rounds or 100 s: on a loaded machine the dev server delivers the router's signals slowly, the
    // router holds its continue-as-new until they are, and 16 rounds once gave a single rollover.
    const until = Date.now() + 100_000;
    for (let round = 0; round < 40 && Date.now() < until; round++) {
      const ids = Array.from({ length: 16 }, (_, i) => `r${round}-c${i}${i % 2 ? 'z' : ''}`);
      await Promise.all(ids.map((id) => router.signal(enqueueSignal, request(id))));
      await Promise.all(previous.map((id) => router.signal(dequeueSignal, { conversationId: id, reason: 'closed' })));
      previous = ids;
      // Paced by the worker (a round is a hundred history events or so, slow on a busy machine).
      await eventually(async () => {
        const entries = (await router.query(queueSnapshotQuery)).entries;
        return entries.length === ids.length && entries.every((e) => ids.includes(e.conversationId)) ? true : undefined;
      }, `round ${round} routed`, 60_000);
      carried = await carriedOutboxes(await runsOf(routerId, firstRouterRun));
      if (carried.length >= 2 && carried.some((o) => o.signals.some((s) => s.signal === agentOfferSignal.name))) break;
    }
    expect(carried.length).toBeGreaterThanOrEqual(2);
    const carriedOffers = carried.flatMap((o) => o.signals.filter((s) => s.signal === agentOfferSignal.name).map((s) => (s.arg as OfferRequest).offerId));
    expect(carriedOffers.length).toBeGreaterThan(0);

    const seq = (offerId: string) => Number(offerId.slice(offerId.lastIndexOf(':') + 1));
    const lastCarried = Math.max(...carriedOffers.map(seq));
    const received = await eventually(async () => {
      const all: string[] = [];
      for (const n of names) all.push(...(await offersReceived(await runsOf(agentWorkflowId(d.taskQueue, n), firstAgentRuns.get(n)!))));
      const got = new Set(all.map(seq));
      // Offers are numbered one by one as the router makes them: a gap below the last carried one is a lost offer.
      return Array.from({ length: lastCarried }, (_, i) => i + 1).every((n) => got.has(n)) ? all : undefined;
    }, 'every offer up to the last carried one delivered', 30_000);
    for (const id of carriedOffers) expect(received.filter((r) => r === id)).toHaveLength(1);
    expect(new Set(received).size).toBe(received.length);
    await d.stopEntities();
  }, 180_000);

  it('an offer carried to the next run keeps its failure handler: an agent that cannot be reached counts as refused and the next agent gets the offer at once', async () => {
    const d = await desk([agentRecord('ann', 2)], routingConfig({ offerTimeoutSeconds: 600 }));
    await d.routing.connection(agentOf(d, 'ann'), 's-ann', 'open');
    await eventually(async () => ((await d.view('ann')).presence === 'online' ? true : undefined), 'ann online');
    const settings = routingConfig({ offerTimeoutSeconds: 600 }).router;
    const routerId = `${routerWorkflowId(d.taskQueue, 'general')}-carried`;
    const at = new Date().toISOString();
    const expiresAt = new Date(Date.now() + settings.offerTimeoutMs).toISOString();
    const snapshot = (agentId: string): AgentSnapshot => ({
      agentId,
      name: agentId.toUpperCase(),
      presence: 'online',
      used: 0,
      capacity: 2,
      activeSince: [],
      skills: [{ skill: 'general', level: 3 }],
      languages: ['en', 'zh'],
      performance: { samples: 0 },
      recentMisses: [],
      since: at,
      version: 1,
    });
    const waiting: QueueRequest = {
      conversationId: 'c-carried',
      customerId: 'cu-carried',
      tier: 'regular',
      language: 'zh',
      priority: 'normal',
      reasons: ['explicit_request'],
      waitingSince: at,
    };
    const ghostOffer: OfferRequest = {
      offerId: 'general:1',
      conversationId: 'c-carried',
      skill: 'general',
      priority: 'normal',
      tier: 'regular',
      language: 'zh',
      waitingSince: at,
      expiresAt,
      reasons: ['explicit_request'],
      routerId,
    };
    // The state a run would carry after offering c-carried to "ghost", whose offer was still queued:
    // ghost's entity does not exist, so the send fails in the next run.
    const carried: RouterState = {
      schema: ROUTER_STATE_VERSION,
      skill: 'general',
      routerId,
      taskQueue: d.taskQueue,
      settings,
      queue: [{ ...waiting, enqueuedAt: at, declined: [] }],
      roster: [snapshot('ghost'), snapshot('ann')],
      offers: [{ offerId: ghostOffer.offerId, conversationId: 'c-carried', agentId: 'ghost', at, expiresAt }],
      handleSamples: [],
      acceptSamples: [],
      lastOffered: 'ghost',
      offerSeq: 1,
      decisions: 1,
      asOf: at,
    };
    const outbox: CarriedOutbox = { signals: [{ workflowId: agentWorkflowId(d.taskQueue, 'ghost'), signal: agentOfferSignal.name, arg: ghostOffer }], events: [] };
    const router = await t.client.workflow.start<typeof routerWorkflow>('routerWorkflow', {
      taskQueue: d.taskQueue,
      workflowId: routerId,
      args: [{ skill: 'general', taskQueue: d.taskQueue, settings, carried, outbox }],
    });
    const offer = await eventually(async () => d.offersTo('ann').find((o) => o.conversationId === 'c-carried'), 'the offer passed on to ann', 30_000);
    expect(offer.offer.offerId).not.toBe(ghostOffer.offerId);
    // Offered to ann (her entity's clock) before ghost's offer would have lapsed: the failure, not the timeout, moved it on.
    const offeredAt = Date.parse(offer.offer.expiresAt) - settings.offerTimeoutMs;
    expect(offeredAt).toBeLessThan(Date.parse(expiresAt));
    const snap = await router.query(queueSnapshotQuery);
    expect(snap.entries.find((e) => e.conversationId === 'c-carried')?.offeredTo).toBe('ann');
    await t.terminate(router);
    await d.stopEntities();
  }, 60_000);
});

describe('upgrading to routing', () => {
  // Not on Temporal's time-skipping test server: there the first query to the router after the worker swap never
  // returned (waited 40 s; the router had been cached by the stopped worker). The embedded and dev servers run it.
  (testServerKind() === 'time-skipping' ? it.skip : it)('a conversation queued by a release from before routing replays down its old path, then joins its router at its first live decision', async () => {
    // The release before: the same code with the routing patch left inactive (as if the code were not there).
    const before = await desk([agentRecord('ann', 2)], routingConfig(), { patchActivationCallback: ({ patchId }) => patchId !== ROUTING_ENTITIES });
    const h = await startConversation(t.client, before.taskQueue, 'human please');
    await waitForState(h, (x) => x.phase === 'queued', 'queued');
    // Queued the old way: the router never heard of it.
    expect((await before.snapshot()).entries.map((e) => e.conversationId)).toEqual([]);
    const patchesOf = async () => patchIdsOf(await h.fetchHistory());
    expect(await patchesOf()).toEqual([NO_LOCAL_ACTIVITIES]);

    // The deploy: that worker stops, one with today's code takes the queue; the run replays (old path), then a
    // presence report from the customer's socket is its first live activation.
    before.worker.worker.shutdown();
    await before.worker.run;
    const { activities } = fakeActivities();
    await t.worker(activities, before.taskQueue);
    await h.signal(customerPresenceSignal, { connectionId: 'sock-1', state: 'open' });
    const entry = await eventually(async () => {
      const snap = await before.snapshot();
      return snap.entries.find((e) => e.conversationId === (h.workflowId.replace(/^conversation-/, '')));
    }, 'the router to hear of the conversation');
    expect(entry).toMatchObject({ position: 1, reasons: ['explicit_request'] });
    expect(await patchesOf()).toEqual([NO_LOCAL_ACTIVITIES, ROUTING_ENTITIES]);
    // Its whole history (both releases' decisions) replays with today's code.
    await Worker.runReplayHistory({ workflowBundle: t.bundle, dataConverter: testDataConverter(), replayName: 'upgrade' }, await h.fetchHistory());
    await t.terminate(h);
    await before.stopEntities();
  }, 90_000);
});
