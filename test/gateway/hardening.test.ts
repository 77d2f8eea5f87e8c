/**
 * Security headers, stored text without control or bidi characters, and
 * error messages that name the bad field. Before: no CSP or frame headers;
 * NUL, ESC and U+202E were stored as typed; a bad path id was reported as
 * "(body)".
 */
import request from 'supertest';
import { startHarness, TestSocket, TOKENS, type Harness } from './harness';

describe('hardening', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('serves the pages and the API with a strict CSP, no framing and nosniff', async () => {
    for (const path of ['/', '/app.js', '/api/agent/queue']) {
      const res = await request(h.gateway.app).get(path);
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('strips NUL, ESC, U+202E and other control and bidi characters from customer and agent text before it is stored', async () => {
    const created = (await request(h.gateway.app).post('/api/conversations').send({}).expect(201)).body;
    const ws = await TestSocket.open(`${h.wsUrl}/ws?conversationId=${created.conversationId}&token=${encodeURIComponent(created.token)}`);
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'c-1', text: 'invoice\u0000 \u001b[31mred\u001b[0m \u202Efdp.exe\u202C 退款\u2066ok\u2069 line1\r\nline2\ttab 👩\u200D💻' });
    await ws.waitFor((f) => f.type === 'ack' && f.id === 'c-1');
    // Nothing but control characters is an empty message: refused, nothing stored.
    ws.send({ type: 'message', id: 'c-2', text: '\u0000\u202E\u001b' });
    const refused = await ws.waitFor((f) => f.type === 'error' && f.id === 'c-2');
    expect(refused).toMatchObject({ code: 'invalid_input', message: 'text: must not be empty' });
    const conv = h.fake.conversation(created.conversationId)!;
    expect(conv.transcript.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual([
      'invoice [31mred[0m fdp.exe 退款ok line1\nline2\ttab 👩\u200D💻',
    ]);
    ws.close();

    h.fake.enqueue('s1', { text: 'hi' });
    await request(h.gateway.app).post('/api/agent/conversations/s1/claim').set('Authorization', `Bearer ${TOKENS.alice}`).expect(200);
    await request(h.gateway.app)
      .post('/api/agent/conversations/s1/messages')
      .set('Authorization', `Bearer ${TOKENS.alice}`)
      .send({ text: 'hello\u202E \u0007there' })
      .expect(202);
    expect(h.fake.conversation('s1')!.transcript.at(-1)!.text).toBe('hello there');
  });

  it('names the bad field: path ids, query strings, bodies and frames', async () => {
    const auth = { Authorization: `Bearer ${TOKENS.alice}` };
    const path = await request(h.gateway.app).post('/api/agent/conversations/bad%20id/claim').set(auth).expect(400);
    expect(path.body.error.message).toBe('id (path): not a conversation id');
    const view = await request(h.gateway.app).get(`/api/agent/conversations/${'x'.repeat(101)}`).set(auth).expect(400);
    expect(view.body.error.message).toMatch(/^id \(path\): /);
    const query = await request(h.gateway.app).get('/api/conversations?status=lost').set('Authorization', `Bearer ${TOKENS.olga}`).expect(400);
    expect(query.body.error.message).toMatch(/^status: /);
    const history = await request(h.gateway.app).get('/api/conversations/bad%20id/history').set('Authorization', `Bearer ${TOKENS.olga}`).expect(400);
    expect(history.body.error.message).toBe('id (path): not a conversation id');
    const body = await request(h.gateway.app).post('/api/agent/conversations/x/release').set(auth).send({ to: 'moon' }).expect(400);
    expect(body.body.error.message).toMatch(/^to: /);
    const notObject = await request(h.gateway.app).post('/api/conversations').set('content-type', 'application/json').send('[1]').expect(400);
    expect(notObject.body.error.message).toMatch(/^body: /);
  });
});
