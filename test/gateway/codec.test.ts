/**
 * The codec endpoint (Temporal's remote codec protocol) and the operator
 * history with encrypted payloads. Before: message text, card numbers with
 * expiry and CVV and id numbers were in clear in the history, and the
 * operator history endpoint returned them as they were.
 */
import request from 'supertest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { payloadCodecFromConfig } from '../../src/temporal/codec';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { startHarness, TestSocket, TOKENS, type Harness } from './harness';

const UI = 'http://127.0.0.1:8233';
const codec = payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }))!;
const bearer = (id: string) => ({ Authorization: `Bearer ${TOKENS[id]}` });
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const SECRET_TEXT = 'card 4111 1111 1111 1111 exp 12/27 cvv 123, 身份证 110105 19491231 002X';

describe('codec endpoint and operator history', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, TEMPORAL_UI_URL: UI }, { fake: { codec } });
  });
  afterEach(() => h.close());

  async function sealed(value: unknown) {
    return { payloads: (await codec.encode([defaultPayloadConverter.toPayload(value) as Payload])).map(toJson) };
  }

  it('decodes for operators only; card and id numbers are masked in what it returns', async () => {
    const body = await sealed({ text: SECRET_TEXT });
    await request(h.gateway.app).post('/codec/decode').send(body).expect(401);
    for (const who of ['alice', 'sam']) {
      const res = await request(h.gateway.app).post('/codec/decode').set(bearer(who)).send(body).expect(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const res = await request(h.gateway.app).post('/codec/decode').set(bearer('olga')).set('X-Namespace', 'default').send(body).expect(200);
    const [decoded] = res.body.payloads.map(fromJson);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ text: 'card [card] exp 12/27 cvv 123, 身份证 [id]' });
  });

  it('encodes with the current key, and what it encodes decodes', async () => {
    const plain = { payloads: [toJson(defaultPayloadConverter.toPayload('hello') as Payload)] };
    const enc = await request(h.gateway.app).post('/codec/encode').set(bearer('olga')).send(plain).expect(200);
    expect(Buffer.from(enc.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(enc.body.payloads[0].metadata['encryption-key-id'], 'base64').toString()).toBe('test-1');
    const dec = await request(h.gateway.app).post('/codec/decode').set(bearer('olga')).send(enc.body).expect(200);
    expect(defaultPayloadConverter.fromPayload(fromJson(dec.body.payloads[0]))).toBe('hello');
  });

  it('answers CORS for the Temporal UI origin only', async () => {
    const ok = await request(h.gateway.app)
      .options('/codec/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace')
      .expect(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-allow-headers']).toMatch(/x-namespace/);
    const evil = await request(h.gateway.app).options('/codec/decode').set('Origin', 'http://evil.example').set('Access-Control-Request-Method', 'POST').expect(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const post = await request(h.gateway.app).post('/codec/decode').set('Origin', 'http://evil.example').set(bearer('olga')).send(await sealed('x'));
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('the Web UI path: an operator session cookie (set by POST /api/operator/codec-session) authorises decode', async () => {
    await request(h.gateway.app).post('/api/operator/codec-session').set(bearer('alice')).expect(403);
    const session = await request(h.gateway.app).post('/api/operator/codec-session').set(bearer('olga')).expect(200);
    const setCookie = String(session.headers['set-cookie']);
    expect(setCookie).toMatch(/switchboard_codec=olga%3A\d+%3A[\w-]+; Max-Age=\d+; Path=\/codec; Expires=.*; HttpOnly; SameSite=Lax/);
    const cookie = setCookie.split(';')[0]!;
    const res = await request(h.gateway.app).post('/codec/decode').set('Origin', UI).set('Cookie', cookie).send(await sealed('hi')).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    // A forged cookie (another id, same signature) is refused.
    const forged = cookie.replace('olga', 'sam');
    await request(h.gateway.app).post('/codec/decode').set('Cookie', forged).send(await sealed('hi')).expect(401);
  });

  it('refuses bad bodies with the field named, and payloads it cannot open', async () => {
    const bad = await request(h.gateway.app).post('/codec/decode').set(bearer('olga')).send({ payloads: [{ data: '***' }] }).expect(400);
    expect(bad.body.error.message).toMatch(/^payloads\.0\.data: must be base64/);
    const foreign = payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: `other:${Buffer.alloc(32, 3).toString('base64')}` }))!;
    const sealedElsewhere = { payloads: (await foreign.encode([defaultPayloadConverter.toPayload('x') as Payload])).map(toJson) };
    const refused = await request(h.gateway.app).post('/codec/decode').set(bearer('olga')).send(sealedElsewhere).expect(400);
    expect(refused.body.error.message).toMatch(/key "other", which is not in PAYLOAD_KEYS/);
  });

  it('the operator history decrypts, masks card numbers and drops the clear bytes', async () => {
    const created = (await request(h.gateway.app).post('/api/conversations').send({}).expect(201)).body;
    const ws = await TestSocket.open(`${h.wsUrl}/ws?conversationId=${created.conversationId}&token=${encodeURIComponent(created.token)}`);
    await ws.waitFor((f) => f.type === 'status');
    ws.send({ type: 'message', id: 'p-1', text: `refund please, ${SECRET_TEXT}` });
    await ws.waitFor((f) => f.type === 'ack');
    ws.close();
    const res = await request(h.gateway.app).get(`/api/conversations/${created.conversationId}/history`).set(bearer('olga')).expect(200);
    const signal = res.body.events.find((e: any) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    const payload = signal.workflowExecutionSignaledEventAttributes.input.payloads[0];
    expect(payload.decoded).toEqual({ messageId: 'p-1', text: 'refund please, card [card] exp 12/27 cvv 123, 身份证 [id]' });
    expect(payload.data).toBeUndefined();
    expect(payload.metadata).toEqual({ encoding: 'json/plain' });
    expect(JSON.stringify(res.body)).not.toMatch(/4111|110105/);
    await request(h.gateway.app).get(`/api/conversations/${created.conversationId}/history`).set(bearer('sam')).expect(403);
  });

  it('without keys the history still masks card numbers, and the codec endpoint says encryption is off', async () => {
    const plainHarness = await startHarness();
    try {
      plainHarness.fake.enqueue('p1', { text: SECRET_TEXT });
      const res = await request(plainHarness.gateway.app).get('/api/conversations/p1/history').set(bearer('olga')).expect(200);
      expect(JSON.stringify(res.body)).not.toMatch(/4111|110105/);
      const off = await request(plainHarness.gateway.app).post('/codec/decode').set(bearer('olga')).send({ payloads: [] }).expect(503);
      expect(off.body.error.message).toMatch(/PAYLOAD_KEYS/);
    } finally {
      await plainHarness.close();
    }
  });
});
