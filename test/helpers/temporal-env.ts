/**
 * The one way tests get a Temporal: `createTestEnv()`, on whichever server
 * the jest project chose (`TEST_TEMPORAL_SERVER`, set by the project's setup
 * file in jest.config.js):
 *
 * - `embedded` (default): the project's embedded server (embedded-temporal/),
 *   in-process, with time skipping through its TestService;
 * - `dev`: Temporal's own dev server (`temporal server start-dev`), one per
 *   jest run, started by test/support/dev-server-setup.ts; time is real there
 *   (`env.supportsTimeSkipping` is false, `env.sleep` waits);
 * - `time-skipping`: Temporal's own time-skipping test server
 *   (`temporal-test-server`), one per test file, started by the SDK's
 *   `TestWorkflowEnvironment.createTimeSkipping` from the project-local binary.
 *
 * `TEMPORAL_ADDRESS` set by hand (no project) means "that existing server",
 * real time, as before. The real binaries come from `npm run temporal:install`;
 * a project that needs one fails with that instruction when it is missing —
 * never a silent skip.
 *
 * With `dataConverter`, the environment's client uses that converter:
 * test/workflows/support.ts passes the production payload codec with the
 * test keys (./payload-keys.ts), and its workers the same, so every
 * conversation suite runs with encrypted payloads on all three servers.
 *
 * `env.teardown()` closes the connections and stops a server this call
 * started. Tests must be correct on all three: never depend on embedded-only
 * behaviour (e.g. ORDER BY in visibility queries).
 *
 * @example
 * ```ts
 * let env: TestWorkflowEnvironment;
 * beforeAll(async () => { env = await createTestEnv(); });
 * afterAll(() => env?.teardown());
 * ```
 */
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedTemporal } from '../../embedded-temporal/src';
import { requireTemporalBinary } from '../../src/temporal/binaries';

export type TestServerKind = 'embedded' | 'dev' | 'time-skipping' | 'existing';

/** Where the dev-server project's shared server listens (set by its global setup). */
export const DEV_SERVER_ADDRESS_VAR = 'SWITCHBOARD_TEST_DEV_SERVER_ADDRESS';

/** The server this test process runs against. */
export function testServerKind(): TestServerKind {
  const chosen = process.env.TEST_TEMPORAL_SERVER?.trim();
  if (chosen === 'embedded' || chosen === 'dev' || chosen === 'time-skipping') return chosen;
  if (chosen) throw new Error(`TEST_TEMPORAL_SERVER=${chosen}: expected embedded, dev or time-skipping`);
  return process.env.TEMPORAL_ADDRESS?.trim() ? 'existing' : 'embedded';
}

/** Does the server have visibility List/Count and OperatorService (Temporal's test server has neither)? */
export function serverHasVisibility(kind: TestServerKind = testServerKind()): boolean {
  return kind !== 'time-skipping';
}

/** Address of an already running server for this process (dev project, or TEMPORAL_ADDRESS); undefined = start one. */
export function testServerAddress(): string | undefined {
  switch (testServerKind()) {
    case 'dev':
      return devServerAddress();
    case 'existing':
      return process.env.TEMPORAL_ADDRESS!.trim();
    default:
      return undefined;
  }
}

function devServerAddress(): string {
  const address = process.env[DEV_SERVER_ADDRESS_VAR];
  if (!address) throw new Error(`TEST_TEMPORAL_SERVER=dev needs ${DEV_SERVER_ADDRESS_VAR} (jest's dev-server project sets it)`);
  return address;
}

interface CreateOptions {
  server: { type: 'existing' };
  client?: { dataConverter?: DataConverter };
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

/** `dataConverter`: the environment client's (the conversation suites pass the production codec, ./payload-keys.ts). */
export async function createTestEnv(options: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  return withRetryGrace(await createEnv(options));
}

/**
 * The client retries a call that failed with a retryable status after a
 * back-off timer (100 ms, then ×1.7). A retry timer that fires after the
 * teardown closed the connection throws "Channel has been shut down" from
 * the timer, and jest fails the whole file although every test passed (seen
 * in full runs). The teardown waits out the first back-offs before closing.
 */
const RETRY_GRACE_MS = 700;

function withRetryGrace(env: TestWorkflowEnvironment): TestWorkflowEnvironment {
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    await new Promise((r) => setTimeout(r, RETRY_GRACE_MS));
    await teardown();
  };
  return env;
}

async function createEnv(options: { dataConverter?: DataConverter }): Promise<TestWorkflowEnvironment> {
  const client = options.dataConverter ? { client: { dataConverter: options.dataConverter } } : {};
  switch (testServerKind()) {
    case 'existing':
      return TestWorkflowEnvironment.createFromExistingServer({
        address: process.env.TEMPORAL_ADDRESS!.trim(),
        namespace: process.env.TEMPORAL_NAMESPACE || 'default',
        ...client,
      });
    case 'dev':
      return TestWorkflowEnvironment.createFromExistingServer({ address: devServerAddress(), namespace: 'default', ...client });
    case 'time-skipping':
      return TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: requireTemporalBinary('temporal-test-server') } },
        ...client,
      });
    case 'embedded':
      return createEmbeddedEnv(client);
  }
}

async function createEmbeddedEnv(client: Pick<CreateOptions, 'client'>): Promise<TestWorkflowEnvironment> {
  const server = await startEmbeddedTemporal({ timeSkipping: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await createWithTimeSkipping({ server: { type: 'existing' }, supportsTimeSkipping: true, address: server.address, namespace: 'default', ...client });
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
