/**
 * The Temporal `npm start` runs for itself when TEMPORAL_ADDRESS is unset.
 *
 * - `dev` (and `auto` when the CLI is installed): Temporal's own dev server,
 *   a child process with its SQLite file under DATA_DIR, the search
 *   attributes registered at launch and the Web UI on port + 1000.
 *   Conversations survive restarts, crashes included.
 * - `embedded` (and `auto` without the CLI): the project's in-memory
 *   Temporal-compatible server; everything is lost on exit.
 *
 * With src/main.ts and the tests, this is the only module that imports the
 * embedded server: the service itself only ever receives an address.
 */
import path from 'node:path';
import { startEmbeddedTemporal } from '../../embedded-temporal/src';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../workflows/contract';
import { findTemporalBinary, TOOLS_BIN } from './binaries';
import { startDevServer } from './dev-server';
import type { LocalTemporalHandle } from './runtime';

type LocalConfig = Pick<Config, 'LOCAL_TEMPORAL' | 'LOCAL_TEMPORAL_PORT' | 'DATA_DIR' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_KEYS' | 'PORT' | 'HOST'>;

export class LocalTemporalError extends Error {
  override name = 'LocalTemporalError';
}

/** The SQLite file of the local dev server. */
export function devServerDbFile(config: Pick<Config, 'DATA_DIR'>): string {
  return path.resolve(config.DATA_DIR, 'temporal', 'dev-server.sqlite');
}

export async function startLocalTemporal(config: LocalConfig, logger: Logger): Promise<LocalTemporalHandle> {
  const cli = config.LOCAL_TEMPORAL === 'embedded' ? undefined : findTemporalBinary('temporal');
  if (config.LOCAL_TEMPORAL === 'dev' && !cli) {
    throw new LocalTemporalError(
      `LOCAL_TEMPORAL=dev but the Temporal CLI is not installed (looked in ${TOOLS_BIN} and on the PATH): run \`npm run temporal:install\`, or set LOCAL_TEMPORAL=embedded`,
    );
  }
  if (cli) {
    const dbFile = devServerDbFile(config);
    const serverLog = logger.child({ component: 'temporal-dev-server' });
    const server = await startDevServer({
      executable: cli,
      port: config.LOCAL_TEMPORAL_PORT,
      uiPort: config.LOCAL_TEMPORAL_PORT === 0 ? 0 : config.LOCAL_TEMPORAL_PORT + 1000,
      dbFile,
      namespaces: config.TEMPORAL_NAMESPACE === 'default' ? [] : [config.TEMPORAL_NAMESPACE],
      searchAttributes: ALL_SEARCH_ATTRIBUTE_KEYS,
      // The Web UI decodes encrypted payloads through the gateway's codec endpoint (operators only; src/gateway/routers/codec.ts).
      ...(codecEndpoint(config) ? { uiCodecEndpoint: codecEndpoint(config) } : {}),
      log: (line) => serverLog.debug(line),
    });
    return { kind: 'dev', address: server.address, uiUrl: server.uiUrl, dbFile, stop: () => server.stop() };
  }
  const server = await startEmbeddedTemporal({
    port: config.LOCAL_TEMPORAL_PORT,
    timeSkipping: false,
    log: (line) => logger.debug({ component: 'embedded-temporal' }, line),
  });
  return { kind: 'embedded', address: server.address, stop: () => server.stop() };
}

/** The gateway's codec endpoint as the browser reaches it; undefined with encryption off or an OS-chosen port (not known yet). */
function codecEndpoint(config: LocalConfig): string | undefined {
  if (config.PAYLOAD_KEYS.length === 0 || config.PORT === 0) return undefined;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}/codec`;
}
