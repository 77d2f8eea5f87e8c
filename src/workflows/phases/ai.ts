/**
 * AI phase: answers customer messages turn by turn until it escalates, an
 * agent takes over, or the conversation closes. The only workflow code that
 * can reach the AI activities.
 *
 * A turn runs inside its own CancellationScope. Takeover (claim or
 * assignment) and close cancel it; whatever the turn produced is then
 * dropped — its replies are never appended nor published. A side-effecting
 * tool that was already running is allowed to finish (non-cancellable: the
 * backend may already have acted) and its outcome is recorded for the agent.
 */
import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, log, sleep } from '@temporalio/workflow';
import {
  afterHours,
  afterTool,
  appendEntries,
  buildHandover,
  closeConversation,
  decide,
  decideOnUnderstandFailure,
  enterQueue,
  hasSideEffect,
  idleDeadline,
  pendingCustomerText,
  recordToolCall,
  render,
  TOOL_PROGRESS,
  understandInputFor,
  serviceStatus,
  skillDefinition,
  type Action,
  type AiState,
  type ConversationState,
  type ToolCall,
  type ToolErrorKind,
  type ToolOutcome,
} from '../../domain';
import { phraseReply, summarizeHandover, toolsWithTimeout, understand, understandLocally, type ToolActivities } from '../ai-activities';
import { TOOL_MAX_ATTEMPTS } from '../activity-options';
import { ErrorCode, type Escalation, type Handover, type ImageRef, type ToolCallRecord, type Understanding } from '../contract';
import type { ConversationRuntime } from '../runtime';
import { suggestFaq } from '../desk-activities';
import { contactReady, submitContact } from './contact';
import type { PhaseExit } from './types';

/** Upper bound on policy actions in one turn (a tool result may ask for another tool). */
const MAX_ACTIONS_PER_TURN = 12;
/** Transcript tail sent to the summarizer: enough context, bounded payload. */
const SUMMARY_TRANSCRIPT_ENTRIES = 100;

interface TurnResult {
  ai: AiState;
  replies: { text: string }[];
  escalation?: Escalation;
  close?: string;
}

export async function runAiPhase(rt: ConversationRuntime): Promise<PhaseExit> {
  while (rt.state.phase === 'ai') {
    if (rt.shouldContinueAsNew()) return 'continue_as_new';
    if (contactReady(rt)) {
      await submitContact(rt);
      continue;
    }
    if (rt.state.inbox.length === 0) {
      const wait = Math.max(idleDeadline(rt.state, rt.policy) - rt.nowMs(), 1);
      const woke = await condition(() => rt.state.inbox.length > 0 || rt.state.phase !== 'ai' || contactReady(rt), wait);
      if (!woke && rt.state.phase === 'ai' && rt.state.inbox.length === 0) {
        rt.apply(closeConversation(rt.state, { by: 'system', resolution: 'idle' }, rt.now(), 'idle_closed'));
      }
      continue;
    }
    await runTurn(rt);
  }
  return 'phase_changed';
}

async function runTurn(rt: ConversationRuntime): Promise<void> {
  const { seqs, text, images } = pendingCustomerText(rt.state);
  const snapshot: ConversationState = { ...rt.state, inbox: rt.state.inbox.filter((s) => !seqs.includes(s)) };
  const scope = new CancellationScope();
  rt.activeTurn = scope;
  let result: TurnResult | undefined;
  try {
    result = await scope.run(() => aiTurn(rt, snapshot, text, images));
  } catch (err) {
    if (!isCancellation(err)) throw err;
  } finally {
    rt.activeTurn = undefined;
  }
  if (!result || scope.consideredCancelled || rt.state.phase !== 'ai') {
    log.info('AI turn dropped', { phase: rt.state.phase });
    return;
  }
  await commit(rt, seqs, result);
}

async function aiTurn(rt: ConversationRuntime, snapshot: ConversationState, text: string, images: ImageRef[]): Promise<TurnResult> {
  let understanding: Understanding | undefined;
  if (text.trim() === '' && images.length > 0) {
    // A photo without words: nothing to classify; the policy asks what it is about.
    understanding = photoOnly(snapshot, images);
  } else {
    try {
      const run = rt.noLocalActivities ? understand : understandLocally;
      understanding = await run(understandInputFor(snapshot, text));
      if (images.length > 0) understanding = { ...understanding, images };
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('understanding failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  const decision = understanding
    ? decide(snapshot, understanding, rt.policy, rt.now(), rt.decideOptions(snapshot))
    : decideOnUnderstandFailure(snapshot, rt.policy, rt.now());
  let state = decision.state;
  const queue: Action[] = [...decision.actions];
  const result: TurnResult = { ai: state.ai, replies: [] };
  const drafts: { text: string; facts?: Record<string, string> }[] = [];

  for (let i = 0; i < MAX_ACTIONS_PER_TURN && queue.length > 0; i++) {
    const action = queue.shift() as Action;
    if (action.kind === 'reply') {
      drafts.push({ text: action.text, facts: action.facts });
    } else if (action.kind === 'callTool') {
      const outcome = await runToolWithProgress(rt, state, action.call);
      const after = afterTool(state, action.call, outcome, rt.policy, rt.now());
      state = after.state;
      recordTool(rt, after.record, action.call);
      queue.unshift(...after.actions);
    } else if (action.kind === 'escalate') {
      result.escalation = action.escalation;
    } else {
      result.close = action.resolution;
    }
  }
  result.ai = state.ai;

  const intent = state.ai.task?.intent ?? state.ai.lastIntent;
  for (const draft of drafts) {
    result.replies.push({ text: await phrase(draft.text, state, intent, draft.facts) });
  }
  return result;
}

function photoOnly(state: ConversationState, images: ImageRef[]): Understanding {
  return {
    intent: 'out_of_scope',
    confidence: 0,
    layer: 'rule',
    entities: {},
    emotion: 'neutral',
    language: state.ai.language,
    humanRequested: false,
    normalizedText: '',
    images,
  };
}

async function phrase(draft: string, state: ConversationState, intent: Understanding['intent'] | undefined, facts?: Record<string, string>): Promise<string> {
  try {
    const text = await phraseReply({ draft, language: state.ai.language, ...(intent ? { intent } : {}), ...(facts ? { facts } : {}) });
    return typeof text === 'string' && text.trim() !== '' ? text : draft;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return draft;
  }
}

/**
 * Runs a tool; if it is still running after `toolProgressMs`, the customer
 * gets a short "one moment, I'm checking your order…" at once (the turn's
 * other replies wait for its end). The timer is a workflow timer, cancelled
 * when the tool ends first, so a replay sees the same commands.
 *
 * Not behind patched(): this release changes which tools a turn calls
 * (ownership lookups, verification), so histories of the previous release do
 * not replay anyway; the fixtures were re-recorded (see test/replay.test.ts).
 */
async function runToolWithProgress(rt: ConversationRuntime, state: ConversationState, call: ToolCall): Promise<ToolOutcome> {
  let done = false;
  const timer = new CancellationScope();
  const notice = timer
    .run(() => sleep(rt.policy.toolProgressMs))
    .then(
      () => {
        if (done || rt.state.phase !== 'ai' || rt.activeTurn?.consideredCancelled) return;
        const progress = TOOL_PROGRESS[call.tool];
        const text = render('tool_progress', state.ai.language, { progressEn: progress?.en, progressZh: progress?.zh });
        const r = appendEntries(rt.state, [{ from: 'bot', text }], rt.now());
        rt.apply({ state: r.state, entries: r.entries });
      },
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  try {
    return await runTool(tools(rt), call);
  } finally {
    done = true;
    timer.cancel();
    await notice;
  }
}

function tools(rt: ConversationRuntime): ToolActivities {
  return toolsWithTimeout(rt.policy.toolTimeoutMs);
}

async function runTool(activities: ToolActivities, call: ToolCall): Promise<ToolOutcome> {
  try {
    const result = hasSideEffect(call.tool) ? await CancellationScope.nonCancellable(() => invoke(activities, call)) : await invoke(activities, call);
    return { ok: true, result };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const kind = toolErrorKind(err);
    const code = toolErrorCode(err);
    log.warn('tool failed', { tool: call.tool, kind, code });
    const exhausted = err instanceof ActivityFailure && err.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
    return { ok: false, error: kind, ...(exhausted ? { attempts: TOOL_MAX_ATTEMPTS } : {}), ...(code ? { code } : {}) };
  }
}

/** The backend's business code (e.g. order_not_refundable) from the failure's details, for definite refusals only. */
function toolErrorCode(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorCode.ToolBadRequest) return undefined;
  const details = cause.details?.[0] as { code?: unknown } | undefined;
  return typeof details?.code === 'string' ? details.code : undefined;
}

function invoke(tools: ToolActivities, call: ToolCall): Promise<unknown> {
  switch (call.tool) {
    case 'getOrder':
      return tools.getOrder(call.input);
    case 'trackShipment':
      return tools.trackShipment(call.input);
    case 'submitRefund':
      return tools.submitRefund(call.input);
    case 'createReturn':
      return tools.createReturn(call.input);
    case 'createRepair':
      return tools.createRepair(call.input);
    case 'changeAddress':
      return tools.changeAddress(call.input);
    case 'cancelOrder':
      return tools.cancelOrder(call.input);
    case 'createTicket':
      return tools.createTicket(call.input);
    case 'verifyOrderContact':
      return tools.verifyOrderContact(call.input);
  }
}

function toolErrorKind(err: unknown): ToolErrorKind {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    if (cause.type === ErrorCode.ToolNotFound) return 'not_found';
    if (cause.type === ErrorCode.ToolBadRequest || cause.type === ErrorCode.InvalidInput) return 'bad_request';
  }
  return 'unavailable';
}

/**
 * Tool records are facts: they go into the conversation state at once, even
 * if the turn is later dropped. A side effect that completed after a
 * takeover is also told to the agent and the customer in a system note.
 */
function recordTool(rt: ConversationRuntime, record: ToolCallRecord, call: ToolCall): void {
  rt.state = recordToolCall(rt.state, record);
  const takenOver = rt.state.phase !== 'ai' || CancellationScope.current().consideredCancelled;
  if (takenOver && record.ok && hasSideEffect(call.tool)) {
    const handover = rt.state.handover ? { ...rt.state.handover, toolCalls: rt.state.toolCalls } : undefined;
    const r = appendEntries(
      { ...rt.state, handover },
      [{ from: 'system', text: render('takeover_side_effect', rt.state.ai.language, { summary: record.summary }) }],
      rt.now(),
    );
    rt.apply({ state: r.state, entries: r.entries });
  }
}

async function commit(rt: ConversationRuntime, seqs: number[], result: TurnResult): Promise<void> {
  const merged: ConversationState = {
    ...rt.state,
    ai: result.ai,
    inbox: rt.state.inbox.filter((s) => !seqs.includes(s)),
    runTurns: rt.state.runTurns + 1,
  };
  const r = appendEntries(merged, result.replies.map((reply) => ({ from: 'bot' as const, text: reply.text })), rt.now());
  rt.apply({ state: r.state, entries: r.entries });
  if (result.escalation) {
    await escalate(rt, result.escalation);
  } else if (result.close) {
    rt.apply(closeConversation(rt.state, { by: 'customer', resolution: result.close }, rt.now()));
  }
}

/** Builds the handover (LLM summary when configured, template otherwise) and moves to the queue. */
async function escalate(rt: ConversationRuntime, escalation: Escalation): Promise<void> {
  const template = buildHandover(rt.state, escalation);
  let handover: Handover = template;
  try {
    const summarized = await summarizeHandover({ handover: template, transcript: rt.state.transcript.slice(-SUMMARY_TRANSCRIPT_ENTRIES) });
    if (summarized && typeof summarized.summary === 'string' && summarized.summary.trim() !== '') {
      // The structured fields are the workflow's facts; only the prose may come from the LLM.
      handover = { ...template, summary: summarized.summary, recommendedAction: summarized.recommendedAction || template.recommendedAction, source: summarized.source };
    }
  } catch (err) {
    log.warn('handover summary failed; using the template', { error: err instanceof Error ? err.message : String(err) });
  }
  if (rt.state.phase !== 'ai') return;
  if (!rt.routed()) {
    // A run from before routing, replaying: it queued at once, without service hours or FAQ suggestions.
    rt.apply(enterQueue(rt.state, escalation, handover, rt.policy, rt.now(), []));
    return;
  }
  const status = serviceStatus(skillDefinition(rt.policy.routing, escalation.skill)?.hours, rt.nowMs());
  if (!status.open) {
    // Nobody staffs that queue now: the AI keeps the conversation and offers a message or a callback.
    rt.apply(afterHours(rt.state, escalation, handover, rt.policy, rt.now(), status.opensAt));
    return;
  }
  const faq = await faqFor(rt, escalation);
  if (rt.state.phase !== 'ai') return;
  rt.apply(enterQueue(rt.state, escalation, handover, rt.policy, rt.now(), faq));
}

/** Self-service suggestions for the topic; the queue does not wait on them if the FAQ cannot be read. */
async function faqFor(rt: ConversationRuntime, escalation: Escalation): Promise<string[]> {
  try {
    const intent = rt.state.ai.task?.intent ?? rt.state.ai.lastIntent;
    const items = await suggestFaq({ language: rt.state.ai.language, ...(intent ? { intent } : {}), max: 2 });
    return Array.isArray(items) ? items.filter((i) => typeof i === 'string').slice(0, 3) : [];
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('no FAQ suggestions', { skill: escalation.skill, error: err instanceof Error ? err.message : String(err) });
    return [];
  }
}
