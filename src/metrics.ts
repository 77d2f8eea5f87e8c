/**
 * Prometheus metrics (prom-client), on a registry per process part so two
 * gateways in one test process do not collide.
 *
 * Where each number comes from:
 * - conversations by phase: counted from visibility at scrape time;
 * - turns and escalations: outbound events seen on the bus (with several
 *   gateways on one Redis every gateway sees every event, so aggregate these
 *   with max(), not sum());
 * - claims and wait time: the claim API;
 * - tool failures and intent layer hits: the activities, wrapped by
 *   {@link instrumentActivities} in the process that runs the worker.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApplicationFailure } from '@temporalio/common';
import { PHASES, TOOL_NAMES, type OutboundEvent, type Phase, type Understanding } from './workflows/contract';

export interface Metrics {
  readonly registry: Registry;
  readonly conversationsByPhase: Gauge<'phase'>;
  readonly turns: Counter<'from'>;
  readonly escalations: Counter<'reason'>;
  readonly claims: Counter<'outcome'>;
  readonly waitSeconds: Histogram;
  readonly toolFailures: Counter<'tool' | 'type'>;
  readonly intentLayerHits: Counter<'layer'>;
  readonly socketConnections: Gauge<'kind'>;
  /** Bus messages dropped on receipt: forged, tampered, stale, replayed, malformed. */
  readonly busEventsDropped: Counter<'reason'>;
  /** Feeds turn and escalation counters from one bus event. */
  observeEvent(event: OutboundEvent): void;
  /** Sets the phase gauge from a counting function (visibility count per phase). */
  refreshPhases(count: (phase: Phase) => Promise<number>): Promise<void>;
}

export interface MetricsOptions {
  /** Add Node process metrics (CPU, memory, event loop). Default true. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });

  const conversationsByPhase = new Gauge({
    name: 'switchboard_conversations',
    help: 'Conversations by phase, counted from Temporal visibility at scrape time (closed: within retention)',
    labelNames: ['phase'] as const,
    registers: [registry],
  });
  const turns = new Counter({
    name: 'switchboard_turns_total',
    help: 'Transcript entries published on the event bus, by speaker',
    labelNames: ['from'] as const,
    registers: [registry],
  });
  const escalations = new Counter({
    name: 'switchboard_escalations_total',
    help: 'Escalations to the human queue, by reason (one conversation escalation can carry several reasons)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const claims = new Counter({
    name: 'switchboard_claims_total',
    help: 'Claim attempts through the agent API, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const waitSeconds = new Histogram({
    name: 'switchboard_queue_wait_seconds',
    help: 'Time a conversation waited in the queue before an agent claimed it',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600],
    registers: [registry],
  });
  const toolFailures = new Counter({
    name: 'switchboard_tool_failures_total',
    help: 'Failed business tool attempts (each retry counts), by tool and failure type',
    labelNames: ['tool', 'type'] as const,
    registers: [registry],
  });
  const intentLayerHits = new Counter({
    name: 'switchboard_intent_layer_hits_total',
    help: 'Customer turns understood, by the layer that decided the intent (rule, model, llm)',
    labelNames: ['layer'] as const,
    registers: [registry],
  });
  const socketConnections = new Gauge({
    name: 'switchboard_websocket_connections',
    help: 'Open WebSocket connections on this gateway, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  const busEventsDropped = new Counter({
    name: 'switchboard_bus_events_dropped_total',
    help: 'Event bus messages dropped on receipt, by reason (unsigned, bad_signature, stale, replayed, malformed)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  // Escalation events can be published more than once (activity retries,
  // status refreshes); count each escalation once, in a bounded memory.
  const seenEscalations = new Set<string>();
  const SEEN_LIMIT = 10_000;

  return {
    registry,
    conversationsByPhase,
    turns,
    escalations,
    claims,
    waitSeconds,
    toolFailures,
    intentLayerHits,
    socketConnections,
    busEventsDropped,
    observeEvent(event) {
      if (event.kind === 'message') {
        turns.inc({ from: event.entry.from });
        return;
      }
      if (event.phase !== 'queued' || !event.escalation) return;
      const key = `${event.conversationId}|${event.escalation.at}`;
      if (seenEscalations.has(key)) return;
      if (seenEscalations.size >= SEEN_LIMIT) {
        const oldest = seenEscalations.values().next().value;
        if (oldest !== undefined) seenEscalations.delete(oldest);
      }
      seenEscalations.add(key);
      for (const reason of event.escalation.reasons) escalations.inc({ reason });
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
