/**
 * The conversation contract: every message type, payload and result, the task
 * queue, the workflow id helper and the search attribute keys, defined once.
 *
 * The workflow, the worker, the gateway, the agent API and the tests import
 * from here; nothing refers to a signal, update, query or search attribute by
 * a string literal. This module must stay workflow-safe: no Node built-ins, no
 * I/O, only `@temporalio/workflow` / `@temporalio/common` definitions and types.
 *
 * Wire names (the strings passed to `defineSignal` & co. and the search
 * attribute names) never change once shipped: running workflows depend on them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// ---------------------------------------------------------------------------
// Naming
// ---------------------------------------------------------------------------

/** Default task queue; `TASK_QUEUE` in the environment overrides it (see src/config.ts). */
export const DEFAULT_TASK_QUEUE = 'switchboard-conversations';

/** Workflow id of a conversation: one workflow per conversation. */
export function conversationWorkflowId(conversationId: string): string {
  return `conversation-${conversationId}`;
}

/** Inverse of {@link conversationWorkflowId}; undefined for ids that are not conversations. */
export function conversationIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith('conversation-') ? workflowId.slice('conversation-'.length) : undefined;
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

export const PHASES = ['ai', 'queued', 'human', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

export const TIERS = ['vip', 'enterprise', 'regular'] as const;
export type Tier = (typeof TIERS)[number];

/** Ordered most to least urgent. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Numeric rank for sorting: lower is more urgent. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

/**
 * A skill queue id. Skills come from configuration (the routing file, see
 * src/routing/config.ts), never from a closed list in code: the gateway
 * validates every skill it reads against that file at start, and the
 * workflow checks transfers against the skills in its policy.
 */
export type Skill = string;

/** What a skill id may look like (lower-case letters, digits, "_" and "-"; 1–32). */
export const SKILL_ID_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export const EMOTIONS = ['positive', 'neutral', 'negative', 'angry'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const ESCALATION_REASONS = [
  'explicit_request',
  'negative_emotion',
  'repeated_ai_failure',
  'high_value_refund',
  'too_many_turns',
  'vip_customer',
  'low_confidence',
  'tool_failure',
  'business_rule',
  'transfer',
  'released_to_queue',
  'agent_unresponsive',
  'wait_limit',
  /** An operator or router assigned an agent while the AI still had the conversation. */
  'agent_takeover',
  /** The customer demands compensation (money, vouchers): only a human may decide, never an automatic refund. */
  'compensation_request',
  /** An anonymous customer could not prove an order is theirs within the allowed tries. */
  'verification_failed',
  /** A complaint: the design sends complaints to people (complaintHandling 'human'). */
  'complaint',
  /** Legal words (lawyer, court, 起诉, 律师…): always a person, always urgent by default. */
  'legal_threat',
  /** The customer reports a system fault (site down, app crashing, 系统故障). */
  'system_fault',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** The 27 Bitext intents, under Bitext's own names. */
export const BITEXT_INTENTS = [
  'cancel_order',
  'change_order',
  'change_shipping_address',
  'check_cancellation_fee',
  'check_invoice',
  'check_payment_methods',
  'check_refund_policy',
  'complaint',
  'contact_customer_service',
  'contact_human_agent',
  'create_account',
  'delete_account',
  'delivery_options',
  'delivery_period',
  'edit_account',
  'get_invoice',
  'get_refund',
  'newsletter_subscription',
  'payment_issue',
  'place_order',
  'recover_password',
  'registration_problems',
  'review',
  'set_up_shipping_address',
  'switch_account',
  'track_order',
  'track_refund',
] as const;

/** Intents Switchboard adds to the Bitext catalog. */
export const EXTRA_INTENTS = [
  'product_inquiry',
  'price_inquiry',
  'installation_inquiry',
  'repair_request',
  'return_exchange',
  'points_inquiry',
  'greeting',
  'goodbye',
  'affirm',
  'deny',
  'out_of_scope',
] as const;

export const INTENTS = [...BITEXT_INTENTS, ...EXTRA_INTENTS] as const;
export type Intent = (typeof INTENTS)[number];

/** Which understanding layer decided the intent. */
export type NluLayer = 'rule' | 'model' | 'llm';

/** Entities extracted from one customer message (all optional). */
export interface Entities {
  /** 12-digit order number as a string, e.g. "100000000001". */
  orderNumber?: string;
  /** Money amount mentioned, with currency when stated ("USD", "CNY"). */
  amount?: { value: number; currency?: string };
  phone?: string;
  email?: string;
  /** Free-text reason (e.g. for a refund), when one can be picked out. */
  reason?: string;
  /** Refund method: original payment, store credit, bank transfer. */
  refundMethod?: 'original_payment' | 'store_credit' | 'bank_transfer';
  /** New shipping address, when the message carries one. */
  address?: string;
  /** Return or exchange. */
  returnType?: 'return' | 'exchange';
  /** Product or device described (repair, inquiry). */
  product?: string;
}

/** What the understanding step returns for one (merged) customer turn. */
export interface Understanding {
  intent: Intent;
  /** 0..1 */
  confidence: number;
  layer: NluLayer;
  entities: Entities;
  emotion: Emotion;
  language: Language;
  /** The customer explicitly asked for a human ("human", "转人工", ...). */
  humanRequested: boolean;
  /**
   * With a human request, what the rest of the message is about ("my card was
   * charged twice, I want a real person" → payment_issue), so the topic still
   * picks the queue and the priority.
   */
  topic?: { intent: Intent; confidence: number };
  /** The normalized text that was classified. */
  normalizedText: string;
  /**
   * A burst typed while the bot was busy is one turn; these are its messages,
   * each normalized, in order (absent for a turn of one message). The policy
   * reads "it arrived broken" + "store credit please" as two answers.
   */
  segments?: string[];
  /** The model's next likeliest intents after `intent` (best first), for clarifying questions. */
  alternatives?: { intent: Intent; confidence: number }[];
  /** Photos sent with this turn. */
  images?: ImageRef[];
  /** Entities found in the context handed over by an agent (release note, the human part), for the first turn after a release. */
  contextEntities?: Entities;
  /** The task the agent's release note names ("customer wants a refund"), when it names one clearly. */
  contextIntent?: Intent;
}

// ---------------------------------------------------------------------------
// Conversation data
// ---------------------------------------------------------------------------

export interface Customer {
  id: string;
  name?: string;
  tier: Tier;
  /**
   * True for a customer the gateway created without the integration key: the
   * id is random and proves nothing, so order tools need the order's email or
   * phone first. Absent or false: the id was vouched for by the integrating
   * back end, and the customer may act on the orders under that id only.
   */
  anonymous?: boolean;
  /** A paying customer (paid plan): high priority by default. Set by the integration. */
  paying?: boolean;
  /** Contact the back end knows (integration only): lets overflow offer a callback without asking. */
  phone?: string;
  email?: string;
}

export const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;

/** A customer image, stored by content hash outside the workflow (the workflow holds only this reference). */
/** What a described photo mainly shows (OPENAI_VISION_MODEL at upload). */
export const PHOTO_KINDS = ['damage', 'wrong_item', 'label', 'receipt', 'product', 'other'] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

export interface ImageRef {
  /** sha256 of the bytes, hex. */
  id: string;
  mime: (typeof IMAGE_MIMES)[number];
  bytes: number;
  /** With a vision model configured, what the gateway's model saw at upload (absent otherwise, or when it failed). */
  seen?: { shows: PhotoKind; description: string };
}

export interface AgentRef {
  id: string;
  name: string;
}

export type Speaker = 'customer' | 'bot' | 'agent' | 'system';

/** One transcript entry. `seq` starts at 1 and increases by one per entry, across continue-as-new. */
export interface TranscriptEntry {
  seq: number;
  from: Speaker;
  text: string;
  /** ISO-8601 time, from workflow time. */
  at: string;
  /** Client message id (customer or agent messages). */
  messageId?: string;
  /** Agent who wrote it (agent messages). */
  agentId?: string;
  /** A photo sent with (or as) the message. */
  image?: ImageRef;
}

export interface Escalation {
  reasons: EscalationReason[];
  priority: Priority;
  skill: Skill;
  /** ISO time the conversation started waiting. */
  at: string;
}

/** A business tool call as recorded for the handover. */
export interface ToolCallRecord {
  tool: ToolName;
  ok: boolean;
  /** Short, factual outcome ("order 100000000002 in transit", "timed out after 4 attempts"). */
  summary: string;
  at: string;
}

export const TOOL_NAMES = [
  'getOrder',
  'trackShipment',
  'submitRefund',
  'createReturn',
  'createRepair',
  'changeAddress',
  'cancelOrder',
  'createTicket',
  'verifyOrderContact',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The structured handover an agent receives when claiming a conversation. */
export interface Handover {
  conversationId: string;
  customer: Customer;
  language: Language;
  intent?: Intent;
  filledSlots: Record<string, string>;
  missingSlots: string[];
  orderIds: string[];
  toolCalls: ToolCallRecord[];
  /** What the AI tried, in plain words. */
  aiAttempts: string[];
  reasons: EscalationReason[];
  emotion: Emotion;
  priority: Priority;
  skill: Skill;
  recommendedAction: string;
  /** One-paragraph summary for the agent. */
  summary: string;
  /** 'llm' when the LLM wrote the summary, 'template' otherwise. */
  source: 'llm' | 'template';
  /** Language the summary and recommended action are written in (the agent's, else the conversation's). */
  handoverLanguage?: Language;
  /** Tasks the customer started and dropped or left, oldest first: kept so the agent sees the whole story. */
  droppedTasks?: { intent: Intent; slots: Record<string, string>; how: 'dropped' | 'switched' | 'unverified' }[];
  /** Earlier time with a human (agent turns, release note), when this is a second escalation. */
  humanPart?: { agentName?: string; note?: string; entries: TranscriptEntry[] }[];
  /** Photos the customer sent. */
  images?: ImageRef[];
}

/** The state query's answer: what the gateway, the agent API and operators see. */
export interface ConversationStateView {
  conversationId: string;
  phase: Phase;
  customer: Customer;
  language: Language;
  intent?: Intent;
  slots: Record<string, string>;
  emotion: Emotion;
  escalation?: Escalation;
  /** Present while queued: when waiting started (ISO), the skill queue, priority and wait-limit periods passed. */
  queue?: { waitingSince: string; skill: Skill; priority: Priority; periods: number };
  /** A leave-a-message / callback offer in progress (overflow or outside service hours). */
  contact?: { reason: 'overflow' | 'after_hours'; stage: string; choice?: 'message' | 'callback' };
  agent?: AgentRef;
  turnCount: number;
  lastSeq: number;
  closed?: { by: CloseBy; resolution?: string; at: string };
}

export type CloseBy = 'customer' | 'agent' | 'operator' | 'system';

// ---------------------------------------------------------------------------
// Workflow input
// ---------------------------------------------------------------------------

/** Start argument of {@link conversationWorkflow}. Must stay JSON-safe. */
export interface ConversationInput {
  conversationId: string;
  customer: Customer;
  locale?: Language;
  /** Threshold overrides; defaults live in src/domain. */
  policy?: Partial<PolicyConfig>;
  /** State carried over by continue-as-new. Absent on the first run. */
  carried?: unknown;
  /**
   * The client had seen entries up to this seq, but Temporal no longer had
   * the conversation (its history was lost): this run numbers its entries
   * after it and opens with a notice to the customer, so nothing the client
   * holds is silently overwritten by a new seq 1.
   */
  recoveredAfterSeq?: number;
}

// ---------------------------------------------------------------------------
// Routing policy: skills, service hours, priorities, service levels
// ---------------------------------------------------------------------------

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** When people staff a skill. Absent on a skill: always open. */
export interface ServiceHours {
  /** IANA time zone the windows and holidays are in, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** Opening windows per weekday as "HH:MM-HH:MM" local times; a day absent or empty is closed. */
  weekly: Partial<Record<Weekday, string[]>>;
  /** Closed dates, "YYYY-MM-DD" in that time zone. */
  holidays?: string[];
}

export interface SkillDefinition {
  id: Skill;
  /** What the customer is told ("our refunds team"). */
  label: Record<Language, string>;
  hours?: ServiceHours;
}

/** Cues read from the customer's words (src/domain/cues.ts), beside the intent. */
export const PRIORITY_CUES = ['legal', 'system_fault'] as const;
export type PriorityCue = (typeof PRIORITY_CUES)[number];

/** A priority applies when any one of its conditions holds. */
export interface PriorityRule {
  tiers?: Tier[];
  /** Matches customers the integration marked as paying. */
  paying?: boolean;
  intents?: Intent[];
  reasons?: EscalationReason[];
  emotions?: Emotion[];
  cues?: PriorityCue[];
}

/** Checked urgent → high → low; anything else is normal. */
export interface PriorityRules {
  urgent: PriorityRule;
  high: PriorityRule;
  low: PriorityRule;
}

/** What one wait-limit period does when it passes: remind the customer, alert supervisors, offer overflow. */
export const SLA_STEPS = ['remind', 'alert', 'overflow'] as const;
export type SlaStep = (typeof SLA_STEPS)[number];

export interface RoutingPolicy {
  skills: SkillDefinition[];
  /** Queue for topics no rule maps. */
  defaultSkill: Skill;
  /** VIP customers' desk, when there is one. */
  vipSkill?: Skill;
  /** Topic → queue. */
  intentSkills: Partial<Record<Intent, Skill>>;
  priorities: PriorityRules;
  /**
   * Service-level target per priority, in ms (the design's "within 5 / 15 / 30
   * minutes"). The queue serves the earliest deadline (waitingSince + target)
   * first, so a customer past the target is never overtaken by a new arrival.
   */
  queueTargetsMs: Record<Priority, number>;
  /** One step per wait-limit period (`waitLimitMs` of the tier); after the ladder, `repeat` cycles. */
  sla: { ladder: SlaStep[][]; repeat: SlaStep[] };
  /** A queued customer with no live socket for this long leaves the queue (abandoned). */
  abandonAfterMs: number;
  /** How long one customer socket report counts as "still here"; gateways refresh at a third of it. */
  presenceLeaseMs: number;
  /** 'human': complaints go to a person (the design); 'ticket': the AI files a complaint ticket. */
  complaintHandling: 'human' | 'ticket';
}

/** Tunable thresholds used by the policy (deterministic inputs to the workflow). */
export interface PolicyConfig {
  /** Refunds above this amount (USD) escalate. */
  refundEscalationAmount: number;
  /** More than this many AI turns escalate. */
  maxAiTurns: number;
  /** Consecutive AI failures (not understood / could not help) that escalate. */
  maxConsecutiveAiFailures: number;
  /** Consecutive low-confidence turns that escalate. */
  maxLowConfidenceTurns: number;
  /** Below this, understanding is "low confidence". */
  lowConfidenceThreshold: number;
  /** Tool failures (after retries) in a conversation that escalate. */
  maxToolFailures: number;
  /** Idle time before an AI-phase conversation closes, in ms. */
  idleCloseMs: number;
  /** Queue wait limit per tier before overflow, in ms. */
  waitLimitMs: Record<Tier, number>;
  /** Assigned agent silent this long → back to the queue, in ms. */
  agentSilenceMs: number;
  /** Maximum apologies per conversation. */
  maxApologies: number;
  /** AI turns per run before continue-as-new (the SDK's suggestion may come first). */
  turnsPerRun: number;
  /** A tool still running after this many ms gets a short "checking…" message to the customer. */
  toolProgressMs: number;
  /** startToCloseTimeout of one tool attempt, in ms (the HTTP client's own timeout is set below it). */
  toolTimeoutMs: number;
  /** Wrong email/phone answers an anonymous customer gets for one order before the AI stops and offers a human. */
  maxVerificationAttempts: number;
  /**
   * When a VIP reaches a human: 'upset' (only when upset or complaining),
   * 'immediate' (on the first message), 'after_unresolved' (after the first
   * turn the AI could not resolve).
   */
  vipRule: 'upset' | 'immediate' | 'after_unresolved';
  /** Skills, service hours, priorities and service levels (src/routing/config.ts reads them from the routing file). */
  routing: RoutingPolicy;
}

/** What {@link conversationWorkflow} returns once the conversation is closed. */
export interface ConversationResolution {
  conversationId: string;
  closedBy: CloseBy;
  resolution?: string;
  closedAt: string;
  /** Customer turns the AI handled, across all runs. */
  turnCount: number;
  lastSeq: number;
  /** Whether a human was ever involved (escalation or takeover). */
  escalated: boolean;
  reasons: EscalationReason[];
  /** The agent who had the conversation when it closed. */
  agent?: AgentRef;
  toolCalls: { total: number; failed: number };
}

// ---------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------

export interface CustomerMessage {
  /** Client message id; a repeated id is ignored (also across continue-as-new). */
  messageId: string;
  /** May be empty when an image is attached. */
  text: string;
  /** A photo uploaded first (POST /api/conversations/:id/images); only its reference travels. */
  image?: ImageRef;
}
export const customerMessageSignal = defineSignal<[CustomerMessage]>('customerMessage');

export interface AgentAssignment {
  agentId: string;
  agentName: string;
}
/** Assignment by an operator or an auto-router (the claim update is the interactive path). */
export const agentAssignedSignal = defineSignal<[AgentAssignment]>('agentAssigned');

export interface AgentMessage {
  agentId: string;
  /** Agent-side message id; a repeated id is ignored. */
  messageId: string;
  text: string;
}
export const agentMessageSignal = defineSignal<[AgentMessage]>('agentMessage');

export interface CloseRequest {
  by: CloseBy;
  resolution?: string;
  /** Required when by = 'agent': only the assigned agent may close. */
  agentId?: string;
}
export const closeSignal = defineSignal<[CloseRequest]>('close');

export interface CustomerPresence {
  /** One customer socket (a gateway-made id). */
  connectionId: string;
  /** open / alive (a refresh while queued) / closed. */
  state: 'open' | 'alive' | 'closed';
}
/** The gateway reports the customer's sockets: a queued customer gone for `abandonAfterMs` leaves the queue. */
export const customerPresenceSignal = defineSignal<[CustomerPresence]>('customerPresence');

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

export interface ClaimInput {
  agentId: string;
  agentName: string;
  /** Language the agent reads handovers in; default the conversation's. */
  language?: Language;
}
export interface ClaimResult {
  handover: Handover;
  transcript: TranscriptEntry[];
}
/** Validator rejects with {@link ErrorCode.NotWaiting} or {@link ErrorCode.AlreadyClaimed}. */
export const claimUpdate = defineUpdate<ClaimResult, [ClaimInput]>('claim');

export interface ReleaseInput {
  agentId: string;
  to: 'ai' | 'queue';
  note?: string;
}
/** Validator rejects with {@link ErrorCode.NotAssigned} when the caller is not the assigned agent. */
export const releaseUpdate = defineUpdate<ConversationStateView, [ReleaseInput]>('release');

export interface TransferInput {
  agentId: string;
  skill: Skill;
  note?: string;
}
/** Back to the queue under another skill. Same validation as release. */
export const transferUpdate = defineUpdate<ConversationStateView, [TransferInput]>('transfer');

// ---------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------

export const stateQuery = defineQuery<ConversationStateView>('state');
/** Transcript entries with seq > afterSeq (0 for all), oldest first. */
export const transcriptQuery = defineQuery<TranscriptEntry[], [number]>('transcript');
/** The handover prepared at escalation, or null when the conversation never escalated. */
export const handoverQuery = defineQuery<Handover | null>('handover');

// ---------------------------------------------------------------------------
// Errors: one enum, used as ApplicationFailure.type
// ---------------------------------------------------------------------------

export enum ErrorCode {
  NotWaiting = 'not_waiting',
  AlreadyClaimed = 'already_claimed',
  NotAssigned = 'not_assigned',
  Closed = 'conversation_closed',
  InvalidInput = 'invalid_input',
  ToolBadRequest = 'tool_bad_request',
  ToolNotFound = 'tool_not_found',
  ToolUnavailable = 'tool_unavailable',
  LlmUnavailable = 'llm_unavailable',
}

// ---------------------------------------------------------------------------
// Search attributes (registered at start-up by worker and gateway)
// ---------------------------------------------------------------------------

export const searchAttributes = {
  /** Phase: ai | queued | human | closed. */
  status: defineSearchAttributeKey('SwitchboardStatus', SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey('SwitchboardPriority', SearchAttributeType.KEYWORD),
  /** priorityRank(): 0 = urgent … 3 = low, for range filters. */
  priorityRank: defineSearchAttributeKey('SwitchboardPriorityRank', SearchAttributeType.INT),
  skill: defineSearchAttributeKey('SwitchboardSkill', SearchAttributeType.KEYWORD),
  agent: defineSearchAttributeKey('SwitchboardAgent', SearchAttributeType.KEYWORD),
  tier: defineSearchAttributeKey('SwitchboardTier', SearchAttributeType.KEYWORD),
  intent: defineSearchAttributeKey('SwitchboardIntent', SearchAttributeType.KEYWORD),
  escalationReasons: defineSearchAttributeKey('SwitchboardEscalationReasons', SearchAttributeType.KEYWORD_LIST),
  waitingSince: defineSearchAttributeKey('SwitchboardWaitingSince', SearchAttributeType.DATETIME),
  customerId: defineSearchAttributeKey('SwitchboardCustomerId', SearchAttributeType.KEYWORD),
} as const;

/** Every key above, for registration through OperatorService.AddSearchAttributes. */
export const ALL_SEARCH_ATTRIBUTE_KEYS = Object.values(searchAttributes);

// ---------------------------------------------------------------------------
// Outbound events (workflow → bus → gateway sockets)
// ---------------------------------------------------------------------------

/**
 * What a phase change (or a first agent reply) means for the desk's figures.
 * Carried on the events the workflow publishes anyway, so metrics cost no
 * extra activity: the gateway counts them (src/metrics.ts).
 */
export type DeskNote =
  | { kind: 'started'; tier: Tier }
  /** AI → people (queue or a direct takeover). Releases, transfers and re-queues are not escalations. */
  | { kind: 'escalated'; reasons: EscalationReason[]; priority: Priority; skill: Skill }
  | { kind: 'assigned'; agentId: string; skill: Skill; waitMs: number }
  | { kind: 'left_queue'; outcome: QueueExit; skill: Skill; waitMs: number }
  | { kind: 'first_response'; agentId: string; ms: number }
  | { kind: 'handled'; agentId: string; skill: Skill; handleMs: number; outcome: HandleOutcome }
  | { kind: 'transferred'; from: Skill; to: Skill }
  | { kind: 'released'; to: 'ai' | 'queue' }
  | { kind: 'sla'; steps: SlaStep[]; period: number; tier: Tier; skill: Skill; waitMs: number }
  | { kind: 'closed'; outcome: CloseOutcome; aiTurns: number; customerTurns: number };

/** How a wait ended without an agent. */
export type QueueExit = 'abandoned' | 'closed' | 'left_message' | 'callback' | 'released';
/** How an agent's part ended (feeds the agent's performance). */
export type HandleOutcome = 'resolved' | 'released_ai' | 'requeued' | 'transferred' | 'unresponsive';
/** ai_resolved: closed without a person ever involved (the AI resolution rate's numerator). */
export type CloseOutcome = 'ai_resolved' | 'human_resolved' | 'abandoned' | 'left_message' | 'callback' | 'idle_after_human';

/** The supervisor alert of a passed wait limit: an event for users with the supervisor (or operator) role. */
export interface SlaAlert {
  conversationId: string;
  skill: Skill;
  priority: Priority;
  tier: Tier;
  waitedMs: number;
  period: number;
  at: string;
}

export type OutboundEvent =
  | { kind: 'message'; conversationId: string; entry: TranscriptEntry; desk?: DeskNote[] }
  | {
      kind: 'status';
      conversationId: string;
      phase: Phase;
      agent?: AgentRef;
      escalation?: Escalation;
      desk?: DeskNote[];
    }
  | { kind: 'alert'; conversationId: string; alert: SlaAlert }
  | RoutingEvent;

/**
 * Events of the routing entities (src/routing/contract.ts has their payloads):
 * an offer to one agent and its end, an agent's presence and load, and a
 * queue that moved (gateways then refresh positions and estimates).
 */
export type RoutingEvent =
  | { kind: 'offer'; conversationId: string; agentId: string; offer: OfferEventBody }
  | { kind: 'offer_ended'; conversationId: string; agentId: string; offerId: string; outcome: OfferOutcome }
  /** presence: what routing sees (needs a live socket); status: what the agent chose. */
  | { kind: 'agent'; agentId: string; presence: Presence; status: Presence; load: number; capacity: number; at: string }
  | { kind: 'queue'; skill: Skill; size: number; at: string };

export type Presence = 'online' | 'away' | 'offline';
export type OfferOutcome = 'declined' | 'timeout' | 'unavailable' | 'withdrawn' | 'failed' | 'accepted';

export interface OfferEventBody {
  offerId: string;
  conversationId: string;
  skill: Skill;
  priority: Priority;
  tier: Tier;
  language: Language;
  waitingSince: string;
  expiresAt: string;
  reasons: EscalationReason[];
  intent?: Intent;
}
