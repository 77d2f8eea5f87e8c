/**
 * M2: the workflow-task state machine with the real worker — one task at a
 * time, buffering, UnhandledCommand, stale tokens, task failure and timeout,
 * worker restart and replay, no cache, continue-as-new and retry chains,
 * terminate.
 */
import { status } from '@grpc/grpc-js';
import { WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createHarness, eventNames, eventually, historyOf, type Harness } from './support/harness';
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

const ns = 'default';
const code = (err: unknown) => (err as { code?: number }).code;

async function pollTask(taskQueue: string) {
  const task = await h.service.pollWorkflowTaskQueue({ namespace: ns, taskQueue: { name: taskQueue }, identity: 'raw' });
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
  await h.service.respondWorkflowTaskCompleted({ namespace: ns, taskToken: task.taskToken, identity: 'raw', commands: [] });
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
    // Wait until the worker is inside the closing task, then signal again.
    await eventually(async () => (await handle.describe()).raw.pendingWorkflowTask?.state === temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED, 5000);
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
    namespace: ns,
    taskToken: first.taskToken,
    cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
    identity: 'raw',
  });
  const stale = await h.service
    .respondWorkflowTaskCompleted({ namespace: ns, taskToken: first.taskToken, identity: 'raw', commands: [] })
    .catch((e: unknown) => e);
  expect(stale).toMatchObject({ code: status.NOT_FOUND, details: 'workflow task not found.' });
  const second = await pollTask(taskQueue);
  expect(second.attempt).toBe(2);
  await h.service.respondWorkflowTaskCompleted({ namespace: ns, taskToken: second.taskToken, identity: 'raw', commands: [] });
  const again = await h.service
    .respondWorkflowTaskCompleted({ namespace: ns, taskToken: second.taskToken, identity: 'raw', commands: [] })
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

test('a task failure is retried; from attempt 2 the task times out and the attempt keeps counting', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(brokenUntilFixed, { taskQueue, workflowId: `wf-${taskQueue}`, workflowTaskTimeout: '1s' });
    // Attempt 1 failed, attempt 2 is running (the worker drops it silently).
    await eventually(async () => {
      const names = await eventNames(handle);
      return names.includes('WorkflowTaskFailed') && names[names.length - 1] === 'WorkflowTaskStarted';
    });
    await handle.signal(fixSignal);
    expect(await handle.result()).toBe('fixed');
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskFailed',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskTimedOut',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
    const attempts = (await historyOf(handle))
      .filter((e) => e.workflowTaskScheduledEventAttributes)
      .map((e) => e.workflowTaskScheduledEventAttributes?.attempt);
    expect(attempts).toEqual([1, 2, 3]);
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

test('a worker restarted mid-workflow replays the full history and carries on', async () => {
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
    const first = h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await eventNames(first)).slice(-1)).toEqual(['WorkflowExecutionContinuedAsNew']);
    const runs = await h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` });
    const statuses: string[] = [];
    for await (const r of runs) statuses.push(r.status.name);
    expect(statuses.sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
    const last = await historyOf(h.client.workflow.getHandle(handle.workflowId));
    expect(last[0].workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
    expect(last[0].workflowExecutionStartedEventAttributes?.firstExecutionRunId).toBe(handle.firstExecutionRunId);
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
    const first = await historyOf(h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
    const failed = first[first.length - 1].workflowExecutionFailedEventAttributes;
    expect(failed?.retryState).toBe(temporal.api.enums.v1.RetryState.RETRY_STATE_IN_PROGRESS);
    expect(failed?.newExecutionRunId).toBeTruthy();
  });
  const exhausted = await h.worker(taskQueue);
  await exhausted.runUntil(async () => {
    const err = await h.client.workflow
      .execute(succeedsOnAttempt, { taskQueue, workflowId: `wf2-${taskQueue}`, args: [9], retry: { initialInterval: '10ms', maximumAttempts: 2 } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
  });
});

test('terminate mid-activity closes the run; the activity completion then gets NOT_FOUND', async () => {
  const taskQueue = h.taskQueue();
  const remote = `${taskQueue}-remote`;
  const worker = await h.worker(taskQueue);
  const handle = await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(activityOnQueue, { taskQueue, workflowId: `wf-${taskQueue}`, args: [remote] });
    const task = await h.service.pollActivityTaskQueue({ namespace: ns, taskQueue: { name: remote }, identity: 'raw' });
    expect(task.activityId).toBeTruthy();
    await handle.terminate('stop');
    const late = await h.service
      .respondActivityTaskCompleted({ namespace: ns, taskToken: task.taskToken, identity: 'raw' })
      .catch((e: unknown) => e);
    expect(code(late)).toBe(status.NOT_FOUND);
    const beat = await h.service.recordActivityTaskHeartbeat({ namespace: ns, taskToken: task.taskToken }).catch((e: unknown) => e);
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

test('terminate or run timeout during a started task: the task fails with FORCE_CLOSE_COMMAND, then what was buffered, then the close', async () => {
  const taskQueue = h.taskQueue();
  const terminated = await h.client.workflow.start(helloTwoSignals, { taskQueue, workflowId: `t-${taskQueue}` });
  const task = await pollTask(taskQueue);
  await terminated.signal(nameSignal, 'during the task');
  await terminated.terminate('stop');
  const late = await h.service
    .respondWorkflowTaskCompleted({ namespace: ns, taskToken: task.taskToken, identity: 'raw', commands: [] })
    .catch((e: unknown) => e);
  expect(late).toMatchObject({ code: status.NOT_FOUND, details: 'workflow execution already completed' });
  expect(await eventNames(terminated)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskFailed',
    'WorkflowExecutionSignaled',
    'WorkflowExecutionTerminated',
  ]);
  const failed = (await historyOf(terminated))[3].workflowTaskFailedEventAttributes;
  expect(failed?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
  expect(failed?.identity).toBe('history-service');
  expect(Number(failed?.startedEventId)).toBe(Number(task.startedEventId));

  const timedOut = await h.client.workflow.start(helloTwoSignals, { taskQueue, workflowId: `to-${taskQueue}`, workflowRunTimeout: '1s' });
  await pollTask(taskQueue);
  await timedOut.signal(nameSignal, 'during the task');
  await eventually(async () => (await timedOut.describe()).status.name === 'TIMED_OUT');
  expect(await eventNames(timedOut)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskFailed',
    'WorkflowExecutionSignaled',
    'WorkflowExecutionTimedOut',
  ]);
});
