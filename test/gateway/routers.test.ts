import request from 'supertest';
import { TestSocket, startHarness, TOKENS, type Harness } from './harness';

const bearer = (id: string) => ({ Authorization: `Bearer ${TOKENS[id]}` });

describe('gateway HTTP API (fake Temporal)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ INTEGRATION_KEY: 'integration-key-123456' });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('POST /api/conversations', () => {
    it('creates an anonymous regular customer and starts no workflow', async () => {
      const res = await request(h.gateway.app)
        .post('/api/conversations')
        .send({ customer: { id: 'vip-1', tier: 'vip' }, locale: 'zh' })
        .expect(201);
      expect(res.body.conversationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof res.body.token).toBe('string');
      expect(h.fake.conversations.size).toBe(0);
      // The claimed VIP identity was ignored without the integration key.
      const payload = JSON.parse(Buffer.from(res.body.token.split('.')[0], 'base64url').toString());
      expect(payload.customer.tier).toBe('regular');
      expect(payload.customer.id).toMatch(/^anon-/);
      expect(payload.locale).toBe('zh');
    });

    it('honours identity and tier with the integration key', async () => {
      const res = await request(h.gateway.app)
        .post('/api/conversations')
        .set('Authorization', 'Bearer integration-key-123456')
        .send({ customer: { id: 'cust-42', name: 'Ann', tier: 'vip' } })
        .expect(201);
      const payload = JSON.parse(Buffer.from(res.body.token.split('.')[0], 'base64url').toString());
      expect(payload.customer).toEqual({ id: 'cust-42', name: 'Ann', tier: 'vip' });
    });

    it('rejects a wrong integration key, bad bodies and malformed JSON with JSON errors', async () => {
      const wrong = await request(h.gateway.app)
        .post('/api/conversations')
        .set('Authorization', 'Bearer nope')
        .send({})
        .expect(401);
      expect(wrong.body.error.code).toBe('unauthorized');

      const bad = await request(h.gateway.app).post('/api/conversations').send({ locale: 'fr', extra: 1 }).expect(400);
      expect(bad.body.error.code).toBe('invalid_input');
      expect(bad.body.error.message).toMatch(/locale/);

      const malformed = await request(h.gateway.app)
        .post('/api/conversations')
        .set('Content-Type', 'application/json')
        .send('{"customer":')
        .expect(400);
      expect(malformed.body.error.code).toBe('malformed_json');
      expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.js|SyntaxError/);
    });
  });

  describe('agent API', () => {
    it('requires a valid agent token', async () => {
      const none = await request(h.gateway.app).get('/api/agent/queue').expect(401);
      expect(none.body.error.code).toBe('unauthorized');
      await request(h.gateway.app).get('/api/agent/queue').set('Authorization', 'Bearer wrong-token-000000').expect(401);
    });

    it('lists the queue by priority then wait, filtered to the agent skills, with previews', async () => {
      h.fake.enqueue('low-old', { priority: 'low', waitingSince: '2025-01-01T00:00:01Z', text: 'old low' });
      h.fake.enqueue('normal-late', { priority: 'normal', waitingSince: '2025-01-01T00:05:00Z', text: 'late normal' });
      h.fake.enqueue('normal-early', { priority: 'normal', waitingSince: '2025-01-01T00:02:00Z', text: 'early normal' });
      h.fake.enqueue('urgent', { priority: 'urgent', waitingSince: '2025-01-01T00:09:00Z', skill: 'refunds', text: 'refund now' });
      h.fake.enqueue('tech', { priority: 'urgent', skill: 'technical', text: 'broken' });

      const alice = await request(h.gateway.app).get('/api/agent/queue').set(bearer('alice')).expect(200);
      expect(alice.body.map((i: any) => i.conversationId)).toEqual(['urgent', 'normal-early', 'normal-late', 'low-old']);
      expect(alice.body[0]).toMatchObject({
        priority: 'urgent',
        skill: 'refunds',
        reasons: ['explicit_request'],
        waitingSince: '2025-01-01T00:09:00Z',
        customer: { id: 'c-urgent', tier: 'regular' },
        position: 1,
        // Nobody is online (no agent socket): no estimate rather than a made-up one.
        etaSeconds: null,
        preview: 'refund now',
      });
      expect(alice.body.map((i: any) => [i.skill, i.position])).toEqual([['refunds', 1], ['general', 1], ['general', 2], ['general', 3]]);

      const bob = await request(h.gateway.app).get('/api/agent/queue').set(bearer('bob')).expect(200);
      expect(bob.body.map((i: any) => i.conversationId)).toEqual(['normal-early', 'normal-late', 'low-old']);

      // The desk reads the routers' live queues, not visibility.
      expect(h.fake.queries).not.toContain("SwitchboardStatus = 'queued' AND ExecutionStatus = 'Running'");
    });

    it('claim: 200 with handover and transcript, then 409 already_claimed; 409 not_waiting; 404 unknown', async () => {
      h.fake.enqueue('c1', { text: 'help me' });
      const won = await request(h.gateway.app).post('/api/agent/conversations/c1/claim').set(bearer('alice')).expect(200);
      expect(won.body.handover.conversationId).toBe('c1');
      expect(won.body.transcript[0]).toMatchObject({ seq: 1, from: 'customer', text: 'help me' });

      const lost = await request(h.gateway.app).post('/api/agent/conversations/c1/claim').set(bearer('bob')).expect(409);
      expect(lost.body).toEqual({ error: { code: 'already_claimed', message: 'already claimed' } });

      h.fake.start('conversation-c2', { conversationId: 'c2', customer: { id: 'x', tier: 'regular' } });
      const notWaiting = await request(h.gateway.app).post('/api/agent/conversations/c2/claim').set(bearer('bob')).expect(409);
      expect(notWaiting.body.error.code).toBe('not_waiting');

      const unknown = await request(h.gateway.app).post('/api/agent/conversations/nope/claim').set(bearer('bob')).expect(404);
      expect(unknown.body.error.code).toBe('not_found');

      const badId = await request(h.gateway.app).post('/api/agent/conversations/bad%20id/claim').set(bearer('bob')).expect(400);
      expect(badId.body.error.code).toBe('invalid_input');

      expect(await h.metrics.claims.get()).toMatchObject({
        values: expect.arrayContaining([
          expect.objectContaining({ labels: { outcome: 'claimed' }, value: 1 }),
          expect.objectContaining({ labels: { outcome: 'already_claimed' }, value: 1 }),
          expect.objectContaining({ labels: { outcome: 'not_waiting' }, value: 1 }),
        ]),
      });
    });

    it('ten concurrent claims: exactly one 200 and nine 409', async () => {
      h.fake.enqueue('race');
      const many = Array.from({ length: 10 }, () =>
        request(h.gateway.app).post('/api/agent/conversations/race/claim').set(bearer('olga')),
      );
      const statuses = (await Promise.all(many)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    });

    it('refuses a claim outside the agent skills and beyond maxConcurrent', async () => {
      h.fake.enqueue('tech', { skill: 'technical' });
      const skill = await request(h.gateway.app).post('/api/agent/conversations/tech/claim').set(bearer('bob')).expect(403);
      expect(skill.body.error.code).toBe('forbidden');
      expect(h.fake.conversation('tech')!.state.phase).toBe('queued');

      h.fake.enqueue('a1');
      h.fake.enqueue('a2');
      h.fake.enqueue('a3');
      await request(h.gateway.app).post('/api/agent/conversations/a1/claim').set(bearer('bob')).expect(200);
      await request(h.gateway.app).post('/api/agent/conversations/a2/claim').set(bearer('bob')).expect(200);
      const full = await request(h.gateway.app).post('/api/agent/conversations/a3/claim').set(bearer('bob')).expect(409);
      expect(full.body.error.code).toBe('at_capacity');
      expect(h.fake.conversation('a3')!.state.phase).toBe('queued');
    });

    it('five claims at once by an agent with maxConcurrent 1: one 200, four at_capacity, one conversation held', async () => {
      for (let i = 0; i < 5; i++) h.fake.enqueue(`t${i}`, { skill: 'technical' });
      const all = await Promise.all(
        Array.from({ length: 5 }, (_, i) => request(h.gateway.app).post(`/api/agent/conversations/t${i}/claim`).set(bearer('tina'))),
      );
      expect(all.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
      expect(all.filter((r) => r.status === 409).every((r) => r.body.error.code === 'at_capacity')).toBe(true);
      const held = [0, 1, 2, 3, 4].filter((i) => h.fake.conversation(`t${i}`)!.state.agent?.id === 'tina');
      expect(held).toHaveLength(1);
    });

    it('only the assigned agent writes; messages, release, transfer and close', async () => {
      h.fake.enqueue('c1', { text: 'hi' });
      await request(h.gateway.app).post('/api/agent/conversations/c1/claim').set(bearer('alice')).expect(200);

      const other = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/messages')
        .set(bearer('bob'))
        .send({ text: 'I am not assigned' })
        .expect(403);
      expect(other.body.error.code).toBe('not_assigned');
      expect(h.fake.conversation('c1')!.transcript.map((e) => e.text)).toEqual(['hi']);

      const empty = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/messages')
        .set(bearer('alice'))
        .send({ text: '   ' })
        .expect(400);
      expect(empty.body.error.code).toBe('invalid_input');

      const sent = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/messages')
        .set(bearer('alice'))
        .send({ id: 'a-1', text: 'Hello, Alice here' })
        .expect(202);
      expect(sent.body.id).toBe('a-1');
      expect(h.fake.conversation('c1')!.transcript.at(-1)).toMatchObject({ from: 'agent', text: 'Hello, Alice here', agentId: 'alice' });

      const view = await request(h.gateway.app).get('/api/agent/conversations/c1').set(bearer('alice')).expect(200);
      expect(view.body.state.agent).toEqual({ id: 'alice', name: 'Alice' });
      expect(view.body.transcript).toHaveLength(2);

      const notMine = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/release')
        .set(bearer('bob'))
        .send({ to: 'ai' })
        .expect(403);
      expect(notMine.body.error.code).toBe('not_assigned');

      const badRelease = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/release')
        .set(bearer('alice'))
        .send({ to: 'moon' })
        .expect(400);
      expect(badRelease.body.error.code).toBe('invalid_input');

      const transferred = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/transfer')
        .set(bearer('alice'))
        .send({ skill: 'technical', note: 'needs tech' })
        .expect(200);
      expect(transferred.body.phase).toBe('queued');
      expect(transferred.body.queue.skill).toBe('technical');

      await request(h.gateway.app).post('/api/agent/conversations/c1/claim').set(bearer('tina')).expect(200);
      const released = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/release')
        .set(bearer('tina'))
        .send({ to: 'ai' })
        .expect(200);
      expect(released.body.phase).toBe('ai');

      const closeNotAssigned = await request(h.gateway.app)
        .post('/api/agent/conversations/c1/close')
        .set(bearer('tina'))
        .send({ resolution: 'done' })
        .expect(403);
      expect(closeNotAssigned.body.error.code).toBe('not_assigned');

      await request(h.gateway.app)
        .post('/api/agent/conversations/c1/close')
        .set(bearer('olga'))
        .send({ resolution: 'closed by operator' })
        .expect(202);
      expect(h.fake.conversation('c1')!.state.closed).toMatchObject({ by: 'operator', resolution: 'closed by operator' });
    });

    it('GET /api/agent/me lists the agent and their conversations', async () => {
      h.fake.enqueue('m1');
      await request(h.gateway.app).post('/api/agent/conversations/m1/claim').set(bearer('alice')).expect(200);
      const me = await request(h.gateway.app).get('/api/agent/me').set(bearer('alice')).expect(200);
      expect(me.body).toEqual({
        agent: {
          id: 'alice',
          name: 'Alice',
          skills: ['general', 'refunds'],
          skillLevels: [
            { skill: 'general', level: 3 },
            { skill: 'refunds', level: 3 },
          ],
          languages: ['en', 'zh'],
          maxConcurrent: 2,
          role: 'agent',
        },
        conversations: ['m1'],
      });
      expect(JSON.stringify(me.body)).not.toContain(TOKENS.alice);
    });
  });

  describe('routing API: presence, offers, desk views', () => {
    const agentSocket = (who: string) => TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS[who]}`);

    it('presence: offline without a socket, online with one, the chosen status otherwise; bad input changes nothing', async () => {
      const off = await request(h.gateway.app).get('/api/agent/presence').set(bearer('bob')).expect(200);
      expect(off.body).toMatchObject({ presence: 'offline', status: 'online', capacity: 2, load: 0, connections: 0 });
      const ws = await agentSocket('bob');
      await ws.waitFor((f) => f.type === 'queue');
      const on = await request(h.gateway.app).get('/api/agent/presence').set(bearer('bob')).expect(200);
      expect(on.body).toMatchObject({ presence: 'online', connections: 1 });
      const away = await request(h.gateway.app).put('/api/agent/presence').set(bearer('bob')).send({ status: 'away' }).expect(200);
      expect(away.body).toMatchObject({ presence: 'away', status: 'away' });
      // Away: no new conversations, not even by claim, until online again.
      h.fake.enqueue('p1');
      const refused = await request(h.gateway.app).post('/api/agent/conversations/p1/claim').set(bearer('bob')).expect(409);
      expect(refused.body.error.code).toBe('not_available');
      expect(h.fake.conversation('p1')!.state.phase).toBe('queued');
      const bad = await request(h.gateway.app).put('/api/agent/presence').set(bearer('bob')).send({ status: 'asleep' }).expect(400);
      expect(bad.body.error.code).toBe('invalid_input');
      expect((await request(h.gateway.app).get('/api/agent/presence').set(bearer('bob'))).body.status).toBe('away');
      await request(h.gateway.app).put('/api/agent/presence').send({ status: 'online' }).expect(401);
      await ws.close();
    });

    it('offers: the online agent is offered the head of the queue, accepts it like a claim, and a second answer is 404', async () => {
      const ws = await agentSocket('bob');
      await ws.waitFor((f) => f.type === 'queue');
      h.fake.enqueue('o1', { text: 'help please' });
      const frame = await ws.waitFor((f) => f.type === 'offer');
      expect(frame.offer).toMatchObject({ conversationId: 'o1', skill: 'general', priority: 'normal', tier: 'regular', offerId: 'general:1' });
      const listed = await request(h.gateway.app).get('/api/agent/offers').set(bearer('bob')).expect(200);
      expect(listed.body.offers).toEqual([expect.objectContaining({ offerId: 'general:1', conversationId: 'o1' })]);
      // Someone else's offer is not theirs to answer.
      await request(h.gateway.app).post('/api/agent/offers/general:1/accept').set(bearer('alice')).expect(404);
      const accepted = await request(h.gateway.app).post('/api/agent/offers/general:1/accept').set(bearer('bob')).expect(200);
      expect(accepted.body).toMatchObject({ conversationId: 'o1', handover: { conversationId: 'o1' } });
      expect(accepted.body.transcript[0]).toMatchObject({ from: 'customer', text: 'help please' });
      expect(h.fake.conversation('o1')!.state.agent?.id).toBe('bob');
      const again = await request(h.gateway.app).post('/api/agent/offers/general:1/accept').set(bearer('bob')).expect(404);
      expect(again.body.error.code).toBe('offer_not_found');
      await request(h.gateway.app).post('/api/agent/offers/not%20an%20id/accept').set(bearer('bob')).expect(400);
      await ws.close();
    });

    it('declining sends the conversation to the next agent', async () => {
      const bob = await agentSocket('bob');
      await bob.waitFor((f) => f.type === 'queue');
      h.fake.enqueue('d1');
      const offer = await bob.waitFor((f) => f.type === 'offer');
      const alice = await agentSocket('alice');
      await alice.waitFor((f) => f.type === 'queue');
      const declined = await request(h.gateway.app).post(`/api/agent/offers/${offer.offer.offerId}/decline`).set(bearer('bob')).expect(200);
      expect(declined.body).toEqual({ offerId: offer.offer.offerId, conversationId: 'd1', declined: true });
      expect(await bob.waitFor((f) => f.type === 'offer_ended')).toMatchObject({ offerId: offer.offer.offerId, outcome: 'declined' });
      expect((await alice.waitFor((f) => f.type === 'offer')).offer).toMatchObject({ conversationId: 'd1' });
      await Promise.all([bob.close(), alice.close()]);
    });

    it('desk views are for supervisors and operators: queues with places and agents with presence', async () => {
      h.fake.enqueue('v1');
      h.fake.enqueue('v2', { skill: 'refunds', priority: 'high' });
      await request(h.gateway.app).get('/api/desk/queues').set(bearer('alice')).expect(403);
      const queues = await request(h.gateway.app).get('/api/desk/queues').set(bearer('olga')).expect(200);
      expect(queues.body.strategy).toBe('mixed');
      const general = queues.body.queues.find((q: any) => q.skill === 'general');
      expect(general.entries.map((e: any) => [e.conversationId, e.position])).toEqual([['v1', 1]]);
      expect(general.agents).toMatchObject({ online: 0 });
      const agents = await request(h.gateway.app).get('/api/desk/agents').set(bearer('olga')).expect(200);
      expect(agents.body.agents.map((a: any) => a.agentId)).toEqual(['alice', 'bob', 'olga', 'sam', 'tina']);
      expect(agents.body.agents.find((a: any) => a.agentId === 'alice')).toMatchObject({
        presence: 'offline',
        capacity: 2,
        skills: [
          { skill: 'general', level: 3 },
          { skill: 'refunds', level: 3 },
        ],
      });
    });

    it('refuses a transfer to a skill this desk does not have', async () => {
      h.fake.enqueue('x1');
      await request(h.gateway.app).post('/api/agent/conversations/x1/claim').set(bearer('alice')).expect(200);
      const res = await request(h.gateway.app).post('/api/agent/conversations/x1/transfer').set(bearer('alice')).send({ skill: 'billing' }).expect(400);
      expect(res.body.error.message).toMatch(/"billing" is not a skill of this desk/);
      expect(h.fake.conversation('x1')!.state.phase).toBe('human');
    });
  });

  describe('operator API', () => {
    it('is for operators only', async () => {
      const res = await request(h.gateway.app).get('/api/conversations').set(bearer('alice')).expect(403);
      expect(res.body.error.code).toBe('forbidden');
      await request(h.gateway.app).get('/api/conversations').expect(401);
    });

    it('lists conversations with a status filter and a limit', async () => {
      h.fake.enqueue('q1');
      h.fake.enqueue('q2');
      h.fake.start('conversation-a1', { conversationId: 'a1', customer: { id: 'x', tier: 'vip' } });
      const all = await request(h.gateway.app).get('/api/conversations').set(bearer('olga')).expect(200);
      expect(all.body.map((r: any) => r.conversationId).sort()).toEqual(['a1', 'q1', 'q2']);
      const queued = await request(h.gateway.app).get('/api/conversations?status=queued&limit=1').set(bearer('olga')).expect(200);
      expect(queued.body).toHaveLength(1);
      expect(queued.body[0].status).toBe('queued');
      const bad = await request(h.gateway.app).get('/api/conversations?status=lost').set(bearer('olga')).expect(400);
      expect(bad.body.error.code).toBe('invalid_input');
      await request(h.gateway.app).get('/api/conversations?limit=0').set(bearer('olga')).expect(400);
    });

    it('returns the history as JSON events, with a UI link only when TEMPORAL_UI_URL is set', async () => {
      h.fake.enqueue('h1');
      const plain = await request(h.gateway.app).get('/api/conversations/h1/history').set(bearer('olga')).expect(200);
      expect(plain.body.workflowId).toBe('conversation-h1');
      expect(plain.body.uiUrl).toBeUndefined();
      expect(plain.body.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      // JSON payloads are decoded for the reader.
      expect(plain.body.events[0].workflowExecutionStartedEventAttributes.input.payloads[0].decoded).toMatchObject({
        conversationId: 'h1',
      });
      await request(h.gateway.app).get('/api/conversations/none/history').set(bearer('olga')).expect(404);

      const withUi = await startHarness({ TEMPORAL_UI_URL: 'http://ui.example:8080/' });
      try {
        withUi.fake.enqueue('h1');
        const res = await request(withUi.gateway.app)
          .get('/api/conversations/h1/history')
          .set('Authorization', `Bearer ${TOKENS.olga}`)
          .expect(200);
        expect(res.body.uiUrl).toBe('http://ui.example:8080/namespaces/default/workflows/conversation-h1');
      } finally {
        await withUi.close();
      }
    });
  });

  describe('service endpoints', () => {
    it('healthz, readyz with Temporal up and down, and a JSON 404', async () => {
      expect((await request(h.gateway.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
      expect((await request(h.gateway.app).get('/readyz').expect(200)).body.status).toBe('ready');
      h.fake.reachable = false;
      const down = await request(h.gateway.app).get('/readyz').expect(503);
      expect(down.body.checks.temporal.ok).toBe(false);
      const api = await request(h.gateway.app).get('/api/agent/queue').set(bearer('alice')).expect(503);
      expect(api.body.error.code).toBe('temporal_unavailable');
      const missing = await request(h.gateway.app).get('/api/nothing').expect(404);
      expect(missing.body.error.code).toBe('not_found');
    });

    it('readyz reports a worker that is not polling', async () => {
      let running = false;
      const withWorker = await startHarness({}, { deps: { workerRunning: () => running } });
      try {
        const res = await request(withWorker.gateway.app).get('/readyz').expect(503);
        expect(res.body.checks.worker.ok).toBe(false);
        running = true;
        await request(withWorker.gateway.app).get('/readyz').expect(200);
      } finally {
        await withWorker.close();
      }
    });

    it('metrics: conversations by phase from visibility, escalations (AI → people only) and turns from the bus', async () => {
      h.fake.enqueue('e1');
      h.fake.enqueue('e2');
      h.fake.start('conversation-ai1', { conversationId: 'ai1', customer: { id: 'x', tier: 'regular' } });
      await h.bus.publish({
        kind: 'message',
        conversationId: 'ai1',
        entry: { seq: 1, from: 'bot', text: 'hello', at: '2025-01-01T00:00:00Z' },
      });
      const text = (await request(h.gateway.app).get('/metrics').expect(200)).text;
      expect(text).toMatch(/switchboard_conversations\{phase="queued"\} 2/);
      expect(text).toMatch(/switchboard_conversations\{phase="ai"\} 1/);
      expect(text).toMatch(/switchboard_conversations\{phase="human"\} 0/);
      expect(text).toMatch(/switchboard_escalations_total\{reason="explicit_request"\} 2/);
      expect(text).toMatch(/switchboard_turns_total\{from="bot"\} 1/);
    });

    it('serves the demo page', async () => {
      const res = await request(h.gateway.app).get('/').expect(200);
      expect(res.text).toMatch(/Switchboard/);
    });
  });
});
