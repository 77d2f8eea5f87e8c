/**
 * Who may see and do what: the one authorisation helper of the desk API,
 * the agent WebSocket and the operator endpoints. Routes ask it; they never
 * compare roles themselves, so a new route (routing, supervisor tools) gets
 * the same rules by calling {@link conversationAccess} or {@link can}.
 *
 * Roles (from the agents file):
 * - `agent`: reads in full only the conversations assigned to them (and the
 *   ones they closed); a conversation waiting in a queue they serve shows as
 *   a preview (who waits, why, the last customer line, masked), the
 *   transcript only after they claim it. Everything else is refused: an
 *   AI-phase conversation, one assigned to another agent, one waiting in a
 *   skill they do not have.
 * - `supervisor`: reads every conversation in full and sees every skill's
 *   queue (to coach and to rescue), may claim in any skill; writes only
 *   where assigned, like anyone.
 * - `operator`: everything a supervisor may, plus the operator API
 *   (conversation list, event history) and the payload codec endpoint.
 *
 * Writes (message, release, transfer, close) are checked against the
 * workflow's state separately (`assertAssigned`), and again by the workflow.
 */
import type { ConversationStateView } from '../workflows/contract';
import type { Agent } from './agents';

export const ROLES = ['agent', 'supervisor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Capabilities that depend on the role alone. */
export type Capability =
  /** Every skill's queue, and claims in any skill. */
  | 'allQueues'
  /** Full read of any conversation. */
  | 'readAny'
  /** The operator API: list, history, Temporal UI link. */
  | 'operatorApi'
  /** Encode/decode payloads through the codec endpoint (Temporal Web UI). */
  | 'codec'
  /** Close a conversation the caller is not assigned to. */
  | 'closeAny';

const CAPABILITIES: Record<Role, ReadonlySet<Capability>> = {
  agent: new Set(),
  supervisor: new Set<Capability>(['allQueues', 'readAny']),
  operator: new Set<Capability>(['allQueues', 'readAny', 'operatorApi', 'codec', 'closeAny']),
};

export function can(agent: Pick<Agent, 'role'>, capability: Capability): boolean {
  return CAPABILITIES[agent.role].has(capability);
}

/** Whether the caller works the queue of this skill (agents: their skills; supervisors, operators: all). */
export function servesSkill(agent: Pick<Agent, 'role' | 'skills'>, skill: string | undefined): boolean {
  if (can(agent, 'allQueues')) return true;
  return skill !== undefined && (agent.skills as readonly string[]).includes(skill);
}

export type ConversationAccess =
  | { level: 'full' }
  | { level: 'preview' }
  | { level: 'none'; reason: string };

type StateForAccess = Pick<ConversationStateView, 'phase' | 'agent' | 'queue'>;

/**
 * What the caller may read of one conversation, from its current state.
 * `none` carries the reason shown in the 403, so the agent knows why.
 */
export function conversationAccess(agent: Pick<Agent, 'id' | 'role' | 'skills'>, state: StateForAccess): ConversationAccess {
  if (can(agent, 'readAny')) return { level: 'full' };
  const mine = state.agent?.id === agent.id;
  switch (state.phase) {
    case 'human':
      return mine ? { level: 'full' } : { level: 'none', reason: 'this conversation is assigned to another agent' };
    case 'closed':
      return mine ? { level: 'full' } : { level: 'none', reason: 'this conversation was closed and was not yours' };
    case 'queued':
      return servesSkill(agent, state.queue?.skill)
        ? { level: 'preview' }
        : { level: 'none', reason: `this conversation waits in the ${state.queue?.skill ?? 'unknown'} queue, which you do not serve` };
    case 'ai':
      return { level: 'none', reason: 'this conversation is with the assistant and waits for no agent' };
  }
}

/** Whether a status event about this conversation may reach the caller's desk socket. */
export function mayFollow(agent: Pick<Agent, 'id' | 'role' | 'skills'>, event: { phase: ConversationStateView['phase']; agent?: { id: string }; escalation?: { skill: string } }): boolean {
  if (can(agent, 'readAny')) return true;
  if (event.agent?.id === agent.id) return true;
  return event.phase === 'queued' && servesSkill(agent, event.escalation?.skill);
}
