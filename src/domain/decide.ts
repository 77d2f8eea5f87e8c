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
import type { Intent, PolicyConfig, Understanding } from '../workflows/contract';
import type { Decision } from './actions';
import {
  contactIn,
  describesDamage,
  isBareYesNoText,
  isCallOff,
  isCompensationDemand,
  isThanks,
  looksLikeAffirm,
  looksLikeDeny,
  namedSlot,
  pickedOption,
  priorityCues,
  soundsLikeRequest,
} from './cues';
import { isHumanRequest, upfrontReasons } from './escalation';
import {
  explicitSlots,
  freeTextAnswer,
  freeTextRemainder,
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
import { askSlot, attempt, beginTurn, escalate, finish, proceed, reply, sideEffectCall, callTool, rememberTask, type DecideOptions, type Turn } from './turn';

export type { DecideOptions } from './turn';


const CURRENT: DecideOptions = { answersBeforeVerification: true };

export function decide(state: ConversationState, u: Understanding, policy: PolicyConfig, now: string, options: DecideOptions = CURRENT): Decision {
  const t = beginTurn(state, policy, now);
  t.options = options;
  const c = t.ai.counters;
  c.turns += 1;
  c.totalTurns += 1;
  // An email, a phone or an order number alone says nothing about the customer's language.
  if (carriesLanguage(u.normalizedText)) t.ai.language = u.language;
  t.ai.emotion = u.emotion;
  t.ai.lastConfidence = u.confidence;
  if (u.intent !== 'affirm' && u.intent !== 'deny' && u.confidence >= policy.lowConfidenceThreshold) t.ai.lastIntent = u.intent;

  const cues = priorityCues(u.normalizedText);
  if (cues.length > 0) t.ai.cues = [...new Set([...(t.ai.cues ?? []), ...cues])];

  const reasons = upfrontReasons(t.ai, u, state.customer, policy);
  if (t.ai.offeredHuman && isAffirm(u) && !reasons.includes('explicit_request')) reasons.push('explicit_request');
  if (isCompensationDemand(u.normalizedText)) reasons.push('compensation_request');
  if (reasons.length > 0) {
    if (reasons.includes('explicit_request')) c.humanRequests += 1;
    adoptTopic(t, u);
    // A compensation demand gets its own words: the customer must not read "connecting you" as a yes.
    escalate(t, reasons, reasons.includes('compensation_request') ? 'escalating_compensation' : 'escalating');
    return finish(t);
  }

  if (u.images && u.images.length > 0) t.ai.pendingImages = [...(t.ai.pendingImages ?? []), ...u.images.map((i) => i.id)];
  if (t.ai.handback) useHandback(t, u);
  if (!t.handled) handle(t, u);

  const lowConfidence = (u.confidence < policy.lowConfidenceThreshold && !t.usedContext) || t.unclear === true;
  c.lowConfidenceStreak = lowConfidence ? c.lowConfidenceStreak + 1 : 0;
  return finish(t);
}

/** Tasks a photo can be evidence for. */
const EVIDENCE_INTENTS: readonly TaskIntent[] = ['repair_request', 'return_exchange', 'complaint'];
/**
 * A message that escalates at once may still say what it is about ("my card
 * was charged twice, I want a real person", "refund order 100000000001 or I
 * will sue"): that topic picks the queue and the priority, and a task intent
 * with its details goes to the agent as the open task.
 */
function adoptTopic(t: Turn, u: Understanding): void {
  const confident = (c: number) => c >= t.policy.lowConfidenceThreshold;
  const topic =
    u.topic && confident(u.topic.confidence) && !isHumanRequest(u.topic.intent, false)
      ? u.topic.intent
      : !isHumanRequest(u.intent, false) && confident(u.confidence) && !['affirm', 'deny', 'greeting', 'goodbye', 'out_of_scope'].includes(u.intent)
        ? u.intent
        : undefined;
  if (!topic) return;
  t.ai.lastIntent = topic;
  if (isTaskIntent(topic) && t.ai.task?.intent !== topic) {
    const slots: Slots = { ...explicitSlots(topic, u) };
    if (schemaOf(topic).slots.includes('description') && isSubstantiveDescription(u.normalizedText)) slots.description = u.normalizedText;
    t.ai.task = { intent: topic, slots, facts: {} };
    attempt(t, `Noted ${topic} from the same message`);
  }
}

/** Minimum classifier confidence for a yes/no without a literal cue ("yes", "好的", "no", "不"). */
const YES_NO_CONFIDENCE = 0.5;

function isAffirm(u: Understanding): boolean {
  if (isThanks(u.normalizedText)) return false;
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

  // "thanks" / "谢谢" is politeness: never a yes to a confirmation, never a greeting.
  if (isThanks(u.normalizedText) && Object.keys(u.entities).length === 0) {
    t.usedContext = true;
    thankBack(t);
    return;
  }

  const current = t.ai.task;
  if (current && u.normalizedText.trim() === '' && t.ai.pendingImages?.length) {
    // A photo in the middle of a task: evidence for a repair, return or complaint, then the open question again.
    t.usedContext = true;
    if (EVIDENCE_INTENTS.includes(current.intent)) {
      current.evidence = [...(current.evidence ?? []), ...t.ai.pendingImages];
      t.ai.pendingImages = undefined;
      attempt(t, `Attached a photo to ${current.intent}`);
      reply(t, 'photo_attached');
    }
    proceed(t, current);
    return;
  }

  const clarify = t.ai.clarify;
  t.ai.clarify = undefined;
  if (clarify && resolveClarify(t, u, clarify.options, clarify.orderNumber)) return;
  const carried = clarify?.orderNumber;

  const task = t.ai.task;
  if (task && !isSwitch(t, task, u) && continueTask(t, task, u)) return;

  // A bare order number out of the blue says which order, not what to do with it: ask.
  const bare = !task && u.layer !== 'rule' && u.entities.orderNumber !== undefined && isBareValue(u.normalizedText, u.entities.orderNumber);
  if (isTaskIntent(u.intent) && u.confidence >= t.policy.lowConfidenceThreshold && !bare) {
    // The order number of the unsure message before ("order … arrived cracked" → "a repair please") carries over.
    startTask(t, u.intent, u, carried);
    return;
  }
  answerOther(t, u);
}

function thankBack(t: Turn): void {
  const task = t.ai.task;
  if (task?.awaiting?.kind === 'confirm') return reply(t, 'thanks_confirm');
  if (task?.awaiting?.kind === 'slot') {
    reply(t, 'you_are_welcome');
    return askSlot(t, task, task.awaiting.slot);
  }
  if (task?.awaiting?.kind === 'verify') return reply(t, 'thanks_verify', { orderNumber: task.slots.orderNumber });
  reply(t, 'thanks_reply');
}

/**
 * Whether the message starts another task instead of answering the current one.
 * At a confirmation, a request with its own different order number is a new
 * task (the old one is kept to resume), while "no, it's order …" corrects. While
 * a free-text answer (a reason, a description) is awaited, the words are the
 * answer unless they are worded as a request of their own.
 */
function isSwitch(t: Turn, task: Task, u: Understanding): boolean {
  if (!isTaskIntent(u.intent) || u.intent === task.intent) return false;
  const request = soundsLikeRequest(u.normalizedText);
  const otherOrder = u.entities.orderNumber !== undefined && u.entities.orderNumber !== task.slots.orderNumber;
  const awaiting = task.awaiting;
  const correction = isDeny(u) && Object.keys(explicitSlots(task.intent, u)).length > 0 && !request;
  if (correction) return false;
  const confident = u.confidence >= t.policy.lowConfidenceThreshold;
  const awaitingFreeText = (awaiting?.kind === 'slot' && isFreeTextSlot(awaiting.slot)) || awaiting?.kind === 'verify';
  if (awaiting?.kind === 'confirm' || awaiting?.kind === 'change' || awaitingFreeText) return confident && (request || otherOrder);
  return confident;
}

function startTask(t: Turn, intent: TaskIntent, u: Understanding, carriedOrder?: string): void {
  const previous = t.ai.task;
  if (previous && previous.intent !== intent) {
    if (previous.awaiting?.kind === 'confirm' && !t.ai.suspended) {
      // Everything was collected and only the yes was missing: keep it, offer it again after the new task.
      t.ai.suspended = { ...previous, awaiting: undefined };
      attempt(t, `Put ${previous.intent} aside to handle ${intent}`);
    } else {
      rememberTask(t, previous, 'switched');
      attempt(t, `Switched from ${previous.intent} to ${intent}; dropped its details`);
    }
  }
  const slots: Slots = { ...(carriedOrder ? { orderNumber: carriedOrder } : {}), ...explicitSlots(intent, u) };
  if (schemaOf(intent).slots.includes('description') && isSubstantiveDescription(u.normalizedText)) slots.description = u.normalizedText;
  const task: Task = { intent, slots, facts: {} };
  if (EVIDENCE_INTENTS.includes(intent) && t.ai.pendingImages?.length) {
    task.evidence = [...t.ai.pendingImages];
    t.ai.pendingImages = undefined;
  }
  attempt(t, `Started ${intent}`);
  proceed(t, task);
}

/** The answer to "do you want A or B?": a pick, a yes (the first), the intent itself, or a bare order number for the likeliest. */
function resolveClarify(t: Turn, u: Understanding, options: Intent[], orderNumber?: string): boolean {
  const picked = pickedOption(u.normalizedText);
  let chosen: Intent | undefined;
  if (picked !== undefined && options[picked]) chosen = options[picked];
  else if (options.includes(u.intent) && !isOtherConfidentNonOption(t, u, options)) chosen = u.intent;
  else if (isAffirm(u) && Object.keys(u.entities).length === 0) chosen = options[0];
  else if (u.entities.orderNumber && !orderNumber && !isConfidentTask(t, u)) chosen = options[0];
  else if (isDeny(u) && Object.keys(u.entities).length === 0) {
    t.usedContext = true;
    reply(t, 'how_can_help');
    return true;
  }
  if (!chosen) return false;
  t.usedContext = true;
  if (isTaskIntent(chosen)) {
    startTask(t, chosen, u, orderNumber);
    return true;
  }
  const info = INFO_REPLIES[chosen];
  if (!info) return false;
  attempt(t, `Answered ${chosen} with a template`);
  reply(t, info.template);
  if (info.offersHuman) t.ai.offeredHuman = true;
  return true;
}

function isConfidentTask(t: Turn, u: Understanding): boolean {
  return isTaskIntent(u.intent) && u.confidence >= t.policy.lowConfidenceThreshold;
}

function isOtherConfidentNonOption(t: Turn, u: Understanding, options: Intent[]): boolean {
  return !options.includes(u.intent) && u.confidence >= t.policy.lowConfidenceThreshold;
}

/**
 * The first turn after an agent handed back: what the agent set up (an order
 * number, a reason the customer gave the agent, the task named in the note)
 * carries into the task the customer now asks to continue.
 */
function useHandback(t: Turn, u: Understanding): void {
  t.ai.handback = undefined;
  const ctx = u.contextEntities ?? {};
  const asked = isTaskIntent(u.intent) && u.confidence >= t.policy.lowConfidenceThreshold ? u.intent : undefined;
  // "ok, go ahead" after the agent's "I'll hand you back for the refund": the note names the task.
  const named = isTaskIntent(u.contextIntent) && (isAffirm(u) || u.confidence < t.policy.lowConfidenceThreshold) ? u.contextIntent : undefined;
  const intent: TaskIntent | undefined = asked ?? named;
  if (!intent || (Object.keys(ctx).length === 0 && !named)) return;
  const fromContext = { ...u, entities: { ...ctx, ...u.entities } };
  const slots: Slots = { ...explicitSlots(intent, fromContext) };
  if (!slots.reason && ctx.reason && schemaOf(intent).slots.includes('reason')) slots.reason = ctx.reason;
  attempt(t, `Continued ${intent} from the agent's hand-back (${Object.keys(slots).join(', ') || 'no details'})`);
  t.usedContext = true;
  proceed(t, { intent, slots, facts: {} });
  t.handled = true;
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

  if (awaiting?.kind === 'verify') return continueVerify(t, task, u);

  if ((awaiting?.kind === 'confirm' || awaiting?.kind === 'change' || awaiting?.kind === 'slot') && isCallOff(u.normalizedText) && !hasFound) {
    t.usedContext = true;
    dropTask(t, task);
    return true;
  }

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
      // A burst may answer the question and give more besides: the messages that named no other slot are the answer.
      const answer = found[slot] === undefined ? freeTextRemainder(task.intent, u) : undefined;
      if (answer !== undefined && isFreeTextSlot(slot)) found[slot] = answer;
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
    if (isDeny(u) && isBareYesNoText(u.normalizedText)) {
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
  rememberTask(t, task, 'dropped');
  t.ai.task = undefined;
  reply(t, 'task_dropped');
}

/** An anonymous customer was asked for the email or phone on the order. */
function continueVerify(t: Turn, task: Task, u: Understanding): boolean {
  const contact = u.entities.email ?? u.entities.phone ?? contactIn(u.normalizedText);
  const orderNumber = task.slots.orderNumber;
  if (contact && orderNumber) {
    t.usedContext = true;
    attempt(t, `Checked the contact given for order ${orderNumber}`);
    callTool(t, { tool: 'verifyOrderContact', input: { orderNumber, contact } });
    return true;
  }
  const early = t.options?.answersBeforeVerification === true;
  // Before: any message starting with a no dropped the task ("不想要了" is a reason, not a no); now only a bare no.
  const denied = isDeny(u) && Object.keys(u.entities).length === 0 && (!early || isBareYesNoText(u.normalizedText));
  if (isCallOff(u.normalizedText) || denied) {
    t.usedContext = true;
    dropTask(t, task);
    return true;
  }
  if (u.entities.orderNumber && u.entities.orderNumber !== orderNumber) {
    // Another order number: verify that one instead.
    t.usedContext = true;
    task.slots.orderNumber = u.entities.orderNumber;
    task.facts = {};
    proceed(t, task);
    return true;
  }
  if (early && orderNumber && keepEarlyAnswer(t, task, u)) {
    reply(t, 'noted_ask_verification', { orderNumber });
    return true;
  }
  if (isOtherConfidentTopic(t, u) && u.intent !== task.intent) return false;
  t.failed = true;
  reply(t, 'ask_verification', { orderNumber });
  return true;
}

/**
 * A detail of the task given while its order's contact is asked: the slots it names ("store credit"), or else,
 * read as this task's words, the answer to the first free-text slot still open (the reason, the description).
 */
function keepEarlyAnswer(t: Turn, task: Task, u: Understanding): boolean {
  const found = explicitSlots(task.intent, u);
  delete found.orderNumber;
  if (Object.keys(found).length === 0 && u.intent === task.intent && !isBareYesNoText(u.normalizedText)) {
    const open = schemaOf(task.intent).slots.find((slot) => isFreeTextSlot(slot) && task.slots[slot] === undefined);
    const answer = open ? freeTextAnswer(open, u) : undefined;
    if (open && answer !== undefined) found[open] = answer;
  }
  if (Object.keys(found).length === 0) return false;
  t.usedContext = true;
  applySlots(task, found);
  attempt(t, `Noted ${Object.keys(found).join(', ')} for ${task.intent} before the order's contact check`);
  return true;
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
    // A yes or no with no question pending says nothing yet: counts toward the unclear streak.
    t.unclear = true;
    return reply(t, 'how_can_help');
  }
  const info = confident && !(u.entities.orderNumber && isBareValue(u.normalizedText, u.entities.orderNumber)) ? INFO_REPLIES[u.intent] : undefined;
  if (info) {
    attempt(t, `Answered ${u.intent} with a template`);
    reply(t, info.template);
    if (t.ai.task?.awaiting?.kind === 'confirm') {
      // The confirmation still stands; a "yes" next means yes to it, not to a human.
      reply(t, 'confirm_again');
    } else if (info.offersHuman) {
      t.ai.offeredHuman = true;
    }
    return;
  }
  if (t.ai.pendingImages?.length && u.normalizedText.trim() === '') {
    // A vision model saw what the photo shows (OPENAI_VISION_MODEL): damage or a wrong item needs no question
    // about the topic, only which remedy; the photo goes with the one the customer picks.
    const shows = (u.images ?? []).map((i) => i.seen?.shows);
    const options: [Intent, Intent] | undefined = shows.includes('damage')
      ? ['repair_request', 'return_exchange']
      : shows.includes('wrong_item')
        ? ['return_exchange', 'complaint']
        : undefined;
    if (options) {
      t.ai.clarify = { options };
      attempt(t, `Photo shows ${shows.includes('damage') ? 'damage' : 'a wrong item'} (vision model); asked ${options.join(' or ')}`);
      reply(t, shows.includes('damage') ? 'photo_shows_damage' : 'photo_shows_wrong_item');
      reply(t, 'clarify', { first: labels.intent(options[0], t.ai.language), second: labels.intent(options[1], t.ai.language) });
      return;
    }
    attempt(t, 'Received a photo; asked what it is about');
    reply(t, 'ask_photo_topic');
    return;
  }
  if (describesDamage(u.normalizedText)) {
    // Damage (with or without a photo): repair or return; a photo goes with whichever the customer picks.
    t.ai.clarify = { options: ['repair_request', 'return_exchange'], ...(u.entities.orderNumber ? { orderNumber: u.entities.orderNumber } : {}) };
    attempt(t, 'Customer describes damage; asked repair or return');
    reply(t, 'clarify', { first: labels.intent('repair_request', t.ai.language), second: labels.intent('return_exchange', t.ai.language) });
    return;
  }
  if (askToClarify(t, u)) return;
  t.failed = true;
  t.unclear = true;
  attempt(t, `Did not understand: "${u.normalizedText.slice(0, 80)}"`);
  reply(t, 'not_understood', {}, { apologetic: true });
}

/** Below this the model's candidates are noise, not something to ask about. */
const CLARIFY_FLOOR = 0.08;

/**
 * An unsure turn asks which of the two likeliest tasks the customer means
 * ("track an order, or check delivery times?") instead of "didn't catch that".
 * A bare order number asks what to do with that order.
 */
function askToClarify(t: Turn, u: Understanding): boolean {
  const lang = t.ai.language;
  const orderNumber = u.entities.orderNumber;
  const ranked = [{ intent: u.intent, confidence: u.confidence }, ...(u.alternatives ?? [])];
  const options: Intent[] = [];
  for (const r of ranked) {
    if (options.length === 2) break;
    if (r.confidence < CLARIFY_FLOOR || options.includes(r.intent) || !labels.intent(r.intent, lang)) continue;
    options.push(r.intent);
  }
  if (orderNumber && isBareValue(u.normalizedText, orderNumber)) {
    t.ai.clarify = { options: ['track_order', 'get_refund'], orderNumber };
    attempt(t, `Asked what to do with order ${orderNumber}`);
    reply(t, 'clarify_order', { orderNumber });
    return true;
  }
  if (options.length < 2) return false;
  t.ai.clarify = { options, ...(orderNumber ? { orderNumber } : {}) };
  attempt(t, `Asked whether the customer means ${options.join(' or ')}`);
  reply(t, 'clarify', { first: labels.intent(options[0], lang), second: labels.intent(options[1], lang) });
  return true;
}

function carriesLanguage(text: string): boolean {
  const rest = text.replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ').replace(/[+\d][\d\s().-]*/g, ' ');
  return /\p{Script=Han}/u.test(rest) || (rest.match(/[a-z]{2,}/gi)?.length ?? 0) >= 2;
}

function isBareValue(text: string, value: string): boolean {
  return text.replace(value, '').replace(/[\s#.,!?。，！？:：]|order|number|no\.?|订单号?|单号/gi, '') === '';
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
