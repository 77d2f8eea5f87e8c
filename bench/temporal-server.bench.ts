/**
 * `npm run bench:server` — the embedded Temporal server under load, with the
 * real worker and client in this process.
 *
 * Prints, at 1,000 and then 5,000 concurrently open workflows:
 * - workflow starts/s (StartWorkflowExecution calls, 100 in flight), and the
 *   rate at which started workflows finished their first workflow task;
 * - signal → workflow-task latency, p50/p99: from sending a signal to the
 *   workflow's signal handler running in the worker (reported through a
 *   sink), one signal at a time to randomly chosen open workflows;
 * - memory: process RSS and V8 heap after GC, and the heap growth per open
 *   workflow. The worker's workflow cache is capped (100) so growth beyond it
 *   is mostly the server's per-run state (history, task state, visibility).
 * The 5,000 figures are also shown as ratios to the 1,000 ones. No asserts:
 * figures only.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import { startEmbeddedTemporal } from '../embedded-temporal/src';
import type { BenchSinks } from '../embedded-temporal/test/workflows/bench';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const LEVELS = [1000, 5000];
const START_CONCURRENCY = 100;
const LATENCY_SAMPLES = 300;
const WORKER_CACHE = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function memory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  const server = await startEmbeddedTemporal();
  const ready = new Map<string, () => void>();
  const seen = new Map<string, () => void>();
  const readyIds = new Set<string>();
  const sinks: InjectedSinks<BenchSinks> = {
    bench: {
      ready: {
        fn: (_info, id) => {
          readyIds.add(id);
          ready.get(id)?.();
        },
        callDuringReplay: false,
      },
      seen: { fn: (_info, id, seq) => seen.get(`${id}#${seq}`)?.(), callDuringReplay: false },
    },
  };
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../embedded-temporal/test/workflows/bench'),
    logger: new DefaultLogger('ERROR'),
  });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    sinks,
    maxCachedWorkflows: WORKER_CACHE,
    shutdownGraceTime: '1s',
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const handles: WorkflowHandle[] = [];
  const baseline = await memory();
  const rows: Record<string, string | number>[] = [];

  await worker.runUntil(async () => {
    for (const level of LEVELS) {
      const toStart = level - handles.length;
      const allReady = new Promise<void>((resolve) => {
        let remaining = toStart;
        const tick = () => {
          if (--remaining === 0) resolve();
        };
        for (let i = 0; i < toStart; i++) ready.set(`bench-${handles.length + i}-${taskQueue}`, tick);
      });
      const t0 = performance.now();
      let next = handles.length;
      const end = level;
      await Promise.all(
        Array.from({ length: START_CONCURRENCY }, async () => {
          while (next < end) {
            const i = next++;
            handles[i] = await client.workflow.start('idleUntilStopped', { taskQueue, workflowId: `bench-${i}-${taskQueue}` });
          }
        }),
      );
      const startSeconds = (performance.now() - t0) / 1000;
      await allReady;
      const readySeconds = (performance.now() - t0) / 1000;

      const latencies: number[] = [];
      for (let s = 0; s < LATENCY_SAMPLES; s++) {
        const handle = handles[Math.floor(Math.random() * handles.length)];
        const key = `${handle.workflowId}#${level * 10_000 + s}`;
        const handled = new Promise<void>((resolve) => seen.set(key, resolve));
        const sent = performance.now();
        await handle.signal('ping', level * 10_000 + s);
        await handled;
        latencies.push(performance.now() - sent);
        seen.delete(key);
      }
      latencies.sort((a, b) => a - b);
      const mem = await memory();
      rows.push({
        open: level,
        'starts/s': Math.round(toStart / startSeconds),
        'first task done/s': Math.round(toStart / readySeconds),
        'signal p50 ms': Number(percentile(latencies, 50).toFixed(2)),
        'signal p99 ms': Number(percentile(latencies, 99).toFixed(2)),
        rss: mb(mem.rss),
        heap: mb(mem.heap),
        'heap/open wf': `${((mem.heap - baseline.heap) / level / 1024).toFixed(1)} KB`,
      });
    }
    await Promise.all(handles.map((h) => h.terminate('bench done')));
  });

  console.log(`embedded Temporal server bench — worker cache ${WORKER_CACHE}, baseline rss ${mb(baseline.rss)}, heap ${mb(baseline.heap)}`);
  console.table(rows);
  const [a, b] = rows;
  const ratio = (key: string) => (Number(b[key]) / Number(a[key])).toFixed(2);
  console.log(
    `5000 vs 1000 open: starts/s ×${ratio('starts/s')}, signal p50 ×${ratio('signal p50 ms')}, signal p99 ×${ratio('signal p99 ms')}`,
  );
  await connection.close();
  await nativeConnection.close();
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
