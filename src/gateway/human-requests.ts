/**
 * The cap on explicit human-transfer requests, per customer over a sliding
 * window (`MAX_HUMAN_REQUESTS` in `HUMAN_REQUEST_WINDOW_MINUTES`), across
 * conversations: a new chat does not reset it (the design's "同一客户在短时间
 * 内的转接次数限制").
 *
 * The workflow decides escalation; the gateway only stops a customer from
 * bouncing the desk. When a new message is an explicit request for a person
 * and the customer already made the maximum within the window, the message is
 * refused with `human_request_limit`, in the customer's language, and never
 * reaches the workflow; other messages are unaffected.
 *
 * "The customer" is the integration's customer id, or for anonymous chats a
 * keyed hash of the address the chat was created from (the token's
 * clientKey). The window lives in Redis when `REDIS_URL` is set (every
 * gateway counts the same), in this process otherwise.
 */
import type { Redis } from 'ioredis';
import { isHumanRequest } from '../nlu/human';
import { matchForm, normalize } from '../nlu/normalize';
import type { TranscriptEntry } from '../workflows/contract';

export type HumanRequestDetector = (text: string) => boolean;

/**
 * The NLU's own explicit-request rules (English and Chinese), on the same
 * normalized form the workflow's understanding step uses, so the gateway
 * counts exactly the messages that can escalate.
 */
export const detectHumanRequest: HumanRequestDetector = (text) => isHumanRequest(matchForm(normalize(text)));

/** Whether the transcript already holds this message (a resend is not a new request). */
export function alreadyRecorded(transcript: TranscriptEntry[], messageId: string): boolean {
  return transcript.some((e) => e.from === 'customer' && e.messageId === messageId);
}

/** A sliding-window log per key: `take` records one event when under `max` and says how many the window holds. */
export interface SlidingWindow {
  take(key: string, max: number, windowMs: number, nowMs: number): Promise<{ allowed: boolean; count: number }>;
}

/** One process's window; bounded (the least recently used keys go first). */
export class MemorySlidingWindow implements SlidingWindow {
  private readonly logs = new Map<string, number[]>();

  constructor(private readonly maxKeys = 100_000) {}

  async take(key: string, max: number, windowMs: number, nowMs: number): Promise<{ allowed: boolean; count: number }> {
    const recent = (this.logs.get(key) ?? []).filter((t) => t > nowMs - windowMs);
    this.logs.delete(key);
    const allowed = recent.length < max;
    if (allowed) recent.push(nowMs);
    this.logs.set(key, recent);
    if (this.logs.size > this.maxKeys) this.logs.delete(this.logs.keys().next().value as string);
    return { allowed, count: recent.length };
  }
}

/**
 * The window in a Redis sorted set per key (score = time). One Lua script
 * trims, counts and adds atomically, so two gateways taking at once cannot
 * both get the last place.
 */
export class RedisSlidingWindow implements SlidingWindow {
  private static readonly SCRIPT = `
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
    local count = redis.call('ZCARD', KEYS[1])
    if count < tonumber(ARGV[3]) then
      redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return {1, count + 1}
    end
    return {0, count}`;

  private seq = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'switchboard:human-requests:',
  ) {}

  async take(key: string, max: number, windowMs: number, nowMs: number): Promise<{ allowed: boolean; count: number }> {
    // A unique member per request (two in the same millisecond both count).
    const member = `${nowMs}-${process.pid}-${++this.seq}`;
    const [allowed, count] = (await this.redis.eval(RedisSlidingWindow.SCRIPT, 1, this.prefix + key, nowMs, windowMs, max, member)) as [number, number];
    return { allowed: allowed === 1, count };
  }
}
