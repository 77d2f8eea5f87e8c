/**
 * Time skipping through the SDK's own TestWorkflowEnvironment, talking to a
 * TestService: `result()` unlocks skipping while it waits, `env.sleep` is
 * UnlockTimeSkippingWithSleep, `env.currentTimeMs` is GetCurrentTime.
 * Elapsed virtual time is measured inside the workflows (workflow Date.now()
 * is the server clock); wall times are printed, not asserted.
 *
 * Runs on the servers that skip time: the embedded one and Temporal's test
 * server (jest.config.js does not match it for the dev server, which has no
 * TestService). The environment is the project's createTestEnv().
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestEnv } from '../../test/helpers/temporal-env';
import { startEmbeddedTemporal } from '../src';
import { describeEmbeddedOnly, describeWhere, perServer, serverFeatures, SERVER_KIND, SERVER_NAMES, timeSkippingEnvironmentOn } from './support/servers';
import * as activities from './workflows/ts-activities';
import { tsActivityThenTimerWorkflow, tsRetryBackoffWorkflow, tsSleepWorkflow } from './workflows/ts-workflows';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const taskQueue = `ts-${randomUUID().slice(0, 8)}`;
const wfId = (name: string) => `${taskQueue}-${name}`;

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;

beforeAll(async () => {
  if (!serverFeatures().timeSkipping) throw new Error(`time-skipping.test.ts needs a server that skips time, not ${SERVER_NAMES[SERVER_KIND]}`);
  env = await createTestEnv();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./workflows/ts-workflows'),
    activities,
  });
  workerRun = worker.run();
}, 60_000);

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
});

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const wall = Date.now();
  try {
    return await fn();
  } finally {
    console.log(`${label}: ${Date.now() - wall} ms wall time`);
  }
}

it('a 30-day sleep completes, and the workflow sees 30 days pass', async () => {
  const result = await timed('30-day sleep workflow', () =>
    env.client.workflow.execute(tsSleepWorkflow, { taskQueue, workflowId: wfId('30d'), args: [30 * DAY] }),
  );
  expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(30 * DAY);
  // Time jumped to the timer; it did not wander on to some later one.
  expect(result.endedAt - result.startedAt).toBeLessThan(30 * DAY + HOUR);
});

it('env.sleep advances server time by exactly the requested amount, firing timers on the way', async () => {
  const handle = await env.client.workflow.start(tsSleepWorkflow, { taskQueue, workflowId: wfId('env-sleep'), args: [2 * HOUR] });
  const t0 = await env.currentTimeMs();

  await timed('env.sleep(1h)', () => env.sleep(HOUR));
  const t1 = await env.currentTimeMs();
  expect(t1 - t0).toBeGreaterThanOrEqual(HOUR);
  expect(t1 - t0).toBeLessThan(HOUR + 30 * SECOND);
  expect((await handle.describe()).status.name).toBe('RUNNING');

  await timed('env.sleep(2h)', () => env.sleep(2 * HOUR));
  const t2 = await env.currentTimeMs();
  expect(t2 - t0).toBeGreaterThanOrEqual(3 * HOUR);
  expect(t2 - t0).toBeLessThan(3 * HOUR + 30 * SECOND);
  // The 2 h timer fired inside that window, and the worker finished the run before time moved on.
  const described = await handle.describe();
  expect(described.status.name).toBe('COMPLETED');
  const result = await handle.result();
  expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(2 * HOUR);
});

it('while the harness holds its lock, server time moves with the wall clock, not faster', async () => {
  const t0 = await env.currentTimeMs();
  const wall = Date.now();
  await new Promise((r) => setTimeout(r, 200));
  const t1 = await env.currentTimeMs();
  // Moves with the wall clock (no jumping), give or take scheduling.
  expect(t1 - t0).toBeGreaterThanOrEqual(150);
  // A skip would be hours; the slack only absorbs RPC latency on a busy machine.
  expect(t1 - t0).toBeLessThanOrEqual(Date.now() - wall + 1000);
});

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server counts the harness’s locks and its own in one counter: two result() calls at once unbalance it, time runs to a run’s 10-year default timeout (observed: "Workflow execution timed out") and every later test on that server hangs',
)('concurrent waits', () => {
  it('concurrent result() calls skip time together and leave the harness lock balanced', async () => {
    const [a, b] = await timed('two concurrent sleeps (2 d and 5 d)', () =>
      Promise.all([
        env.client.workflow.execute(tsSleepWorkflow, { taskQueue, workflowId: wfId('concurrent-a'), args: [2 * DAY] }),
        env.client.workflow.execute(tsSleepWorkflow, { taskQueue, workflowId: wfId('concurrent-b'), args: [5 * DAY] }),
      ]),
    );
    expect(a.endedAt - a.startedAt).toBeGreaterThanOrEqual(2 * DAY);
    expect(b.endedAt - b.startedAt).toBeGreaterThanOrEqual(5 * DAY);
    expect(b.endedAt).toBeGreaterThan(a.endedAt);
    // Both Unlock/Lock pairs settled: the harness holds its one lock again, so time does not jump.
    const t0 = await env.currentTimeMs();
    const pending = await env.client.workflow.start(tsSleepWorkflow, { taskQueue, workflowId: wfId('after-concurrent'), args: [DAY] });
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.currentTimeMs()) - t0).toBeLessThan(HOUR);
    expect((await pending.describe()).status.name).toBe('RUNNING');
    // Its timer would otherwise fire during a later test's result().
    await pending.terminate('done');
  });
});

it('does not skip while an activity runs; the timer after it is skipped', async () => {
  const result = await timed('300 ms activity then 1 h timer', () =>
    env.client.workflow.execute(tsActivityThenTimerWorkflow, {
      taskQueue,
      workflowId: wfId('activity-then-timer'),
      args: [300, HOUR],
    }),
  );
  const activitySpan = result.activityDoneAt - result.startedAt;
  // The activity's one-minute start-to-close timer was pending all along: had time jumped while
  // the activity ran, the workflow would have seen at least that much time pass (or a timeout).
  expect(activitySpan).toBeGreaterThanOrEqual(300);
  expect(activitySpan).toBeLessThan(10 * SECOND);
  expect(result.endedAt - result.activityDoneAt).toBeGreaterThanOrEqual(HOUR);
  expect(result.endedAt - result.activityDoneAt).toBeLessThan(HOUR + 30 * SECOND);
});

it('skips activity retry backoff (1 h, then 2 h)', async () => {
  const result = await timed('activity failing twice with 1 h / 2 h backoff', () =>
    env.client.workflow.execute(tsRetryBackoffWorkflow, { taskQueue, workflowId: wfId('retry'), args: ['retry'] }),
  );
  expect(result.attempt).toBe(3);
  expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(3 * HOUR);
  expect(result.endedAt - result.startedAt).toBeLessThan(3 * HOUR + 30 * SECOND);
});

it('skips to a workflow run timeout', async () => {
  const t0 = await env.currentTimeMs();
  const err = await timed('7-day sleep with a 1-day run timeout', () =>
    env.client.workflow
      .execute(tsSleepWorkflow, { taskQueue, workflowId: wfId('run-timeout'), args: [7 * DAY], workflowRunTimeout: '1 day' })
      .then(
        () => undefined,
        (e: unknown) => e,
      ),
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
  const elapsed = (await env.currentTimeMs()) - t0;
  expect(elapsed).toBeGreaterThanOrEqual(DAY);
  // The embedded server stops at the timeout. Temporal's test server keeps the timers of closed runs (every run
  // there has a 10-year run timeout by default), and between the close and result()'s LockTimeSkipping it lets
  // time run on to the next of them (observed: about ten years), so there is no upper bound to assert.
  expect(elapsed).toBeLessThan(perServer({ embedded: 7 * DAY, dev: 7 * DAY, 'time-skipping': Number.POSITIVE_INFINITY }));
  const described = await env.client.workflow.getHandle(wfId('run-timeout')).describe();
  expect(described.status.name).toBe('TIMED_OUT');
});

describeEmbeddedOnly('it stops the embedded server itself and reads its clock')('stopping the embedded server', () => {
  it('stop() ends an env.sleep still in flight at once with CANCELLED, before stop() returns', async () => {
    const own = await startEmbeddedTemporal({ port: 0, timeSkipping: true });
    const ownEnv = await timeSkippingEnvironmentOn(own.address);
    try {
      // A workflow task nobody polls holds time still, so the sleep cannot end by skipping ahead.
      await ownEnv.client.workflow.start(tsSleepWorkflow, { taskQueue: `idle-${taskQueue}`, workflowId: wfId('idle'), args: [DAY] });
      const heldBefore = own.clock.lockCount;
      const order: string[] = [];
      const sleeping = ownEnv.sleep(DAY).then(
        () => order.push('sleep resolved'),
        (err: unknown) => {
          order.push('sleep rejected');
          return err;
        },
      );
      // UnlockTimeSkippingWithSleep gives up the harness lock once the server has the sleep.
      for (let i = 0; i < 250 && own.clock.lockCount >= heldBefore; i++) await new Promise((r) => setTimeout(r, 20));
      expect(own.clock.lockCount).toBe(heldBefore - 1);
      await own.stop();
      order.push('stop returned');
      const err = await sleeping;
      expect(err).toMatchObject({ code: status.CANCELLED, details: expect.stringMatching(/clock is closed/) });
      expect(order).toEqual(['sleep rejected', 'stop returned']);
    } finally {
      await ownEnv.teardown();
      await own.stop();
    }
  });
});
