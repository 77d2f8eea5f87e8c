/**
 * History reads: paging through GetWorkflowExecutionHistory, the worker
 * fetching the rest of a paged task history, the new-event long poll, and a
 * fetched history replaying cleanly (and a tampered one failing) with
 * Worker.runReplayHistory.
 */
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { createHarness, eventually, historyOf, type Harness } from './support/harness';
import { describeEmbeddedOnly, describeWhere, perServer, SERVER_KIND } from './support/servers';
import { goSignal, manySteps, waitForGo } from './workflows/history';

let h: Harness;
const calls: string[] = [];
const PAGE = 20;

beforeAll(async () => {
  h = await createHarness(require.resolve('./workflows/history'), {
    config: { historyPageSize: PAGE },
    onCall: (m) => calls.push(m),
  });
});
afterAll(() => h.close());

describeEmbeddedOnly('it shrinks the server’s history page (config.historyPageSize) and counts the worker’s calls (onCall)')('worker task histories', () => {
  test('page, and the worker fetches the rest of each task’s history', async () => {
    const taskQueue = h.taskQueue();
    const worker = await h.worker(taskQueue, { maxCachedWorkflows: 0 });
    const before = calls.filter((c) => c === 'GetWorkflowExecutionHistory').length;
    const handle = await worker.runUntil(async () => {
      const handle = await h.client.workflow.start(manySteps, { taskQueue, workflowId: `wf-${taskQueue}`, args: [12] });
      expect(await handle.result()).toHaveLength(12);
      return handle;
    });
    // Without a cache every task is replayed from event 1; past PAGE events the worker must fetch the rest.
    expect(calls.filter((c) => c === 'GetWorkflowExecutionHistory').length - before).toBeGreaterThan(2);
    expect((await historyOf(handle)).length).toBeGreaterThan(PAGE * 3);
  });
});

test('a long history pages through GetWorkflowExecutionHistory', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue, { maxCachedWorkflows: 0 });
  const handle = await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(manySteps, { taskQueue, workflowId: `wf-${taskQueue}`, args: [12] });
    expect(await handle.result()).toHaveLength(12);
    return handle;
  });
  const all = await historyOf(handle);
  expect(all.length).toBeGreaterThan(60);
  const pages: temporal.api.history.v1.IHistoryEvent[][] = [];
  let token: Uint8Array | undefined;
  do {
    const res = await h.service.getWorkflowExecutionHistory({
      namespace: h.namespace,
      execution: { workflowId: handle.workflowId },
      maximumPageSize: 7,
      nextPageToken: token,
    });
    pages.push(res.history?.events ?? []);
    token = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (token && pages.length < 100);
  // Following the tokens yields every event once, in order, on every server.
  const ids = pages.flat().map((e) => Number(e.eventId));
  expect(ids).toEqual(all.map((_, i) => i + 1));
  // How the events are cut into pages differs: the embedded server pages exactly; the dev server pages by the
  // batches it stored events in (observed: 13 to 15 events a page for 7 asked); the test server ignores the size.
  const fullPages = pages.slice(0, -1);
  expect({ pages: pages.length > 1, exact: fullPages.every((p) => p.length === 7) }).toEqual(
    perServer({ embedded: { pages: true, exact: true }, dev: { pages: true, exact: false }, 'time-skipping': { pages: false, exact: true } }),
  );
});

test('a fetched history replays cleanly; the same history against different code is a determinism violation', async () => {
  const taskQueue = h.taskQueue();
  const worker = await h.worker(taskQueue);
  const handle = await worker.runUntil(async () => {
    const handle = await h.client.workflow.start(manySteps, { taskQueue, workflowId: `wf-${taskQueue}`, args: [3] });
    await handle.result();
    return handle;
  });
  const history = await handle.fetchHistory();
  const workflowBundle = h.workflowBundle;
  await Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId);
  const { History } = temporal.api.history.v1;
  const tampered = History.decode(History.encode(history).finish());
  const started = tampered.events[0].workflowExecutionStartedEventAttributes!;
  // The tampered history names the other workflow type on the wire, as a recorded history would.
  started.workflowType = { name: 'manyTimers' };
  await expect(Worker.runReplayHistory({ workflowBundle }, tampered, handle.workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
});

describeWhere(
  SERVER_KIND !== 'time-skipping',
  'Temporal’s test server answers a waitNewEvent read without a page token only after about 20 s, with no events and no token, so a client cannot follow a run’s history that way',
)('following a running history', () => {
  test('waitNewEvent long-polls until the next event is written', async () => {
    const taskQueue = h.taskQueue();
    const worker = await h.worker(taskQueue);
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start(waitForGo, { taskQueue, workflowId: `wf-${taskQueue}` });
      await eventually(async () => (await historyOf(handle)).length >= 4);
      const first = await h.service.getWorkflowExecutionHistory({ namespace: h.namespace, execution: { workflowId: handle.workflowId }, waitNewEvent: true });
      const seen = first.history?.events?.length ?? 0;
      expect(first.nextPageToken?.length).toBeGreaterThan(0);
      const waiting = h.service.getWorkflowExecutionHistory({
        namespace: h.namespace,
        execution: { workflowId: handle.workflowId },
        waitNewEvent: true,
        nextPageToken: first.nextPageToken,
      });
      let answered = false;
      void waiting.then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false);
      await handle.signal(goSignal);
      const next = await waiting;
      expect(Number(next.history?.events?.[0].eventId)).toBe(seen + 1);
      expect(next.history?.events?.[0].eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      expect(await handle.result()).toBe('went');
    });
  });
});
