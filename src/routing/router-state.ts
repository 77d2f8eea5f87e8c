/**
 * The router's state and rules for one skill queue: the live queue in
 * service-level order, the roster of agents as they report themselves, the
 * pending offers and the measured handle times. Pure; the router workflow
 * (src/workflows/router.ts) wires these to messages and runs the effects.
 *
 * Push assignment: each routing pass walks the queue in order and offers
 * each conversation without a pending offer to the best agent who is
 * online, has a free slot, holds no offer from this router and has not
 * declined this conversation lately — "best" by the configured strategy
 * (./strategies.ts). An offer ends by accept (the conversation leaves the
 * queue), decline, timeout or the agent being unavailable; the conversation
 * then goes to the next agent. The agent entity, not this roster, is the
 * authority on capacity: an offer to an agent who filled up meanwhile is
 * refused by the agent and simply moves on.
 *
 * State is JSON-safe (arrays only) for continue-as-new.
 */
import { compareQueued } from '../domain/routing-policy';
import type { OutboundEvent } from '../workflows/contract';
import type {
  AgentSnapshot,
  DequeueRequest,
  OfferEnded,
  OfferRequest,
  QueueEntryView,
  QueueRequest,
  QueueSnapshot,
  RouterInput,
  RouterSettings,
} from './contract';
import { estimateArrivals, medianOr } from './eta';
import { levelIn } from './scoring';
import { pickAgent } from './strategies';

export const ROUTER_STATE_VERSION = 1;
/** Accept latencies kept (time from offer to the conversation leaving the queue with that agent). */
const ACCEPT_SAMPLES = 50;
/** Assumed until enough accepts were measured. */
const DEFAULT_ACCEPT_MS = 10_000;

export interface QueueItem extends QueueRequest {
  enqueuedAt: string;
  /** Agents who declined it or let it lapse, and when: not offered it again until the cooldown ends. */
  declined: { agentId: string; at: string }[];
}

export interface PendingOffer {
  offerId: string;
  conversationId: string;
  agentId: string;
  at: string;
  expiresAt: string;
}

export interface RouterState {
  schema: typeof ROUTER_STATE_VERSION;
  skill: string;
  routerId: string;
  taskQueue: string;
  settings: RouterSettings;
  /** Always kept in queue order. */
  queue: QueueItem[];
  roster: AgentSnapshot[];
  offers: PendingOffer[];
  handleSamples: number[];
  acceptSamples: number[];
  /** Agent offered last (round-robin). */
  lastOffered?: string;
  offerSeq: number;
  /** Routing decisions made (offers sent), for the record. */
  decisions: number;
  asOf: string;
}

export type RouterEffect =
  | { kind: 'offer'; agentId: string; offer: OfferRequest }
  | { kind: 'withdraw'; agentId: string; offerId: string }
  | { kind: 'publish'; event: OutboundEvent };

export interface RouterStep {
  state: RouterState;
  effects: RouterEffect[];
}

export class InvalidRouterStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRouterStateError';
  }
}

export function initialRouterState(input: RouterInput, routerId: string, now: string): RouterState {
  if (input.carried !== undefined) return restoreRouterState(input.carried);
  if (!input || typeof input.skill !== 'string' || !input.settings) throw new InvalidRouterStateError('router needs a skill and settings');
  return {
    schema: ROUTER_STATE_VERSION,
    skill: input.skill,
    routerId,
    taskQueue: input.taskQueue,
    settings: input.settings,
    queue: [],
    roster: [],
    offers: [],
    handleSamples: [],
    acceptSamples: [],
    offerSeq: 0,
    decisions: 0,
    asOf: now,
  };
}

export function restoreRouterState(carried: unknown): RouterState {
  const s = carried as RouterState;
  if (!s || s.schema !== ROUTER_STATE_VERSION || !Array.isArray(s.queue) || !Array.isArray(s.roster)) {
    throw new InvalidRouterStateError('carried state is not a router state of this version');
  }
  return s;
}

function sortQueue(queue: QueueItem[], settings: RouterSettings): QueueItem[] {
  return [...queue].sort((a, b) => compareQueued(a, b, settings.queueTargetsMs));
}

function isQueueRequest(r: QueueRequest | undefined): r is QueueRequest {
  return !!r && typeof r.conversationId === 'string' && r.conversationId !== '' && typeof r.waitingSince === 'string' && !Number.isNaN(Date.parse(r.waitingSince));
}

export function applySettings(state: RouterState, settings: RouterSettings): RouterState {
  return { ...state, settings, queue: sortQueue(state.queue, settings) };
}

/** Enters or updates a waiting conversation (an upsert: priority bumps and re-sends are safe). */
export function enqueue(state: RouterState, req: QueueRequest, now: string): RouterState {
  if (!isQueueRequest(req)) return state;
  const existing = state.queue.find((q) => q.conversationId === req.conversationId);
  const item: QueueItem = { ...req, enqueuedAt: existing?.enqueuedAt ?? now, declined: existing?.declined ?? [] };
  const queue = existing ? state.queue.filter((q) => q !== existing) : [...state.queue];
  // Binary insertion into the already ordered queue: a burst of arrivals stays linear per arrival, not a sort each.
  const targets = state.settings.queueTargetsMs;
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareQueued(queue[mid], item, targets) <= 0) lo = mid + 1;
    else hi = mid;
  }
  queue.splice(lo, 0, item);
  return { ...state, queue };
}

/** The conversation left the queue: its pending offer (to anyone but the agent who got it) is taken back. */
export function dequeue(state: RouterState, req: DequeueRequest, now: string): RouterStep {
  if (!req || typeof req.conversationId !== 'string') return { state, effects: [] };
  const offer = state.offers.find((o) => o.conversationId === req.conversationId);
  const effects: RouterEffect[] = [];
  let acceptSamples = state.acceptSamples;
  if (offer) {
    if (req.reason === 'assigned' && req.agentId === offer.agentId) {
      acceptSamples = [...acceptSamples, Math.max(0, Date.parse(now) - Date.parse(offer.at))].slice(-ACCEPT_SAMPLES);
    } else {
      effects.push({ kind: 'withdraw', agentId: offer.agentId, offerId: offer.offerId });
    }
  }
  return {
    state: {
      ...state,
      queue: state.queue.filter((q) => q.conversationId !== req.conversationId),
      offers: state.offers.filter((o) => o.conversationId !== req.conversationId),
      acceptSamples,
    },
    effects,
  };
}

/** An agent's report; an agent without this skill any more leaves the roster. */
export function agentStatus(state: RouterState, snap: AgentSnapshot): RouterState {
  if (!snap || typeof snap.agentId !== 'string') return state;
  const existing = state.roster.find((a) => a.agentId === snap.agentId);
  if (existing && existing.version > snap.version) return state;
  const rest = state.roster.filter((a) => a.agentId !== snap.agentId);
  const serves = snap.skills.some((s) => s.skill === state.skill);
  return { ...state, roster: serves ? [...rest, snap] : rest };
}

export function offerEnded(input: RouterState, e: OfferEnded, now: string): RouterState {
  const state = e?.agent ? agentStatus(input, e.agent) : input;
  const offer = state.offers.find((o) => o.offerId === e?.offerId);
  if (!offer) return state;
  const queue = state.queue.map((q) =>
    q.conversationId === offer.conversationId && e.outcome !== 'accepted'
      ? { ...q, declined: [...q.declined.filter((d) => d.agentId !== offer.agentId), { agentId: offer.agentId, at: now }] }
      : q,
  );
  return { ...state, queue, offers: state.offers.filter((o) => o !== offer) };
}

export function handled(state: RouterState, sample: { handleMs: number }): RouterState {
  if (!sample || !Number.isFinite(sample.handleMs) || sample.handleMs < 0) return state;
  return { ...state, handleSamples: [...state.handleSamples, sample.handleMs].slice(-state.settings.handleSamples) };
}

/** Offers nobody answered long after they expired (a lost message) count as lapsed. */
export function expireOffers(state: RouterState, now: string): RouterState {
  const nowMs = Date.parse(now);
  let next = state;
  for (const offer of state.offers) {
    if (Date.parse(offer.expiresAt) + state.settings.offerGraceMs <= nowMs) {
      next = offerEnded(next, { offerId: offer.offerId, conversationId: offer.conversationId, agentId: offer.agentId, outcome: 'timeout' }, now);
    }
  }
  return next;
}

export function handleMsOf(state: RouterState): { handleMs: number; measured: boolean } {
  const measured = state.handleSamples.length >= 5;
  return { handleMs: medianOr(state.handleSamples, state.settings.defaultHandleMs), measured };
}

/**
 * One routing pass: offers for every conversation that can be offered now.
 * Returns the offers as effects; the agents they go to count as busy for
 * the rest of the pass.
 */
export function route(state: RouterState, now: string): RouterStep {
  const nowMs = Date.parse(now);
  const cooldown = state.settings.declineCooldownMs;
  const offeredAgents = new Set(state.offers.map((o) => o.agentId));
  const offeredConversations = new Set(state.offers.map((o) => o.conversationId));
  let available = state.roster.filter((a) => a.presence === 'online' && a.used < a.capacity && !offeredAgents.has(a.agentId) && levelIn(a, state.skill) > 0);
  if (available.length === 0) return { state: { ...state, asOf: now }, effects: [] };
  const { handleMs } = handleMsOf(state);
  const effects: RouterEffect[] = [];
  const offers = [...state.offers];
  let { offerSeq, lastOffered, decisions } = state;
  for (const entry of state.queue) {
    if (available.length === 0) break;
    if (offeredConversations.has(entry.conversationId)) continue;
    const declined = new Set(entry.declined.filter((d) => nowMs - Date.parse(d.at) < cooldown).map((d) => d.agentId));
    const candidates = available.filter((a) => !declined.has(a.agentId));
    const pick = pickAgent(
      state.settings.strategy,
      candidates,
      { skill: state.skill, language: entry.language, skillHandleMs: handleMs, nowMs },
      state.settings.weights,
      lastOffered,
    );
    if (!pick) continue;
    offerSeq += 1;
    decisions += 1;
    const offerId = `${state.skill}:${offerSeq}`;
    const expiresAt = new Date(nowMs + state.settings.offerTimeoutMs).toISOString();
    const request: OfferRequest = {
      offerId,
      conversationId: entry.conversationId,
      skill: state.skill,
      priority: entry.priority,
      tier: entry.tier,
      language: entry.language,
      waitingSince: entry.waitingSince,
      expiresAt,
      reasons: entry.reasons,
      ...(entry.intent ? { intent: entry.intent } : {}),
      routerId: state.routerId,
    };
    offers.push({ offerId, conversationId: entry.conversationId, agentId: pick.agent.agentId, at: now, expiresAt });
    effects.push({ kind: 'offer', agentId: pick.agent.agentId, offer: request });
    lastOffered = pick.agent.agentId;
    available = available.filter((a) => a.agentId !== pick.agent.agentId);
  }
  return { state: { ...state, offers, offerSeq, lastOffered, decisions, asOf: now }, effects };
}

/** The earliest instant the router must wake (an offer's grace ends), if any. */
export function nextRouterDeadline(state: RouterState): number | undefined {
  const times = state.offers.map((o) => Date.parse(o.expiresAt) + state.settings.offerGraceMs);
  const declines = state.queue.flatMap((q) => q.declined.map((d) => Date.parse(d.at) + state.settings.declineCooldownMs));
  const all = [...times, ...declines].filter((t) => Number.isFinite(t));
  return all.length > 0 ? Math.min(...all) : undefined;
}

function offeredEta(offer: PendingOffer, acceptMs: number, nowMs: number): number {
  const usual = Date.parse(offer.at) + acceptMs;
  return usual > nowMs ? usual : Math.max(nowMs, Date.parse(offer.expiresAt));
}

/** Positions, estimates and the roster at `state.asOf`. */
export function snapshot(state: RouterState): QueueSnapshot {
  const nowMs = Date.parse(state.asOf);
  const online = state.roster.filter((a) => a.presence === 'online');
  const { handleMs, measured } = handleMsOf(state);
  const acceptMs = Math.min(medianOr(state.acceptSamples, DEFAULT_ACCEPT_MS), state.settings.offerTimeoutMs);
  const offerOf = new Map(state.offers.map((o) => [o.conversationId, o] as const));
  const waiting = state.queue.filter((q) => !offerOf.has(q.conversationId));
  const arrivals = estimateArrivals({
    agents: online.map((a) => ({ capacity: a.capacity, used: a.used, activeSince: a.activeSince })),
    handleMs,
    acceptMs,
    overdueFraction: state.settings.overdueFraction,
    nowMs,
    count: waiting.length,
  });
  const etaOf = new Map(waiting.map((q, i) => [q.conversationId, arrivals[i]] as const));
  const entries: QueueEntryView[] = state.queue.map((q, i) => {
    const offer = offerOf.get(q.conversationId);
    // Offered: agents usually answer within the accept time; past it, the latest this agent can still take it.
    const eta = offer ? offeredEta(offer, acceptMs, nowMs) : etaOf.get(q.conversationId);
    const { enqueuedAt: _e, declined: _d, ...request } = q;
    return {
      ...request,
      position: i + 1,
      ...(eta !== undefined ? { etaAt: new Date(eta).toISOString() } : {}),
      ...(offer ? { offeredTo: offer.agentId } : {}),
    };
  });
  return {
    skill: state.skill,
    asOf: state.asOf,
    entries,
    agents: {
      online: online.length,
      away: state.roster.filter((a) => a.presence === 'away').length,
      offline: state.roster.filter((a) => a.presence === 'offline').length,
      capacityOnline: online.reduce((n, a) => n + a.capacity, 0),
      freeOnline: online.reduce((n, a) => n + Math.max(0, a.capacity - a.used), 0),
    },
    handleMs,
    handleMeasured: measured,
    strategy: state.settings.strategy,
    roster: state.roster.map((a) => ({
      agentId: a.agentId,
      name: a.name,
      presence: a.presence,
      used: a.used,
      capacity: a.capacity,
      level: levelIn(a, state.skill),
      performance: a.performance,
    })),
  };
}
