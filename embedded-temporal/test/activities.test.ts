/**
 * M3 activities: retry policy (backoff, attempts, non-retryable errors, next
 * retry delay), the four timeouts, heartbeat details across attempts,
 * cancellation, and the normalised timeouts a worker receives.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, type Workflow, type WorkflowResultType } from '@temporalio/common';
import { attemptLog } from './activities';
import { createHarness, eventNames, historyOf, type Harness } from './support/harness';
import { perServer } from './support/servers';
import { cancelActivity, runFailWith, runFlaky, runSleepFor, runSlowFirstAttempt, scheduleWith } from './workflows/activities';

let h: Harness;
beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/activities'));
});
afterAll(() => h.close());

async function run<W extends Workflow>(
  workflow: W,
  args: Parameters<W>,
): Promise<{ result?: WorkflowResultType<W>; error?: unknown; workflowId: string; names: string[] }> {
  const taskQueue = h.taskQueue();
  const workflowId = `wf-${taskQueue}`;
  const worker = await h.worker(taskQueue);
  return await worker.runUntil(async () => {
    // Started as a plain Workflow: WorkflowStartOptions<W> picks its args field by a conditional type TypeScript cannot resolve for a generic W.
    const handle = await h.client.workflow.start<Workflow>(workflow, { taskQueue, workflowId, args });
    let result: WorkflowResultType<W> | undefined;
    let error: unknown;
    try {
      result = (await handle.result()) as WorkflowResultType<W>;
    } catch (err) {
      error = err;
    }
    return { result, error, workflowId, names: await eventNames(handle) };
  });
}

function activityFailure(err: unknown): ActivityFailure {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  return cause as ActivityFailure;
}

const ONE_ACTIVITY = [
  'WorkflowExecutionStarted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'ActivityTaskScheduled',
  'ActivityTaskStarted',
];

test('retries back off by initial interval × coefficient^n, carrying attempt and heartbeat details', async () => {
  const r = await run(runFlaky, [3, { startToCloseTimeout: '10s', retry: { initialInterval: '200ms', backoffCoefficient: 2 } }]);
  expect(r.result).toBe('succeeded on attempt 3');
  const attempts = attemptLog.get(r.workflowId)!;
  expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  expect(attempts.map((a) => a.heartbeatDetails)).toEqual([undefined, 'from attempt 1', 'from attempt 2']);
  // The backoff as the activity lives it, from one attempt's failure to the next one's start: at least the
  // computed interval (a real server's timers may fire up to about a second late, so no tight upper bound).
  const waited = [attempts[1].startedAtMs - attempts[0].failedAtMs!, attempts[2].startedAtMs - attempts[1].failedAtMs!];
  expect(waited[0]).toBeGreaterThanOrEqual(190);
  expect(waited[1]).toBeGreaterThanOrEqual(390);
  expect(Math.max(...waited)).toBeLessThan(5000);
  // What the server stamps as the attempt's scheduled time: when it fell due, i.e. the computed backoff after the
  // failure, 200 ms then 400 ms; Temporal's test server stamps the moment it decided to retry instead.
  const stamped = [attempts[1].currentAttemptScheduledMs - attempts[0].failedAtMs!, attempts[2].currentAttemptScheduledMs - attempts[1].failedAtMs!];
  const when = (ms: number, interval: number) => (ms >= interval - 10 ? 'due' : 'decided');
  expect([when(stamped[0], 200), when(stamped[1], 400)]).toEqual(
    perServer({ embedded: ['due', 'due'], dev: ['due', 'due'], 'time-skipping': ['decided', 'decided'] }),
  );
  expect(Math.max(...stamped)).toBeLessThan(5000);
  expect(r.names).toEqual([...ONE_ACTIVITY, 'ActivityTaskCompleted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted', 'WorkflowExecutionCompleted']);
  const started = (await historyOf(h.client.workflow.getHandle(r.workflowId))).find((e) => e.activityTaskStartedEventAttributes)!;
  expect(started.activityTaskStartedEventAttributes?.attempt).toBe(3);
  // Temporal's test server does not record the previous attempt's failure on ActivityTaskStarted.
  expect(started.activityTaskStartedEventAttributes?.lastFailure?.message).toBe(
    perServer({ embedded: 'attempt 2 fails', dev: 'attempt 2 fails', 'time-skipping': undefined }),
  );
});

test('maximum attempts ends in ActivityTaskFailed with MAXIMUM_ATTEMPTS_REACHED', async () => {
  const r = await run(runFlaky, [9, { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', maximumAttempts: 2 } }]);
  const failure = activityFailure(r.error);
  expect(failure.retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
  expect(failure.cause).toBeInstanceOf(ApplicationFailure);
  expect(attemptLog.get(r.workflowId)!.map((a) => a.attempt)).toEqual([1, 2]);
  expect(r.names).toEqual([...ONE_ACTIVITY, 'ActivityTaskFailed', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted', 'WorkflowExecutionFailed']);
});

test('ApplicationFailure.nonRetryable and nonRetryableErrorTypes stop retrying at once', async () => {
  const a = await run(runFailWith, ['nonRetryable', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }]);
  expect(activityFailure(a.error).retryState).toBe('NON_RETRYABLE_FAILURE');
  expect(attemptLog.get(a.workflowId)).toHaveLength(1);
  const b = await run(runFailWith, ['badInput', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', nonRetryableErrorTypes: ['BadInput'] } }]);
  const failure = activityFailure(b.error);
  expect(failure.retryState).toBe('NON_RETRYABLE_FAILURE');
  expect((failure.cause as ApplicationFailure).type).toBe('BadInput');
  expect(attemptLog.get(b.workflowId)).toHaveLength(1);
});

test('nextRetryDelay replaces the backoff, and overrides the maximum interval', async () => {
  const a = await run(runFailWith, ['delay', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } }]);
  expect(a.result).toBe('succeeded on attempt 3');
  const ra = attemptLog.get(a.workflowId)!;
  expect(ra[1].startedAtMs - ra[0].failedAtMs!).toBeGreaterThanOrEqual(290);
  // The real server: "if a delay is specified by the application it should override the maximum interval".
  const b = await run(runFailWith, ['delay', { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', maximumInterval: '50ms' } }]);
  expect(b.result).toBe('succeeded on attempt 3');
  const rb = attemptLog.get(b.workflowId)!;
  const gap = rb[1].startedAtMs - rb[0].failedAtMs!;
  expect(gap).toBeGreaterThanOrEqual(290);
  expect(gap).toBeLessThan(1500);
});

test('a start-to-close timeout is retried', async () => {
  const r = await run(runSlowFirstAttempt, [5000, { startToCloseTimeout: '300ms', retry: { initialInterval: '10ms' } }]);
  expect(r.result).toBe('attempt 2');
  const started = (await historyOf(h.client.workflow.getHandle(r.workflowId))).find((e) => e.activityTaskStartedEventAttributes)!;
  const last = started.activityTaskStartedEventAttributes?.lastFailure;
  const { TIMEOUT_TYPE_START_TO_CLOSE } = temporal.api.enums.v1.TimeoutType;
  expect(last?.timeoutFailureInfo?.timeoutType).toBe(perServer({ embedded: TIMEOUT_TYPE_START_TO_CLOSE, dev: TIMEOUT_TYPE_START_TO_CLOSE, 'time-skipping': undefined }));
  expect(attemptLog.get(r.workflowId)!.map((x) => x.attempt)).toEqual([1, 2]);
});

test('a schedule-to-close timeout is final, with RETRY_STATE_TIMEOUT', async () => {
  const r = await run(runSleepFor, [10_000, { scheduleToCloseTimeout: '400ms', retry: { initialInterval: '10ms' } }]);
  const failure = activityFailure(r.error);
  expect(failure.retryState).toBe('TIMEOUT');
  expect(failure.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe('SCHEDULE_TO_CLOSE');
  // Temporal's test server writes no ActivityTaskStarted before a schedule-to-close timeout (the real one does).
  expect(r.names).toEqual([
    ...perServer({ embedded: ONE_ACTIVITY, dev: ONE_ACTIVITY, 'time-skipping': ONE_ACTIVITY.slice(0, -1) }),
    'ActivityTaskTimedOut',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionFailed',
  ]);
});

test('a missed heartbeat times the attempt out', async () => {
  const r = await run(runSleepFor, [10_000, { startToCloseTimeout: '10s', heartbeatTimeout: '300ms', retry: { maximumAttempts: 1 } }]);
  const failure = activityFailure(r.error);
  expect(failure.retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
  expect((failure.cause as TimeoutFailure).timeoutType).toBe('HEARTBEAT');
});

test('cancelling a heartbeating activity ends in ActivityTaskCanceled', async () => {
  const r = await run(cancelActivity, [300, { startToCloseTimeout: '10s', heartbeatTimeout: '2s' }]);
  expect(r.result).toBe('cancelled');
  expect(r.names).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskScheduled',
    'TimerStarted',
    'TimerFired',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskCancelRequested',
    // Temporal's test server writes no ActivityTaskStarted before the cancellation of a running activity.
    ...perServer({ embedded: ['ActivityTaskStarted'], dev: ['ActivityTaskStarted'], 'time-skipping': [] }),
    'ActivityTaskCanceled',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
});

test('cancelling an activity nobody picked up cancels it at once', async () => {
  const r = await run(cancelActivity, [100, { startToCloseTimeout: '10s', taskQueue: `nobody-${Date.now()}` }]);
  expect(r.result).toBe('cancelled');
  expect(r.names).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskScheduled',
    'TimerStarted',
    'TimerFired',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskCancelRequested',
    'ActivityTaskCanceled',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
});

test('the activity task carries normalised timeouts, always present', async () => {
  // A result payload, as a worker always sends: Temporal's test server records a missing one as an empty
  // Payloads, which the SDK core then refuses ("Not exactly one payload in activity result").
  const done = { payloads: [defaultPayloadConverter.toPayload('done by hand')] };
  const taskQueue = h.taskQueue();
  const remote = `${taskQueue}-remote`;
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const onlyScheduleToClose = await h.client.workflow.start(scheduleWith, {
      taskQueue,
      workflowId: `a-${taskQueue}`,
      args: [{ scheduleToCloseTimeout: '5s', taskQueue: remote }],
    });
    const t1 = await h.pollActivityTask(remote, 'raw');
    expect(t1.scheduleToCloseTimeout).toMatchObject({ seconds: expect.anything() });
    expect(Number(t1.scheduleToCloseTimeout?.seconds)).toBe(5);
    expect(Number(t1.startToCloseTimeout?.seconds)).toBe(5);
    expect(t1.heartbeatTimeout).toBeTruthy();
    expect(Number(t1.heartbeatTimeout?.seconds ?? 0)).toBe(0);
    expect(t1.attempt).toBe(1);
    expect(t1.scheduledTime).toBeTruthy();
    expect(t1.currentAttemptScheduledTime).toBeTruthy();
    await h.service.respondActivityTaskCompleted({ namespace: h.namespace, taskToken: t1.taskToken, identity: 'raw', result: done });
    await onlyScheduleToClose.result();

    const onlyStartToClose = await h.client.workflow.start(scheduleWith, {
      taskQueue,
      workflowId: `b-${taskQueue}`,
      args: [{ startToCloseTimeout: '7s', taskQueue: remote }],
    });
    const t2 = await h.pollActivityTask(remote, 'raw');
    expect(t2.scheduleToCloseTimeout).toBeTruthy();
    // Schedule-to-close falls back to the run timeout: none (0) on a real server, ten years on Temporal's
    // test server, which gives every run without one that run timeout.
    expect(Number(t2.scheduleToCloseTimeout?.seconds ?? 0)).toBe(perServer({ embedded: 0, dev: 0, 'time-skipping': 10 * 365 * 86_400 }));
    expect(Number(t2.startToCloseTimeout?.seconds)).toBe(7);
    await h.service.respondActivityTaskCompleted({ namespace: h.namespace, taskToken: t2.taskToken, identity: 'raw', result: done });
    await onlyStartToClose.result();
  });
});
