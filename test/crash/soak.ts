/**
 * The crash soak: dozens of conversations in the middle of a side effect,
 * the worker killed with SIGKILL and started again, then every conversation
 * must answer its next message, every side effect must have happened once at
 * the commerce backend, and every history must replay. Used by
 * test/crash/*.test.ts (asserts) and bench/recovery.bench.ts (prints
 * recovery times).
 *
 * Parts, each where a crash would really hit it:
 * - Temporal: the embedded server in this process, or Temporal's dev server
 *   as a child with its SQLite file (which can itself be killed and
 *   restarted on the same port and file);
 * - the sample commerce backend in this process, one refundable order per
 *   conversation, refunds slowed so they are in flight when the kill comes;
 * - the worker: `node --import tsx worker.ts` as a child process, exactly
 *   what `npm run worker` runs;
 * - the customers: a Temporal client signalling and querying like the gateway.
 */
import { bundleSwitchboardWorkflows } from '../helpers/workflow-bundle';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { replayFailures } from '../helpers/histories';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../embedded-temporal/src';
import { defaultSeed, startCommerceServer, type CommerceSeed, type CommerceServer } from '../../src/commerce';
import { requireTemporalBinary } from '../../src/temporal/binaries';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { registerSearchAttributes } from '../../src/temporal/search-attributes';
import type { conversationWorkflow } from '../../src/workflows';
import {
  ALL_SEARCH_ATTRIBUTE_KEYS,
  conversationWorkflowId,
  customerMessageSignal,
  transcriptQuery,
  type ConversationInput,
  type TranscriptEntry,
} from '../../src/workflows/contract';
import { TEST_PAYLOAD_KEYS, testDataConverter } from '../helpers/payload-keys';

const ROOT = path.resolve(__dirname, '../..');

export type SoakServer = 'embedded' | 'dev';
type ConversationHandle = WorkflowHandle<typeof conversationWorkflow>;

export interface SoakConversation {
  conversationId: string;
  orderNumber: string;
  handle: ConversationHandle;
  /** Bot entries seen before the crash step. */
  botBefore: number;
}

/** Seed with one refundable order (and its owner) per conversation, besides the demo data. */
export function soakSeed(count: number): CommerceSeed {
  const seed = defaultSeed();
  const template = seed.orders.find((o) => o.orderNumber === '100000000001')!;
  for (let i = 0; i < count; i++) {
    const id = `soak-${i}`;
    seed.customers.push({ id, name: `Soak Customer ${i}`, tier: 'regular', email: `soak${i}@example.com` });
    seed.orders.push({ ...template, orderNumber: soakOrderNumber(i), customerId: id });
  }
  return seed;
}

export function soakOrderNumber(i: number): string {
  return String(200000000000 + i);
}

/** A part of Switchboard in its own process, as its npm script runs it: the worker (`worker.ts`) or the gateway (`src/gateway/main.ts`). */
export class ServiceProcess {
  private child?: ChildProcessWithoutNullStreams;
  private out = '';
  startedAt = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly entry = 'worker.ts',
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', ...this.env },
    });
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child = child;
  }

  /** Everything the process printed since its last start. */
  output(): string {
    return this.out;
  }

  /** Resolves once the output matches `pattern` (bounded). */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.out)) {
      if (Date.now() > deadline) throw new Error(`${this.entry}: no ${pattern} in its output:\n${this.out.slice(-4000)}`);
      await sleep(50);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

export interface SoakWorld {
  server: SoakServer;
  address: string;
  client: Client;
  commerce: CommerceServer;
  worker: ServiceProcess;
  taskQueue: string;
  /** Kills Temporal's dev server with SIGKILL and starts it again on the same port and SQLite file (dev only). */
  restartTemporal(): Promise<void>;
  close(): Promise<void>;
}

export interface SoakOptions {
  server: SoakServer;
  conversations: number;
  /** Extra environment for the worker process (e.g. LOG_LEVEL=info for its "worker polling" line). */
  workerEnv?: Record<string, string>;
}

export async function startSoakWorld(options: SoakOptions): Promise<SoakWorld> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let address: string;
    let embedded: EmbeddedTemporal | undefined;
    let dev: DevServer | undefined;
    const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-soak-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const devOptions = async () => ({
      executable: requireTemporalBinary('temporal'),
      port: await freePort(),
      headless: true,
      dbFile: path.join(dir, 'temporal.sqlite'),
      searchAttributes: ALL_SEARCH_ATTRIBUTE_KEYS,
    });
    const fixedDevOptions = options.server === 'dev' ? await devOptions() : undefined;
    if (options.server === 'embedded') {
      embedded = await startEmbeddedTemporal({ port: 0 });
      address = embedded.address;
      closers.push(() => embedded!.stop());
    } else {
      dev = await startDevServer(fixedDevOptions!);
      address = dev.address;
      closers.push(() => dev!.stop());
    }

    const commerce = await startCommerceServer({ seed: soakSeed(options.conversations) });
    closers.push(() => commerce.close());

    const connection = await Connection.connect({ address });
    closers.push(() => connection.close());
    await registerSearchAttributes(connection, 'default');
    // Payloads are encrypted as in production: the worker and this client share the test keys.
    const client = new Client({ connection, dataConverter: testDataConverter() });
    const taskQueue = `soak-${randomUUID()}`;
    const worker = new ServiceProcess({ TEMPORAL_ADDRESS: address, TOOLS_BASE_URL: commerce.url, TASK_QUEUE: taskQueue, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ...options.workerEnv });
    closers.push(() => worker.kill());
    worker.start();

    return {
      server: options.server,
      address,
      client,
      commerce,
      worker,
      taskQueue,
      async restartTemporal() {
        if (!dev) throw new Error('only the dev server is killed and restarted (the embedded one keeps nothing)');
        const pid = dev.pid;
        if (!pid) throw new Error('the dev server did not say its pid');
        process.kill(pid, 'SIGKILL');
        await dev.exited;
        await dev.stop();
        dev = await startDevServer(fixedDevOptions!);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The transcript, within 5 s: a query handed to a worker that then died is never answered, as the gateway knows too. */
export async function transcript(h: ConversationHandle): Promise<TranscriptEntry[]> {
  return h.client.withDeadline(Date.now() + 5000, () => h.query(transcriptQuery, 0));
}

/** Polls the transcript until `ok` holds (bounded); queries fail while no worker runs, which is retried. */
export async function waitForTranscript(
  h: ConversationHandle,
  ok: (t: TranscriptEntry[]) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<TranscriptEntry[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const t = await transcript(h);
      if (ok(t)) return t;
      last = t.at(-1)?.text;
    } catch (error) {
      last = error;
    }
    await sleep(150);
  }
  throw new Error(`${h.workflowId}: timed out waiting for ${what} (last: ${String(last)})`);
}

const bots = (t: TranscriptEntry[]) => t.filter((e) => e.from === 'bot');

export async function send(h: ConversationHandle, text: string): Promise<void> {
  await h.signal(customerMessageSignal, { messageId: `soak-${randomUUID()}`, text });
}

/** Sends `texts`, each `gapMs` after the previous: a burst typed while the bot is busy. */
async function burst(h: ConversationHandle, texts: string[], gapMs: number): Promise<void> {
  for (const [i, text] of texts.entries()) {
    if (i > 0) await sleep(gapMs);
    await send(h, text);
  }
}

/**
 * Brings conversation `i` to the refund confirmation ("Shall I submit it?"),
 * typing in two quick bursts of two messages each (40 ms apart).
 */
export async function toConfirmation(world: SoakWorld, i: number): Promise<SoakConversation> {
  const conversationId = `soak-${i}-${randomUUID().slice(0, 8)}`;
  const orderNumber = soakOrderNumber(i);
  const input: ConversationInput = { conversationId, customer: { id: `soak-${i}`, name: `Soak Customer ${i}`, tier: 'regular' }, locale: 'en' };
  const handle = await world.client.workflow.signalWithStart<typeof conversationWorkflow, [{ messageId: string; text: string }]>('conversationWorkflow', {
    workflowId: conversationWorkflowId(conversationId),
    taskQueue: world.taskQueue,
    args: [input],
    signal: customerMessageSignal,
    signalArgs: [{ messageId: `soak-${randomUUID()}`, text: 'hello' }],
  });
  const h = world.client.workflow.getHandle<typeof conversationWorkflow>(handle.workflowId);
  await sleep(40);
  await send(h, `I want a refund for order ${orderNumber}`);
  await waitForTranscript(h, (t) => bots(t).some((e) => /reason/i.test(e.text)), 'the reason question');
  await burst(h, ['it arrived broken', 'store credit please'], 40);
  const t = await waitForTranscript(h, (t) => /Shall I submit it\?/.test(bots(t).at(-1)?.text ?? ''), 'the confirmation');
  return { conversationId, orderNumber, handle: h, botBefore: bots(t).length };
}

export function refundSubmitted(t: TranscriptEntry[], orderNumber: string): boolean {
  return bots(t).some((e) => e.text.includes(`for order ${orderNumber}`) && /is (submitted|approved)/.test(e.text));
}

/**
 * Waits (all at once, bounded) until every conversation satisfies `ok`; returns
 * the ones that did not — frozen — each with the tail of its history, so a
 * failure says which task failed and why. `seen` gets each conversation's
 * transcript as it was when it passed.
 */
export async function frozenAfter(
  conversations: SoakConversation[],
  ok: (c: SoakConversation, t: TranscriptEntry[]) => boolean,
  what: string,
  timeoutMs: number,
  seen?: Map<string, TranscriptEntry[]>,
): Promise<string[]> {
  const results = await Promise.all(
    conversations.map(async (c) => {
      try {
        seen?.set(c.conversationId, await waitForTranscript(c.handle, (t) => ok(c, t), what, timeoutMs));
        return undefined;
      } catch {
        const events = (await c.handle.fetchHistory()).events ?? [];
        const tail = events.slice(-8).map((e) => {
          const failure = e.workflowTaskFailedEventAttributes?.failure?.message;
          return `${e.eventId}:${temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '')}${failure ? ` (${failure.slice(0, 160)})` : ''}`;
        });
        return `${c.handle.workflowId} never got ${what}; history ends ${tail.join(', ')}`;
      }
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}

/** Replays every conversation's history (all runs) with the worker's own bundle; returns the ones that failed. */
export async function replayAll(client: Client, conversations: SoakConversation[]): Promise<{ workflowId: string; error: string }[]> {
  const bundle = await bundleSwitchboardWorkflows();
  const dataConverter = testDataConverter();
  const histories = conversations.map((c) => ({ workflowId: c.handle.workflowId, history: c.handle.fetchHistory() }));
  const resolved = await Promise.all(histories.map(async (h) => ({ workflowId: h.workflowId, history: await h.history })));
  return replayFailures({ workflowBundle: bundle, dataConverter, replayName: 'soak' }, resolved);
}

/** Runs `fn`; if it fails, the worker's own log (nondeterminism, task failures) is added to the error. */
export async function withWorkerLog(world: SoakWorld, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const log = world.worker.output().slice(-12_000);
    if (error instanceof Error) error.message += `\n--- worker output (last 12 KB) ---\n${log}`;
    throw error;
  }
}
