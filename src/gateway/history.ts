/**
 * Workflow history as plain JSON for operators: enum names instead of
 * numbers, and every payload decoded for the reader — decrypted by the
 * payload codec (src/temporal/codec.ts) when it is sealed, then shown as
 * `decoded` JSON with card and identity numbers masked, whoever asks. The
 * clear bytes themselves are not returned: `data` is dropped from every
 * payload that was decoded, so a masked value cannot be read around.
 *
 * A payload this gateway cannot decrypt (a key it does not hold) keeps its
 * ciphertext and says so in `undecodable`; the rest of the history is still
 * shown.
 *
 * (The SDK's `historyToJSON` is not used: it depends on a protobufjs copy
 * that differs from @temporalio/proto's in this dependency tree and throws.)
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { maskCardNumbers, maskIdNumbers } from '../privacy/sensitive-numbers';
import { isEncrypted, keyIdOf } from '../temporal/codec';

const History = temporal.api.history.v1.History;

type PlainPayload = { metadata: Record<string, string>; data?: string; [k: string]: unknown };

export async function historyToPlainJson(
  history: temporal.api.history.v1.IHistory,
  codec?: PayloadCodec,
): Promise<{ events: unknown[] }> {
  const message = History.fromObject(history as Record<string, unknown>);
  const plain = History.toObject(message, { longs: String, enums: String, bytes: String, defaults: false }) as {
    events?: unknown[];
  };
  const events = plain.events ?? [];
  const payloads: PlainPayload[] = [];
  collectPayloads(events, payloads, 0);
  for (const p of payloads) await decodeInPlace(p, codec);
  return { events };
}

function collectPayloads(value: unknown, out: PlainPayload[], depth: number): void {
  if (depth > 40 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectPayloads(v, out, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && typeof metadata.encoding === 'string') {
    out.push(obj as PlainPayload);
    return;
  }
  for (const v of Object.values(obj)) collectPayloads(v, out, depth + 1);
}

function toPayload(p: PlainPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

const utf8 = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

async function decodeInPlace(p: PlainPayload, codec: PayloadCodec | undefined): Promise<void> {
  let payload = toPayload(p);
  if (isEncrypted(payload)) {
    if (!codec) {
      p.undecodable = `encrypted with key "${keyIdOf(payload) ?? '?'}"; this gateway has no PAYLOAD_KEYS`;
      return;
    }
    try {
      [payload] = (await codec.decode([payload])) as [Payload];
    } catch (error) {
      p.undecodable = (error as Error).message;
      return;
    }
  }
  const encoding = utf8(payload.metadata?.encoding);
  p.metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, utf8(v)]));
  delete p.data;
  if (encoding === 'json/plain') {
    try {
      p.decoded = maskDeep(JSON.parse(utf8(payload.data)));
    } catch {
      p.undecodable = 'not valid JSON';
    }
  } else if (encoding === 'binary/null') {
    p.decoded = null;
  } else {
    p.undecodable = `encoding ${encoding} is not shown`;
  }
}

/** Card and identity numbers masked in every string of a decoded value. */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskIdNumbers(maskCardNumbers(value));
  if (depth > 40 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
}
