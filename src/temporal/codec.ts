/**
 * The one payload codec / data converter of Switchboard: every workflow and
 * activity payload (signal text, query and update results, activity inputs
 * and outputs, the continue-as-new state, memo) is encrypted with AES-256-GCM
 * before it leaves the process, so Temporal's history and its database hold
 * no customer text in clear. Worker, gateway client, `npm start`, the
 * recorder and the tests all build their converter with
 * {@link dataConverterFromConfig}; the gateway's codec endpoint and the
 * operator history use {@link payloadCodecFromConfig}.
 *
 * Wire form of an encrypted payload:
 * - metadata `encoding` = `binary/encrypted`, `encryption-cipher` =
 *   `AES-256-GCM`, `encryption-key-id` = the id of the key that sealed it;
 * - data = 12-byte IV ‖ ciphertext ‖ 16-byte tag of the serialized original
 *   `Payload` (its own metadata included), with `AES-256-GCM:<key id>` as
 *   additional data so the key id cannot be swapped.
 *
 * Key rotation: `PAYLOAD_KEYS` holds every key still needed to read history
 * (`id:base64,id:base64`); `PAYLOAD_KEY_ID` names the one that seals new
 * payloads. Add the new key everywhere first, then switch PAYLOAD_KEY_ID;
 * drop an old key only when no open workflow's history (within retention)
 * still uses it.
 *
 * Failures: {@link dataConverterFromConfig} also names the failure converter
 * of src/temporal/failure-converter.ts, which moves a failure's message and
 * stack trace into a payload, so this codec seals them as well.
 *
 * Not covered by any codec: search attributes (the desk's phase, skill,
 * agent, tier, customer id) are indexed in clear by design, and workflow ids.
 * Payloads that are not encrypted (histories written before the codec) are
 * passed through on decode, so turning encryption on needs no migration.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_CIPHER = 'encryption-cipher';
export const CIPHER = 'AES-256-GCM';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

const ProtoPayload = temporal.api.common.v1.Payload;
const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

/** A payload this process cannot decrypt: unknown key id, wrong key, or tampered data. */
export class PayloadDecryptionError extends Error {
  constructor(
    message: string,
    readonly keyId: string | undefined,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING]) === ENCRYPTED_ENCODING;
}

/** The key id an encrypted payload names, if any. */
export function keyIdOf(payload: Payload): string | undefined {
  return isEncrypted(payload) ? text(payload.metadata?.[METADATA_KEY_ID]) : undefined;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /**
   * @param keys every key that may have sealed a payload still in history, by id
   * @param currentKeyId the key that seals new payloads
   */
  constructor(
    keys: ReadonlyMap<string, Uint8Array>,
    readonly currentKeyId: string,
  ) {
    const copy = new Map<string, Buffer>();
    for (const [id, key] of keys) {
      if (key.length !== KEY_BYTES) throw new Error(`payload key ${id} must be ${KEY_BYTES} bytes, got ${key.length}`);
      copy.set(id, Buffer.from(key));
    }
    if (!copy.has(currentKeyId)) throw new Error(`payload key ${currentKeyId} is not among the configured keys`);
    this.keys = copy;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.open(p) : p));
  }

  private seal(payload: Payload): Payload {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(this.currentKeyId));
    const plain = ProtoPayload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING]: utf8(ENCRYPTED_ENCODING),
        [METADATA_CIPHER]: utf8(CIPHER),
        [METADATA_KEY_ID]: utf8(this.currentKeyId),
      },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    const keyId = keyIdOf(payload);
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(`payload sealed with key "${keyId ?? '(none)'}", which is not in PAYLOAD_KEYS`, keyId);
    }
    const cipherName = text(payload.metadata?.[METADATA_CIPHER]);
    if (cipherName !== CIPHER) throw new PayloadDecryptionError(`payload cipher ${cipherName ?? '(none)'} is not ${CIPHER}`, keyId);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated', keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(aad(keyId!));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload does not decrypt with key "${keyId}": wrong key or tampered data`, keyId);
    }
    const decoded = ProtoPayload.decode(plain);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

function aad(keyId: string): Buffer {
  return Buffer.from(`${CIPHER}:${keyId}`, 'utf8');
}

/** The two variables of src/config.ts the codec reads (structural, so config can import the parser below). */
export interface CodecConfig {
  PAYLOAD_KEYS: readonly { id: string; key: Uint8Array }[];
  PAYLOAD_KEY_ID?: string;
}

/** The codec the configuration asks for; undefined when no payload keys are configured (payloads stay in clear). */
export function payloadCodecFromConfig(config: CodecConfig): AesGcmPayloadCodec | undefined {
  if (config.PAYLOAD_KEYS.length === 0) return undefined;
  const keys = new Map(config.PAYLOAD_KEYS.map(({ id, key }) => [id, key] as const));
  return new AesGcmPayloadCodec(keys, config.PAYLOAD_KEY_ID ?? config.PAYLOAD_KEYS[0]!.id);
}

/**
 * The data converter every client and worker of a deployment must share:
 * the default payload converter, then the codec, and failure messages
 * encoded into a payload so the codec seals them too. Undefined without keys.
 */
export function dataConverterFromConfig(config: CodecConfig): DataConverter | undefined {
  const codec = payloadCodecFromConfig(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
}

/**
 * The failure converter that moves failure messages and stack traces into a
 * sealed payload (src/temporal/failure-converter.ts). Workers given
 * `workflowsPath` bundle it themselves; a prebuilt bundle takes it as
 * `bundleWorkflowCode({ failureConverterPath })`.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** `id:base64` for `PAYLOAD_KEYS`: a fresh random key (for `npm start`'s local state and for operators). */
export function newPayloadKeySpec(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * Parses `PAYLOAD_KEYS` (`id:base64,id:base64`). Throws with a message for
 * the config error list: never echoing key material.
 */
export function parsePayloadKeys(value: string): { id: string; key: Buffer }[] {
  const out: { id: string; key: Buffer }[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    const id = colon > 0 ? part.slice(0, colon) : '';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) throw new Error('each entry must be <key id>:<base64 key>, the id made of letters, digits, "_", "." or "-"');
    const encoded = part.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES) {
      throw new Error(`key "${id}" must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)`);
    }
    if (out.some((k) => k.id === id)) throw new Error(`key id "${id}" appears twice`);
    out.push({ id, key });
  }
  return out;
}
