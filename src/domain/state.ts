/**
 * Conversation state: one JSON-safe value (plain objects, arrays, strings and
 * numbers only — no Map, Set, Date or class instance) so it survives
 * continue-as-new unchanged. Every function here returns a new state and
 * leaves its input untouched; time comes in as an ISO string argument.
 *
 * The `ai` section is owned by the AI turn: a turn works on a snapshot and
 * commits its `ai` section only if it was not cancelled (takeover, close).
 * Everything else is written by signal/update handlers and phase transitions.
 */
import type {
  AgentMessage,
  AgentRef,
  CloseBy,
  ConversationInput,
  ConversationStateView,
  Customer,
  CustomerMessage,
  Emotion,
  Escalation,
  Handover,
  ImageRef,
  Intent,
  Language,
  Phase,
  Speaker,
  ToolCallRecord,
  TranscriptEntry,
} from '../workflows/contract';
import { IMAGE_MIMES, LANGUAGES, PHASES, PHOTO_KINDS, TIERS } from '../workflows/contract';
import type { Priority, PriorityCue, Skill } from '../workflows/contract';
import type { UnderstandInput } from '../nlu/types';
import type { Money, OrderStatus } from '../tools/types';
import type { SlotName, Slots, TaskIntent } from './slots';
import { stripControlCharacters } from './text';

export const STATE_SCHEMA_VERSION = 1;
/** Remembered message ids per sender kind; old ids fall off once a conversation is this long. */
export const MAX_SEEN_IDS = 1000;
/** What-the-AI-tried notes kept for the handover. */
export const MAX_AI_ATTEMPTS = 50;
export const MAX_MESSAGE_ID_LENGTH = 200;
/** Upper bound on ConversationInput.recoveredAfterSeq: far above any real transcript, below anything that looks like an overflow. */
export const MAX_RECOVERED_SEQ = 1_000_000;
export const MAX_MESSAGE_TEXT_LENGTH = 4000;

export type Awaiting =
  | { kind: 'slot'; slot: SlotName }
  | { kind: 'confirm' }
  | { kind: 'change' }
  /** An anonymous customer is asked for the email or phone on the order; `tries` wrong answers so far. */
  | { kind: 'verify'; tries: number };

/** Facts that came back from tools for the current task (never from the customer). */
export interface TaskFacts {
  order?: { orderNumber: string; total: Money; status: OrderStatus };
}

export interface Task {
  intent: TaskIntent;
  slots: Slots;
  awaiting?: Awaiting;
  facts: TaskFacts;
  /** Ids of photos attached to the task as evidence (repair, return). */
  evidence?: string[];
}

/** A task the customer left before it finished, kept for the handover. */
export interface PastTask {
  intent: TaskIntent;
  slots: Slots;
  how: 'dropped' | 'switched' | 'unverified';
}

/** What a human agent did before handing back to the AI: read as context by the next AI turns. */
export interface Handback {
  agentName?: string;
  note?: string;
  /** Transcript seqs of the human part (agent and customer messages while the agent had it). */
  fromSeq: number;
  toSeq: number;
}

/** A clarifying question is pending: the two likeliest tasks, and entities the unsure message carried. */
export interface Clarify {
  options: Intent[];
  orderNumber?: string;
}

export interface Counters {
  /** AI turns since the AI (re)took the conversation; compared with maxAiTurns. */
  turns: number;
  totalTurns: number;
  consecutiveAiFailures: number;
  lowConfidenceStreak: number;
  toolFailures: number;
  apologies: number;
  humanRequests: number;
}

export interface AiState {
  language: Language;
  emotion: Emotion;
  task?: Task;
  lastIntent?: Intent;
  lastConfidence?: number;
  /** The last bot message offered a human agent: a "yes" now means escalate. */
  offeredHuman: boolean;
  counters: Counters;
  /** Plain-words log of what the AI tried, for the handover. */
  attempts: string[];
  /** Orders an anonymous customer proved are theirs (email/phone on the order). Absent in states from older versions. */
  verifiedOrders?: string[];
  /** A task put aside when the customer asked for something else at a confirmation; offered again afterwards. */
  suspended?: Task;
  /** Tasks dropped or left unfinished (bounded), for the handover. */
  pastTasks?: PastTask[];
  clarify?: Clarify;
  /** Set when an agent handed back to the AI; cleared once used. */
  handback?: Handback;
  /** Photos not yet tied to a task. */
  pendingImages?: string[];
  /** The AI has had at least one turn it could not resolve (for the VIP rule 'after_unresolved'). */
  hadUnresolved?: boolean;
  /** Priority cues the customer gave at any point (legal words, a system fault): they keep counting. */
  cues?: PriorityCue[];
}

export interface QueueState {
  waitingSince: string;
  /** Wait-limit periods passed so far (each ran its service-level steps). */
  periods: number;
  /** Supervisor alerts sent for this wait. */
  alerts: number;
  /** Why it is waiting: a first escalation, or an agent's transfer / release / silence. */
  cause?: 'escalation' | 'transfer' | 'released' | 'unresponsive';
}

/** The customer's sockets as the gateways report them (abandonment). */
export interface CustomerPresenceState {
  /** Live sockets and until when each report holds (ISO). */
  connections: { id: string; until: string }[];
  /** Last report of any kind (ISO). */
  lastSeenAt: string;
}

export type ContactStage = 'offered' | 'phone' | 'reply_to' | 'time' | 'message' | 'submit' | 'done' | 'cancelled';

export interface ContactFlow {
  reason: 'overflow' | 'after_hours';
  stage: ContactStage;
  choice?: 'message' | 'callback';
  phone?: string;
  email?: string;
  time?: string;
  message?: string;
  /** Unusable contact answers so far (the flow gives up after a few). */
  retries: number;
  skill: Skill;
  priority: Priority;
  /** After hours: when the team is back (ISO). */
  opensAt?: string;
  ticketId?: string;
  startedAt: string;
  /** Seq of the offer itself: a bare "1" / "2" answers it only while no bot reply came after it. */
  offeredSeq?: number;
}



export interface ConversationState {
  schema: typeof STATE_SCHEMA_VERSION;
  conversationId: string;
  customer: Customer;
  phase: Phase;
  startedAt: string;
  lastActivityAt: string;
  transcript: TranscriptEntry[];
  nextSeq: number;
  seen: { customer: string[]; agent: string[] };
  /** Seqs of customer entries the AI has not answered yet (AI phase only). */
  inbox: number[];
  ai: AiState;
  toolCalls: ToolCallRecord[];
  escalation?: Escalation;
  handover?: Handover;
  agent?: AgentRef;
  assignedAt?: string;
  /** Seq of the assigned agent's latest message (silence detection). */
  lastAgentSeq?: number;
  queue?: QueueState;
  /** A leave-a-message / callback offer (overflow or outside service hours). */
  contact?: ContactFlow;
  presence?: CustomerPresenceState;
  closed?: { by: CloseBy; resolution?: string; at: string };
  /** AI turns plus relayed agent messages in this run (continue-as-new bound). */
  runTurns: number;
  /** First seq of the current time with a human (set on assignment). */
  humanSince?: number;
  /** Earlier times with a human, for the handover of a later escalation. */
  humanParts?: HumanPart[];
  /** An agent has had the conversation at some point (the AI resolution rate excludes it). */
  hadAgent?: boolean;
  /** It reached the desk (a queue or an agent) at some point; outside service hours it does not. */
  reachedDesk?: boolean;
}

export interface HumanPart {
  agentName?: string;
  note?: string;
  fromSeq: number;
  toSeq: number;
}

export function zeroCounters(): Counters {
  return { turns: 0, totalTurns: 0, consecutiveAiFailures: 0, lowConfidenceStreak: 0, toolFailures: 0, apologies: 0, humanRequests: 0 };
}

/** Thrown when a workflow input or carried state is malformed. */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** First-run state from the workflow input (validated), or the carried state after continue-as-new. */
export function initialState(input: ConversationInput, now: string): ConversationState {
  if (input.carried !== undefined) return restoreState(input.carried);
  validateInput(input);
  return {
    schema: STATE_SCHEMA_VERSION,
    conversationId: input.conversationId,
    customer: { ...input.customer },
    phase: 'ai',
    startedAt: now,
    lastActivityAt: now,
    transcript: [],
    nextSeq: (input.recoveredAfterSeq ?? 0) + 1,
    seen: { customer: [], agent: [] },
    inbox: [],
    ai: {
      language: input.locale ?? 'en',
      emotion: 'neutral',
      offeredHuman: false,
      counters: zeroCounters(),
      attempts: [],
    },
    toolCalls: [],
    runTurns: 0,
  };
}

function validateInput(input: ConversationInput): void {
  if (typeof input?.conversationId !== 'string' || input.conversationId.trim() === '') {
    throw new InvalidStateError('conversationId must be a non-empty string');
  }
  const c = input.customer;
  if (!c || typeof c.id !== 'string' || c.id === '' || !TIERS.includes(c.tier)) {
    throw new InvalidStateError('customer must have an id and a tier (vip | enterprise | regular)');
  }
  if (input.locale !== undefined && !LANGUAGES.includes(input.locale)) {
    throw new InvalidStateError(`locale must be one of ${LANGUAGES.join(', ')}`);
  }
  const recovered = input.recoveredAfterSeq;
  if (recovered !== undefined && !(Number.isInteger(recovered) && recovered > 0 && recovered <= MAX_RECOVERED_SEQ)) {
    throw new InvalidStateError(`recoveredAfterSeq must be an integer from 1 to ${MAX_RECOVERED_SEQ}`);
  }
}

/** Accepts a state carried over continue-as-new; the run counter starts again. */
export function restoreState(carried: unknown): ConversationState {
  const s = carried as ConversationState;
  const ok =
    s !== null &&
    typeof s === 'object' &&
    s.schema === STATE_SCHEMA_VERSION &&
    typeof s.conversationId === 'string' &&
    PHASES.includes(s.phase) &&
    Array.isArray(s.transcript) &&
    Number.isInteger(s.nextSeq) &&
    Array.isArray(s.seen?.customer) &&
    Array.isArray(s.seen?.agent) &&
    Array.isArray(s.inbox) &&
    typeof s.ai === 'object' &&
    Array.isArray(s.toolCalls);
  if (!ok) throw new InvalidStateError('carried state is not a conversation state of this version');
  return { ...s, runTurns: 0 };
}

export interface NewEntry {
  from: Speaker;
  text: string;
  messageId?: string;
  agentId?: string;
  image?: ImageRef;
}

/** Appends one transcript entry with the next seq. */
export function appendEntry(state: ConversationState, entry: NewEntry, now: string): { state: ConversationState; entry: TranscriptEntry } {
  const full: TranscriptEntry = { seq: state.nextSeq, from: entry.from, text: entry.text, at: now };
  if (entry.messageId !== undefined) full.messageId = entry.messageId;
  if (entry.agentId !== undefined) full.agentId = entry.agentId;
  if (entry.image !== undefined) full.image = entry.image;
  return {
    state: { ...state, transcript: [...state.transcript, full], nextSeq: state.nextSeq + 1, lastActivityAt: now },
    entry: full,
  };
}

/** Appends several entries in order. */
export function appendEntries(
  state: ConversationState,
  entries: NewEntry[],
  now: string,
): { state: ConversationState; entries: TranscriptEntry[] } {
  const out: TranscriptEntry[] = [];
  let s = state;
  for (const e of entries) {
    const r = appendEntry(s, e, now);
    s = r.state;
    out.push(r.entry);
  }
  return { state: s, entries: out };
}

export type MessageOutcome =
  | { kind: 'recorded'; state: ConversationState; entry: TranscriptEntry }
  | { kind: 'duplicate' | 'closed' | 'invalid' | 'not_assigned'; state: ConversationState };

export function isValidMessage(m: { messageId?: unknown; text?: unknown; image?: unknown } | undefined): boolean {
  if (!m || typeof m.messageId !== 'string' || m.messageId.length === 0 || m.messageId.length > MAX_MESSAGE_ID_LENGTH) return false;
  if (typeof m.text !== 'string' || m.text.length > MAX_MESSAGE_TEXT_LENGTH) return false;
  if (m.image !== undefined && !isImageRef(m.image)) return false;
  return m.text.trim().length > 0 || m.image !== undefined;
}

/** A well-formed image reference (the gateway stored the bytes; the workflow never sees them). */
/** The longest photo description a message may carry (the gateway cuts the model's to it). */
export const MAX_PHOTO_DESCRIPTION = 300;

export function isImageRef(v: unknown): v is ImageRef {
  const r = v as ImageRef;
  return (
    !!r &&
    typeof r === 'object' &&
    typeof r.id === 'string' &&
    /^[0-9a-f]{64}$/.test(r.id) &&
    (IMAGE_MIMES as readonly string[]).includes(r.mime) &&
    Number.isInteger(r.bytes) &&
    r.bytes > 0 &&
    (r.seen === undefined ||
      (typeof r.seen === 'object' && (PHOTO_KINDS as readonly string[]).includes(r.seen.shows) && typeof r.seen.description === 'string' && r.seen.description.length <= MAX_PHOTO_DESCRIPTION))
  );
}

/**
 * Records a customer message once per message id, without control or bidi
 * characters (./text.ts; the gateway strips them too, this covers any other client). In the AI phase it also
 * joins the AI inbox; in QUEUED and HUMAN it is only recorded (for the agent).
 */
export function recordCustomerMessage(state: ConversationState, msg: CustomerMessage, now: string): MessageOutcome {
  if (state.phase === 'closed') return { kind: 'closed', state };
  if (!isValidMessage(msg)) return { kind: 'invalid', state };
  if (state.seen.customer.includes(msg.messageId)) return { kind: 'duplicate', state };
  const entry: NewEntry = { from: 'customer', text: stripControlCharacters(msg.text).trim(), messageId: msg.messageId };
  if (msg.image) {
    entry.image = { id: msg.image.id, mime: msg.image.mime, bytes: msg.image.bytes };
    // Checked by isValidMessage; copied field by field like the rest, and cleaned like any stored text.
    if (msg.image.seen) entry.image.seen = { shows: msg.image.seen.shows, description: stripControlCharacters(msg.image.seen.description).trim() };
  }
  const r = appendEntry(state, entry, now);
  const s: ConversationState = {
    ...r.state,
    seen: { ...r.state.seen, customer: remember(r.state.seen.customer, msg.messageId) },
    inbox: state.phase === 'ai' ? [...r.state.inbox, r.entry.seq] : r.state.inbox,
  };
  return { kind: 'recorded', state: s, entry: r.entry };
}

/** Records a message from the assigned agent; anyone else is refused (the API checks first). */
export function recordAgentMessage(state: ConversationState, msg: AgentMessage, now: string): MessageOutcome {
  if (state.phase === 'closed') return { kind: 'closed', state };
  if (!isValidMessage(msg) || typeof msg.agentId !== 'string') return { kind: 'invalid', state };
  if (state.phase !== 'human' || state.agent?.id !== msg.agentId) return { kind: 'not_assigned', state };
  if (state.seen.agent.includes(msg.messageId)) return { kind: 'duplicate', state };
  const r = appendEntry(state, { from: 'agent', text: stripControlCharacters(msg.text).trim(), messageId: msg.messageId, agentId: msg.agentId }, now);
  const s: ConversationState = {
    ...r.state,
    seen: { ...r.state.seen, agent: remember(r.state.seen.agent, msg.messageId) },
    lastAgentSeq: r.entry.seq,
    runTurns: r.state.runTurns + 1,
  };
  return { kind: 'recorded', state: s, entry: r.entry };
}

function remember(ids: string[], id: string): string[] {
  const next = [...ids, id];
  return next.length > MAX_SEEN_IDS ? next.slice(next.length - MAX_SEEN_IDS) : next;
}

/** Customer text waiting for the AI, merged into one turn (a burst typed during a turn is one turn), and photos sent with it. */
export function pendingCustomerText(state: ConversationState): { seqs: number[]; text: string; images: ImageRef[] } {
  const seqs = [...state.inbox];
  const bySeq = new Map(state.transcript.map((e) => [e.seq, e] as const));
  const text = seqs
    .map((seq) => bySeq.get(seq)?.text ?? '')
    .filter((t) => t.length > 0)
    .join('\n');
  const images = seqs.map((seq) => bySeq.get(seq)?.image).filter((i): i is ImageRef => i !== undefined);
  return { seqs, text, images };
}

/**
 * What the understanding step is told besides the text: what the bot is
 * waiting for (so "100000000001" or "ok" is read as an answer), and after an
 * agent handed back, what was said in the human part and the agent's note.
 */
export function understandInputFor(state: ConversationState, text: string): UnderstandInput {
  const input: UnderstandInput = { text, languageHint: state.ai.language };
  const task = state.ai.task;
  if (task) {
    input.expecting = { intent: task.intent };
    if (task.awaiting?.kind === 'slot') input.expecting.slot = task.awaiting.slot;
    if (task.awaiting?.kind === 'confirm') input.expecting.confirming = true;
    if (task.awaiting?.kind === 'verify') input.expecting.slot = 'contact';
  }
  const handback = state.ai.handback;
  if (handback) {
    const lines = state.transcript
      .filter((e) => e.seq >= handback.fromSeq && e.seq <= handback.toSeq && (e.from === 'customer' || e.from === 'agent'))
      .map((e) => ({ from: e.from as 'customer' | 'agent', text: e.text }));
    input.context = { lines, ...(handback.note ? { note: handback.note } : {}) };
  }
  return input;
}

/** Entries with seq > afterSeq, oldest first. */
export function transcriptAfter(state: ConversationState, afterSeq: number): TranscriptEntry[] {
  const after = Number.isFinite(afterSeq) ? afterSeq : 0;
  return state.transcript.filter((e) => e.seq > after);
}

/** Appends a line to the AI attempts log (bounded). */
export function noteAttempt(ai: AiState, note: string): AiState {
  const attempts = [...ai.attempts, note];
  return { ...ai, attempts: attempts.length > MAX_AI_ATTEMPTS ? attempts.slice(attempts.length - MAX_AI_ATTEMPTS) : attempts };
}

export function recordToolCall(state: ConversationState, record: ToolCallRecord): ConversationState {
  return { ...state, toolCalls: [...state.toolCalls, record] };
}

/** Order numbers the conversation has touched: slots and tool calls. */
export function orderIdsOf(state: ConversationState): string[] {
  const ids = new Set<string>();
  const slot = state.ai.task?.slots.orderNumber;
  if (slot) ids.add(slot);
  for (const call of state.toolCalls) {
    for (const m of call.summary.match(/\b\d{12}\b/g) ?? []) ids.add(m);
  }
  for (const e of state.transcript) {
    if (e.from !== 'customer') continue;
    for (const m of e.text.match(/(?<!\d)\d{12}(?!\d)/g) ?? []) ids.add(m);
  }
  return [...ids];
}

/** The state query's answer. */
export function toView(state: ConversationState): ConversationStateView {
  const view: ConversationStateView = {
    conversationId: state.conversationId,
    phase: state.phase,
    customer: state.customer,
    language: state.ai.language,
    slots: { ...(state.ai.task?.slots ?? {}) } as Record<string, string>,
    emotion: state.ai.emotion,
    turnCount: state.ai.counters.totalTurns,
    lastSeq: state.nextSeq - 1,
  };
  const intent = state.ai.task?.intent ?? state.ai.lastIntent;
  if (intent) view.intent = intent;
  if (state.escalation) view.escalation = state.escalation;
  if (state.phase === 'queued' && state.queue && state.escalation) {
    view.queue = {
      waitingSince: state.queue.waitingSince,
      skill: state.escalation.skill,
      priority: state.escalation.priority,
      periods: state.queue.periods ?? 0,
    };
  }
  if (state.contact && state.contact.stage !== 'done' && state.contact.stage !== 'cancelled') {
    view.contact = { reason: state.contact.reason, stage: state.contact.stage, ...(state.contact.choice ? { choice: state.contact.choice } : {}) };
  }
  if (state.agent) view.agent = state.agent;
  if (state.closed) view.closed = state.closed;
  return view;
}
