/**
 * Idempotency-Key handling for the sample backend's POST routes, the way
 * payment APIs do it: the first request with a key is executed and its
 * response stored; a repeat with the same key and the same request gets the
 * stored response without executing again; a repeat with the same key but a
 * different request is refused with 422, because it is a client bug that
 * would otherwise be silently swallowed.
 */
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

export function isValidIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/** Method, path and body with object keys sorted, hashed. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

export class IdempotencyStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string): StoredResponse | undefined {
    return this.entries.get(key);
  }

  put(key: string, response: StoredResponse): void {
    // Bounded so a long-running demo does not grow without limit; the oldest
    // key goes first (Map iteration order is insertion order).
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, response);
  }

  get size(): number {
    return this.entries.size;
  }
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
