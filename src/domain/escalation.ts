/**
 * Escalation rules: when the AI must hand over, with which priority and to
 * which skill queue. Thresholds come from {@link PolicyConfig}; everything is
 * a pure function of the state and the current understanding.
 */
import type { Customer, Emotion, Escalation, EscalationReason, Intent, PolicyConfig, Priority, Skill } from '../workflows/contract';
import { PRIORITIES } from '../workflows/contract';
import type { AiState } from './state';

const HUMAN_INTENTS: readonly Intent[] = ['contact_human_agent', 'contact_customer_service'];
/** Intents that need account or payment access the assistant does not have. */
const BUSINESS_RULE_INTENTS: readonly Intent[] = ['payment_issue'];
/** Low-stakes topics: a plain request for a human about these waits behind the rest. */
const LOW_STAKES_INTENTS: readonly Intent[] = ['newsletter_subscription', 'review', 'points_inquiry', 'product_inquiry', 'price_inquiry'];

const SKILL_BY_INTENT: Partial<Record<Intent, Skill>> = {
  get_refund: 'refunds',
  track_refund: 'refunds',
  check_refund_policy: 'refunds',
  check_cancellation_fee: 'refunds',
  payment_issue: 'refunds',
  check_payment_methods: 'refunds',
  track_order: 'orders',
  cancel_order: 'orders',
  change_order: 'orders',
  place_order: 'orders',
  change_shipping_address: 'orders',
  set_up_shipping_address: 'orders',
  delivery_options: 'orders',
  delivery_period: 'orders',
  return_exchange: 'orders',
  check_invoice: 'orders',
  get_invoice: 'orders',
  repair_request: 'technical',
  installation_inquiry: 'technical',
  registration_problems: 'technical',
  recover_password: 'technical',
  create_account: 'technical',
  delete_account: 'technical',
  edit_account: 'technical',
  switch_account: 'technical',
  complaint: 'complaints',
  review: 'complaints',
};

export function isHumanRequest(intent: Intent, humanRequested: boolean): boolean {
  return humanRequested || HUMAN_INTENTS.includes(intent);
}

export function isBusinessRuleIntent(intent: Intent): boolean {
  return BUSINESS_RULE_INTENTS.includes(intent);
}

/** Skill queue by intent; VIP customers always go to the VIP desk. */
export function skillFor(intent: Intent | undefined, customer: Customer): Skill {
  if (customer.tier === 'vip') return 'vip';
  return (intent && SKILL_BY_INTENT[intent]) || 'general';
}

/**
 * Priority from the reasons and who is waiting:
 * urgent — an angry VIP, or an angry customer with a high-value refund;
 * high — strong emotion, high-value refunds, an agent who went silent, any VIP;
 * low — a plain request about a low-stakes topic from a regular customer;
 * normal — everything else. Enterprise customers are never low.
 */
export function priorityFor(reasons: readonly EscalationReason[], customer: Customer, emotion: Emotion, intent?: Intent): Priority {
  const angry = emotion === 'angry';
  const vip = customer.tier === 'vip';
  if (angry && (vip || reasons.includes('high_value_refund'))) return 'urgent';
  if (
    vip ||
    reasons.includes('negative_emotion') ||
    reasons.includes('high_value_refund') ||
    reasons.includes('agent_unresponsive') ||
    reasons.includes('compensation_request')
  ) {
    return 'high';
  }
  const plainRequest = reasons.every((r) => r === 'explicit_request' || r === 'low_confidence');
  if (plainRequest && customer.tier === 'regular' && intent && LOW_STAKES_INTENTS.includes(intent)) return 'low';
  return 'normal';
}

/** One level more urgent (urgent stays urgent). */
export function bumpPriority(p: Priority): Priority {
  const i = PRIORITIES.indexOf(p);
  return PRIORITIES[Math.max(0, i - 1)];
}

export function morePressing(a: Priority, b: Priority): Priority {
  return PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b;
}

/** Builds the escalation record; VIP customers always carry the `vip_customer` reason. */
export function buildEscalation(
  reasons: readonly EscalationReason[],
  customer: Customer,
  emotion: Emotion,
  intent: Intent | undefined,
  now: string,
): Escalation {
  const all = unique([...reasons, ...(customer.tier === 'vip' ? (['vip_customer'] as const) : [])]);
  return { reasons: all, priority: priorityFor(all, customer, emotion, intent), skill: skillFor(intent, customer), at: now };
}

/**
 * Reasons that hold before the AI even tries to answer this turn: the
 * customer asked for a human, is angry, is a VIP who is upset or complaining,
 * the conversation ran too long, or the topic needs a human by business rule.
 */
export function upfrontReasons(
  ai: AiState,
  u: { intent: Intent; emotion: Emotion; humanRequested: boolean },
  customer: Customer,
  policy: PolicyConfig,
): EscalationReason[] {
  const reasons: EscalationReason[] = [];
  if (isHumanRequest(u.intent, u.humanRequested)) reasons.push('explicit_request');
  if (u.emotion === 'angry') reasons.push('negative_emotion');
  const upsetVip = customer.tier === 'vip' && (u.emotion === 'negative' || u.emotion === 'angry' || u.intent === 'complaint');
  // 'immediate': a VIP always talks to a person; the other rules wait for a sign (upset, or a turn the AI could not resolve, see finish()).
  if (upsetVip || (customer.tier === 'vip' && policy.vipRule === 'immediate')) reasons.push('vip_customer');
  if (ai.counters.turns > policy.maxAiTurns) reasons.push('too_many_turns');
  if (isBusinessRuleIntent(u.intent)) reasons.push('business_rule');
  return reasons;
}

/** Reasons from the running counters once the turn has been handled. */
export function counterReasons(ai: AiState, policy: PolicyConfig): EscalationReason[] {
  const reasons: EscalationReason[] = [];
  if (ai.counters.consecutiveAiFailures >= policy.maxConsecutiveAiFailures) reasons.push('repeated_ai_failure');
  if (ai.counters.lowConfidenceStreak >= policy.maxLowConfidenceTurns) reasons.push('low_confidence');
  if (ai.counters.toolFailures >= policy.maxToolFailures) reasons.push('tool_failure');
  return reasons;
}

/**
 * Rough USD value of one unit, for the refund threshold only. It is a policy
 * knob, never shown to customers; rounding up errs toward a human review.
 */
const USD_PER_UNIT: Record<string, number> = { USD: 1, CNY: 0.15, EUR: 1.2, GBP: 1.4, JPY: 0.0075, HKD: 0.13 };

/** Whether a refund of this amount needs a human (threshold in USD; unknown currencies always do). */
export function isHighValueRefund(amount: { amount: number; currency: string }, policy: PolicyConfig): boolean {
  const rate = USD_PER_UNIT[amount.currency.toUpperCase()];
  if (rate === undefined) return true;
  return amount.amount * rate > policy.refundEscalationAmount;
}

function unique<T>(items: readonly T[]): T[] {
  return items.filter((v, i) => items.indexOf(v) === i);
}
