/**
 * What one state transition means outside the conversation, read off the
 * state before and after it (so every transition — claim, offer, release,
 * transfer, silence, abandonment, overflow, close — is covered by one rule):
 *
 * - {@link deskNotes}: the desk's figures (escalations, waits, handle times,
 *   outcomes), carried on the events the workflow publishes anyway;
 * - {@link routingMessages}: what the routing entities must hear — the
 *   skill's router (enter / leave its queue) and the agent's entity (a slot
 *   begins or ends, with the handle time and outcome for its performance).
 *
 * Releases, transfers and re-queues are not escalations: only AI → people is.
 */
import type { DequeueRequest, QueueRequest, SlotEvent } from '../routing/contract';
import type { CloseOutcome, DeskNote, HandleOutcome, QueueExit, Skill } from '../workflows/contract';
import type { ConversationState } from './state';

function waitMs(before: ConversationState, nowMs: number): number {
  return before.queue ? Math.max(0, nowMs - Date.parse(before.queue.waitingSince)) : 0;
}

function handleMs(before: ConversationState, nowMs: number): number {
  return before.assignedAt ? Math.max(0, nowMs - Date.parse(before.assignedAt)) : 0;
}

function queueExit(after: ConversationState): QueueExit {
  if (after.phase === 'closed') return after.closed?.resolution === 'abandoned' ? 'abandoned' : 'closed';
  if (after.contact?.stage === 'done') return after.contact.choice === 'callback' ? 'callback' : 'left_message';
  return 'released';
}

function handleOutcome(after: ConversationState): HandleOutcome {
  if (after.phase === 'closed') return 'resolved';
  if (after.phase === 'ai') return 'released_ai';
  if (after.phase === 'human') return 'transferred';
  const cause = after.queue?.cause;
  return cause === 'transfer' ? 'transferred' : cause === 'unresponsive' ? 'unresponsive' : 'requeued';
}

export function closeOutcome(before: ConversationState, after: ConversationState): CloseOutcome {
  if (after.hadAgent) return 'human_resolved';
  // 'submit': closed while the ticket was being filed — the filing runs to its end, so it counts.
  if (after.contact?.stage === 'done' || after.contact?.stage === 'submit') return after.contact.choice === 'callback' ? 'callback' : 'left_message';
  if (before.phase === 'queued') return 'abandoned';
  return 'ai_resolved';
}

function agentChanged(before: ConversationState, after: ConversationState): boolean {
  return before.phase === 'human' && (after.phase !== 'human' || after.agent?.id !== before.agent?.id);
}

function agentArrived(before: ConversationState, after: ConversationState): boolean {
  return after.phase === 'human' && (before.phase !== 'human' || before.agent?.id !== after.agent?.id);
}

export function deskNotes(before: ConversationState, after: ConversationState, nowMs: number): DeskNote[] {
  const notes: DeskNote[] = [];
  const esc = after.escalation;
  if (before.phase === 'ai' && (after.phase === 'queued' || after.phase === 'human') && esc) {
    notes.push({ kind: 'escalated', reasons: esc.reasons, priority: esc.priority, skill: esc.skill });
  }
  if (agentChanged(before, after) && before.agent) {
    const skill: Skill = before.escalation?.skill ?? 'unknown';
    notes.push({ kind: 'handled', agentId: before.agent.id, skill, handleMs: handleMs(before, nowMs), outcome: handleOutcome(after) });
    if (after.phase === 'queued' && after.queue?.cause === 'transfer') {
      notes.push({ kind: 'transferred', from: skill, to: after.escalation?.skill ?? skill });
    } else if (after.phase === 'queued' && after.queue?.cause === 'released') {
      notes.push({ kind: 'released', to: 'queue' });
    } else if (after.phase === 'ai') {
      notes.push({ kind: 'released', to: 'ai' });
    }
  }
  if (agentArrived(before, after) && after.agent) {
    notes.push({ kind: 'assigned', agentId: after.agent.id, skill: esc?.skill ?? 'unknown', waitMs: before.phase === 'queued' ? waitMs(before, nowMs) : 0 });
  }
  if (before.phase === 'queued' && after.phase !== 'queued' && after.phase !== 'human') {
    notes.push({ kind: 'left_queue', outcome: queueExit(after), skill: before.escalation?.skill ?? 'unknown', waitMs: waitMs(before, nowMs) });
  }
  if (before.phase !== 'closed' && after.phase === 'closed') {
    notes.push({
      kind: 'closed',
      outcome: closeOutcome(before, after),
      aiTurns: after.ai.counters.totalTurns,
      customerTurns: after.transcript.filter((e) => e.from === 'customer').length,
    });
  }
  return notes;
}

export type RoutingMessage =
  | { to: 'router'; skill: Skill; kind: 'enqueue'; request: QueueRequest }
  | { to: 'router'; skill: Skill; kind: 'dequeue'; request: DequeueRequest }
  | { to: 'agent'; agentId: string; kind: 'slot'; event: SlotEvent };

export function queueRequest(state: ConversationState): QueueRequest | undefined {
  const esc = state.escalation;
  if (state.phase !== 'queued' || !state.queue || !esc) return undefined;
  const intent = state.ai.task?.intent ?? state.ai.lastIntent;
  return {
    conversationId: state.conversationId,
    customerId: state.customer.id,
    tier: state.customer.tier,
    language: state.ai.language,
    priority: esc.priority,
    reasons: esc.reasons,
    ...(intent ? { intent } : {}),
    waitingSince: state.queue.waitingSince,
  };
}

export function routingMessages(before: ConversationState, after: ConversationState, nowMs: number): RoutingMessage[] {
  const out: RoutingMessage[] = [];
  const beforeSkill = before.phase === 'queued' ? before.escalation?.skill : undefined;
  const afterSkill = after.phase === 'queued' ? after.escalation?.skill : undefined;
  if (beforeSkill !== undefined && beforeSkill !== afterSkill) {
    const reason: DequeueRequest['reason'] =
      after.phase === 'human'
        ? 'assigned'
        : after.phase === 'queued'
          ? 'transferred'
          : after.phase === 'closed'
            ? after.closed?.resolution === 'abandoned'
              ? 'abandoned'
              : 'closed'
            : after.contact?.stage === 'done'
              ? 'overflow'
              : 'released';
    out.push({
      to: 'router',
      skill: beforeSkill,
      kind: 'dequeue',
      request: { conversationId: before.conversationId, reason, ...(after.phase === 'human' && after.agent ? { agentId: after.agent.id } : {}) },
    });
  }
  if (agentChanged(before, after) && before.agent) {
    out.push({
      to: 'agent',
      agentId: before.agent.id,
      kind: 'slot',
      event: {
        conversationId: before.conversationId,
        kind: 'ended',
        skill: before.escalation?.skill ?? 'unknown',
        outcome: handleOutcome(after),
        handleMs: handleMs(before, nowMs),
      },
    });
  }
  if (agentArrived(before, after) && after.agent) {
    out.push({
      to: 'agent',
      agentId: after.agent.id,
      kind: 'slot',
      event: { conversationId: after.conversationId, kind: 'assigned', skill: after.escalation?.skill ?? 'unknown' },
    });
  }
  const request = queueRequest(after);
  if (afterSkill !== undefined && request) {
    const b = before.phase === 'queued' ? queueRequest(before) : undefined;
    if (!b || beforeSkill !== afterSkill || b.priority !== request.priority || b.waitingSince !== request.waitingSince) {
      out.push({ to: 'router', skill: afterSkill, kind: 'enqueue', request });
    }
  }
  return out;
}
