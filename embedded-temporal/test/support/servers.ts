/**
 * Which Temporal the conformance suite runs against, picked the same way as
 * the rest of the project's suites (`TEST_TEMPORAL_SERVER`, set per jest
 * project; see test/helpers/temporal-env.ts):
 *
 * - `embedded` (default): this package's server, one per test file, in-process;
 * - `dev`: the jest run's Temporal dev server (`temporal server start-dev`,
 *   started by test/support/dev-server-setup.ts), shared by every file;
 * - `time-skipping`: Temporal's own time-skipping test server
 *   (`temporal-test-server`), one per test file, started by the SDK's
 *   `TestWorkflowEnvironment.createTimeSkipping` from the project-local binary;
 * - `existing` (`TEMPORAL_ADDRESS` by hand, no project): that server, treated
 *   like a dev server.
 *
 * What a real server lacks is said here once ({@link serverFeatures}), so a
 * test that does not apply is declared with {@link describeWhere} and shows up
 * as skipped *with the reason in its name*, never as a silent early return.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTemporalBinary } from '../../../src/temporal/binaries';
import { testServerAddress, testServerKind, type TestServerKind } from '../../../test/helpers/temporal-env';
import { startEmbeddedTemporal, type EmbeddedTemporal, type EmbeddedTemporalOptions } from '../../src';

export type { TestServerKind } from '../../../test/helpers/temporal-env';

/** The server of this test process. */
export const SERVER_KIND: TestServerKind = testServerKind();

/** Human names for test titles and messages. */
export const SERVER_NAMES: Record<TestServerKind, string> = {
  embedded: 'the embedded server',
  dev: "Temporal's dev server",
  'time-skipping': "Temporal's test server",
  existing: 'the server at TEMPORAL_ADDRESS',
};

export interface ServerFeatures {
  /** ListWorkflowExecutions / CountWorkflowExecutions (Temporal's test server has neither). */
  visibility: boolean;
  /** OperatorService.ListSearchAttributes (Temporal's test server has only AddSearchAttributes). */
  listSearchAttributes: boolean;
  /** The TestService (time skipping); Temporal's dev server answers UNIMPLEMENTED. */
  timeSkipping: boolean;
  /** Hooks only the embedded server has: `onCall`, `config`, `clock`, its log. */
  embeddedApi: boolean;
}

export function serverFeatures(kind: TestServerKind = SERVER_KIND): ServerFeatures {
  return {
    visibility: kind !== 'time-skipping',
    listSearchAttributes: kind !== 'time-skipping',
    timeSkipping: kind === 'embedded' || kind === 'time-skipping',
    embeddedApi: kind === 'embedded',
  };
}

/**
 * What this server is expected to do where Temporal's servers legitimately
 * differ (each difference is listed in embedded-temporal/README.md, "What the
 * suite found when it first met the real servers"). A real server's value is
 * pinned, not skipped: when a new binary changes, the test says so. A server
 * given by TEMPORAL_ADDRESS is expected to behave like the dev server.
 */
export function perServer<T>(values: { embedded: T; dev: T; 'time-skipping': T }): T {
  return SERVER_KIND === 'existing' ? values.dev : values[SERVER_KIND];
}

/**
 * `describe` where `applies`, otherwise `describe.skip` titled with the reason,
 * so jest's report says which tests did not run on this server and why.
 */
export function describeWhere(applies: boolean, reason: string): (title: string, fn: () => void) => void {
  return (title, fn) => (applies ? describe(title, fn) : describe.skip(`${title} — not on ${SERVER_NAMES[SERVER_KIND]}: ${reason}`, fn));
}

/** Only on the embedded server: the test drives an API real servers do not have (named in `reason`). */
export const describeEmbeddedOnly = (reason: string) => describeWhere(serverFeatures().embeddedApi, reason);

/** The namespace the conformance suite uses on the dev server (test/support/dev-server-setup.ts creates it). */
export const CONFORMANCE_NAMESPACE = 'switchboard-conformance';

interface PrivateCreate {
  create(opts: { server: { type: 'existing' }; supportsTimeSkipping: boolean; address: string; namespace: string }): Promise<TestWorkflowEnvironment>;
}

/**
 * The SDK's time-skipping environment (TestService client, a `result()` that
 * unlocks skipping) on a server that is already running, whether it skips
 * time or not. `TestWorkflowEnvironment.create` is private in the typings
 * only; `createFromExistingServer` hard-codes time skipping off.
 */
export function timeSkippingEnvironmentOn(address: string, namespace = 'default'): Promise<TestWorkflowEnvironment> {
  return (TestWorkflowEnvironment as unknown as PrivateCreate).create({ server: { type: 'existing' }, supportsTimeSkipping: true, address, namespace });
}

export interface ConformanceServer {
  kind: TestServerKind;
  address: string;
  namespace: string;
  /** The embedded server itself, on `embedded` only. */
  embedded?: EmbeddedTemporal;
  /** The SDK's environment around Temporal's test server, on `time-skipping` only (its client skips time). */
  testEnv?: TestWorkflowEnvironment;
  /** Stops what this call started (the dev server belongs to the whole jest run and stays). */
  stop(): Promise<void>;
}

/**
 * Starts (or finds) the server for one test file. `embeddedOptions` apply to
 * the embedded server only; tests that depend on them must be embedded-only.
 */
export async function startConformanceServer(embeddedOptions: EmbeddedTemporalOptions = {}): Promise<ConformanceServer> {
  switch (SERVER_KIND) {
    case 'embedded': {
      const embedded = await startEmbeddedTemporal(embeddedOptions);
      return { kind: SERVER_KIND, address: embedded.address, namespace: 'default', embedded, stop: () => embedded.stop() };
    }
    case 'time-skipping': {
      const testEnv = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: requireTemporalBinary('temporal-test-server') } },
      });
      return { kind: SERVER_KIND, address: testEnv.address, namespace: testEnv.namespace ?? 'default', testEnv, stop: () => testEnv.teardown() };
    }
    case 'dev':
      // Its own namespace on the shared dev server: the search attributes it registers
      // (SQLite has a few columns per type and namespace) stay apart from the app suites'.
      return { kind: SERVER_KIND, address: testServerAddress()!, namespace: CONFORMANCE_NAMESPACE, stop: async () => undefined };
    case 'existing':
      return {
        kind: SERVER_KIND,
        address: testServerAddress()!,
        namespace: process.env.TEMPORAL_NAMESPACE?.trim() || 'default',
        stop: async () => undefined,
      };
  }
}
