/**
 * Customer tokens: an HMAC-signed description of one conversation and its
 * customer. The gateway keeps no conversation state, so the token itself
 * carries what the first signal-with-start needs (customer, tier, locale),
 * and any gateway holding the same `GATEWAY_SECRET` can verify it.
 *
 * Format: `base64url(JSON payload) + "." + base64url(HMAC-SHA256(payload))`.
 * Signed, not encrypted: it holds only what its bearer already knows.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { LANGUAGES, TIERS, type Customer, type Language } from '../workflows/contract';

export interface CustomerClaims {
  conversationId: string;
  customer: Customer;
  locale?: Language;
  /**
   * Who an anonymous customer is across conversations, for per-customer
   * limits: a keyed hash of the address the conversation was created from
   * (never the address itself). Integrated customers are their customer id.
   */
  clientKey?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const claimsSchema = z.object({
  conversationId: z.string().min(1),
  customer: z.object({
    id: z.string().min(1),
    name: z.string().optional(),
    tier: z.enum(TIERS),
    anonymous: z.boolean().optional(),
    paying: z.boolean().optional(),
    phone: z.string().optional(),
    email: z.string().optional(),
  }),
  locale: z.enum(LANGUAGES).optional(),
  clientKey: z.string().optional(),
  exp: z.number().int(),
});

export class CustomerTokens {
  private readonly secret: Buffer;

  constructor(
    secret: string | Buffer,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  }

  /** A random secret for a single-process deployment. */
  static randomSecret(): Buffer {
    return randomBytes(32);
  }

  issue(claims: Omit<CustomerClaims, 'exp'>): string {
    const full: CustomerClaims = { ...claims, exp: Math.floor(this.now() / 1000) + this.ttlSeconds };
    const payload = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** A keyed hash of a client address: stable per address and secret, reveals neither. */
  clientKey(address: string): string {
    return `ip:${createHmac('sha256', this.secret).update(`client-key:${address}`).digest('base64url').slice(0, 22)}`;
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  verify(token: string | undefined): CustomerClaims | undefined {
    if (!token || token.length > 4096) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const claims = claimsSchema.safeParse(parsed);
    if (!claims.success) return undefined;
    if (claims.data.exp * 1000 <= this.now()) return undefined;
    return claims.data;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
