/**
 * Agent desk API (bearer token from the agent directory; supervisors and
 * operators use it too). Who may read what is decided in ../access.ts.
 *
 * Who gets a conversation is decided by Temporal, not by lists: the agent's
 * entity for capacity, the conversation's claim update for "exactly one".
 * Writes check that the caller is the assigned agent. Offers and presence
 * are in ./routing.ts.
 */
import { Router, type Request } from 'express';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { AgentDirectory } from '../agents';
import { can, conversationAccess, servesSkill } from '../access';
import { currentAgent, requireAgent } from '../auth';
import type { Conversations } from '../conversations';
import { claimWithSlot } from '../claims';
import { ApiError, ApiErrorCode } from '../errors';
import type { DeskQueue } from '../queue';
import type { RoutingDesk } from '../routing';
import {
  agentMessageSchema,
  closeSchema,
  conversationIdParam,
  parseOrThrow,
  releaseSchema,
  transferSchema,
} from '../schemas';
import { assignedToQuery, listConversations } from '../visibility';

export interface AgentRouterOptions {
  agents: AgentDirectory;
  conversations: Conversations;
  queue: DeskQueue;
  routing: RoutingDesk;
  metrics: Metrics;
  logger: Logger;
}

function idParam(req: Request): string {
  return conversationIdParam(req.params.id);
}

export function createAgentRouter({ agents, conversations, queue, routing, metrics, logger }: AgentRouterOptions): Router {
  const router = Router();
  router.use('/api/agent', requireAgent(agents));

  const assignedTo = async (agentId: string): Promise<string[]> =>
    (await listConversations(conversations.client, assignedToQuery(agentId), 500)).map((r) => r.conversationId);

  router.get('/api/agent/me', async (_req, res) => {
    const agent = currentAgent(res);
    res.json({ agent, conversations: await assignedTo(agent.id) });
  });

  router.get('/api/agent/queue', async (_req, res) => {
    res.json(await queue.forAgent(currentAgent(res)));
  });

  router.post('/api/agent/conversations/:id/claim', async (req, res) => {
    const id = idParam(req);
    const agent = currentAgent(res);
    const state = await conversations.state(id);
    if (state.queue && !servesSkill(agent, state.queue.skill)) {
      throw new ApiError(ApiErrorCode.Forbidden, `this conversation needs the ${state.queue.skill} skill`);
    }
    // Capacity is the agent entity's to decide (src/gateway/claims.ts), not a count read from visibility.
    const skill = state.queue?.skill ?? state.escalation?.skill ?? routing.routing.policy.defaultSkill;
    const result = await claimWithSlot({ conversations, routing, metrics }, agent, id, skill);
    queue.invalidate(skill);
    logger.info({ conversationId: id, agentId: agent.id }, 'conversation claimed');
    res.json(result);
  });

  router.post('/api/agent/conversations/:id/messages', async (req, res) => {
    const id = idParam(req);
    const body = parseOrThrow(agentMessageSchema, req.body ?? {});
    const messageId = await conversations.agentMessage(id, currentAgent(res).id, body.text, body.id);
    res.status(202).json({ id: messageId });
  });

  router.post('/api/agent/conversations/:id/release', async (req, res) => {
    const id = idParam(req);
    const body = parseOrThrow(releaseSchema, req.body ?? {});
    const state = await conversations.release(id, { agentId: currentAgent(res).id, to: body.to, note: body.note });
    queue.invalidate();
    res.json(state);
  });

  router.post('/api/agent/conversations/:id/transfer', async (req, res) => {
    const id = idParam(req);
    const body = parseOrThrow(transferSchema, req.body ?? {});
    if (!routing.skills.includes(body.skill)) {
      throw new ApiError(ApiErrorCode.InvalidInput, `skill: "${body.skill}" is not a skill of this desk (${routing.skills.join(', ')})`);
    }
    const state = await conversations.transfer(id, { agentId: currentAgent(res).id, skill: body.skill, note: body.note });
    queue.invalidate();
    res.json(state);
  });

  router.post('/api/agent/conversations/:id/close', async (req, res) => {
    const id = idParam(req);
    const body = parseOrThrow(closeSchema, req.body ?? {});
    const agent = currentAgent(res);
    if (can(agent, 'closeAny')) {
      const state = await conversations.state(id);
      if (state.phase === 'closed') throw new ApiError(ApiErrorCode.Closed, 'the conversation is already closed');
      const assigned = state.agent?.id === agent.id && state.phase === 'human';
      await conversations.close(id, assigned
        ? { by: 'agent', agentId: agent.id, resolution: body.resolution }
        : { by: 'operator', resolution: body.resolution });
    } else {
      await conversations.assertAssigned(id, agent.id);
      await conversations.close(id, { by: 'agent', agentId: agent.id, resolution: body.resolution });
    }
    res.status(202).json({ conversationId: id, closing: true });
  });

  /**
   * Full view (state and transcript) for the assigned agent, supervisors and
   * operators; a preview of a conversation waiting in a queue the agent
   * serves; 403 with the reason otherwise. The state is read first and the
   * transcript only when allowed, so a refused read fetches nothing.
   */
  router.get('/api/agent/conversations/:id', async (req, res) => {
    const id = idParam(req);
    const state = await conversations.state(id);
    const access = conversationAccess(currentAgent(res), state);
    if (access.level === 'none') throw new ApiError(ApiErrorCode.Forbidden, access.reason);
    if (access.level === 'preview') {
      res.json({
        access: 'preview',
        conversationId: id,
        phase: state.phase,
        queue: state.queue,
        reasons: state.escalation?.reasons ?? [],
        customer: { tier: state.customer.tier },
        language: state.language,
        intent: state.intent,
        preview: await queue.preview(id),
      });
      return;
    }
    res.json({ access: 'full', state, transcript: await conversations.transcript(id, 0) });
  });

  return router;
}
