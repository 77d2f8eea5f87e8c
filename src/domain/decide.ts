/**
 * The policy for one understood customer turn: `decide(state, understanding,
 * policy, now) → { state, actions }`. Pure and deterministic; the workflow
 * runs the actions (replies, tool calls, escalation, close).
 *
 * Order of concerns:
 * 1. reasons that escalate regardless of content (explicit request, anger,
 *    upset VIP, too many turns, business rule);
 * 2. the current task, read in context (slot answers, yes/no to a
 *    confirmation, corrections) unless the customer clearly switched task;
 * 3. a new task, or a template answer for everything else;
 * 4. the failure/low-confidence streaks, which may escalate after all.
 */
import type { PolicyConfig, Understanding } from '../workflows/contract';
import type { Decision } from './actions';
import { looksLikeAffirm, looksLikeDeny, namedSlot } from './cues';
import { upfrontReasons } from './escalation';
import {
  explicitSlots,
  freeTextAnswer,
  isFreeTextSlot,
  isSubstantiveDescription,
  isTaskIntent,
  schemaOf,
  type SlotName,
  type Slots,
  type TaskIntent,
} from './slots';
import type { ConversationState, Task } from './state';
import { INFO_REPLIES, labels } from './templates';
import { askSlot, attempt, beginTurn, escalate, finish, proceed, reply, sideEffectCall, callTool, type Turn } from './turn';

/** Switching task while the bot waits for a free-text answer needs a clearer signal than usual. */
const FREE_TEXT_SWITCH_CONFIDENCE = 0.8;

export function decide(state: ConversationState, u: Understanding, policy: PolicyConfig, now: string): Decision {
  const t = beginTurn(state, policy, now);
  const c = t.ai.counters;
  c.turns += 1;
  c.totalTurns += 1;
  t.ai.language = u.language;
  t.ai.emotion = u.emotion;
  t.ai.lastConfidence = u.confidence;
  if (u.intent !== 'affirm' && u.intent !== 'deny' && u.confidence >= policy.lowConfidenceThreshold) t.ai.lastIntent = u.intent;

  const reasons = upfrontReasons(t.ai, u, state.customer, policy);
  if (t.ai.offeredHuman && isAffirm(u) && !reasons.includes('explicit_request')) reasons.push('explicit_request');
  if (reasons.length > 0) {
    if (reasons.includes('explicit_request')) c.humanRequests += 1;
    escalate(t, reasons);
    return finish(t);
  }

  handle(t, u);

  const lowConfidence = u.confidence < policy.lowConfidenceThreshold && !t.usedContext;
  c.lowConfidenceStreak = lowConfidence ? c.lowConfidenceStreak + 1 : 0;
  return finish(t);
}

/** Minimum classifier confidence for a yes/no without a literal cue ("yes", "好的", "no", "不"). */
const YES_NO_CONFIDENCE = 0.5;

function isAffirm(u: Understanding): boolean {
  if (u.intent === 'affirm' && u.confidence >= YES_NO_CONFIDENCE) return true;
  return u.intent !== 'deny' && looksLikeAffirm(u.normalizedText);
}

function isDeny(u: Understanding): boolean {
  if (u.intent === 'deny' && u.confidence >= YES_NO_CONFIDENCE) return true;
  return u.intent !== 'affirm' && looksLikeDeny(u.normalizedText);
}

function handle(t: Turn, u: Understanding): void {
  if (t.ai.offeredHuman) {
    t.ai.offeredHuman = false;
    if (isDeny(u) && Object.keys(u.entities).length === 0) {
      t.usedContext = true;
      reply(t, 'human_declined');
      return;
    }
  }

  const task = t.ai.task;
  if (task && !isSwitch(t, task, u) && continueTask(t, task, u)) return;

  if (isTaskIntent(u.intent) && u.confidence >= t.policy.lowConfidenceThreshold) {
    startTask(t, u.intent, u);
    return;
  }
  answerOther(t, u);
}

/** A confident, different task intent — unless the message is a correction of the current task ("no, it's order …"). */
function isSwitch(t: Turn, task: Task, u: Understanding): boolean {
  if (!isTaskIntent(u.intent) || u.intent === task.intent) return false;
  const awaitingFreeText = task.awaiting?.kind === 'slot' && isFreeTextSlot(task.awaiting.slot);
  const needed = awaitingFreeText ? Math.max(FREE_TEXT_SWITCH_CONFIDENCE, t.policy.lowConfidenceThreshold) : t.policy.lowConfidenceThreshold;
  if (u.confidence < needed) return false;
  const correction = isDeny(u) && Object.keys(explicitSlots(task.intent, u)).length > 0;
  return !correction;
}

function startTask(t: Turn, intent: TaskIntent, u: Understanding): void {
  const previous = t.ai.task;
  if (previous && previous.intent !== intent) attempt(t, `Switched from ${previous.intent} to ${intent}; dropped its details`);
  const slots: Slots = { ...explicitSlots(intent, u) };
  if (schemaOf(intent).slots.includes('description') && isSubstantiveDescription(u.normalizedText)) slots.description = u.normalizedText;
  attempt(t, `Started ${intent}`);
  proceed(t, { intent, slots, facts: {} });
}

function applySlots(task: Task, found: Slots): void {
  for (const [name, value] of Object.entries(found) as [SlotName, string][]) {
    if (name === 'orderNumber' && task.slots.orderNumber !== value) task.facts = {};
    task.slots[name] = value;
  }
}

/** Reads the message against the current task. Returns false when it is not about the task (handled elsewhere). */
function continueTask(t: Turn, task: Task, u: Understanding): boolean {
  const found = explicitSlots(task.intent, u);
  const hasFound = Object.keys(found).length > 0;
  const awaiting = task.awaiting;

  if (awaiting?.kind === 'confirm') {
    if (hasFound) {
      t.usedContext = true;
      applySlots(task, found);
      attempt(t, `Corrected ${Object.keys(found).join(', ')} for ${task.intent}`);
      proceed(t, task);
      return true;
    }
    if (isAffirm(u)) {
      t.usedContext = true;
      task.awaiting = undefined;
      attempt(t, `Customer confirmed ${task.intent}`);
      callTool(t, sideEffectCall(t, task));
      return true;
    }
    if (isDeny(u)) {
      t.usedContext = true;
      task.awaiting = { kind: 'change' };
      reply(t, 'ask_change', { slotLabels: labels.slots(schemaOf(task.intent).slots, t.ai.language) });
      return true;
    }
    if (u.intent === task.intent) {
      proceed(t, task);
      return true;
    }
    if (isOtherConfidentTopic(t, u)) return false;
    t.failed = true;
    reply(t, 'confirm_again');
    return true;
  }

  if (awaiting?.kind === 'change') {
    if (hasFound) {
      t.usedContext = true;
      applySlots(task, found);
      attempt(t, `Changed ${Object.keys(found).join(', ')} for ${task.intent}`);
      proceed(t, task);
      return true;
    }
    const named = namedSlot(u.normalizedText);
    if (named && schemaOf(task.intent).slots.includes(named)) {
      t.usedContext = true;
      delete task.slots[named];
      if (named === 'orderNumber') task.facts = {};
      askSlot(t, task, named);
      return true;
    }
    if (isDeny(u)) {
      t.usedContext = true;
      dropTask(t, task);
      return true;
    }
    if (isAffirm(u) || u.intent === task.intent) {
      t.usedContext = true;
      proceed(t, task);
      return true;
    }
    if (isOtherConfidentTopic(t, u)) return false;
    t.failed = true;
    reply(t, 'ask_change', { slotLabels: labels.slots(schemaOf(task.intent).slots, t.ai.language) });
    return true;
  }

  if (awaiting?.kind === 'slot') {
    const slot = awaiting.slot;
    if (hasFound) {
      t.usedContext = true;
      applySlots(task, found);
      proceed(t, task);
      return true;
    }
    if (isDeny(u) && !isFreeTextSlot(slot)) {
      t.usedContext = true;
      dropTask(t, task);
      return true;
    }
    const free = freeTextAnswer(slot, u);
    if (free !== undefined && !(u.intent === 'greeting' && u.confidence >= t.policy.lowConfidenceThreshold)) {
      t.usedContext = true;
      applySlots(task, { [slot]: free });
      proceed(t, task);
      return true;
    }
    if (isDeny(u)) {
      t.usedContext = true;
      dropTask(t, task);
      return true;
    }
    if (isOtherConfidentTopic(t, u) && u.intent !== task.intent) return false;
    t.failed = true;
    if (slot === 'orderNumber' && /\d{4,}/.test(u.normalizedText)) {
      task.awaiting = { kind: 'slot', slot };
      reply(t, 'invalid_order_number', {}, { apologetic: true });
    } else {
      askSlot(t, task, slot);
    }
    return true;
  }

  // No question pending (e.g. after a tool failure): more details or the same request resume the task.
  if (hasFound || u.intent === task.intent) {
    applySlots(task, found);
    proceed(t, task);
    return true;
  }
  return false;
}

/** A confidently understood message about something else (a question, a greeting) — answered without touching the task. */
function isOtherConfidentTopic(t: Turn, u: Understanding): boolean {
  return u.confidence >= t.policy.lowConfidenceThreshold && !['affirm', 'deny', 'out_of_scope'].includes(u.intent);
}

function dropTask(t: Turn, task: Task): void {
  attempt(t, `Customer dropped ${task.intent}`);
  t.ai.task = undefined;
  reply(t, 'task_dropped');
}

function answerOther(t: Turn, u: Understanding): void {
  const confident = u.confidence >= t.policy.lowConfidenceThreshold;
  if (confident && u.intent === 'greeting') return reply(t, 'greeting');
  if (confident && u.intent === 'goodbye') {
    if (t.ai.task) return reply(t, 'anything_else');
    reply(t, 'goodbye');
    t.actions.push({ kind: 'close', resolution: 'customer said goodbye' });
    return;
  }
  if (confident && (u.intent === 'affirm' || u.intent === 'deny')) {
    t.usedContext = true;
    return reply(t, 'how_can_help');
  }
  const info = confident ? INFO_REPLIES[u.intent] : undefined;
  if (info) {
    attempt(t, `Answered ${u.intent} with a template`);
    reply(t, info.template);
    if (info.offersHuman) t.ai.offeredHuman = true;
    return;
  }
  t.failed = true;
  attempt(t, `Did not understand: "${u.normalizedText.slice(0, 80)}"`);
  reply(t, 'not_understood', {}, { apologetic: true });
}

/**
 * The understanding step itself failed (after its retries): the turn counts
 * as an AI failure and the customer is offered a human; three in a row
 * escalate like any other repeated failure.
 */
export function decideOnUnderstandFailure(state: ConversationState, policy: PolicyConfig, now: string): Decision {
  const t = beginTurn(state, policy, now);
  t.ai.counters.turns += 1;
  t.ai.counters.totalTurns += 1;
  t.failed = true;
  attempt(t, 'Could not process the message (understanding step failed)');
  reply(t, 'assistant_trouble', {}, { apologetic: true });
  t.ai.offeredHuman = true;
  return finish(t);
}
