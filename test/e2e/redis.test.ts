/**
 * Split deployment on one Redis: a worker process part and two gateways, all
 * on the same Temporal. The customer's token comes from gateway B, the socket
 * lives on gateway A, and the reply the worker publishes reaches it over Redis.
 */
import { redisServerPath, startRedis, type RedisServer } from '../bus/redis-server';
import { TestSocket } from '../gateway/harness';
import { createConversation, customerUrl, startApp, type App } from './app';

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
    const env = { REDIS_URL: redis.url };
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
    ws.close();
  });
});
