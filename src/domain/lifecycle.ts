/**
 * Phase transitions (escalate, after hours, claim/assign, release, transfer,
 * re-queue, close), the checks the update validators run, and the deadlines
 * the AI and HUMAN phases wait on (the QUEUED phase's are in ./queue.ts). Each transition also returns the notices the customer
 * sees (transcript entries from 'system').
 */
import type {
  AgentRef,
  CloseRequest,
  Escalation,
  EscalationReason,
  Handover,
  PolicyConfig,
  ReleaseInput,
  Skill,
  TransferInput,
} from '../workflows/contract';
import { ErrorCode } from '../workflows/contract';
import { isContactOpen, offerContact } from './contact';
import { buildEscalation } from './escalation';
import { buildHandover } from './handover';
import { bumpPriority, skillDefinition, skillLabel } from './routing-policy';
import { formatOpening } from './service-hours';
import { appendEntries, noteAttempt, zeroCounters, type ConversationState, type HumanPart, type NewEntry } from './state';
import { render, type Params, type TemplateKey } from './templates';
import type { TranscriptEntry } from '../workflows/contract';

export interface Transition {
  state: ConversationState;
  /** Entries appended by the transition (to publish). */
  entries: TranscriptEntry[];
}

function notice(state: ConversationState, template: TemplateKey, params: Params = {}): NewEntry {
  return { from: 'system', text: render(template, state.ai.language, params) };
}

function withNotices(state: ConversationState, notices: NewEntry[], now: string): Transition {
  const r = appendEntries(state, notices, now);
  return { state: r.state, entries: r.entries };
}

/**
 * AI → QUEUED with the prepared handover. The AI's own "connecting you" reply
 * is already in the transcript; the customer is told which team, and gets
 * the self-service suggestions (`faq`) for the topic while waiting.
 */
export function enterQueue(
  state: ConversationState,
  escalation: Escalation,
  handover: Handover,
  policy: PolicyConfig,
  now: string,
  faq: readonly string[] = [],
): Transition {
  const s: ConversationState = {
    ...state,
    phase: 'queued',
    escalation,
    handover,
    queue: { waitingSince: now, periods: 0, alerts: 0, cause: 'escalation' },
    reachedDesk: true,
    inbox: [],
    agent: undefined,
    assignedAt: undefined,
    lastAgentSeq: undefined,
    ai: { ...state.ai, offeredHuman: false },
  };
  const notices = [queuedNotice(s, escalation.skill, policy)];
  if (faq.length > 0) notices.push(notice(s, 'queue_faq', { items: faq.map((f) => `• ${f}`).join('\n') }));
  return withNotices(s, notices, now);
}

function queuedNotice(state: ConversationState, skill: Skill, policy: PolicyConfig): NewEntry {
  return notice(state, 'queued', { skillLabel: skillLabel(policy.routing, skill, state.ai.language) });
}

/**
 * The escalation's queue is not staffed now (service hours): the AI keeps
 * the conversation, says when people are back and offers a message or a
 * callback. The handover is kept for the ticket and for a later escalation.
 */
export function afterHours(
  state: ConversationState,
  escalation: Escalation,
  handover: Handover,
  policy: PolicyConfig,
  now: string,
  opensAt: string | undefined,
): Transition {
  const skill = skillDefinition(policy.routing, escalation.skill);
  const reopen = formatOpening(opensAt, skill?.hours, state.ai.language);
  const label = skillLabel(policy.routing, escalation.skill, state.ai.language);
  const base: ConversationState = {
    ...state,
    handover,
    reachedDesk: state.reachedDesk ?? false,
    ai: noteAttempt({ ...state.ai, offeredHuman: false }, `Wanted a person (${escalation.reasons.join(', ')}); ${escalation.skill} is outside service hours`),
  };
  if (isContactOpen(base) && base.contact?.reason === 'after_hours') {
    return withNotices(base, [notice(base, 'after_hours_again', { skillLabel: label, reopen })], now);
  }
  const r = offerContact(base, 'after_hours', escalation, now, { ...(opensAt ? { opensAt } : {}), skillLabel: label, reopen });
  return { state: r.state, entries: r.entries };
}

/** Why a claim by `agentId` must be refused, or undefined when it may proceed (a repeat claim by the same agent is fine). */
export function claimRejection(state: ConversationState, agentId: string): ErrorCode | undefined {
  if (typeof agentId !== 'string' || agentId.trim() === '') return ErrorCode.InvalidInput;
  if (state.phase === 'closed') return ErrorCode.Closed;
  if (state.phase === 'human') return state.agent?.id === agentId ? undefined : ErrorCode.AlreadyClaimed;
  if (state.phase !== 'queued') return ErrorCode.NotWaiting;
  return undefined;
}

/**
 * An agent takes the conversation (claim, or the assignment signal). From the
 * AI phase this is a takeover: a handover is built on the spot.
 */
export function assignAgent(state: ConversationState, agent: AgentRef, policy: PolicyConfig, now: string): Transition {
  if (state.phase === 'human' && state.agent?.id === agent.id) return { state, entries: [] };
  let s = state;
  if (state.phase === 'ai') {
    const escalation = buildEscalation(
      { reasons: ['agent_takeover'], customer: state.customer, emotion: state.ai.emotion, intent: state.ai.task?.intent ?? state.ai.lastIntent, cues: state.ai.cues },
      policy.routing,
      now,
    );
    s = { ...s, escalation, handover: buildHandover(s, escalation) };
  }
  s = {
    ...s,
    phase: 'human',
    humanSince: s.phase === 'human' ? s.humanSince : s.nextSeq,
    agent: { id: agent.id, name: agent.name },
    assignedAt: now,
    hadAgent: true,
    reachedDesk: true,
    lastAgentSeq: undefined,
    queue: undefined,
    inbox: [],
    // An offer in progress is moot once a person has the conversation.
    contact: s.contact && isContactOpen(s) ? { ...s.contact, stage: 'cancelled' } : s.contact,
    ai: { ...s.ai, offeredHuman: false },
  };
  return withNotices(s, [notice(s, 'agent_joined', { agentName: agent.name })], now);
}

/** Why `agentId` may not act on the conversation (release, transfer, write, close), or undefined. */
export function agentRejection(state: ConversationState, agentId: string): ErrorCode | undefined {
  if (state.phase === 'closed') return ErrorCode.Closed;
  if (state.phase !== 'human' || !state.agent || state.agent.id !== agentId) return ErrorCode.NotAssigned;
  return undefined;
}

/**
 * The agent hands back to the AI or to the queue. To the AI: fresh counters;
 * the human part (agent and customer messages, the note) becomes context for
 * the next AI turn, so a task the agent set up — an order, a reason —
 * continues; and it is kept for the handover of any later escalation.
 */
export function release(state: ConversationState, input: ReleaseInput, policy: PolicyConfig, now: string): Transition {
  const part = humanPartOf(state, input.note);
  const withPart = closeHumanPart(state, part);
  if (input.to === 'queue') return requeue(withPart, 'released_to_queue', undefined, policy, now, input.note);
  const ai = noteAttempt(
    {
      ...state.ai,
      task: undefined,
      clarify: undefined,
      offeredHuman: false,
      handback: { ...(part.agentName ? { agentName: part.agentName } : {}), ...(part.note ? { note: part.note } : {}), fromSeq: part.fromSeq, toSeq: part.toSeq },
      counters: { ...zeroCounters(), totalTurns: state.ai.counters.totalTurns, apologies: state.ai.counters.apologies, humanRequests: state.ai.counters.humanRequests },
    },
    `Agent ${state.agent?.name ?? input.agentId} handed back to the assistant${input.note ? `: ${input.note}` : ''}`,
  );
  const s: ConversationState = {
    ...withPart,
    phase: 'ai',
    ai,
    agent: undefined,
    assignedAt: undefined,
    lastAgentSeq: undefined,
    escalation: undefined,
    queue: undefined,
    inbox: [],
  };
  return withNotices(s, [notice(s, 'released_to_ai')], now);
}

/** Earlier human parts kept in state (each is only seqs and a note; the entries stay in the transcript). */
const MAX_HUMAN_PARTS = 10;
const MAX_NOTE_LENGTH = 500;

function closeHumanPart(state: ConversationState, part: HumanPart): ConversationState {
  if (state.phase !== 'human') return state;
  return { ...state, humanParts: [...(state.humanParts ?? []), part].slice(-MAX_HUMAN_PARTS), humanSince: undefined };
}

function humanPartOf(state: ConversationState, note: string | undefined): HumanPart {
  const part: HumanPart = { fromSeq: state.humanSince ?? state.nextSeq, toSeq: state.nextSeq - 1 };
  if (state.agent?.name) part.agentName = state.agent.name;
  const trimmed = typeof note === 'string' ? note.trim().slice(0, MAX_NOTE_LENGTH) : '';
  if (trimmed) part.note = trimmed;
  return part;
}

/** Back to the queue under another skill. */
export function transfer(state: ConversationState, input: TransferInput, policy: PolicyConfig, now: string): Transition {
  return requeue(closeHumanPart(state, humanPartOf(state, input.note)), 'transfer', input.skill, policy, now, input.note);
}

/** The assigned agent stayed silent while the customer waited: back to the queue, more urgent. */
export function requeueSilentAgent(state: ConversationState, policy: PolicyConfig, now: string): Transition {
  return requeue(closeHumanPart(state, humanPartOf(state, undefined)), 'agent_unresponsive', undefined, policy, now);
}

function requeue(
  state: ConversationState,
  reason: EscalationReason,
  skill: Skill | undefined,
  policy: PolicyConfig,
  now: string,
  note?: string,
): Transition {
  const previous = state.escalation;
  const reasons = unique([...(previous?.reasons ?? []), reason]);
  const fresh = buildEscalation(
    { reasons, customer: state.customer, emotion: state.ai.emotion, intent: state.ai.task?.intent ?? state.ai.lastIntent, cues: state.ai.cues },
    policy.routing,
    now,
  );
  const base = previous ? { ...previous, reasons: fresh.reasons, at: now } : fresh;
  const priority = reason === 'agent_unresponsive' ? bumpPriority(base.priority) : base.priority;
  const escalation: Escalation = { ...base, priority, skill: skill ?? base.skill };
  let s: ConversationState = {
    ...state,
    ai: note ? noteAttempt(state.ai, `Agent note: ${note}`) : state.ai,
    phase: 'queued',
    escalation,
    agent: undefined,
    assignedAt: undefined,
    lastAgentSeq: undefined,
    queue: {
      waitingSince: now,
      periods: 0,
      alerts: 0,
      cause: reason === 'transfer' ? 'transfer' : reason === 'agent_unresponsive' ? 'unresponsive' : 'released',
    },
    inbox: [],
  };
  s = { ...s, handover: buildHandover(s, escalation) };
  const template: TemplateKey = reason === 'transfer' ? 'transferred' : reason === 'agent_unresponsive' ? 'agent_requeued' : 'released_to_queue';
  return withNotices(s, [notice(s, template, { skillLabel: skillLabel(policy.routing, escalation.skill, s.ai.language) })], now);
}

/** Why a close request must be ignored (signals cannot be refused, so the workflow drops it), or undefined. */
/**
 * The opening of a run that replaces a conversation Temporal lost (the input
 * says which seq the client had seen): a notice in the customer's language.
 */
export function recoveryNotice(state: ConversationState, now: string): Transition {
  return appendEntries(state, [{ from: 'system', text: render('conversation_recovered', state.ai.language) }], now);
}

export function closeRejection(state: ConversationState, req: CloseRequest): ErrorCode | undefined {
  if (state.phase === 'closed') return ErrorCode.Closed;
  if (!req || !['customer', 'agent', 'operator', 'system'].includes(req.by)) return ErrorCode.InvalidInput;
  if (req.by === 'agent' && (state.phase !== 'human' || state.agent?.id !== req.agentId)) return ErrorCode.NotAssigned;
  return undefined;
}

export function closeConversation(state: ConversationState, req: CloseRequest, now: string, template: TemplateKey = 'closed'): Transition {
  const closed: ConversationState['closed'] = { by: req.by, at: now };
  if (req.resolution) closed.resolution = req.resolution;
  const s: ConversationState = { ...state, phase: 'closed', closed, inbox: [], queue: undefined };
  return withNotices(s, [notice(s, template)], now);
}

// ---------------------------------------------------------------------------
// Deadlines (epoch ms), recomputed from state so they survive continue-as-new
// ---------------------------------------------------------------------------

export function idleDeadline(state: ConversationState, policy: PolicyConfig): number {
  return Date.parse(state.lastActivityAt) + policy.idleCloseMs;
}

/**
 * When the assigned agent counts as unresponsive: `agentSilenceMs` after the
 * customer's first message the agent has not answered, or after assignment
 * if the agent never wrote. Undefined while the agent spoke last.
 */
export function agentSilenceDeadline(state: ConversationState, policy: PolicyConfig): number | undefined {
  if (state.phase !== 'human' || !state.assignedAt) return undefined;
  if (state.lastAgentSeq === undefined) return Date.parse(state.assignedAt) + policy.agentSilenceMs;
  const unanswered = state.transcript.find((e) => e.seq > (state.lastAgentSeq ?? 0) && e.from === 'customer');
  return unanswered ? Date.parse(unanswered.at) + policy.agentSilenceMs : undefined;
}

function unique<T>(items: readonly T[]): T[] {
  return items.filter((v, i) => items.indexOf(v) === i);
}
