/**
 * `npm run worker` (worker.ts) as a child process, with LOG_FORMAT=json: every
 * line it writes, the Temporal SDK's and core's included, is one JSON record,
 * and no card or identity number a customer typed appears in any of them.
 * Before, worker.ts never installed the SDK logger: the SDK's records
 * (activity failures with their messages) came out as multi-line plain text
 * that no masking saw.
 *
 * The tools backend is a closed port, so the order lookup fails four times
 * and the SDK logs each failure.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../embedded-temporal/src';
import { conversationWorkflowId, customerMessageSignal, transcriptQuery, type ConversationInput } from '../../src/workflows/contract';
import type { conversationWorkflow } from '../../src/workflows';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let temporal: EmbeddedTemporal;
beforeAll(async () => {
  temporal = await startEmbeddedTemporal({ port: 0, timeSkipping: false });
});
afterAll(() => temporal?.stop());

it('writes only single-line JSON records, SDK records included, with personal data masked', async () => {
  const taskQueue = `worker-logs-${randomUUID()}`;
  const child = spawn(TSX, ['worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: taskQueue,
      TOOLS_BASE_URL: `http://127.0.0.1:${await closedPort()}`,
      WORKER_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const connection = await Connection.connect({ address: temporal.address });
  try {
    for (let i = 0; !/worker polling/.test(stdout); i++) {
      if (i > 600 || child.exitCode !== null) throw new Error(`worker did not start:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new Client({ connection });
    const conversationId = randomUUID();
    const input: ConversationInput = { conversationId, customer: { id: 'cust-log', tier: 'regular' } };
    const handle = await client.workflow.signalWithStart<typeof conversationWorkflow, [{ messageId: string; text: string }]>('conversationWorkflow', {
      workflowId: conversationWorkflowId(conversationId),
      taskQueue,
      args: [input],
      signal: customerMessageSignal,
      signalArgs: [{ messageId: 'm-1', text: 'where is my order 100000000002? card 4111 1111 1111 1111, id 110105 19491231 002X' }],
    });
    // The failure reply comes after four failed lookups (1 s + 2 s + 4 s of backoff).
    for (let i = 0; ; i++) {
      const transcript = await handle.query(transcriptQuery, 0);
      if (transcript.some((e) => e.from === 'bot')) break;
      if (i > 300) throw new Error('no reply');
      await new Promise((r) => setTimeout(r, 100));
    }
    await handle.terminate();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await connection.close();
  }

  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const records = lines.map((line) => {
    try {
      return JSON.parse(line) as { component?: string; msg?: string };
    } catch {
      throw new Error(`not a JSON record: ${line}`);
    }
  });
  // The SDK's own records went through the same logger.
  expect(records.filter((r) => r.component === 'temporal-sdk').length).toBeGreaterThan(0);
  expect(stderr).toBe('');
  expect(stdout).not.toMatch(/4111|411111111111|110105|19491231/);
});
