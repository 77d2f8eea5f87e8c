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
import { createServer, type Server } from 'node:http';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivitiesFromConfig, type Activities } from './src/activities';
import { createBus } from './src/bus';
import { describeConfig, loadConfigOrExit } from './src/config';
import type { Logger } from './src/logger';
import { createMetrics, instrumentActivities, type Metrics } from './src/metrics';
import { dataConverterFromConfig } from './src/temporal/codec';
import { createProcessLogger } from './src/temporal/sdk-logging';
import { registerSearchAttributes } from './src/temporal/search-attributes';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** The payload codec's converter (src/temporal/codec.ts dataConverterFromConfig); clients must use the same. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** A pre-built bundle (tests bundle once per file); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (identity, cache size, shutdown grace time…). */
  options?: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowBundle' | 'workflowsPath' | 'dataConverter'>;
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
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}

export async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Before any native connection: the SDK runtime takes its logger once.
  const logger = createProcessLogger(config, 'worker');
  logger.info({ config: describeConfig(config) }, 'starting worker');
  const address = config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  // The gateway counts what it sees on the bus; tool failures and intent
  // layers happen here, so a standalone worker exposes its own scrape target.
  const metrics = createMetrics();
  const bus = createBus(config, logger, (reason) => metrics.busEventsDropped.inc({ reason }));
  let metricsServer: Server | undefined;
  try {
    const added = await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) logger.info({ added }, 'registered search attributes');
    const activities = instrumentActivities(createActivitiesFromConfig(config, { bus, logger }), metrics);
    metricsServer = config.WORKER_METRICS_PORT > 0 ? await serveMetrics(metrics, config.WORKER_METRICS_PORT, config.HOST, logger) : undefined;
    const dataConverter = dataConverterFromConfig(config);
    if (!dataConverter) logger.warn('PAYLOAD_KEYS is not set: workflow and activity payloads (customer messages included) are stored in clear in Temporal');
    const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TASK_QUEUE, activities, dataConverter });
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
    metricsServer?.close();
    await bus.close();
    await connection.close();
  }
}

/** A bare scrape endpoint: GET /metrics, everything else 404. */
export async function serveMetrics(metrics: Metrics, port: number, host: string, logger?: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      (err: unknown) => {
        logger?.error({ err }, 'metrics: could not render');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  logger?.info({ metrics: typeof address === 'object' && address ? `http://${host}:${address.port}/metrics` : port }, 'worker metrics');
  return server;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
