/**
 * Shared plumbing for the conversation workflow tests: one Temporal
 * environment and one workflow bundle per test file, a fresh task queue and
 * conversation id per test, activity fakes typed as the real activities, and
 * bounded polling helpers.
 *
 * Temporal comes from `createTestEnv()`: the embedded server or Temporal's
 * test server, both skipping time, or Temporal's dev server in real time.
 * Timer tests run on all three: they express policy durations in
 * `t.minute`s (a real minute where time skips, 500 ms on the dev server) and
 * let time pass with `t.advance`.
 */
import { bundleSwitchboardWorkflows } from '../helpers/workflow-bundle';
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { replayFailures } from '../helpers/histories';
import { testDataConverter } from '../helpers/payload-keys';
import { createTestEnv } from '../helpers/temporal-env';
import type { Activities } from '../../src/activities';
import { registerSearchAttributes } from '../../src/temporal/search-attributes';
import { defaultSeed } from '../../src/commerce/seed';
import { loadFaq, pickFaq } from '../../src/faq';
import {
  conversationWorkflowId,
  customerMessageSignal,
  ErrorCode,
  stateQuery,
  transcriptQuery,
  type ConversationInput,
  type ConversationStateView,
  type Customer,
  type Entities,
  type Intent,
  type OutboundEvent,
  type PolicyConfig,
  type TranscriptEntry,
  type Understanding,
} from '../../src/workflows/contract';
import { createWorker } from '../../worker';
import { conversationWorkflow } from '../../src/workflows';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    const level = process.env.TEMPORAL_TEST_LOG ? 'DEBUG' : 'ERROR';
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } } });
  } catch {
    // Installed already by another suite in this process.
  }
}

export interface TestEnv {
  env: TestWorkflowEnvironment;
  client: Client;
  namespace: string;
  bundle: WorkflowBundleWithSourceMap;
  /** One minute of policy time: 60 000 ms where the server skips time, {@link REAL_TIME_MINUTE_MS} where it cannot. */
  minute: number;
  /** Lets `ms` of workflow time pass: skipped where the server can, waited otherwise. */
  advance(ms: number): Promise<void>;
  /**
   * Terminates a conversation at a quiet point: no workflow task scheduled or
   * started, no activity pending. Temporal's time-skipping test server leaks
   * its time-skipping lock when a run is terminated while a workflow task is
   * started (seen: every later sleep in that server then passed in real time);
   * activities hold the same lock, so the wait covers them too.
   */
  terminate(handle: WorkflowHandle): Promise<void>;
  /** A worker on a fresh task queue; shut down by `close()` if still running. */
  /** `options`: extra worker options (e.g. patchActivationCallback, to run as a release from before a patch). */
  worker(activities: Activities, taskQueue?: string, options?: Pick<WorkerOptions, 'patchActivationCallback'>): Promise<{ worker: Worker; taskQueue: string; run: Promise<void> }>;
  /**
   * Replays the latest run of every conversation this suite started (with
   * {@link startConversation}) with today's bundle, then stops the workers and
   * the server; throws naming each history that did not replay.
   */
  close(): Promise<void>;
}

const EventType = temporal.api.enums.v1.EventType;

/** No workflow task scheduled or started and no activity pending: nothing holds Temporal's test server's time-skipping lock. */
function isQuiet(events: temporal.api.history.v1.IHistoryEvent[]): boolean {
  const last = events.at(-1)?.eventType;
  if (last === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || last === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) return false;
  const pending = new Set<number>();
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) pending.add(Number(e.eventId));
    const closed =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed) pending.delete(Number(closed.scheduledEventId));
  }
  return pending.size === 0;
}

/** A "minute" on a server without time skipping: short enough to wait for, long enough to tell before from after on a busy machine. */
export const REAL_TIME_MINUTE_MS = 500;

export async function startTestEnv(): Promise<TestEnv> {
  quietRuntime();
  const env = await createTestEnv({ dataConverter: testDataConverter() });
  const namespace = env.namespace ?? 'default';
  await registerSearchAttributes(env.connection, namespace);
  const bundle = await bundleSwitchboardWorkflows();
  const running: { worker: Worker; run: Promise<void> }[] = [];
  return {
    env,
    client: env.client,
    namespace,
    bundle,
    minute: env.supportsTimeSkipping ? 60_000 : REAL_TIME_MINUTE_MS,
    advance: (ms) => (env.supportsTimeSkipping ? env.sleep(ms) : new Promise((r) => setTimeout(r, ms))),
    async terminate(handle) {
      await eventually(async () => (isQuiet((await handle.fetchHistory()).events ?? []) ? true : undefined), 'a quiet point to terminate at', 10_000);
      await handle.terminate();
    },
    async worker(activities, taskQueue = `tq-${randomUUID()}`, extra = {}) {
      const worker = await createWorker({
        connection: env.nativeConnection,
        namespace,
        taskQueue,
        activities,
        dataConverter: testDataConverter(),
        workflowBundle: bundle,
        options: { shutdownGraceTime: '200ms', ...extra },
      });
      const run = worker.run();
      running.push({ worker, run });
      return { worker, taskQueue, run };
    },
    async close() {
      // Every history the suite produced must replay with today's code (the standard for every workflow change).
      let failures: string[];
      try {
        failures = await replayStarted(env.client, bundle);
      } finally {
        for (const r of running) if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
        await Promise.allSettled(running.map((r) => r.run));
        await env.teardown();
      }
      if (failures.length > 0) throw new Error(`${failures.length} history(ies) of this suite did not replay:\n${failures.join('\n')}`);
    },
  };
}

// ---------------------------------------------------------------------------
// Activity fakes
// ---------------------------------------------------------------------------

export type Script = Array<[RegExp, Partial<Omit<Understanding, 'entities'>> & { entities?: Entities }]>;

/** Understanding from a script of (pattern → understanding); order numbers are always picked up. */
export function scriptedUnderstanding(text: string, script: Script): Understanding {
  const language = /[\u4e00-\u9fff]/.test(text) ? 'zh' : 'en';
  const orderNumber = /(?<!\d)\d{12}(?!\d)/.exec(text)?.[0];
  const base: Understanding = {
    intent: 'out_of_scope',
    confidence: 0.2,
    layer: 'rule',
    entities: orderNumber ? { orderNumber } : {},
    emotion: 'neutral',
    language,
    humanRequested: false,
    normalizedText: text.trim(),
  };
  for (const [pattern, u] of script) {
    if (pattern.test(text)) return { ...base, confidence: 0.95, ...u, entities: { ...base.entities, ...(u.entities ?? {}) } };
  }
  return base;
}

export const STANDARD_SCRIPT: Script = [
  [/human|agent|real person|转人工|人工客服/i, { intent: 'contact_human_agent', humanRequested: true }],
  [/refund|退款/i, { intent: 'get_refund' }],
  [/where is|track|到哪|物流/i, { intent: 'track_order' }],
  [/cancel an order|取消订单/i, { intent: 'cancel_order' }],
  [/^(yes|ok|yes please|sure)\b|^(确认|好的|是的)/i, { intent: 'affirm' }],
  [/^(no|nope)\b|^不/i, { intent: 'deny' }],
  [/^(hi|hello)\b|^你好/i, { intent: 'greeting' }],
  [/furious|ridiculous|垃圾/i, { intent: 'complaint', emotion: 'angry' }],
];

export interface Calls {
  /** Every activity invocation, by activity name, with its input. */
  byName: Record<string, unknown[]>;
  events: OutboundEvent[];
  count(name: string): number;
}

const seed = defaultSeed();
const faq = loadFaq();

/**
 * Activities with fake clients: understanding from a script, tools from the
 * seed data, replies unchanged, events collected. `overrides` replaces any
 * of them; every call is counted whoever implements it.
 */
export function fakeActivities(overrides: Partial<Activities> = {}, script: Script = STANDARD_SCRIPT): { activities: Activities; calls: Calls } {
  const byName: Record<string, unknown[]> = {};
  const events: OutboundEvent[] = [];
  const order = (n: string) => {
    const o = seed.orders.find((x) => x.orderNumber === n);
    if (!o) throw notFound(n);
    return o;
  };
  const base: Activities = {
    understand: async (input) => scriptedUnderstanding(input.text, script),
    getOrder: async ({ orderNumber }) => order(orderNumber),
    trackShipment: async ({ orderNumber }) => {
      const s = seed.shipments.find((x) => x.orderNumber === orderNumber);
      if (!s) throw notFound(orderNumber);
      return s;
    },
    submitRefund: async (req) => ({ refundId: `RF-${req.orderNumber.slice(-3)}`, orderNumber: req.orderNumber, status: 'submitted', amount: order(req.orderNumber).total, method: req.method }),
    createReturn: async (req) => ({ rmaId: 'RMA-1', orderNumber: req.orderNumber, type: req.type, status: 'created', instructions: 'Use the prepaid label.' }),
    createRepair: async (req) => ({ repairId: 'RP-1', orderNumber: req.orderNumber, status: 'scheduled' }),
    changeAddress: async (req) => ({ orderNumber: req.orderNumber, shippingAddress: req.address, status: 'updated' }),
    cancelOrder: async (req) => ({ orderNumber: req.orderNumber, status: 'cancelled' }),
    createTicket: async () => ({ ticketId: `TK-${Object.values(byName).flat().length}`, status: 'open' }),
    verifyOrderContact: async (req) => {
      const o = order(req.orderNumber);
      const c = seed.customers.find((x) => x.id === o.customerId);
      return { orderNumber: o.orderNumber, verified: !!c?.email && c.email === req.contact.trim().toLowerCase() };
    },
    phraseReply: async (input) => input.draft,
    summarizeHandover: async (input) => input.handover,
    publishEvent: async (event) => {
      events.push(event);
    },
    publishEvents: async (batch) => {
      events.push(...batch);
    },
    suggestFaq: async (input) => pickFaq(faq, input.intent, input.language, input.max),
  };
  const merged = { ...base, ...overrides } as Activities;
  const counted = Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [
      name,
      async (input: unknown) => {
        (byName[name] ??= []).push(input);
        return (fn as (i: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as Activities;
  return { activities: counted, calls: { byName, events, count: (name) => byName[name]?.length ?? 0 } };
}

function notFound(orderNumber: string): Error {
  return ApplicationFailure.create({ type: ErrorCode.ToolNotFound, message: `order ${orderNumber} not found`, nonRetryable: true });
}

/** The activities that only the AI phase may reach. */
export const AI_ACTIVITIES = ['understand', 'phraseReply', 'summarizeHandover', 'getOrder', 'trackShipment', 'submitRefund', 'createReturn', 'createRepair', 'changeAddress', 'cancelOrder', 'verifyOrderContact'] as const;

export function aiCallCount(calls: Calls): number {
  return AI_ACTIVITIES.reduce((n, name) => n + calls.count(name), 0);
}

// ---------------------------------------------------------------------------
// Driving conversations
// ---------------------------------------------------------------------------

export type ConversationHandle = WorkflowHandle<typeof conversationWorkflow>;

export interface StartOptions {
  customer?: Customer;
  locale?: 'en' | 'zh';
  policy?: Partial<PolicyConfig>;
  conversationId?: string;
  /** The gateway's hint that Temporal lost this conversation after the client saw this seq. */
  recoveredAfterSeq?: number;
}

let messageCounter = 0;
export function nextMessageId(): string {
  return `m-${++messageCounter}-${randomUUID().slice(0, 8)}`;
}

/** The conversations started through each client, replayed when its environment closes. */
const started = new WeakMap<Client, Set<string>>();

/**
 * Replays the latest run of every conversation started through `client` with
 * today's bundle (a run still open replays up to its last completed task).
 * Returns a line per history that did not replay.
 */
export async function replayStarted(client: Client, bundle: WorkflowBundleWithSourceMap): Promise<string[]> {
  const ids = [...(started.get(client) ?? [])];
  const histories = await Promise.all(
    ids.map(async (workflowId) => {
      try {
        return { workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() };
      } catch {
        // Never started: the signal-with-start itself was refused (tests of bad input).
        return undefined;
      }
    }),
  );
  const present = histories.filter((h): h is NonNullable<typeof h> => h !== undefined);
  const failures = await replayFailures({ workflowBundle: bundle, dataConverter: testDataConverter(), replayName: 'suite-histories' }, present);
  return failures.map((f) => `${f.workflowId}: ${f.error}`);
}

/** Signal-with-start, as the gateway does on the first message. */
export async function startConversation(
  client: Client,
  taskQueue: string,
  firstText: string,
  opts: StartOptions = {},
): Promise<WorkflowHandleWithSignaledRunId<typeof conversationWorkflow>> {
  const conversationId = opts.conversationId ?? randomUUID();
  const input: ConversationInput = {
    conversationId,
    customer: opts.customer ?? { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular' },
    ...(opts.locale ? { locale: opts.locale } : {}),
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.recoveredAfterSeq !== undefined ? { recoveredAfterSeq: opts.recoveredAfterSeq } : {}),
  };
  const workflowId = conversationWorkflowId(conversationId);
  const ids = started.get(client) ?? new Set<string>();
  started.set(client, ids.add(workflowId));
  return client.workflow.signalWithStart<typeof conversationWorkflow, [{ messageId: string; text: string }]>(conversationWorkflow, {
    workflowId,
    taskQueue,
    args: [input],
    signal: customerMessageSignal,
    signalArgs: [{ messageId: nextMessageId(), text: firstText }],
  });
}

export async function say(handle: ConversationHandle, text: string, messageId = nextMessageId()): Promise<string> {
  await handle.signal(customerMessageSignal, { messageId, text });
  return messageId;
}

/** Polls `probe` until it returns a value that is not undefined (bounded). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/**
 * A query with a 5 s deadline. Temporal's test server never answers a query
 * that reaches a run just as it continues as new; without a deadline the
 * probe would hang the test instead of trying again.
 */
function queryWithin<T>(handle: ConversationHandle, run: () => Promise<T>): Promise<T> {
  return handle.client.withDeadline(Date.now() + 5000, run);
}

export function waitForState(handle: ConversationHandle, ok: (s: ConversationStateView) => boolean, what: string, timeoutMs?: number): Promise<ConversationStateView> {
  return eventually(async () => {
    const s = await queryWithin(handle, () => handle.query(stateQuery));
    return ok(s) ? s : undefined;
  }, what, timeoutMs);
}

/** Waits until the transcript has `count` entries from `from` (bot by default); returns the whole transcript. */
export function waitForEntries(handle: ConversationHandle, count: number, from: TranscriptEntry['from'] = 'bot', timeoutMs?: number): Promise<TranscriptEntry[]> {
  return eventually(async () => {
    const t = await queryWithin(handle, () => handle.query(transcriptQuery, 0));
    return t.filter((e) => e.from === from).length >= count ? t : undefined;
  }, `${count} ${from} entries`, timeoutMs);
}

export function textsFrom(transcript: TranscriptEntry[], from: TranscriptEntry['from'] = 'bot'): string[] {
  return transcript.filter((e) => e.from === from).map((e) => e.text);
}

export type { Intent };
