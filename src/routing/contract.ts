/**
 * The routing contract: every message of the two routing entities, their
 * payloads, results and workflow ids, defined once.
 *
 * - The **agent entity** (`agentWorkflow`, one per agent) is the authority on
 *   an agent's presence, capacity and slots: a slot is taken by a claim
 *   (`reserveSlotUpdate`), an offer it accepted, or an assignment; its update
 *   validator refuses a slot beyond `maxConcurrent`, and validators run one
 *   at a time against state the previous handler already changed, so no
 *   number of simultaneous claims can exceed it.
 * - The **router** (`routerWorkflow`, one per skill queue) holds the live
 *   queue of that skill in service-level order, the roster of its agents as
 *   they report themselves, and the measured handle times; it offers the head
 *   of the queue to the best agent (offer → accept / decline / timeout → next).
 * - The conversation workflow talks to both only through these messages
 *   (signals to external workflows); the gateway through updates and queries.
 *
 * Workflow-safe: no Node built-ins, only definitions and types. Wire names
 * never change once shipped.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  EscalationReason,
  HandleOutcome,
  Intent,
  Language,
  OfferEventBody,
  OfferOutcome,
  Presence,
  Priority,
  Skill,
  Tier,
} from '../workflows/contract';

export type { OfferOutcome, Presence } from '../workflows/contract';

// ---------------------------------------------------------------------------
// Ids: scoped by task queue, so two deployments (or two test suites) sharing
// a namespace never share an entity.
// ---------------------------------------------------------------------------

export function agentWorkflowId(taskQueue: string, agentId: string): string {
  return `switchboard-agent:${taskQueue}:${agentId}`;
}

export function routerWorkflowId(taskQueue: string, skill: Skill): string {
  return `switchboard-router:${taskQueue}:${skill}`;
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

export const AGENT_ROLES = ['agent', 'supervisor', 'operator'] as const;
/** supervisor: receives SLA alerts and reads the desk; operator: all of that and the operator API. */
export type AgentRole = (typeof AGENT_ROLES)[number];

export const STRATEGIES = ['round_robin', 'best_match', 'load_balance', 'mixed'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Weights of the mixed score (the design's 40 / 30 / 20 / 10); any non-negative numbers, normalised by their sum. */
export interface ScoreWeights {
  skill: number;
  performance: number;
  load: number;
  availability: number;
}

export interface AgentSkill {
  skill: Skill;
  /** Proficiency 1 (new) … 5 (expert); 3 when the agents file does not say. */
  level: number;
}

export interface AgentProfile {
  id: string;
  name: string;
  role: AgentRole;
  skills: AgentSkill[];
  /** Languages the agent serves customers in. */
  languages: Language[];
  maxConcurrent: number;
}

/** Timers of the agent entity, from configuration. */
export interface AgentSettings {
  /** How long an offer waits for accept or decline. */
  offerTimeoutMs: number;
  /** A claim's slot held without the conversation confirming the assignment is freed after this. */
  reservationTtlMs: number;
  /** One socket report counts as connected for this long; gateways refresh at a third of it. */
  presenceLeaseMs: number;
  /** After this many offers in a row that timed out, the agent is set away. 0 = never. */
  awayAfterMissedOffers: number;
  /** Finished conversations remembered for the performance score. */
  historySize: number;
  /** History events per run before continuing as new (the SDK's suggestion may come first). */
  eventsPerRun?: number;
}

// ---------------------------------------------------------------------------
// Agent entity
// ---------------------------------------------------------------------------

export type SlotState = 'offered' | 'accepting' | 'reserved' | 'active';

export interface AgentSlot {
  conversationId: string;
  skill: Skill;
  state: SlotState;
  /** ISO time the slot was taken (active: the assignment). */
  since: string;
  offerId?: string;
  /** Offered / accepting / reserved slots lapse at this time (ISO). */
  expiresAt?: string;
  /** What the agent was offered (offered and accepting slots). */
  offer?: OfferEventBody;
  /** The router that made the offer, to answer it. */
  routerId?: string;
}

export interface FinishedConversation {
  conversationId: string;
  skill: Skill;
  handleMs: number;
  outcome: HandleOutcome;
  at: string;
}

export interface AgentPerformance {
  /** Finished conversations the figures rest on. */
  samples: number;
  /** Share resolved (closed or handed back to the AI) rather than re-queued, transferred or left silent; undefined without samples. */
  resolutionRate?: number;
  medianHandleMs?: number;
}

export interface AgentView {
  profile: AgentProfile;
  presence: Presence;
  /** The status the agent chose (online / away / offline); `presence` also needs a live socket. */
  status: Presence;
  connections: number;
  /** Slots holding a conversation (active) or about to (reserved, accepting). */
  load: number;
  /** Slots held by pending offers. */
  offered: number;
  capacity: number;
  slots: AgentSlot[];
  performance: AgentPerformance;
  missedOffers: number;
  since: string;
}

/** What an agent reports to the routers of its skills whenever it changes. */
export interface AgentSnapshot {
  agentId: string;
  name: string;
  presence: Presence;
  /** Slots in use (active + reserved + accepting + offered), across all skills. */
  used: number;
  capacity: number;
  /** Start times (ISO) of the active slots, for the wait estimate. */
  activeSince: string[];
  skills: AgentSkill[];
  languages: Language[];
  performance: AgentPerformance;
  /** Recent declined or missed offers (ISO times), for the availability score. */
  recentMisses: string[];
  /** When the presence last changed (ISO). */
  since: string;
  /** Increases with every report: a router ignores an older one that arrives late. */
  version: number;
}

export interface AgentEntityInput {
  profile: AgentProfile;
  settings: AgentSettings;
  taskQueue: string;
  /** State carried over by continue-as-new. */
  carried?: unknown;
  /** Messages the previous run had queued and not sent (src/workflows/outbox.ts CarriedOutbox). */
  outbox?: unknown;
}

/** The gateway (re)states the profile and settings from the agents file at start. */
export const agentProfileSignal = defineSignal<[{ profile: AgentProfile; settings: AgentSettings }]>('agentProfile');

export interface AgentConnection {
  /** One agent socket (a gateway-made id). */
  connectionId: string;
  /** open / alive (periodic refresh) / closed. */
  state: 'open' | 'alive' | 'closed';
}
export const agentConnectionSignal = defineSignal<[AgentConnection]>('agentConnection');

/** A router offers a conversation (sent only by routers). */
export interface OfferRequest extends OfferEventBody {
  /** Workflow id of the router to answer. */
  routerId: string;
}
export const agentOfferSignal = defineSignal<[OfferRequest]>('agentOffer');

/** The router takes an offer back (the conversation left the queue). */
export const agentWithdrawOfferSignal = defineSignal<[{ offerId: string }]>('agentWithdrawOffer');

/** The conversation workflow: an agent's part began (assigned) or ended. */
export interface SlotEvent {
  conversationId: string;
  kind: 'assigned' | 'ended';
  skill: Skill;
  outcome?: HandleOutcome;
  handleMs?: number;
}
export const agentSlotSignal = defineSignal<[SlotEvent]>('agentSlot');

/** The gateway: a claim that got its slot but not the conversation gives the slot back. */
export const agentReleaseSlotSignal = defineSignal<[{ conversationId: string }]>('agentReleaseSlot');

export interface PresenceInput {
  status: Presence;
}
export const setPresenceUpdate = defineUpdate<AgentView, [PresenceInput]>('setPresence');

export interface ReserveInput {
  conversationId: string;
  skill: Skill;
}
/**
 * Validator rejects with {@link RoutingErrorCode.AtCapacity} when every slot is
 * taken, {@link RoutingErrorCode.NotAvailable} when the agent chose away or offline.
 */
export const reserveSlotUpdate = defineUpdate<AgentView, [ReserveInput]>('reserveSlot');

export interface OfferResponse {
  offerId: string;
  accept: boolean;
}
export interface OfferAnswer {
  conversationId: string;
  skill: Skill;
}
/** Validator rejects with {@link RoutingErrorCode.OfferNotFound} for an unknown, expired or answered offer. */
export const respondOfferUpdate = defineUpdate<OfferAnswer, [OfferResponse]>('respondOffer');

export const agentViewQuery = defineQuery<AgentView>('agentView');

// ---------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------

export interface RouterSettings {
  strategy: Strategy;
  weights: ScoreWeights;
  /** Target wait per priority (ms): the queue is served earliest deadline first. */
  queueTargetsMs: Record<Priority, number>;
  /** Handle time assumed before enough have been measured. */
  defaultHandleMs: number;
  /** Handle-time samples kept (the estimate uses their median once there are 5). */
  handleSamples: number;
  /** An offer the agent never answered counts as timed out this long after it expired (lost messages). */
  offerGraceMs: number;
  /** Offer timeout (the agent entity's clock decides; the router uses it for the estimate). */
  offerTimeoutMs: number;
  /** While the queue is not empty, estimates are recomputed and pushed at least this often. */
  refreshMs: number;
  /** An agent who declined a conversation is not offered it again for this long. */
  declineCooldownMs: number;
  /** For an agent past the expected end of a conversation, the estimate assumes this share of a handle time is left. */
  overdueFraction: number;
  /** History events per run before continuing as new (the SDK's suggestion may come first). */
  eventsPerRun?: number;
}

export interface RouterInput {
  skill: Skill;
  taskQueue: string;
  settings: RouterSettings;
  /** State carried over by continue-as-new. */
  carried?: unknown;
  /** Messages the previous run had queued and not sent (src/workflows/outbox.ts CarriedOutbox). */
  outbox?: unknown;
}

export const routerSettingsSignal = defineSignal<[RouterSettings]>('routerSettings');

export interface QueueRequest {
  conversationId: string;
  customerId: string;
  tier: Tier;
  language: Language;
  priority: Priority;
  reasons: EscalationReason[];
  intent?: Intent;
  /** ISO time the wait began. */
  waitingSince: string;
}
/** The conversation entered (or is still in) this skill's queue; an upsert. */
export const enqueueSignal = defineSignal<[QueueRequest]>('enqueue');

export interface DequeueRequest {
  conversationId: string;
  reason: 'assigned' | 'closed' | 'abandoned' | 'released' | 'transferred' | 'overflow';
  agentId?: string;
}
export const dequeueSignal = defineSignal<[DequeueRequest]>('dequeue');

export const agentStatusSignal = defineSignal<[AgentSnapshot]>('agentStatus');

export interface OfferEnded {
  offerId: string;
  conversationId: string;
  agentId: string;
  outcome: OfferOutcome;
  /**
   * The agent's report as of the answer, sent along so the router routes once
   * on both (the freed slot goes to the next conversation in one pass, not two).
   */
  agent?: AgentSnapshot;
}
export const offerEndedSignal = defineSignal<[OfferEnded]>('offerEnded');

/** An agent finished a conversation of this skill: one handle-time sample. */
export const handledSignal = defineSignal<[{ conversationId: string; agentId: string; handleMs: number }]>('handled');

export interface QueueEntryView {
  conversationId: string;
  customerId: string;
  tier: Tier;
  language: Language;
  priority: Priority;
  reasons: EscalationReason[];
  intent?: Intent;
  waitingSince: string;
  /** 1-based place in this skill's queue. */
  position: number;
  /** When an agent is expected (ISO); undefined when nobody who could take it is online. */
  etaAt?: string;
  /** The agent it is offered to right now. */
  offeredTo?: string;
}

export interface QueueSnapshot {
  skill: Skill;
  /** Workflow time the positions and estimates were computed at (ISO). */
  asOf: string;
  entries: QueueEntryView[];
  agents: { online: number; away: number; offline: number; capacityOnline: number; freeOnline: number };
  /** The handle time the estimate uses, and whether it was measured or assumed. */
  handleMs: number;
  handleMeasured: boolean;
  strategy: Strategy;
  roster: RosterAgentView[];
}

export interface RosterAgentView {
  agentId: string;
  name: string;
  presence: Presence;
  used: number;
  capacity: number;
  level: number;
  performance: AgentPerformance;
}

export const queueSnapshotQuery = defineQuery<QueueSnapshot>('queueSnapshot');

// ---------------------------------------------------------------------------
// Errors (ApplicationFailure.type)
// ---------------------------------------------------------------------------

export enum RoutingErrorCode {
  AtCapacity = 'at_capacity',
  OfferNotFound = 'offer_not_found',
  /** The agent set themselves away or offline: no new conversations until they are online again. */
  NotAvailable = 'not_available',
}
