/**
 * Customer photos: the upload route, sniffing, the size limit, the content-hash
 * store, and who may read an image back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { FileImageStore, imageIdKey, sniffImage } from '../../src/gateway/images';
import { payloadCodecFromConfig, PayloadDecryptionError } from '../../src/temporal/codec';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai';
import { TEST_PAYLOAD_KEY_ID, TEST_PAYLOAD_KEYS, TEST_PAYLOAD_KEYS_ROTATED } from '../helpers/payload-keys';
import { customerMessageSignal } from '../../src/workflows/contract';
import { startHarness, TOKENS, type Harness } from './harness';

/** The smallest real files of each format: a 1×1 PNG, GIF and WebP, and a JPEG header. */
export const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const WEBP_1x1 = Buffer.from('UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=', 'base64');
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

describe('sniffImage', () => {
  it('knows JPEG, PNG, GIF and WebP by their first bytes', () => {
    expect(sniffImage(JPEG_HEAD)).toBe('image/jpeg');
    expect(sniffImage(PNG_1x1)).toBe('image/png');
    expect(sniffImage(GIF_1x1)).toBe('image/gif');
    expect(sniffImage(WEBP_1x1)).toBe('image/webp');
  });

  it('refuses everything else, whatever it is called', () => {
    expect(sniffImage(Buffer.from('%PDF-1.7 not an image'))).toBeUndefined();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImage(Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImage(PNG_1x1.subarray(0, 5))).toBeUndefined();
    expect(sniffImage(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('POST /api/conversations/:id/images', () => {
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sb-images-'));
    h = await startHarness({ IMAGE_DIR: dir, IMAGE_MAX_BYTES: '2000' });
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function conversation(): Promise<{ conversationId: string; token: string }> {
    const res = await request(h.gateway.app).post('/api/conversations').send({ locale: 'en' }).expect(201);
    return res.body;
  }
  const upload = (c: { conversationId: string; token: string }, body: Buffer, query = '') =>
    request(h.gateway.app)
      .post(`/api/conversations/${c.conversationId}/images${query}`)
      .set('Authorization', `Bearer ${c.token}`)
      .set('Content-Type', 'image/png')
      .send(body);

  it('stores the photo by content hash and sends the conversation a message holding only its reference', async () => {
    const c = await conversation();
    const res = await upload(c, PNG_1x1, '?id=photo-1&text=it%20arrived%20cracked').expect(202);
    const sha = createHash('sha256').update(PNG_1x1).digest('hex');
    expect(res.body).toEqual({ messageId: 'photo-1', image: { id: sha, mime: 'image/png', bytes: PNG_1x1.length } });
    expect(readdirSync(dir)).toEqual([`${sha}.png`]);
    const start = h.fake.signalsWithStart.at(-1)!;
    expect(start.options.signal).toBe(customerMessageSignal);
    expect(start.options.signalArgs).toEqual([{ messageId: 'photo-1', text: 'it arrived cracked', image: { id: sha, mime: 'image/png', bytes: PNG_1x1.length } }]);
    // The same photo again is the same file.
    await upload(c, PNG_1x1, '?id=photo-2').expect(202);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  const bearer = (id: string) => ({ Authorization: `Bearer ${TOKENS[id]}` });
  const photo = (conversationId: string, imageId: string) => `/api/conversations/${conversationId}/images/${imageId}`;

  it('serves it back to the customer of that conversation, and to nobody else', async () => {
    const c = await conversation();
    const { body } = await upload(c, PNG_1x1, '?id=p').expect(202);
    for (const url of [photo(c.conversationId, body.image.id), `/api/images/${body.image.id}`]) {
      const mine = await request(h.gateway.app).get(url).set('Authorization', `Bearer ${c.token}`).expect(200);
      expect(mine.headers['content-type']).toBe('image/png');
      expect(Buffer.compare(mine.body as Buffer, PNG_1x1)).toBe(0);
      await request(h.gateway.app).get(url).expect(401);
    }
    const other = await conversation();
    // Another customer: not through its own conversation (the id is not in it), not by naming this one.
    const refused = await request(h.gateway.app).get(`/api/images/${body.image.id}`).set('Authorization', `Bearer ${other.token}`).expect(404);
    expect(refused.body.error.code).toBe('not_found');
    await request(h.gateway.app).get(photo(other.conversationId, body.image.id)).set('Authorization', `Bearer ${other.token}`).expect(404);
    const forbidden = await request(h.gateway.app).get(photo(c.conversationId, body.image.id)).set('Authorization', `Bearer ${other.token}`).expect(403);
    expect(forbidden.body.error.code).toBe('forbidden');
  });

  it('serves it to agents by the transcript rule: assigned, supervisors and operators; not a queued preview, not another agent, not without the conversation', async () => {
    const c = await conversation();
    const { body } = await upload(c, PNG_1x1, '?id=p').expect(202);
    const url = photo(c.conversationId, body.image.id);
    const get = (who: string) => request(h.gateway.app).get(url).set(bearer(who));
    // With the assistant: only supervisors and operators.
    expect((await get('alice')).status).toBe(403);
    expect((await get('sam')).status).toBe(200);
    expect((await get('olga')).status).toBe(200);
    // Waiting in general: alice serves the queue but sees a preview only, so no photo until she claims.
    h.fake.enqueue(c.conversationId);
    const preview = await get('alice').expect(403);
    expect(preview.body.error.message).toMatch(/claim/);
    expect((await get('tina')).status).toBe(403);
    await request(h.gateway.app).post(`/api/agent/conversations/${c.conversationId}/claim`).set(bearer('alice')).expect(200);
    const hers = await get('alice').expect(200);
    expect(Buffer.compare(hers.body as Buffer, PNG_1x1)).toBe(0);
    const bobs = await get('bob').expect(403);
    expect(bobs.body.error.message).toMatch(/another agent/);
    // The old id-only route names no conversation, so it answers no agent.
    const old = await request(h.gateway.app).get(`/api/images/${body.image.id}`).set(bearer('olga')).expect(403);
    expect(old.body.error.message).toMatch(/\/api\/conversations\/:id\/images\/:imageId/);
    // Known image, unknown or unrelated conversation: nothing.
    expect((await request(h.gateway.app).get(photo('no-such-conversation', body.image.id)).set(bearer('olga'))).status).toBe(404);
    const other = await conversation();
    await upload(other, GIF_1x1, '?id=g').expect(202);
    expect((await request(h.gateway.app).get(photo(other.conversationId, body.image.id)).set(bearer('olga'))).status).toBe(404);
    await request(h.gateway.app).get(photo(c.conversationId, '0'.repeat(64))).set(bearer('olga')).expect(404);
  });

  it('refuses a file that is not an image, whatever its Content-Type says, and changes nothing', async () => {
    const c = await conversation();
    const res = await upload(c, Buffer.from('GIF? no: just text pretending')).expect(400);
    expect(res.body.error).toEqual({ code: 'invalid_input', message: 'the file is not a JPEG, PNG, WebP or GIF image' });
    const empty = await upload(c, Buffer.alloc(0)).expect(400);
    expect(empty.body.error.code).toBe('invalid_input');
    expect(h.fake.signalsWithStart).toHaveLength(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a file over IMAGE_MAX_BYTES with 413 and stores nothing', async () => {
    const c = await conversation();
    const big = Buffer.concat([PNG_1x1, Buffer.alloc(3000)]);
    const res = await upload(c, big).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(h.fake.signalsWithStart).toHaveLength(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('needs the token of this very conversation', async () => {
    const c = await conversation();
    const other = await conversation();
    await request(h.gateway.app).post(`/api/conversations/${c.conversationId}/images`).set('Content-Type', 'image/png').send(PNG_1x1).expect(401);
    const forbidden = await upload({ conversationId: c.conversationId, token: other.token }, PNG_1x1).expect(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect(h.fake.signalsWithStart).toHaveLength(0);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('photos described at upload (OPENAI_VISION_MODEL)', () => {
  let fake: FakeOpenAi;
  let dir: string;
  let h: Harness;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());
  beforeEach(async () => {
    fake.reset();
    dir = mkdtempSync(path.join(tmpdir(), 'sb-images-vision-'));
    h = await startHarness({ IMAGE_DIR: dir, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, OPENAI_VISION_MODEL: 'vision-model' });
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const send = async (locale: 'en' | 'zh', caption = '') => {
    const c = (await request(h.gateway.app).post('/api/conversations').send({ locale }).expect(201)).body;
    const res = await request(h.gateway.app)
      .post(`/api/conversations/${c.conversationId}/images?id=p${caption ? `&text=${encodeURIComponent(caption)}` : ''}`)
      .set('Authorization', `Bearer ${c.token}`)
      .send(PNG_1x1);
    return { res, signal: h.fake.signalsWithStart.at(-1) };
  };

  it('sends what the model saw with the reference, in the chat language', async () => {
    fake.enqueue({ json: { shows: 'damage', description: '包裹一角被压扁，里面的杯子碎了。' } });
    const { res, signal } = await send('zh', '刚收到');
    expect(res.status).toBe(202);
    const seen = { shows: 'damage', description: '包裹一角被压扁，里面的杯子碎了。' };
    expect((signal!.options.signalArgs as [{ image: unknown }])[0].image).toEqual({ ...res.body.image, seen });
    expect(res.body.image.seen).toEqual(seen);
    expect(fake.requests[0]!.body.model).toBe('vision-model');
    expect(fake.requests[0]!.body.messages[0].content).toMatch(/Simplified Chinese/);
  });

  it('a model that fails or answers outside the schema costs only the description: the photo still arrives', async () => {
    fake.enqueue({ status: 500 });
    const failed = await send('en');
    expect(failed.res.status).toBe(202);
    expect((failed.signal!.options.signalArgs as [{ image: Record<string, unknown> }])[0].image).not.toHaveProperty('seen');
    fake.enqueue({ json: { shows: 'a dragon', description: 'x' } });
    const odd = await send('en');
    expect(odd.res.status).toBe(202);
    expect((odd.signal!.options.signalArgs as [{ image: Record<string, unknown> }])[0].image).not.toHaveProperty('seen');
  });

  it('is refused at start without OPENAI_API_KEY, naming the variable', () => {
    expect(() => loadConfig({ OPENAI_VISION_MODEL: 'vision-model' })).toThrow(/OPENAI_VISION_MODEL/);
  });
});

describe('photos at rest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sb-images-sealed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const codecOf = (spec: string) => payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: spec }))!;

  it('are sealed with the payload codec when keys are configured: no photo bytes on disk, read back whole, key rotation kept', async () => {
    const store = new FileImageStore(dir, codecOf(TEST_PAYLOAD_KEYS));
    const ref = await store.put(PNG_1x1, 'image/png');
    expect(readdirSync(dir)).toEqual([`${ref.id}.png.sealed`]);
    const onDisk = readFileSync(path.join(dir, `${ref.id}.png.sealed`));
    // Not the file, not its IDAT pixel data (the last bytes before IEND), nor its PNG signature.
    expect(onDisk.includes(PNG_1x1.subarray(0, 8))).toBe(false);
    expect(onDisk.includes(PNG_1x1.subarray(33, 55))).toBe(false);
    expect(onDisk.toString('latin1')).toContain(TEST_PAYLOAD_KEY_ID);
    const back = await store.get(ref.id);
    expect(back?.ref).toEqual({ id: ref.id, mime: 'image/png', bytes: PNG_1x1.length });
    expect(Buffer.compare(back!.bytes, PNG_1x1)).toBe(0);
    // After a rotation (the new key seals, the old one still reads) the old file is still served.
    const rotated = new FileImageStore(dir, codecOf(TEST_PAYLOAD_KEYS_ROTATED));
    expect(Buffer.compare((await rotated.get(ref.id))!.bytes, PNG_1x1)).toBe(0);
    // Without the key it cannot be read, and says so.
    const stranger = new FileImageStore(dir, codecOf(`other:${Buffer.alloc(32, 1).toString('base64')}`));
    await expect(stranger.get(ref.id)).rejects.toThrow(PayloadDecryptionError);
  });

  it('with an id key, names files by a keyed hash: stable for one key, different for another, still read back', async () => {
    const codec = codecOf(TEST_PAYLOAD_KEYS);
    const keyed = new FileImageStore(dir, codec, imageIdKey('gateway-secret-one-0000'));
    const ref = await keyed.put(PNG_1x1, 'image/png');
    expect(ref.id).toMatch(/^[0-9a-f]{64}$/);
    expect(ref.id).not.toBe(createHash('sha256').update(PNG_1x1).digest('hex'));
    expect((await keyed.put(PNG_1x1, 'image/png')).id).toBe(ref.id);
    expect(readdirSync(dir)).toEqual([`${ref.id}.png.sealed`]);
    const other = new FileImageStore(dir, codec, imageIdKey('gateway-secret-two-0000'));
    expect((await other.put(PNG_1x1, 'image/png')).id).not.toBe(ref.id);
    // Reading goes by id: any gateway with the folder and the payload keys serves it.
    expect(Buffer.compare((await other.get(ref.id))!.bytes, PNG_1x1)).toBe(0);
  });

  it('still serves plain files written before the keys, and without keys writes plain', async () => {
    const plain = new FileImageStore(dir);
    const ref = await plain.put(GIF_1x1, 'image/gif');
    expect(readdirSync(dir)).toEqual([`${ref.id}.gif`]);
    const sealed = new FileImageStore(dir, codecOf(TEST_PAYLOAD_KEYS));
    expect(Buffer.compare((await sealed.get(ref.id))!.bytes, GIF_1x1)).toBe(0);
  });

  it('are sealed by the gateway with the PAYLOAD_KEYS it runs with', async () => {
    const h = await startHarness({ IMAGE_DIR: dir, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS });
    try {
      const c = (await request(h.gateway.app).post('/api/conversations').send({ locale: 'zh' }).expect(201)).body;
      const { body } = await request(h.gateway.app)
        .post(`/api/conversations/${c.conversationId}/images?id=p&text=${encodeURIComponent('收到时屏幕裂了')}`)
        .set('Authorization', `Bearer ${c.token}`)
        .send(PNG_1x1)
        .expect(202);
      expect(readdirSync(dir)).toEqual([`${body.image.id}.png.sealed`]);
      // Its name is not the photo's plain sha256: a copied disk does not confirm which photo was sent.
      expect(body.image.id).not.toBe(createHash('sha256').update(PNG_1x1).digest('hex'));
      const back = await request(h.gateway.app).get(`/api/conversations/${c.conversationId}/images/${body.image.id}`).set('Authorization', `Bearer ${c.token}`).expect(200);
      expect(Buffer.compare(back.body as Buffer, PNG_1x1)).toBe(0);
    } finally {
      await h.close();
    }
  });
});
