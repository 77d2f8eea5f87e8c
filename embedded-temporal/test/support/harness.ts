/**
 * Shared plumbing for the conformance suite: one embedded server and one
 * workflow bundle per test file (bundling takes seconds), a fresh task queue
 * per test, workers that shut down quickly, and history helpers that name
 * event types the way Temporal's UI does ("WorkflowTaskScheduled").
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { startEmbeddedTemporal, type EmbeddedTemporal, type EmbeddedTemporalOptions } from '../../src';
import * as activities from '../activities';

let runtimeInstalled = false;

/** Installs the SDK runtime with quiet logging once per process; the harness calls it, other tests may too. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // TEMPORAL_TEST_LOG=WARN (or TRACE, DEBUG, INFO, ERROR) picks the SDK's log level; any other value means DEBUG.
    const wanted = process.env.TEMPORAL_TEST_LOG?.toUpperCase();
    const level = !wanted ? 'ERROR' : (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((l) => l === wanted) ?? 'DEBUG';
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch {
    // Already installed by an earlier harness in this process.
  }
}

export interface Harness {
  server: EmbeddedTemporal;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  /** Raw WorkflowService client (protobufjs objects, numeric enums) for protocol-level checks. */
  service: Connection['workflowService'];
  serverLog: string[];
  /** The bundle workers of this harness run; reuse it for replay. */
  workflowBundle: { code: string };
  taskQueue(): string;
  worker(taskQueue: string, options?: Partial<WorkerOptions>): Promise<Worker>;
  close(): Promise<void>;
}

export async function createHarness(workflowsPath: string, serverOptions: EmbeddedTemporalOptions = {}): Promise<Harness> {
  installQuietRuntime();
  const serverLog: string[] = [];
  const server = await startEmbeddedTemporal({ log: (line) => serverLog.push(line), ...serverOptions });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const workers = new Set<Worker>();
  return {
    server,
    client,
    connection,
    nativeConnection,
    service: connection.workflowService,
    serverLog,
    workflowBundle,
    taskQueue: () => `tq-${randomUUID()}`,
    async worker(taskQueue, options = {}) {
      const worker = await Worker.create({
        connection: nativeConnection,
        taskQueue,
        workflowBundle,
        activities,
        shutdownGraceTime: '200ms',
        ...options,
      });
      workers.add(worker);
      return worker;
    },
    async close() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await connection.close();
      await nativeConnection.close();
      await server.stop();
    },
  };
}

/** EVENT_TYPE_WORKFLOW_TASK_SCHEDULED → WorkflowTaskScheduled. */
export function eventName(type: number | string | null | undefined): string {
  const full = typeof type === 'number' ? temporal.api.enums.v1.EventType[type] : String(type);
  return full
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
}

export async function eventNames(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => eventName(e.eventType));
}

export async function historyOf(handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** Polls `check` every 20 ms until it returns a value, for at most `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const { EventType } = temporal.api.enums.v1;
