/**
 * One agent desk WebSocket: live queue snapshots and the messages of the
 * conversations assigned to this agent.
 *
 * Server → agent frames:
 * - `{ type: "queue", items: QueueItem[] }` on connect and whenever the queue may have moved;
 * - `{ type: "status", conversationId, phase, agent? }` for phase changes of the
 *   agent's conversations and of those queued in skills the agent serves
 *   (supervisors and operators: all);
 * - `{ type: "message", conversationId, seq, from, text, at }` for the agent's conversations;
 * - `{ type: "error", code, message }`, `{ type: "pong" }`.
 * Agent → server: `{ type: "ping" }` (everything else goes through the HTTP API).
 *
 * The set of assigned conversations is a per-socket cache: read from
 * visibility on connect and kept current from status events.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../logger';
import type { OutboundEvent } from '../workflows/contract';
import { mayFollow } from './access';
import type { Agent } from './agents';
import { ApiErrorCode, toApiError, type ApiError } from './errors';
import type { Limits } from './limits';
import { AGENT_FRAME_TYPES, agentFrameSchema, decodeFrame } from './schemas';
import type { QueueItem } from './queue';

export interface AgentSessionDeps {
  logger: Logger;
  /** The shared rate limits (./limits.ts): desk frames count in the agent's budget. */
  limits: Pick<Limits, 'take'>;
  queueFor(agent: Agent): Promise<QueueItem[]>;
  assignedTo(agentId: string): Promise<string[]>;
}

export class AgentSession {
  private readonly assigned = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly agent: Agent,
    private readonly deps: AgentSessionDeps,
  ) {
  }

  start(): void {
    this.enqueue(async () => {
      for (const id of await this.deps.assignedTo(this.agent.id)) this.assigned.add(id);
      await this.sendQueue();
    });
  }

  dispose(): void {
    this.closed = true;
  }

  onFrame(raw: string): void {
    this.enqueue(async () => {
      const take = await this.deps.limits.take('agent', this.agent.id);
      if (!take.allowed) {
        this.send({ type: 'error', code: ApiErrorCode.RateLimited, message: `too many frames; try again in ${take.retryAfterSeconds} s` });
        return;
      }
      this.handleFrame(raw);
    });
  }

  private handleFrame(raw: string): void {
    const decoded = decodeFrame(raw, agentFrameSchema, AGENT_FRAME_TYPES);
    if (!decoded.ok) {
      this.sendError(decoded.error);
      return;
    }
    this.send({ type: 'pong' });
  }

  onEvent(event: OutboundEvent): void {
    if (event.kind === 'message') {
      if (!this.assigned.has(event.conversationId)) return;
      const { seq, from, text, at, image } = event.entry;
      this.send({ type: 'message', conversationId: event.conversationId, seq, from, text, at, ...(image ? { image } : {}) });
      return;
    }
    const wasMine = this.assigned.delete(event.conversationId);
    if (event.phase === 'human' && event.agent?.id === this.agent.id) this.assigned.add(event.conversationId);
    // Status of other agents' and AI-phase conversations is not this desk's business (./access.ts).
    if (!wasMine && !mayFollow(this.agent, event)) return;
    this.send({
      type: 'status',
      conversationId: event.conversationId,
      phase: event.phase,
      ...(event.agent ? { agent: event.agent } : {}),
    });
  }

  /** Called by the hub (debounced) when any conversation changed phase. */
  refreshQueue(): void {
    this.enqueue(() => this.sendQueue());
  }

  private async sendQueue(): Promise<void> {
    this.send({ type: 'queue', items: await this.deps.queueFor(this.agent) });
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : task()))
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, agentId: this.agent.id }, 'agent socket update failed');
        this.sendError(toApiError(error));
      });
  }

  private sendError(error: ApiError): void {
    this.send({ type: 'error', code: error.code, message: error.message });
  }

  private send(frame: Record<string, unknown>): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }
}
