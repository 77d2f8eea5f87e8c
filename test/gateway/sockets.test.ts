import request from 'supertest';
import { sleep, startHarness, TestSocket, TOKENS, type Harness } from './harness';
import { conversationWorkflow } from '../../src/workflows';
import { customerMessageSignal } from '../../src/workflows/contract';

async function newConversation(h: Harness): Promise<{ conversationId: string; token: string }> {
  const res = await request(h.gateway.app).post('/api/conversations').send({}).expect(201);
  return res.body;
}

function customerUrl(h: Harness, c: { conversationId: string; token: string }): string {
  return `${h.wsUrl}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`;
}

describe('customer WebSocket (fake Temporal)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('acks with the workflow seq, delivers the bot reply in order, and never processes a resent id twice', async () => {
    h = await startHarness();
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    expect(await ws.waitFor((f) => f.type === 'status')).toEqual({ type: 'status', phase: 'ai' });

    ws.send({ type: 'message', id: 'm-1', text: 'where is my order' });
    expect(await ws.waitFor((f) => f.type === 'ack')).toEqual({ type: 'ack', id: 'm-1', seq: 1 });
    await ws.waitFor((f) => f.type === 'message' && f.from === 'bot');
    expect(ws.messages().map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'customer', 'where is my order'],
      [2, 'bot', 'bot: where is my order'],
    ]);
    expect(typeof ws.messages()[0].at).toBe('string');

    // The same client id again: acknowledged again with the same seq, handled once.
    const before = ws.frames.length;
    ws.send({ type: 'message', id: 'm-1', text: 'where is my order' });
    expect(await ws.waitFor((f) => f.type === 'ack', 5000, before)).toEqual({ type: 'ack', id: 'm-1', seq: 1 });
    const conv = h.fake.conversation(c.conversationId)!;
    expect(conv.transcript.filter((e) => e.from === 'customer')).toHaveLength(1);
    expect(conv.aiHandled).toEqual(['where is my order']);
    // The workflow was started by signal-with-start with the contract's options.
    expect(h.fake.signalsWithStart[0].options).toMatchObject({
      workflowId: `conversation-${c.conversationId}`,
      taskQueue: 'switchboard-conversations',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    ws.close();
  });

  it('also works when the workflow publishes customer entries itself (no duplicates)', async () => {
    h = await startHarness({}, { fake: { publishCustomerEntries: true } });
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'a', text: 'one' });
    ws.send({ type: 'message', id: 'b', text: 'two' });
    await ws.waitFor((f) => f.type === 'message' && f.text === 'bot: two');
    await ws.waitFor((f) => f.type === 'ack' && f.id === 'b');
    const seqs = ws.messages().map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(seqs).toEqual([1, 2, 3, 4]);
    const acks = ws.frames.filter((f) => f.type === 'ack');
    expect(acks).toEqual(expect.arrayContaining([{ type: 'ack', id: 'a', seq: 1 }]));
    const ackB = acks.find((a) => a.id === 'b')!;
    expect(ws.messages().find((m) => m.seq === ackB.seq)?.text).toBe('two');
  });

  it('resume after a reconnect delivers every missed entry once, in order', async () => {
    h = await startHarness();
    const c = await newConversation(h);
    const first = await TestSocket.open(customerUrl(h, c));
    await first.waitFor((f) => f.type === 'status');
    first.send({ type: 'message', id: 'm-1', text: 'first' });
    await first.waitFor((f) => f.type === 'message' && f.text === 'bot: first');
    const lastSeen = Math.max(...first.messages().map((m) => m.seq));
    first.close();
    await first.waitClose();

    // While disconnected, the conversation moves on (an agent path would do the same).
    const conv = h.fake.conversation(c.conversationId)!;
    await h.fake.client.workflow.signalWithStart(conversationWorkflow, {
      workflowId: conv.workflowId,
      args: [conv.input],
      signal: customerMessageSignal,
      signalArgs: [{ messageId: 'm-2', text: 'second (from another tab)' }],
      taskQueue: 'q',
    });
    await sleep(20);

    const second = await TestSocket.open(customerUrl(h, c));
    await second.waitFor((f) => f.type === 'status');
    second.send({ type: 'resume', afterSeq: lastSeen });
    await second.waitFor((f) => f.type === 'message' && f.text === 'bot: second (from another tab)');
    expect(second.messages().map((m) => m.seq)).toEqual([3, 4]);

    // A resume from zero replays the whole transcript, once.
    const third = await TestSocket.open(customerUrl(h, c));
    third.send({ type: 'resume', afterSeq: 0 });
    await third.waitFor((f) => f.type === 'message' && f.seq === 4);
    await sleep(50);
    expect(third.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('answers bad frames with their error codes and changes nothing', async () => {
    h = await startHarness();
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    await ws.waitFor((f) => f.type === 'status');

    ws.send('{"type":"message",');
    expect(await ws.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'malformed_json' });
    ws.send({ type: 'shout', text: 'hi' });
    expect(await ws.waitFor((f) => f.type === 'error' && f.code !== 'malformed_json')).toMatchObject({ code: 'unknown_frame' });
    ws.send({ type: 'message', id: 'x-1' });
    expect(await ws.waitFor((f) => f.type === 'error' && f.code === 'invalid_input')).toMatchObject({
      message: expect.stringMatching(/text/),
    });
    ws.send({ type: 'message', id: 'bad id with spaces', text: 'hi' });
    await ws.waitFor((f) => f.type === 'error' && f.code === 'invalid_input' && /id/.test(f.message));
    ws.send({ type: 'resume', afterSeq: -1 });
    await ws.waitFor((f) => f.type === 'error' && f.code === 'invalid_input' && /afterSeq/.test(f.message));
    ws.send({ type: 'ping' });
    await ws.waitFor((f) => f.type === 'pong');

    expect(h.fake.conversations.size).toBe(0);
    expect(h.fake.signalsWithStart).toHaveLength(0);
    expect(ws.closeCode).toBeUndefined();
  });

  it('refuses frames over 16 KB with close code 1009', async () => {
    h = await startHarness();
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    ws.send({ type: 'message', id: 'big', text: 'x'.repeat(17 * 1024) });
    expect(await ws.waitClose()).toBe(1009);
    expect(h.fake.conversations.size).toBe(0);
  });

  it('refuses a missing or wrong token, another conversation, and unknown paths before the upgrade', async () => {
    h = await startHarness();
    const mine = await newConversation(h);
    const theirs = await newConversation(h);
    await expect(TestSocket.open(`${h.wsUrl}/ws?conversationId=${mine.conversationId}`)).rejects.toMatchObject({ status: 401 });
    await expect(
      TestSocket.open(`${h.wsUrl}/ws?conversationId=${mine.conversationId}&token=${mine.token}x`),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      TestSocket.open(`${h.wsUrl}/ws?conversationId=${theirs.conversationId}&token=${encodeURIComponent(mine.token)}`),
    ).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(`${h.wsUrl}/elsewhere`)).rejects.toMatchObject({ status: 404 });
    await expect(TestSocket.open(`${h.wsUrl}/ws/agent?token=nope`)).rejects.toMatchObject({ status: 401 });

    // A token signed by another deployment's secret is worthless here.
    const other = await startHarness({ GATEWAY_SECRET: 'a-different-secret-000' });
    try {
      const foreign = await newConversation(other);
      await expect(TestSocket.open(customerUrl(h, foreign))).rejects.toMatchObject({ status: 401 });
    } finally {
      await other.close();
    }
  });

  it('enforces the Origin allowlist', async () => {
    h = await startHarness({ ALLOWED_ORIGINS: 'https://shop.example, https://help.example' });
    const c = await newConversation(h);
    await expect(TestSocket.open(customerUrl(h, c), { Origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = await TestSocket.open(customerUrl(h, c), { Origin: 'https://help.example' });
    await ok.waitFor((f) => f.type === 'status');
    ok.close();
  });

  it('rate-limits frames per customer and closes a flooding socket with 1008', async () => {
    h = await startHarness({ RATE_LIMIT_PER_CUSTOMER: '3' });
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    for (let i = 0; i < 4; i++) ws.send({ type: 'ping' });
    expect(await ws.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
    expect(ws.frames.filter((f) => f.type === 'pong')).toHaveLength(3);
    for (let i = 0; i < 10; i++) ws.send({ type: 'ping' });
    expect(await ws.waitClose()).toBe(1008);
  });

  it('caps explicit human requests per customer across conversations, in the customer’s language', async () => {
    h = await startHarness({ MAX_HUMAN_REQUESTS: '1', HUMAN_REQUEST_WINDOW_MINUTES: '60', INTEGRATION_KEY: 'integration-key-0123456789' });
    const identified = (locale: 'en' | 'zh') =>
      request(h.gateway.app)
        .post('/api/conversations')
        .set('Authorization', 'Bearer integration-key-0123456789')
        .send({ customer: { id: 'cust-77', tier: 'regular' }, locale })
        .expect(201)
        .then((r) => r.body as { conversationId: string; token: string });
    const first = await identified('en');
    const ws = await TestSocket.open(customerUrl(h, first));
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'h-1', text: 'I want a human' });
    await ws.waitFor((f) => f.type === 'status' && f.phase === 'queued');
    const before = ws.frames.length;
    ws.send({ type: 'message', id: 'h-2', text: 'ＨＵＭＡＮ please' });
    const refused = await ws.waitFor((f) => f.type === 'error', 5000, before);
    expect(refused).toMatchObject({ code: 'human_request_limit', id: 'h-2' });
    expect(refused.message).toBe(
      "You've asked for a person once in the last 60 minutes. You are already in the queue for an agent. Meanwhile I can help with orders, refunds, returns and more — just tell me what you need.",
    );
    // Other messages still go through (recorded for the agent); a resend of the first request is a duplicate, not a new one.
    ws.send({ type: 'message', id: 'h-3', text: 'my order is 100000000001' });
    await ws.waitFor((f) => f.type === 'ack' && f.id === 'h-3');
    ws.send({ type: 'message', id: 'h-1', text: 'I want a human' });
    expect(await ws.waitFor((f) => f.type === 'ack' && f.id === 'h-1')).toEqual({ type: 'ack', id: 'h-1', seq: 1 });
    expect(h.fake.conversation(first.conversationId)!.transcript.map((e) => e.text)).toEqual(['I want a human', 'my order is 100000000001']);

    // A new chat of the same customer does not reset the count, and a Chinese chat hears it in Chinese.
    const second = await identified('zh');
    const zh = await TestSocket.open(customerUrl(h, second));
    await zh.waitFor((f) => f.type === 'status');
    zh.send({ type: 'message', id: 'z-1', text: '转人工' });
    const zhRefused = await zh.waitFor((f) => f.type === 'error' && f.id === 'z-1');
    expect(zhRefused.code).toBe('human_request_limit');
    expect(zhRefused.message).toMatch(/^您在最近 60 分钟内已 1 次要求转人工。请稍后再试。/);
    expect(h.fake.conversation(second.conversationId)).toBeUndefined();

    // Another customer is not affected.
    const other = await newConversation(h);
    const ows = await TestSocket.open(customerUrl(h, other));
    await ows.waitFor((f) => f.type === 'status');
    ows.send({ type: 'message', id: 'o-1', text: 'human please' });
    await ows.waitFor((f) => f.type === 'status' && f.phase === 'queued');
  });

  it('counts anonymous customers behind a trusted proxy by their own address, not the proxy’s', async () => {
    // Before, the anonymous key came from the socket peer: behind a load balancer every anonymous customer
    // shared one count, and the first MAX_HUMAN_REQUESTS of them took the desk away from all the others.
    h = await startHarness({ MAX_HUMAN_REQUESTS: '1', HUMAN_REQUEST_WINDOW_MINUTES: '60', TRUST_PROXY: 'loopback' });
    const from = (address: string) =>
      request(h.gateway.app)
        .post('/api/conversations')
        .set('X-Forwarded-For', address)
        .send({ locale: 'en' })
        .expect(201)
        .then((r) => r.body as { conversationId: string; token: string });
    const ask = async (c: { conversationId: string; token: string }, id: string) => {
      const ws = await TestSocket.open(customerUrl(h, c));
      await ws.waitFor((f) => f.type === 'status');
      ws.send({ type: 'message', id, text: 'I want a human' });
      const answer = await ws.waitFor((f) => (f.type === 'status' && f.phase === 'queued') || (f.type === 'error' && f.id === id));
      ws.close();
      return answer.type === 'error' ? answer.code : answer.phase;
    };
    expect(await ask(await from('203.0.113.7'), 'a-1')).toBe('queued');
    expect(await ask(await from('198.51.100.23'), 'b-1')).toBe('queued');
    // The same address again: its one request in the window is used.
    expect(await ask(await from('203.0.113.7'), 'a-2')).toBe('human_request_limit');
  });

  it('reports the live queue place and estimate, and moves when the queue does', async () => {
    h = await startHarness();
    h.fake.enqueue('someone-else', { waitingSince: '2024-12-31T00:00:00Z' });
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'q-1', text: 'I want a human' });
    const queued = await ws.waitFor((f) => f.type === 'status' && f.phase === 'queued' && f.queue);
    // Second in the general queue, and nobody online: no estimate, and the customer is told how many wait.
    expect(queued.queue).toEqual({ position: 2, etaSeconds: null, size: 2, agentsOnline: 0, skill: 'general' });

    // Bob opens his desk (online with 2 free slots): the first in line is offered to him, the second gets an estimate.
    const desk = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.bob}`);
    const offer = await desk.waitFor((f) => f.type === 'offer');
    expect(offer.offer).toMatchObject({ conversationId: 'someone-else', skill: 'general' });
    const estimated = await ws.waitFor((f) => f.type === 'status' && f.queue?.etaSeconds !== null && f.queue?.etaSeconds !== undefined);
    expect(estimated.queue).toMatchObject({ position: 2, agentsOnline: 1 });
    expect(estimated.queue.etaSeconds).toBeLessThanOrEqual(10);

    // The other conversation is claimed: this one is first now.
    await request(h.gateway.app).post('/api/agent/conversations/someone-else/claim').set('Authorization', `Bearer ${TOKENS.alice}`).expect(200);
    const moved = await ws.waitFor((f) => f.type === 'status' && f.queue?.position === 1);
    expect(moved.queue).toMatchObject({ position: 1, size: 1 });
    await desk.close();
  });

  it('relays the agent, reports the agent on the status, and refuses messages once closed', async () => {
    h = await startHarness();
    const c = await newConversation(h);
    const ws = await TestSocket.open(customerUrl(h, c));
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'q-1', text: 'agent please' });
    await ws.waitFor((f) => f.type === 'status' && f.phase === 'queued');
    const auth = { Authorization: `Bearer ${TOKENS.alice}` };
    await request(h.gateway.app).post(`/api/agent/conversations/${c.conversationId}/claim`).set(auth).expect(200);
    expect(await ws.waitFor((f) => f.type === 'status' && f.phase === 'human')).toEqual({
      type: 'status',
      phase: 'human',
      agent: { id: 'alice', name: 'Alice' },
    });
    await request(h.gateway.app)
      .post(`/api/agent/conversations/${c.conversationId}/messages`)
      .set(auth)
      .send({ text: 'Hi, this is Alice' })
      .expect(202);
    expect(await ws.waitFor((f) => f.type === 'message' && f.from === 'agent')).toMatchObject({ seq: 2, text: 'Hi, this is Alice' });
    expect(ws.messages().map((m) => m.seq)).toEqual([1, 2]);

    await request(h.gateway.app)
      .post(`/api/agent/conversations/${c.conversationId}/close`)
      .set(auth)
      .send({ resolution: 'solved' })
      .expect(202);
    await ws.waitFor((f) => f.type === 'status' && f.phase === 'closed');
    ws.send({ type: 'message', id: 'late', text: 'one more thing' });
    expect(await ws.waitFor((f) => f.type === 'error' && f.id === 'late')).toMatchObject({ code: 'conversation_closed' });

    // A fresh socket on the closed conversation: the workflow rejects the restart (id reuse), same error.
    const again = await TestSocket.open(customerUrl(h, c));
    await again.waitFor((f) => f.type === 'status' && f.phase === 'closed');
    again.send({ type: 'message', id: 'late-2', text: 'hello?' });
    expect(await again.waitFor((f) => f.type === 'error' && f.id === 'late-2')).toMatchObject({ code: 'conversation_closed' });
    expect(h.fake.conversation(c.conversationId)!.transcript).toHaveLength(2);
  });
});

describe('agent WebSocket (fake Temporal)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('sends queue snapshots, status changes, and messages of the agent’s own conversations only', async () => {
    h = await startHarness();
    h.fake.enqueue('g1', { text: 'general question' });
    h.fake.enqueue('t1', { skill: 'technical', text: 'tech question' });
    const alice = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.alice}`);
    const bob = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.bob}`);
    const snapshot = await alice.waitFor((f) => f.type === 'queue');
    expect(snapshot.items.map((i: any) => i.conversationId)).toEqual(['g1']);
    expect(snapshot.items[0].preview).toBe('general question');

    await request(h.gateway.app)
      .post('/api/agent/conversations/g1/claim')
      .set('Authorization', `Bearer ${TOKENS.alice}`)
      .expect(200);
    await alice.waitFor((f) => f.type === 'status' && f.conversationId === 'g1' && f.phase === 'human');
    await alice.waitFor((f) => f.type === 'queue' && f.items.length === 0);

    // The customer writes: only the assigned agent's socket gets the message.
    await h.fake.client.workflow.getHandle('conversation-g1').signal({ name: 'customerMessage' } as any, {
      messageId: 'c-9',
      text: 'are you there?',
    });
    expect(await alice.waitFor((f) => f.type === 'message')).toMatchObject({
      conversationId: 'g1',
      from: 'customer',
      text: 'are you there?',
    });
    alice.send({ type: 'ping' });
    await alice.waitFor((f) => f.type === 'pong');
    alice.send({ type: 'claim' });
    expect(await alice.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'unknown_frame' });
    await sleep(50);
    expect(bob.frames.filter((f) => f.type === 'message')).toHaveLength(0);
  });

  it('sends a queue frame when the queue changed, not for every event that asks for a refresh', async () => {
    h = await startHarness();
    h.fake.enqueue('g1', { text: 'general question', waitingSince: '2024-12-31T00:00:00Z' });
    const alice = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.alice}`);
    await alice.waitFor((f) => f.type === 'queue');
    // Four refresh requests about nothing that alice's queue shows (the queue of a skill nobody waits in).
    for (let i = 0; i < 4; i++) await h.bus.publish({ kind: 'queue', skill: 'technical', size: 0, at: new Date().toISOString() });
    await sleep(700);
    expect(alice.frames.filter((f) => f.type === 'queue')).toHaveLength(1);
    // A real change goes out.
    h.fake.enqueue('g2', { text: 'another question', waitingSince: '2024-12-31T00:00:00Z' });
    await h.bus.publish({ kind: 'queue', skill: 'general', size: 2, at: new Date().toISOString() });
    const moved = await alice.waitFor((f) => f.type === 'queue' && f.items.length === 2);
    expect(moved.items.map((i: any) => i.conversationId).sort()).toEqual(['g1', 'g2']);
    expect(alice.frames.filter((f) => f.type === 'queue')).toHaveLength(2);
  });
});

describe('agent WebSocket: presence, offers and alerts (fake Temporal)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('the socket is presence; a presence frame sets the status; bad frames change nothing', async () => {
    h = await startHarness();
    const bob = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.bob}`);
    await bob.waitFor((f) => f.type === 'queue');
    expect(await bob.waitFor((f) => f.type === 'presence')).toMatchObject({ presence: 'online', load: 0, capacity: 2 });
    bob.send({ type: 'presence', status: 'away' });
    expect(await bob.waitFor((f) => f.type === 'presence' && f.presence === 'away')).toMatchObject({ status: 'away' });
    bob.send({ type: 'presence', status: 'sleeping' });
    expect(await bob.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'invalid_input' });
    await bob.close();
    // Closing the only socket takes the agent offline.
    let presence = '';
    for (let i = 0; i < 50 && presence !== 'offline'; i++) {
      await sleep(20);
      presence = (await request(h.gateway.app).get('/api/agent/presence').set('Authorization', `Bearer ${TOKENS.bob}`)).body.presence;
    }
    expect(presence).toBe('offline');
  });

  it('service-level alerts reach supervisors and operators only', async () => {
    h = await startHarness();
    const olga = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.olga}`);
    const alice = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.alice}`);
    await Promise.all([olga.waitFor((f) => f.type === 'queue'), alice.waitFor((f) => f.type === 'queue')]);
    const alert = { conversationId: 'c-1', skill: 'general', priority: 'normal' as const, tier: 'regular' as const, waitedMs: 1_200_000, period: 2, at: '2025-01-01T00:20:00Z' };
    await h.bus.publish({ kind: 'alert', conversationId: 'c-1', alert });
    expect(await olga.waitFor((f) => f.type === 'alert')).toEqual({ type: 'alert', alert });
    await new Promise((r) => setTimeout(r, 100));
    expect(alice.frames.filter((f) => f.type === 'alert')).toEqual([]);
    await Promise.all([olga.close(), alice.close()]);
  });
});
