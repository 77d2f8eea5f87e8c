/**
 * A deliberately incompatible version of the conversation workflow, for the
 * replay test's negative case: it schedules an activity the recorded runs
 * never scheduled, before anything else. Replaying a recorded history with it
 * must fail with a DeterminismViolationError.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../src/activities';
import type { ConversationInput, ConversationResolution } from '../../../src/workflows/contract';
import { conversationWorkflow as current } from '../../../src/workflows/conversation';

const { createTicket } = proxyActivities<Pick<Activities, 'createTicket'>>({ startToCloseTimeout: '10s' });

export async function conversationWorkflow(input: ConversationInput): Promise<ConversationResolution> {
  await createTicket({
    conversationId: input.conversationId,
    customerId: input.customer.id,
    kind: 'follow_up',
    subject: 'changed workflow',
    description: 'an activity the recorded history does not have',
    priority: 'low',
  });
  return current(input);
}
