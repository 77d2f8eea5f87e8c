/**
 * Shared plumbing for the conformance suite: one server and one workflow
 * bundle per test file (bundling takes seconds), a fresh task queue per test,
 * workers that shut down quickly, and history helpers that name event types
 * the way Temporal's UI does ("WorkflowTaskScheduled").
 *
 * The server is the embedded one, or one of Temporal's own (see
 * ./servers.ts). The client is a plain one on every server: on Temporal's
 * test server time then runs with the wall clock, as on the embedded server
 * started without time skipping (the harness default), so every test sees
 * the same clock on all three.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { EmbeddedTemporalOptions } from '../../src';
import * as activities from '../activities';
import { startConformanceServer, type ConformanceServer } from './servers';

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

/** Raw polls in tests expect a task soon; 20 s bounds a test that waits for one in vain. */
const RAW_POLL_TIMEOUT_MS = 20_000;

export interface Harness {
  server: ConformanceServer;
  namespace: string;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  /** Raw WorkflowService client (protobufjs objects, numeric enums) for protocol-level checks. */
  service: Connection['workflowService'];
  /** The embedded server's diagnostics (always empty on Temporal's servers: read it in embedded-only tests). */
  serverLog: string[];
  /** The bundle workers of this harness run; reuse it for replay. */
  workflowBundle: { code: string };
  taskQueue(): string;
  /**
   * A raw PollWorkflowTaskQueue as a worker makes it, with a deadline: the
   * real server refuses a long poll without one (INVALID_ARGUMENT "Context
   * timeout is not set.") or with less than 2 s left. Answers empty a second
   * before the deadline when there is nothing to do.
   */
  pollWorkflowTask(taskQueue: string, identity?: string, timeoutMs?: number): Promise<temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse>;
  /** The same for PollActivityTaskQueue. */
  pollActivityTask(taskQueue: string, identity?: string, timeoutMs?: number): Promise<temporal.api.workflowservice.v1.PollActivityTaskQueueResponse>;
  worker(taskQueue: string, options?: Partial<WorkerOptions>): Promise<Worker>;
  close(): Promise<void>;
}

/**
 * `embeddedOptions` (hooks such as `onCall`, tuning such as `config`) reach
 * the embedded server only; tests that rely on them must be embedded-only.
 */
export async function createHarness(workflowsPath: string, embeddedOptions: EmbeddedTemporalOptions = {}): Promise<Harness> {
  installQuietRuntime();
  const serverLog: string[] = [];
  const server = await startConformanceServer({ log: (line) => serverLog.push(line), ...embeddedOptions });
  const { namespace } = server;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace });
  const workers = new Set<Worker>();
  return {
    server,
    namespace,
    client,
    connection,
    nativeConnection,
    service: connection.workflowService,
    serverLog,
    workflowBundle,
    taskQueue: () => `tq-${randomUUID()}`,
    pollWorkflowTask: (taskQueue, identity = 'raw', timeoutMs = RAW_POLL_TIMEOUT_MS) =>
      connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity }),
      ),
    pollActivityTask: (taskQueue, identity = 'raw', timeoutMs = RAW_POLL_TIMEOUT_MS) =>
      connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity }),
      ),
    async worker(taskQueue, options = {}) {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace,
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
      const running = [...workers].filter((w) => w.getState() === 'RUNNING');
      for (const w of running) w.shutdown();
      // A test that failed inside runUntil leaves its worker draining, holding the native connection.
      await Promise.all(running.map(stopped));
      await connection.close();
      await nativeConnection.close();
      await server.stop();
    },
  };
}

async function stopped(worker: Worker): Promise<void> {
  for (let i = 0; i < 1000 && !['STOPPED', 'FAILED'].includes(worker.getState()); i++) await new Promise((r) => setTimeout(r, 10));
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

/**
 * Registers search attributes for a test, one by one, whatever the server
 * already has: Temporal's dev server and the embedded one accept a name that
 * exists with the same type; Temporal's test server answers ALREADY_EXISTS
 * (it also predefines the Custom*Field attributes, which the dev server does not).
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: Record<string, temporal.api.enums.v1.IndexedValueType>,
): Promise<void> {
  for (const [name, type] of Object.entries(attributes)) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [name]: type } });
    } catch (err) {
      if ((err as { code?: number }).code !== status.ALREADY_EXISTS) throw err;
    }
  }
}

/**
 * The worker has handled everything so far: a workflow task completed and no
 * task is scheduled or running after it. Read from history, not from
 * DescribeWorkflowExecution's pending task, which Temporal's test server
 * never reports.
 */
export async function settled(handle: WorkflowHandle): Promise<void> {
  await eventually(async () => {
    const names = await eventNames(handle);
    const completed = names.lastIndexOf('WorkflowTaskCompleted');
    return completed >= 0 && !names.slice(completed).some((n) => n === 'WorkflowTaskScheduled' || n === 'WorkflowTaskStarted');
  });
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
