/**
 * Rate limits across sockets and HTTP (fake Temporal behind the real
 * gateway). Before, the limit was per socket: 10 sockets on one customer
 * token × 15 frames in under a second recorded 150 messages, none refused,
 * and nothing limited a client address.
 */
import request from 'supertest';
import { startHarness, TestSocket, TOKENS, type Harness } from './harness';

async function newConversation(h: Harness, ip?: string): Promise<{ conversationId: string; token: string }> {
  const req = request(h.gateway.app).post('/api/conversations').send({});
  if (ip) req.set('X-Forwarded-For', ip);
  return (await req.expect(201)).body;
}

function customerUrl(h: Harness, c: { conversationId: string; token: string }): string {
  return `${h.wsUrl}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`;
}

describe('rate limits', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('10 sockets on one customer token × 15 frames: the customer budget holds over all of them', async () => {
    h = await startHarness({ RATE_LIMIT_PER_CUSTOMER: '20', RATE_LIMIT_PER_IP: '1000' });
    const c = await newConversation(h);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => TestSocket.open(customerUrl(h, c))));
    await Promise.all(sockets.map((ws) => ws.waitFor((f) => f.type === 'status')));
    sockets.forEach((ws, s) => {
      for (let i = 0; i < 15; i++) ws.send({ type: 'message', id: `s${s}-m${i}`, text: `message ${s}.${i}` });
    });
    // Every frame gets a definite answer on its socket: an ack, a refusal, or the socket closes.
    await Promise.all(
      sockets.map(async (ws, s) => {
        for (let i = 0; i < 15; i++) {
          const id = `s${s}-m${i}`;
          await Promise.race([ws.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === id, 10_000), ws.waitClose(10_000)]);
          if (ws.closeCode !== undefined) return;
        }
      }),
    );
    const recorded = h.fake.conversation(c.conversationId)!.transcript.filter((e) => e.from === 'customer');
    expect(recorded.length).toBeLessThanOrEqual(20);
    expect(recorded.length).toBeGreaterThan(0);
    const refusals = sockets.flatMap((ws) => ws.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited'));
    const closed = sockets.filter((ws) => ws.closeCode === 1008).length;
    expect(refusals.length + closed).toBeGreaterThan(0);
    expect(refusals[0]?.message).toMatch(/at most 20 per window in this conversation/);
    for (const ws of sockets) ws.close();
  });

  it('HTTP: 429 with the standard headers past the per-IP budget; health and metrics stay open', async () => {
    h = await startHarness({ RATE_LIMIT_PER_IP: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const first = await request(h.gateway.app).post('/api/conversations').send({}).expect(201);
    // IETF draft-8 headers: the policy (3 per 60 s, partitioned by a hashed key) and what is left of it.
    expect(first.headers['ratelimit-policy']).toMatch(/^"ip"; q=3; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect(first.headers.ratelimit).toMatch(/^"ip"; r=2; t=\d+$/);
    await request(h.gateway.app).post('/api/conversations').send({}).expect(201);
    await request(h.gateway.app).get('/').expect(200);
    const refused = await request(h.gateway.app).post('/api/conversations').send({}).expect(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/at most 3 per 60 s/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(h.gateway.app).get('/healthz').expect(200);
    await request(h.gateway.app).get('/metrics').expect(200);
    // Authenticated agents have their own budget: an office behind one address is not starved by customers.
    await request(h.gateway.app).get('/api/agent/me').set('Authorization', `Bearer ${TOKENS.alice}`).expect(200);
  });

  it('the per-IP budget also counts WebSocket handshakes and customer frames', async () => {
    h = await startHarness({ RATE_LIMIT_PER_IP: '4', RATE_LIMIT_PER_CUSTOMER: '100', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const c = await newConversation(h); // 1
    const ws = await TestSocket.open(customerUrl(h, c)); // 2
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'ping' }); // 3
    ws.send({ type: 'ping' }); // 4
    ws.send({ type: 'ping' }); // 5: refused
    expect(await ws.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/from this address/) });
    expect(ws.frames.filter((f) => f.type === 'pong')).toHaveLength(2);
    await expect(TestSocket.open(customerUrl(h, c))).rejects.toMatchObject({ status: 429 });
    ws.close();
  });

  it('agents are limited per agent, across HTTP and the desk socket', async () => {
    h = await startHarness({ RATE_LIMIT_PER_AGENT: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const auth = { Authorization: `Bearer ${TOKENS.bob}` };
    await request(h.gateway.app).get('/api/agent/me').set(auth).expect(200);
    await request(h.gateway.app).get('/api/agent/queue').set(auth).expect(200);
    const desk = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.bob}`);
    desk.send({ type: 'ping' });
    expect(await desk.waitFor((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    desk.send({ type: 'ping' });
    expect(await desk.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
    const refused = await request(h.gateway.app).get('/api/agent/queue').set(auth).expect(429);
    expect(refused.body.error.message).toMatch(/from this agent/);
    // Another agent is unaffected.
    await request(h.gateway.app).get('/api/agent/queue').set('Authorization', `Bearer ${TOKENS.alice}`).expect(200);
    desk.close();
  });

  it('TRUST_PROXY: behind a trusted proxy each client address has its own budget; otherwise X-Forwarded-For is ignored', async () => {
    h = await startHarness({ RATE_LIMIT_PER_IP: '1', RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: 'loopback' });
    await newConversation(h, '203.0.113.1');
    await newConversation(h, '203.0.113.2');
    await request(h.gateway.app).post('/api/conversations').set('X-Forwarded-For', '203.0.113.1').send({}).expect(429);
    await h.close();
    h = await startHarness({ RATE_LIMIT_PER_IP: '1', RATE_LIMIT_WINDOW_SECONDS: '60' });
    await newConversation(h, '203.0.113.1');
    // A client cannot buy a fresh budget by naming another address.
    await request(h.gateway.app).post('/api/conversations').set('X-Forwarded-For', '203.0.113.2').send({}).expect(429);
  });
});
