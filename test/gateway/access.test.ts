/**
 * Who reads what, role × phase, through the real gateway routes (fake
 * Temporal behind them). Before this, any agent token read any conversation's
 * transcript and customer id: AI-phase ones and ones assigned to others.
 */
import request from 'supertest';
import { conversationAccess } from '../../src/gateway/access';
import { startHarness, TestSocket, TOKENS, type Harness } from './harness';

const bearer = (id: string) => ({ Authorization: `Bearer ${TOKENS[id]}` });

type Level = 'full' | 'preview' | 'none';

describe('conversation access by role and phase', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // ai: with the assistant, nobody waits.
    h.fake.start('conversation-ai', { conversationId: 'ai', customer: { id: 'cust-ai', tier: 'regular' } });
    h.fake.conversation('ai')!.transcript.push({ seq: 1, from: 'customer', text: 'my card is 4111 1111 1111 1111', at: h.fake.now() });
    // queued in general (alice and bob serve it) and in technical (tina).
    h.fake.enqueue('q-general', { skill: 'general', text: 'I need a person, card 4111 1111 1111 1111' });
    h.fake.enqueue('q-tech', { skill: 'technical', text: 'router broken' });
    // human: alice has one, bob another; one alice closed.
    h.fake.enqueue('h-alice', { text: 'hi alice' });
    h.fake.enqueue('h-bob', { text: 'hi bob' });
    h.fake.enqueue('closed-alice', { text: 'bye' });
    await request(h.gateway.app).post('/api/agent/conversations/h-alice/claim').set(bearer('alice')).expect(200);
    await request(h.gateway.app).post('/api/agent/conversations/h-bob/claim').set(bearer('bob')).expect(200);
    await request(h.gateway.app).post('/api/agent/conversations/closed-alice/claim').set(bearer('sam')).expect(200);
    await request(h.gateway.app).post('/api/agent/conversations/closed-alice/release').set(bearer('sam')).send({ to: 'queue' }).expect(200);
    // Alice needs room for it: she holds h-alice and may hold two.
    await request(h.gateway.app).post('/api/agent/conversations/closed-alice/claim').set(bearer('alice')).expect(200);
    await request(h.gateway.app).post('/api/agent/conversations/closed-alice/close').set(bearer('alice')).send({}).expect(202);
  });
  afterAll(() => h?.close());

  // prettier-ignore
  const matrix: [string, Record<'alice' | 'bob' | 'tina' | 'sam' | 'olga', Level>][] = [
    ['ai',           { alice: 'none',    bob: 'none',    tina: 'none',    sam: 'full', olga: 'full' }],
    ['q-general',    { alice: 'preview', bob: 'preview', tina: 'none',    sam: 'full', olga: 'full' }],
    ['q-tech',       { alice: 'none',    bob: 'none',    tina: 'preview', sam: 'full', olga: 'full' }],
    ['h-alice',      { alice: 'full',    bob: 'none',    tina: 'none',    sam: 'full', olga: 'full' }],
    ['h-bob',        { alice: 'none',    bob: 'full',    tina: 'none',    sam: 'full', olga: 'full' }],
    ['closed-alice', { alice: 'full',    bob: 'none',    tina: 'none',    sam: 'full', olga: 'full' }],
  ];
  const cases = matrix.flatMap(([id, byCaller]) => Object.entries(byCaller).map(([caller, level]) => [id, caller, level] as const));

  it('has the phases it claims to cover', () => {
    expect(['ai', 'q-general', 'h-alice', 'closed-alice'].map((id) => h.fake.conversation(id)!.state.phase)).toEqual(['ai', 'queued', 'human', 'closed']);
  });

  it.each(cases)('GET /api/agent/conversations/%s as %s → %s', async (id, caller, level) => {
    const res = await request(h.gateway.app).get(`/api/agent/conversations/${id}`).set(bearer(caller));
    if (level === 'none') {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(JSON.stringify(res.body)).not.toMatch(/transcript|cust-|4111/);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.access).toBe(level);
    if (level === 'full') {
      expect(res.body.state.conversationId).toBe(id);
      expect(Array.isArray(res.body.transcript)).toBe(true);
    } else {
      // A preview: who waits and why, the last line masked; no transcript, no customer id.
      expect(res.body.transcript).toBeUndefined();
      expect(res.body.state).toBeUndefined();
      expect(res.body.customer).toEqual({ tier: 'regular' });
      expect(res.body.queue.skill).toBe(h.fake.conversation(id)!.state.queue!.skill);
      expect(JSON.stringify(res.body)).not.toMatch(/4111|cust-|c-q-/);
    }
  });

  it('the preview masks card numbers and says what the customer wants', async () => {
    const res = await request(h.gateway.app).get('/api/agent/conversations/q-general').set(bearer('alice')).expect(200);
    expect(res.body.preview).toBe('I need a person, card [card]');
  });

  it('the 403 says why', async () => {
    const ai = await request(h.gateway.app).get('/api/agent/conversations/ai').set(bearer('alice')).expect(403);
    expect(ai.body.error.message).toMatch(/assistant/);
    const other = await request(h.gateway.app).get('/api/agent/conversations/h-bob').set(bearer('alice')).expect(403);
    expect(other.body.error.message).toMatch(/another agent/);
    const skill = await request(h.gateway.app).get('/api/agent/conversations/q-tech').set(bearer('alice')).expect(403);
    expect(skill.body.error.message).toMatch(/technical queue/);
  });

  it('the queue list masks personal data in previews too', async () => {
    const res = await request(h.gateway.app).get('/api/agent/queue').set(bearer('bob')).expect(200);
    const item = res.body.find((i: { conversationId: string }) => i.conversationId === 'q-general');
    expect(item.preview).toBe('I need a person, card [card]');
  });

  it('supervisors see every skill queue; agents only theirs', async () => {
    const sam = await request(h.gateway.app).get('/api/agent/queue').set(bearer('sam')).expect(200);
    expect(sam.body.map((i: { conversationId: string }) => i.conversationId).sort()).toEqual(['q-general', 'q-tech']);
    const bob = await request(h.gateway.app).get('/api/agent/queue').set(bearer('bob')).expect(200);
    expect(bob.body.map((i: { conversationId: string }) => i.conversationId)).toEqual(['q-general']);
  });

  it('supervisors may not use the operator API', async () => {
    const res = await request(h.gateway.app).get('/api/conversations').set(bearer('sam')).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    await request(h.gateway.app).get('/api/conversations/h-alice/history').set(bearer('sam')).expect(403);
    await request(h.gateway.app).get('/api/conversations/h-alice/history').set(bearer('olga')).expect(200);
  });

  it('a desk socket hears status changes of its own and its queues only', async () => {
    const tina = await TestSocket.open(`${h.wsUrl}/ws/agent?token=${TOKENS.tina}`);
    try {
      await tina.waitFor((f) => f.type === 'queue');
      h.fake.enqueue('later-general', { skill: 'general', text: 'general thing' });
      await request(h.gateway.app).post('/api/agent/conversations/later-general/claim').set(bearer('bob')).expect(200);
      // Events arrive in order: once this one is here, the two above have been handled.
      h.fake.enqueue('later-tech', { skill: 'technical', text: 'tech thing' });
      await tina.waitFor((f) => f.type === 'status' && f.conversationId === 'later-tech');
      const about = tina.frames.filter((f) => f.type === 'status').map((f) => f.conversationId);
      expect(about).not.toContain('later-general');
    } finally {
      tina.close();
    }
  });
});

describe('conversationAccess (pure)', () => {
  const agent = { id: 'a', role: 'agent' as const, skills: ['general' as const] };
  it('refuses an agent a queued conversation with an unknown skill', () => {
    expect(conversationAccess(agent, { phase: 'queued' }).level).toBe('none');
  });
  it('gives the assigned agent the full view', () => {
    expect(conversationAccess(agent, { phase: 'human', agent: { id: 'a', name: 'A' } })).toEqual({ level: 'full' });
  });
});
