import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import {
  type AesGcmPayloadCodec,
  dataConverterFromConfig,
  ENCRYPTED_ENCODING,
  keyIdOf,
  parsePayloadKeys,
  PayloadDecryptionError,
  payloadCodecFromConfig,
} from '../../src/temporal/codec';
import { TEST_PAYLOAD_KEYS, TEST_PAYLOAD_KEYS_ROTATED } from '../helpers/payload-keys';

const utf8 = (b: Uint8Array | undefined | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const message = defaultPayloadConverter.toPayload({ messageId: 'm-1', text: 'card 4111 1111 1111 1111, 身份证 11010519491231002X' }) as Payload;

function codecOf(keys: string, current?: string): AesGcmPayloadCodec {
  return payloadCodecFromConfig(loadConfig({ PAYLOAD_KEYS: keys, ...(current ? { PAYLOAD_KEY_ID: current } : {}) }))!;
}

describe('AesGcmPayloadCodec', () => {
  const codec = codecOf(TEST_PAYLOAD_KEYS);

  it('seals a payload: no clear text, key id and cipher in the metadata, a fresh IV each time', async () => {
    const [a] = await codec.encode([message]);
    const [b] = await codec.encode([message]);
    expect(utf8(a!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(keyIdOf(a!)).toBe('test-1');
    expect(utf8(a!.metadata?.['encryption-cipher'])).toBe('AES-256-GCM');
    expect(Buffer.from(a!.data!).toString('latin1')).not.toMatch(/4111|card|json|11010519491231002X/);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const [back] = await codec.decode([a!]);
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual(defaultPayloadConverter.fromPayload(message));
    expect(utf8(back!.metadata?.encoding)).toBe('json/plain');
  });

  it('passes payloads that were never encrypted through on decode (histories written before the codec)', async () => {
    expect(await codec.decode([message])).toEqual([message]);
  });

  it('refuses tampered data, a swapped key id, and keys it does not hold', async () => {
    const [sealed] = await codec.encode([message]);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).map((x, i) => (i === 20 ? x ^ 1 : x)) };
    await expect(codec.decode([tampered])).rejects.toBeInstanceOf(PayloadDecryptionError);
    const other = codecOf(`other:${Buffer.alloc(32, 1).toString('base64')}`);
    await expect(other.decode([sealed!])).rejects.toThrow(/key "test-1", which is not in PAYLOAD_KEYS/);
    // Same bytes, the key id relabelled to another key the reader holds: the additional data no longer matches.
    const both = codecOf(`${TEST_PAYLOAD_KEYS},x:${Buffer.alloc(32, 7).toString('base64')}`);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': Buffer.from('x') } };
    await expect(both.decode([relabelled])).rejects.toThrow(/wrong key or tampered/);
  });

  it('rotates: new payloads use PAYLOAD_KEY_ID, old ones still open with the key kept in PAYLOAD_KEYS', async () => {
    const [old] = await codecOf(TEST_PAYLOAD_KEYS).encode([message]);
    const rotated = codecOf(TEST_PAYLOAD_KEYS_ROTATED, 'test-2');
    const [fresh] = await rotated.encode([message]);
    expect(keyIdOf(fresh!)).toBe('test-2');
    const opened = await rotated.decode([old!, fresh!]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      defaultPayloadConverter.fromPayload(message),
      defaultPayloadConverter.fromPayload(message),
    ]);
    // The first key of the list seals when PAYLOAD_KEY_ID is unset.
    expect(keyIdOf((await codecOf(TEST_PAYLOAD_KEYS_ROTATED).encode([message]))[0]!)).toBe('test-2');
  });
});

describe('payload key configuration', () => {
  it('is off without keys', () => {
    expect(dataConverterFromConfig(loadConfig({}))).toBeUndefined();
    expect(dataConverterFromConfig(loadConfig({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }))?.payloadCodecs).toHaveLength(1);
  });

  it('names the bad variable and never echoes key material', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ PAYLOAD_KEYS: 'k1:c2hvcnQ=' })).toMatch(/PAYLOAD_KEYS: key "k1" must be 32 bytes in base64/);
    expect(bad({ PAYLOAD_KEYS: 'c2hvcnQ=' })).toMatch(/PAYLOAD_KEYS: each entry must be <key id>:<base64 key>/);
    expect(bad({ PAYLOAD_KEYS: `${TEST_PAYLOAD_KEYS},${TEST_PAYLOAD_KEYS}` })).toMatch(/appears twice/);
    expect(bad({ PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, PAYLOAD_KEY_ID: 'nope' })).toMatch(/PAYLOAD_KEY_ID: names no key in PAYLOAD_KEYS/);
    expect(bad({ PAYLOAD_KEYS: 'k1:c2hvcnQ=' })).not.toContain('c2hvcnQ');
    expect(parsePayloadKeys(TEST_PAYLOAD_KEYS)[0]!.key).toHaveLength(32);
  });
});
