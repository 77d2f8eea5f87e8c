/**
 * End-to-end harness: the real application as `npm start` assembles it
 * (startSwitchboard: Temporal, sample commerce backend, search attributes,
 * bus, the real worker and activities, the gateway) on free ports, in real
 * time, on the jest project's server: the embedded one, or the run's
 * Temporal dev server (test/helpers/temporal-env.ts); each harness has its
 * own task queue either way.
 */
import { bundleSwitchboardWorkflows } from '../helpers/workflow-bundle';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startEmbeddedTemporal } from '../../embedded-temporal/src';
import type { EventBus } from '../../src/bus/types';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { dataConverterFromConfig } from '../../src/temporal/codec';
import { startSwitchboard, type Switchboard } from '../../src/temporal/runtime';
import { createWorker } from '../../worker';
import { replayFailures } from '../helpers/histories';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { testServerAddress } from '../helpers/temporal-env';

/** Ten desk agents with the general skill (for the claim race) and one operator. */
export const E2E_AGENTS = [
  ...Array.from({ length: 10 }, (_, i) => ({
    id: `agent${i}`,
    name: `Agent ${i}`,
    token: `e2e-agent-token-${i}-000000`,
    skills: ['general', 'orders', 'refunds', 'complaints', 'technical', 'vip'],
    maxConcurrent: 5,
  })),
  { id: 'op', name: 'Operator', token: 'e2e-operator-token-000000', skills: ['general'], maxConcurrent: 1, role: 'operator' },
];
export const agentToken = (i: number): string => E2E_AGENTS[i].token;
export const OPERATOR_TOKEN = 'e2e-operator-token-000000';

// The SDK's own INFO/WARN lines (worker state, expected activity failures) would drown the test output.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.E2E_SDK_LOG_LEVEL === 'WARN' ? 'WARN' : 'ERROR') });
} catch {
  /* already installed in this module registry */
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundled once per test file: webpack is the slow part of creating a worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleSwitchboardWorkflows(quietBundlerLogger);
  return bundle;
}

const noop = (): void => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export interface AppOptions {
  env?: Record<string, string>;
  /** Run the worker (default true). */
  worker?: boolean;
  /** Serve HTTP/WS (default true). */
  gateway?: boolean;
  /** An existing Temporal address (to run several app parts against one server). */
  temporalAddress?: string;
  taskQueue?: string;
  bus?: EventBus;
}

export interface App {
  board: Switchboard;
  baseUrl: string;
  wsUrl: string;
  taskQueue: string;
  temporalAddress: string;
  stop(): Promise<void>;
}

export async function startApp(options: AppOptions = {}): Promise<App> {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-e2e-'));
  const agentsFile = path.join(dir, 'agents.json');
  writeFileSync(agentsFile, JSON.stringify(E2E_AGENTS));
  const taskQueue = options.taskQueue ?? `e2e-${randomUUID()}`;
  const temporalAddress = options.temporalAddress ?? testServerAddress();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    COMMERCE_PORT: '0',
    LOCAL_TEMPORAL_PORT: '0',
    TASK_QUEUE: taskQueue,
    AGENTS_FILE: agentsFile,
    GATEWAY_SECRET: 'e2e-gateway-secret-000000',
    // The payload codec runs in every end-to-end test, as it does in production.
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    LOG_LEVEL: 'silent',
    ...(temporalAddress ? { TEMPORAL_ADDRESS: temporalAddress } : {}),
    ...(process.env.TEMPORAL_NAMESPACE ? { TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE } : {}),
    ...options.env,
  });
  const logger = createLogger({ level: process.env.E2E_LOG_LEVEL ?? 'silent' });
  const board = await startSwitchboard({
    config,
    logger,
    bus: options.bus,
    gateway: options.gateway ?? true,
    startLocalTemporal: async () => {
      const server = await startEmbeddedTemporal({ port: 0, timeSkipping: false });
      return { kind: 'embedded', address: server.address, stop: () => server.stop() };
    },
    createWorker:
      (options.worker ?? true)
        ? async ({ connection, config: c, activities, dataConverter }) =>
            createWorker({
              connection,
              dataConverter,
              namespace: c.TEMPORAL_NAMESPACE,
              taskQueue: c.TASK_QUEUE,
              activities,
              workflowBundle: await workflowBundle(),
            })
        : undefined,
    gatewayOptions: { queueRefreshMs: 2000 },
  });
  const baseUrl = board.gatewayUrl ?? '';
  const replays = options.worker ?? true;
  return {
    board,
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    taskQueue,
    temporalAddress: board.temporalAddress,
    async stop() {
      // Every history this app's worker produced must replay with today's code.
      let failures: string[] = [];
      try {
        if (replays) failures = await replayTaskQueue(board.temporal.client, taskQueue, dataConverterFromConfig(config));
      } finally {
        await board.stop();
      }
      if (failures.length > 0) throw new Error(`${failures.length} history(ies) on ${taskQueue} did not replay:\n${failures.join('\n')}`);
    },
  };
}

/**
 * Replays every run on a task queue (conversations and routing entities, as
 * visibility lists them) with today's bundle. Returns a line per failure;
 * nothing when Temporal is gone (a test that stopped it on purpose).
 */
async function replayTaskQueue(client: Client, taskQueue: string, dataConverter: DataConverter | undefined): Promise<string[]> {
  const runs: { workflowId: string; runId: string }[] = [];
  try {
    for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) runs.push({ workflowId: w.workflowId, runId: w.runId });
  } catch {
    return [];
  }
  const histories = await Promise.all(
    runs.map(async ({ workflowId, runId }) => ({ workflowId, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() })),
  );
  const failures = await replayFailures({ workflowBundle: await workflowBundle(), dataConverter, replayName: 'e2e-histories' }, histories);
  return failures.map((f) => `${f.workflowId}: ${f.error}`);
}

export async function createConversation(
  app: App,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ conversationId: string; token: string }> {
  const res = await fetch(`${app.baseUrl}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create conversation: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { conversationId: string; token: string };
}

export function customerUrl(app: App, c: { conversationId: string; token: string }): string {
  return `${app.wsUrl}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`;
}

/** A JSON HTTP call; returns status and parsed body. */
export async function api(
  app: App,
  method: string,
  pathname: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.baseUrl}${pathname}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls until `check` returns a value (bounded). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
