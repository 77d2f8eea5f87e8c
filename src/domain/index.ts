/**
 * Switchboard's conversation policy: pure, deterministic, workflow-safe.
 *
 * The workflow keeps one {@link ConversationState} (JSON-safe, carried across
 * continue-as-new) and drives it with:
 * - {@link decide} for each understood customer turn → replies, tool calls, escalation, close;
 * - {@link afterTool} with each tool outcome → replies rendered from tool data only;
 * - transitions in `lifecycle` (enterQueue, assignAgent, release, transfer, overflow, close)
 *   and the checks behind the update validators (claimRejection, agentRejection);
 * - {@link buildHandover} for the agent's structured handover.
 *
 * @example
 * let state = initialState({ conversationId: 'c1', customer: { id: 'u1', tier: 'regular' } }, now);
 * const rec = recordCustomerMessage(state, { messageId: 'm1', text: 'refund for 100000000001' }, now);
 * const { state: next, actions } = decide(rec.state, understanding, resolvePolicy(), now);
 */
export * from './actions';
export * from './after-tool';
export * from './contact';
export * from './cues';
export * from './decide';
export * from './desk';
export * from './escalation';
export * from './handover';
export * from './legacy-queue';
export * from './lifecycle';
export * from './policy-config';
export * from './queue';
export * from './routing-policy';
export * from './service-hours';
export * from './slots';
export * from './state';
export * from './templates';
export { beginTurn, finish, type Turn } from './turn';
