/**
 * M2: the workflow-task state machine with the real worker — one task at a
 * time, buffering, UnhandledCommand, stale tokens, task failure and timeout,
 * worker restart and replay, no cache, continue-as-new and retry chains,
 * terminate.
 */
import { status } from '@grpc/grpc-js';
import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createHarness, eventName, eventNames, eventually, historyOf, type Harness } from './support/harness';
import { describeWhere, perServer, SERVER_KIND } from './support/servers';
import {
  activityOnQueue,
  activityThenSignal,
  brokenUntilFixed,
  countdown,
  fixSignal,
  helloTwoSignals,
  nameSignal,
  returnValue,
  slowClose,
  succeedsOnAttempt,
} from './workflows/tasks';

let h: Harness;
beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/tasks'));
});
afterAll(() => h.close());

const code = (err: unknown) => (err as { code?: number }).code;

async function pollTask(taskQueue: string) {
  const task = await h.pollWorkflowTask(taskQueue, 'raw');
  if (!task.taskToken?.length) throw new Error('no workflow task');
  return task;
}

test('an empty workflow returns its value', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  const handle = await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
    expect(await handle.result()).toBe('got x');
    return handle;
  });
  expect(await eventNames(handle)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
});

test('signals arriving during a started task are buffered and yield one later task and one activity', async () => {
  const taskQueue = h.taskQueue();
  const handle = await h.client.workflow.start(helloTwoSignals, { taskQueue, workflowId: `wf-${taskQueue}` });
  const task = await pollTask(taskQueue);
  await handle.signal(nameSignal, 'a');
  await handle.signal(nameSignal, 'b');
  // Buffered: nothing after WorkflowTaskStarted until the task completes.
  expect(await eventNames(handle)).toEqual(['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted']);
  await h.service.respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: task.taskToken, identity: 'raw', commands: [] });
  expect(await eventNames(handle)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionSignaled',
    'WorkflowExecutionSignaled',
    'WorkflowTaskScheduled',
  ]);
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => expect(await handle.result()).toBe('hello a+b'));
  const names = await eventNames(handle);
  expect(names.slice(7)).toEqual([
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskScheduled',
    'ActivityTaskStarted',
    'ActivityTaskCompleted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
  expect(names.filter((n) => n === 'ActivityTaskScheduled')).toHaveLength(1);
});

test('a signal arriving during the closing task fails it with UnhandledCommand, then both signals are seen', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(slowClose, { taskQueue, workflowId: `wf-${taskQueue}`, args: [100_000_000] });
    await eventually(async () => (await eventNames(handle)).includes('WorkflowTaskCompleted'));
    await handle.signal(nameSignal, 'a');
    // Wait until the worker is inside the closing task (its WorkflowTaskStarted is the last event), then signal again.
    // Read from history: Temporal's test server does not report the pending task in DescribeWorkflowExecution.
    await eventually(async () => {
      const names = await eventNames(handle);
      return names.filter((n) => n === 'WorkflowTaskStarted').length === 2 && names.at(-1) === 'WorkflowTaskStarted';
    }, 5000);
    await handle.signal(nameSignal, 'b');
    expect(await handle.result()).toBe('a+b');
    const events = await historyOf(handle);
    const failed = events.find((e) => e.workflowTaskFailedEventAttributes);
    expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    );
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskFailed',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('completions with a stale or superseded token get NOT_FOUND', async () => {
  const taskQueue = h.taskQueue();
  const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
  const first = await pollTask(taskQueue);
  await h.service.respondWorkflowTaskFailed({
    namespace: h.namespace,
    taskToken: first.taskToken,
    cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
    identity: 'raw',
  });
  const stale = await h.service
    .respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: first.taskToken, identity: 'raw', commands: [] })
    .catch((e: unknown) => e);
  expect(stale).toMatchObject({
    code: status.NOT_FOUND,
    details: perServer({
      embedded: 'Workflow task not found.',
      dev: 'Workflow task not found.',
      'time-skipping': expect.stringMatching(/^Expired workflow task/),
    }),
  });
  const second = await pollTask(taskQueue);
  expect(second.attempt).toBe(2);
  await h.service.respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: second.taskToken, identity: 'raw', commands: [] });
  const again = await h.service
    .respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: second.taskToken, identity: 'raw', commands: [] })
    .catch((e: unknown) => e);
  expect(code(again)).toBe(status.NOT_FOUND);
  await handle.terminate();
  expect(await eventNames(handle)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskFailed',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionTerminated',
  ]);
});

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server keeps a signal buffered behind a workflow task that keeps timing out, so the fix never reaches the workflow (observed: no progress in 15 s)',
)('a failing workflow task', () => {
  test('is retried; from attempt 2 it times out and the attempt keeps counting; new events start the count again', async () => {
    const taskQueue = h.taskQueue();
    const worker = await h.worker(taskQueue);
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start(brokenUntilFixed, { taskQueue, workflowId: `wf-${taskQueue}`, workflowTaskTimeout: '2s' });
      const { PENDING_WORKFLOW_TASK_STATE_STARTED } = temporal.api.enums.v1.PendingWorkflowTaskState;
      // Attempt 1 failed, attempt 2 timed out (the worker drops a repeated failure silently), attempt 3 is running.
      await eventually(async () => {
        const pending = (await handle.describe()).raw.pendingWorkflowTask;
        return pending?.attempt === 3 && pending.state === PENDING_WORKFLOW_TASK_STATE_STARTED;
      }, 15_000);
      await handle.signal(fixSignal);
      expect(await handle.result()).toBe('fixed');
      const names = await eventNames(handle);
      expect(names.slice(0, 4)).toEqual(['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskFailed']);
      expect(names.slice(4, -5)).toEqual(
        perServer({
          embedded: ['WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskTimedOut', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskTimedOut'],
          // Attempts after the first failure are transient on the real server: never written to history.
          dev: [],
          'time-skipping': [],
        }),
      );
      expect(names.slice(-5)).toEqual(['WorkflowExecutionSignaled', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted', 'WorkflowExecutionCompleted']);
      const attempts = (await historyOf(handle))
        .filter((e) => e.workflowTaskScheduledEventAttributes)
        .map((e) => e.workflowTaskScheduledEventAttributes?.attempt);
      // The task after the signal is attempt 1 again, so a new failure would be reported, not left to time out.
      expect(attempts).toEqual(perServer({ embedded: [1, 2, 3, 1], dev: [1, 1], 'time-skipping': [] }));
    });
  });
});

const ACTIVITY_THEN_SIGNAL = [
  'WorkflowExecutionStarted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'ActivityTaskScheduled',
  'ActivityTaskStarted',
  'ActivityTaskCompleted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'WorkflowExecutionSignaled',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'ActivityTaskScheduled',
  'ActivityTaskStarted',
  'ActivityTaskCompleted',
  'WorkflowTaskScheduled',
  'WorkflowTaskStarted',
  'WorkflowTaskCompleted',
  'WorkflowExecutionCompleted',
];

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server never moves a task off a stopped worker’s sticky queue (it ignores ShutdownWorker and the sticky schedule-to-start timeout, and has no ResetStickyTaskQueue), so a new worker gets nothing (observed: no progress in 100 s)',
)('a restarted worker', () => {
  test('replays the full history and carries on', async () => {
    const taskQueue = h.taskQueue();
    const first = await h.worker(taskQueue);
    const handle = await first.runUntil(async () => {
      const handle = await h.client.workflow.start(activityThenSignal, { taskQueue, workflowId: `wf-${taskQueue}` });
      await eventually(async () => (await eventNames(handle)).length === 10);
      return handle;
    });
    const second = await h.worker(taskQueue);
    await second.runUntil(async () => {
      await handle.signal(nameSignal, 'again');
      expect(await handle.result()).toBe('hello first; hello again');
    });
    expect(await eventNames(handle)).toEqual(ACTIVITY_THEN_SIGNAL);
  });
});

test('a worker without a workflow cache (maxCachedWorkflows: 0) replays every task', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue, { maxCachedWorkflows: 0 });
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(activityThenSignal, { taskQueue, workflowId: `wf-${taskQueue}` });
    await eventually(async () => (await eventNames(handle)).length === 10);
    await handle.signal(nameSignal, 'uncached');
    expect(await handle.result()).toBe('hello first; hello uncached');
    expect(await eventNames(handle)).toEqual(ACTIVITY_THEN_SIGNAL);
  });
});

test('result() follows a continue-as-new chain', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(countdown, { taskQueue, workflowId: `wf-${taskQueue}`, args: [3] });
    expect(await handle.result()).toBe('done after continuing');
    // Walk the chain run by run (through histories, not visibility, which Temporal's test server lacks).
    const statuses: string[] = [];
    let runId: string | null | undefined = handle.firstExecutionRunId;
    let previous: string | undefined;
    while (runId && statuses.length < 10) {
      const run = h.client.workflow.getHandle(handle.workflowId, runId);
      const events = await historyOf(run);
      const started = events[0].workflowExecutionStartedEventAttributes;
      expect(started?.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      expect(started?.continuedExecutionRunId || undefined).toBe(previous);
      statuses.push((await run.describe()).status.name);
      previous = runId;
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    expect(statuses).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
  });
});

test('result() follows workflow retries', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(succeedsOnAttempt, {
      taskQueue,
      workflowId: `wf-${taskQueue}`,
      args: [3],
      retry: { initialInterval: '50ms', maximumAttempts: 5 },
    });
    expect(await handle.result()).toBe(3);
    const last = (await historyOf(h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId))).at(-1)!;
    // Temporal's test server records a workflow retry the old way, as a continue-as-new with a start backoff.
    expect(eventName(last.eventType)).toBe(
      perServer({ embedded: 'WorkflowExecutionFailed', dev: 'WorkflowExecutionFailed', 'time-skipping': 'WorkflowExecutionContinuedAsNew' }),
    );
    const failed = last.workflowExecutionFailedEventAttributes;
    const { RETRY_STATE_IN_PROGRESS } = temporal.api.enums.v1.RetryState;
    expect(failed?.retryState).toBe(perServer({ embedded: RETRY_STATE_IN_PROGRESS, dev: RETRY_STATE_IN_PROGRESS, 'time-skipping': undefined }));
    expect(failed?.newExecutionRunId ?? last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBeTruthy();
  });
  const exhausted = await h.worker(taskQueue);
  await exhausted.runUntil(async () => {
    const err = await h.client.workflow
      .execute(succeedsOnAttempt, { taskQueue, workflowId: `wf2-${taskQueue}`, args: [9], retry: { initialInterval: '10ms', maximumAttempts: 2 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // Temporal's test server leaves the final failure's retry state unset.
    expect((err as WorkflowFailedError).retryState).toBe(perServer({ embedded: 'MAXIMUM_ATTEMPTS_REACHED', dev: 'MAXIMUM_ATTEMPTS_REACHED', 'time-skipping': undefined }));
  });
});

test('terminate mid-activity closes the run; the activity completion then gets NOT_FOUND', async () => {
  const taskQueue = h.taskQueue();
  const remote = `${taskQueue}-remote`;
  const worker = await h.worker(taskQueue);
  const handle = await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(activityOnQueue, { taskQueue, workflowId: `wf-${taskQueue}`, args: [remote] });
    const task = await h.pollActivityTask(remote, 'raw');
    expect(task.activityId).toBeTruthy();
    await handle.terminate('stop');
    const late = await h.service
      .respondActivityTaskCompleted({ namespace: h.namespace, taskToken: task.taskToken, identity: 'raw' })
      .catch((e: unknown) => e);
    expect(code(late)).toBe(status.NOT_FOUND);
    const beat = await h.service.recordActivityTaskHeartbeat({ namespace: h.namespace, taskToken: task.taskToken }).catch((e: unknown) => e);
    expect(code(beat)).toBe(status.NOT_FOUND);
    return handle;
  });
  expect(await eventNames(handle)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'ActivityTaskScheduled',
    'WorkflowExecutionTerminated',
  ]);
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
});

const FORCE_CLOSED = ['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskFailed', 'WorkflowExecutionSignaled'];
const { WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND: FORCE_CLOSE_COMMAND } = temporal.api.enums.v1.WorkflowTaskFailedCause;

test('terminate or run timeout during a started task: the task fails with FORCE_CLOSE_COMMAND, then what was buffered, then the close', async () => {
  const taskQueue = h.taskQueue();
  const terminated = await h.client.workflow.start(helloTwoSignals, { taskQueue, workflowId: `t-${taskQueue}` });
  const task = await pollTask(taskQueue);
  await terminated.signal(nameSignal, 'during the task');
  await terminated.terminate('stop');
  const late = await h.service
    .respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: task.taskToken, identity: 'raw', commands: [] })
    .catch((e: unknown) => e);
  // The real server's text: the terminate failed the task first, so the token names no task any more.
  expect(late).toMatchObject({
    code: status.NOT_FOUND,
    details: perServer({ embedded: 'Workflow task not found.', dev: 'Workflow task not found.', 'time-skipping': 'Completed workflow' }),
  });
  expect(await eventNames(terminated)).toEqual(
    perServer({
      embedded: [...FORCE_CLOSED, 'WorkflowExecutionTerminated'],
      dev: [...FORCE_CLOSED, 'WorkflowExecutionTerminated'],
      // Temporal's test server closes the run without failing the task, and drops the signal that was buffered behind it.
      'time-skipping': ['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowExecutionTerminated'],
    }),
  );
  const failed = (await historyOf(terminated)).find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
  expect({ cause: failed?.cause, identity: failed?.identity, startedEventId: Number(failed?.startedEventId ?? 0) }).toEqual(
    perServer({
      embedded: { cause: FORCE_CLOSE_COMMAND, identity: 'history-service', startedEventId: Number(task.startedEventId) },
      dev: { cause: FORCE_CLOSE_COMMAND, identity: 'history-service', startedEventId: Number(task.startedEventId) },
      'time-skipping': { cause: undefined, identity: undefined, startedEventId: 0 },
    }),
  );

  // The task's own timeout is capped at the run timeout: start the task 1.5 s into a 2 s run, so its timeout
  // (1.5 + 2 s) comes well after the run's, even with a busy server's late timers.
  const timedOut = await h.client.workflow.start(helloTwoSignals, { taskQueue, workflowId: `to-${taskQueue}`, workflowRunTimeout: '2s' });
  await new Promise((r) => setTimeout(r, 1500));
  await pollTask(taskQueue);
  await timedOut.signal(nameSignal, 'during the task');
  await eventually(async () => (await timedOut.describe()).status.name === 'TIMED_OUT');
  const started = ['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted'];
  expect(
    perServer({
      embedded: [[...FORCE_CLOSED, 'WorkflowExecutionTimedOut']],
      dev: [[...FORCE_CLOSED, 'WorkflowExecutionTimedOut']],
      // Temporal's test server: its task timeout was seen firing first (with a 1 s run timeout).
      'time-skipping': [
        [...started, 'WorkflowExecutionTimedOut'],
        [...started, 'WorkflowTaskTimedOut', 'WorkflowTaskScheduled', 'WorkflowExecutionTimedOut'],
      ],
    }),
  ).toContainEqual(await eventNames(timedOut));
});
