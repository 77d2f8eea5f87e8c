/**
 * Activities used by the conformance workflows. They record what they saw
 * per workflow id (attempt, heartbeat details, scheduling times) so tests
 * can check what the server sent them.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';

export interface AttemptRecord {
  attempt: number;
  heartbeatDetails: unknown;
  /** What the server says this attempt was scheduled for (`current_attempt_scheduled_time`). */
  currentAttemptScheduledMs: number;
  /** When the attempt actually began here: the backoff a user sees, whatever the server stamps. */
  startedAtMs: number;
  failedAtMs?: number;
}

/** Attempts seen, by workflow id. */
export const attemptLog = new Map<string, AttemptRecord[]>();

function record(): AttemptRecord {
  const info = Context.current().info;
  const entry: AttemptRecord = {
    attempt: info.attempt,
    heartbeatDetails: info.heartbeatDetails,
    currentAttemptScheduledMs: info.currentAttemptScheduledTimestampMs,
    startedAtMs: Date.now(),
  };
  const workflowId = info.workflowExecution?.workflowId ?? '';
  const list = attemptLog.get(workflowId) ?? [];
  list.push(entry);
  attemptLog.set(workflowId, list);
  return entry;
}

export async function greet(name: string): Promise<string> {
  return `hello ${name}`;
}

/** Blocks until cancelled; heartbeats so the cancellation can reach it. */
export async function waitForRelease(_label: string): Promise<string> {
  for (;;) {
    Context.current().heartbeat();
    await Context.current().sleep(50);
  }
}

/** Heartbeats `attempt-N`, then fails until attempt `succeedOn`. */
export async function flaky(succeedOn: number): Promise<string> {
  const entry = record();
  Context.current().heartbeat(`from attempt ${entry.attempt}`);
  if (entry.attempt < succeedOn) {
    entry.failedAtMs = Date.now();
    throw ApplicationFailure.retryable(`attempt ${entry.attempt} fails`, 'Flaky');
  }
  return `succeeded on attempt ${entry.attempt}`;
}

export async function failWith(kind: 'nonRetryable' | 'badInput' | 'delay'): Promise<string> {
  const entry = record();
  if (entry.attempt >= 3) return `succeeded on attempt ${entry.attempt}`;
  entry.failedAtMs = Date.now();
  switch (kind) {
    case 'nonRetryable':
      throw ApplicationFailure.nonRetryable('permanent', 'Permanent');
    case 'badInput':
      throw ApplicationFailure.retryable('bad input', 'BadInput');
    case 'delay':
      throw ApplicationFailure.create({ message: 'try later', type: 'Later', nextRetryDelay: '300ms' });
  }
}

/** Attempt 1 outlives its start-to-close timeout; later attempts return at once. */
export async function slowFirstAttempt(ms: number): Promise<string> {
  const entry = record();
  if (entry.attempt === 1) await Context.current().sleep(ms);
  return `attempt ${entry.attempt}`;
}

/** Sleeps without heartbeating. */
export async function sleepFor(ms: number): Promise<string> {
  record();
  await Context.current().sleep(ms);
  return `slept ${ms}`;
}
