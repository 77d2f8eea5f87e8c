/**
 * Worker crash soak (issue 7): conversations at a refund confirmation, each
 * having typed two quick bursts; "yes" to all, and while the refunds are in
 * flight — the backend has acted, its answers are still on the way — the
 * worker process is killed with SIGKILL and started again. Then:
 * - every conversation reports its refund and answers its next message
 *   (0 frozen, 0 lost);
 * - every order was refunded exactly once at the backend (0 duplicated);
 * - every history replays with Worker.runReplayHistories (100% clean);
 * - the worker never logged a nondeterminism error.
 * On the embedded server (embedded project) and on Temporal's dev server
 * (dev-server project).
 */
import { testServerKind } from '../helpers/temporal-env';
import type { TranscriptEntry } from '../../src/workflows/contract';
import { frozenAfter, refundSubmitted, replayAll, send, startSoakWorld, toConfirmation, withWorkerLog, type SoakConversation, type SoakWorld } from './soak';

const CONVERSATIONS = 24;
jest.setTimeout(300_000);

let world: SoakWorld;
beforeAll(async () => {
  world = await startSoakWorld({ server: testServerKind() === 'dev' ? 'dev' : 'embedded', conversations: CONVERSATIONS });
});
afterAll(async () => {
  await world?.close();
});


it(`${CONVERSATIONS} conversations mid refund survive a SIGKILL of the worker: none frozen, lost or done twice, all replay`, () => withWorkerLog(world, async () => {
  const conversations: SoakConversation[] = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => toConfirmation(world, i)));

  // The backend acts at once and answers 3 s later: the kill lands between the effect and its acknowledgement.
  world.commerce.faults.set({ replyDelayMs: 3000, routes: ['POST /refunds'] });
  await Promise.all(conversations.map((c) => send(c.handle, 'yes')));
  const deadline = Date.now() + 30_000;
  while (world.commerce.store.refunds.length < CONVERSATIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(world.commerce.store.refunds).toHaveLength(CONVERSATIONS);
  await world.worker.kill('SIGKILL');
  world.commerce.faults.reset();
  world.worker.start();

  const afterRefund = new Map<string, TranscriptEntry[]>();
  expect(await frozenAfter(conversations, (c, t) => refundSubmitted(t, c.orderNumber), 'the refund confirmation', 90_000, afterRefund)).toEqual([]);
  const botsAfterRefund = new Map([...afterRefund].map(([id, t]) => [id, t.filter((e) => e.from === 'bot').length]));
  await Promise.all(conversations.map((c) => send(c.handle, `where is my order ${c.orderNumber}?`)));
  const answered = (c: SoakConversation, t: TranscriptEntry[]) => t.filter((e) => e.from === 'bot').length > botsAfterRefund.get(c.conversationId)!;
  expect(await frozenAfter(conversations, answered, 'an answer to the next message', 60_000)).toEqual([]);

  const refundsPerOrder = conversations.map((c) => world.commerce.store.refunds.filter((r) => r.orderNumber === c.orderNumber).length);
  expect(refundsPerOrder).toEqual(Array(CONVERSATIONS).fill(1));
  expect(await replayAll(world.client, conversations)).toEqual([]);
  expect(world.worker.output()).not.toMatch(/Nondeterminism|TMPRL1100/);
}));
