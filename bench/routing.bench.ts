/**
 * `npm run bench:routing` — push assignment with 500 agents and 5,000
 * waiting conversations. Figures only, no asserts.
 *
 * 1. The routing rules alone (src/routing/router-state.ts), in this process:
 *    one router state holding 5,000 waiting conversations and 500 online
 *    agents with one free slot each; each pass offers one conversation to
 *    every free agent (500 decisions), then the offers are accepted and 500
 *    new conversations arrive, so every pass starts from the same load.
 *    Prints routing decisions/s per strategy (and as a ratio to round-robin,
 *    the cheapest, measured in the same process), and the time to compute
 *    the 5,000 places and estimates (the queue snapshot) p50/p99.
 * 2. Through Temporal (the embedded server by default, or TEMPORAL_ADDRESS):
 *    the real router and agent workflows on a worker in this process, 500
 *    agent entities (maxConcurrent 1), one router, 5,000 conversations
 *    enqueued by signal (synthetic: no conversation workflows). Then:
 *    - initial offers: agents open their socket; latency from the presence
 *      signal to the offer event reaching the bus (agent → router report →
 *      routing pass → offer signal → agent → event);
 *    - steady state: agents decline their offer (the respondOffer update),
 *      `CONCURRENCY` at a time; latency from the decline's answer to the next
 *      offer event for that agent, p50/p99, and end-to-end decisions/s.
 *
 * Set BENCH_AGENTS / BENCH_WAITING to scale it down for a quick look.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEmbeddedTemporal } from '../embedded-temporal/src';
import type { Activities } from '../src/activities';
import { InProcessBus } from '../src/bus/in-process';
import { AgentDirectory } from '../src/gateway/agents';
import { RoutingDesk } from '../src/gateway/routing';
import { createLogger } from '../src/logger';
import { resolveRouting } from '../src/routing/config';
import { enqueueSignal, routerWorkflowId, STRATEGIES, type AgentSnapshot, type QueueRequest, type Strategy } from '../src/routing/contract';
import { agentStatus, dequeue, enqueue, initialRouterState, route, snapshot, type RouterState } from '../src/routing/router-state';
import type { OutboundEvent, Priority } from '../src/workflows/contract';
import { WORKFLOWS_PATH } from '../worker';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const WAITING = Number(process.env.BENCH_WAITING ?? 5000);
const PASSES = 20;
const SNAPSHOTS = 50;
const DECLINES = Math.min(AGENTS, 500);
const CONCURRENCY = 20;
const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'normal', 'normal', 'low'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const fmt = (samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${ms(percentile(s, 50))}, p99 ${ms(percentile(s, 99))} (n=${s.length})`;
};

/** A deterministic pseudo-random sequence, so runs compare. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

function request(i: number, now: number, rand: () => number): QueueRequest {
  return {
    conversationId: `c-${i}`,
    customerId: `cust-${i}`,
    tier: rand() < 0.05 ? 'vip' : rand() < 0.2 ? 'enterprise' : 'regular',
    language: rand() < 0.5 ? 'zh' : 'en',
    priority: PRIORITIES[Math.floor(rand() * PRIORITIES.length)],
    reasons: ['explicit_request'],
    waitingSince: new Date(now - Math.floor(rand() * 1_800_000)).toISOString(),
  };
}

function agentSnap(i: number, rand: () => number, now: string): AgentSnapshot {
  const samples = Math.floor(rand() * 40);
  return {
    agentId: `agent-${String(i).padStart(4, '0')}`,
    name: `Agent ${i}`,
    presence: 'online',
    used: 2,
    capacity: 3,
    activeSince: [new Date(Date.parse(now) - Math.floor(rand() * 600_000)).toISOString(), now],
    skills: [{ skill: 'general', level: 1 + Math.floor(rand() * 5) }],
    languages: rand() < 0.3 ? ['en'] : ['en', 'zh'],
    performance: samples > 0 ? { samples, resolutionRate: 0.5 + rand() / 2, medianHandleMs: 120_000 + Math.floor(rand() * 480_000) } : { samples: 0 },
    recentMisses: rand() < 0.2 ? [now] : [],
    since: now,
    version: 1,
  };
}

function pureBench(): void {
  console.log(`\n1. Routing rules alone: ${AGENTS} online agents (one free slot each), ${WAITING} waiting conversations, ${PASSES} passes per strategy`);
  const settings = resolveRouting({}, { OFFER_TIMEOUT_SECONDS: 30, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 300 }).router;
  const rates: Partial<Record<Strategy, number>> = {};
  for (const strategy of STRATEGIES) {
    const rand = rng(7);
    const nowMs = Date.parse('2026-03-02T09:00:00.000Z');
    const now = new Date(nowMs).toISOString();
    let state: RouterState = initialRouterState({ skill: 'general', taskQueue: 'bench', settings: { ...settings, strategy } }, 'router-bench', now);
    for (let i = 0; i < AGENTS; i++) state = agentStatus(state, agentSnap(i, rand, now));
    for (let i = 0; i < WAITING; i++) state = enqueue(state, request(i, nowMs, rand), now);
    let next = WAITING;
    let decisions = 0;
    let elapsed = 0;
    for (let pass = 0; pass < PASSES; pass++) {
      const started = performance.now();
      const step = route(state, now);
      elapsed += performance.now() - started;
      decisions += step.effects.length;
      state = step.state;
      // The offers are accepted: those conversations leave, as many new ones arrive; the agents are free again.
      for (const effect of step.effects) {
        if (effect.kind !== 'offer') continue;
        state = dequeue(state, { conversationId: effect.offer.conversationId, reason: 'assigned', agentId: effect.agentId }, now).state;
        state = enqueue(state, request(next++, nowMs, rand), now);
      }
    }
    rates[strategy] = decisions / (elapsed / 1000);
    console.log(`   ${strategy.padEnd(12)} ${Math.round(rates[strategy]!).toLocaleString('en')} decisions/s (${decisions} decisions in ${ms(elapsed)})`);
  }
  for (const strategy of STRATEGIES) {
    console.log(`   ${strategy.padEnd(12)} ${((rates[strategy] ?? 0) / (rates.round_robin ?? 1)).toFixed(2)}× the round-robin rate`);
  }
  const rand = rng(11);
  const nowMs = Date.parse('2026-03-02T09:00:00.000Z');
  const now = new Date(nowMs).toISOString();
  let state: RouterState = initialRouterState({ skill: 'general', taskQueue: 'bench', settings }, 'router-bench', now);
  for (let i = 0; i < AGENTS; i++) state = agentStatus(state, agentSnap(i, rand, now));
  for (let i = 0; i < WAITING; i++) state = enqueue(state, request(i, nowMs, rand), now);
  const times: number[] = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    const started = performance.now();
    const snap = snapshot(state);
    times.push(performance.now() - started);
    if (snap.entries.length !== WAITING) throw new Error('snapshot lost entries');
  }
  console.log(`   queue snapshot (${WAITING} places and estimates): ${fmt(times)}`);
}

async function temporalBench(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  const given = process.env.TEMPORAL_ADDRESS?.trim();
  const server = given ? undefined : await startEmbeddedTemporal();
  const address = given ?? server!.address;
  console.log(`\n2. Through Temporal (${given ? `TEMPORAL_ADDRESS ${given}` : 'embedded server'}): ${AGENTS} agent entities, one router, ${WAITING} waiting conversations`);
  const bus = new InProcessBus();
  const offers = new Map<string, { at: number; offerId: string }[]>();
  const waiters = new Map<string, (at: number) => void>();
  bus.subscribe((event: OutboundEvent) => {
    if (event.kind !== 'offer') return;
    const at = performance.now();
    const list = offers.get(event.agentId) ?? [];
    list.push({ at, offerId: event.offer.offerId });
    offers.set(event.agentId, list);
    waiters.get(event.agentId)?.(at);
  });
  const activities = {
    // The entities' outboxes publish in batches (publishEvents, an ordinary activity since the no-local-activities patch).
    publishEvents: async (events: OutboundEvent[]) => {
      for (const event of events) await bus.publish(event);
    },
    suggestFaq: async () => [],
  } as unknown as Activities;
  const taskQueue = `bench-routing-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities, maxCachedWorkflows: AGENTS + 10, shutdownGraceTime: '1s' });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    const routing = resolveRouting({ assignment: { strategy: 'mixed' } }, { OFFER_TIMEOUT_SECONDS: 600, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 300 });
    routing.agent.presenceLeaseMs = 3_600_000;
    const records = Array.from({ length: AGENTS }, (_, i) => ({
      id: `agent-${String(i).padStart(4, '0')}`,
      name: `Agent ${i}`,
      token: `bench-token-${String(i).padStart(8, '0')}`,
      skills: [{ skill: 'general', level: 1 + (i % 5) }],
      maxConcurrent: 1,
    }));
    const directory = AgentDirectory.fromJson(records);
    const desk = new RoutingDesk(client, taskQueue, { ...routing, policy: { ...routing.policy, skills: routing.policy.skills.filter((s) => s.id === 'general') } }, directory, createLogger({ level: 'silent' }));
    let t0 = performance.now();
    await desk.ensure();
    console.log(`   started ${AGENTS} agent entities and the router in ${ms(performance.now() - t0)}`);

    const router = client.workflow.getHandle(routerWorkflowId(taskQueue, 'general'));
    const rand = rng(3);
    const nowMs = Date.now();
    t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < WAITING) {
          const i = next++;
          await router.signal(enqueueSignal, request(i, nowMs, rand));
        }
      }),
    );
    const enqueued = performance.now() - t0;
    console.log(`   enqueued ${WAITING} conversations in ${ms(enqueued)} (${Math.round(WAITING / (enqueued / 1000))} signals/s)`);

    // Initial offers: each agent opens its socket; the first offer follows through the router.
    const initial: number[] = [];
    const agents = directory.all();
    t0 = performance.now();
    let k = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (k < agents.length) {
          const agent = agents[k++];
          const got = new Promise<number>((resolve) => waiters.set(agent.id, resolve));
          const sent = performance.now();
          await desk.connection(agent, `sock-${agent.id}`, 'open');
          initial.push((await got) - sent);
          waiters.delete(agent.id);
        }
      }),
    );
    const initialElapsed = performance.now() - t0;
    console.log(`   first offers to ${initial.length} agents after they came online: ${fmt(initial)}; ${Math.round(initial.length / (initialElapsed / 1000))} offers/s`);

    // Steady state: decline, and time until that agent's next offer.
    const steady: number[] = [];
    t0 = performance.now();
    let d = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (d < DECLINES) {
          const agent = agents[d++ % agents.length];
          const current = offers.get(agent.id)?.at(-1);
          if (!current) continue;
          const got = new Promise<number>((resolve) => waiters.set(agent.id, resolve));
          await desk.respond(agent, current.offerId, false);
          const answered = performance.now();
          steady.push((await got) - answered);
          waiters.delete(agent.id);
        }
      }),
    );
    const steadyElapsed = performance.now() - t0;
    console.log(`   decline → next offer, ${CONCURRENCY} agents at a time: ${fmt(steady)}; ${Math.round(steady.length / (steadyElapsed / 1000))} routing decisions/s end to end`);
    const snapStarted = performance.now();
    const snap = await desk.snapshot('general');
    console.log(`   queue snapshot query: ${snap.entries.length} entries, ${snap.agents.online} agents online, ${ms(performance.now() - snapStarted)}`);
    const runs = (await client.workflow.count(`WorkflowId = '${routerWorkflowId(taskQueue, 'general')}'`)).count;
    const described = await router.describe();
    console.log(`   the router ran ${runs} run(s) (continue-as-new carries the whole queue); current run: ${described.historyLength} events`);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
    await server?.stop();
  }
}

async function main(): Promise<void> {
  console.log(`routing benchmark — node ${process.version}, ${new Date().toISOString()}`);
  pureBench();
  await temporalBench();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
