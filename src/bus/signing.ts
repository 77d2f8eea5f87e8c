/**
 * Authenticated bus messages. Anyone who can PUBLISH on the Redis channel
 * could otherwise put words in the bot's mouth on a customer's socket, so
 * every event travels in a signed envelope and receivers drop what does not
 * verify:
 *
 *   { "v": 1, "id": "<uuid>", "ts": <ms since epoch>, "body": "<event JSON>", "sig": "<base64url>" }
 *
 * `sig` is HMAC-SHA256 with the shared `BUS_SECRET` over
 * `v1.<channel>.<id>.<ts>.<body>`: the body is signed as the exact string
 * sent (no canonical-JSON questions), and the channel is bound in, so an
 * envelope cannot be moved to another deployment's channel.
 *
 * Replays: an envelope older (or newer) than `maxAgeMs` is stale; within that
 * window each id is accepted once (a bounded memory of the ids seen in the
 * window). Key rotation: receivers also accept envelopes signed with the
 * previous secrets; publishers sign with the first.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const BUS_DROP_REASONS = ['malformed', 'unsigned', 'bad_signature', 'stale', 'replayed'] as const;
export type BusDropReason = (typeof BUS_DROP_REASONS)[number];

export interface SignerOptions {
  /** The signing secret first, then secrets still accepted during a rotation. */
  secrets: readonly string[];
  channel: string;
  /** Clock skew and delivery delay tolerated between publisher and receiver. */
  maxAgeMs?: number;
  now?: () => number;
}

export type Verified = { ok: true; body: string } | { ok: false; reason: BusDropReason };

interface Envelope {
  v: 1;
  id: string;
  ts: number;
  body: string;
  sig: string;
}

export const DEFAULT_MAX_AGE_MS = 60_000;

export class BusSigner {
  private readonly keys: Buffer[];
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Ids accepted within the window, with the time they may be forgotten (insertion order ≈ time order). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: SignerOptions) {
    if (options.secrets.length === 0) throw new Error('BusSigner needs at least one secret');
    this.keys = options.secrets.map((s) => Buffer.from(s, 'utf8'));
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The wire form of one event body (the event's JSON). */
  seal(body: string): string {
    const id = randomUUID();
    const ts = this.now();
    const envelope: Envelope = { v: 1, id, ts, body, sig: this.sign(this.keys[0]!, id, ts, body) };
    return JSON.stringify(envelope);
  }

  /** The body of a genuine, fresh, first-seen envelope; otherwise why it is dropped. */
  open(message: string): Verified {
    let data: unknown;
    try {
      data = JSON.parse(message);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!data || typeof data !== 'object') return { ok: false, reason: 'malformed' };
    const e = data as Partial<Envelope>;
    if (typeof e.sig !== 'string' || e.v !== 1) return { ok: false, reason: 'unsigned' };
    if (typeof e.id !== 'string' || typeof e.ts !== 'number' || typeof e.body !== 'string') return { ok: false, reason: 'malformed' };
    const given = Buffer.from(e.sig, 'base64url');
    const genuine = this.keys.some((key) => {
      const expected = Buffer.from(this.sign(key, e.id!, e.ts!, e.body!), 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!genuine) return { ok: false, reason: 'bad_signature' };
    const now = this.now();
    if (Math.abs(now - e.ts) > this.maxAgeMs) return { ok: false, reason: 'stale' };
    this.forgetExpired(now);
    if (this.seen.has(e.id)) return { ok: false, reason: 'replayed' };
    this.seen.set(e.id, e.ts + this.maxAgeMs);
    return { ok: true, body: e.body };
  }

  private forgetExpired(now: number): void {
    for (const [id, until] of this.seen) {
      if (until >= now) break;
      this.seen.delete(id);
    }
  }

  private sign(key: Buffer, id: string, ts: number, body: string): string {
    return createHmac('sha256', key).update(`v1.${this.options.channel}.${id}.${ts}.${body}`).digest('base64url');
  }
}
