/**
 * Start-up and shutdown of Switchboard's parts, in one place, for
 * `npm start` (everything in one process), `npm run gateway` (gateway only)
 * and the end-to-end tests.
 *
 * Order: Temporal (given address, or the local server main.ts passes in:
 * Temporal's dev server or the embedded one)
 * → sample commerce backend when no TOOLS_BASE_URL → client connection and
 * search attribute registration → event bus → worker → gateway. Shutdown
 * runs the reverse, and a failure half-way stops what already started.
 */
import type { AddressInfo } from 'node:net';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivitiesFromConfig, type Activities } from '../activities';
import { createBus, type EventBus } from '../bus';
import { startCommerceServer, type CommerceServer } from '../commerce';
import type { Config } from '../config';
import { AgentDirectory, DEMO_AGENTS_FILE } from '../gateway/agents';
import { createGateway, type Gateway, type GatewayDeps } from '../gateway';
import type { Logger } from '../logger';
import { createMetrics, instrumentActivities, type Metrics } from '../metrics';
import { dataConverterFromConfig } from './codec';
import { connectClient, type TemporalClient } from './connect';
import { registerSearchAttributes, SearchAttributeGuard } from './search-attributes';

/** A Temporal this process started for itself (TEMPORAL_ADDRESS unset). */
export interface LocalTemporalHandle {
  kind: 'dev' | 'embedded';
  address: string;
  /** The Web UI, when the server has one. */
  uiUrl?: string;
  /** Where the server keeps its state (dev server: the SQLite file); undefined = in memory. */
  dbFile?: string;
  stop(): Promise<void>;
}

export type WorkerFactory = (args: {
  connection: NativeConnection;
  config: Config;
  /** The payload codec's data converter (src/temporal/codec.ts); pass it to createWorker. */
  dataConverter?: DataConverter;
  activities: Activities;
  logger: Logger;
}) => Promise<Worker>;

export interface SwitchboardOptions {
  config: Config;
  logger: Logger;
  /** Starts a local Temporal (dev server or embedded); used only when TEMPORAL_ADDRESS is unset. */
  startLocalTemporal?: () => Promise<LocalTemporalHandle>;
  /** Builds the worker; omit to run the gateway alone. */
  createWorker?: WorkerFactory;
  /** Serve HTTP/WS (default true). */
  gateway?: boolean;
  /** Use this bus instead of one from the config (tests). */
  bus?: EventBus;
  gatewayOptions?: GatewayDeps['options'];
  /** Called when the worker stops on its own with an error (the process should exit non-zero). */
  onWorkerFailure?: (error: unknown) => void;
}

export interface Switchboard {
  temporalAddress: string;
  /** The Temporal started here, when TEMPORAL_ADDRESS was unset. */
  localTemporal?: Omit<LocalTemporalHandle, 'stop'>;
  /** The Temporal Web UI operators are linked to (TEMPORAL_UI_URL, else the local dev server's). */
  temporalUiUrl?: string;
  /** Base URL of the business tools (the sample backend when it was started here). */
  toolsBaseUrl?: string;
  commerceStarted: boolean;
  /** The sample backend when it was started here (tests inject faults through it). */
  commerce?: CommerceServer;
  /** http://host:port of the gateway when it runs. */
  gatewayUrl?: string;
  temporal: TemporalClient;
  bus: EventBus;
  metrics: Metrics;
  agentsFile: string;
  registeredSearchAttributes: string[];
  gateway?: Gateway;
  worker?: Worker;
  stop(): Promise<void>;
}

export async function startSwitchboard(options: SwitchboardOptions): Promise<Switchboard> {
  const { config, logger } = options;
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    while (closers.length > 0) {
      const { name, close } = closers.pop()!;
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error, part: name }, 'error while stopping');
      }
    }
  };

  try {
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let localTemporal: LocalTemporalHandle | undefined;
    if (!temporalAddress) {
      if (!options.startLocalTemporal) throw new Error('TEMPORAL_ADDRESS is not set and no local Temporal is available');
      const local = await options.startLocalTemporal();
      closers.push({ name: `local Temporal (${local.kind})`, close: () => local.stop() });
      temporalAddress = local.address;
      localTemporal = local;
    }
    const temporalUiUrl = config.TEMPORAL_UI_URL ?? localTemporal?.uiUrl;

    let toolsBaseUrl = config.TOOLS_BASE_URL;
    let commerce: CommerceServer | undefined;
    if (options.createWorker && !toolsBaseUrl) {
      const started = await startCommerceServer({ port: config.COMMERCE_PORT, host: '127.0.0.1' });
      closers.push({ name: 'commerce backend', close: () => started.close() });
      toolsBaseUrl = started.url;
      commerce = started;
    }

    // One data converter for this process's client and worker: payloads are sealed by the codec of src/temporal/codec.ts.
    const dataConverter = dataConverterFromConfig(config);
    if (!dataConverter) logger.warn('PAYLOAD_KEYS is not set: workflow and activity payloads (customer messages included) are stored in clear in Temporal');
    const temporal = await connectClient(temporalAddress, config.TEMPORAL_NAMESPACE, { dataConverter });
    closers.push({ name: 'Temporal client', close: () => temporal.close() });
    const registeredSearchAttributes = await registerSearchAttributes(temporal.connection, config.TEMPORAL_NAMESPACE);

    const metrics = createMetrics();
    const bus = options.bus ?? createBus(config, logger, (reason) => metrics.busEventsDropped.inc({ reason }));
    if (!options.bus) closers.push({ name: 'event bus', close: () => bus.close() });

    let worker: Worker | undefined;
    if (options.createWorker) {
      const connection = await NativeConnection.connect({ address: temporalAddress });
      closers.push({ name: 'worker connection', close: () => connection.close() });
      const activities = instrumentActivities(
        createActivitiesFromConfig(config, { bus, logger, toolsBaseUrl }),
        metrics,
      );
      const created = await options.createWorker({ connection, config, activities, logger, dataConverter });
      worker = created;
      const running = created.run().catch((error: unknown) => {
        logger.error({ err: error }, 'the worker stopped with an error');
        options.onWorkerFailure?.(error);
      });
      closers.push({
        name: 'worker',
        close: async () => {
          if (created.getState() === 'RUNNING') created.shutdown();
          await running;
        },
      });
    }

    const agentsFile = config.AGENTS_FILE ?? DEMO_AGENTS_FILE;
    let gateway: Gateway | undefined;
    let gatewayUrl: string | undefined;
    if (options.gateway ?? true) {
      const agents = AgentDirectory.fromFile(agentsFile);
      if (!config.AGENTS_FILE) {
        logger.warn({ agentsFile }, 'AGENTS_FILE is not set: using the demo agents and their published tokens');
      }
      const g = createGateway({
        config: temporalUiUrl && !config.TEMPORAL_UI_URL ? { ...config, TEMPORAL_UI_URL: temporalUiUrl } : config,
        client: temporal.client,
        bus,
        agents,
        logger,
        metrics,
        workerRunning: worker ? () => worker.getState() === 'RUNNING' : undefined,
        searchAttributes: new SearchAttributeGuard(temporal.connection, config.TEMPORAL_NAMESPACE),
        options: options.gatewayOptions,
      });
      await new Promise<void>((resolve, reject) => {
        g.server.once('error', reject);
        g.server.listen(config.PORT, config.HOST, () => {
          g.server.off('error', reject);
          resolve();
        });
      });
      // Close the gateway before the worker, so no request reaches a stopping worker.
      closers.push({ name: 'gateway', close: () => g.close() });
      gateway = g;
      const { port } = g.server.address() as AddressInfo;
      const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
      gatewayUrl = `http://${host}:${port}`;
    }

    let stopping: Promise<void> | undefined;
    return {
      temporalAddress,
      ...(localTemporal ? { localTemporal: { kind: localTemporal.kind, address: localTemporal.address, uiUrl: localTemporal.uiUrl, dbFile: localTemporal.dbFile } } : {}),
      temporalUiUrl,
      toolsBaseUrl,
      commerceStarted: commerce !== undefined,
      commerce,
      gatewayUrl,
      temporal,
      bus,
      metrics,
      agentsFile,
      registeredSearchAttributes,
      gateway,
      worker,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
