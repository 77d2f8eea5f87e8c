/**
 * The human-request window in Redis: two gateways (two clients) share one
 * count per customer, and simultaneous takes cannot both get the last place.
 */
import { Redis } from 'ioredis';
import { RedisSlidingWindow } from '../../src/gateway/human-requests';
import { redisServerPath, startRedis, type RedisServer } from './redis-server';

const haveRedis = redisServerPath() !== undefined;
if (!haveRedis) {
  console.warn('SKIPPED: the Redis sliding-window test needs the redis-server binary (Debian package "redis-server"); none was found on PATH.');
}
const describeRedis = haveRedis ? describe : describe.skip;

describeRedis('RedisSlidingWindow against a real redis-server', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  beforeAll(async () => {
    const started = await startRedis();
    if (!started) throw new Error('redis-server is installed but could not be started');
    redis = started;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await redis?.stop();
  });

  const client = () => {
    const c = new Redis(redis.url);
    clients.push(c);
    return c;
  };

  it('counts one customer across two gateways over a sliding window', async () => {
    const a = new RedisSlidingWindow(client());
    const b = new RedisSlidingWindow(client());
    const MIN = 60_000;
    expect(await a.take('customer:u1', 2, 60 * MIN, 0)).toEqual({ allowed: true, count: 1 });
    expect(await b.take('customer:u1', 2, 60 * MIN, 1000)).toEqual({ allowed: true, count: 2 });
    expect(await a.take('customer:u1', 2, 60 * MIN, 2000)).toEqual({ allowed: false, count: 2 });
    expect(await b.take('customer:u2', 2, 60 * MIN, 2000)).toEqual({ allowed: true, count: 1 });
    expect(await b.take('customer:u1', 2, 60 * MIN, 60 * MIN + 1)).toEqual({ allowed: true, count: 2 });
  });

  it('gives the last place to exactly one of many simultaneous takes', async () => {
    const windows = [new RedisSlidingWindow(client()), new RedisSlidingWindow(client())];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => windows[i % 2].take('customer:race', 3, 60_000, 5_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });
});
