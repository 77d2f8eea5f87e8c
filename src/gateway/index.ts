/**
 * The Switchboard gateway: express + ws in front of the conversation workflows.
 *
 * - Customers: `POST /api/conversations` → `{ conversationId, token }`, then
 *   the WebSocket `/ws?conversationId=…&token=…` (frames in ./customer-session.ts).
 * - Agents: `/api/agent/*` with a bearer token from the agent directory
 *   (offers and presence in ./routers/routing.ts), and the WebSocket
 *   `/ws/agent?token=…` (frames in ./agent-session.ts).
 * - Supervisors and operators: `/api/desk/queues`, `/api/desk/agents`.
 * - Operators: `GET /api/conversations`, `GET /api/conversations/:id/history`.
 * - Service: `/healthz`, `/readyz`, `/metrics`; the demo page at `/`.
 *
 * The gateway keeps no conversation state: the workflow is the source of
 * truth, customer tokens are self-contained and signed, and outbound events
 * arrive over the event bus, so gateways scale side by side.
 *
 * @example
 * ```ts
 * const gateway = createGateway({ config, client, bus, agents, logger, metrics });
 * gateway.server.listen(config.PORT, config.HOST);
 * // … later
 * await gateway.close();
 * ```
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { WebSocketServer } from 'ws';
import type { EventBus } from '../bus/types';
import type { Config } from '../config';
import { payloadCodecFromConfig } from '../temporal/codec';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { AgentDirectory } from './agents';
import { bearerToken, OperatorSessions } from './auth';
import { Conversations } from './conversations';
import { ApiError, ApiErrorCode, errorHandler } from './errors';
import { Redis } from 'ioredis';
import { loadRouting, routingOverride, type RoutingConfig } from '../routing/config';
import {
  detectHumanRequest as defaultDetector,
  MemorySlidingWindow,
  RedisSlidingWindow,
  type HumanRequestDetector,
  type SlidingWindow,
} from './human-requests';
import { createLimits } from './limits';
import { DeskQueue } from './queue';
import { createAgentRouter } from './routers/agent';
import { createCodecRouter } from './routers/codec';
import { createRoutingRouter } from './routers/routing';
import { RoutingDesk } from './routing';
import { createCustomerRouter } from './routers/customer';
import { createImageRouter, type PhotoDescriber } from './routers/images';
import { createLlm } from '../llm';
import { FileImageStore, imageIdKey, type ImageStore } from './images';
import { createHealthRouter } from './routers/health';
import type { SearchAttributeGuard } from '../temporal/search-attributes';
import { createOperatorRouter } from './routers/operator';
import { attachSockets } from './sockets';
import { CustomerTokens } from './tokens';

export { AgentDirectory, DEMO_AGENTS_FILE } from './agents';

export const PUBLIC_DIR = path.resolve(__dirname, '../../public');

/**
 * Security headers on every response (helmet). The demo pages load only
 * their own script and stylesheet and talk only to this gateway (HTTP and
 * WebSocket: CSP 'self' covers ws/wss to the same host), so the policy
 * allows nothing else: no inline script or style, no framing (clickjacking),
 * no plugins. `upgrade-insecure-requests` is left out: `npm start` serves
 * plain http on 127.0.0.1, where it would turn the page's ws:// into a
 * wss:// that nothing answers. HSTS is left to the TLS terminator in front.
 */
export const SECURITY_HEADERS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      // blob: the page fetches a customer photo with the token and shows it from a blob URL of those bytes.
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: false,
};

export interface GatewayDeps {
  config: Config;
  client: Client;
  bus: EventBus;
  agents: AgentDirectory;
  logger: Logger;
  metrics: Metrics;
  /** Whether this process's worker is polling (readiness); omit when the gateway runs alone. */
  workerRunning?: () => boolean;
  /** Explicit human-request detector for the per-customer cap. */
  detectHumanRequest?: HumanRequestDetector;
  /** The sliding window of that cap (default: Redis with REDIS_URL, else this process). */
  humanRequestWindow?: SlidingWindow;
  /** The routing configuration (default: loaded from ROUTING_FILE). */
  routing?: RoutingConfig;
  /** Test knobs. */
  options?: { heartbeatMs?: number; queueRefreshMs?: number; presenceRefreshMs?: number; ackTimeoutMs?: number };
  /** Where customer photos go; default a {@link FileImageStore} on IMAGE_DIR. */
  images?: ImageStore;
  /** Registers the search attributes again when Temporal lost them (readiness, message path); omitted with a fake client. */
  searchAttributes?: SearchAttributeGuard;
}

export interface Gateway {
  app: Express;
  server: Server;
  wss: WebSocketServer;
  /** Resolves once the routing entities (routers, agents) are started; routing calls wait for it anyway. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

function originOf(url: string | undefined): string | undefined {
  return url ? new URL(url).origin : undefined;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, client, bus, agents, logger, metrics } = deps;
  let secret: string | Buffer | undefined = config.GATEWAY_SECRET;
  if (!secret) {
    logger.warn(
      'GATEWAY_SECRET is not set: customer tokens are signed with a random per-process secret; they stop working on restart and other gateways cannot verify them',
    );
    secret = CustomerTokens.randomSecret();
  }
  const tokens = new CustomerTokens(secret, config.CUSTOMER_TOKEN_TTL_MINUTES * 60);
  const codec = payloadCodecFromConfig(config);
  // Photos are described at upload when a vision model is configured (8 s at most: the customer waits for the 202).
  const visionLlm = config.OPENAI_VISION_MODEL ? createLlm(config, { timeoutMs: 8_000, logger }) : undefined;
  const describePhoto: PhotoDescriber | undefined = visionLlm?.describesPhotos ? (bytes, mime, language) => visionLlm.describePhoto(bytes, mime, language) : undefined;
  // The routing file was validated with the config; the agents' skills must be among its skills.
  const routingConfig = deps.routing ?? loadRouting(config);
  agents.assertSkills(routingConfig.policy.skills.map((s) => s.id), routingConfig.source);
  const conversations = new Conversations(client, config, codec, deps.searchAttributes, routingOverride(routingConfig.policy));
  const routing = new RoutingDesk(client, config.TASK_QUEUE, routingConfig, agents, logger);
  // Routers and agent entities start in the background; every routing call waits for them.
  routing.ensure().catch(() => undefined);
  const queue = new DeskQueue(routing, conversations);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 }) : undefined;
  redis?.on('error', (error: Error) => logger.warn({ err: error }, 'redis (human-request window) connection error'));
  const humanRequests = {
    window: deps.humanRequestWindow ?? (redis ? new RedisSlidingWindow(redis) : new MemorySlidingWindow()),
    max: config.MAX_HUMAN_REQUESTS,
    windowMs: config.HUMAN_REQUEST_WINDOW_MINUTES * 60_000,
  };

  const app = express();
  app.disable('x-powered-by');
  // Only the configured proxies may name the client address (rate limits key on it).
  app.set('trust proxy', config.TRUST_PROXY);
  const sessions = new OperatorSessions(secret, agents);
  const limits = createLimits({ config, app, logger, identify: (req) => agents.authenticate(bearerToken(req)) ?? sessions.fromRequest(req) });
  app.use(helmet(SECURITY_HEADERS));
  // Before body parsing: a flood is refused without reading its bodies.
  app.use(limits.http);
  // Its own body parser (history payloads exceed the API's 32 KB): mounted before the API's.
  app.use(createCodecRouter({ agents, codec, sessions, uiOrigin: originOf(config.TEMPORAL_UI_URL), logger }));
  app.use(express.json({ limit: '32kb' }));
  app.use(createHealthRouter({ client, metrics, logger, workerRunning: deps.workerRunning, searchAttributes: deps.searchAttributes }));
  app.use(createCustomerRouter({ tokens, integrationKey: config.INTEGRATION_KEY, logger }));
  app.use(
    createImageRouter({
      tokens,
      agents,
      conversations,
      images: deps.images ?? new FileImageStore(config.IMAGE_DIR, codec, codec ? imageIdKey(secret) : undefined),
      maxBytes: config.IMAGE_MAX_BYTES,
      logger,
      ...(describePhoto ? { describe: describePhoto } : {}),
    }),
  );
  app.use(createAgentRouter({ agents, conversations, queue, routing, metrics, logger }));
  app.use(createRoutingRouter({ agents, conversations, routing, queue, metrics, logger }));
  app.use(createOperatorRouter({ agents, conversations, taskQueue: config.TASK_QUEUE }));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', fallthrough: true }));
  app.use((req, _res, next) => next(new ApiError(ApiErrorCode.NotFound, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));

  const server = createServer(app);
  const sockets = attachSockets({
    server,
    bus,
    tokens,
    agents,
    conversations,
    queue,
    routing,
    logger,
    metrics,
    allowedOrigins: config.ALLOWED_ORIGINS,
    limits,
    humanRequests,
    detectHumanRequest: deps.detectHumanRequest ?? defaultDetector,
    ...deps.options,
  });
  const unsubscribeMetrics = bus.subscribe((event) => metrics.observeEvent(event));

  let closing: Promise<void> | undefined;
  return {
    app,
    server,
    wss: sockets.wss,
    ready: () => routing.ensure(),
    close() {
      closing ??= (async () => {
        unsubscribeMetrics();
        await sockets.close();
        if (redis) await redis.quit().catch(() => redis.disconnect());
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
            // Requests still running after a grace period are cut rather than holding shutdown forever.
            setTimeout(() => server.closeAllConnections(), 5000).unref();
          });
        }
        await limits.close();
      })();
      return closing;
    },
  };
}
