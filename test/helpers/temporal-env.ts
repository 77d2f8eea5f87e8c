/**
 * The one way workflow tests get a Temporal: `createTestEnv()`.
 *
 * - With `TEMPORAL_ADDRESS` set, it connects to that server (a real Temporal:
 *   dev server or cluster) in `TEMPORAL_NAMESPACE` (default `default`). Time
 *   is real there: `env.sleep` waits, `currentTimeMs` is the wall clock.
 * - Otherwise it starts the embedded server (embedded-temporal/) in-process
 *   with time skipping, and returns an environment whose client skips time
 *   while it waits for a result, exactly like `createTimeSkipping()` with
 *   Temporal's Java test server.
 *
 * `env.teardown()` closes the connections and, for the embedded server, stops
 * it. Tests must therefore be correct against both: never depend on
 * embedded-only behaviour (e.g. ORDER BY in visibility queries).
 *
 * @example
 * ```ts
 * import { Worker } from '@temporalio/worker';
 * import { createTestEnv } from '../helpers/temporal-env';
 *
 * let env: TestWorkflowEnvironment;
 * beforeAll(async () => { env = await createTestEnv(); });
 * afterAll(() => env?.teardown());
 *
 * test('waits a day, then answers', async () => {
 *   const taskQueue = `test-${randomUUID()}`;
 *   const worker = await Worker.create({
 *     connection: env.nativeConnection, namespace: env.namespace, taskQueue,
 *     workflowsPath: require.resolve('../../src/workflows'), activities: fakeActivities,
 *   });
 *   const result = await worker.runUntil(
 *     env.client.workflow.execute(conversationWorkflow, { taskQueue, workflowId: `t-${randomUUID()}`, args: [input] }),
 *   );
 *   expect(result).toEqual(…);
 * });
 * ```
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedTemporal } from '../../embedded-temporal/src';

interface CreateOptions {
  server: { type: 'existing' };
  supportsTimeSkipping: boolean;
  address: string;
  namespace: string;
}

/**
 * `TestWorkflowEnvironment.create` is private in the typings but is the only
 * constructor that accepts an existing server *with* time skipping
 * (`createFromExistingServer` hard-codes it off). It connects with the
 * TestService enabled and builds the time-skipping client.
 */
const createWithTimeSkipping = (opts: CreateOptions): Promise<TestWorkflowEnvironment> =>
  (TestWorkflowEnvironment as unknown as { create(o: CreateOptions): Promise<TestWorkflowEnvironment> }).create(opts);

export async function createTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_ADDRESS?.trim();
  if (address) {
    return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
  }
  const server = await startEmbeddedTemporal({ timeSkipping: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await createWithTimeSkipping({ server: { type: 'existing' }, supportsTimeSkipping: true, address: server.address, namespace: 'default' });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const closeConnections = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await closeConnections();
    } finally {
      await server.stop();
    }
  };
  return env;
}
