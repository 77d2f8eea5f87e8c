/**
 * Taking a conversation, for the claim endpoint and for accepting an offer:
 * first a slot on the agent's entity (whose validator refuses one beyond
 * `maxConcurrent`, however many claims arrive at once), then the
 * conversation's claim update (whose validator lets exactly one agent in).
 * A slot that did not get the conversation is given back at once; if even
 * that message is lost, the reservation lapses on its own. When the claim's
 * outcome is unknown (Temporal did not answer in time: the update may still
 * land), the slot is kept: a late assignment then fills it instead of
 * coming on top of the agent's capacity, and if none comes it lapses.
 */
import type { Metrics } from '../metrics';
import type { ClaimResult, Skill } from '../workflows/contract';
import type { Agent } from './agents';
import type { Conversations } from './conversations';
import { ApiErrorCode, toApiError } from './errors';
import type { RoutingDesk } from './routing';

export interface ClaimDeps {
  conversations: Conversations;
  routing: RoutingDesk;
  metrics: Metrics;
}

export async function claimWithSlot(deps: ClaimDeps, agent: Agent, conversationId: string, skill: Skill): Promise<ClaimResult> {
  try {
    await deps.routing.reserve(agent, conversationId, skill);
  } catch (error) {
    const apiError = toApiError(error, conversationId);
    deps.metrics.claims.inc({ outcome: apiError.code });
    throw apiError;
  }
  try {
    const result = await deps.conversations.claim(conversationId, { id: agent.id, name: agent.name, ...(agent.language ? { language: agent.language } : {}) });
    deps.metrics.claims.inc({ outcome: 'claimed' });
    return result;
  } catch (error) {
    const apiError = toApiError(error, conversationId);
    if (apiError.code !== ApiErrorCode.Unavailable) await deps.routing.releaseSlot(agent, conversationId);
    deps.metrics.claims.inc({ outcome: apiError.code });
    throw apiError;
  }
}
