/**
 * The deterministic handover an agent receives on claim (source 'template').
 * The summarizeHandover activity may rewrite `summary` with an LLM; the
 * structured fields always come from here, i.e. from the workflow's state.
 */
import type { Escalation, EscalationReason, Handover } from '../workflows/contract';
import { missingSlots } from './slots';
import { orderIdsOf, type ConversationState } from './state';

const REASON_TEXT: Record<EscalationReason, string> = {
  explicit_request: 'the customer asked for a human',
  negative_emotion: 'the customer is upset',
  repeated_ai_failure: 'the assistant failed to help several times in a row',
  high_value_refund: 'the refund is above the approval limit',
  too_many_turns: 'the conversation ran long without resolution',
  vip_customer: 'VIP customer',
  low_confidence: 'the assistant repeatedly could not tell what the customer wants',
  tool_failure: 'order systems did not respond to the assistant',
  business_rule: 'the topic needs account or payment access',
  transfer: 'transferred by an agent',
  released_to_queue: 'an agent put it back in the queue',
  agent_unresponsive: 'the assigned agent went silent',
  wait_limit: 'the customer waited past the wait limit',
  agent_takeover: 'an agent took over from the assistant',
};

export function describeReason(reason: EscalationReason): string {
  return REASON_TEXT[reason];
}

export function buildHandover(state: ConversationState, escalation: Escalation): Handover {
  const task = state.ai.task;
  const filledSlots: Record<string, string> = {};
  for (const [k, v] of Object.entries(task?.slots ?? {})) if (v) filledSlots[k] = v;
  const missing = task ? missingSlots(task.intent, task.slots) : [];
  const intent = task?.intent ?? state.ai.lastIntent;
  const handover: Handover = {
    conversationId: state.conversationId,
    customer: state.customer,
    language: state.ai.language,
    filledSlots,
    missingSlots: missing,
    orderIds: orderIdsOf(state),
    toolCalls: state.toolCalls,
    aiAttempts: state.ai.attempts,
    reasons: escalation.reasons,
    emotion: state.ai.emotion,
    priority: escalation.priority,
    skill: escalation.skill,
    recommendedAction: recommend(state, escalation),
    summary: '',
    source: 'template',
  };
  if (intent) handover.intent = intent;
  handover.summary = summarize(state, handover);
  return handover;
}

function recommend(state: ConversationState, escalation: Escalation): string {
  const reasons = escalation.reasons;
  const task = state.ai.task;
  const intent = task?.intent ?? state.ai.lastIntent;
  const order = task?.slots.orderNumber;
  const about = intent ? ` with the ${intent.replace(/_/g, ' ')} request` : '';
  if (reasons.includes('high_value_refund')) {
    const amount = task?.facts.order ? ` (${task.facts.order.total.currency} ${task.facts.order.total.amount.toFixed(2)})` : '';
    return `Review the refund for order ${order ?? 'unknown'}${amount} and approve or decline it; the assistant has not submitted it.`;
  }
  if (reasons.includes('tool_failure')) {
    const failed = state.toolCalls.filter((c) => !c.ok).length;
    return `Check ${order ? `order ${order}` : 'the order'} in the back office: the order system did not answer the assistant (${failed} failed call${failed === 1 ? '' : 's'}), and nothing was confirmed to the customer.`;
  }
  if (reasons.includes('negative_emotion') || (reasons.includes('vip_customer') && state.ai.emotion !== 'neutral' && state.ai.emotion !== 'positive')) {
    return `Acknowledge the customer's frustration first, then help${about}.`;
  }
  if (reasons.includes('business_rule')) return `Handle the request${about}; it needs account or payment access the assistant does not have.`;
  if (reasons.includes('agent_unresponsive') || reasons.includes('released_to_queue') || reasons.includes('transfer')) {
    return 'Continue where the previous agent left off; read the latest messages first — the customer has been waiting.';
  }
  if (reasons.includes('repeated_ai_failure') || reasons.includes('low_confidence')) {
    return 'Ask the customer what they need: the assistant could not work out the request.';
  }
  if (task) {
    const missing = missingSlots(task.intent, task.slots);
    return missing.length > 0
      ? `Continue${about}; still needed: ${missing.join(', ')}.`
      : `Continue${about}; all details are collected but nothing has been submitted.`;
  }
  return 'Greet the customer and ask how you can help.';
}

function summarize(state: ConversationState, h: Handover): string {
  const who = `${h.customer.tier.toUpperCase()} customer ${h.customer.name ? `${h.customer.name} (${h.customer.id})` : h.customer.id}`;
  const lang = h.language === 'zh' ? 'Chinese' : 'English';
  const parts = [`${who}, writing in ${lang}.`];
  parts.push(h.intent ? `Topic: ${h.intent.replace(/_/g, ' ')}.` : 'Topic not identified.');
  const filled = Object.entries(h.filledSlots).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  if (filled.length > 0) parts.push(`Known: ${filled.join(', ')}.`);
  if (h.missingSlots.length > 0) parts.push(`Missing: ${h.missingSlots.join(', ')}.`);
  if (h.toolCalls.length > 0) {
    parts.push(`Tool calls: ${h.toolCalls.map((c) => `${c.tool} ${c.ok ? 'ok' : 'failed'} (${c.summary})`).join('; ')}.`);
  }
  parts.push(`Handed over because ${h.reasons.map(describeReason).join('; ')}.`);
  parts.push(`Emotion: ${h.emotion}. Priority ${h.priority}, ${h.skill} queue. ${state.ai.counters.totalTurns} assistant turn${state.ai.counters.totalTurns === 1 ? '' : 's'}.`);
  return parts.join(' ');
}
