/**
 * WebSocket endpoints, following the ws `express-session-parse` pattern: one
 * `WebSocketServer({ noServer: true })`, authentication in the HTTP `upgrade`
 * handler (401/403 answered before `handleUpgrade`, so an unauthenticated
 * client never gets a socket), ping/pong heartbeats, and an `error` listener
 * on every socket.
 *
 * The hub subscribes once to the event bus and hands each event to the
 * sockets of that conversation (customers) and to every agent socket.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EventBus } from '../bus/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { OutboundEvent } from '../workflows/contract';
import type { Agent, AgentDirectory } from './agents';
import { AgentSession } from './agent-session';
import type { Conversations } from './conversations';
import { CustomerSession } from './customer-session';
import type { HumanRequestCap } from './customer-session';
import type { HumanRequestDetector } from './human-requests';
import type { Limits } from './limits';
import type { DeskQueue } from './queue';
import type { RoutingDesk } from './routing';
import { conversationIdSchema } from './schemas';
import type { CustomerClaims, CustomerTokens } from './tokens';
import { assignedToQuery, listConversations } from './visibility';

/** Frames over 16 KB are refused: ws closes the socket with 1009 (message too big). */
export const MAX_FRAME_BYTES = 16 * 1024;

export interface SocketOptions {
  server: Server;
  bus: EventBus;
  tokens: CustomerTokens;
  agents: AgentDirectory;
  conversations: Conversations;
  queue: DeskQueue;
  routing: RoutingDesk;
  logger: Logger;
  metrics: Metrics;
  allowedOrigins: string[];
  limits: Limits;
  humanRequests: HumanRequestCap;
  detectHumanRequest: HumanRequestDetector;
  heartbeatMs?: number;
  /** Queued customers and desks are refreshed at least this often (estimates count down); default 15 s. */
  queueRefreshMs?: number;
  /** Sockets renew their presence leases this often; default a third of the lease. */
  presenceRefreshMs?: number;
  ackTimeoutMs?: number;
}

type Principal = ({ kind: 'customer'; claims: CustomerClaims } | { kind: 'agent'; agent: Agent }) & { clientKey: string };

interface Tracked extends WebSocket {
  isAlive?: boolean;
}

export interface SocketHub {
  wss: WebSocketServer;
  close(): Promise<void>;
}

export function attachSockets(options: SocketOptions): SocketHub {
  const { server, logger, metrics } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const customers = new Map<string, Set<CustomerSession>>();
  const agentSessions = new Set<AgentSession>();

  const authenticate = (req: IncomingMessage): { principal?: Principal; status?: number; reason?: string } => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const origin = req.headers.origin;
    // Browsers always send Origin on a WebSocket handshake; the allowlist stops other sites' pages.
    // Non-browser clients may omit it and are authenticated by token alone.
    if (options.allowedOrigins.length > 0 && origin !== undefined && !options.allowedOrigins.includes(origin)) {
      return { status: 403, reason: 'Forbidden' };
    }
    if (url.pathname === '/ws') {
      const id = conversationIdSchema.safeParse(url.searchParams.get('conversationId'));
      const claims = options.tokens.verify(url.searchParams.get('token') ?? undefined);
      if (!id.success || !claims || claims.conversationId !== id.data) return { status: 401, reason: 'Unauthorized' };
      return { principal: { kind: 'customer', claims, clientKey: options.limits.clientKey(req) } };
    }
    if (url.pathname === '/ws/agent') {
      const agent = options.agents.authenticate(url.searchParams.get('token') ?? undefined);
      if (!agent) return { status: 401, reason: 'Unauthorized' };
      return { principal: { kind: 'agent', agent, clientKey: options.limits.clientKey(req) } };
    }
    return { status: 404, reason: 'Not Found' };
  };

  const onSocketError = (error: Error): void => {
    logger.debug({ err: error }, 'socket error during upgrade');
  };

  const refuse = (socket: Duplex, status: number, reason: string, headers = ''): void => {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    // Every handshake counts against the client address, authenticated or not: token guessing is bounded too.
    const take = await options.limits.take('ip', options.limits.clientKey(req));
    if (!take.allowed) {
      refuse(socket, 429, 'Too Many Requests', `Retry-After: ${take.retryAfterSeconds}\r\n`);
      return;
    }
    const { principal, status, reason } = authenticate(req);
    if (!principal) {
      refuse(socket, status ?? 400, reason ?? 'Bad Request');
      return;
    }
    if (socket.destroyed) return;
    socket.removeListener('error', onSocketError);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, principal));
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onSocketError);
    upgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'websocket handshake failed');
      if (!socket.destroyed) refuse(socket, 500, 'Internal Server Error');
    });
  };
  server.on('upgrade', onUpgrade);

  wss.on('connection', (ws: Tracked, _req: IncomingMessage, principal: Principal) => {
    ws.isAlive = true;
    ws.on('pong', () => {
      ws.isAlive = true;
    });
    ws.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
    if (principal.kind === 'customer') openCustomer(ws, principal.claims, principal.clientKey);
    else openAgent(ws, principal.agent);
  });

  const openCustomer = (ws: WebSocket, claims: CustomerClaims, clientKey: string): void => {
    const session = new CustomerSession(ws, claims, {
      conversations: options.conversations,
      logger,
      metrics,
      detectHumanRequest: options.detectHumanRequest,
      humanRequests: options.humanRequests,
      limits: options.limits,
      clientKey,
      queueInfo: (id, skill) => options.routing.position(id, skill),
      ackTimeoutMs: options.ackTimeoutMs,
    });
    let set = customers.get(claims.conversationId);
    if (!set) customers.set(claims.conversationId, (set = new Set()));
    set.add(session);
    metrics.socketConnections.inc({ kind: 'customer' });
    ws.on('message', (data: RawData, isBinary: boolean) => session.onFrame(isBinary ? '' : rawToString(data)));
    ws.on('close', () => {
      session.dispose();
      set.delete(session);
      if (set.size === 0) customers.delete(claims.conversationId);
      metrics.socketConnections.dec({ kind: 'customer' });
    });
    session.start();
  };

  const openAgent = (ws: WebSocket, agent: Agent): void => {
    const session = new AgentSession(ws, agent, {
      logger,
      limits: options.limits,
      queueFor: (a) => options.queue.forAgent(a),
      assignedTo: async (agentId) =>
        (await listConversations(options.conversations.client, assignedToQuery(agentId), 500)).map(
          (r) => r.conversationId,
        ),
      connection: (a, connectionId, state) => options.routing.connection(a, connectionId, state),
      setPresence: (a, status) => options.routing.setPresence(a, status),
    });
    agentSessions.add(session);
    metrics.socketConnections.inc({ kind: 'agent' });
    ws.on('message', (data: RawData, isBinary: boolean) => session.onFrame(isBinary ? '' : rawToString(data)));
    ws.on('close', () => {
      session.dispose();
      agentSessions.delete(session);
      metrics.socketConnections.dec({ kind: 'agent' });
    });
    session.start();
  };

  // Queue positions change whenever any conversation changes phase; refresh
  // the queued customers and the agent desks once per burst of events, and
  // periodically because visibility on a real cluster lags the events.
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshQueues = (): void => {
    options.queue.invalidate();
    for (const set of customers.values()) for (const s of set) s.refreshQueue();
    for (const s of agentSessions) s.refreshQueue();
  };
  const scheduleRefresh = (): void => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      refreshQueues();
    }, 300);
    refreshTimer.unref();
  };
  const periodic = setInterval(() => {
    if (agentSessions.size > 0 || [...customers.values()].some((set) => [...set].some((s) => s.currentPhase === 'queued'))) {
      refreshQueues();
    }
  }, options.queueRefreshMs ?? 15_000);
  periodic.unref();

  // Presence leases: a socket that stays open says so; one whose gateway died simply stops saying it.
  const presence = setInterval(() => {
    for (const set of customers.values()) for (const s of set) s.heartbeat();
    for (const s of agentSessions) s.heartbeat();
  }, options.presenceRefreshMs ?? Math.floor(options.routing.routing.policy.presenceLeaseMs / 3));
  presence.unref();

  const unsubscribe = options.bus.subscribe((event: OutboundEvent) => {
    // A phase change or a router's push moves the queue: the shared snapshots are stale from now on.
    if (event.kind === 'status') options.queue.invalidate(event.escalation?.skill);
    if (event.kind === 'queue') options.queue.invalidate(event.skill);
    if ('conversationId' in event && event.conversationId) {
      for (const session of customers.get(event.conversationId) ?? []) session.onEvent(event);
    }
    for (const session of agentSessions) session.onEvent(event);
    if (event.kind === 'status' || event.kind === 'queue') scheduleRefresh();
  });

  const heartbeat = setInterval(() => {
    for (const client of wss.clients as Set<Tracked>) {
      if (client.isAlive === false) {
        client.terminate();
        continue;
      }
      client.isAlive = false;
      client.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    wss,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      clearInterval(periodic);
      clearInterval(presence);
      if (refreshTimer) clearTimeout(refreshTimer);
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Clients that did not finish the closing handshake in time are cut.
      for (const client of wss.clients) client.terminate();
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
