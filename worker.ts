/**
 * The Switchboard worker: hosts the conversation workflow and its activities.
 *
 * `npm run worker` runs {@link main}: typed config → Temporal connection →
 * search attributes registered → event bus → real activities → poll until
 * SIGINT/SIGTERM, then a clean shutdown. `src/main.ts` and the tests build a
 * worker with {@link createWorker} from their own connection and activities.
 *
 * @example
 * const worker = await createWorker({ connection, namespace: 'default', taskQueue, activities });
 * await worker.runUntil(async () => { ...start and drive conversations... });
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivitiesFromConfig, type Activities } from './src/activities';
import { createBus } from './src/bus';
import { describeConfig, loadConfig } from './src/config';
import { createLogger } from './src/logger';
import { registerSearchAttributes } from './src/temporal/search-attributes';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A pre-built bundle (tests bundle once per file); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (identity, cache size, shutdown grace time…). */
  options?: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowBundle' | 'workflowsPath'>;
}

/** Path of the workflow entry module, for `bundleWorkflowCode({ workflowsPath })`. */
export const WORKFLOWS_PATH = require.resolve('./src/workflows');

export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    ...opts.options,
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  logger.info({ config: describeConfig(config) }, 'starting worker');
  const address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const bus = createBus(config, logger);
  try {
    const added = await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) logger.info({ added }, 'registered search attributes');
    const activities = createActivitiesFromConfig(config, { bus, logger });
    const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE, activities });
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down worker');
      worker.shutdown();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    logger.info({ address, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE }, 'worker polling');
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await bus.close();
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
