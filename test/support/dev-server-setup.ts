/**
 * Global setup of jest's `dev-server` project: one Temporal dev server
 * (`temporal server start-dev`, in memory, headless) for the whole run, with
 * Switchboard's search attributes registered at launch. Test files reach it
 * through createTestEnv() (test/helpers/temporal-env.ts); each test uses its
 * own task queue and workflow ids, so files can share it.
 */
import { requireTemporalBinary } from '../../src/temporal/binaries';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/contract';
import { DEV_SERVER_ADDRESS_VAR } from '../helpers/temporal-env';

declare global {
  var switchboardDevServer: DevServer | undefined;
}

export default async function setup(): Promise<void> {
  const started = Date.now();
  const server = await startDevServer({
    executable: requireTemporalBinary('temporal'),
    port: 0,
    headless: true,
    searchAttributes: ALL_SEARCH_ATTRIBUTE_KEYS,
    // Namespace for the conformance suite's namespace checks.
    namespaces: ['switchboard-conformance'],
    log: process.env.TEMPORAL_TEST_LOG ? (line) => process.stderr.write(`[dev-server] ${line}\n`) : undefined,
  });
  globalThis.switchboardDevServer = server;
  process.env[DEV_SERVER_ADDRESS_VAR] = server.address;
  process.stderr.write(`\nTemporal dev server for the dev-server project: ${server.address} (ready in ${Date.now() - started} ms)\n`);
}
