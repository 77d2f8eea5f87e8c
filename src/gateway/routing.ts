/**
 * Every Temporal call the gateway makes on the routing entities, in one
 * place: starting them (routers first, then agents, from the routing and
 * agents files), the agent's slot for a claim, offers and their answers,
 * presence (sockets and the chosen status) and the live queues.
 *
 * Like {@link Conversations} it holds no conversation state: the entities
 * are the source of truth. The only thing kept here is a queue snapshot per
 * skill for half a second, so that many sockets refreshing at once cost one
 * query per router, not one each.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from '../logger';
import {
  agentConnectionSignal,
  agentProfileSignal,
  agentReleaseSlotSignal,
  agentViewQuery,
  agentWorkflowId,
  queueSnapshotQuery,
  reserveSlotUpdate,
  respondOfferUpdate,
  routerSettingsSignal,
  routerWorkflowId,
  RoutingErrorCode,
  setPresenceUpdate,
  type AgentView,
  type OfferAnswer,
  type QueueEntryView,
  type QueueSnapshot,
} from '../routing/contract';
import type { RoutingConfig } from '../routing/config';
import { agentWorkflow, routerWorkflow } from '../workflows';
import type { Presence, Skill } from '../workflows/contract';
import { profileOf, type Agent, type AgentDirectory } from './agents';
import { CALL_DEADLINE_MS } from './conversations';
import { ApiError, ApiErrorCode } from './errors';

const SNAPSHOT_TTL_MS = 500;
const START_CONCURRENCY = 8;
/** Tries of an update the server aborted or refused as busy ({@link abortedUpdate}, {@link busyWorkflow}). */
const UPDATE_TRIES = 4;

/**
 * The server aborts the updates it had admitted when the entity's workflow
 * task fails — notably a continue-as-new completion that lost the race with
 * a new signal, which under constant traffic happens now and then. Nothing
 * of an aborted update was applied, so it is safe to send again.
 */
function abortedUpdate(error: unknown): boolean {
  return error instanceof ServiceError && isGrpcServiceError(error.cause) && error.cause.code === GrpcStatus.FAILED_PRECONDITION;
}

/**
 * Temporal refused the update before admitting it: too many updates already
 * in flight on that workflow (the server's per-workflow limit, 10 by default;
 * seen with 20 parallel claims on one agent on a loaded dev server). Nothing
 * was applied, so it is safe to send again after a moment.
 */
function busyWorkflow(error: unknown): boolean {
  return error instanceof ServiceError && isGrpcServiceError(error.cause) && error.cause.code === GrpcStatus.RESOURCE_EXHAUSTED;
}

async function updateWithRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const busy = busyWorkflow(error);
      if (attempt >= UPDATE_TRIES || !(busy || abortedUpdate(error))) throw error;
      if (busy) await new Promise((r) => setTimeout(r, 100 * attempt + Math.floor(Math.random() * 100)));
    }
  }
}

/** What a waiting customer is shown: place, expected wait and what it rests on. */
export interface QueuePosition {
  position: number;
  /** Seconds until an agent is expected; null when nobody who could take it is online. */
  etaSeconds: number | null;
  etaAt?: string;
  /** Conversations waiting in this queue. */
  size: number;
  agentsOnline: number;
  skill: Skill;
}

export class RoutingDesk {
  private readonly cache = new Map<Skill, { at: number; value: Promise<QueueSnapshot> }>();
  private started: Promise<void> | undefined;

  constructor(
    readonly client: Client,
    private readonly taskQueue: string,
    readonly routing: RoutingConfig,
    private readonly agents: AgentDirectory,
    private readonly logger: Logger,
  ) {}

  get skills(): Skill[] {
    return this.routing.policy.skills.map((s) => s.id);
  }

  private within<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + CALL_DEADLINE_MS, fn);
  }

  /** Starts (or restates) every router and agent entity; memoised, retried after a failure. */
  ensure(): Promise<void> {
    if (!this.started) {
      const run = this.startAll();
      this.started = run;
      run.catch((error: unknown) => {
        this.logger.warn({ err: error }, 'routing entities not started yet; retrying on the next call');
        if (this.started === run) this.started = undefined;
      });
    }
    return this.started;
  }

  private async startAll(): Promise<void> {
    // Routers first: a starting agent reports itself to its skills' routers.
    await pool(this.skills, START_CONCURRENCY, (skill) => this.startRouter(skill));
    await pool(this.agents.all(), START_CONCURRENCY, (agent) => this.startAgent(agent));
    this.logger.info({ routers: this.skills.length, agents: this.agents.all().length, strategy: this.routing.router.strategy }, 'routing entities ready');
  }

  private startRouter(skill: Skill): Promise<unknown> {
    const settings = this.routing.router;
    return this.within(() =>
      this.client.workflow.signalWithStart(routerWorkflow, {
        workflowId: routerWorkflowId(this.taskQueue, skill),
        taskQueue: this.taskQueue,
        args: [{ skill, taskQueue: this.taskQueue, settings }],
        signal: routerSettingsSignal,
        signalArgs: [settings],
      }),
    );
  }

  private startAgent(agent: Agent): Promise<unknown> {
    const profile = profileOf(agent);
    const settings = this.routing.agent;
    return this.within(() =>
      this.client.workflow.signalWithStart(agentWorkflow, {
        workflowId: agentWorkflowId(this.taskQueue, agent.id),
        taskQueue: this.taskQueue,
        args: [{ profile, settings, taskQueue: this.taskQueue }],
        signal: agentProfileSignal,
        signalArgs: [{ profile, settings }],
      }),
    );
  }

  /** Runs `fn` on a started entity; one that vanished (a fresh Temporal) is started again once. */
  private async withEntity<T>(restart: () => Promise<unknown>, fn: () => Promise<T>): Promise<T> {
    await this.ensure();
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await restart();
      return fn();
    }
  }

  private agentHandle(agentId: string) {
    return this.client.workflow.getHandle<typeof agentWorkflow>(agentWorkflowId(this.taskQueue, agentId));
  }

  private onAgent<T>(agent: Agent, fn: () => Promise<T>): Promise<T> {
    return this.withEntity(() => this.startAgent(agent), fn).catch((error: unknown) => {
      throw routingApiError(error);
    });
  }

  /** A slot for a claim; `at_capacity` when every slot is taken (the entity's validator decides, whatever arrives at once). */
  reserve(agent: Agent, conversationId: string, skill: Skill): Promise<AgentView> {
    return this.onAgent(agent, () =>
      updateWithRetry(() => this.within(() => this.agentHandle(agent.id).executeUpdate(reserveSlotUpdate, { args: [{ conversationId, skill }] }))),
    );
  }

  /** Gives a claim's slot back (the conversation went to someone else, or was not waiting). */
  async releaseSlot(agent: Agent, conversationId: string): Promise<void> {
    try {
      await this.within(() => this.agentHandle(agent.id).signal(agentReleaseSlotSignal, { conversationId }));
    } catch (error) {
      // The reservation lapses on its own (reservationTtlMs): log, do not fail the request.
      this.logger.warn({ err: error, agentId: agent.id, conversationId }, 'claim slot not released; it will lapse');
    }
  }

  respond(agent: Agent, offerId: string, accept: boolean): Promise<OfferAnswer> {
    return this.onAgent(agent, () =>
      updateWithRetry(() => this.within(() => this.agentHandle(agent.id).executeUpdate(respondOfferUpdate, { args: [{ offerId, accept }] }))),
    );
  }

  setPresence(agent: Agent, status: Presence): Promise<AgentView> {
    return this.onAgent(agent, () => updateWithRetry(() => this.within(() => this.agentHandle(agent.id).executeUpdate(setPresenceUpdate, { args: [{ status }] }))));
  }

  view(agent: Agent): Promise<AgentView> {
    return this.onAgent(agent, () => this.within(() => this.agentHandle(agent.id).query(agentViewQuery)));
  }

  /** An agent socket opened, is still open, or closed. Best effort: presence leases cover a lost report. */
  async connection(agent: Agent, connectionId: string, state: 'open' | 'alive' | 'closed'): Promise<void> {
    try {
      await this.onAgent(agent, () => this.within(() => this.agentHandle(agent.id).signal(agentConnectionSignal, { connectionId, state })));
    } catch (error) {
      this.logger.warn({ err: error, agentId: agent.id }, 'agent presence not reported');
    }
  }

  /** The live queue of one skill (shared for half a second). */
  snapshot(skill: Skill): Promise<QueueSnapshot> {
    const now = Date.now();
    const cached = this.cache.get(skill);
    if (cached && now - cached.at <= SNAPSHOT_TTL_MS) return cached.value;
    const value = this.withEntity(
      () => this.startRouter(skill),
      () => this.within(() => this.client.workflow.getHandle<typeof routerWorkflow>(routerWorkflowId(this.taskQueue, skill)).query(queueSnapshotQuery)),
    );
    this.cache.set(skill, { at: now, value });
    value.catch(() => {
      if (this.cache.get(skill)?.value === value) this.cache.delete(skill);
    });
    return value;
  }

  /** Snapshots of several skills; a router that cannot answer fails the read (a queue shown without it would mislead). */
  snapshots(skills: readonly Skill[]): Promise<QueueSnapshot[]> {
    return Promise.all(skills.map((s) => this.snapshot(s)));
  }

  /** Drops the cached snapshot of a skill (every skill when omitted). */
  invalidate(skill?: Skill): void {
    if (skill === undefined) this.cache.clear();
    else this.cache.delete(skill);
  }

  /** Place and estimate of a waiting conversation in its skill's queue, at `nowMs`. */
  async position(conversationId: string, skill: Skill, at?: number): Promise<QueuePosition | undefined> {
    const snap = await this.snapshot(skill);
    // The clock is read after the snapshot arrives: read before, the query's own latency was added to every
    // estimate (a 10 s estimate showed as 11 s under load).
    const nowMs = at ?? Date.now();
    const entry: QueueEntryView | undefined = snap.entries.find((e) => e.conversationId === conversationId);
    if (!entry) return undefined;
    const etaSeconds = entry.etaAt === undefined ? null : Math.max(0, Math.ceil((Date.parse(entry.etaAt) - nowMs) / 1000));
    return {
      position: entry.position,
      etaSeconds,
      ...(entry.etaAt ? { etaAt: entry.etaAt } : {}),
      size: snap.entries.length,
      agentsOnline: snap.agents.online,
      skill,
    };
  }
}

/** The entities' typed rejections as API errors (by ApplicationFailure.type, never by text). */
export function routingApiError(error: unknown): unknown {
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (failure instanceof ApplicationFailure) {
    if (failure.type === RoutingErrorCode.AtCapacity) return new ApiError(ApiErrorCode.AtCapacity, `you are at capacity: ${failure.message}`);
    if (failure.type === RoutingErrorCode.OfferNotFound) return new ApiError(ApiErrorCode.OfferNotFound, failure.message);
    if (failure.type === RoutingErrorCode.NotAvailable) return new ApiError(ApiErrorCode.NotAvailable, failure.message);
  }
  return error;
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
