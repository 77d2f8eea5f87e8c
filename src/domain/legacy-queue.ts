/**
 * The queue's wait limit as conversations queued before routing knew it
 * (the ROUTING_ENTITIES patch, src/workflows/runtime.ts): one timer to the
 * tier's limit, then a callback ticket, the priority one level up and a
 * notice. Only such runs use it, and only while they replay what they did
 * before the patch; their next live decision takes the service levels of
 * src/domain/queue.ts.
 */
import type { Escalation, PolicyConfig } from '../workflows/contract';
import { buildHandover } from './handover';
import { bumpPriority } from './routing-policy';
import type { Transition } from './lifecycle';
import { appendEntries, type ConversationState } from './state';
import { render } from './templates';

/** When the single wait limit passes; undefined once it has (the first period is then spent). */
export function legacyWaitLimitDeadline(state: ConversationState, policy: PolicyConfig): number | undefined {
  if (state.phase !== 'queued' || !state.queue || (state.queue.periods ?? 0) > 0) return undefined;
  return Date.parse(state.queue.waitingSince) + policy.waitLimitMs[state.customer.tier];
}

/** The wait limit passed: a callback ticket was (or could not be) created; one notice, the priority up a level. */
export function legacyOverflow(state: ConversationState, ticketId: string | undefined, now: string): Transition {
  if (state.phase !== 'queued' || !state.queue || !state.escalation) return { state, entries: [] };
  const escalation: Escalation = {
    ...state.escalation,
    reasons: [...new Set([...state.escalation.reasons, 'wait_limit' as const])],
    priority: bumpPriority(state.escalation.priority),
  };
  let s: ConversationState = { ...state, escalation, queue: { ...state.queue, periods: 1 } };
  s = { ...s, handover: buildHandover(s, escalation) };
  const text = ticketId ? render('queue_overflow', s.ai.language, { ticketId }) : render('queue_overflow_no_ticket', s.ai.language);
  const r = appendEntries(s, [{ from: 'system', text }], now);
  return { state: r.state, entries: r.entries };
}
