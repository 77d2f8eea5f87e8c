/**
 * M3 timers and friends: sleep, races, condition timeouts, a timer cancelled
 * in the task its TimerFired is waiting behind, local activities longer than
 * the workflow-task timeout, patched(), and upserted search attributes and
 * memo as DescribeWorkflowExecution reports them.
 */
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import {
  conditionWithTimeout,
  CustomInt,
  CustomKeyword,
  doneSignal,
  longLocalActivity,
  patchedWorkflow,
  raceTimerAndActivity,
  sleepFor,
  upserts,
} from './workflows/timers';
import { createHarness, ensureSearchAttributes, eventNames, eventually, historyOf, type Harness } from './support/harness';
import { perServer } from './support/servers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/timers'));
  // Temporal's dev server does not predefine the Custom*Field attributes (the test server and the embedded one do).
  await ensureSearchAttributes(h.connection, h.namespace, {
    [CustomKeyword.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    [CustomInt.name]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  });
});
afterAll(() => h.close());

const { CommandType } = temporal.api.enums.v1;

test('sleep writes TimerStarted and TimerFired', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(sleepFor, { taskQueue, workflowId: `wf-${taskQueue}`, args: [200] });
    expect(await handle.result()).toBe('woke');
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'TimerStarted',
      'TimerFired',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('a timer wins a race against a slower activity', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(raceTimerAndActivity, { taskQueue, workflowId: `wf-${taskQueue}`, args: [100, 1500] });
    expect(await handle.result()).toBe('timer');
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'TimerStarted',
      'ActivityTaskScheduled',
      'TimerFired',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('condition() with a timeout: the timer fires, or the signal wins and the timer is cancelled', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const timedOut = await h.client.workflow.start(conditionWithTimeout, { taskQueue, workflowId: `a-${taskQueue}`, args: [150] });
    expect(await timedOut.result()).toBe(false);
    expect(await eventNames(timedOut)).toContain('TimerFired');

    const signalled = await h.client.workflow.start(conditionWithTimeout, { taskQueue, workflowId: `b-${taskQueue}`, args: [60_000] });
    await eventually(async () => (await eventNames(signalled)).includes('TimerStarted'));
    await signalled.signal(doneSignal);
    expect(await signalled.result()).toBe(true);
    expect(await eventNames(signalled)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'TimerStarted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'TimerCanceled',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('a timer cancelled in the task that its buffered TimerFired waits behind never fires', async () => {
  const taskQueue = h.taskQueue();
  const handle = await h.client.workflow.start(sleepFor, { taskQueue, workflowId: `wf-${taskQueue}`, args: [1] });
  const poll = () => h.pollWorkflowTask(taskQueue, 'raw');
  const first = await poll();
  await h.service.respondWorkflowTaskCompleted({
    namespace: h.namespace,
    taskToken: first.taskToken,
    identity: 'raw',
    commands: [{ commandType: CommandType.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { nanos: 200_000_000 } } }],
  });
  await handle.signal(doneSignal);
  const second = await poll();
  // The timer fires while this task is in flight: its TimerFired is buffered.
  await new Promise((r) => setTimeout(r, 400));
  const answer = await h.service
    .respondWorkflowTaskCompleted({
      namespace: h.namespace,
      taskToken: second.taskToken,
      identity: 'raw',
      commands: [
        { commandType: CommandType.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: 't1' } },
        { commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
      ],
    })
    .then(
      () => 'completed',
      (err: { code?: number; details?: string }) => `${err.code} ${err.details}`,
    );
  // Temporal's test server does not withdraw the buffered TimerFired: it refuses the close as UnhandledCommand.
  expect(answer).toBe(perServer({ embedded: 'completed', dev: 'completed', 'time-skipping': `${status.INVALID_ARGUMENT} UnhandledCommand` }));
  const head = ['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted', 'TimerStarted', 'WorkflowExecutionSignaled', 'WorkflowTaskScheduled', 'WorkflowTaskStarted'];
  expect(await eventNames(handle)).toEqual(
    perServer({
      embedded: [...head, 'WorkflowTaskCompleted', 'TimerCanceled', 'WorkflowExecutionCompleted'],
      dev: [...head, 'WorkflowTaskCompleted', 'TimerCanceled', 'WorkflowExecutionCompleted'],
      'time-skipping': [...head, 'WorkflowTaskFailed', 'TimerFired', 'WorkflowTaskScheduled'],
    }),
  );
  if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('left open by the refused completion');
});

test('a local activity longer than the workflow-task timeout completes (the worker heartbeats its task)', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(longLocalActivity, { taskQueue, workflowId: `wf-${taskQueue}`, args: [2500], workflowTaskTimeout: '1s' });
    expect(await handle.result()).toBe('slept 2500');
    const names = await eventNames(handle);
    expect(names).not.toContain('WorkflowTaskTimedOut');
    expect(names).not.toContain('WorkflowTaskFailed');
    const marker = names.indexOf('MarkerRecorded');
    expect(marker).toBeGreaterThan(0);
    // At least one heartbeat: a completed task with no commands, followed at once by the next.
    expect(names.slice(0, marker).filter((n) => n === 'WorkflowTaskCompleted').length).toBeGreaterThanOrEqual(2);
    expect(names.slice(-1)).toEqual(['WorkflowExecutionCompleted']);
  });
});

test('patched() records a marker and upserts TemporalChangeVersion', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(patchedWorkflow, { taskQueue, workflowId: `wf-${taskQueue}` });
    expect(await handle.result()).toBe('new path');
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'MarkerRecorded',
      'UpsertWorkflowSearchAttributes',
      'WorkflowExecutionCompleted',
    ]);
    const desc = await handle.describe();
    const versions = desc.searchAttributes.TemporalChangeVersion as string[];
    expect(versions.some((v) => v.includes('embedded-test-patch'))).toBe(true);
  });
});

test('upserted search attributes and memo show up in describe, typed, and can be removed', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(upserts, { taskQueue, workflowId: `wf-${taskQueue}`, memo: { origin: 'test' } });
    await eventually(async () => (await eventNames(handle)).includes('WorkflowPropertiesModified'));
    const mid = await handle.describe();
    expect(mid.typedSearchAttributes.get(CustomKeyword)).toBe('abc');
    expect(mid.typedSearchAttributes.get(CustomInt)).toBe(42);
    expect(await mid.memo).toEqual({ origin: 'test', note: 'hi', count: 2 });
    await handle.signal(doneSignal);
    expect(await handle.result()).toBe('ok');
    const end = await handle.describe();
    expect(end.typedSearchAttributes.get(CustomKeyword)).toBe('abc');
    expect(end.typedSearchAttributes.get(CustomInt)).toBeUndefined();
    expect(await end.memo).toEqual({ origin: 'test', note: 'hi' });
    const upsert = (await historyOf(handle)).find((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    expect(upsert?.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.CustomKeywordField).toBeTruthy();
  });
});
