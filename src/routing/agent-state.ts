/**
 * The agent entity's state and rules: presence, slots (capacity) and recent
 * history. Pure "state in, new state and effects out" functions; the agent
 * workflow (src/workflows/agent.ts) only wires them to messages and runs the
 * effects (signals to routers, events to the bus).
 *
 * Capacity: every slot counts — active conversations, claims on their way
 * (reserved), offers waiting for an answer and offers being accepted. The
 * reserve and respond validators refuse what would exceed `maxConcurrent`,
 * and their handlers change the state before the next validator runs, so
 * simultaneous claims can never overfill an agent.
 *
 * Presence: `offline` when the agent chose it or has no live socket (each
 * socket report holds for `presenceLeaseMs`, so a gateway that died without
 * saying goodbye does not leave a ghost online); otherwise the status the
 * agent chose, `online` or `away`. Only online agents are offered work or
 * counted in estimates.
 *
 * State is JSON-safe (arrays, no Map/Set) for continue-as-new.
 */
import type { OfferEventBody, OutboundEvent, Presence } from '../workflows/contract';
import type {
  AgentEntityInput,
  AgentPerformance,
  AgentProfile,
  AgentSettings,
  AgentSlot,
  AgentSnapshot,
  AgentView,
  FinishedConversation,
  OfferAnswer,
  OfferEnded,
  OfferRequest,
  OfferResponse,
  ReserveInput,
  SlotEvent,
} from './contract';
import { RoutingErrorCode } from './contract';
import { medianOr } from './eta';

export const AGENT_STATE_VERSION = 1;
/** Declined or lapsed offers remembered for the availability score. */
const MISSES_KEPT = 10;
/** Sockets remembered; the oldest go first. */
const MAX_CONNECTIONS = 20;

export interface AgentEntityState {
  schema: typeof AGENT_STATE_VERSION;
  profile: AgentProfile;
  settings: AgentSettings;
  taskQueue: string;
  /** What the agent chose. */
  status: Presence;
  connections: { id: string; until: string }[];
  /** Effective presence as last computed, and since when. */
  presence: Presence;
  presenceSince: string;
  slots: AgentSlot[];
  history: FinishedConversation[];
  /** Offers in a row that lapsed without an answer. */
  missedOffers: number;
  recentMisses: string[];
  /** Skills whose routers have heard from this agent (to tell a router the agent left it). */
  reportedSkills: string[];
  version: number;
}

export type AgentEffect =
  | { kind: 'offerEnded'; routerId: string; ended: OfferEnded }
  | { kind: 'handled'; skill: string; conversationId: string; handleMs: number }
  | { kind: 'publish'; event: OutboundEvent }
  /** Presence, load, capacity or profile changed: tell the routers. */
  | { kind: 'report' };

export interface AgentStep {
  state: AgentEntityState;
  effects: AgentEffect[];
}

export class InvalidAgentStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAgentStateError';
  }
}

export function initialAgentState(input: AgentEntityInput, now: string): AgentEntityState {
  if (input.carried !== undefined) return restoreAgentState(input.carried);
  if (!input?.profile || typeof input.profile.id !== 'string' || !Number.isInteger(input.profile.maxConcurrent)) {
    throw new InvalidAgentStateError('agent entity needs a profile with an id and maxConcurrent');
  }
  return {
    schema: AGENT_STATE_VERSION,
    profile: input.profile,
    settings: input.settings,
    taskQueue: input.taskQueue,
    status: 'online',
    connections: [],
    presence: 'offline',
    presenceSince: now,
    slots: [],
    history: [],
    missedOffers: 0,
    recentMisses: [],
    reportedSkills: [],
    version: 0,
  };
}

export function restoreAgentState(carried: unknown): AgentEntityState {
  const s = carried as AgentEntityState;
  if (!s || s.schema !== AGENT_STATE_VERSION || !Array.isArray(s.slots) || !s.profile) {
    throw new InvalidAgentStateError('carried state is not an agent state of this version');
  }
  return s;
}

function effective(state: AgentEntityState, nowMs: number): Presence {
  if (state.status === 'offline') return 'offline';
  return state.connections.some((c) => Date.parse(c.until) > nowMs) ? state.status : 'offline';
}

function agentEvent(state: AgentEntityState, now: string): OutboundEvent {
  return {
    kind: 'agent',
    agentId: state.profile.id,
    presence: state.presence,
    status: state.status,
    load: load(state),
    capacity: state.profile.maxConcurrent,
    at: now,
  };
}

function load(state: AgentEntityState): number {
  return state.slots.filter((s) => s.state !== 'offered').length;
}

function used(state: AgentEntityState): number {
  return state.slots.length;
}

/** Recomputes presence; a change is published and reported, and an agent no longer online gives back pending offers. */
function settle(step: AgentStep, now: string): AgentStep {
  const nowMs = Date.parse(now);
  let { state } = step;
  const effects = [...step.effects];
  const presence = effective(state, nowMs);
  if (presence !== state.presence) {
    state = { ...state, presence, presenceSince: now };
    effects.push({ kind: 'publish', event: agentEvent(state, now) }, { kind: 'report' });
    if (presence !== 'online') {
      for (const slot of state.slots.filter((s) => s.state === 'offered')) {
        effects.push(...endOffer(state, slot, 'unavailable'));
      }
      state = { ...state, slots: state.slots.filter((s) => s.state !== 'offered') };
    }
  }
  return { state, effects };
}

function endOffer(state: AgentEntityState, slot: AgentSlot, outcome: OfferEnded['outcome']): AgentEffect[] {
  if (!slot.offerId || !slot.offer) return [];
  const ended: OfferEnded = { offerId: slot.offerId, conversationId: slot.conversationId, agentId: state.profile.id, outcome };
  const effects: AgentEffect[] = [
    { kind: 'publish', event: { kind: 'offer_ended', conversationId: slot.conversationId, agentId: state.profile.id, offerId: slot.offerId, outcome } },
  ];
  if (outcome !== 'withdrawn' && slot.routerId) effects.push({ kind: 'offerEnded', routerId: slot.routerId, ended });
  return effects;
}

export function applyProfile(state: AgentEntityState, update: { profile: AgentProfile; settings: AgentSettings }, now: string): AgentStep {
  if (!update?.profile || update.profile.id !== state.profile.id) return { state, effects: [] };
  const next = { ...state, profile: update.profile, settings: update.settings ?? state.settings };
  return settle({ state: next, effects: [{ kind: 'report' }, { kind: 'publish', event: agentEvent(next, now) }] }, now);
}

export function recordConnection(state: AgentEntityState, c: { connectionId: string; state: 'open' | 'alive' | 'closed' }, now: string): AgentStep {
  if (!c || typeof c.connectionId !== 'string' || c.connectionId === '' || c.connectionId.length > 100) return { state, effects: [] };
  const others = state.connections.filter((x) => x.id !== c.connectionId);
  const until = new Date(Date.parse(now) + state.settings.presenceLeaseMs).toISOString();
  const connections = c.state === 'closed' ? others : [...others, { id: c.connectionId, until }].slice(-MAX_CONNECTIONS);
  return settle({ state: { ...state, connections }, effects: [] }, now);
}

export function setStatus(state: AgentEntityState, status: Presence, now: string): AgentStep {
  // Choosing online again also forgets the lapsed offers that set the agent away.
  const next = { ...state, status, missedOffers: status === 'online' ? 0 : state.missedOffers };
  const step = settle({ state: next, effects: [] }, now);
  return step.state.presence === state.presence && status !== state.status
    ? { state: step.state, effects: [...step.effects, { kind: 'publish', event: agentEvent(step.state, now) }] }
    : step;
}

/**
 * Why a claim may not take a slot (undefined: it may). Holding the
 * conversation already is fine (a retried claim). An agent who chose away or
 * offline takes nothing new until online again; one who never opened a
 * socket may still claim from the list (pull needs no socket).
 */
export function reserveRejection(state: AgentEntityState, input: ReserveInput): RoutingErrorCode | undefined {
  if (state.slots.some((s) => s.conversationId === input.conversationId)) return undefined;
  if (state.status !== 'online') return RoutingErrorCode.NotAvailable;
  return used(state) >= state.profile.maxConcurrent ? RoutingErrorCode.AtCapacity : undefined;
}

export function reserve(state: AgentEntityState, input: ReserveInput, now: string): AgentStep {
  const existing = state.slots.find((s) => s.conversationId === input.conversationId);
  if (existing) {
    // A pending offer for the same conversation becomes the claim's slot (the agent claimed what it was offered).
    if (existing.state !== 'offered') return { state, effects: [] };
    const slots = state.slots.map((s) =>
      s === existing ? { ...s, state: 'reserved' as const, expiresAt: new Date(Date.parse(now) + state.settings.reservationTtlMs).toISOString() } : s,
    );
    return { state: { ...state, slots }, effects: [{ kind: 'report' }] };
  }
  const slot: AgentSlot = {
    conversationId: input.conversationId,
    skill: input.skill,
    state: 'reserved',
    since: now,
    expiresAt: new Date(Date.parse(now) + state.settings.reservationTtlMs).toISOString(),
  };
  return { state: { ...state, slots: [...state.slots, slot] }, effects: [{ kind: 'report' }, { kind: 'publish', event: agentEvent({ ...state, slots: [...state.slots, slot] }, now) }] };
}

/** A router's offer: taken (a slot held for it, the agent told) or refused at once. */
export function receiveOffer(state: AgentEntityState, offer: OfferRequest, now: string): AgentStep {
  const refuse = (): AgentStep => ({
    state,
    effects: [
      {
        kind: 'offerEnded',
        routerId: offer.routerId,
        ended: { offerId: offer.offerId, conversationId: offer.conversationId, agentId: state.profile.id, outcome: 'unavailable' },
      },
    ],
  });
  if (!offer || typeof offer.offerId !== 'string' || typeof offer.conversationId !== 'string') return { state, effects: [] };
  if (state.slots.some((s) => s.offerId === offer.offerId)) return { state, effects: [] };
  if (state.presence !== 'online' || used(state) >= state.profile.maxConcurrent) return refuse();
  if (state.slots.some((s) => s.conversationId === offer.conversationId)) return refuse();
  const expiresAt = new Date(Date.parse(now) + state.settings.offerTimeoutMs).toISOString();
  const body: OfferEventBody = { ...stripRouter(offer), expiresAt };
  const slot: AgentSlot = {
    conversationId: offer.conversationId,
    skill: offer.skill,
    state: 'offered',
    since: now,
    offerId: offer.offerId,
    expiresAt,
    offer: body,
    routerId: offer.routerId,
  };
  const next = { ...state, slots: [...state.slots, slot] };
  return {
    state: next,
    effects: [{ kind: 'publish', event: { kind: 'offer', conversationId: offer.conversationId, agentId: state.profile.id, offer: body } }, { kind: 'report' }],
  };
}

function stripRouter(offer: OfferRequest): OfferEventBody {
  const { routerId: _routerId, ...body } = offer;
  return body;
}

export function withdrawOffer(state: AgentEntityState, offerId: string): AgentStep {
  const slot = state.slots.find((s) => s.offerId === offerId && s.state === 'offered');
  if (!slot) return { state, effects: [] };
  return {
    state: { ...state, slots: state.slots.filter((s) => s !== slot) },
    effects: [...endOffer(state, slot, 'withdrawn'), { kind: 'report' }],
  };
}

/** Why an answer to an offer is refused (undefined: it may proceed). */
export function offerRejection(state: AgentEntityState, response: OfferResponse, nowMs: number): RoutingErrorCode | undefined {
  const slot = state.slots.find((s) => s.offerId === response?.offerId);
  if (!slot || slot.state !== 'offered') return RoutingErrorCode.OfferNotFound;
  if (slot.expiresAt && Date.parse(slot.expiresAt) <= nowMs) return RoutingErrorCode.OfferNotFound;
  return undefined;
}

export function respondOffer(state: AgentEntityState, response: OfferResponse, now: string): AgentStep & { answer: OfferAnswer } {
  const slot = state.slots.find((s) => s.offerId === response.offerId) as AgentSlot;
  const answer: OfferAnswer = { conversationId: slot.conversationId, skill: slot.skill };
  if (response.accept) {
    // Held until the claim lands (the conversation confirms) or the reservation lapses.
    const accepting: AgentSlot = { ...slot, state: 'accepting', expiresAt: new Date(Date.parse(now) + state.settings.reservationTtlMs).toISOString() };
    return { state: { ...state, missedOffers: 0, slots: state.slots.map((s) => (s === slot ? accepting : s)) }, effects: [], answer };
  }
  const next: AgentEntityState = {
    ...state,
    slots: state.slots.filter((s) => s !== slot),
    recentMisses: [...state.recentMisses, now].slice(-MISSES_KEPT),
  };
  return { state: next, effects: [...endOffer(state, slot, 'declined'), { kind: 'report' }], answer };
}

/** The conversation workflow: an agent's part began or ended. */
export function slotEvent(state: AgentEntityState, ev: SlotEvent, now: string): AgentStep {
  if (!ev || typeof ev.conversationId !== 'string') return { state, effects: [] };
  const existing = state.slots.find((s) => s.conversationId === ev.conversationId);
  if (ev.kind === 'assigned') {
    const active: AgentSlot = { conversationId: ev.conversationId, skill: ev.skill, state: 'active', since: now };
    // Without a slot (an operator's direct assignment) the conversation is taken anyway: people outrank the count.
    const slots = existing ? state.slots.map((s) => (s === existing ? active : s)) : [...state.slots, active];
    const next = { ...state, slots, missedOffers: 0 };
    return { state: next, effects: [{ kind: 'report' }, { kind: 'publish', event: agentEvent(next, now) }] };
  }
  if (!existing) return { state, effects: [] };
  const finished: FinishedConversation = {
    conversationId: ev.conversationId,
    skill: ev.skill ?? existing.skill,
    handleMs: Math.max(0, ev.handleMs ?? Date.parse(now) - Date.parse(existing.since)),
    outcome: ev.outcome ?? 'resolved',
    at: now,
  };
  const next: AgentEntityState = {
    ...state,
    slots: state.slots.filter((s) => s !== existing),
    history: [...state.history, finished].slice(-state.settings.historySize),
  };
  return {
    state: next,
    effects: [
      { kind: 'handled', skill: finished.skill, conversationId: ev.conversationId, handleMs: finished.handleMs },
      { kind: 'report' },
      { kind: 'publish', event: agentEvent(next, now) },
    ],
  };
}

/** The gateway's claim did not get the conversation: the slot goes back (an accepted offer also tells its router). */
export function releaseSlot(state: AgentEntityState, conversationId: string, now: string): AgentStep {
  const slot = state.slots.find((s) => s.conversationId === conversationId && (s.state === 'reserved' || s.state === 'accepting'));
  if (!slot) return { state, effects: [] };
  const next = { ...state, slots: state.slots.filter((s) => s !== slot) };
  return { state: next, effects: [...endOffer(state, slot, 'failed'), { kind: 'report' }, { kind: 'publish', event: agentEvent(next, now) }] };
}

/** Lapsed offers, reservations and socket reports at `now`. */
export function tick(state: AgentEntityState, now: string): AgentStep {
  const nowMs = Date.parse(now);
  const effects: AgentEffect[] = [];
  let next = state;
  const lapsed = next.slots.filter((s) => s.expiresAt !== undefined && Date.parse(s.expiresAt) <= nowMs);
  for (const slot of lapsed) {
    if (slot.state === 'offered') {
      effects.push(...endOffer(next, slot, 'timeout'));
      next = { ...next, missedOffers: next.missedOffers + 1, recentMisses: [...next.recentMisses, now].slice(-MISSES_KEPT) };
    } else {
      effects.push(...endOffer(next, slot, 'failed'));
    }
  }
  if (lapsed.length > 0) {
    next = { ...next, slots: next.slots.filter((s) => !lapsed.includes(s)) };
    effects.push({ kind: 'report' });
    const limit = next.settings.awayAfterMissedOffers;
    if (limit > 0 && next.missedOffers >= limit && next.status === 'online') next = { ...next, status: 'away' };
  }
  const connections = next.connections.filter((c) => Date.parse(c.until) > nowMs);
  if (connections.length !== next.connections.length) next = { ...next, connections };
  const settled = settle({ state: next, effects }, now);
  const statusChanged = settled.state.status !== state.status && settled.state.presence === state.presence;
  return statusChanged ? { state: settled.state, effects: [...settled.effects, { kind: 'publish', event: agentEvent(settled.state, now) }] } : settled;
}

/** The next instant something lapses (epoch ms), if any. */
export function nextAgentDeadline(state: AgentEntityState): number | undefined {
  const times = [
    ...state.slots.filter((s) => s.expiresAt !== undefined).map((s) => Date.parse(s.expiresAt as string)),
    ...state.connections.map((c) => Date.parse(c.until)),
  ].filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.min(...times) : undefined;
}

export function performanceOf(history: readonly FinishedConversation[]): AgentPerformance {
  if (history.length === 0) return { samples: 0 };
  const resolved = history.filter((h) => h.outcome === 'resolved' || h.outcome === 'released_ai').length;
  return {
    samples: history.length,
    resolutionRate: resolved / history.length,
    medianHandleMs: medianOr(
      history.map((h) => h.handleMs),
      0,
      1,
    ),
  };
}

export function agentView(state: AgentEntityState): AgentView {
  return {
    profile: state.profile,
    presence: state.presence,
    status: state.status,
    connections: state.connections.length,
    load: load(state),
    offered: state.slots.filter((s) => s.state === 'offered').length,
    capacity: state.profile.maxConcurrent,
    slots: state.slots.map(({ routerId: _routerId, ...slot }) => slot),
    performance: performanceOf(state.history),
    missedOffers: state.missedOffers,
    since: state.presenceSince,
  };
}

export function agentSnapshot(state: AgentEntityState, version: number): AgentSnapshot {
  return {
    agentId: state.profile.id,
    name: state.profile.name,
    presence: state.presence,
    used: used(state),
    capacity: state.profile.maxConcurrent,
    activeSince: state.slots.filter((s) => s.state === 'active').map((s) => s.since),
    skills: state.profile.skills,
    languages: state.profile.languages,
    performance: performanceOf(state.history),
    recentMisses: state.recentMisses,
    since: state.presenceSince,
    version,
  };
}
