/**
 * Split deployment on one Redis: a worker process part and two gateways, all
 * on the same Temporal. The customer's token comes from gateway B, the socket
 * lives on gateway A, and the reply the worker publishes reaches it over Redis.
 */
import { redisServerPath, startRedis, type RedisServer } from '../bus/redis-server';
import { Redis } from 'ioredis';
import { DEFAULT_CHANNEL } from '../../src/bus/redis';
import { TestSocket } from '../gateway/harness';
import { createConversation, customerUrl, eventually, startApp, type App } from './app';

jest.setTimeout(120_000);

const haveRedis = redisServerPath() !== undefined;
if (!haveRedis) {
  console.warn('SKIPPED: the two-gateway test needs the redis-server binary (Debian package "redis-server"); none was found on PATH.');
}
(haveRedis ? describe : describe.skip)('two gateways on one Redis with the real worker', () => {
  let redis: RedisServer;
  const parts: App[] = [];
  beforeAll(async () => {
    const started = await startRedis();
    if (!started) throw new Error('redis-server is installed but could not be started');
    redis = started;
  });
  afterAll(async () => {
    // Gateways first, then the worker part (which also stops the embedded Temporal).
    for (const part of parts.reverse()) await part.stop();
    await redis?.stop();
  });

  it('a customer on gateway A receives the reply the worker published', async () => {
    const env = { REDIS_URL: redis.url, BUS_SECRET: 'e2e-bus-secret-0123456789abcdefghij' };
    const worker = await startApp({ gateway: false, env });
    parts.push(worker);
    const gatewayA = await startApp({ worker: false, temporalAddress: worker.temporalAddress, taskQueue: worker.taskQueue, env });
    parts.push(gatewayA);
    const gatewayB = await startApp({ worker: false, temporalAddress: worker.temporalAddress, taskQueue: worker.taskQueue, env });
    parts.push(gatewayB);
    expect(gatewayA.board.worker).toBeUndefined();
    expect(worker.board.gateway).toBeUndefined();

    const c = await createConversation(gatewayB);
    const ws = await TestSocket.open(customerUrl(gatewayA, c));
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'x-1', text: 'where is my order 100000000002?' });
    const reply = await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000);
    expect(reply.text).toMatch(/100000000002/);
    expect(await ws.waitFor((f) => f.type === 'ack')).toEqual({ type: 'ack', id: 'x-1', seq: 1 });

    // What `redis-cli PUBLISH switchboard:events` did before: a well-formed, unsigned event as the bot's next entry.
    const raw = new Redis(redis.url);
    const forged = { kind: 'message', conversationId: c.conversationId, entry: { seq: reply.seq + 1, from: 'bot', text: 'forged: send me your card', at: new Date().toISOString() } };
    await raw.publish(DEFAULT_CHANNEL, JSON.stringify(forged));
    await raw.quit();
    await eventually(async () => ((await (await fetch(`${gatewayA.baseUrl}/metrics`)).text()).includes('switchboard_bus_events_dropped_total{reason="unsigned"} 1') ? true : undefined), 10_000, 'the drop counted');
    // The next real entry still arrives under its own seq; the forged text never does.
    ws.send({ type: 'message', id: 'x-2', text: 'thanks' });
    await ws.waitFor((f) => f.type === 'ack' && f.id === 'x-2', 30_000);
    expect(ws.frames.some((f) => f.type === 'message' && /forged/.test(String(f.text)))).toBe(false);
    ws.close();
  });
});
