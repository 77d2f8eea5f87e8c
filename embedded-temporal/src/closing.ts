/**
 * Ways a run ends that may start another run of the same chain: workflow
 * failure or timeout with a retry policy, and continue-as-new. The new run
 * copies the previous start and overrides what changed; the close event
 * names it (`new_execution_run_id`), which is how `handle.result()` follows
 * the chain.
 */
import { randomUUID } from 'node:crypto';
import type { RunInit } from './host';
import { decideRetry, normalizeRetryPolicy, retryPolicyWire } from './retry';
import type { WorkflowRun } from './run';
import { durationMs, msDuration } from './time';
import type { Attributes, Failure, Payload, RetryState } from './wire';

function retryDecision(run: WorkflowRun, failure: Failure): { retry: true; delayMs: number } | { retry: false; state: RetryState } {
  // Workflows retry only when the starter gave a retry policy (unlike activities).
  return decideRetry(run.init.retryPolicy, run.init.attempt, failure, run.host.clock.now(), run.init.executionExpirationMs, 'workflow');
}

function retryInit(run: WorkflowRun, newRunId: string, delayMs: number, failure: Failure): RunInit {
  const attempt = run.init.attempt + 1;
  return {
    ...run.init,
    runId: newRunId,
    attempt,
    firstTaskBackoffMs: delayMs,
    requestId: randomUUID(),
    initialSignal: undefined,
    memo: { ...run.memo },
    searchAttributes: { ...run.searchAttributes },
    startedAttributes: {
      ...run.init.startedAttributes,
      continuedExecutionRunId: run.runId,
      initiator: 'CONTINUE_AS_NEW_INITIATOR_RETRY',
      continuedFailure: failure,
      originalExecutionRunId: newRunId,
      attempt,
      firstWorkflowTaskBackoff: msDuration(delayMs),
      memo: { fields: { ...run.memo } },
      searchAttributes: { indexedFields: run.host.encodeSearchAttributes(run.searchAttributes) },
    },
  };
}

export function failWorkflow(run: WorkflowRun, failure: Failure, workflowTaskCompletedEventId: number): void {
  const decision = retryDecision(run, failure);
  if (decision.retry) {
    const newRunId = randomUUID();
    run.close('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', {
      failure,
      retryState: 'RETRY_STATE_IN_PROGRESS',
      workflowTaskCompletedEventId,
      newExecutionRunId: newRunId,
    });
    run.host.continueRun(run, retryInit(run, newRunId, decision.delayMs, failure));
    return;
  }
  run.close('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', { failure, retryState: decision.state, workflowTaskCompletedEventId });
}

export function timeOutWorkflow(run: WorkflowRun): void {
  run.forceCloseWorkflowTask();
  const failure: Failure = {
    message: 'workflow timeout',
    source: 'Server',
    timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
  };
  // Past the execution deadline nothing retries; a run timeout alone may.
  const expired = run.init.executionExpirationMs > 0 && run.host.clock.now() >= run.init.executionExpirationMs;
  const decision = expired ? ({ retry: false, state: 'RETRY_STATE_TIMEOUT' } as const) : retryDecision(run, failure);
  if (decision.retry) {
    const newRunId = randomUUID();
    run.close('EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT', { retryState: 'RETRY_STATE_IN_PROGRESS', newExecutionRunId: newRunId });
    run.host.continueRun(run, retryInit(run, newRunId, decision.delayMs, failure));
    return;
  }
  run.close('EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT', { retryState: decision.state });
}

export function withoutNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}

interface ContinueAsNewCommand {
  workflowType?: { name?: string };
  taskQueue?: { name?: string };
  input?: unknown;
  workflowRunTimeout?: { seconds?: number; nanos?: number };
  workflowTaskTimeout?: { seconds?: number; nanos?: number };
  backoffStartInterval?: { seconds?: number; nanos?: number };
  retryPolicy?: Attributes;
  initiator?: string;
  failure?: Failure;
  lastCompletionResult?: unknown;
  cronSchedule?: string;
  header?: unknown;
  memo?: { fields?: Record<string, Payload> };
  searchAttributes?: { indexedFields?: Record<string, Payload> };
  inheritBuildId?: boolean;
}

/** A message for BAD_CONTINUE_AS_NEW_ATTRIBUTES, or undefined. */
export function checkContinueAsNew(run: WorkflowRun, cmd: ContinueAsNewCommand): string | undefined {
  if (cmd.searchAttributes?.indexedFields) {
    try {
      run.host.decodeSearchAttributes(cmd.searchAttributes.indexedFields);
    } catch (err) {
      return (err as Error).message;
    }
  }
  const policy = cmd.retryPolicy ? normalizeRetryPolicy(cmd.retryPolicy) : undefined;
  if (typeof policy === 'string') return policy;
  const backoff = durationMs(cmd.backoffStartInterval) ?? 0;
  if (backoff < 0) return 'BackoffStartInterval is negative.';
  return undefined;
}

export function continueAsNew(run: WorkflowRun, cmd: ContinueAsNewCommand, workflowTaskCompletedEventId: number): void {
  const newRunId = randomUUID();
  const prev = run.init;
  const workflowType = cmd.workflowType?.name || prev.workflowType;
  const taskQueue = cmd.taskQueue?.name || prev.taskQueue;
  const runTimeoutMs = durationMs(cmd.workflowRunTimeout) ?? prev.runTimeoutMs;
  const workflowTaskTimeoutMs = durationMs(cmd.workflowTaskTimeout) || prev.workflowTaskTimeoutMs;
  const backoffMs = durationMs(cmd.backoffStartInterval) ?? 0;
  const normalized = cmd.retryPolicy ? normalizeRetryPolicy(cmd.retryPolicy) : prev.retryPolicy;
  const retryPolicy = typeof normalized === 'string' ? prev.retryPolicy : normalized;
  // Memo and search attributes carry over unless the command replaces them.
  const memo = cmd.memo?.fields ? { ...cmd.memo.fields } : { ...run.memo };
  const searchAttributes = cmd.searchAttributes?.indexedFields
    ? withoutNulls(run.host.decodeSearchAttributes(cmd.searchAttributes.indexedFields))
    : { ...run.searchAttributes };
  const searchAttributesWire = { indexedFields: run.host.encodeSearchAttributes(searchAttributes) };
  const initiator = cmd.initiator && cmd.initiator !== 'CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED' ? cmd.initiator : 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW';
  run.close('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', {
    newExecutionRunId: newRunId,
    workflowType: { name: workflowType },
    taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    input: cmd.input,
    workflowRunTimeout: msDuration(runTimeoutMs),
    workflowTaskTimeout: msDuration(workflowTaskTimeoutMs),
    workflowTaskCompletedEventId,
    backoffStartInterval: msDuration(backoffMs),
    initiator,
    failure: cmd.failure,
    lastCompletionResult: cmd.lastCompletionResult,
    header: cmd.header,
    memo: { fields: memo },
    searchAttributes: searchAttributesWire,
    inheritBuildId: cmd.inheritBuildId,
  });
  const init: RunInit = {
    ...prev,
    runId: newRunId,
    workflowType,
    taskQueue,
    runTimeoutMs,
    workflowTaskTimeoutMs,
    retryPolicy,
    attempt: 1,
    firstTaskBackoffMs: backoffMs,
    requestId: randomUUID(),
    memo,
    searchAttributes,
    initialSignal: undefined,
    startedAttributes: {
      ...prev.startedAttributes,
      workflowType: { name: workflowType },
      taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: cmd.input,
      workflowRunTimeout: msDuration(runTimeoutMs),
      workflowTaskTimeout: msDuration(workflowTaskTimeoutMs),
      continuedExecutionRunId: run.runId,
      initiator,
      continuedFailure: cmd.failure,
      lastCompletionResult: cmd.lastCompletionResult,
      originalExecutionRunId: newRunId,
      retryPolicy: retryPolicy ? retryPolicyWire(retryPolicy) : undefined,
      attempt: 1,
      firstWorkflowTaskBackoff: backoffMs > 0 ? msDuration(backoffMs) : undefined,
      header: cmd.header,
      memo: { fields: memo },
      searchAttributes: searchAttributesWire,
    },
  };
  run.host.continueRun(run, init);
}
