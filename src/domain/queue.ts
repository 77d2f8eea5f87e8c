/**
 * While a conversation waits for an agent: service levels as durable
 * deadlines, and abandonment. Pure; the QUEUED phase waits on the deadlines
 * computed here (recomputed from state, so they survive continue-as-new).
 *
 * Service levels: every `waitLimitMs` of the customer's tier is one period.
 * When a period passes, its steps run — by default the first reminds the
 * customer, the second alerts the supervisors, the third offers to leave a
 * message or get a callback; after the ladder, `repeat` runs every period
 * (remind and alert again), so nobody is forgotten in the queue.
 *
 * Abandonment: the gateways report the customer's sockets; a queued
 * customer with none for `abandonAfterMs` (counted from the later of the
 * last sign of life and the start of the wait) leaves the queue.
 */
import type { CustomerPresence, PolicyConfig, SlaAlert, SlaStep } from '../workflows/contract';
import { closeConversation, type Transition } from './lifecycle';
import { appendEntries, type ConversationState, type CustomerPresenceState, type NewEntry } from './state';
import { render } from './templates';

/** Sockets remembered per conversation; the oldest go first (a reload loop must not grow state). */
const MAX_CONNECTIONS = 10;

/** Records one socket report. Leases make a gateway that died without saying goodbye count as gone. */
export function recordCustomerPresence(state: ConversationState, report: CustomerPresence, now: string, leaseMs: number): ConversationState {
  if (!report || typeof report.connectionId !== 'string' || report.connectionId === '' || report.connectionId.length > 100) return state;
  if (state.phase === 'closed') return state;
  const until = new Date(Date.parse(now) + leaseMs).toISOString();
  const others = (state.presence?.connections ?? []).filter((c) => c.id !== report.connectionId);
  const connections = report.state === 'closed' ? others : [...others, { id: report.connectionId, until }].slice(-MAX_CONNECTIONS);
  const presence: CustomerPresenceState = { connections, lastSeenAt: now };
  return { ...state, presence };
}

/** Live sockets at `nowMs` (their last report still holds). */
export function liveConnections(state: ConversationState, nowMs: number): number {
  return (state.presence?.connections ?? []).filter((c) => Date.parse(c.until) > nowMs).length;
}

/**
 * When a queued customer counts as having left (epoch ms); undefined while
 * nothing was ever reported (no gateway reports presence: never abandon on a guess).
 */
export function abandonDeadline(state: ConversationState, policy: PolicyConfig): number | undefined {
  if (state.phase !== 'queued' || !state.queue || !state.presence) return undefined;
  const lastSign = Math.max(Date.parse(state.presence.lastSeenAt), ...state.presence.connections.map((c) => Date.parse(c.until)));
  return Math.max(lastSign, Date.parse(state.queue.waitingSince)) + policy.routing.abandonAfterMs;
}

/** The customer left while waiting: out of the queue, recorded, closed. */
export function abandon(state: ConversationState, now: string): Transition {
  return closeConversation(state, { by: 'system', resolution: 'abandoned' }, now, 'queue_abandoned');
}

/** When the next wait-limit period ends (epoch ms). */
export function slaDeadline(state: ConversationState, policy: PolicyConfig): number | undefined {
  if (state.phase !== 'queued' || !state.queue) return undefined;
  const limit = policy.waitLimitMs[state.customer.tier];
  return Date.parse(state.queue.waitingSince) + ((state.queue.periods ?? 0) + 1) * limit;
}

/** The steps of period `n` (1-based): the ladder first, then `repeat` for every later period. */
export function slaStepsFor(period: number, policy: PolicyConfig): SlaStep[] {
  const { ladder, repeat } = policy.routing.sla;
  return period <= ladder.length ? ladder[period - 1] : repeat;
}

export interface SlaOutcome extends Transition {
  period: number;
  steps: SlaStep[];
  /** Set when the steps include the supervisor alert. */
  alert?: SlaAlert;
  /** The steps include the overflow offer (the phase starts the contact flow). */
  overflow: boolean;
}

/** A wait-limit period passed: its reminder, alert and overflow flag. */
export function passPeriod(state: ConversationState, policy: PolicyConfig, now: string): SlaOutcome {
  const q = state.queue;
  const esc = state.escalation;
  if (state.phase !== 'queued' || !q || !esc) return { state, entries: [], period: 0, steps: [], overflow: false };
  const period = (q.periods ?? 0) + 1;
  const steps = slaStepsFor(period, policy);
  const waitedMs = Date.parse(now) - Date.parse(q.waitingSince);
  const minutes = String(Math.max(1, Math.floor(waitedMs / 60_000)));
  const alerting = steps.includes('alert');
  let s: ConversationState = { ...state, queue: { ...q, periods: period, alerts: (q.alerts ?? 0) + (alerting ? 1 : 0) } };
  const notices: NewEntry[] = [];
  // The customer hears about the supervisor once; later alerts go to the desk only, with the reminder.
  if (alerting && (q.alerts ?? 0) === 0) notices.push({ from: 'system', text: render('queue_supervisor', s.ai.language, { minutes }) });
  else if (steps.includes('remind')) notices.push({ from: 'system', text: render('queue_remind', s.ai.language, { minutes }) });
  const r = appendEntries(s, notices, now);
  s = r.state;
  const alert: SlaAlert | undefined = alerting
    ? { conversationId: s.conversationId, skill: esc.skill, priority: esc.priority, tier: s.customer.tier, waitedMs, period, at: now }
    : undefined;
  return { state: s, entries: r.entries, period, steps, ...(alert ? { alert } : {}), overflow: steps.includes('overflow') };
}
