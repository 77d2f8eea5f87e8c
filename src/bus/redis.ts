/**
 * Redis pub/sub bus: several gateways and workers share one channel, so the
 * gateway holding a customer's socket receives the reply whichever worker
 * published it. Pub/sub is at-most-once, which the design allows: the
 * workflow's transcript is the source of truth and sockets fill gaps from it.
 *
 * A subscribed Redis connection can do nothing but subscribe, so publishing
 * uses a second connection.
 *
 * Every message is signed with the shared BUS_SECRET and checked on receipt
 * (./signing.ts): forged, tampered, stale and replayed messages are dropped,
 * logged and counted, never delivered to a socket.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger';
import { PHASES, type OutboundEvent } from '../workflows/contract';
import { BusSigner, type BusDropReason } from './signing';
import type { EventBus, EventHandler } from './types';

export const DEFAULT_CHANNEL = 'switchboard:events';

/**
 * The least a Switchboard Redis user needs (README, security section): the
 * bus channel, the rate-limit keys (src/gateway/limits.ts) and the commands
 * ioredis and rate-limit-redis send. test/bus/redis-bus.test.ts runs the bus
 * and the limits as a user with exactly these rules.
 */
export const REDIS_ACL_RULES = [
  'resetchannels',
  `&${DEFAULT_CHANNEL}`,
  'resetkeys',
  '~switchboard:rl:*',
  '-@all',
  '+publish',
  '+subscribe',
  '+unsubscribe',
  '+ping',
  '+info',
  '+quit',
  '+eval',
  '+evalsha',
  '+script|load',
  '+get',
  '+incr',
  '+decr',
  '+set',
  '+pttl',
  '+del',
] as const;

// Even a genuine envelope is checked: anything that is not an outbound event is dropped.
const entrySchema = z.object({
  seq: z.number().int().positive(),
  from: z.enum(['customer', 'bot', 'agent', 'system']),
  text: z.string(),
  at: z.string(),
  messageId: z.string().optional(),
  agentId: z.string().optional(),
});
// Desk notes feed the metrics; their shape is the contract's DeskNote, checked here only for a kind.
const deskSchema = z.array(z.looseObject({ kind: z.string() })).optional();
const presence = z.enum(['online', 'away', 'offline']);
const eventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), conversationId: z.string().min(1), entry: entrySchema, desk: deskSchema }),
  z.object({
    kind: z.literal('status'),
    conversationId: z.string().min(1),
    phase: z.enum(PHASES),
    agent: z.object({ id: z.string(), name: z.string() }).optional(),
    escalation: z.any().optional(),
    desk: deskSchema,
  }),
  z.object({ kind: z.literal('alert'), conversationId: z.string().min(1), alert: z.looseObject({ conversationId: z.string(), skill: z.string() }) }),
  z.object({
    kind: z.literal('offer'),
    conversationId: z.string().min(1),
    agentId: z.string().min(1),
    offer: z.looseObject({ offerId: z.string(), conversationId: z.string(), skill: z.string(), expiresAt: z.string() }),
  }),
  z.object({
    kind: z.literal('offer_ended'),
    conversationId: z.string().min(1),
    agentId: z.string().min(1),
    offerId: z.string().min(1),
    outcome: z.enum(['declined', 'timeout', 'unavailable', 'withdrawn', 'failed', 'accepted']),
  }),
  z.object({ kind: z.literal('agent'), agentId: z.string().min(1), presence, status: presence, load: z.number(), capacity: z.number(), at: z.string() }),
  z.object({ kind: z.literal('queue'), skill: z.string().min(1), size: z.number(), at: z.string() }),
]);

export interface RedisBusOptions {
  url: string;
  /** BUS_SECRET first, then secrets still accepted during a rotation (./signing.ts). */
  secrets: readonly string[];
  channel?: string;
  logger?: Logger;
  /** Called for every message dropped, with the reason (metrics count them). */
  onDrop?: (reason: BusDropReason) => void;
}

export class RedisBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Set<EventHandler>();
  private readonly channel: string;
  private readonly signer: BusSigner;
  private subscribed: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channel = options.channel ?? DEFAULT_CHANNEL;
    this.signer = new BusSigner({ secrets: options.secrets, channel: this.channel });
    const common = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.publisher = new Redis(options.url, common);
    this.subscriber = new Redis(options.url, common);
    for (const [role, conn] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
      conn.on('error', (error: Error) => options.logger?.warn({ err: error, role }, 'redis bus connection error'));
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.dispatch(message);
    });
  }

  /** Connects both connections and subscribes; publish/subscribe call it lazily. */
  async connect(): Promise<void> {
    this.subscribed ??= (async () => {
      await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
      await this.subscriber.subscribe(this.channel);
    })();
    return this.subscribed;
  }

  async publish(event: OutboundEvent): Promise<void> {
    if (this.closed) throw new Error('the event bus is closed');
    await this.connect();
    await this.publisher.publish(this.channel, this.signer.seal(JSON.stringify(event)));
  }

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    this.connect().catch((error: unknown) =>
      this.options.logger?.error({ err: error }, 'redis bus could not subscribe; events will not reach this process'),
    );
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    await Promise.allSettled([this.subscriber, this.publisher].map((conn) => closeConnection(conn)));
  }

  private drop(reason: BusDropReason): void {
    this.options.onDrop?.(reason);
    this.options.logger?.warn({ reason, channel: this.channel }, 'redis bus: dropped a message');
  }

  private dispatch(message: string): void {
    const opened = this.signer.open(message);
    if (!opened.ok) {
      this.drop(opened.reason);
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(opened.body);
    } catch {
      this.drop('malformed');
      return;
    }
    const parsed = eventSchema.safeParse(data);
    if (!parsed.success) {
      this.drop('malformed');
      return;
    }
    const event = parsed.data as OutboundEvent;
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        this.options.logger?.error({ err: error }, 'event handler failed');
      }
    }
  }
}

/**
 * QUIT when connected (a clean goodbye), plain disconnect otherwise. A
 * disconnect after a successful QUIT would arm ioredis's 2-second
 * force-close timer for nothing and hold the process open.
 */
async function closeConnection(conn: Redis): Promise<void> {
  if (conn.status === 'ready') {
    try {
      await conn.quit();
      return;
    } catch {
      /* fall through to a hard disconnect */
    }
  }
  if (conn.status !== 'end') conn.disconnect();
}
