/**
 * The router of one skill queue (id from `routerWorkflowId(taskQueue,
 * skill)`): the live queue in service-level order, the agents as they
 * report themselves, push assignment and the wait estimates. Handlers are
 * synchronous state transitions (src/routing/router-state.ts); the loop runs
 * one routing pass per wake-up, sends the offers, tells the gateways the
 * queue moved (at most once per pass, and at least every `refreshMs` while
 * anyone waits, so estimates keep counting down), and continues as new with
 * the JSON-safe state.
 */
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  agentOfferSignal,
  agentStatusSignal,
  agentWithdrawOfferSignal,
  agentWorkflowId,
  dequeueSignal,
  enqueueSignal,
  handledSignal,
  offerEndedSignal,
  queueSnapshotQuery,
  routerSettingsSignal,
  type OfferRequest,
  type RouterInput,
} from '../routing/contract';
import {
  agentStatus,
  applySettings,
  dequeue,
  enqueue,
  expireOffers,
  handled,
  initialRouterState,
  InvalidRouterStateError,
  nextRouterDeadline,
  offerEnded,
  route,
  snapshot,
  type RouterEffect,
  type RouterState,
} from '../routing/router-state';
import { ErrorCode } from './contract';
import { Outbox, waitFor } from './outbox';

const EVENTS_PER_RUN = 6000;

export async function routerWorkflow(input: RouterInput): Promise<void> {
  let state: RouterState;
  try {
    state = initialRouterState(input, workflowInfo().workflowId, new Date().toISOString());
  } catch (err) {
    if (err instanceof InvalidRouterStateError) throw ApplicationFailure.create({ type: ErrorCode.InvalidInput, message: err.message, nonRetryable: true });
    throw err;
  }
  let dirty = true;
  const now = () => new Date().toISOString();
  const change = (next: RouterState): void => {
    state = next;
    dirty = true;
  };
  // An agent entity that cannot be reached (never started, gone) refused the offer: move on to the next agent.
  const undeliverable = (offer: OfferRequest, agentId: string) => () =>
    change(offerEnded(state, { offerId: offer.offerId, conversationId: offer.conversationId, agentId, outcome: 'unavailable' }, now()));
  const outbox = new Outbox(input.outbox, (job) => {
    const offer = job.arg as OfferRequest | undefined;
    // Agent ids hold no ':' (src/gateway/agents.ts), so the id ends the workflow id.
    const agentId = job.workflowId.slice(job.workflowId.lastIndexOf(':') + 1);
    return job.signal === agentOfferSignal.name && offer?.offerId ? undeliverable(offer, agentId) : undefined;
  });
  outbox.start();

  const runEffects = (effects: RouterEffect[]): void => {
    for (const effect of effects) {
      if (effect.kind === 'offer') {
        const { offer } = effect;
        outbox.signal(agentWorkflowId(state.taskQueue, effect.agentId), agentOfferSignal, offer, undeliverable(offer, effect.agentId));
      } else if (effect.kind === 'withdraw') {
        outbox.signal(agentWorkflowId(state.taskQueue, effect.agentId), agentWithdrawOfferSignal, { offerId: effect.offerId });
      } else {
        outbox.publish(effect.event);
      }
    }
  };

  setHandler(routerSettingsSignal, (settings) => {
    if (settings && typeof settings.strategy === 'string') change(applySettings(state, settings));
  });
  setHandler(enqueueSignal, (req) => change(enqueue(state, req, now())));
  setHandler(dequeueSignal, (req) => {
    const step = dequeue(state, req, now());
    change(step.state);
    runEffects(step.effects);
  });
  setHandler(agentStatusSignal, (snap) => change(agentStatus(state, snap)));
  setHandler(offerEndedSignal, (e) => change(offerEnded(state, e, now())));
  setHandler(handledSignal, (sample) => change(handled(state, sample)));
  setHandler(queueSnapshotQuery, () => snapshot(state));

  let lastPush = 0;
  for (;;) {
    const nowMs = Date.now();
    const periodic = state.queue.length > 0 && nowMs - lastPush >= state.settings.refreshMs;
    if (dirty || periodic) {
      dirty = false;
      state = expireOffers(state, now());
      const step = route(state, now());
      state = step.state;
      runEffects(step.effects);
      outbox.publish({ kind: 'queue', skill: state.skill, size: state.queue.length, at: state.asOf });
      lastPush = nowMs;
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (state.settings.eventsPerRun ?? EVENTS_PER_RUN)) {
      // Nothing new goes out; what is in flight finishes, what is queued travels with the run. Changes that
      // arrive meanwhile are in the carried state; the next run starts with a routing pass.
      outbox.hold();
      await condition(() => allHandlersFinished() && outbox.inFlight === 0);
      log.info('router continuing as new', { skill: state.skill, waiting: state.queue.length });
      return continueAsNew<typeof routerWorkflow>({
        skill: state.skill,
        taskQueue: state.taskQueue,
        settings: state.settings,
        carried: state,
        outbox: outbox.carry(),
      });
    }
    const deadlines = [nextRouterDeadline(state), state.queue.length > 0 ? lastPush + state.settings.refreshMs : undefined].filter(
      (t): t is number => t !== undefined,
    );
    const deadline = deadlines.length > 0 ? Math.min(...deadlines) : undefined;
    const woke = await waitFor(() => dirty || workflowInfo().continueAsNewSuggested, deadline);
    // A timer: an offer's grace or a decline's cooldown ended, or the estimates are due a refresh.
    if (!woke) dirty = true;
  }
}
