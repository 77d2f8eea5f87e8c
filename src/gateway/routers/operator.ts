/**
 * Operator API (agent directory entries with `role: "operator"`): list and
 * filter conversations from visibility, read one conversation's history.
 */
import { Router } from 'express';
import type { AgentDirectory } from '../agents';
import { requireAgent } from '../auth';
import type { Conversations } from '../conversations';
import { conversationIdParam, listConversationsQuerySchema, parseOrThrow } from '../schemas';
import { listConversations, operatorQuery } from '../visibility';

export interface OperatorRouterOptions {
  agents: AgentDirectory;
  conversations: Conversations;
  taskQueue: string;
}

export function createOperatorRouter({ agents, conversations, taskQueue }: OperatorRouterOptions): Router {
  const router = Router();
  const operatorsOnly = requireAgent(agents, 'operatorApi');

  router.get('/api/conversations', operatorsOnly, async (req, res) => {
    const { status, limit } = parseOrThrow(listConversationsQuerySchema, { ...req.query }, 'query');
    // Read a little more than asked: older continued-as-new runs are folded into their newest run.
    const rows = await listConversations(conversations.client, operatorQuery(taskQueue, status), limit * 4);
    rows.sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
    res.json(rows.slice(0, limit));
  });

  router.get('/api/conversations/:id/history', operatorsOnly, async (req, res) => {
    const id = conversationIdParam(req.params.id);
    res.json({ conversationId: id, ...(await conversations.history(id)) });
  });

  return router;
}
