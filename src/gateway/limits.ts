/**
 * Rate limits that hold across sockets, HTTP and gateways.
 *
 * Three budgets, each `limit` hits per `RATE_LIMIT_WINDOW_SECONDS`:
 * - per client IP (`RATE_LIMIT_PER_IP`): every HTTP request of a caller that
 *   is not an authenticated agent (customers creating conversations, the
 *   page's static files, wrong tokens), every WebSocket handshake, and every
 *   customer frame;
 * - per customer (`RATE_LIMIT_PER_CUSTOMER`): the frames of one customer, on
 *   all of their sockets together (the token names the customer);
 * - per agent (`RATE_LIMIT_PER_AGENT`): an authenticated agent's HTTP
 *   requests and desk-socket frames, keyed by agent instead of IP because a
 *   whole support office may share one address.
 *
 * HTTP uses express-rate-limit, which answers 429 with the IETF draft-8
 * `RateLimit` / `RateLimit-Policy` headers and `Retry-After`; WebSocket
 * frames and handshakes count in the very same stores, so one budget covers
 * both. With `REDIS_URL` the stores live in Redis (rate-limit-redis), so N
 * gateways share each budget; otherwise they are in process memory.
 *
 * The client IP is the socket's peer, or with `TRUST_PROXY` the address the
 * trusted proxies report (express's `trust proxy`, the same rule for HTTP and
 * for WebSocket handshakes). IPv6 addresses count per /56, as
 * express-rate-limit recommends, so one host cannot rotate through its subnet.
 */
import type { IncomingMessage } from 'node:http';
import type { Express, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options, type Store } from 'express-rate-limit';
import proxyAddr from 'proxy-addr';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Agent } from './agents';
import { ApiError, ApiErrorCode } from './errors';

export type LimitsConfig = Pick<
  Config,
  'RATE_LIMIT_WINDOW_SECONDS' | 'RATE_LIMIT_PER_IP' | 'RATE_LIMIT_PER_CUSTOMER' | 'RATE_LIMIT_PER_AGENT' | 'REDIS_URL'
>;

export type Budget = 'ip' | 'customer' | 'agent';

export interface Take {
  /** Within the budget. */
  allowed: boolean;
  /** Hits so far in this window (this one included). */
  hits: number;
  limit: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

/** Paths never limited: probes and scrapes must work while a flood is refused. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export interface Limits {
  /** express middleware: the per-agent budget for authenticated agents, the per-IP budget for everyone else. */
  http: RequestHandler[];
  /** Counts one hit against a budget (WebSocket handshakes and frames). */
  take(budget: Budget, key: string): Promise<Take>;
  /** The rate-limit key of a request's client address (HTTP upgrade requests included). */
  clientKey(req: IncomingMessage): string;
  close(): Promise<void>;
}

export function createLimits(options: {
  config: LimitsConfig;
  /** The authenticated agent of a request (bearer token or operator session), if any. */
  identify: (req: Parameters<RequestHandler>[0]) => Agent | undefined;
  app: Express;
  logger: Logger;
}): Limits {
  const { config, identify, app, logger } = options;
  const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const limits: Record<Budget, number> = {
    ip: config.RATE_LIMIT_PER_IP,
    customer: config.RATE_LIMIT_PER_CUSTOMER,
    agent: config.RATE_LIMIT_PER_AGENT,
  };

  let redis: Redis | undefined;
  const makeStore = (budget: Budget): Store => {
    if (!config.REDIS_URL) return new MemoryStore();
    redis ??= new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
    // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
    if (redis.listenerCount('error') === 0) redis.on('error', (error: Error) => logger.warn({ err: error }, 'rate-limit redis connection error'));
    const conn = redis;
    return new RedisStore({
      prefix: `switchboard:rl:${budget}:`,
      sendCommand: (command: string, ...args: string[]) => conn.call(command, ...args) as Promise<RedisReply>,
    });
  };
  const stores: Record<Budget, Store> = { ip: makeStore('ip'), customer: makeStore('customer'), agent: makeStore('agent') };

  // The same trust rule express applies to req.ip, for upgrade requests that never pass through express.
  const trust = app.get('trust proxy fn') as Parameters<typeof proxyAddr>[1];
  const clientKey = (req: IncomingMessage): string => ipKeyGenerator(proxyAddr(req as Parameters<typeof proxyAddr>[0], trust));

  const refused = (budget: Budget): Options['handler'] => (_req, _res, next, used) => {
    const seconds = Math.ceil(used.windowMs / 1000);
    next(
      new ApiError(
        ApiErrorCode.RateLimited,
        budget === 'agent'
          ? `too many requests from this agent; at most ${limits.agent} per ${seconds} s, try again shortly`
          : `too many requests from this address; at most ${limits.ip} per ${seconds} s, try again shortly`,
      ),
    );
  };

  const authenticatedAgent = (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): Agent | undefined => {
    if (res.locals.rateLimitAgent === undefined) res.locals.rateLimitAgent = identify(req) ?? null;
    return (res.locals.rateLimitAgent as Agent | null) ?? undefined;
  };

  const common = {
    windowMs,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    // A store outage must not open the gates, nor take the API down silently: the request fails with 500 and is logged.
    passOnStoreError: false,
  };
  const byAgent = rateLimit({
    ...common,
    limit: limits.agent,
    identifier: 'agent',
    store: stores.agent,
    skip: (req, res) => UNLIMITED_PATHS.has(req.path) || !authenticatedAgent(req, res),
    keyGenerator: (req, res) => authenticatedAgent(req, res)!.id,
    handler: refused('agent'),
  });
  const byIp = rateLimit({
    ...common,
    limit: limits.ip,
    identifier: 'ip',
    store: stores.ip,
    skip: (req, res) => UNLIMITED_PATHS.has(req.path) || authenticatedAgent(req, res) !== undefined,
    keyGenerator: (req) => clientKey(req),
    handler: refused('ip'),
  });
  // The customer budget has no HTTP middleware; its store still needs the window.
  void stores.customer.init?.({ ...common, limit: limits.customer } as Options);

  return {
    http: [byAgent, byIp],
    async take(budget, key) {
      const { totalHits, resetTime } = await stores[budget].increment(key);
      const retryAfterSeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
      return { allowed: totalHits <= limits[budget], hits: totalHits, limit: limits[budget], retryAfterSeconds };
    },
    clientKey,
    async close() {
      for (const store of Object.values(stores)) await store.shutdown?.();
      if (redis) {
        const conn = redis;
        redis = undefined;
        await conn.quit().catch(() => conn.disconnect());
      }
    },
  };
}
