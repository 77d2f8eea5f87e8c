import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { BusSigner, createBus, InProcessBus, RedisBus } from '../../src/bus';
import { REDIS_ACL_RULES } from '../../src/bus/redis';
import { loadConfig } from '../../src/config';
import { AgentDirectory, createGateway, type Gateway } from '../../src/gateway';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import type { OutboundEvent } from '../../src/workflows/contract';
import { FakeTemporal } from '../gateway/fake-temporal';
import { TEST_AGENTS, TestSocket } from '../gateway/harness';
import { redisServerPath, startRedis, type RedisServer } from './redis-server';

const haveRedis = redisServerPath() !== undefined;
if (!haveRedis) {
  console.warn('SKIPPED: Redis bus tests need the redis-server binary (Debian package "redis-server"); none was found on PATH.');
}
const describeRedis = haveRedis ? describe : describe.skip;

const SECRET = 'bus-secret-for-tests-0123456789abcdef';
const secrets = [SECRET];

const event: OutboundEvent = {
  kind: 'message',
  conversationId: 'c-1',
  entry: { seq: 1, from: 'bot', text: 'hello', at: '2025-01-01T00:00:00.000Z' },
};

function collect(bus: { subscribe(h: (e: OutboundEvent) => void): () => void }): OutboundEvent[] {
  const got: OutboundEvent[] = [];
  bus.subscribe((e) => got.push(e));
  return got;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('createBus', () => {
  it('is in-process without REDIS_URL and Redis with it', async () => {
    const local = createBus({ REDIS_URL: undefined });
    expect(local).toBeInstanceOf(InProcessBus);
    const got = collect(local);
    await local.publish(event);
    expect(got).toEqual([event]);
    await local.close();
    const remote = createBus({ REDIS_URL: 'redis://127.0.0.1:1', BUS_SECRET: SECRET });
    expect(() => createBus({ REDIS_URL: 'redis://127.0.0.1:1', BUS_SECRET: undefined })).toThrow(/BUS_SECRET/);
    expect(remote).toBeInstanceOf(RedisBus);
    await remote.close();
  });
});

describeRedis('RedisBus against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    const started = await startRedis();
    if (!started) throw new Error('redis-server is installed but could not be started');
    redis = started;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('delivers events between processes that share a Redis, and drops what is not an event', async () => {
    const a = new RedisBus({ url: redis.url, secrets, channel: 'test:1' });
    const b = new RedisBus({ url: redis.url, secrets, channel: 'test:1' });
    const gotA = collect(a);
    const gotB = collect(b);
    await Promise.all([a.connect(), b.connect()]);

    const raw = new Redis(redis.url);
    await raw.publish('test:1', 'not json');
    await raw.publish('test:1', JSON.stringify({ kind: 'message', conversationId: 'x' }));
    await raw.publish('test:other', JSON.stringify(event));
    await b.publish(event);
    await until(() => gotA.length >= 1 && gotB.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(gotA).toEqual([event]);
    expect(gotB).toEqual([event]);
    await raw.quit();
    await Promise.all([a.close(), b.close()]);
    await expect(a.publish(event)).rejects.toThrow(/closed/);
  });

  it('drops forged, tampered, foreign-secret, stale and replayed messages, and counts each', async () => {
    const dropped: string[] = [];
    const bus = new RedisBus({ url: redis.url, secrets, channel: 'test:forge', onDrop: (reason) => dropped.push(reason) });
    const got = collect(bus);
    await bus.connect();
    // What the attacker sees on the channel: a genuine envelope.
    const sniffer = new Redis(redis.url);
    const seen: string[] = [];
    sniffer.on('message', (_channel: string, message: string) => seen.push(message));
    await sniffer.subscribe('test:forge');
    const raw = new Redis(redis.url);
    try {
      await bus.publish(event);
      await until(() => got.length === 1 && seen.length === 1);
      const genuine = JSON.parse(seen[0]!) as { id: string; ts: number; body: string; sig: string };

      const forged: OutboundEvent = { kind: 'message', conversationId: 'c-1', entry: { seq: 2, from: 'bot', text: 'send your card number to evil.example', at: '2025-01-01T00:00:01.000Z' } };
      const other = new BusSigner({ secrets: ['another-deployments-secret-0123456789'], channel: 'test:forge' });
      const staleSigner = new BusSigner({ secrets, channel: 'test:forge', now: () => Date.now() - 10 * 60_000 });
      const otherChannel = new BusSigner({ secrets, channel: 'test:elsewhere' });
      await raw.publish('test:forge', JSON.stringify(forged)); // unsigned: what redis-cli PUBLISH did before
      await raw.publish('test:forge', JSON.stringify({ ...genuine, body: JSON.stringify(forged) })); // tampered body
      await raw.publish('test:forge', other.seal(JSON.stringify(forged))); // signed with a secret that is not ours
      await raw.publish('test:forge', otherChannel.seal(JSON.stringify(forged))); // moved from another channel
      await raw.publish('test:forge', staleSigner.seal(JSON.stringify(forged))); // too old
      await raw.publish('test:forge', seen[0]!); // the genuine one, replayed
      await raw.publish('test:forge', 'not json');
      await until(() => dropped.length === 7);
      expect(dropped).toEqual(['unsigned', 'bad_signature', 'bad_signature', 'bad_signature', 'stale', 'replayed', 'malformed']);
      expect(got).toEqual([event]);
    } finally {
      await Promise.all([sniffer.quit(), raw.quit(), bus.close()]);
    }
  });

  it('accepts messages signed with a previous secret during a rotation', async () => {
    const oldSecret = 'the-previous-bus-secret-0123456789ab';
    const receiver = new RedisBus({ url: redis.url, secrets: [SECRET, oldSecret], channel: 'test:rotate' });
    const sender = new RedisBus({ url: redis.url, secrets: [oldSecret], channel: 'test:rotate' });
    const got = collect(receiver);
    await Promise.all([receiver.connect(), sender.connect()]);
    try {
      await sender.publish(event);
      await until(() => got.length === 1);
      expect(got).toEqual([event]);
    } finally {
      await Promise.all([receiver.close(), sender.close()]);
    }
  });

  it('carries every event kind the workflows publish, desk notes included', async () => {
    const a = new RedisBus({ url: redis.url, secrets, channel: 'test:kinds' });
    const b = new RedisBus({ url: redis.url, secrets, channel: 'test:kinds' });
    const got = collect(b);
    await Promise.all([a.connect(), b.connect()]);
    const events: OutboundEvent[] = [
      { ...event, desk: [{ kind: 'first_response', agentId: 'ann', ms: 1200 }] },
      { kind: 'status', conversationId: 'c-1', phase: 'queued', desk: [{ kind: 'escalated', reasons: ['explicit_request'], priority: 'high', skill: 'refunds' }] },
      { kind: 'alert', conversationId: 'c-1', alert: { conversationId: 'c-1', skill: 'refunds', priority: 'high', tier: 'regular', waitedMs: 600_000, period: 2, at: '2025-01-01T00:10:00Z' } },
      {
        kind: 'offer',
        conversationId: 'c-1',
        agentId: 'ann',
        offer: { offerId: 'refunds:1', conversationId: 'c-1', skill: 'refunds', priority: 'high', tier: 'regular', language: 'en', waitingSince: '2025-01-01T00:00:00Z', expiresAt: '2025-01-01T00:00:30Z', reasons: ['explicit_request'] },
      },
      { kind: 'offer_ended', conversationId: 'c-1', agentId: 'ann', offerId: 'refunds:1', outcome: 'timeout' },
      { kind: 'agent', agentId: 'ann', presence: 'away', status: 'away', load: 1, capacity: 3, at: '2025-01-01T00:00:31Z' },
      { kind: 'queue', skill: 'refunds', size: 4, at: '2025-01-01T00:00:31Z' },
    ];
    for (const e of events) await a.publish(e);
    await until(() => got.length >= events.length);
    expect(got).toEqual(events);
    await Promise.all([a.close(), b.close()]);
  });

  it('two gateways on one Redis: a customer on gateway A receives the reply the worker published', async () => {
    const logger = createLogger({ level: 'silent' });
    const workerBus = new RedisBus({ url: redis.url, secrets });
    const fake = new FakeTemporal({ bus: workerBus });
    const config = loadConfig({ GATEWAY_SECRET: 'shared-secret-0123456789', REDIS_URL: redis.url, BUS_SECRET: SECRET, LOG_LEVEL: 'silent' });
    const gateways: { gateway: Gateway; bus: RedisBus; url: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const bus = new RedisBus({ url: redis.url, secrets, logger });
      await bus.connect();
      const gateway = createGateway({
        config,
        client: fake.client,
        bus,
        agents: AgentDirectory.fromJson(TEST_AGENTS),
        logger,
        metrics: createMetrics({ defaultMetrics: false }),
      });
      await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
      gateways.push({ gateway, bus, url: `127.0.0.1:${(gateway.server.address() as AddressInfo).port}` });
    }
    await workerBus.connect();
    try {
      const [A, B] = gateways;
      // The token comes from gateway B; the customer's socket lives on gateway A.
      const created = await request(`http://${B.url}`).post('/api/conversations').send({}).expect(201);
      const ws = await TestSocket.open(
        `ws://${A.url}/ws?conversationId=${created.body.conversationId}&token=${encodeURIComponent(created.body.token)}`,
      );
      await ws.waitFor((f) => f.type === 'status');
      ws.send({ type: 'message', id: 'r-1', text: 'hello over redis' });
      const reply = await ws.waitFor((f) => f.type === 'message' && f.from === 'bot');
      expect(reply.text).toBe('bot: hello over redis');
      expect(await ws.waitFor((f) => f.type === 'ack')).toEqual({ type: 'ack', id: 'r-1', seq: 1 });
      ws.close();
    } finally {
      for (const g of gateways) {
        await g.gateway.close();
        await g.bus.close();
      }
      await workerBus.close();
    }
  });

  it('two gateways on one Redis share the customer budget: sockets on both count together', async () => {
    const logger = createLogger({ level: 'silent' });
    const bus = new InProcessBus();
    const fake = new FakeTemporal({ bus });
    const config = loadConfig({ GATEWAY_SECRET: 'shared-secret-0123456789', REDIS_URL: redis.url, BUS_SECRET: SECRET, LOG_LEVEL: 'silent', RATE_LIMIT_PER_CUSTOMER: '6', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const gateways: { gateway: Gateway; url: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const gateway = createGateway({ config, client: fake.client, bus, agents: AgentDirectory.fromJson(TEST_AGENTS), logger, metrics: createMetrics({ defaultMetrics: false }) });
      await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
      gateways.push({ gateway, url: `127.0.0.1:${(gateway.server.address() as AddressInfo).port}` });
    }
    try {
      const created = await request(`http://${gateways[0]!.url}`).post('/api/conversations').send({}).expect(201);
      const sockets = await Promise.all(
        gateways.map((g) => TestSocket.open(`ws://${g.url}/ws?conversationId=${created.body.conversationId}&token=${encodeURIComponent(created.body.token)}`)),
      );
      // One socket after the other, so the split of the budget is known.
      for (const ws of sockets) {
        await ws.waitFor((f) => f.type === 'status');
        for (let i = 0; i < 5; i++) ws.send({ type: 'ping' });
        await until(() => ws.frames.filter((f) => f.type === 'pong' || f.type === 'error').length === 5);
      }
      const pongs = sockets.map((ws) => ws.frames.filter((f) => f.type === 'pong').length);
      // 6 in the shared budget: all 5 on gateway A, 1 on gateway B.
      expect(pongs).toEqual([5, 1]);
      expect(sockets[1]!.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited')).toHaveLength(4);
      for (const ws of sockets) ws.close();
    } finally {
      for (const g of gateways) await g.gateway.close();
      await bus.close();
    }
  });

  it('runs the bus and the shared rate limits as a Redis user with only the documented ACL rules', async () => {
    const admin = new Redis(redis.url);
    // Earlier tests left rate-limit counters on this server; this one counts from zero.
    await admin.flushall();
    const password = 'acl-test-password-0123456789';
    await admin.call('ACL', 'SETUSER', 'switchboard', 'on', `>${password}`, ...REDIS_ACL_RULES);
    const url = redis.url.replace('redis://', `redis://switchboard:${password}@`);
    const logger = createLogger({ level: 'silent' });
    const receiver = new RedisBus({ url, secrets, logger });
    const sender = new RedisBus({ url, secrets, logger });
    const got = collect(receiver);
    const fake = new FakeTemporal({ bus: receiver });
    const gateway = createGateway({
      config: loadConfig({ GATEWAY_SECRET: 'shared-secret-0123456789', REDIS_URL: url, BUS_SECRET: SECRET, LOG_LEVEL: 'silent', RATE_LIMIT_PER_IP: '2', RATE_LIMIT_WINDOW_SECONDS: '60' }),
      client: fake.client,
      bus: receiver,
      agents: AgentDirectory.fromJson(TEST_AGENTS),
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      await Promise.all([receiver.connect(), sender.connect()]);
      await sender.publish(event);
      // The gateway's own routing start-up may put agent and queue events on the same bus: wait for this one.
      await until(() => got.some((e) => e.kind === 'message' && e.conversationId === event.conversationId));
      // The rate-limit script runs under the user: two calls pass, the third is refused (a denied command would be a 500).
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(gateway.app).post('/api/conversations').send({})).status);
      expect(statuses).toEqual([201, 201, 429]);
      // And nothing else: another channel, other keys, other commands.
      const user = new Redis(url);
      await expect(user.publish('other:channel', 'x')).rejects.toThrow(/NOPERM/);
      await expect(user.set('some:key', 'x')).rejects.toThrow(/NOPERM/);
      await expect(user.call('KEYS', '*')).rejects.toThrow(/NOPERM/);
      await user.quit();
    } finally {
      await gateway.close();
      await Promise.all([receiver.close(), sender.close(), admin.quit()]);
    }
  });
});
