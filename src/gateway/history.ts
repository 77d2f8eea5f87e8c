/**
 * Workflow history as plain JSON for operators: enum names instead of
 * numbers, and JSON payloads decoded next to their base64 form so a reader
 * sees the signal text and the search attribute values without tooling.
 *
 * (The SDK's `historyToJSON` is not used: it depends on a protobufjs copy
 * that differs from @temporalio/proto's in this dependency tree and throws.)
 */
import { temporal } from '@temporalio/proto';

const History = temporal.api.history.v1.History;

export function historyToPlainJson(history: temporal.api.history.v1.IHistory): { events: unknown[] } {
  const message = History.fromObject(history as Record<string, unknown>);
  const plain = History.toObject(message, { longs: String, enums: String, bytes: String, defaults: false }) as {
    events?: unknown[];
  };
  return { events: (plain.events ?? []).map((e) => decodePayloads(e, 0)) };
}

function decodePayloads(value: unknown, depth: number): unknown {
  if (depth > 40 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodePayloads(v, depth + 1));
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodePayloads(v, depth + 1);
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata.encoding === 'string' && typeof obj.data === 'string') {
    const encoding = Buffer.from(metadata.encoding, 'base64').toString('utf8');
    if (encoding === 'json/plain') {
      try {
        out.decoded = JSON.parse(Buffer.from(obj.data, 'base64').toString('utf8'));
      } catch {
        /* not JSON after all: keep the base64 only */
      }
    }
  }
  return out;
}
