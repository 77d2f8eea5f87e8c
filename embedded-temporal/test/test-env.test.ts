/**
 * test/helpers/temporal-env.ts, the project's one way to get a Temporal in
 * tests, on each jest project's server: embedded with time skipping by
 * default, Temporal's test server (time skipping) or dev server (real time)
 * when the project says so, an existing server when TEMPORAL_ADDRESS is set
 * (here: a second embedded server standing in for a real one), and teardown
 * that stops what it started and leaves alone what it did not.
 */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createTestEnv, DEV_SERVER_ADDRESS_VAR } from '../../test/helpers/temporal-env';
import { describeWhere, serverFeatures, SERVER_KIND } from './support/servers';
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

describeWhere(serverFeatures().timeSkipping, 'the dev server cannot skip time; the test below checks its environment')('on a server that skips time', () => {
  test('an environment that skips time, on a server of its own that teardown stops', async () => {
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
});

describeWhere(SERVER_KIND === 'dev', 'it checks the environment on the jest run’s dev server')('on the dev server', () => {
  test('an environment in real time on the run’s server, which teardown leaves running', async () => {
    const env = await createTestEnv();
    expect(env.supportsTimeSkipping).toBe(false);
    expect(env.address).toBe(process.env[DEV_SERVER_ADDRESS_VAR]);
    const before = Date.now();
    await env.sleep(200);
    expect(Date.now() - before).toBeGreaterThanOrEqual(190);
    await env.teardown();
    const probe = await Connection.connect({ address: process.env[DEV_SERVER_ADDRESS_VAR]! });
    expect((await probe.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
    await probe.close();
  });
});

describeWhere(!process.env.TEST_TEMPORAL_SERVER, 'this jest project sets TEST_TEMPORAL_SERVER, which takes precedence over TEMPORAL_ADDRESS')('given TEMPORAL_ADDRESS', () => {
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
});
