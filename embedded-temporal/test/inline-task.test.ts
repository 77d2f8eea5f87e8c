/**
 * `return_new_workflow_task`: a completion that creates the next workflow
 * task (here: force_create_new_workflow_task, as the SDK core sends while a
 * local activity outlasts the task) gets that task back in its response,
 * already started, with the history after the last completed task — the
 * real server starts it in the same transaction. A signal that arrives while
 * the first task is in flight is written after WorkflowTaskCompleted and
 * before the next task's WorkflowTaskScheduled/WorkflowTaskStarted, which
 * nothing separates.
 *
 * Before the embedded server did this, it scheduled the task for a poller,
 * and signals landed between WorkflowTaskScheduled and WorkflowTaskStarted;
 * together with local activities that gave histories the SDK could not
 * replay after a worker restart (issue 7, test/crash/worker-kill.test.ts).
 */
import { temporal } from '@temporalio/proto';
import { createHarness, eventNames, type Harness } from './support/harness';
import { describeWhere, SERVER_KIND } from './support/servers';
import { nameSignal, returnValue } from './workflows/tasks';

let h: Harness;
beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/tasks'));
});
afterAll(() => h.close());

const { COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION } = temporal.api.enums.v1.CommandType;
const { EVENT_TYPE_WORKFLOW_TASK_STARTED } = temporal.api.enums.v1.EventType;

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server ignores return_new_workflow_task: the response carries no task and the next one waits for a poller',
)('return_new_workflow_task', () => {
  test('a completion that asks for it gets the next task back, started, with the events since the last completed task', async () => {
    const taskQueue = h.taskQueue();
    const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
    const first = await h.pollWorkflowTask(taskQueue, 'raw');
    expect(first.taskToken?.length).toBeGreaterThan(0);
    await handle.signal(nameSignal, 'during the first task');

    const response = await h.service.respondWorkflowTaskCompleted({
      namespace: h.namespace,
      taskToken: first.taskToken,
      identity: 'raw',
      commands: [],
      forceCreateNewWorkflowTask: true,
      returnNewWorkflowTask: true,
    });
    const next = response.workflowTask;
    expect(next?.taskToken?.length).toBeGreaterThan(0);
    expect(Number(next?.previousStartedEventId)).toBe(Number(first.startedEventId));
    const inline = (next?.history?.events ?? []).map((e) => [Number(e.eventId), temporal.api.enums.v1.EventType[e.eventType ?? 0]]);
    // Partial: from right after the completed task's WorkflowTaskStarted to the new one's.
    expect(inline[0]?.[0]).toBe(Number(first.startedEventId) + 1);
    expect(inline.at(-1)).toEqual([Number(next?.startedEventId), 'EVENT_TYPE_WORKFLOW_TASK_STARTED']);
    expect(next?.history?.events?.at(-1)?.eventType).toBe(EVENT_TYPE_WORKFLOW_TASK_STARTED);

    // The task is ours: nobody else polls it, and it completes.
    await h.service.respondWorkflowTaskCompleted({
      namespace: h.namespace,
      taskToken: next!.taskToken,
      identity: 'raw',
      commands: [
        {
          commandType: COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
          completeWorkflowExecutionCommandAttributes: {},
        },
      ],
    });
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('without return_new_workflow_task the next task waits for a poller, as before', async () => {
  const taskQueue = h.taskQueue();
  const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
  const first = await h.pollWorkflowTask(taskQueue, 'raw');
  const response = await h.service.respondWorkflowTaskCompleted({
    namespace: h.namespace,
    taskToken: first.taskToken,
    identity: 'raw',
    commands: [],
    forceCreateNewWorkflowTask: true,
  });
  expect(response.workflowTask?.taskToken?.length ?? 0).toBe(0);
  expect(await eventNames(handle)).toEqual(['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted', 'WorkflowTaskCompleted', 'WorkflowTaskScheduled']);
  const second = await h.pollWorkflowTask(taskQueue, 'raw');
  expect(Number(second.previousStartedEventId)).toBe(Number(first.startedEventId));
  // Polled tasks carry the whole history.
  expect(Number(second.history?.events?.[0]?.eventId)).toBe(1);
  await handle.terminate();
});
