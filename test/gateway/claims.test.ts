/**
 * claimWithSlot's bookkeeping when the conversation's claim fails: a definite
 * refusal gives the slot back, an unknown outcome keeps it (it lapses).
 */
import { claimWithSlot } from '../../src/gateway/claims';
import type { Conversations } from '../../src/gateway/conversations';
import { ApiError, ApiErrorCode, toApiError } from '../../src/gateway/errors';
import type { RoutingDesk } from '../../src/gateway/routing';
import { createMetrics } from '../../src/metrics';
import type { Agent } from '../../src/gateway/agents';

function deps(claimError: ApiError) {
  const released: string[] = [];
  const routing = {
    reserve: async () => undefined,
    releaseSlot: async (_agent: Agent, conversationId: string) => {
      released.push(conversationId);
    },
  } as unknown as RoutingDesk;
  const conversations = {
    claim: async () => {
      throw claimError;
    },
  } as unknown as Conversations;
  return { released, deps: { routing, conversations, metrics: createMetrics({ defaultMetrics: false }) } };
}

const ben = { id: 'ben', name: 'Ben', token: 't', skills: [], maxConcurrent: 2, role: 'agent' } as unknown as Agent;

it('gives the slot back when another agent has the conversation', async () => {
  const { released, deps: d } = deps(new ApiError(ApiErrorCode.AlreadyClaimed, 'taken'));
  await expect(claimWithSlot(d, ben, 'c-1', 'general')).rejects.toMatchObject({ code: ApiErrorCode.AlreadyClaimed });
  expect(released).toEqual(['c-1']);
});

it('keeps the slot when Temporal did not answer in time: the claim may still land, and fills it then', async () => {
  const { released, deps: d } = deps(new ApiError(ApiErrorCode.Unavailable, 'no answer in time'));
  await expect(claimWithSlot(d, ben, 'c-2', 'general')).rejects.toMatchObject({ code: ApiErrorCode.Unavailable });
  expect(released).toEqual([]);
});

it('a workflow with too many updates in flight is a 503 to try again, not an internal error', () => {
  // What the SDK throws when the server refuses an update as RESOURCE_EXHAUSTED (per-workflow in-flight limit).
  const refused = Object.assign(new Error('Workflow Update failed'), { cause: Object.assign(new Error('8 RESOURCE_EXHAUSTED: limit on number of concurrent in-flight updates has been reached'), { code: 8, details: '', metadata: {} }) });
  expect(toApiError(refused)).toMatchObject({ code: ApiErrorCode.Unavailable, status: 503 });
});
