/**
 * The standalone entry point, run as its own process the way
 * `npm run temporal-server -- --port <n>` runs it: one line on stdout, a
 * client and a worker from this process can use it (a whole workflow with an
 * activity and a signal runs to completion), SIGTERM exits 0, bad flags exit 2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { eventNames, installQuietRuntime } from './support/harness';
import { activityThenSignal, nameSignal } from './workflows/tasks';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'embedded-temporal/src/cli.ts');

function start(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function firstLine(read: () => string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes('\n')) {
    if (Date.now() > deadline) throw new Error('no output from the CLI');
    await new Promise((r) => setTimeout(r, 50));
  }
  return read().split('\n')[0];
}

function addressIn(line: string): string {
  const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
  if (!match) throw new Error(`unexpected first line from the CLI: ${JSON.stringify(line)}`);
  return `127.0.0.1:${match[1]}`;
}

test('prints one line, serves a client from another process, exits 0 on SIGTERM', async () => {
  const proc = start(['--port', '0']);
  try {
    const line = await firstLine(proc.stdout);
    const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    expect(match).not.toBeNull();
    const connection = await Connection.connect({ address: `127.0.0.1:${match![1]}` });
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
    await connection.close();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.stdout()).toBe(`${line}\n`);
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
});

test('a bad flag is a usage error with exit code 2', async () => {
  const proc = start(['--prot', '7244']);
  expect(await proc.exited).toBe(2);
  expect(proc.stderr()).toMatch(/usage: npm run temporal-server/);
  expect(proc.stdout()).toBe('');
  const badPort = start(['--port', 'seventy']);
  expect(await badPort.exited).toBe(2);
  expect(badPort.stderr()).toMatch(/--port must be an integer/);
});

test('a worker and a client in this process run a workflow with an activity and a signal on the CLI server', async () => {
  installQuietRuntime();
  const proc = start(['--port', '0']);
  try {
    const address = addressIn(await firstLine(proc.stdout));
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/tasks'), logger: new DefaultLogger('ERROR') });
    const nativeConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    const taskQueue = `cli-${randomUUID()}`;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    try {
      const client = new Client({ connection });
      worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities, shutdownGraceTime: '200ms' });
      running = worker.run();
      const stopped = running.then(() => {
        throw new Error('the worker stopped before the workflow ended');
      });
      // Only the race below reads it; when the test fails before the race, the shutdown in finally must not surface as an unhandled rejection.
      stopped.catch(() => undefined);
      // The execution timeout bounds result() even if the worker never gets a task.
      const handle = await client.workflow.start(activityThenSignal, { taskQueue, workflowId: `wf-${taskQueue}`, workflowExecutionTimeout: '30s' });
      await handle.signal(nameSignal, 'from another process');
      expect(await Promise.race([handle.result(), stopped])).toBe('hello first; hello from another process');
      const names = await eventNames(handle);
      expect(names.filter((n) => n === 'ActivityTaskCompleted')).toHaveLength(2);
      expect(names.filter((n) => n === 'WorkflowExecutionSignaled')).toHaveLength(1);
      expect(names.at(-1)).toBe('WorkflowExecutionCompleted');
    } finally {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    }
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
}, 60_000);
