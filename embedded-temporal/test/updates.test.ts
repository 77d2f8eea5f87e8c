/**
 * Updates under concurrency, with the real SDK worker: a query task queued
 * ahead of an update's workflow task, many claims racing a signal, a query
 * and an activity that gets cancelled, an update arriving while a workflow
 * task is in flight, and an update id re-sent before any worker accepted it.
 * Each checks that no workflow task fails (a real server fails none of
 * these) and what ends up in history.
 */
import { WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import * as grpc from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { createHarness, eventNames, eventually, settled, type Harness } from './support/harness';
import { describeEmbeddedOnly, describeWhere, perServer, SERVER_KIND } from './support/servers';
import {
  addUpdate,
  bumpSignal,
  claimUpdate,
  closeSignal,
  counter,
  customerSignal,
  desk,
  deskQuery,
  doneSignal,
  slowSignal,
  stateQuery,
} from './workflows/updates';

const UPDATE_WAIT_MS = 1000;
const calls: string[] = [];
let h: Harness;
beforeAll(async () => {
  // The embedded server's own update wait shortened from the real servers' 20 s, so its end can be tested.
  h = await createHarness(require.resolve('./workflows/updates'), { onCall: (method) => calls.push(method), config: { updateWaitMs: UPDATE_WAIT_MS } });
});
afterAll(() => h.close());

const FAILED_TASKS = ['WorkflowTaskFailed', 'WorkflowTaskTimedOut'];

describeEmbeddedOnly('it reproduces an embedded dispatch race (sticky polls parked, query tasks on the normal queue) and waits on the onCall hook')('a query task queued ahead of an update task', () => {
  test('the worker never repeats the update, no task fails', async () => {
    const taskQueue = h.taskQueue();
    const workflowId = `wf-${taskQueue}`;
    // Two workflow task slots, the fewest the SDK allows with a cache. One is held by the worker's sticky poll (which this
    // server parks), so while another workflow's task is held open by a local activity, the worker polls nothing.
    const worker = await h.worker(taskQueue, { maxConcurrentWorkflowTaskExecutions: 2 });
    const result = await worker.runUntil(async () => {
      const handle = await h.client.workflow.signalWithStart(counter, { taskQueue, workflowId, signal: bumpSignal, signalArgs: [1] });
      await settled(h.client.workflow.getHandle(workflowId));
      const blocker = await h.client.workflow.start(desk, { taskQueue, workflowId: `blocker-${taskQueue}` });
      await settled(blocker);
      await blocker.signal(slowSignal, 1500);
      await eventually(async () => (await eventNames(blocker)).slice(-2).join() === 'WorkflowTaskScheduled,WorkflowTaskStarted');

      // Nobody is polling: the query waits as a query task and the update's workflow task queues up behind it.
      const queriesBefore = calls.filter((c) => c === 'QueryWorkflow').length;
      const query = handle.query(stateQuery);
      await eventually(async () => calls.filter((c) => c === 'QueryWorkflow').length > queriesBefore);
      const update = handle.startUpdate(addUpdate, { args: [5], waitForStage: WorkflowUpdateStage.ACCEPTED });
      await eventually(async () => (await eventNames(handle)).at(-1) === 'WorkflowTaskScheduled');

      // Either answer is consistent: before the update (a query task of its own) or after it (riding on its task).
      expect([1, 6]).toContain(await query);
      expect(await (await update).result()).toBe(6);
      await handle.signal(bumpSignal, 1);
      await settled(h.client.workflow.getHandle(workflowId));
      await handle.signal(doneSignal);
      await blocker.signal(closeSignal);
      await blocker.result();
      return await handle.result();
    });
    expect(result).toBe(7);
    expect(await eventNames(h.client.workflow.getHandle(workflowId))).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionUpdateAccepted',
      'WorkflowExecutionUpdateCompleted',
      'WorkflowExecutionSignaled',
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

test('ten concurrent claims racing a signal and queries while an AI turn runs: one accepted, nine refused, the turn cancelled', async () => {
  const taskQueue = h.taskQueue();
  const workflowId = `wf-${taskQueue}`;
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(desk, { taskQueue, workflowId });
    await handle.signal(customerSignal, 'hello');
    await eventually(async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);

    const agents = Array.from({ length: 10 }, (_, i) => `agent-${i}`);
    const [claims, , ...views] = await Promise.all([
      Promise.allSettled(agents.map((a) => handle.executeUpdate(claimUpdate, { args: [a] }))),
      handle.signal(customerSignal, 'anyone there?'),
      handle.query(deskQuery),
      handle.query(deskQuery),
    ]);
    const winners = claims.filter((c): c is PromiseFulfilledResult<string> => c.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const winner = winners[0].value;
    expect(agents).toContain(winner);
    // Queries racing the claims see the desk before or after the winning claim, never another agent.
    for (const view of views) {
      expect([undefined, winner]).toContain(view.agent);
      expect([1, 2]).toContain(view.messages);
    }
    for (const c of claims.filter((x) => x.status === 'rejected')) {
      expect((c as PromiseRejectedResult).reason).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((c as PromiseRejectedResult).reason as WorkflowUpdateFailedError).cause?.message).toMatch(/already claimed by/);
    }
    // The holder claiming again is accepted; its id is new, so the handler runs a second time.
    expect(await handle.executeUpdate(claimUpdate, { args: [winner] })).toBe(winner);
    expect(await handle.query(deskQuery)).toEqual({ agent: winner, messages: 2 });
    await handle.signal(closeSignal);
    expect(await handle.result()).toEqual({ agent: winner, messages: ['hello', 'anyone there?'], cancelledTurns: 1, claimsHandled: 2 });

    const names = await eventNames(handle);
    expect(names.filter((n) => FAILED_TASKS.includes(n))).toEqual([]);
    expect(names.filter((n) => n === 'WorkflowExecutionUpdateAccepted')).toHaveLength(2);
    expect(names.filter((n) => n === 'WorkflowExecutionUpdateCompleted')).toHaveLength(2);
    expect(names.filter((n) => n === 'WorkflowExecutionSignaled')).toHaveLength(3);
    const accepted = names.indexOf('WorkflowExecutionUpdateAccepted');
    const cancelRequested = names.indexOf('ActivityTaskCancelRequested');
    // The claim's handler cancels the turn in the same task that accepts it.
    expect(cancelRequested).toBeGreaterThan(accepted);
    expect(names.lastIndexOf('WorkflowTaskCompleted', cancelRequested)).toBe(names.lastIndexOf('WorkflowTaskCompleted', accepted));
    expect(names.indexOf('ActivityTaskCanceled')).toBeGreaterThan(cancelRequested);
    expect(names.at(-1)).toBe('WorkflowExecutionCompleted');
  });
});

test('an update arriving while a workflow task is in flight rides on the next task', async () => {
  const taskQueue = h.taskQueue();
  const workflowId = `wf-${taskQueue}`;
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(desk, { taskQueue, workflowId });
    await settled(h.client.workflow.getHandle(workflowId));
    // A local activity keeps this task started for a while.
    await handle.signal(slowSignal, 1500);
    await eventually(async () => {
      const names = await eventNames(handle);
      return names.length > 5 && names.at(-1) === 'WorkflowTaskStarted';
    });
    expect(await handle.executeUpdate(claimUpdate, { args: ['agent-x'] })).toBe('agent-x');
    await handle.signal(closeSignal);
    expect(await handle.result()).toEqual({ agent: 'agent-x', messages: [], cancelledTurns: 0, claimsHandled: 1 });
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'MarkerRecorded',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionUpdateAccepted',
      'WorkflowExecutionUpdateCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });
});

test('an update id re-sent before any worker accepted it is admitted once and runs once', async () => {
  const taskQueue = h.taskQueue();
  const workflowId = `wf-${taskQueue}`;
  const handle = await h.client.workflow.signalWithStart(counter, { taskQueue, workflowId, signal: bumpSignal, signalArgs: [1] });
  const request = (stage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage) => ({
    namespace: h.namespace,
    workflowExecution: { workflowId },
    waitPolicy: { lifecycleStage: stage },
    request: {
      meta: { updateId: 'add-once', identity: 'test' },
      // A hand-built UpdateWorkflowExecution request carries the update's wire name.
      input: { name: 'add', args: { payloads: [defaultPayloadConverter.toPayload(5)] } },
    },
  });
  const {
    UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED: ADMITTED,
    UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED: ACCEPTED,
    UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED: COMPLETED,
  } = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
  // No worker yet: each attempt waits for acceptance until its deadline (shorter than the server's own wait) runs
  // out, and the caller sends it again. The real server does not answer early: DEADLINE_EXCEEDED, which the TS
  // client reports as WorkflowUpdateRPCTimeoutOrCancelledError. Temporal's test server answers close to the
  // deadline with the stage reached (ADMITTED), racing the caller's own deadline.
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = await h.connection
      .withDeadline(Date.now() + UPDATE_WAIT_MS - 200, () => h.service.updateWorkflowExecution(request(ACCEPTED)))
      .then(
        (res) => `${res.stage === ADMITTED ? 'ADMITTED' : String(res.stage)} ${res.updateRef?.updateId}`,
        // The deadline passed: noticed by the client (DEADLINE_EXCEEDED) or by the server first (CANCELLED).
        (err: { code?: number }) => ([grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED].includes(err.code!) ? 'ran out' : String(err)),
      );
    expect(perServer({ embedded: ['ran out'], dev: ['ran out'], 'time-skipping': ['ran out', 'ADMITTED add-once'] })).toContain(answer);
  }
  const worker = await h.worker(taskQueue);
  await worker.runUntil(async () => {
    const res = await h.service.updateWorkflowExecution(request(COMPLETED));
    expect(res.stage).toBe(COMPLETED);
    expect(defaultPayloadConverter.fromPayload(res.outcome!.success!.payloads![0])).toBe(6);
    // Once more after completion: the same outcome, nothing runs again.
    const again = await h.service.updateWorkflowExecution(request(ACCEPTED));
    expect(again.stage).toBe(COMPLETED);
    expect(await handle.query(stateQuery)).toBe(6);
    await handle.signal(doneSignal);
    expect(await handle.result()).toBe(6);
  });
  const names = await eventNames(handle);
  expect(names.filter((n) => FAILED_TASKS.includes(n))).toEqual([]);
  expect(names.filter((n) => n === 'WorkflowExecutionUpdateAccepted')).toHaveLength(1);
  expect(names.filter((n) => n === 'WorkflowExecutionUpdateCompleted')).toHaveLength(1);
});

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server refuses a second acceptance with FAILED_PRECONDITION "Already accepted update with Id u1", but fails no task and hands out none within 20 s',
)('update messages the real server refuses', () => {
  test('fail the task with BadUpdateWorkflowExecutionMessage', async () => {
    const taskQueue = h.taskQueue();
    const workflowId = `wf-${taskQueue}`;
    const handle = await h.client.workflow.start(counter, { taskQueue, workflowId });
    const { update } = temporal.api;
    const poll = () => h.pollWorkflowTask(taskQueue, 'raw');
    const complete = (taskToken: Uint8Array, messages: temporal.api.protocol.v1.IMessage[], commandIds: string[]) =>
      h.service.respondWorkflowTaskCompleted({
        namespace: h.namespace,
        taskToken,
        identity: 'raw',
        messages,
        commands: commandIds.map((messageId) => ({
          commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE,
          protocolMessageCommandAttributes: { messageId },
        })),
      });
    await complete((await poll()).taskToken!, [], []);

    const result = handle.executeUpdate(addUpdate, { args: [2], updateId: 'u1' });
    const delivered = await poll();
    const request = delivered.messages![0];
    const acceptance = (requestMessage: temporal.api.protocol.v1.IMessage): temporal.api.protocol.v1.IMessage => ({
      id: `${requestMessage.id}/accept`,
      protocolInstanceId: requestMessage.protocolInstanceId,
      body: {
        type_url: 'type.googleapis.com/temporal.api.update.v1.Acceptance',
        value: update.v1.Acceptance.encode({
          acceptedRequestMessageId: requestMessage.id,
          acceptedRequestSequencingEventId: requestMessage.eventId,
          acceptedRequest: update.v1.Request.decode(requestMessage.body!.value!),
        }).finish(),
      } as never,
    });
    const response: temporal.api.protocol.v1.IMessage = {
      id: `${request.id}/complete`,
      protocolInstanceId: request.protocolInstanceId,
      body: {
        type_url: 'type.googleapis.com/temporal.api.update.v1.Response',
        value: update.v1.Response.encode({
          meta: { updateId: 'u1' },
          outcome: { success: { payloads: [defaultPayloadConverter.toPayload(2)] } },
        }).finish(),
      } as never,
    };
    await complete(delivered.taskToken!, [acceptance(request), response], [`${request.id}/accept`, `${request.id}/complete`]);
    expect(await result).toBe(2);

    // Accepting the completed update again: refused, the task fails (attempt 1 writes WorkflowTaskFailed).
    await handle.signal(bumpSignal, 1);
    const again = await poll();
    await expect(complete(again.taskToken!, [acceptance(request)], [`${request.id}/accept`])).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^BadUpdateWorkflowExecutionMessage: invalid state transition attempted for Update u1/),
    });
    // A command naming a message the completion does not carry: refused too (from attempt 2 nothing is written).
    const retry = await poll();
    expect(retry.attempt).toBe(2);
    await expect(complete(retry.taskToken!, [], [`${request.id}/accept`])).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: `BadUpdateWorkflowExecutionMessage: ProtocolMessageCommand referenced absent message ID ${request.id}/accept`,
    });
    const history = (await handle.fetchHistory()).events ?? [];
    const failed = history.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(failed.map((e) => e.workflowTaskFailedEventAttributes?.cause)).toEqual([
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
    ]);
    expect(await eventNames(handle)).toEqual([
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionUpdateAccepted',
      'WorkflowExecutionUpdateCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskFailed',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
    ]);
    await handle.terminate();
  });
});

describeEmbeddedOnly('it shortens the server’s own update wait (config.updateWaitMs; 20 s on Temporal’s servers, history.longPollExpirationInterval)')(
  'the server’s own update wait',
  () => {
    test('ends with the stage reached so far when it is shorter than the caller’s deadline', async () => {
      const taskQueue = h.taskQueue();
      const workflowId = `wf-${taskQueue}`;
      const handle = await h.client.workflow.start(counter, { taskQueue, workflowId });
      const { UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED: ADMITTED, UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED: ACCEPTED } =
        temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
      const started = Date.now();
      const res = await h.connection.withDeadline(Date.now() + 5000, () =>
        h.service.updateWorkflowExecution({
          namespace: h.namespace,
          workflowExecution: { workflowId },
          waitPolicy: { lifecycleStage: ACCEPTED },
          // A hand-built UpdateWorkflowExecution request carries the update's wire name.
          request: { meta: { updateId: 'waits', identity: 'test' }, input: { name: 'add', args: { payloads: [defaultPayloadConverter.toPayload(1)] } } },
        }),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(UPDATE_WAIT_MS - 50);
      expect(res.stage).toBe(ADMITTED);
      expect(res.outcome).toBeFalsy();
      expect(res.updateRef?.updateId).toBe('waits');
      await handle.terminate();
    });
  },
);
