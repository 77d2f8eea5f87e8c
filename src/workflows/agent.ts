/**
 * The agent entity: one long-running workflow per agent (id from
 * `agentWorkflowId(taskQueue, agentId)`), the authority on that agent's
 * presence, capacity and slots. Handlers are synchronous state transitions
 * (src/routing/agent-state.ts), so update validators always see what the
 * handlers before them did: of 20 simultaneous claims on an agent with two
 * free slots, exactly two get one. The loop below runs the timers (offer
 * timeouts, reservations, socket leases), tells the routers of the agent's
 * skills when anything they rank by changed, and continues as new with the
 * JSON-safe state once handlers and messages are done.
 */
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  agentConnectionSignal,
  agentOfferSignal,
  agentProfileSignal,
  agentReleaseSlotSignal,
  agentSlotSignal,
  agentStatusSignal,
  agentViewQuery,
  agentWithdrawOfferSignal,
  handledSignal,
  offerEndedSignal,
  reserveSlotUpdate,
  respondOfferUpdate,
  routerWorkflowId,
  RoutingErrorCode,
  setPresenceUpdate,
  type AgentEntityInput,
  type OfferEnded,
} from '../routing/contract';
import {
  agentSnapshot,
  agentView,
  applyProfile,
  InvalidAgentStateError,
  initialAgentState,
  nextAgentDeadline,
  offerRejection,
  receiveOffer,
  recordConnection,
  releaseSlot,
  reserve,
  reserveRejection,
  respondOffer,
  setStatus,
  slotEvent,
  tick,
  withdrawOffer,
  type AgentEntityState,
  type AgentStep,
} from '../routing/agent-state';
import { ErrorCode, type Presence } from './contract';
import { Outbox, waitFor } from './outbox';

/** History events per run before continuing as new (the SDK's own suggestion may come first). */
const EVENTS_PER_RUN = 4000;
const PRESENCES: readonly Presence[] = ['online', 'away', 'offline'];

function reject(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function agentWorkflow(input: AgentEntityInput): Promise<void> {
  let state: AgentEntityState;
  try {
    state = initialAgentState(input, new Date().toISOString());
  } catch (err) {
    if (err instanceof InvalidAgentStateError) throw ApplicationFailure.create({ type: ErrorCode.InvalidInput, message: err.message, nonRetryable: true });
    throw err;
  }
  const outbox = new Outbox(input.outbox);
  outbox.start();
  // Every run reports itself: a fresh agent so routers learn about it, a continued one because changes may have
  // arrived between its last report and the continue-as-new.
  let reportNeeded = true;
  const now = () => new Date().toISOString();
  // Offer answers wait for the next report, to travel with it: the router then frees and reuses the slot in one pass.
  let endedOffers: { routerId: string; ended: OfferEnded }[] = [];
  const routerIds = () => state.profile.skills.map((s) => routerWorkflowId(state.taskQueue, s.skill));

  const run = (step: AgentStep): void => {
    state = step.state;
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'report':
          reportNeeded = true;
          break;
        case 'publish':
          outbox.publish(effect.event);
          break;
        case 'offerEnded':
          // A router this agent no longer reports to still gets its answer, on its own.
          if (routerIds().includes(effect.routerId)) {
            endedOffers.push({ routerId: effect.routerId, ended: effect.ended });
            reportNeeded = true;
          } else {
            outbox.signal(effect.routerId, offerEndedSignal, effect.ended);
          }
          break;
        case 'handled':
          outbox.signal(routerWorkflowId(state.taskQueue, effect.skill), handledSignal, {
            conversationId: effect.conversationId,
            agentId: state.profile.id,
            handleMs: effect.handleMs,
          });
          break;
      }
    }
  };

  setHandler(agentProfileSignal, (update) => run(applyProfile(state, update, now())));
  setHandler(agentConnectionSignal, (c) => run(recordConnection(state, c, now())));
  setHandler(agentOfferSignal, (offer) => run(receiveOffer(state, offer, now())));
  setHandler(agentWithdrawOfferSignal, (w) => run(withdrawOffer(state, w?.offerId)));
  setHandler(agentSlotSignal, (ev) => run(slotEvent(state, ev, now())));
  setHandler(agentReleaseSlotSignal, (r) => run(releaseSlot(state, r?.conversationId, now())));

  setHandler(
    setPresenceUpdate,
    (input) => {
      run(setStatus(state, input.status, now()));
      return agentView(state);
    },
    {
      validator: (input) => {
        if (!input || !PRESENCES.includes(input.status)) reject(ErrorCode.InvalidInput, `status must be one of ${PRESENCES.join(', ')}`);
      },
    },
  );

  setHandler(
    reserveSlotUpdate,
    (input) => {
      run(reserve(state, input, now()));
      return agentView(state);
    },
    {
      validator: (input) => {
        if (!input || typeof input.conversationId !== 'string' || input.conversationId === '' || typeof input.skill !== 'string') {
          reject(ErrorCode.InvalidInput, 'reserveSlot needs conversationId and skill');
        }
        const rejection = reserveRejection(state, input);
        if (rejection === RoutingErrorCode.NotAvailable) reject(rejection, `your status is ${state.status}; set it to online to take conversations`);
        if (rejection) reject(rejection, `every slot is taken (${state.slots.length} of ${state.profile.maxConcurrent})`);
      },
    },
  );

  setHandler(
    respondOfferUpdate,
    (response) => {
      const step = respondOffer(state, response, now());
      run(step);
      return step.answer;
    },
    {
      validator: (response) => {
        if (!response || typeof response.offerId !== 'string' || typeof response.accept !== 'boolean') {
          reject(ErrorCode.InvalidInput, 'respondOffer needs offerId and accept');
        }
        const rejection = offerRejection(state, response, Date.now());
        if (rejection) reject(rejection, 'no such offer is waiting for an answer (it expired, was withdrawn or was answered)');
      },
    },
  );

  setHandler(agentViewQuery, () => agentView(state));

  for (;;) {
    if ((nextAgentDeadline(state) ?? Infinity) <= Date.now()) run(tick(state, now()));
    if (reportNeeded) {
      reportNeeded = false;
      report(state, outbox, endedOffers);
      endedOffers = [];
      state = { ...state, version: state.version + 1, reportedSkills: state.profile.skills.map((s) => s.skill) };
    }
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (state.settings.eventsPerRun ?? EVENTS_PER_RUN)) {
      // Under constant traffic there is always something new to say: nothing new goes out, what is in flight
      // finishes, and what is queued travels to the next run, which also reports first thing.
      outbox.hold();
      await condition(() => allHandlersFinished() && outbox.inFlight === 0);
      // Offer answers that arrived meanwhile go with a last report (queued, so carried).
      if (endedOffers.length > 0) {
        report(state, outbox, endedOffers);
        endedOffers = [];
        state = { ...state, version: state.version + 1, reportedSkills: state.profile.skills.map((s) => s.skill) };
      }
      log.info('agent entity continuing as new', { agentId: state.profile.id });
      return continueAsNew<typeof agentWorkflow>({
        profile: state.profile,
        settings: state.settings,
        taskQueue: state.taskQueue,
        carried: state,
        outbox: outbox.carry(),
      });
    }
    const deadline = nextAgentDeadline(state);
    // Woken early only when there is something to say or a deadline moved closer (a lease refresh moves it later: no wake).
    await waitFor(
      () => reportNeeded || (nextAgentDeadline(state) ?? Infinity) < (deadline ?? Infinity) || workflowInfo().continueAsNewSuggested,
      deadline,
    );
  }
}

/**
 * Tells each skill's router where the agent stands (a skill the agent no
 * longer has gets a last report without it); an offer answer for a router
 * carries the report instead of a second message.
 */
function report(state: AgentEntityState, outbox: Outbox, ended: readonly { routerId: string; ended: OfferEnded }[]): void {
  const snapshot = agentSnapshot(state, state.version + 1);
  const skills = new Set([...state.profile.skills.map((s) => s.skill), ...state.reportedSkills]);
  for (const skill of skills) {
    const routerId = routerWorkflowId(state.taskQueue, skill);
    const answers = ended.filter((e) => e.routerId === routerId);
    if (answers.length === 0) {
      outbox.signal(routerId, agentStatusSignal, snapshot);
      continue;
    }
    for (const e of answers) outbox.signal(routerId, offerEndedSignal, { ...e.ended, agent: snapshot });
  }
}
