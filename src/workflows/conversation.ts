/**
 * The conversation workflow: one per conversation, id `conversation-<id>`,
 * started by the gateway with signal-with-start on the first customer message.
 *
 * This file wires every signal, update and query once, then runs the phase
 * loop (AI → QUEUED → HUMAN → … → CLOSED). State and rules live in
 * src/domain; each phase is its own module under ./phases.
 */
import { ApplicationFailure, continueAsNew, log, setHandler } from '@temporalio/workflow';
import {
  agentRejection,
  assignAgent,
  buildEscalation,
  buildHandover,
  claimRejection,
  closeConversation,
  closeRejection,
  contactStep,
  initialState,
  isContactOpen,
  InvalidPolicyError,
  InvalidStateError,
  recordAgentMessage,
  recordCustomerMessage,
  recordCustomerPresence,
  recoveryNotice,
  release,
  resolvePolicy,
  skillIds,
  toView,
  transcriptAfter,
  transfer,
  type ConversationState,
} from '../domain';
import {
  agentAssignedSignal,
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  customerMessageSignal,
  customerPresenceSignal,
  ErrorCode,
  handoverQuery,
  LANGUAGES,
  releaseUpdate,
  stateQuery,
  transcriptQuery,
  transferUpdate,
  type ClaimResult,
  type ConversationInput,
  type ConversationResolution,
  type Handover,
  type Language,
  type PolicyConfig,
} from './contract';
import { runAiPhase } from './phases/ai';
import { runHumanPhase } from './phases/human';
import { runQueuedPhase } from './phases/queued';
import { ConversationRuntime } from './runtime';

export async function conversationWorkflow(input: ConversationInput): Promise<ConversationResolution> {
  const rt = start(input);
  // Temporal lost this conversation and a client that had seen entries wrote again: say so first,
  // before the handlers take the message that started this run.
  if (input.carried === undefined && input.recoveredAfterSeq !== undefined) rt.apply(recoveryNotice(rt.state, rt.now()));
  wireHandlers(rt);
  rt.startPublisher();
  if (input.carried === undefined) rt.publishStatus([{ kind: 'started', tier: rt.state.customer.tier }]);
  rt.syncSearchAttributes();

  for (;;) {
    const phase = rt.state.phase;
    if (phase === 'closed') break;
    const exit = phase === 'ai' ? await runAiPhase(rt) : phase === 'queued' ? await runQueuedPhase(rt) : await runHumanPhase(rt);
    if (exit === 'continue_as_new' && !isClosed(rt)) {
      // Quiet point: no AI turn in flight. Let running handlers finish and the outbox drain, then carry everything.
      await rt.quiesce();
      if (!isClosed(rt)) {
        log.info('continuing as new', { turns: rt.state.runTurns, lastSeq: rt.state.nextSeq - 1 });
        return continueAsNew<typeof conversationWorkflow>({ ...input, carried: rt.state });
      }
    }
  }

  await rt.quiesce();
  return resolutionOf(rt.state);
}

// A function, not an inline check: handlers change the phase across awaits, which TypeScript's narrowing cannot see.
function isClosed(rt: ConversationRuntime): boolean {
  return rt.state.phase === 'closed';
}

function start(input: ConversationInput): ConversationRuntime {
  try {
    const policy = resolvePolicy(input?.policy ?? {});
    return new ConversationRuntime(initialState(input, new Date().toISOString()), policy, input);
  } catch (err) {
    if (err instanceof InvalidPolicyError || err instanceof InvalidStateError) {
      // Bad input must fail the workflow, not retry its first task forever.
      throw ApplicationFailure.create({ type: ErrorCode.InvalidInput, message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

function reject(type: ErrorCode, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

const REJECTION_TEXT: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.NotWaiting]: 'the conversation is not waiting for an agent',
  [ErrorCode.AlreadyClaimed]: 'another agent already claimed this conversation',
  [ErrorCode.NotAssigned]: 'you are not the agent assigned to this conversation',
  [ErrorCode.Closed]: 'the conversation is closed',
  [ErrorCode.InvalidInput]: 'invalid input',
};

function isAgentRef(v: { agentId?: unknown; agentName?: unknown } | undefined): boolean {
  return !!v && typeof v.agentId === 'string' && v.agentId.trim() !== '' && typeof v.agentName === 'string' && v.agentName.trim() !== '';
}

function wireHandlers(rt: ConversationRuntime): void {
  setHandler(customerMessageSignal, (msg) => {
    const r = recordCustomerMessage(rt.state, msg, rt.now());
    if (r.kind !== 'recorded') {
      log.info('customer message ignored', { reason: r.kind, messageId: typeof msg?.messageId === 'string' ? msg.messageId : undefined });
      return;
    }
    // Outside the AI phase a message is a relay, and it still grows this run's history.
    rt.state = r.state.phase === 'ai' ? r.state : { ...r.state, runTurns: r.state.runTurns + 1 };
    rt.publishEntries([r.entry]);
    // An open leave-a-message / callback offer reads the message first; what it takes is not an AI turn.
    if (isContactOpen(rt.state)) {
      const step = contactStep(rt.state, r.entry.text, rt.now());
      if (step.consumed) rt.apply({ state: { ...step.state, inbox: step.state.inbox.filter((seq) => seq !== r.entry.seq) }, entries: step.entries });
    }
  });

  setHandler(customerPresenceSignal, (report) => {
    rt.state = recordCustomerPresence(rt.state, report, rt.now(), rt.policy.routing.presenceLeaseMs);
  });

  setHandler(agentMessageSignal, (msg) => {
    const before = rt.state;
    const r = recordAgentMessage(rt.state, msg, rt.now());
    if (r.kind !== 'recorded') {
      log.info('agent message ignored', { reason: r.kind, agentId: typeof msg?.agentId === 'string' ? msg.agentId : undefined });
      return;
    }
    rt.state = r.state;
    // The agent's first reply since taking the conversation: the first response time.
    const first = before.lastAgentSeq === undefined && before.assignedAt !== undefined;
    rt.publishEntries([r.entry], first ? [{ kind: 'first_response', agentId: msg.agentId, ms: Math.max(0, rt.nowMs() - Date.parse(before.assignedAt as string)) }] : undefined);
  });

  setHandler(agentAssignedSignal, (a) => {
    if (!isAgentRef(a) || rt.state.phase === 'closed') {
      log.info('assignment ignored', { phase: rt.state.phase });
      return;
    }
    rt.cancelActiveTurn();
    rt.apply(assignAgent(rt.state, { id: a.agentId, name: a.agentName }, rt.policy, rt.now()));
  });

  setHandler(closeSignal, (req) => {
    const rejection = closeRejection(rt.state, req);
    if (rejection) {
      log.info('close ignored', { reason: rejection });
      return;
    }
    rt.cancelActiveTurn();
    const request = { by: req.by, ...(typeof req.resolution === 'string' ? { resolution: req.resolution.slice(0, 500) } : {}) };
    rt.apply(closeConversation(rt.state, request, rt.now()));
  });

  setHandler(
    claimUpdate,
    (claim): ClaimResult => {
      rt.cancelActiveTurn();
      rt.apply(assignAgent(rt.state, { id: claim.agentId, name: claim.agentName }, rt.policy, rt.now()));
      return { handover: handoverOf(rt.state, rt.policy, claim.language), transcript: rt.state.transcript };
    },
    {
      validator: (claim) => {
        if (!isAgentRef(claim)) reject(ErrorCode.InvalidInput, 'claim needs agentId and agentName');
        const rejection = claimRejection(rt.state, claim.agentId);
        if (rejection) reject(rejection, REJECTION_TEXT[rejection] ?? rejection);
      },
    },
  );

  setHandler(releaseUpdate, (input) => {
    rt.apply(release(rt.state, input, rt.policy, rt.now()));
    return toView(rt.state);
  }, {
    validator: (input) => {
      if (!input || (input.to !== 'ai' && input.to !== 'queue')) reject(ErrorCode.InvalidInput, "release needs to: 'ai' | 'queue'");
      const rejection = agentRejection(rt.state, input.agentId);
      if (rejection) reject(rejection, REJECTION_TEXT[rejection] ?? rejection);
    },
  });

  setHandler(transferUpdate, (input) => {
    rt.apply(transfer(rt.state, input, rt.policy, rt.now()));
    return toView(rt.state);
  }, {
    validator: (input) => {
      const skills = skillIds(rt.policy.routing);
      if (!input || !skills.includes(input.skill)) reject(ErrorCode.InvalidInput, `transfer needs a skill: ${skills.join(' | ')}`);
      const rejection = agentRejection(rt.state, input.agentId);
      if (rejection) reject(rejection, REJECTION_TEXT[rejection] ?? rejection);
    },
  });

  setHandler(stateQuery, () => toView(rt.state));
  setHandler(transcriptQuery, (afterSeq) => transcriptAfter(rt.state, typeof afterSeq === 'number' ? afterSeq : 0));
  setHandler(handoverQuery, () => rt.state.handover ?? null);
}

/**
 * The handover prepared at escalation, in the claiming agent's language when
 * they read another one than the conversation's (rebuilt from the same state:
 * the facts are identical, only the prose changes); built on the spot if an
 * agent somehow arrives without one.
 */
function handoverOf(state: ConversationState, policy: PolicyConfig, language?: Language): Handover {
  const prepared = state.handover;
  const wanted = language && LANGUAGES.includes(language) ? language : undefined;
  if (prepared && (!wanted || (prepared.handoverLanguage ?? prepared.language) === wanted)) return prepared;
  const escalation =
    state.escalation ??
    buildEscalation(
      { reasons: ['agent_takeover'], customer: state.customer, emotion: state.ai.emotion, intent: state.ai.lastIntent, cues: state.ai.cues },
      policy.routing,
      new Date().toISOString(),
    );
  return buildHandover(state, escalation, wanted);
}

function resolutionOf(state: ConversationState): ConversationResolution {
  const closed = state.closed ?? { by: 'system' as const, at: new Date().toISOString() };
  const resolution: ConversationResolution = {
    conversationId: state.conversationId,
    closedBy: closed.by,
    closedAt: closed.at,
    turnCount: state.ai.counters.totalTurns,
    lastSeq: state.nextSeq - 1,
    // States carried from before the flag existed: a handover meant an escalation then.
    escalated: state.reachedDesk ?? state.handover !== undefined,
    reasons: state.handover?.reasons ?? [],
    toolCalls: { total: state.toolCalls.length, failed: state.toolCalls.filter((c) => !c.ok).length },
  };
  if (closed.resolution) resolution.resolution = closed.resolution;
  if (state.agent) resolution.agent = state.agent;
  return resolution;
}
