/**
 * Building blocks shared by `decide` and `afterTool`. A turn works on a
 * private draft of the AI section (a deep copy), so the state passed in is
 * never modified; `finish` turns the draft into the new state plus actions.
 */
import type { EscalationReason, Intent, Language, PolicyConfig } from '../workflows/contract';
import type { Action, Decision, ToolCall } from './actions';
import { buildEscalation, counterReasons, isHighValueRefund } from './escalation';
import { missingSlots, schemaOf, type SlotName, type TaskIntent } from './slots';
import { noteAttempt, type AiState, type ConversationState, type PastTask, type Task } from './state';
import { formatMoney, labels, render, withApology, type Params, type TemplateKey } from './templates';

/** How this release decides, where a running conversation recorded before a change must keep the old way (workflow patches). */
export interface DecideOptions {
  /**
   * While the email or phone of an order is asked, a task detail given early ("it arrived broken", "不想要了",
   * "store credit") is kept and the question asked again. False: the old way (only a contact, a call-off, any
   * no, or another order number moved anything; the rest was a failed answer, and a reply starting with a no,
   * such as 不想要了, dropped the task).
   */
  answersBeforeVerification: boolean;
}

export interface Turn {
  readonly state: ConversationState;
  readonly policy: PolicyConfig;
  readonly now: string;
  ai: AiState;
  actions: Action[];
  /** The turn could not help (not understood, bad answer, tool failure): feeds the consecutive-failure rule. */
  failed: boolean;
  /** The message was read in context (a slot answer, a yes/no to our question): low NLU confidence does not count. */
  usedContext: boolean;
  /** Something before the usual handling already answered the turn (the agent's hand-back context). */
  handled?: boolean;
  /** Understood, but it moves nothing forward (a stray "ok"): counts toward the unclear streak. */
  unclear?: boolean;
  /** How this release decides; set by decide. */
  options?: DecideOptions;
}

export function beginTurn(state: ConversationState, policy: PolicyConfig, now: string): Turn {
  return { state, policy, now, ai: JSON.parse(JSON.stringify(state.ai)) as AiState, actions: [], failed: false, usedContext: false };
}

export function language(t: Turn): Language {
  return t.ai.language;
}

/** Adds a reply; `apologetic` replies get an apology only while under the cap. */
export function reply(t: Turn, template: TemplateKey, params: Params = {}, options: { apologetic?: boolean } = {}): void {
  let text = render(template, t.ai.language, params);
  if (options.apologetic && t.ai.counters.apologies < t.policy.maxApologies) {
    text = withApology(text, t.ai.language);
    t.ai.counters.apologies += 1;
  }
  const facts = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
  t.actions.push(Object.keys(facts).length > 0 ? { kind: 'reply', template, text, facts } : { kind: 'reply', template, text });
}

export function attempt(t: Turn, note: string): void {
  t.ai = noteAttempt(t.ai, note);
}

/** Past tasks kept for the handover. */
const MAX_PAST_TASKS = 10;

/** Keeps a task the customer left (dropped, switched away from, or could not verify) for the agent's handover. */
export function rememberTask(t: Turn, task: Task, how: PastTask['how']): void {
  const past = [...(t.ai.pastTasks ?? []), { intent: task.intent, slots: { ...task.slots }, how }];
  t.ai.pastTasks = past.length > MAX_PAST_TASKS ? past.slice(past.length - MAX_PAST_TASKS) : past;
}

export function callTool(t: Turn, call: ToolCall): void {
  t.actions.push({ kind: 'callTool', call });
}

/** Hands over now: a reply telling the customer, then the escalate action. Replaces nothing already queued. */
export function escalate(
  t: Turn,
  reasons: EscalationReason[],
  template: TemplateKey = 'escalating',
  params: Params = {},
): void {
  const intent: Intent | undefined = t.ai.task?.intent ?? t.ai.lastIntent;
  const escalation = buildEscalation(
    { reasons, customer: t.state.customer, emotion: t.ai.emotion, intent, cues: t.ai.cues ?? [] },
    t.policy.routing,
    t.now,
  );
  t.ai.offeredHuman = false;
  if (t.ai.task) t.ai.task.awaiting = undefined;
  attempt(t, `Escalated (${escalation.reasons.join(', ')})`);
  reply(t, template, params);
  t.actions.push({ kind: 'escalate', escalation });
}

export function isEscalating(t: Turn): boolean {
  return t.actions.some((a) => a.kind === 'escalate');
}

/**
 * Closes the turn: updates the failure streak, applies the counter-based
 * escalation rules (their escalation replaces this turn's other actions: the
 * customer gets one clear message, not "I didn't get that" followed by a
 * handover), and returns the new state.
 */
export function finish(t: Turn): Decision {
  if (!isEscalating(t)) {
    t.ai.counters.consecutiveAiFailures = t.failed ? t.ai.counters.consecutiveAiFailures + 1 : 0;
    if (t.failed) t.ai.hadUnresolved = true;
    const reasons = counterReasons(t.ai, t.policy);
    if (t.failed && t.state.customer.tier === 'vip' && t.policy.vipRule === 'after_unresolved') reasons.push('vip_customer');
    if (reasons.length > 0) {
      t.actions = [];
      escalate(t, reasons, reasons.includes('tool_failure') ? 'escalating_tool_failure' : 'escalating');
    }
  }
  return { state: { ...t.state, ai: t.ai }, actions: t.actions };
}

// ---------------------------------------------------------------------------
// Task progression
// ---------------------------------------------------------------------------

const ASK_TEMPLATE: Record<SlotName, (intent: TaskIntent) => TemplateKey> = {
  orderNumber: () => 'ask_orderNumber',
  reason: (intent) => (intent === 'return_exchange' ? 'ask_reason_return' : 'ask_reason_refund'),
  refundMethod: () => 'ask_refundMethod',
  returnType: () => 'ask_returnType',
  description: (intent) => (intent === 'complaint' ? 'ask_description_complaint' : 'ask_description_repair'),
  address: () => 'ask_address',
};

export function askSlot(t: Turn, task: Task, slot: SlotName): void {
  task.awaiting = { kind: 'slot', slot };
  reply(t, ASK_TEMPLATE[slot](task.intent), { returnType: task.slots.returnType });
}

/** Next step of a task: verify the order, ask the next missing slot, confirm, or run the read-only tool. */
export function proceed(t: Turn, task: Task): void {
  t.ai.task = task;
  const schema = schemaOf(task.intent);
  const orderNumber = task.slots.orderNumber;
  // Every order task looks the order up first: whose it is decides whether anything more happens.
  if (orderNumber && task.facts.order?.orderNumber !== orderNumber) {
    task.facts = {};
    task.awaiting = undefined;
    attempt(t, `Looked up order ${orderNumber}`);
    callTool(t, { tool: 'getOrder', input: { orderNumber }, purpose: 'verify' });
    return;
  }
  if (orderNumber && !isOrderVerified(t, orderNumber)) {
    task.awaiting = { kind: 'verify', tries: 0 };
    attempt(t, `Asked for the email or phone on order ${orderNumber}`);
    reply(t, 'ask_verification', { orderNumber });
    return;
  }
  const order = task.facts.order;
  if (task.intent === 'get_refund' && order && isHighValueRefund(order.total, t.policy)) {
    escalate(t, ['high_value_refund'], 'escalating_high_value', { amount: formatMoney(order.total) });
    return;
  }
  const missing = missingSlots(task.intent, task.slots);
  if (missing.length > 0) {
    askSlot(t, task, missing[0]);
    return;
  }
  if (schema.sideEffect && task.intent === 'complaint' && t.policy.routing.complaintHandling === 'human') {
    // The design sends complaints to people: the description goes with the handover instead of into a ticket.
    task.awaiting = undefined;
    attempt(t, 'Complaint described; handed to customer care (complaint handling: human)');
    escalate(t, ['complaint'], 'escalating_complaint');
    return;
  }
  if (schema.sideEffect) {
    task.awaiting = { kind: 'confirm' };
    reply(t, `confirm_${task.intent}` as TemplateKey, confirmParams(t, task));
    return;
  }
  task.awaiting = undefined;
  attempt(t, `Looked up order ${orderNumber}`);
  callTool(t, { tool: 'getOrder', input: { orderNumber: orderNumber ?? '' }, purpose: 'track' });
}

/**
 * Whether this conversation's customer may see and change `orderNumber`: an
 * integrated customer for the orders under their id (the lookup refuses the
 * others before we get here), an anonymous one after proving the email or
 * phone on the order.
 */
export function isOrderVerified(t: Turn, orderNumber: string): boolean {
  if (!t.state.customer.anonymous) return true;
  return (t.ai.verifiedOrders ?? []).includes(orderNumber);
}

function confirmParams(t: Turn, task: Task): Params {
  const s = task.slots;
  return {
    orderNumber: s.orderNumber,
    amount: task.facts.order ? formatMoney(task.facts.order.total) : undefined,
    reason: s.reason,
    refundMethodLabel: s.refundMethod ? labels.refundMethod(s.refundMethod, t.ai.language) : undefined,
    returnType: s.returnType,
    description: s.description,
    address: s.address,
  };
}

function evidenceOf(task: Task): { evidence?: string[] } {
  return task.evidence?.length ? { evidence: [...task.evidence] } : {};
}

/** The side-effecting call a confirmed task makes. */
export function sideEffectCall(t: Turn, task: Task): ToolCall {
  const s = task.slots;
  const orderNumber = s.orderNumber ?? '';
  switch (task.intent) {
    case 'get_refund':
      return {
        tool: 'submitRefund',
        input: { orderNumber, reason: s.reason ?? '', method: (s.refundMethod ?? 'original_payment') as 'original_payment' },
      };
    case 'return_exchange':
      return {
        tool: 'createReturn',
        input: { orderNumber, type: s.returnType === 'exchange' ? 'exchange' : 'return', reason: s.reason ?? '', ...evidenceOf(task) },
      };
    case 'repair_request':
      return { tool: 'createRepair', input: { orderNumber, description: s.description ?? '', ...evidenceOf(task) } };
    case 'change_shipping_address':
      return { tool: 'changeAddress', input: { orderNumber, address: s.address ?? '' } };
    case 'cancel_order':
      return { tool: 'cancelOrder', input: { orderNumber } };
    case 'track_order':
      throw new Error('track_order is read-only: it has no side-effecting call');
    case 'complaint':
      return {
        tool: 'createTicket',
        input: {
          conversationId: t.state.conversationId,
          customerId: t.state.customer.id,
          kind: 'complaint',
          subject: t.ai.language === 'zh' ? '客户投诉' : 'Customer complaint',
          description: s.description ?? '',
          priority: t.state.customer.tier === 'vip' || t.ai.emotion === 'negative' ? 'high' : 'normal',
        },
      };
  }
}
