/**
 * `npm start`: the whole service in one process — gateway and worker, plus
 * a local Temporal when TEMPORAL_ADDRESS is unset (Temporal's own dev server
 * when `npm run temporal:install` has put the CLI in place, else the embedded
 * in-memory server: src/temporal/local.ts) and the sample commerce backend
 * when TOOLS_BASE_URL is unset. For a first try, offline.
 */
import { createWorker } from '../worker';
import { describeConfig, loadConfigOrExit } from './config';
import { AgentDirectoryError } from './gateway/agents';
import { localGatewaySecret, localPayloadKeys } from './local-state';
import { parsePayloadKeys } from './temporal/codec';
import { LocalTemporalError, startLocalTemporal } from './temporal/local';
import { startSwitchboard, type Switchboard, type WorkerFactory } from './temporal/runtime';
import { createProcessLogger } from './temporal/sdk-logging';

const workerFactory: WorkerFactory = ({ connection, config, activities, dataConverter }) =>
  createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE, activities, dataConverter });

async function main(): Promise<void> {
  const loaded = loadConfigOrExit();
  const logger = createProcessLogger(loaded);
  // One process, restarted at will: customer tokens must outlive it, so the signing secret is kept under DATA_DIR.
  const local = loaded.GATEWAY_SECRET ? undefined : localGatewaySecret(loaded.DATA_DIR);
  // Conversations outlive the process in the dev server's SQLite file: so must the key that encrypts them.
  const keys = loaded.PAYLOAD_KEYS.length > 0 ? undefined : localPayloadKeys(loaded.DATA_DIR);
  const config = {
    ...loaded,
    ...(local ? { GATEWAY_SECRET: local.secret } : {}),
    ...(keys ? { PAYLOAD_KEYS: parsePayloadKeys(keys.spec) } : {}),
  };
  logger.info({ config: describeConfig(config) }, 'starting Switchboard');
  if (keys) logger.info({ file: keys.file }, `payloads are encrypted with the key ${keys.created ? 'created' : 'kept'} in DATA_DIR (set PAYLOAD_KEYS in production)`);
  if (local) logger.info({ file: local.file }, `customer tokens are signed with the secret ${local.created ? 'created' : 'kept'} in DATA_DIR (set GATEWAY_SECRET in production)`);

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
      startLocalTemporal: () => startLocalTemporal(config, logger),
      onWorkerFailure: () => void shutdown('worker failure', 1),
    });
  } catch (error) {
    if (error instanceof AgentDirectoryError || error instanceof LocalTemporalError) console.error(error.message);
    else logger.fatal({ err: error }, 'Switchboard could not start');
    process.exit(1);
  }
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const lines = [
    `Switchboard is running: ${board.gatewayUrl}/ (demo page), API under ${board.gatewayUrl}/api`,
    temporalLine(board, config.TEMPORAL_NAMESPACE),
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

function temporalLine(board: Switchboard, namespace: string): string {
  const local = board.localTemporal;
  if (local?.kind === 'dev') {
    return `Temporal: Temporal's dev server on ${board.temporalAddress}, conversations kept in ${local.dbFile}; Web UI ${local.uiUrl ?? '(off)'}`;
  }
  if (local?.kind === 'embedded') {
    return `Temporal: the embedded in-memory server on ${board.temporalAddress}: conversations are LOST on exit. For durable conversations run \`npm run temporal:install\` (Temporal's dev server with SQLite), or set TEMPORAL_ADDRESS=host:7233.`;
  }
  return `Temporal: ${board.temporalAddress}, namespace ${namespace}${board.temporalUiUrl ? `; Web UI ${board.temporalUiUrl}` : ''}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
