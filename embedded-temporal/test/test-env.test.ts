/**
 * test/helpers/temporal-env.ts, the project's one way to get a Temporal in
 * tests: embedded with time skipping by default, an existing server when
 * TEMPORAL_ADDRESS is set (here: a second embedded server standing in for
 * a real one), and teardown that stops what it started.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createTestEnv } from '../../test/helpers/temporal-env';
import { startEmbeddedTemporal } from '../src';
import * as activities from './activities';
import { sleeper } from './workflows/clock';

const DAY = 86_400_000;
const saved = { address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE };
afterEach(() => {
  process.env.TEMPORAL_ADDRESS = saved.address;
  process.env.TEMPORAL_NAMESPACE = saved.namespace;
  if (saved.address === undefined) delete process.env.TEMPORAL_ADDRESS;
  if (saved.namespace === undefined) delete process.env.TEMPORAL_NAMESPACE;
});

test('without TEMPORAL_ADDRESS: an embedded server that skips time, stopped by teardown', async () => {
  delete process.env.TEMPORAL_ADDRESS;
  const env = await createTestEnv();
  const address = env.address;
  try {
    expect(env.supportsTimeSkipping).toBe(true);
    const taskQueue = `tq-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./workflows/clock'),
      activities,
      shutdownGraceTime: '200ms',
    });
    const before = await env.currentTimeMs();
    const virtualElapsed = await worker.runUntil(
      env.client.workflow.execute(sleeper, { taskQueue, workflowId: `wf-${taskQueue}`, args: [30 * DAY] }),
    );
    expect(virtualElapsed).toBeGreaterThanOrEqual(30 * DAY);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * DAY);
    await env.sleep(DAY);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(31 * DAY);
  } finally {
    await env.teardown();
  }
  const probe = await Connection.connect({ address, connectTimeout: 500 }).catch((e: unknown) => e);
  expect(probe).toBeInstanceOf(Error);
});

test('with TEMPORAL_ADDRESS: an environment on that server, left running by teardown', async () => {
  const existing = await startEmbeddedTemporal({ namespaces: ['other'] });
  try {
    process.env.TEMPORAL_ADDRESS = existing.address;
    process.env.TEMPORAL_NAMESPACE = 'other';
    const env = await createTestEnv();
    expect(env.supportsTimeSkipping).toBe(false);
    expect(env.namespace).toBe('other');
    const described = await env.connection.workflowService.describeNamespace({ namespace: 'other' });
    expect(described.namespaceInfo?.name).toBe('other');
    await env.teardown();
    const probe = await Connection.connect({ address: existing.address });
    expect((await probe.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
    await probe.close();
  } finally {
    await existing.stop();
  }
});
