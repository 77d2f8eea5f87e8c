/** Retry policy defaults, the retry decision, and activity timeout normalisation (real-server rules). */
import { decideRetry, normalizeActivityTimeouts, normalizeRetryPolicy, type NormalizedRetryPolicy } from '../../src/retry';

const policy = (p: Partial<NormalizedRetryPolicy> = {}): NormalizedRetryPolicy => ({
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maximumIntervalMs: 100_000,
  maximumAttempts: 0,
  nonRetryableErrorTypes: [],
  ...p,
});

describe('normalizeRetryPolicy', () => {
  test('fills the real defaults', () => {
    expect(normalizeRetryPolicy(undefined)).toEqual(policy());
    expect(normalizeRetryPolicy({ initialInterval: { seconds: 3 } })).toEqual(policy({ initialIntervalMs: 3000, maximumIntervalMs: 300_000 }));
  });
  test('refuses impossible policies', () => {
    expect(normalizeRetryPolicy({ backoffCoefficient: 0.5 })).toMatch(/BackoffCoefficient/);
    expect(normalizeRetryPolicy({ initialInterval: { seconds: 10 }, maximumInterval: { seconds: 1 } })).toMatch(/MaximumInterval/);
    expect(normalizeRetryPolicy({ maximumAttempts: -1 })).toMatch(/MaximumAttempts/);
  });
});

describe('decideRetry', () => {
  const app = (extra: Record<string, unknown> = {}) => ({ message: 'x', applicationFailureInfo: { type: 'E', ...extra } });
  test('initial × coefficient^(attempt-1), capped by the maximum interval', () => {
    const p = policy({ initialIntervalMs: 100, maximumIntervalMs: 500 });
    expect([1, 2, 3, 4].map((a) => decideRetry(p, a, app(), 0, 0, 'activity'))).toEqual([
      { retry: true, delayMs: 100 },
      { retry: true, delayMs: 200 },
      { retry: true, delayMs: 400 },
      { retry: true, delayMs: 500 },
    ]);
  });
  test("nextRetryDelay wins over the schedule; over an activity's maximum interval too, not over a workflow's", () => {
    const later = app({ nextRetryDelay: { seconds: 7 } });
    expect(decideRetry(policy(), 1, later, 0, 0, 'activity')).toEqual({ retry: true, delayMs: 7000 });
    expect(decideRetry(policy({ maximumIntervalMs: 2000 }), 1, later, 0, 0, 'activity')).toEqual({ retry: true, delayMs: 7000 });
    expect(decideRetry(policy({ maximumIntervalMs: 2000 }), 1, later, 0, 0, 'workflow')).toEqual({ retry: true, delayMs: 2000 });
    // Still bounded by the deadline (schedule-to-close, execution timeout).
    expect(decideRetry(policy({ maximumIntervalMs: 2000 }), 1, later, 0, 5000, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_TIMEOUT' });
  });
  test('stops for non-retryable failures, listed types, attempts, and the deadline', () => {
    expect(decideRetry(policy(), 1, app({ nonRetryable: true }), 0, 0, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_NON_RETRYABLE_FAILURE' });
    expect(decideRetry(policy({ nonRetryableErrorTypes: ['E'] }), 1, app(), 0, 0, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_NON_RETRYABLE_FAILURE' });
    expect(decideRetry(policy({ maximumAttempts: 3 }), 3, app(), 0, 0, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' });
    expect(decideRetry(policy(), 1, app(), 10_000, 10_500, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_TIMEOUT' });
    expect(decideRetry(undefined, 1, app(), 0, 0, 'activity')).toEqual({ retry: false, state: 'RETRY_STATE_RETRY_POLICY_NOT_SET' });
  });
  test('start-to-close and heartbeat timeouts retry unless listed; other timeouts never', () => {
    const timeout = (t: string) => ({ message: 't', timeoutFailureInfo: { timeoutType: t as never } });
    expect(decideRetry(policy(), 1, timeout('TIMEOUT_TYPE_START_TO_CLOSE'), 0, 0, 'activity').retry).toBe(true);
    expect(decideRetry(policy({ nonRetryableErrorTypes: ['TemporalTimeout:HEARTBEAT'] }), 1, timeout('TIMEOUT_TYPE_HEARTBEAT'), 0, 0, 'activity').retry).toBe(false);
    expect(decideRetry(policy(), 1, timeout('TIMEOUT_TYPE_SCHEDULE_TO_START'), 0, 0, 'activity').retry).toBe(false);
  });
});

describe('normalizeActivityTimeouts', () => {
  test('schedule-to-close bounds the others', () => {
    expect(normalizeActivityTimeouts({ scheduleToCloseMs: 5000 }, 0)).toEqual({
      scheduleToCloseMs: 5000,
      scheduleToStartMs: 5000,
      startToCloseMs: 5000,
      heartbeatMs: 0,
    });
    expect(normalizeActivityTimeouts({ scheduleToCloseMs: 5000, startToCloseMs: 9000, heartbeatMs: 7000 }, 0)).toEqual({
      scheduleToCloseMs: 5000,
      scheduleToStartMs: 5000,
      startToCloseMs: 5000,
      heartbeatMs: 5000,
    });
  });
  test('start-to-close alone: the others fall back to the run timeout (0 = none)', () => {
    expect(normalizeActivityTimeouts({ startToCloseMs: 3000 }, 0)).toEqual({ scheduleToCloseMs: 0, scheduleToStartMs: 0, startToCloseMs: 3000, heartbeatMs: 0 });
    expect(normalizeActivityTimeouts({ startToCloseMs: 3000 }, 60_000)).toEqual({
      scheduleToCloseMs: 60_000,
      scheduleToStartMs: 60_000,
      startToCloseMs: 3000,
      heartbeatMs: 0,
    });
  });
  test('neither bound is an error', () => {
    expect(normalizeActivityTimeouts({ heartbeatMs: 10 }, 0)).toMatch(/StartToClose or ScheduleToCloseTimeout/);
  });
});
