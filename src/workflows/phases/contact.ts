/**
 * The ticket of a leave-a-message / callback request, once the customer has
 * given everything (the flow's `submit` stage). Shared by the AI phase
 * (outside service hours) and the QUEUED phase (overflow); it reaches only
 * the ticket activity, never the AI.
 */
import { isCancellation, log } from '@temporalio/workflow';
import { contactDone, contactTicket } from '../../domain';
import { createTicket } from '../desk-activities';
import type { ConversationRuntime } from '../runtime';

export function contactReady(rt: ConversationRuntime): boolean {
  return rt.state.contact?.stage === 'submit';
}

export async function submitContact(rt: ConversationRuntime): Promise<void> {
  const ticket = contactTicket(rt.state);
  if (!ticket) return;
  const s = rt.state;
  let ticketId: string | undefined;
  try {
    const created = await createTicket({
      conversationId: s.conversationId,
      customerId: s.customer.id,
      kind: ticket.kind,
      subject: ticket.subject,
      description: ticket.description,
      priority: ticket.priority,
      ...(s.ai.task?.slots.orderNumber ? { orderNumber: s.ai.task.slots.orderNumber } : {}),
    });
    ticketId = created.ticketId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('contact ticket not created', { kind: ticket.kind, error: err instanceof Error ? err.message : String(err) });
  }
  // An agent took the conversation while the ticket was being created: the flow was cancelled, the agent is here.
  if (!contactReady(rt)) return;
  const done = contactDone(rt.state, ticketId, rt.now());
  rt.apply({ state: done.state, entries: done.entries });
}
