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
import { ApplicationFailure } from '@temporalio/common';
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
  agentViewQuery,
  agentWorkflowId,
  queueSnapshotQuery,
  reserveSlotUpdate,
  routerWorkflowId,
  RoutingErrorCode,
  type AgentView,
  type QueueSnapshot,
} from '../../src/routing/contract';
import type { agentWorkflow } from '../../src/workflows';
import type { OutboundEvent } from '../../src/workflows/contract';
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

async function desk(records: ReturnType<typeof agentRecord>[], routing = routingConfig()): Promise<Desk> {
  const { activities, calls } = fakeActivities();
  const { taskQueue } = await t.worker(activities);
  const agents = AgentDirectory.fromJson(records);
  const config = loadConfig({ TASK_QUEUE: taskQueue, LOG_LEVEL: 'silent' });
  const conversations = new Conversations(t.client, config);
  const desk = new RoutingDesk(t.client, taskQueue, routing, agents, logger);
  await desk.ensure();
  return {
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
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'at_capacity', status: 409 });
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
    for (let i = 0; i < 40 && !(await continued()); i++) await d.routing.setPresence(lou, i % 2 === 0 ? 'away' : 'online');
    expect(await continued()).toBe(true);
    await d.routing.setPresence(lou, 'online');
    const view = await handle.query(agentViewQuery);
    expect(view.presence).toBe('online');
    expect(view.slots.filter((s) => ids.slice(0, 2).includes(s.conversationId))).toHaveLength(2);
    const snap = await d.snapshot();
    expect(snap.entries.map((e) => e.conversationId)).toContain(ids[2]);
    await d.stopEntities();
  }, 90_000);
});
