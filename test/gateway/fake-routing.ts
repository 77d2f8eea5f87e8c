/**
 * The routing entities behind the fake Temporal client: the agent entity
 * and the routers run the project's own pure rules
 * (src/routing/agent-state.ts, router-state.ts) — the very functions the
 * real workflows wire — so the gateway's routing code paths meet real
 * capacity checks, offers and queue snapshots. Effects the workflows would
 * send as signals are applied directly; events go to the bus. The real
 * workflows are covered by test/workflows/routing.test.ts.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { EventBus } from '../../src/bus/types';
import {
  agentSnapshot,
  agentView,
  applyProfile,
  initialAgentState,
  offerRejection,
  receiveOffer,
  recordConnection,
  releaseSlot,
  reserve,
  reserveRejection,
  respondOffer,
  setStatus,
  slotEvent,
  tick,
  withdrawOffer,
  type AgentEntityState,
  type AgentStep,
} from '../../src/routing/agent-state';
import {
  agentConnectionSignal,
  agentProfileSignal,
  agentReleaseSlotSignal,
  agentViewQuery,
  queueSnapshotQuery,
  reserveSlotUpdate,
  respondOfferUpdate,
  routerSettingsSignal,
  setPresenceUpdate,
  type AgentEntityInput,
  type DequeueRequest,
  type QueueRequest,
  type RouterInput,
  type SlotEvent,
} from '../../src/routing/contract';
import { agentStatus, applySettings, dequeue, enqueue, handled, initialRouterState, offerEnded, route, snapshot, type RouterEffect, type RouterState } from '../../src/routing/router-state';

type Def = { name: string };

const AGENT_PREFIX = 'switchboard-agent:';
const ROUTER_PREFIX = 'switchboard-router:';

export class FakeRouting {
  readonly agents = new Map<string, AgentEntityState>();
  readonly routers = new Map<string, RouterState>();
  /** Routing calls as they reached the fake, for tests that check what the gateway sent. */
  readonly calls: { workflowId: string; name: string; arg: unknown }[] = [];

  constructor(
    private readonly bus?: EventBus,
    private readonly reachable: () => boolean = () => true,
  ) {}

  static isEntity(workflowId: string): boolean {
    return workflowId.startsWith(AGENT_PREFIX) || workflowId.startsWith(ROUTER_PREFIX);
  }

  private now(): string {
    return new Date().toISOString();
  }

  signalWithStart(options: Record<string, unknown>): void {
    const workflowId = options.workflowId as string;
    const [input] = options.args as [unknown];
    if (workflowId.startsWith(AGENT_PREFIX)) {
      if (!this.agents.has(workflowId)) {
        this.agents.set(workflowId, initialAgentState(input as AgentEntityInput, this.now()));
        this.report(workflowId);
      }
    } else if (!this.routers.has(workflowId)) {
      this.routers.set(workflowId, initialRouterState(input as RouterInput, workflowId, this.now()));
    }
    this.signal(workflowId, (options.signal as Def).name, (options.signalArgs as unknown[])[0]);
  }

  handle(workflowId: string) {
    const exists = () => {
      if (!this.reachable()) throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
      if (!this.agents.has(workflowId) && !this.routers.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
    };
    return {
      workflowId,
      query: async (def: Def) => {
        exists();
        if (def.name === agentViewQuery.name) return structuredClone(agentView(this.agentAt(workflowId)));
        if (def.name === queueSnapshotQuery.name) return structuredClone(snapshot({ ...this.routerAt(workflowId), asOf: this.now() }));
        throw new Error(`fake routing: unknown query ${def.name}`);
      },
      signal: async (def: Def, arg: unknown) => {
        exists();
        this.signal(workflowId, def.name, arg);
      },
      executeUpdate: async (def: Def, { args }: { args: unknown[] }) => {
        exists();
        // Yield once so concurrent callers interleave, as on a server; validator and handler then run back to back.
        await new Promise((r) => setImmediate(r));
        return this.update(workflowId, def.name, args[0]);
      },
      terminate: async () => {
        this.agents.delete(workflowId);
        this.routers.delete(workflowId);
      },
    };
  }

  private agentAt(id: string): AgentEntityState {
    return this.agents.get(id) as AgentEntityState;
  }

  private routerAt(id: string): RouterState {
    return this.routers.get(id) as RouterState;
  }

  private signal(workflowId: string, name: string, arg: unknown): void {
    this.calls.push({ workflowId, name, arg });
    if (workflowId.startsWith(AGENT_PREFIX)) {
      const state = this.agentAt(workflowId);
      if (name === agentProfileSignal.name) this.runAgent(workflowId, applyProfile(state, arg as never, this.now()));
      else if (name === agentConnectionSignal.name) this.runAgent(workflowId, recordConnection(state, arg as never, this.now()));
      else if (name === agentReleaseSlotSignal.name) this.runAgent(workflowId, releaseSlot(state, (arg as { conversationId: string }).conversationId, this.now()));
      else throw new Error(`fake routing: unknown agent signal ${name}`);
      return;
    }
    if (name === routerSettingsSignal.name) {
      this.routers.set(workflowId, applySettings(this.routerAt(workflowId), arg as never));
      this.runRouter(workflowId);
      return;
    }
    throw new Error(`fake routing: unknown router signal ${name}`);
  }

  private update(workflowId: string, name: string, arg: unknown): unknown {
    const state = this.agentAt(workflowId);
    if (name === reserveSlotUpdate.name) {
      const input = arg as { conversationId: string; skill: string };
      const rejection = reserveRejection(state, input);
      if (rejection) throw failure(rejection, rejection === 'not_available' ? 'your status is not online' : 'every slot is taken');
      this.runAgent(workflowId, reserve(state, input, this.now()));
      return structuredClone(agentView(this.agentAt(workflowId)));
    }
    if (name === respondOfferUpdate.name) {
      const input = arg as { offerId: string; accept: boolean };
      const rejection = offerRejection(state, input, Date.now());
      if (rejection) throw failure(rejection, 'no such offer is waiting for an answer');
      const step = respondOffer(state, input, this.now());
      this.runAgent(workflowId, step);
      return step.answer;
    }
    if (name === setPresenceUpdate.name) {
      this.runAgent(workflowId, setStatus(state, (arg as { status: 'online' }).status, this.now()));
      return structuredClone(agentView(this.agentAt(workflowId)));
    }
    throw new Error(`fake routing: unknown update ${name}`);
  }

  // --- what the conversation workflow would signal ---------------------------

  enqueue(taskQueue: string, skill: string, req: QueueRequest): void {
    const id = `${ROUTER_PREFIX}${taskQueue}:${skill}`;
    const router = this.routers.get(id);
    if (!router) return;
    this.routers.set(id, enqueue(router, req, this.now()));
    this.runRouter(id);
  }

  dequeue(taskQueue: string, skill: string, req: DequeueRequest): void {
    const id = `${ROUTER_PREFIX}${taskQueue}:${skill}`;
    const router = this.routers.get(id);
    if (!router) return;
    const step = dequeue(router, req, this.now());
    this.routers.set(id, step.state);
    this.applyRouterEffects(id, step.effects);
    this.runRouter(id);
  }

  slot(taskQueue: string, agentId: string, event: SlotEvent): void {
    const id = `${AGENT_PREFIX}${taskQueue}:${agentId}`;
    const agent = this.agents.get(id);
    if (agent) this.runAgent(id, slotEvent(agent, event, this.now()));
  }

  /** Lapses what is due (offer timeouts, leases) as the workflow's timers would. */
  advance(): void {
    for (const id of [...this.agents.keys()]) this.runAgent(id, tick(this.agentAt(id), this.now()));
  }

  // --- effects -------------------------------------------------------------

  private runAgent(id: string, step: AgentStep): void {
    this.agents.set(id, step.state);
    for (const effect of step.effects) {
      if (effect.kind === 'publish') void this.bus?.publish(effect.event);
      else if (effect.kind === 'report') this.report(id);
      else if (effect.kind === 'offerEnded') {
        const router = this.routers.get(effect.routerId);
        if (router) {
          this.routers.set(effect.routerId, offerEnded(router, effect.ended, this.now()));
          this.runRouter(effect.routerId);
        }
      } else {
        const routerId = `${ROUTER_PREFIX}${step.state.taskQueue}:${effect.skill}`;
        const router = this.routers.get(routerId);
        if (router) this.routers.set(routerId, handled(router, { handleMs: effect.handleMs }));
      }
    }
  }

  private report(agentWorkflowId: string): void {
    const state = this.agentAt(agentWorkflowId);
    const snap = agentSnapshot(state, state.version + 1);
    this.agents.set(agentWorkflowId, { ...state, version: state.version + 1 });
    for (const { skill } of state.profile.skills) {
      const routerId = `${ROUTER_PREFIX}${state.taskQueue}:${skill}`;
      const router = this.routers.get(routerId);
      if (router) {
        this.routers.set(routerId, agentStatus(router, snap));
        this.runRouter(routerId);
      }
    }
  }

  private runRouting = 0;

  private runRouter(id: string): void {
    // Offers change agents, whose reports re-enter here: one pass at a time is enough.
    if (this.runRouting > 0) return;
    this.runRouting++;
    try {
      const step = route(this.routerAt(id), this.now());
      this.routers.set(id, step.state);
      this.applyRouterEffects(id, step.effects);
      void this.bus?.publish({ kind: 'queue', skill: step.state.skill, size: step.state.queue.length, at: step.state.asOf });
    } finally {
      this.runRouting--;
    }
  }

  private applyRouterEffects(routerId: string, effects: RouterEffect[]): void {
    const taskQueue = this.routerAt(routerId).taskQueue;
    for (const effect of effects) {
      if (effect.kind === 'publish') {
        void this.bus?.publish(effect.event);
        continue;
      }
      const agentId = `${AGENT_PREFIX}${taskQueue}:${effect.agentId}`;
      const agent = this.agents.get(agentId);
      if (!agent) continue;
      this.runAgent(agentId, effect.kind === 'offer' ? receiveOffer(agent, effect.offer, this.now()) : withdrawOffer(agent, effect.offerId));
    }
  }
}

function failure(type: string, message: string): WorkflowUpdateFailedError {
  return new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message, nonRetryable: true }));
}
