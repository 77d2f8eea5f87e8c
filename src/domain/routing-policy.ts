/**
 * Which queue a conversation waits in, with which priority, and in what order
 * the queue is served — pure functions of the routing policy (the routing
 * file, src/routing/config.ts, or the defaults below).
 *
 * Priorities follow the bot-to-human transfer design:
 * - urgent (immediately): VIP customers, complaints with legal words, system faults;
 * - high (within 5 minutes): enterprise or paying customers, order and payment
 *   problems, product feature questions;
 * - normal (within 15 minutes): everything else;
 * - low (within 30 minutes): plain information requests.
 * Each level is a rule that applies when any of its conditions holds; the
 * levels are checked urgent → high → low, and normal is what is left.
 */
import type {
  Customer,
  Emotion,
  EscalationReason,
  Intent,
  Priority,
  PriorityCue,
  PriorityRule,
  RoutingPolicy,
  Skill,
  SkillDefinition,
} from '../workflows/contract';
import { PRIORITIES } from '../workflows/contract';

const MINUTE = 60_000;

export const DEFAULT_SKILLS: SkillDefinition[] = [
  { id: 'general', label: { en: 'customer service', zh: '综合客服' } },
  { id: 'orders', label: { en: 'orders', zh: '订单' } },
  { id: 'refunds', label: { en: 'refunds and payments', zh: '退款与支付' } },
  { id: 'technical', label: { en: 'technical support', zh: '技术支持' } },
  { id: 'complaints', label: { en: 'customer care', zh: '客户关怀' } },
  { id: 'vip', label: { en: 'VIP', zh: 'VIP专属' } },
];

/** Topic → queue. Intents not listed go to the default skill. */
export const DEFAULT_INTENT_SKILLS: Partial<Record<Intent, Skill>> = {
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

export const DEFAULT_ROUTING: RoutingPolicy = {
  skills: DEFAULT_SKILLS,
  defaultSkill: 'general',
  vipSkill: 'vip',
  intentSkills: DEFAULT_INTENT_SKILLS,
  priorities: {
    urgent: { tiers: ['vip'], cues: ['legal', 'system_fault'], reasons: ['legal_threat', 'system_fault', 'tool_failure'] },
    high: {
      tiers: ['enterprise'],
      paying: true,
      emotions: ['angry'],
      reasons: ['negative_emotion', 'high_value_refund', 'agent_unresponsive', 'complaint', 'compensation_request'],
      intents: [
        'payment_issue',
        'get_refund',
        'track_refund',
        'cancel_order',
        'change_order',
        'track_order',
        'change_shipping_address',
        'return_exchange',
        'check_invoice',
        'get_invoice',
        'repair_request',
        'product_inquiry',
        'installation_inquiry',
        'complaint',
      ],
    },
    low: {
      intents: [
        'check_refund_policy',
        'check_payment_methods',
        'check_cancellation_fee',
        'delivery_options',
        'delivery_period',
        'newsletter_subscription',
        'points_inquiry',
        'price_inquiry',
        'review',
      ],
    },
  },
  queueTargetsMs: { urgent: 0, high: 5 * MINUTE, normal: 15 * MINUTE, low: 30 * MINUTE },
  sla: { ladder: [['remind'], ['alert'], ['overflow']], repeat: ['remind', 'alert'] },
  abandonAfterMs: 2 * MINUTE,
  presenceLeaseMs: 90_000,
  complaintHandling: 'human',
};

export function skillIds(routing: RoutingPolicy): Skill[] {
  return routing.skills.map((s) => s.id);
}

export function skillDefinition(routing: RoutingPolicy, skill: Skill): SkillDefinition | undefined {
  return routing.skills.find((s) => s.id === skill);
}

/** Queue by topic; VIP customers go to the VIP desk when there is one. */
export function skillFor(intent: Intent | undefined, customer: Customer, routing: RoutingPolicy): Skill {
  if (customer.tier === 'vip' && routing.vipSkill) return routing.vipSkill;
  return (intent && routing.intentSkills[intent]) || routing.defaultSkill;
}

export interface PriorityInput {
  reasons: readonly EscalationReason[];
  customer: Customer;
  emotion: Emotion;
  intent?: Intent;
  cues: readonly PriorityCue[];
}

function matches(rule: PriorityRule, p: PriorityInput): boolean {
  return (
    (rule.tiers?.includes(p.customer.tier) ?? false) ||
    (rule.paying === true && p.customer.paying === true) ||
    (p.intent !== undefined && (rule.intents?.includes(p.intent) ?? false)) ||
    (rule.reasons?.some((r) => p.reasons.includes(r)) ?? false) ||
    (rule.emotions?.includes(p.emotion) ?? false) ||
    (rule.cues?.some((c) => p.cues.includes(c)) ?? false)
  );
}

export function priorityFor(p: PriorityInput, routing: RoutingPolicy): Priority {
  const rules = routing.priorities;
  if (matches(rules.urgent, p)) return 'urgent';
  if (matches(rules.high, p)) return 'high';
  if (matches(rules.low, p)) return 'low';
  return 'normal';
}

/** One level more urgent (urgent stays urgent). */
export function bumpPriority(p: Priority): Priority {
  const i = PRIORITIES.indexOf(p);
  return PRIORITIES[Math.max(0, i - 1)];
}

/**
 * When a waiting conversation is due (epoch ms): the start of its wait plus
 * its priority's target. The queue serves the earliest deadline first, so
 * the relative order of two waiting customers never changes, a newcomer goes
 * ahead only of those whose deadline is later than its own, and nobody past
 * their target is ever overtaken (a newcomer's deadline is never in the past).
 */
export function queueDeadline(priority: Priority, waitingSince: string, targetsMs: Record<Priority, number>): number {
  return Date.parse(waitingSince) + (targetsMs[priority] ?? 0);
}

/** Queue order: earliest deadline, then longest wait, then id (a stable order). */
export function compareQueued(
  a: { priority: Priority; waitingSince: string; conversationId: string },
  b: { priority: Priority; waitingSince: string; conversationId: string },
  targetsMs: Record<Priority, number>,
): number {
  const da = queueDeadline(a.priority, a.waitingSince, targetsMs);
  const db = queueDeadline(b.priority, b.waitingSince, targetsMs);
  if (da !== db) return da - db;
  if (a.waitingSince !== b.waitingSince) return a.waitingSince < b.waitingSince ? -1 : 1;
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0;
}

/** What the customer is told the team is called; the id itself for a skill the policy does not describe. */
export function skillLabel(routing: RoutingPolicy, skill: Skill, language: 'en' | 'zh'): string {
  return skillDefinition(routing, skill)?.label[language] ?? skill;
}
