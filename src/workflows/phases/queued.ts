/**
 * QUEUED phase: waiting for an agent. Customer messages are recorded (by the
 * signal handler) and relayed to the desk; nothing here can answer them —
 * this module has no access to the AI activities.
 *
 * A durable timer runs to the tier's wait limit. When it fires, a callback
 * ticket is created, the customer is told, and the priority goes up one
 * level (the desk sorts by it; that is the supervisor alert). The deadline
 * is recomputed from state, so it survives continue-as-new.
 */
import { condition, isCancellation, log } from '@temporalio/workflow';
import { bumpPriority, overflow, waitLimitDeadline } from '../../domain';
import { createTicket } from '../desk-activities';
import type { ConversationRuntime } from '../runtime';
import type { PhaseExit } from './types';

export async function runQueuedPhase(rt: ConversationRuntime): Promise<PhaseExit> {
  while (rt.state.phase === 'queued') {
    if (rt.shouldContinueAsNew()) return 'continue_as_new';
    const left = () => rt.state.phase !== 'queued' || rt.shouldContinueAsNew();
    const deadline = waitLimitDeadline(rt.state, rt.policy);
    if (deadline === undefined) {
      await condition(left);
      continue;
    }
    const changed = await condition(left, Math.max(deadline - rt.nowMs(), 1));
    if (!changed && rt.state.phase === 'queued') await overflowToCallback(rt);
  }
  return 'phase_changed';
}

async function overflowToCallback(rt: ConversationRuntime): Promise<void> {
  const s = rt.state;
  const escalation = s.escalation;
  let ticketId: string | undefined;
  try {
    const ticket = await createTicket({
      conversationId: s.conversationId,
      customerId: s.customer.id,
      kind: 'callback',
      subject: `Callback requested: waited past the ${s.customer.tier} wait limit`,
      description: s.handover?.summary ?? 'Customer waited past the wait limit.',
      priority: bumpPriority(escalation?.priority ?? 'normal'),
      ...(s.ai.task?.slots.orderNumber ? { orderNumber: s.ai.task.slots.orderNumber } : {}),
    });
    ticketId = ticket.ticketId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('callback ticket not created', { error: err instanceof Error ? err.message : String(err) });
  }
  // Claimed or closed while the ticket was being created: the agent is here, no overflow notice.
  if (rt.state.phase !== 'queued') return;
  rt.apply(overflow(rt.state, ticketId, rt.now()));
}
