/**
 * M1: connection and worker life cycle, long polls, and protocol errors that
 * must come back as proper statuses (never UNKNOWN, never a crash).
 */
import { status } from '@grpc/grpc-js';
import { NamespaceNotFoundError } from '@temporalio/client';
import { Client } from '@temporalio/client';
import { createHarness, type Harness } from './support/harness';
import { returnValue } from './workflows/basic';

let h: Harness;
const calls: string[] = [];

beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/basic'), {
    onCall: (m) => calls.push(m),
    config: { pollTimeoutMs: 400 },
  });
});
afterAll(() => h.close());

function grpcCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

test('worker connects, polls and shuts down with the RPCs the SDK expects', async () => {
  calls.length = 0;
  const worker = await h.worker(h.taskQueue());
  const running = worker.run();
  // Long polls park; give the pollers a moment to arrive.
  await new Promise((r) => setTimeout(r, 300));
  worker.shutdown();
  await running;
  const distinct = [...new Set(calls)];
  expect(distinct).toEqual(expect.arrayContaining(['DescribeNamespace', 'PollWorkflowTaskQueue', 'PollActivityTaskQueue', 'ShutdownWorker']));
  expect(calls.indexOf('DescribeNamespace')).toBeLessThan(calls.indexOf('PollWorkflowTaskQueue'));
  expect(calls.lastIndexOf('ShutdownWorker')).toBeGreaterThan(calls.indexOf('PollWorkflowTaskQueue'));
  expect(h.serverLog.filter((l) => l.includes('internal error'))).toEqual([]);
});

test('GetSystemInfo advertises the capabilities the core relies on', async () => {
  const info = await h.service.getSystemInfo({});
  expect(info.capabilities).toMatchObject({
    signalAndQueryHeader: true,
    internalErrorDifferentiation: true,
    activityFailureIncludeHeartbeat: true,
    sdkMetadata: true,
    encodedFailureAttributes: true,
    upsertMemo: true,
  });
  expect(info.capabilities?.eagerWorkflowStart).toBeFalsy();
});

test('a poll with nothing to do answers empty after its timeout', async () => {
  const started = Date.now();
  const res = await h.service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: h.taskQueue() }, identity: 't' });
  const elapsed = Date.now() - started;
  expect(res.taskToken?.length ?? 0).toBe(0);
  expect(elapsed).toBeGreaterThanOrEqual(350);
  expect(elapsed).toBeLessThan(5000);
});

test('a cancelled poll never receives a task; the next poll gets it at attempt 1', async () => {
  const taskQueue = h.taskQueue();
  const abort = new AbortController();
  const cancelled = h.connection.withAbortSignal(abort.signal, () =>
    h.service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'cancelled-poller' }),
  );
  await new Promise((r) => setTimeout(r, 100));
  abort.abort();
  await expect(cancelled).rejects.toThrow();
  const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
  const res = await h.service.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'live-poller' });
  expect(res.workflowExecution?.workflowId).toBe(handle.workflowId);
  expect(res.attempt).toBe(1);
  const desc = await handle.describe();
  expect(desc.raw.pendingWorkflowTask?.attempt).toBe(1);
  await handle.terminate('done with the test');
});

test('a sticky poll parks until its worker shuts down', async () => {
  const sticky = `sticky-${h.taskQueue()}`;
  const started = Date.now();
  const poll = h.service.pollWorkflowTaskQueue({
    namespace: 'default',
    taskQueue: { name: sticky, kind: 2 /* STICKY */, normalName: 'whatever' },
    identity: 'sticky-poller',
  });
  await new Promise((r) => setTimeout(r, 100));
  await h.service.shutdownWorker({ namespace: 'default', stickyTaskQueue: sticky, identity: 'sticky-poller' });
  const res = await poll;
  expect(res.taskToken?.length ?? 0).toBe(0);
  expect(Date.now() - started).toBeLessThan(380);
});

test('an unknown namespace is NOT_FOUND with NamespaceNotFoundFailure details', async () => {
  await expect(h.service.describeNamespace({ namespace: 'no-such-namespace' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  const client = new Client({ connection: h.connection, namespace: 'no-such-namespace' });
  await expect(client.workflow.start(returnValue, { taskQueue: 'x', workflowId: 'x', args: ['x'] })).rejects.toBeInstanceOf(
    NamespaceNotFoundError,
  );
});

test('unimplemented methods answer UNIMPLEMENTED and bad tokens INVALID_ARGUMENT', async () => {
  const err = await h.service.listSchedules({ namespace: 'default' }).catch((e: unknown) => e);
  expect(grpcCode(err)).toBe(status.UNIMPLEMENTED);
  const bad = await h.service
    .respondWorkflowTaskCompleted({ namespace: 'default', taskToken: Buffer.from('not a token'), commands: [] })
    .catch((e: unknown) => e);
  expect(grpcCode(bad)).toBe(status.INVALID_ARGUMENT);
  const empty = await h.service.respondActivityTaskCompleted({ namespace: 'default' }).catch((e: unknown) => e);
  expect(grpcCode(empty)).toBe(status.INVALID_ARGUMENT);
});
