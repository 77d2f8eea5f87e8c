/**
 * `npm start`: the whole service in one process — gateway and worker, plus
 * an embedded Temporal server when TEMPORAL_ADDRESS is unset and the sample
 * commerce backend when TOOLS_BASE_URL is unset. For a first try, offline,
 * with nothing else installed.
 *
 * This is the only non-test module that imports the embedded server: the
 * service itself only ever receives an address.
 */
import { startEmbeddedTemporal } from '../embedded-temporal/src';
import { createWorker } from '../worker';
import { describeConfig, loadConfigOrExit } from './config';
import { AgentDirectoryError } from './gateway/agents';
import { createLogger } from './logger';
import { startSwitchboard, type Switchboard, type WorkerFactory } from './temporal/runtime';
import { installSdkLogger } from './temporal/sdk-logging';

const workerFactory: WorkerFactory = ({ connection, config, activities }) =>
  createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE, activities });

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL });
  installSdkLogger(logger, config.LOG_LEVEL);
  logger.info({ config: describeConfig(config) }, 'starting Switchboard');

  let board: Switchboard | undefined;
  let stopping = false;
  const shutdown = async (reason: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    try {
      await board?.stop();
      logger.info('stopped cleanly');
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      code = code || 1;
    }
    process.exit(code);
  };

  try {
    board = await startSwitchboard({
      config,
      logger,
      createWorker: workerFactory,
      startEmbeddedTemporal: async () => {
        const server = await startEmbeddedTemporal({
          port: config.EMBEDDED_TEMPORAL_PORT,
          timeSkipping: false,
          log: (line) => logger.debug({ component: 'embedded-temporal' }, line),
        });
        return { address: server.address, stop: () => server.stop() };
      },
      onWorkerFailure: () => void shutdown('worker failure', 1),
    });
  } catch (error) {
    if (error instanceof AgentDirectoryError) console.error(error.message);
    else logger.fatal({ err: error }, 'Switchboard could not start');
    process.exit(1);
  }
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const lines = [
    `Switchboard is running: ${board.gatewayUrl}/ (demo page), API under ${board.gatewayUrl}/api`,
    board.temporalEmbedded
      ? `Temporal: an embedded in-memory server on ${board.temporalAddress} (conversations are lost on exit). To use a real Temporal, set TEMPORAL_ADDRESS=host:7233 (and TEMPORAL_NAMESPACE).`
      : `Temporal: ${board.temporalAddress}, namespace ${config.TEMPORAL_NAMESPACE}`,
    board.commerceStarted
      ? `Business tools: the sample commerce backend on ${board.toolsBaseUrl} (set TOOLS_BASE_URL to use your own)`
      : `Business tools: ${board.toolsBaseUrl}`,
    `Worker: polling task queue "${config.TASK_QUEUE}"`,
    `Event bus: ${config.REDIS_URL ? 'Redis pub/sub' : 'in-process'}`,
    `Agents: ${board.agentsFile}`,
    config.OPENAI_API_KEY ? `LLM: ${config.OPENAI_MODEL}` : 'LLM: off (rules, local model and templates; set OPENAI_API_KEY to enable)',
    'Press Ctrl-C to stop.',
  ];
  for (const line of lines) logger.info(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
