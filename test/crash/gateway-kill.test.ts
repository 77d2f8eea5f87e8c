/**
 * Gateway crash soak (issue 7): customers on WebSockets, at a refund
 * confirmation; "yes" from each, and while the refunds are in flight the
 * gateway process (`npm run gateway`, events from a separate worker over
 * Redis) is killed with SIGKILL and started again on the same port. Each
 * customer reconnects and resumes after the last seq it saw. Then:
 * - every customer receives every entry after that seq exactly once, in
 *   order, the refund confirmation among them (0 lost, 0 duplicated);
 * - every conversation answers its next message;
 * - every order was refunded once at the backend, every history replays.
 * On the embedded server and on Temporal's dev server.
 */
import { randomUUID } from 'node:crypto';
import { redisServerPath, startRedis, type RedisServer } from '../bus/redis-server';
import { TestSocket } from '../gateway/harness';
import { testServerKind } from '../helpers/temporal-env';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { freePort } from '../../src/temporal/dev-server';
import { conversationWorkflowId } from '../../src/workflows/contract';
import type { conversationWorkflow } from '../../src/workflows';
import { replayAll, ServiceProcess, soakOrderNumber, startSoakWorld, type SoakConversation, type SoakWorld } from './soak';

const CONVERSATIONS = 12;
jest.setTimeout(300_000);

const INTEGRATION_KEY = 'soak-integration-key-0000000000';
const BUS_SECRET = 'soak-bus-secret-0000000000000000000000';

interface Customer {
  index: number;
  conversationId: string;
  token: string;
  socket: TestSocket;
  /** Highest seq received, over every socket this customer had. */
  lastSeq: number;
}

const haveRedis = redisServerPath() !== undefined;
if (!haveRedis) console.warn('SKIPPED: the gateway crash soak needs the redis-server binary (Debian package "redis-server").');

(haveRedis ? describe : describe.skip)('a SIGKILL of the gateway', () => {
  let redis: RedisServer;
  let world: SoakWorld;
  let gateway: ServiceProcess;
  let baseUrl: string;

  beforeAll(async () => {
    const started = await startRedis();
    if (!started) throw new Error('redis-server is installed but could not be started');
    redis = started;
    world = await startSoakWorld({
      server: testServerKind() === 'dev' ? 'dev' : 'embedded',
      conversations: CONVERSATIONS,
      workerEnv: { REDIS_URL: redis.url, BUS_SECRET },
    });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    gateway = new ServiceProcess(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        TEMPORAL_ADDRESS: world.address,
        TASK_QUEUE: world.taskQueue,
        REDIS_URL: redis.url,
        BUS_SECRET,
        GATEWAY_SECRET: 'soak-gateway-secret-000000000000',
        INTEGRATION_KEY,
        PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        // Twelve customers share 127.0.0.1: the per-address limit (100 a
        // window) is not what this test is about, and reconnecting after the
        // restart plus the history reads tripped it once in CI.
        RATE_LIMIT_PER_IP: '10000',
        // Its "Gateway listening on" line is how the test knows it serves.
        LOG_LEVEL: 'info',
      },
      'src/gateway/main.ts',
    );
    gateway.start();
    await gateway.waitFor(/Gateway listening on/);
  });
  afterAll(async () => {
    await gateway?.kill();
    await world?.close();
    await redis?.stop();
  });

  const wsUrl = (c: { conversationId: string; token: string }) =>
    `${baseUrl.replace('http', 'ws')}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`;

  const open = (c: Customer): Promise<TestSocket> => TestSocket.open(wsUrl(c));

  /** Sends and waits for the bot's next message (matching `expect`). */
  async function say(c: Customer, text: string, expect?: RegExp): Promise<void> {
    const from = c.socket.frames.length;
    c.socket.send({ type: 'message', id: `g-${randomUUID()}`, text });
    const reply = await c.socket.waitFor((f) => f.type === 'message' && f.from === 'bot' && (!expect || expect.test(String(f.text))), 60_000, from);
    c.lastSeq = Math.max(c.lastSeq, reply.seq as number);
  }

  async function toConfirmation(index: number): Promise<Customer> {
    const res = await fetch(`${baseUrl}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTEGRATION_KEY}` },
      body: JSON.stringify({ customer: { id: `soak-${index}`, name: `Soak Customer ${index}`, tier: 'regular' }, locale: 'en' }),
    });
    if (res.status !== 201) throw new Error(`create conversation: HTTP ${res.status} ${await res.text()}`);
    const created = (await res.json()) as { conversationId: string; token: string };
    const c: Customer = { index, ...created, socket: undefined as never, lastSeq: 0 };
    c.socket = await open(c);
    await say(c, `I want a refund for order ${soakOrderNumber(index)}`, /reason/i);
    await say(c, 'it arrived broken', /refunded/i);
    await say(c, 'store credit please', /Shall I submit it\?/);
    return c;
  }

  it(`${CONVERSATIONS} customers mid refund: every entry after the seq they saw arrives once and in order after the gateway restarts`, async () => {
    const customers = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => toConfirmation(i)));
    // Refunds take effect at once and answer 6 s later (under the tools' 10 s timeout): the gateway dies while
    // their answers are on the way. A loaded machine staggers the twelve, so the first may be answered first.
    world.commerce.faults.set({ replyDelayMs: 6000, routes: ['POST /refunds'] });
    for (const c of customers) c.socket.send({ type: 'message', id: `yes-${c.index}`, text: 'yes' });
    const deadline = Date.now() + 30_000;
    while (world.commerce.store.refunds.length < CONVERSATIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(world.commerce.store.refunds).toHaveLength(CONVERSATIONS);
    const confirmation = (f: Record<string, unknown>) => f.type === 'message' && f.from === 'bot' && /is (submitted|approved)/.test(String(f.text));
    for (const c of customers) {
      for (const f of c.socket.frames) if (f.type === 'message') c.lastSeq = Math.max(c.lastSeq, f.seq as number);
    }
    // Who was still waiting for the answer when the gateway died: the cases this test is about.
    const waiting = customers.filter((c) => !c.socket.frames.some(confirmation));
    expect(waiting.length).toBeGreaterThan(0);

    await gateway.kill('SIGKILL');
    world.commerce.faults.reset();
    gateway.start();
    await gateway.waitFor(/Gateway listening on/);

    for (const c of customers) {
      c.socket = await open(c);
      c.socket.send({ type: 'resume', afterSeq: c.lastSeq });
    }
    for (const c of waiting) await c.socket.waitFor(confirmation, 90_000);
    // Every entry after lastSeq, once each, in order, with nothing missing in between.
    for (const c of customers) {
      const seqs = c.socket.frames.filter((f) => f.type === 'message').map((f) => f.seq as number);
      const top = seqs.length > 0 ? Math.max(...seqs) : c.lastSeq;
      const expected = Array.from({ length: top - c.lastSeq }, (_, i) => c.lastSeq + 1 + i);
      expect({ conversation: c.index, seqs }).toEqual({ conversation: c.index, seqs: expected });
    }
    for (const c of customers) await say(c, `where is my order ${soakOrderNumber(c.index)}?`);

    const refundsPerOrder = customers.map((c) => world.commerce.store.refunds.filter((r) => r.orderNumber === soakOrderNumber(c.index)).length);
    expect(refundsPerOrder).toEqual(Array(CONVERSATIONS).fill(1));
    const conversations: SoakConversation[] = customers.map((c) => ({
      conversationId: c.conversationId,
      orderNumber: soakOrderNumber(c.index),
      handle: world.client.workflow.getHandle<typeof conversationWorkflow>(conversationWorkflowId(c.conversationId)),
      botBefore: 0,
    }));
    expect(await replayAll(world.client, conversations)).toEqual([]);
    for (const c of customers) c.socket.close();
  });
});
