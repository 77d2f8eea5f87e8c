/**
 * Prometheus metrics (prom-client), on a registry per process part so two
 * gateways in one test process do not collide.
 *
 * Where each number comes from:
 * - conversations by phase: counted from visibility at scrape time;
 * - the desk figures — conversations started and closed by outcome (the AI
 *   resolution rate), escalations by reason (the transfer rate), waits by
 *   outcome (abandoned included), first response and handle times, turns per
 *   conversation, service-level breaches, agent presence and load: the desk
 *   notes and routing events the workflows publish on the bus (with several
 *   gateways on one Redis every gateway sees every event, so aggregate these
 *   with max(), not sum());
 * - claims: the agent API;
 * - tool failures and intent layer hits: the activities, wrapped by
 *   {@link instrumentActivities} in the process that runs the worker.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApplicationFailure } from '@temporalio/common';
import { PHASES, TOOL_NAMES, type DeskNote, type OutboundEvent, type Phase, type Understanding } from './workflows/contract';

export interface Metrics {
  readonly registry: Registry;
  readonly conversationsByPhase: Gauge<'phase'>;
  readonly turns: Counter<'from'>;
  readonly conversationsStarted: Counter<'tier'>;
  readonly conversationsClosed: Counter<'outcome'>;
  readonly escalations: Counter<'reason'>;
  readonly escalatedConversations: Counter<'skill' | 'priority'>;
  readonly agentTransfers: Counter<'from' | 'to'>;
  readonly releases: Counter<'to'>;
  readonly claims: Counter<'outcome'>;
  readonly offers: Counter<'outcome'>;
  readonly waitSeconds: Histogram<'outcome' | 'skill'>;
  readonly firstResponseSeconds: Histogram;
  readonly handleSeconds: Histogram<'skill' | 'outcome'>;
  readonly turnsPerConversation: Histogram<'speaker'>;
  readonly slaBreaches: Counter<'tier' | 'skill'>;
  readonly slaSteps: Counter<'step'>;
  readonly agentsByPresence: Gauge<'presence'>;
  readonly agentLoad: Gauge<'agent'>;
  readonly agentCapacity: Gauge<'agent'>;
  readonly toolFailures: Counter<'tool' | 'type'>;
  readonly intentLayerHits: Counter<'layer'>;
  readonly socketConnections: Gauge<'kind'>;
  /** Bus messages dropped on receipt: forged, tampered, stale, replayed, malformed. */
  readonly busEventsDropped: Counter<'reason'>;
  /** Feeds the desk counters from one bus event (each event counted once, even when published twice). */
  observeEvent(event: OutboundEvent): void;
  /** Sets the phase gauge from a counting function (visibility count per phase). */
  refreshPhases(count: (phase: Phase) => Promise<number>): Promise<void>;
}

export interface MetricsOptions {
  /** Add Node process metrics (CPU, memory, event loop). Default true. */
  defaultMetrics?: boolean;
}

const SECONDS_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 3600];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  const registers = [registry];

  const conversationsByPhase = new Gauge({
    name: 'switchboard_conversations',
    help: 'Conversations by phase, counted from Temporal visibility at scrape time (closed: within retention)',
    labelNames: ['phase'] as const,
    registers,
  });
  const turns = new Counter({ name: 'switchboard_turns_total', help: 'Transcript entries published on the event bus, by speaker', labelNames: ['from'] as const, registers });
  const conversationsStarted = new Counter({
    name: 'switchboard_conversations_started_total',
    help: 'Conversations started, by customer tier',
    labelNames: ['tier'] as const,
    registers,
  });
  const conversationsClosed = new Counter({
    name: 'switchboard_conversations_closed_total',
    help: 'Conversations closed, by outcome (ai_resolved = no person was ever involved: the AI resolution rate is ai_resolved / all)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const escalations = new Counter({
    name: 'switchboard_escalations_total',
    help: 'Escalations from the AI to people, by reason (one escalation may carry several reasons; releases, transfers and re-queues are not escalations)',
    labelNames: ['reason'] as const,
    registers,
  });
  const escalatedConversations = new Counter({
    name: 'switchboard_escalated_conversations_total',
    help: 'Escalations from the AI to people, one per escalation, by queue and priority (the transfer rate is this / conversations started)',
    labelNames: ['skill', 'priority'] as const,
    registers,
  });
  const agentTransfers = new Counter({ name: 'switchboard_agent_transfers_total', help: 'Agents transferring a conversation to another queue', labelNames: ['from', 'to'] as const, registers });
  const releases = new Counter({ name: 'switchboard_agent_releases_total', help: 'Agents handing a conversation back, to the AI or the queue', labelNames: ['to'] as const, registers });
  const claims = new Counter({ name: 'switchboard_claims_total', help: 'Claim attempts through the agent API (claims and accepted offers), by outcome', labelNames: ['outcome'] as const, registers });
  const offers = new Counter({ name: 'switchboard_offers_total', help: 'Offers made to agents, by how they ended (declined, timeout, unavailable, withdrawn, failed)', labelNames: ['outcome'] as const, registers });
  const waitSeconds = new Histogram({
    name: 'switchboard_queue_wait_seconds',
    help: 'Time in the queue, by how the wait ended (assigned, abandoned, left_message, callback, closed, released)',
    labelNames: ['outcome', 'skill'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const firstResponseSeconds = new Histogram({
    name: 'switchboard_first_response_seconds',
    help: "Time from an agent taking a conversation to the agent's first message",
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const handleSeconds = new Histogram({
    name: 'switchboard_handle_seconds',
    help: "An agent's time with a conversation, by queue and how it ended",
    labelNames: ['skill', 'outcome'] as const,
    buckets: [30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers,
  });
  const turnsPerConversation = new Histogram({
    name: 'switchboard_turns_per_conversation',
    help: 'Turns per closed conversation: customer messages, and AI turns',
    labelNames: ['speaker'] as const,
    buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55],
    registers,
  });
  const slaBreaches = new Counter({
    name: 'switchboard_sla_breaches_total',
    help: "Waits that passed their tier's wait limit (counted once per wait)",
    labelNames: ['tier', 'skill'] as const,
    registers,
  });
  const slaSteps = new Counter({ name: 'switchboard_sla_steps_total', help: 'Service-level steps taken (remind, alert, overflow)', labelNames: ['step'] as const, registers });
  const agentsByPresence = new Gauge({ name: 'switchboard_agents', help: 'Agents by presence (online, away, offline), as last reported', labelNames: ['presence'] as const, registers });
  const agentLoad = new Gauge({ name: 'switchboard_agent_load', help: 'Conversations an agent holds, as last reported', labelNames: ['agent'] as const, registers });
  const agentCapacity = new Gauge({ name: 'switchboard_agent_capacity', help: 'Conversations an agent may hold at once', labelNames: ['agent'] as const, registers });
  const toolFailures = new Counter({
    name: 'switchboard_tool_failures_total',
    help: 'Failed business tool attempts (each retry counts), by tool and failure type',
    labelNames: ['tool', 'type'] as const,
    registers,
  });
  const intentLayerHits = new Counter({
    name: 'switchboard_intent_layer_hits_total',
    help: 'Customer turns understood, by the layer that decided the intent (rule, model, llm)',
    labelNames: ['layer'] as const,
    registers,
  });
  const socketConnections = new Gauge({
    name: 'switchboard_websocket_connections',
    help: 'Open WebSocket connections on this gateway, by kind',
    labelNames: ['kind'] as const,
    registers,
  });

  const busEventsDropped = new Counter({
    name: 'switchboard_bus_events_dropped_total',
    help: 'Event bus messages dropped on receipt, by reason (unsigned, bad_signature, stale, replayed, malformed)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  // Events can be published more than once (activity retries): count each one once, in a bounded memory.
  const seen = new Set<string>();
  const SEEN_LIMIT = 20_000;
  const firstTime = (key: string): boolean => {
    if (seen.has(key)) return false;
    if (seen.size >= SEEN_LIMIT) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    seen.add(key);
    return true;
  };
  const presenceOf = new Map<string, string>();

  const note = (n: DeskNote): void => {
    switch (n.kind) {
      case 'started':
        conversationsStarted.inc({ tier: n.tier });
        return;
      case 'escalated':
        escalatedConversations.inc({ skill: n.skill, priority: n.priority });
        for (const reason of n.reasons) escalations.inc({ reason });
        return;
      case 'assigned':
        waitSeconds.observe({ outcome: 'assigned', skill: n.skill }, n.waitMs / 1000);
        return;
      case 'left_queue':
        waitSeconds.observe({ outcome: n.outcome, skill: n.skill }, n.waitMs / 1000);
        return;
      case 'first_response':
        firstResponseSeconds.observe(n.ms / 1000);
        return;
      case 'handled':
        handleSeconds.observe({ skill: n.skill, outcome: n.outcome }, n.handleMs / 1000);
        return;
      case 'transferred':
        agentTransfers.inc({ from: n.from, to: n.to });
        return;
      case 'released':
        releases.inc({ to: n.to });
        return;
      case 'sla':
        if (n.period === 1) slaBreaches.inc({ tier: n.tier, skill: n.skill });
        for (const step of n.steps) slaSteps.inc({ step });
        return;
      case 'closed':
        conversationsClosed.inc({ outcome: n.outcome });
        turnsPerConversation.observe({ speaker: 'customer' }, n.customerTurns);
        turnsPerConversation.observe({ speaker: 'ai' }, n.aiTurns);
        return;
    }
  };

  return {
    registry,
    conversationsByPhase,
    turns,
    conversationsStarted,
    conversationsClosed,
    escalations,
    escalatedConversations,
    agentTransfers,
    releases,
    claims,
    offers,
    waitSeconds,
    firstResponseSeconds,
    handleSeconds,
    turnsPerConversation,
    slaBreaches,
    slaSteps,
    agentsByPresence,
    agentLoad,
    agentCapacity,
    toolFailures,
    intentLayerHits,
    socketConnections,
    busEventsDropped,
    observeEvent(event) {
      switch (event.kind) {
        case 'message':
          if (!firstTime(`m|${event.conversationId}|${event.entry.seq}`)) return;
          turns.inc({ from: event.entry.from });
          for (const n of event.desk ?? []) note(n);
          return;
        case 'status':
          for (const n of event.desk ?? []) if (firstTime(`d|${event.conversationId}|${JSON.stringify(n)}`)) note(n);
          return;
        case 'offer_ended':
          if (firstTime(`o|${event.offerId}|${event.outcome}`)) offers.inc({ outcome: event.outcome });
          return;
        case 'agent': {
          agentLoad.set({ agent: event.agentId }, event.load);
          agentCapacity.set({ agent: event.agentId }, event.capacity);
          presenceOf.set(event.agentId, event.presence);
          const counts: Record<string, number> = { online: 0, away: 0, offline: 0 };
          for (const p of presenceOf.values()) counts[p] = (counts[p] ?? 0) + 1;
          for (const [presence, n] of Object.entries(counts)) agentsByPresence.set({ presence }, n);
          return;
        }
        default:
          return;
      }
    },
    async refreshPhases(count) {
      const values = await Promise.all(PHASES.map(async (phase) => [phase, await count(phase)] as const));
      for (const [phase, n] of values) conversationsByPhase.set({ phase }, n);
    },
  };
}

type AnyFn = (...args: never[]) => unknown;

/**
 * Wraps the worker's activities so tool failures and intent-layer hits are
 * counted where they happen. Behaviour is unchanged: results and errors pass
 * through untouched (the activity context is preserved because the wrapper
 * runs inside the same call).
 */
export function instrumentActivities<T extends Record<string, AnyFn>>(activities: T, metrics: Metrics): T {
  const tools = new Set<string>(TOOL_NAMES);
  const wrapped: Record<string, AnyFn> = { ...activities };
  for (const [name, fn] of Object.entries(activities)) {
    if (tools.has(name)) {
      wrapped[name] = async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (error) {
          const type = error instanceof ApplicationFailure && error.type ? error.type : 'error';
          metrics.toolFailures.inc({ tool: name, type });
          throw error;
        }
      };
    } else if (name === 'understand') {
      wrapped[name] = async (...args: never[]) => {
        const result = (await fn(...args)) as Understanding;
        if (result && typeof result.layer === 'string') metrics.intentLayerHits.inc({ layer: result.layer });
        return result;
      };
    }
  }
  return wrapped as T;
}
