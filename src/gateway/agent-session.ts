/**
 * One agent desk WebSocket: live queue snapshots, offers, presence, and the
 * messages of the conversations assigned to this agent; service-level alerts
 * for supervisors and operators.
 *
 * Server → agent frames:
 * - `{ type: "queue", items: QueueItem[] }` on connect and whenever the queue may have moved;
 * - `{ type: "offer", offer }` a conversation offered to this agent (accept or decline over HTTP before `offer.expiresAt`);
 * - `{ type: "offer_ended", offerId, conversationId, outcome }` declined, timed out, withdrawn, unavailable or failed;
 * - `{ type: "presence", presence, status, load, capacity, at? }` this agent's presence (what routing sees), the status
 *   the agent chose, and the load, as the agent entity sees them;
 * - `{ type: "status", conversationId, phase, agent? }` for phase changes of the
 *   agent's conversations and of those queued in skills the agent serves
 *   (supervisors and operators: all);
 * - `{ type: "message", conversationId, seq, from, text, at }` for the agent's conversations;
 * - `{ type: "alert", alert }` (supervisors and operators) a customer waited past a wait limit;
 * - `{ type: "error", code, message }`, `{ type: "pong" }`.
 * Agent → server: `{ type: "ping" }`, `{ type: "presence", status: "online" | "away" | "offline" }`
 * (everything else goes through the HTTP API).
 *
 * The socket itself is presence: it is reported to the agent entity when it
 * opens, every so often while open (a lease, so a gateway that dies leaves no
 * ghost online) and when it closes.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Logger } from '../logger';
import type { AgentView } from '../routing/contract';
import type { OutboundEvent, Presence } from '../workflows/contract';
import { can, mayFollow } from './access';
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
  /** Reports this socket to the agent entity. */
  connection(agent: Agent, connectionId: string, state: 'open' | 'alive' | 'closed'): Promise<void>;
  /** Sets the status the agent chose. */
  setPresence(agent: Agent, status: Presence): Promise<AgentView>;
}

export class AgentSession {
  private readonly assigned = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** The last queue frame sent: a refresh that finds the same queue sends nothing. */
  private lastQueueFrame?: string;
  readonly connectionId = randomUUID();

  constructor(
    private readonly ws: WebSocket,
    readonly agent: Agent,
    private readonly deps: AgentSessionDeps,
  ) {
  }

  start(): void {
    void this.deps.connection(this.agent, this.connectionId, 'open');
    this.enqueue(async () => {
      for (const id of await this.deps.assignedTo(this.agent.id)) this.assigned.add(id);
      await this.sendQueue();
    });
  }

  /** The hub's periodic call while the socket is open: renews the presence lease. */
  heartbeat(): void {
    if (!this.closed) void this.deps.connection(this.agent, this.connectionId, 'alive');
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    void this.deps.connection(this.agent, this.connectionId, 'closed');
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
    const frame = decoded.frame;
    if (frame.type === 'ping') {
      this.send({ type: 'pong' });
      return;
    }
    this.enqueue(async () => {
      const view = await this.deps.setPresence(this.agent, frame.status);
      this.send({ type: 'presence', presence: view.presence, status: view.status, load: view.load, capacity: view.capacity });
    });
  }

  onEvent(event: OutboundEvent): void {
    switch (event.kind) {
      case 'message': {
        if (!this.assigned.has(event.conversationId)) return;
        const { seq, from, text, at, image } = event.entry;
        this.send({ type: 'message', conversationId: event.conversationId, seq, from, text, at, ...(image ? { image } : {}) });
        return;
      }
      case 'status': {
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
        return;
      }
      case 'offer':
        if (event.agentId === this.agent.id) this.send({ type: 'offer', offer: event.offer });
        return;
      case 'offer_ended':
        if (event.agentId === this.agent.id) {
          this.send({ type: 'offer_ended', offerId: event.offerId, conversationId: event.conversationId, outcome: event.outcome });
        }
        return;
      case 'agent':
        if (event.agentId === this.agent.id) {
          this.send({ type: 'presence', presence: event.presence, status: event.status, load: event.load, capacity: event.capacity, at: event.at });
        }
        return;
      case 'alert':
        if (can(this.agent, 'allQueues')) this.send({ type: 'alert', alert: event.alert });
        return;
      case 'queue':
        // The hub refreshes the queue frames (debounced) for every desk.
        return;
    }
  }

  /** Called by the hub (debounced) when any conversation changed phase or a queue moved. */
  refreshQueue(): void {
    this.enqueue(() => this.sendQueue());
  }

  /**
   * One change in the desk comes as several bus events (a status, then each router's push), each asking for a
   * refresh, and the periodic refresh runs whether anything moved or not: only a queue that differs goes out.
   */
  private async sendQueue(): Promise<void> {
    const frame = JSON.stringify({ type: 'queue', items: await this.deps.queueFor(this.agent) });
    if (frame === this.lastQueueFrame) return;
    this.lastQueueFrame = frame;
    this.sendRaw(frame);
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
    this.sendRaw(JSON.stringify(frame));
  }

  private sendRaw(json: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(json);
  }
}
