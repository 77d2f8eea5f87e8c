/**
 * M1: connection and worker life cycle, long polls, and protocol errors that
 * must come back as proper statuses (never UNKNOWN, never a crash).
 */
import { status } from '@grpc/grpc-js';
import { Client, Connection, NamespaceNotFoundError } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import { createHarness, type Harness } from './support/harness';
import { describeEmbeddedOnly, describeWhere, perServer, SERVER_KIND, timeSkippingEnvironmentOn } from './support/servers';
import { returnValue } from './workflows/basic';

let h: Harness;
const calls: string[] = [];

beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/basic'), { onCall: (m) => calls.push(m) });
});
afterAll(() => h.close());

/** Settles with what happened and when, never rejects. */
async function outcome<T>(call: Promise<T>): Promise<{ value?: T; error?: unknown; code?: number; details?: string; ms: number }> {
  const started = Date.now();
  try {
    return { value: await call, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: number; details?: string };
    return { error, code: e.code, details: e.details, ms: Date.now() - started };
  }
}

/**
 * How a call ended: answered, refused (code and text), or "ran out": its deadline passed, whether the client
 * noticed first (DEADLINE_EXCEEDED) or the server cancelled it (CANCELLED, as Temporal's test server does).
 */
function ending(res: { value?: unknown; code?: number; details?: string }): string {
  if (res.code === undefined) return 'answered';
  if (res.code === status.DEADLINE_EXCEEDED || res.code === status.CANCELLED) return 'ran out';
  return `${res.code} ${res.details}`;
}

describeEmbeddedOnly('it watches the calls through the embedded server’s onCall hook and reads its log')('as the embedded server sees a worker', () => {
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

  test('unimplemented methods answer UNIMPLEMENTED, saying "method not found" as the SDK core expects', async () => {
    // Schedules: implemented by Temporal's servers, not by this one.
    const err = await h.service.listSchedules({ namespace: h.namespace }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.UNIMPLEMENTED, details: expect.stringMatching(/method not found/) });
  });
});

test('GetSystemInfo advertises the capabilities the core relies on', async () => {
  const { capabilities } = await h.service.getSystemInfo({});
  const names = [
    'signalAndQueryHeader',
    'internalErrorDifferentiation',
    'activityFailureIncludeHeartbeat',
    'supportsSchedules',
    'encodedFailureAttributes',
    'buildIdBasedVersioning',
    'upsertMemo',
    'eagerWorkflowStart',
    'sdkMetadata',
    'countGroupByExecutionStatus',
    'nexus',
  ] as const;
  const advertised = names.filter((n) => capabilities?.[n] === true);
  // What the SDK core needs to record and replay histories the same way on every server.
  expect(advertised).toEqual(expect.arrayContaining(['signalAndQueryHeader', 'encodedFailureAttributes', 'upsertMemo', 'sdkMetadata']));
  // Each server advertises what it implements, and nothing more.
  expect(advertised).toEqual(
    perServer({
      embedded: ['signalAndQueryHeader', 'internalErrorDifferentiation', 'activityFailureIncludeHeartbeat', 'encodedFailureAttributes', 'upsertMemo', 'sdkMetadata', 'countGroupByExecutionStatus'],
      dev: [...names],
      'time-skipping': ['signalAndQueryHeader', 'encodedFailureAttributes', 'upsertMemo', 'eagerWorkflowStart', 'sdkMetadata', 'nexus'],
    }),
  );
});

describe('task-queue long polls', () => {
  test('a poll with nothing to do answers empty a second before its deadline', async () => {
    const res = await outcome(h.pollWorkflowTask(h.taskQueue(), 'idle-poller', 3000));
    expect(ending(res)).toBe(
      perServer({
        embedded: 'answered',
        dev: 'answered',
        // Temporal's test server keeps a poll open until the caller gives up.
        'time-skipping': 'ran out',
      }),
    );
    expect(res.value?.taskToken?.length ?? 0).toBe(0);
    const [min, max] = perServer({ embedded: [1500, 2900], dev: [1500, 2900], 'time-skipping': [2900, 4000] });
    expect(res.ms).toBeGreaterThanOrEqual(min);
    expect(res.ms).toBeLessThan(max);
  });

  test('a poll without a deadline is refused (INVALID_ARGUMENT); one with less than 2 s left too (FAILED_PRECONDITION)', async () => {
    const taskQueue = { name: h.taskQueue() };
    const abort = new AbortController();
    const unbounded = outcome(
      h.connection.withAbortSignal(abort.signal, () => h.service.pollWorkflowTaskQueue({ namespace: h.namespace, taskQueue, identity: 'no-deadline' })),
    );
    const stillWaiting = new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 1000));
    const first = await Promise.race([unbounded, stillWaiting]);
    abort.abort();
    expect(first).toEqual(
      perServer({
        embedded: expect.objectContaining({ code: status.INVALID_ARGUMENT, details: 'Context timeout is not set.' }),
        dev: expect.objectContaining({ code: status.INVALID_ARGUMENT, details: 'Context timeout is not set.' }),
        // Temporal's test server takes it and keeps it open (here until the abort).
        'time-skipping': 'still waiting',
      }),
    );
    const short = await outcome(h.connection.withDeadline(Date.now() + 1500, () => h.service.pollActivityTaskQueue({ namespace: h.namespace, taskQueue, identity: 'short' })));
    expect(ending(short)).toBe(
      perServer({
        embedded: `${status.FAILED_PRECONDITION} Context timeout is too short.`,
        dev: `${status.FAILED_PRECONDITION} Context timeout is too short.`,
        'time-skipping': 'ran out',
      }),
    );
  });

  test('a cancelled poll never receives a task; the next poll gets it at attempt 1', async () => {
    const taskQueue = h.taskQueue();
    const abort = new AbortController();
    const cancelled = outcome(h.connection.withAbortSignal(abort.signal, () => h.pollWorkflowTask(taskQueue, 'cancelled-poller')));
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await cancelled).toMatchObject({ code: status.CANCELLED });
    const handle = await h.client.workflow.start(returnValue, { taskQueue, workflowId: `wf-${taskQueue}`, args: ['x'] });
    const res = await h.pollWorkflowTask(taskQueue, 'live-poller');
    expect(res.workflowExecution?.workflowId).toBe(handle.workflowId);
    // Temporal's test server does not always notice the cancellation: it can hand the first attempt to the
    // cancelled poll, where it is lost, and the task comes back as attempt 2 after the task timeout (10 s).
    expect(perServer({ embedded: [1], dev: [1], 'time-skipping': [1, 2] })).toContain(res.attempt);
    const desc = await handle.describe();
    // Temporal's test server does not report the pending workflow task in DescribeWorkflowExecution.
    expect(desc.raw.pendingWorkflowTask?.attempt).toBe(perServer({ embedded: 1, dev: 1, 'time-skipping': undefined }));
    await handle.terminate('done with the test');
  });

  test('a sticky poll ends (empty) when its worker shuts down', async () => {
    const sticky = `sticky-${h.taskQueue()}`;
    const poll = outcome(
      h.connection.withDeadline(Date.now() + 4000, () =>
        h.service.pollWorkflowTaskQueue({
          namespace: h.namespace,
          taskQueue: { name: sticky, kind: 2 /* STICKY */, normalName: 'whatever' },
          identity: 'sticky-poller',
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const shutdownAt = Date.now();
    await h.service.shutdownWorker({ namespace: h.namespace, stickyTaskQueue: sticky, identity: 'sticky-poller' });
    const res = await poll;
    const after = Date.now() - shutdownAt;
    expect(res.value?.taskToken?.length ?? 0).toBe(0);
    expect({ answered: res.value !== undefined, soon: after < 1000 }).toEqual(
      perServer({
        embedded: { answered: true, soon: true },
        dev: { answered: true, soon: true },
        // Temporal's test server ignores ShutdownWorker for parked polls: this one runs into its deadline.
        'time-skipping': { answered: false, soon: false },
      }),
    );
  });
});

test('an unknown namespace is NOT_FOUND with NamespaceNotFoundFailure details', async () => {
  const described = await outcome(h.service.describeNamespace({ namespace: 'no-such-namespace' }));
  const client = new Client({ connection: h.connection, namespace: 'no-such-namespace' });
  const started = await outcome(client.workflow.start(returnValue, { taskQueue: 'x', workflowId: `x-${h.taskQueue()}`, args: ['x'] }));
  expect({ described: described.code, startRefusedWith: started.error?.constructor }).toEqual(
    perServer({
      embedded: { described: status.NOT_FOUND, startRefusedWith: NamespaceNotFoundError },
      dev: { described: status.NOT_FOUND, startRefusedWith: NamespaceNotFoundError },
      // Temporal's test server treats every namespace name as registered.
      'time-skipping': { described: undefined, startRefusedWith: undefined },
    }),
  );
  await started.value?.terminate('started in a namespace that should not exist');
});

test('task tokens that are missing or unreadable are INVALID_ARGUMENT', async () => {
  const bad = await outcome(h.service.respondWorkflowTaskCompleted({ namespace: h.namespace, taskToken: Buffer.from('not a token'), commands: [] }));
  expect(bad.code).toBe(status.INVALID_ARGUMENT);
  const empty = await outcome(h.service.respondActivityTaskCompleted({ namespace: h.namespace }));
  // Temporal's test server fails on a missing token with an empty INTERNAL.
  expect(empty.code).toBe(perServer({ embedded: status.INVALID_ARGUMENT, dev: status.INVALID_ARGUMENT, 'time-skipping': status.INTERNAL }));
  expect({ bad: bad.details, empty: empty.details }).toEqual(
    perServer({
      embedded: { bad: 'Error deserializing task token.', empty: 'Task token not set on request.' },
      dev: { bad: 'Error deserializing task token.', empty: 'Task token not set on request.' },
      'time-skipping': { bad: 'Failure parsing workflow task token', empty: '' },
    }),
  );
});

describeWhere(SERVER_KIND !== 'time-skipping', 'Temporal’s test server always skips time')('on a server that does not skip time', () => {
  test('every TestService call fails at once with UNIMPLEMENTED, and env.sleep does not hang', async () => {
    // This harness's embedded server runs without time skipping (the default); the dev server has no TestService.
    const connection = await Connection.connect({
      address: h.server.address,
      [InternalConnectionOptionsSymbol]: { supportsTestService: true },
    } as Parameters<typeof Connection.connect>[0]);
    try {
      const ts = connection.testService!;
      const day = msToTs(86_400_000);
      const calls = {
        LockTimeSkipping: () => ts.lockTimeSkipping({}),
        UnlockTimeSkipping: () => ts.unlockTimeSkipping({}),
        Sleep: () => ts.sleep({ duration: day }),
        SleepUntil: () => ts.sleepUntil({ timestamp: msToTs(Date.now() + 86_400_000) }),
        UnlockTimeSkippingWithSleep: () => ts.unlockTimeSkippingWithSleep({ duration: day }),
        GetCurrentTime: () => ts.getCurrentTime({}),
      };
      for (const [method, call] of Object.entries(calls)) {
        const res = await outcome(connection.withDeadline(Date.now() + 5000, call));
        expect([method, res.code]).toEqual([method, status.UNIMPLEMENTED]);
        expect(res.ms).toBeLessThan(2000);
        expect(res.details).toMatch(
          perServer({
            embedded: new RegExp(`^TestService\\.${method} is not available: time skipping is off on this embedded server`),
            dev: /^unknown service temporal\.api\.testservice\.v1\.TestService$/,
            'time-skipping': /never/,
          }),
        );
      }
    } finally {
      await connection.close();
    }
    // The SDK's time-skipping environment pointed at such a server: env.sleep(1 day) fails fast, it does not wait a day.
    const env = await timeSkippingEnvironmentOn(h.server.address, h.namespace);
    try {
      const slept = await outcome(env.sleep(86_400_000));
      expect(slept).toMatchObject({ code: status.UNIMPLEMENTED });
      expect(slept.ms).toBeLessThan(2000);
    } finally {
      await env.teardown();
    }
  });
});
