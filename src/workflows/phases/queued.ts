/**
 * QUEUED phase: waiting for an agent. Customer messages are recorded (by the
 * signal handler) and relayed to the desk; nothing here can answer them —
 * this module has no access to the AI activities.
 *
 * Two kinds of durable deadline, recomputed from state so they survive
 * continue-as-new (src/domain/queue.ts):
 * - service levels: every wait limit of the customer's tier is a period
 *   whose steps run when it passes — remind the customer, alert the
 *   supervisors (an event for supervisor-role users), offer to leave a
 *   message or get a callback — and later periods repeat, so no wait is
 *   ever forgotten;
 * - abandonment: a customer with no live socket for `abandonAfterMs` leaves
 *   the queue, which is recorded and counted.
 */
import { condition } from '@temporalio/workflow';
import { passPeriod, abandon, abandonDeadline, isContactOpen, legacyOverflow, legacyWaitLimitDeadline, offerContact, slaDeadline, bumpPriority } from '../../domain';
import { waitFor } from '../outbox';
import type { ConversationRuntime } from '../runtime';
import { contactReady, fileTicket, submitContact } from './contact';
import type { PhaseExit } from './types';

export async function runQueuedPhase(rt: ConversationRuntime): Promise<PhaseExit> {
  let queuedBeforeRouting = false;
  while (rt.state.phase === 'queued') {
    if (rt.shouldContinueAsNew()) return 'continue_as_new';
    if (!rt.routed()) {
      queuedBeforeRouting = true;
      await waitAsBeforeRouting(rt);
      continue;
    }
    if (queuedBeforeRouting) {
      // Queued before routing and live again: its skill's router has never heard of it.
      queuedBeforeRouting = false;
      rt.restateQueue();
    }
    if (contactReady(rt)) {
      await submitContact(rt);
      continue;
    }
    const sla = slaDeadline(rt.state, rt.policy);
    const gone = abandonDeadline(rt.state, rt.policy);
    const deadlines = [sla, gone].filter((t): t is number => t !== undefined);
    // A closed socket moves abandonment closer and must re-arm the timer; a refresh only moves it later and need not wake us.
    const woke = await waitFor(
      () =>
        rt.state.phase !== 'queued' ||
        rt.shouldContinueAsNew() ||
        contactReady(rt) ||
        (abandonDeadline(rt.state, rt.policy) ?? Infinity) < (gone ?? Infinity),
      deadlines.length > 0 ? Math.min(...deadlines) : undefined,
    );
    if (woke || rt.state.phase !== 'queued') continue;
    // The timer for the earliest deadline fired. What is due is judged against that deadline, not against the
    // task's clock: a decision on "now >= deadline" by a millisecond is only as deterministic as the server's task
    // timestamps, and Temporal's test server once replayed such a task with another time (a determinism error:
    // the run had abandoned, the replay armed a new timer). A deadline that moved later meanwhile is not due.
    const waitedUntil = Math.min(...deadlines);
    const abandonAt = abandonDeadline(rt.state, rt.policy);
    if (abandonAt !== undefined && abandonAt <= waitedUntil) {
      rt.apply(abandon(rt.state, rt.now()));
      break;
    }
    const due = slaDeadline(rt.state, rt.policy);
    if (due !== undefined && due <= waitedUntil) passWaitLimit(rt);
  }
  return 'phase_changed';
}

function passWaitLimit(rt: ConversationRuntime): void {
  const out = passPeriod(rt.state, rt.policy, rt.now());
  const esc = rt.state.escalation;
  rt.apply({ state: out.state, entries: out.entries });
  if (esc && out.period > 0) {
    rt.publishStatus([
      { kind: 'sla', steps: out.steps, period: out.period, tier: rt.state.customer.tier, skill: esc.skill, waitMs: out.alert?.waitedMs ?? rt.nowMs() - Date.parse(rt.state.queue?.waitingSince ?? rt.now()) },
    ]);
  }
  if (out.alert) rt.publishAlert(out.alert);
  // The router is told again each period: an upsert that heals a router which missed the first enqueue.
  rt.restateQueue();
  if (out.overflow && esc && !isContactOpen(rt.state) && rt.state.contact?.stage !== 'done') {
    const offer = offerContact(rt.state, 'overflow', esc, rt.now());
    rt.apply({ state: offer.state, entries: offer.entries });
  }
}

/**
 * A run queued before routing, replaying: one timer to the tier's wait
 * limit, then a callback ticket (src/domain/legacy-queue.ts). Whatever it
 * does live afterwards is decided by the loop above on the routed path.
 */
async function waitAsBeforeRouting(rt: ConversationRuntime): Promise<void> {
  // rt.routed() turns true at the run's first live activation (a presence report, a message, the timer):
  // the wait then ends and the routed path takes over, instead of at the old limit only.
  const left = () => rt.state.phase !== 'queued' || rt.shouldContinueAsNew() || rt.routed();
  const deadline = legacyWaitLimitDeadline(rt.state, rt.policy);
  if (deadline === undefined) {
    await condition(left);
    return;
  }
  const changed = await condition(left, Math.max(deadline - rt.nowMs(), 1));
  if (changed || rt.state.phase !== 'queued' || rt.routed()) return;
  const s = rt.state;
  const ticketId = await fileTicket(rt, {
    kind: 'callback',
    subject: `Callback requested: waited past the ${s.customer.tier} wait limit`,
    description: s.handover?.summary ?? 'Customer waited past the wait limit.',
    priority: bumpPriority(s.escalation?.priority ?? 'normal'),
  });
  if (rt.state.phase !== 'queued') return;
  rt.apply(legacyOverflow(rt.state, ticketId, rt.now()));
}
