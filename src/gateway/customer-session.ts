/**
 * One customer WebSocket. Holds only delivery bookkeeping for this socket
 * (the highest transcript seq it has delivered, the last phase it reported);
 * the conversation itself lives in the workflow.
 *
 * Delivery guarantee: message frames go out in seq order, each at most once
 * per socket. A live event that skips ahead is preceded by the entries in
 * between, read from the transcript query, so nothing is lost when the bus
 * drops an event; `resume` replays from any seq the client names.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { render } from '../domain/templates';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { detectLanguage } from '../nlu/language';
import { normalize } from '../nlu/normalize';
import type { OutboundEvent, Phase, Skill, TranscriptEntry } from '../workflows/contract';
import type { Conversations } from './conversations';
import { ApiError, ApiErrorCode, toApiError } from './errors';
import { alreadyRecorded, type HumanRequestDetector, type SlidingWindow } from './human-requests';
import type { Limits } from './limits';
import type { QueuePosition } from './routing';
import { CUSTOMER_FRAME_TYPES, customerFrameSchema, decodeFrame } from './schemas';
import type { CustomerClaims } from './tokens';

export type ServerFrame =
  | { type: 'message'; seq: number; from: TranscriptEntry['from']; text: string; at: string; image?: TranscriptEntry['image'] }
  | { type: 'ack'; id: string; seq: number }
  | {
      type: 'status';
      phase: Phase;
      queue?: QueuePosition;
      agent?: { id: string; name: string };
    }
  | { type: 'error'; code: string; message: string; id?: string }
  | { type: 'pong' };

export interface HumanRequestCap {
  window: SlidingWindow;
  max: number;
  windowMs: number;
}

export interface CustomerSessionDeps {
  conversations: Conversations;
  logger: Logger;
  metrics: Metrics;
  detectHumanRequest: HumanRequestDetector;
  humanRequests: HumanRequestCap;
  /** The shared rate limits (./limits.ts): this customer's frames on every socket, and this client address. */
  limits: Pick<Limits, 'take'>;
  /** Rate-limit key of the client address this socket came from. */
  clientKey: string;
  /** Place and estimate of a queued conversation in its skill's live queue, if found. */
  queueInfo(conversationId: string, skill: Skill): Promise<QueuePosition | undefined>;
  /** How long to look for a sent message in the transcript before giving up on its ack. */
  ackTimeoutMs?: number;
}

/** A queued customer's status is re-sent at least this often, even when nothing moved (the estimate counts down). */
const STATUS_AT_LEAST_EVERY_MS = 30_000;

/** Frames past the limit beyond this many in one window close the socket (1008 policy violation). */
const FLOOD_FACTOR = 3;

/** What a customer reads when their conversation's history is gone, in their language. */
const LOST_TEXT = {
  en: "We can no longer show this conversation's earlier messages: our service lost them. Your next message continues the conversation from a fresh start.",
  zh: '本次对话之前的消息已无法显示：服务端丢失了这些消息。您发送下一条消息后，对话将从头继续。',
} as const;

export class CustomerSession {
  private deliveredSeq = 0;
  /**
   * The last seq this client has seen, by what it told us (resume) or what we
   * delivered. If Temporal lost the conversation, the next message starts it
   * again numbering after this, never from 1 (Conversations.sendCustomerMessage).
   */
  private knownSeq = 0;
  private phase: Phase | undefined;
  /** The skill queue while queued (from the state and status events), to look the position up. */
  private skill: Skill | undefined;
  private lastStatusJson = '';
  private lastStatusAt = 0;
  /** This socket's id in the conversation's presence (abandonment). */
  readonly connectionId = randomUUID();
  private started = false;
  private outbound: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  /** Frames are admitted one at a time (the limit check is async), so they are handled in the order received. */
  private intake: Promise<void> = Promise.resolve();
  private readonly pendingAcks = new Map<string, (seq: number) => void>();
  private closed = false;
  readonly conversationId: string;

  constructor(
    private readonly ws: WebSocket,
    private readonly claims: CustomerClaims,
    private readonly deps: CustomerSessionDeps,
  ) {
    this.conversationId = claims.conversationId;
  }

  get currentPhase(): Phase | undefined {
    return this.phase;
  }

  /** Sends the current status; live events queue up behind it. */
  start(): void {
    this.enqueueOutbound(async () => {
      const state = await this.deps.conversations.stateIfStarted(this.conversationId);
      // A conversation with no message yet has no workflow: it is in the AI phase with an empty transcript.
      this.deliveredSeq = Math.max(this.deliveredSeq, state?.lastSeq ?? 0);
      if (state?.queue) this.skill = state.queue.skill;
      if (state) this.reportPresence('open');
      await this.sendStatus(state?.phase ?? 'ai', state?.agent);
    });
  }

  dispose(): void {
    this.closed = true;
    this.pendingAcks.clear();
    if (this.started) this.reportPresence('closed');
  }

  /** Called periodically by the hub: a queued customer's socket is still here (its report lease is renewed). */
  heartbeat(): void {
    if (this.phase === 'queued' && !this.closed) this.reportPresence('alive');
  }

  private reportPresence(state: 'open' | 'alive' | 'closed'): void {
    if (state === 'open') this.started = true;
    this.deps.conversations.presence(this.conversationId, this.connectionId, state).catch((error: unknown) => {
      // Presence is best effort: a lost report only delays abandonment by one lease.
      this.deps.logger.debug({ err: error, conversationId: this.conversationId }, 'customer presence not reported');
    });
  }

  onFrame(raw: string): void {
    this.intake = this.intake
      .then(() => this.admit(raw))
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, conversationId: this.conversationId }, 'customer frame not handled');
        this.sendError(toApiError(error, this.conversationId));
      });
  }

  /**
   * Counts the frame against the customer's budget (all their sockets, every
   * gateway) and the client address's; refuses it beyond either, and closes
   * the socket when the sender keeps going far beyond.
   */
  private async admit(raw: string): Promise<void> {
    if (this.closed) return;
    const [customer, ip] = await Promise.all([
      this.deps.limits.take('customer', this.claims.customer.id),
      this.deps.limits.take('ip', this.deps.clientKey),
    ]);
    if (customer.hits > customer.limit * FLOOD_FACTOR || ip.hits > ip.limit * FLOOD_FACTOR) {
      this.ws.close(1008, 'rate limit exceeded');
      return;
    }
    if (!customer.allowed || !ip.allowed) {
      const which = customer.allowed ? ip : customer;
      this.sendError(
        new ApiError(
          ApiErrorCode.RateLimited,
          `too many messages; at most ${which.limit} per window ${customer.allowed ? 'from this address' : 'in this conversation'}, try again in ${which.retryAfterSeconds} s`,
        ),
        frameId(raw),
      );
      return;
    }
    this.handleFrame(raw);
  }

  private handleFrame(raw: string): void {
    const decoded = decodeFrame(raw, customerFrameSchema, CUSTOMER_FRAME_TYPES);
    if (!decoded.ok) {
      // Name the message the error is about when the frame carried an id.
      this.sendError(decoded.error, frameId(raw));
      return;
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'resume':
        this.enqueueOutbound(() => this.resume(frame.afterSeq));
        return;
      case 'message':
        this.receiveMessage(frame.id, frame.text);
        return;
    }
  }

  /** A bus event for this conversation. */
  onEvent(event: OutboundEvent): void {
    if (event.kind === 'message') {
      if (event.entry.from === 'customer' && event.entry.messageId) {
        this.pendingAcks.get(event.entry.messageId)?.(event.entry.seq);
      }
      this.enqueueOutbound(() => this.deliverLive(event.entry));
    } else if (event.kind === 'status') {
      if (event.escalation) this.skill = event.escalation.skill;
      // The first status after the workflow started (the first message): this socket now counts as present.
      if (!this.started) this.reportPresence('open');
      this.enqueueOutbound(() => this.sendStatus(event.phase, event.agent));
    }
  }

  /**
   * Re-sends the status when the queue moved (called by the hub for queued sessions). Whether the
   * conversation is still queued is judged when the refresh goes out, not when it is asked for: a claim's
   * status may be waiting in the outbound line behind a slow queue lookup, and a refresh sent after it put
   * the customer's page back to "queued" for good.
   */
  refreshQueue(): void {
    if (this.phase !== 'queued') return;
    this.enqueueOutbound(async () => {
      if (this.phase === 'queued') await this.sendStatus('queued', undefined);
    });
  }

  // --- inbound ---------------------------------------------------------------

  private receiveMessage(id: string, text: string): void {
    if (this.phase === 'closed') {
      this.sendError(new ApiError(ApiErrorCode.Closed, 'the conversation is closed'), id);
      return;
    }
    // Signals go out one at a time so the workflow receives them in the order typed.
    const baseline = this.deliveredSeq;
    const sent = this.inbound.then(async () => {
      if (this.closed) return false;
      await this.checkHumanRequestLimit(id, text);
      await this.deps.conversations.sendCustomerMessage(this.claims, { messageId: id, text }, Math.max(this.knownSeq, this.deliveredSeq));
      return true;
    });
    this.inbound = sent.then(
      () => undefined,
      () => undefined,
    );
    sent.then(
      (ok) => {
        if (ok) void this.acknowledge(id, baseline);
      },
      (error: unknown) => {
        const apiError = toApiError(error, this.conversationId);
        if (apiError.status >= 500) this.deps.logger.error({ err: error, conversationId: this.conversationId }, 'customer message not delivered');
        this.sendError(apiError, id);
      },
    );
  }

  private async checkHumanRequestLimit(id: string, text: string): Promise<void> {
    if (!this.deps.detectHumanRequest(text)) return;
    const transcript = await this.deps.conversations.transcriptIfStarted(this.conversationId, 0);
    // A resend of a message already recorded is a duplicate, not a new request: let the workflow dedupe it.
    if (alreadyRecorded(transcript, id)) return;
    const { window, max, windowMs } = this.deps.humanRequests;
    const key = this.claims.clientKey ?? `customer:${this.claims.customer.id}`;
    const { allowed, count } = await window.take(key, max, windowMs, Date.now());
    if (allowed) return;
    // Said in the customer's language: the words of this message, or the chat's locale when they do not tell.
    const language = detectLanguage(normalize(text), this.claims.locale ?? 'en');
    const where = render(
      this.phase === 'queued' ? 'human_request_limit_queued' : this.phase === 'human' ? 'human_request_limit_human' : 'human_request_limit_ai',
      language,
    );
    throw new ApiError(
      ApiErrorCode.HumanRequestLimit,
      render('human_request_limit', language, { count: String(count), windowMinutes: String(Math.round(windowMs / 60_000)), where }),
    );
  }

  /**
   * Acks with the seq the workflow gave the message. The workflow assigns seq
   * when it records the message, so we look for the message id in the
   * transcript (queries see every event that preceded them), with a short
   * back-off for a workflow task still in flight; a bus event carrying the
   * entry ends the wait early. A resend finds the original entry and gets the
   * same seq: the workflow ignored the duplicate.
   */
  private async acknowledge(id: string, baseline: number): Promise<void> {
    const deadline = Date.now() + (this.deps.ackTimeoutMs ?? 30_000);
    let fromBus: number | undefined;
    const viaBus = new Promise<void>((resolve) => {
      this.pendingAcks.set(id, (seq) => {
        fromBus = seq;
        resolve();
      });
    });
    try {
      let afterSeq = baseline;
      let delay = 25;
      let searchedAll = false;
      while (!this.closed && Date.now() < deadline) {
        if (fromBus !== undefined) return this.send({ type: 'ack', id, seq: fromBus });
        const entries = await this.deps.conversations.transcriptIfStarted(this.conversationId, afterSeq);
        const hit = entries.find((e) => e.from === 'customer' && e.messageId === id);
        if (hit) return this.send({ type: 'ack', id, seq: hit.seq });
        if (!searchedAll && baseline > 0) {
          // Not after the baseline: it may be a resend of an older message.
          searchedAll = true;
          afterSeq = 0;
          continue;
        }
        afterSeq = baseline;
        await Promise.race([viaBus, sleep(delay)]);
        delay = Math.min(delay * 2, 1000);
      }
      if (fromBus !== undefined) return this.send({ type: 'ack', id, seq: fromBus });
      if (!this.closed) {
        this.sendError(
          new ApiError(ApiErrorCode.Unavailable, 'message sent but not yet recorded; it will appear in the transcript'),
          id,
        );
      }
    } catch (error) {
      this.sendError(toApiError(error, this.conversationId), id);
    } finally {
      this.pendingAcks.delete(id);
    }
  }

  // --- outbound --------------------------------------------------------------

  private enqueueOutbound(task: () => Promise<void>): void {
    this.outbound = this.outbound
      .then(() => (this.closed ? undefined : task()))
      .catch((error: unknown) => {
        const apiError = toApiError(error, this.conversationId);
        this.deps.logger.warn({ err: error, conversationId: this.conversationId }, 'customer socket delivery failed');
        this.sendError(apiError);
      });
  }

  /** Every entry after `afterSeq`, in order — or, when the conversation no longer holds `afterSeq`, a clear error instead of silence. */
  private async resume(afterSeq: number): Promise<void> {
    this.knownSeq = Math.max(this.knownSeq, afterSeq);
    const { entries, lost } = await this.deps.conversations.resumeAfter(this.conversationId, afterSeq);
    if (lost) {
      this.deps.logger.warn({ conversationId: this.conversationId, afterSeq }, 'resume: the conversation no longer holds the entries the client has seen');
      this.sendError(new ApiError(ApiErrorCode.ConversationLost, LOST_TEXT[this.claims.locale ?? 'en']));
      return;
    }
    for (const entry of entries) if (entry.seq > afterSeq) this.sendEntry(entry);
    this.deliveredSeq = Math.max(this.deliveredSeq, afterSeq, ...entries.map((e) => e.seq));
  }

  private async deliverLive(entry: TranscriptEntry): Promise<void> {
    if (entry.seq <= this.deliveredSeq) return;
    if (entry.seq > this.deliveredSeq + 1) {
      // A gap: entries the bus did not bring (or that the workflow does not publish). Fill from the transcript.
      const missing = await this.deps.conversations.transcriptIfStarted(this.conversationId, this.deliveredSeq);
      for (const e of missing) {
        if (e.seq > this.deliveredSeq) {
          this.sendEntry(e);
          this.deliveredSeq = e.seq;
        }
      }
    }
    if (entry.seq <= this.deliveredSeq) return;
    this.sendEntry(entry);
    this.deliveredSeq = entry.seq;
  }

  private sendEntry(entry: TranscriptEntry): void {
    this.send({ type: 'message', seq: entry.seq, from: entry.from, text: entry.text, at: entry.at, ...(entry.image ? { image: entry.image } : {}) });
  }

  private async sendStatus(phase: Phase, agent: { id: string; name: string } | undefined): Promise<void> {
    const entered = phase === 'queued' && this.phase !== 'queued';
    this.phase = phase;
    // Entering the queue renews this socket's presence at once (no refresh was due while the AI had the chat).
    if (entered) this.heartbeat();
    const frame: ServerFrame = { type: 'status', phase };
    if (phase === 'queued' && this.skill) {
      const queue = await this.deps.queueInfo(this.conversationId, this.skill);
      if (queue) frame.queue = queue;
    }
    if (phase === 'human' && agent) frame.agent = { id: agent.id, name: agent.name };
    const json = JSON.stringify(frame);
    // Repeated identical status frames are noise, except that a waiting customer hears from us at least every 30 s.
    const now = Date.now();
    if (json === this.lastStatusJson && !(phase === 'queued' && now - this.lastStatusAt >= STATUS_AT_LEAST_EVERY_MS)) return;
    this.lastStatusJson = json;
    this.lastStatusAt = now;
    this.sendRaw(json);
  }

  private sendError(error: ApiError, id?: string): void {
    this.send({ type: 'error', code: error.code, message: error.message, ...(id ? { id } : {}) });
  }

  private send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  private sendRaw(json: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(json);
  }
}

/** The client id of a refused message frame, so the client knows which one (undefined for anything else). */
function frameId(raw: string): string | undefined {
  try {
    const id = (JSON.parse(raw) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 100 ? id : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
