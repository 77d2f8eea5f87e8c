/**
 * The customer socket's outbound order, without a server: status frames go
 * out in the order things happened, whatever the queue lookups cost.
 */
import type { WebSocket } from 'ws';
import { CustomerSession, type CustomerSessionDeps } from '../../src/gateway/customer-session';
import type { Conversations } from '../../src/gateway/conversations';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import type { QueuePosition } from '../../src/gateway/routing';

function fakeSocket() {
  const frames: Record<string, unknown>[] = [];
  const ws = { OPEN: 1, readyState: 1, send: (data: string) => frames.push(JSON.parse(data) as Record<string, unknown>) };
  return { ws: ws as unknown as WebSocket, frames };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

it('a queue refresh asked for before the claim was sent never follows the human status (the page stayed "queued")', async () => {
  const { ws, frames } = fakeSocket();
  let lookup: ((p: QueuePosition) => void) | undefined;
  const position = (n: number): QueuePosition => ({ position: n, etaSeconds: 10, size: n, agentsOnline: 1, skill: 'general' });
  const deps = {
    conversations: {
      stateIfStarted: async () => ({ phase: 'queued', queue: { skill: 'general' }, lastSeq: 2 }),
      presence: async () => undefined,
    } as unknown as Conversations,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    queueInfo: (): Promise<QueuePosition> => (lookup ? new Promise((r) => (lookup = r)) : Promise.resolve(position(2))),
  } as unknown as CustomerSessionDeps;
  const session = new CustomerSession(ws, { conversationId: 'c-1' } as never, deps);
  session.start();
  await settle();
  expect(frames.at(-1)).toMatchObject({ type: 'status', phase: 'queued', queue: { position: 2 } });

  // A refresh whose router lookup is slow (a loaded machine), the claim's status behind it, and another refresh.
  lookup = () => undefined;
  session.refreshQueue();
  await settle();
  session.onEvent({ kind: 'status', conversationId: 'c-1', phase: 'human', agent: { id: 'a0', name: 'Agent 0' } });
  session.refreshQueue();
  // The slow lookup answers; later ones are quick again.
  const slow = lookup;
  lookup = undefined;
  slow(position(1));
  await settle();

  const statuses = frames.filter((f) => f.type === 'status').map((f) => f.phase);
  expect(statuses).toEqual(['queued', 'queued', 'human']);
  expect(frames.at(-1)).toMatchObject({ type: 'status', phase: 'human', agent: { id: 'a0', name: 'Agent 0' } });
});
