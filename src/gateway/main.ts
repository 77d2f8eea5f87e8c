/**
 * `npm run gateway`: the gateway alone, for split deployments. It needs a
 * running Temporal (TEMPORAL_ADDRESS, default 127.0.0.1:7233) with workers on
 * the task queue (`npm run worker`), and REDIS_URL so that events published
 * by those workers reach it.
 */
import { describeConfig, loadConfigOrExit } from '../config';
import { createProcessLogger } from '../temporal/sdk-logging';
import { startSwitchboard, type Switchboard } from '../temporal/runtime';
import { AgentDirectoryError } from './agents';

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  config = { ...config, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' };
  const logger = createProcessLogger(config, 'switchboard-gateway');
  logger.info({ config: describeConfig(config) }, 'starting the Switchboard gateway');
  if (!config.REDIS_URL) {
    logger.warn('REDIS_URL is not set: this gateway only sees events published in its own process, so replies from separate workers will reach customers only through resume');
  }

  let board: Switchboard;
  try {
    board = await startSwitchboard({ config, logger });
  } catch (error) {
    if (error instanceof AgentDirectoryError) console.error(error.message);
    else logger.fatal({ err: error }, 'the gateway could not start');
    process.exit(1);
  }
  logger.info(`Gateway listening on ${board.gatewayUrl} (Temporal ${board.temporalAddress}, namespace ${config.TEMPORAL_NAMESPACE})`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await board.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
