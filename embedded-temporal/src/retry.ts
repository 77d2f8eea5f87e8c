/**
 * Retry policies and activity timeouts, normalised the way the real server
 * does it (history service `validateAndNormalizeTimeouts`, `getBackoffInterval`).
 */
import { durationMs, msDuration } from './time';
import type { Failure, RetryPolicy, RetryState, TimeoutType } from './wire';

export interface NormalizedRetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** 0 means unlimited. */
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

const DEFAULT_INITIAL_MS = 1000;
const DEFAULT_COEFFICIENT = 2;

/** Fills defaults; returns an error message for a policy the real server would refuse. */
export function normalizeRetryPolicy(policy: RetryPolicy | undefined): NormalizedRetryPolicy | string {
  const initialIntervalMs = durationMs(policy?.initialInterval) || DEFAULT_INITIAL_MS;
  const backoffCoefficient = policy?.backoffCoefficient || DEFAULT_COEFFICIENT;
  const maximumIntervalMs = durationMs(policy?.maximumInterval) || 100 * initialIntervalMs;
  const maximumAttempts = policy?.maximumAttempts ?? 0;
  if (initialIntervalMs < 0) return 'InitialInterval cannot be negative on retry policy.';
  if (backoffCoefficient < 1) return 'BackoffCoefficient cannot be less than 1 on retry policy.';
  if (maximumIntervalMs < 0) return 'MaximumInterval cannot be negative on retry policy.';
  if (maximumIntervalMs < initialIntervalMs) return 'MaximumInterval cannot be less than InitialInterval on retry policy.';
  if (maximumAttempts < 0) return 'MaximumAttempts cannot be negative on retry policy.';
  return {
    initialIntervalMs,
    backoffCoefficient,
    maximumIntervalMs,
    maximumAttempts,
    nonRetryableErrorTypes: policy?.nonRetryableErrorTypes ?? [],
  };
}

export function retryPolicyWire(p: NormalizedRetryPolicy): RetryPolicy {
  return {
    initialInterval: msDuration(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: msDuration(p.maximumIntervalMs),
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  };
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; state: RetryState };

/**
 * Whether an attempt that just failed is retried, and after how long.
 * `expirationMs` is the absolute deadline (schedule-to-close, or a workflow's
 * execution timeout); 0 means none.
 *
 * A failure's `nextRetryDelay` replaces the computed backoff. For an activity
 * it also overrides the policy's maximum interval, as on the real server
 * ("if a delay is specified by the application it should override the
 * maximum interval", `RetryActivity`); a workflow's retry still caps it.
 */
export function decideRetry(
  policy: NormalizedRetryPolicy | undefined,
  attempt: number,
  failure: Failure | undefined,
  nowMs: number,
  expirationMs: number,
  of: 'activity' | 'workflow',
): RetryDecision {
  if (!policy) return { retry: false, state: 'RETRY_STATE_RETRY_POLICY_NOT_SET' };
  if (!isRetryable(policy, failure)) return { retry: false, state: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { retry: false, state: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' };
  }
  const explicit = durationMs(failure?.applicationFailureInfo?.nextRetryDelay);
  let delayMs = explicit ?? policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, attempt - 1);
  const capped = explicit === undefined || of === 'workflow';
  if (capped && policy.maximumIntervalMs > 0) delayMs = Math.min(delayMs, policy.maximumIntervalMs);
  delayMs = Math.max(0, Math.round(delayMs));
  if (expirationMs > 0 && nowMs + delayMs > expirationMs) return { retry: false, state: 'RETRY_STATE_TIMEOUT' };
  return { retry: true, delayMs };
}

function isRetryable(policy: NormalizedRetryPolicy, failure: Failure | undefined): boolean {
  if (!failure) return true;
  if (failure.terminatedFailureInfo || failure.canceledFailureInfo) return false;
  const app = failure.applicationFailureInfo;
  if (app) {
    if (app.nonRetryable) return false;
    if (app.type && policy.nonRetryableErrorTypes.includes(app.type)) return false;
  }
  const timeout = failure.timeoutFailureInfo?.timeoutType;
  if (timeout) {
    if (timeout !== 'TIMEOUT_TYPE_START_TO_CLOSE' && timeout !== 'TIMEOUT_TYPE_HEARTBEAT') return false;
    if (policy.nonRetryableErrorTypes.includes(timeoutErrorType(timeout))) return false;
  }
  if (failure.serverFailureInfo?.nonRetryable) return false;
  return true;
}

/** The pseudo error type users list in `nonRetryableErrorTypes` to stop retrying a timeout, e.g. `TemporalTimeout:START_TO_CLOSE`. */
function timeoutErrorType(t: TimeoutType): string {
  return `TemporalTimeout:${t.replace(/^TIMEOUT_TYPE_/, '')}`;
}

export interface ActivityTimeouts {
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
}

/**
 * Real-server normalisation: schedule-to-close bounds the others; with only
 * start-to-close, schedule-to-close and schedule-to-start fall back to the
 * run timeout (0, "none", when the run has none); everything is capped by the
 * run timeout. Returns an error message when neither bound is given.
 */
export function normalizeActivityTimeouts(
  given: { scheduleToCloseMs?: number; scheduleToStartMs?: number; startToCloseMs?: number; heartbeatMs?: number },
  runTimeoutMs: number,
): ActivityTimeouts | string {
  const cap = (v: number) => (runTimeoutMs > 0 && (v === 0 || v > runTimeoutMs) ? runTimeoutMs : v);
  const s2c = Math.max(0, given.scheduleToCloseMs ?? 0);
  let s2s = Math.max(0, given.scheduleToStartMs ?? 0);
  let stc = Math.max(0, given.startToCloseMs ?? 0);
  let scheduleToClose: number;
  if (s2c > 0) {
    scheduleToClose = s2c;
    s2s = s2s > 0 ? Math.min(s2s, s2c) : s2c;
    stc = stc > 0 ? Math.min(stc, s2c) : s2c;
  } else if (stc > 0) {
    scheduleToClose = runTimeoutMs;
    if (s2s === 0) s2s = runTimeoutMs;
  } else {
    return 'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.';
  }
  const scheduleToCloseMs = cap(scheduleToClose);
  const startToCloseMs = cap(stc);
  const scheduleToStartMs = cap(s2s);
  let heartbeatMs = Math.max(0, given.heartbeatMs ?? 0);
  if (heartbeatMs > startToCloseMs && startToCloseMs > 0) heartbeatMs = startToCloseMs;
  return { scheduleToCloseMs, scheduleToStartMs, startToCloseMs, heartbeatMs };
}
