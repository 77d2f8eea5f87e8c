/**
 * Routing API: an agent's presence and offers, and the desk views for
 * supervisors and operators. The agent workspace builds on these.
 *
 * Agents (any agent token):
 * - `GET /api/agent/presence` → the agent entity's view (presence, chosen status, load, capacity, slots, performance);
 * - `PUT /api/agent/presence` `{ status: online | away | offline }` → the same view;
 * - `GET /api/agent/offers` → `{ offers: [...] }` waiting for this agent's answer;
 * - `POST /api/agent/offers/:offerId/accept` → `{ conversationId, handover, transcript }` (as a claim);
 *   `404 offer_not_found` once it expired, was withdrawn or answered; `409 already_claimed` / `not_waiting`;
 * - `POST /api/agent/offers/:offerId/decline` → `{ offerId, declined: true }`; the router offers it to the next agent.
 * Supervisors and operators:
 * - `GET /api/desk/queues` → every skill's live queue (place, expected wait, offered to) and its agents;
 * - `GET /api/desk/agents` → every agent's presence, load and performance, from the routers' rosters.
 */
import { Router } from 'express';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { RosterAgentView } from '../../routing/contract';
import { can } from '../access';
import type { AgentDirectory } from '../agents';
import { currentAgent, requireAgent } from '../auth';
import { claimWithSlot } from '../claims';
import type { Conversations } from '../conversations';
import { ApiError, ApiErrorCode } from '../errors';
import type { DeskQueue } from '../queue';
import type { RoutingDesk } from '../routing';
import { offerIdSchema, parseOrThrow, presenceSchema } from '../schemas';

export interface RoutingRouterOptions {
  agents: AgentDirectory;
  conversations: Conversations;
  routing: RoutingDesk;
  queue: DeskQueue;
  metrics: Metrics;
  logger: Logger;
}

export function createRoutingRouter({ agents, conversations, routing, queue, metrics, logger }: RoutingRouterOptions): Router {
  const router = Router();
  router.use('/api/agent/presence', requireAgent(agents));
  router.use('/api/agent/offers', requireAgent(agents));
  router.use('/api/desk', requireAgent(agents), (_req, res, next) => {
    next(can(currentAgent(res), 'allQueues') ? undefined : new ApiError(ApiErrorCode.Forbidden, 'the desk views are for supervisors and operators'));
  });

  router.get('/api/agent/presence', async (_req, res) => {
    res.json(await routing.view(currentAgent(res)));
  });

  router.put('/api/agent/presence', async (req, res) => {
    const { status } = parseOrThrow(presenceSchema, req.body ?? {});
    const view = await routing.setPresence(currentAgent(res), status);
    logger.info({ agentId: view.profile.id, status, presence: view.presence }, 'agent status set');
    res.json(view);
  });

  router.get('/api/agent/offers', async (_req, res) => {
    const view = await routing.view(currentAgent(res));
    const offers = view.slots.filter((s) => s.state === 'offered' && s.offer).map((s) => s.offer);
    res.json({ offers });
  });

  router.post('/api/agent/offers/:offerId/accept', async (req, res) => {
    const offerId = parseOrThrow(offerIdSchema, req.params.offerId);
    const agent = currentAgent(res);
    // The agent entity holds the slot from the offer on; the claim then takes the conversation itself.
    const answer = await routing.respond(agent, offerId, true);
    const result = await claimWithSlot({ conversations, routing, metrics }, agent, answer.conversationId, answer.skill);
    queue.invalidate(answer.skill);
    logger.info({ conversationId: answer.conversationId, agentId: agent.id, offerId }, 'offer accepted');
    res.json({ conversationId: answer.conversationId, ...result });
  });

  router.post('/api/agent/offers/:offerId/decline', async (req, res) => {
    const offerId = parseOrThrow(offerIdSchema, req.params.offerId);
    const answer = await routing.respond(currentAgent(res), offerId, false);
    queue.invalidate(answer.skill);
    res.json({ offerId, conversationId: answer.conversationId, declined: true });
  });

  router.get('/api/desk/queues', async (_req, res) => {
    const snapshots = await routing.snapshots(routing.skills);
    res.json({ queues: snapshots, strategy: routing.routing.router.strategy });
  });

  router.get('/api/desk/agents', async (_req, res) => {
    const snapshots = await routing.snapshots(routing.skills);
    const byId = new Map<string, RosterAgentView & { skills: { skill: string; level: number }[] }>();
    for (const snap of snapshots) {
      for (const a of snap.roster) {
        const seen = byId.get(a.agentId);
        const skill = { skill: snap.skill, level: a.level };
        if (seen) seen.skills.push(skill);
        else byId.set(a.agentId, { ...a, skills: [skill] });
      }
    }
    const list = [...byId.values()].map(({ level: _level, ...a }) => a).sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
    res.json({ agents: list });
  });

  return router;
}
