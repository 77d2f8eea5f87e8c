/**
 * The ticket of a leave-a-message / callback request, once the customer has
 * given everything (the flow's `submit` stage). Shared by the AI phase
 * (outside service hours) and the QUEUED phase (overflow); it reaches only
 * the ticket activity, never the AI.
 */
import { isCancellation, log } from '@temporalio/workflow';
import { contactDone, contactTicket } from '../../domain';
import { createTicket } from '../desk-activities';
import type { TicketRequest } from '../../tools/types';
import type { ConversationRuntime } from '../runtime';

export function contactReady(rt: ConversationRuntime): boolean {
  return rt.state.contact?.stage === 'submit';
}

export async function submitContact(rt: ConversationRuntime): Promise<void> {
  const ticket = contactTicket(rt.state);
  if (!ticket) return;
  const ticketId = await fileTicket(rt, ticket);
  // An agent took the conversation while the ticket was being created: the flow was cancelled, the agent is here.
  if (!contactReady(rt)) return;
  const done = contactDone(rt.state, ticketId, rt.now());
  rt.apply({ state: done.state, entries: done.entries });
}

/**
 * Files a desk ticket for the conversation (its order number attached when the task has one); its id, or
 * undefined when the ticket tool failed: the customer is told either way, so a failure is logged, not thrown.
 */
export async function fileTicket(
  rt: ConversationRuntime,
  ticket: Pick<TicketRequest, 'kind' | 'subject' | 'description' | 'priority'>,
): Promise<string | undefined> {
  const s = rt.state;
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
    return created.ticketId;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('ticket not created', { kind: ticket.kind, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}
