/**
 * Escalation rules: when the AI must hand over, with which priority and to
 * which skill queue. Thresholds come from {@link PolicyConfig}, queues and
 * priorities from its routing policy (./routing-policy.ts); everything is a
 * pure function of the state and the current understanding.
 */
import type {
  Customer,
  Emotion,
  Escalation,
  EscalationReason,
  Intent,
  PolicyConfig,
  Priority,
  PriorityCue,
  RoutingPolicy,
} from '../workflows/contract';
import { PRIORITIES } from '../workflows/contract';
import { priorityCues } from './cues';
import { priorityFor, skillFor } from './routing-policy';
import type { AiState } from './state';

const HUMAN_INTENTS: readonly Intent[] = ['contact_human_agent', 'contact_customer_service'];
/** Intents that need account or payment access the assistant does not have. */
const BUSINESS_RULE_INTENTS: readonly Intent[] = ['payment_issue'];

export function isHumanRequest(intent: Intent, humanRequested: boolean): boolean {
  return humanRequested || HUMAN_INTENTS.includes(intent);
}

export function isBusinessRuleIntent(intent: Intent): boolean {
  return BUSINESS_RULE_INTENTS.includes(intent);
}

export function morePressing(a: Priority, b: Priority): Priority {
  return PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b;
}

export interface EscalationFacts {
  reasons: readonly EscalationReason[];
  customer: Customer;
  emotion: Emotion;
  intent?: Intent;
  /** Legal words or a reported system fault, from anything the customer said (AiState.cues). */
  cues?: readonly PriorityCue[];
}

/** Builds the escalation record; VIP customers always carry the `vip_customer` reason. */
export function buildEscalation(facts: EscalationFacts, routing: RoutingPolicy, now: string): Escalation {
  const { customer } = facts;
  const all = unique([...facts.reasons, ...(customer.tier === 'vip' ? (['vip_customer'] as const) : [])]);
  const priority = priorityFor({ reasons: all, customer, emotion: facts.emotion, intent: facts.intent, cues: facts.cues ?? [] }, routing);
  return { reasons: all, priority, skill: skillFor(facts.intent, customer, routing), at: now };
}

/**
 * Reasons that hold before the AI even tries to answer this turn: the
 * customer asked for a human, is angry, is a VIP who is upset or complaining,
 * the conversation ran too long, or the topic needs a human by business rule.
 */
export function upfrontReasons(
  ai: AiState,
  u: { intent: Intent; emotion: Emotion; humanRequested: boolean; normalizedText?: string },
  customer: Customer,
  policy: PolicyConfig,
): EscalationReason[] {
  const reasons: EscalationReason[] = [];
  if (isHumanRequest(u.intent, u.humanRequested)) reasons.push('explicit_request');
  const cues = priorityCues(u.normalizedText ?? '');
  if (cues.includes('legal')) reasons.push('legal_threat');
  if (cues.includes('system_fault')) reasons.push('system_fault');
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
