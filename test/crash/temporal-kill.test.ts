/**
 * Temporal crash soak (issue 7): the same conversations mid refund, but this
 * time Temporal's dev server itself is killed with SIGKILL and started again
 * on the same port and SQLite file while the worker keeps running. Every
 * conversation must come back from the SQLite file, report its refund once,
 * answer its next message and replay. Only on the dev server (jest's
 * dev-server project): the embedded server keeps everything in memory, so a
 * kill of it loses everything by design — npm start says so and prefers the
 * dev server.
 */
import type { TranscriptEntry } from '../../src/workflows/contract';
import { frozenAfter, refundSubmitted, replayAll, send, startSoakWorld, toConfirmation, withWorkerLog, type SoakConversation, type SoakWorld } from './soak';

const CONVERSATIONS = 16;
jest.setTimeout(300_000);

let world: SoakWorld;
beforeAll(async () => {
  world = await startSoakWorld({ server: 'dev', conversations: CONVERSATIONS });
});
afterAll(async () => {
  await world?.close();
});

it(`${CONVERSATIONS} conversations mid refund survive a SIGKILL of Temporal's dev server: none frozen, lost or done twice, all replay`, () => withWorkerLog(world, async () => {
  const conversations: SoakConversation[] = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => toConfirmation(world, i)));
  world.commerce.faults.set({ replyDelayMs: 3000, routes: ['POST /refunds'] });
  await Promise.all(conversations.map((c) => send(c.handle, 'yes')));
  const deadline = Date.now() + 30_000;
  while (world.commerce.store.refunds.length < CONVERSATIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(world.commerce.store.refunds).toHaveLength(CONVERSATIONS);

  await world.restartTemporal();
  world.commerce.faults.reset();

  const afterRefund = new Map<string, TranscriptEntry[]>();
  expect(await frozenAfter(conversations, (c, t) => refundSubmitted(t, c.orderNumber), 'the refund confirmation', 120_000, afterRefund)).toEqual([]);
  const botsAfterRefund = new Map([...afterRefund].map(([id, t]) => [id, t.filter((e) => e.from === 'bot').length]));
  await Promise.all(conversations.map((c) => send(c.handle, `where is my order ${c.orderNumber}?`)));
  const answered = (c: SoakConversation, t: TranscriptEntry[]) => t.filter((e) => e.from === 'bot').length > botsAfterRefund.get(c.conversationId)!;
  expect(await frozenAfter(conversations, answered, 'an answer to the next message', 60_000)).toEqual([]);

  const refundsPerOrder = conversations.map((c) => world.commerce.store.refunds.filter((r) => r.orderNumber === c.orderNumber).length);
  expect(refundsPerOrder).toEqual(Array(CONVERSATIONS).fill(1));
  expect(await replayAll(world.client, conversations)).toEqual([]);
  expect(world.worker.output()).not.toMatch(/Nondeterminism|TMPRL1100/);
}));
