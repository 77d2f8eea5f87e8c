/**
 * Visibility conformance, driven by the real SDK: search attributes
 * registered through OperatorService and upserted by workflows, typed values
 * round-tripping, List/Count queries with paging, Describe with memo.
 *
 * Runs on the embedded server, or on a real Temporal when TEMPORAL_ADDRESS is
 * set (visibility there is eventually consistent, hence `eventually`).
 * ORDER BY is deliberately not used: the dev server rejects it.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Client, Connection, WorkflowFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../src';
import {
  visFailingWorkflow,
  visFinishSignal,
  visKeys,
  visReupsertWorkflow,
  visTaggedWorkflow,
  visUnregisteredUpsertWorkflow,
  type VisAttributes,
} from './workflows/vis-workflows';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
const run = randomUUID().slice(0, 8);
const taskQueue = `vis-${run}`;
const id = (name: string) => `vis-${run}-${name}`;

let server: EmbeddedTemporal | undefined;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;

/** Retries an assertion for a bounded time: a real server's visibility store lags behind. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function listIds(query: string, pageSize?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND (${query})`, pageSize })) out.push(wf.workflowId);
  return out.sort();
}

async function expectList(query: string, names: string[]): Promise<void> {
  const expected = names.map(id).sort();
  await eventually(async () => {
    expect(await listIds(query)).toEqual(expected);
    const { count } = await client.workflow.count(`TaskQueue = '${taskQueue}' AND (${query})`);
    expect(count).toBe(expected.length);
  });
}

const dueAt = '2030-01-02T03:04:05.678Z';
const seeded: Record<string, { attrs: VisAttributes; open: boolean }> = {
  alice: { attrs: { customerId: 'alice', priority: 1, score: 0.5, vip: true, dueAt, tags: ['vip', 'eu'], notes: 'refund requested for parcel' }, open: true },
  bob: { attrs: { customerId: 'bob', priority: 5, score: 2.5, vip: false, tags: ['us'] }, open: false },
  carol: { attrs: { customerId: 'carol', priority: 10 }, open: false },
  dave: { attrs: { customerId: 'dave' }, open: true },
};
let beforeStartIso: string;

beforeAll(async () => {
  const address = process.env.TEMPORAL_ADDRESS ?? (server = await startEmbeddedTemporal({ port: 0 })).address;
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection, namespace: NAMESPACE });

  await connection.operatorService.addSearchAttributes({
    namespace: NAMESPACE,
    searchAttributes: {
      VisCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      VisPriority: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      VisScore: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
      VisVip: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
      VisDueAt: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      VisTags: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      VisNotes: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    },
  });

  worker = await Worker.create({
    connection: nativeConnection,
    namespace: NAMESPACE,
    taskQueue,
    workflowsPath: require.resolve('./workflows/vis-workflows'),
  });
  workerRun = worker.run();

  // Server time, not this process's: the records' StartTime comes from the server clock.
  beforeStartIso = new Date((server ? server.clock.now() : Date.now()) - 1000).toISOString();
  for (const [name, { attrs, open }] of Object.entries(seeded)) {
    await client.workflow.start(visTaggedWorkflow, { taskQueue, workflowId: id(name), args: [attrs, open] });
  }
  await client.workflow.start(visFailingWorkflow, { taskQueue, workflowId: id('erin') });

  await client.workflow.getHandle(id('bob')).result();
  await client.workflow.getHandle(id('carol')).result();
  await expect(client.workflow.getHandle(id('erin')).result()).rejects.toBeInstanceOf(WorkflowFailedError);
  // The open runs have upserted once their first workflow task completed.
  for (const name of ['alice', 'dave']) {
    await eventually(async () => {
      const d = await client.workflow.getHandle(id(name)).describe();
      expect(d.typedSearchAttributes.get(visKeys.customerId)).toBe(name);
    });
  }
  await client.workflow.getHandle(id('dave')).terminate('visibility test');
}, 120_000);

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await nativeConnection?.close();
  await connection?.close();
  await server?.stop();
});

describe('search attribute registration', () => {
  it('ListSearchAttributes shows the registered customs with their types, and the system attributes', async () => {
    const { customAttributes, systemAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    expect(customAttributes).toMatchObject({
      VisCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      VisPriority: IndexedValueType.INDEXED_VALUE_TYPE_INT,
      VisScore: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
      VisVip: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
      VisDueAt: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      VisTags: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
      VisNotes: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    });
    expect(systemAttributes).toMatchObject({
      WorkflowId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      WorkflowType: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ExecutionStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      StartTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      CloseTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    });
    expect(customAttributes!.WorkflowId).toBeUndefined();
  });

  it('adding an existing attribute with the same type is a no-op; another type is refused', async () => {
    await connection.operatorService.addSearchAttributes({
      namespace: NAMESPACE,
      searchAttributes: { VisCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
    await expect(
      connection.operatorService.addSearchAttributes({
        namespace: NAMESPACE,
        searchAttributes: { VisCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_INT },
      }),
    ).rejects.toMatchObject({ code: grpcStatus.INVALID_ARGUMENT });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    expect(customAttributes!.VisCustomerId).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });
});

describe('ListWorkflowExecutions and CountWorkflowExecutions', () => {
  it('all runs of this test', async () => {
    await expectList('ExecutionStatus IS NOT NULL', ['alice', 'bob', 'carol', 'dave', 'erin']);
  });

  it('ExecutionStatus = and !=', async () => {
    await expectList("ExecutionStatus = 'Running'", ['alice']);
    await expectList("ExecutionStatus = 'Completed'", ['bob', 'carol']);
    await expectList("ExecutionStatus = 'Failed'", ['erin']);
    await expectList("ExecutionStatus = 'Terminated'", ['dave']);
    await expectList("ExecutionStatus != 'Running'", ['bob', 'carol', 'dave', 'erin']);
  });

  it('WorkflowType and WorkflowId, with = and IN', async () => {
    await expectList(`WorkflowType = '${visFailingWorkflow.name}'`, ['erin']);
    await expectList(`WorkflowType != '${visFailingWorkflow.name}'`, ['alice', 'bob', 'carol', 'dave']);
    await expectList(`WorkflowId = '${id('bob')}'`, ['bob']);
    await expectList(`WorkflowId IN ('${id('bob')}', '${id('carol')}', 'vis-nobody')`, ['bob', 'carol']);
  });

  it('custom attributes of every type', async () => {
    await expectList("VisCustomerId = 'alice'", ['alice']);
    await expectList("VisCustomerId IN ('bob', 'carol')", ['bob', 'carol']);
    await expectList('VisPriority >= 5', ['bob', 'carol']);
    await expectList('VisPriority < 5', ['alice']);
    await expectList('VisPriority > 1 AND VisPriority <= 10', ['bob', 'carol']);
    await expectList('VisScore > 1.0', ['bob']);
    await expectList('VisVip = true', ['alice']);
    await expectList('VisVip = false', ['bob']);
    await expectList("VisTags = 'eu'", ['alice']);
    await expectList(`VisDueAt > '2030-01-01T00:00:00Z'`, ['alice']);
    await expectList(`VisDueAt = '${dueAt}'`, ['alice']);
  });

  it('AND, OR and parentheses', async () => {
    await expectList("(VisCustomerId = 'alice' OR VisCustomerId = 'bob') AND ExecutionStatus = 'Completed'", ['bob']);
    // AND binds tighter than OR.
    await expectList("VisCustomerId = 'alice' OR VisCustomerId = 'bob' AND ExecutionStatus = 'Completed'", ['alice', 'bob']);
    await expectList("ExecutionStatus = 'Failed' OR (VisPriority > 4 AND VisVip = false)", ['bob', 'erin']);
  });

  it('StartTime and CloseTime', async () => {
    await expectList(`StartTime >= '${beforeStartIso}'`, ['alice', 'bob', 'carol', 'dave', 'erin']);
    await expectList(`StartTime < '${beforeStartIso}'`, []);
    await expectList(`CloseTime >= '${beforeStartIso}'`, ['bob', 'carol', 'dave', 'erin']);
  });

  it('pages through results with the page size and token', async () => {
    const query = `TaskQueue = '${taskQueue}'`;
    await eventually(async () => {
      const pages: string[][] = [];
      let nextPageToken: Uint8Array | undefined;
      for (let i = 0; i < 10; i++) {
        const res = await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query, pageSize: 2, nextPageToken });
        pages.push((res.executions ?? []).map((e) => e.execution!.workflowId!));
        nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
        if (!nextPageToken) break;
      }
      expect(pages.map((p) => p.length).slice(0, 2)).toEqual([2, 2]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].map(id).sort());
    });
    // And the SDK's iterator follows the tokens itself.
    expect(await listIds('ExecutionStatus IS NOT NULL', 2)).toHaveLength(5);
  });

  it('an unregistered attribute or a malformed query is INVALID_ARGUMENT', async () => {
    await expect(client.workflow.count("VisNeverRegistered = 'x'")).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
    await expect(listIds("VisNeverRegistered = 'x'")).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
    await expect(client.workflow.count("WorkflowId = 'a' AND")).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
    await expect(client.workflow.count("VisPriority = 'high'")).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
  });

  it('GROUP BY is for Count only: List refuses it with INVALID_ARGUMENT', async () => {
    const grouped = `TaskQueue = '${taskQueue}' GROUP BY ExecutionStatus`;
    const listed = async () => {
      for await (const wf of client.workflow.list({ query: grouped })) void wf;
    };
    await expect(listed()).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
    await expect(
      connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query: grouped }),
    ).rejects.toMatchObject({ code: grpcStatus.INVALID_ARGUMENT, details: expect.stringMatching(/GROUP BY/) });
    // The same query counts fine.
    await eventually(async () => expect((await client.workflow.count(grouped)).count).toBe(5));
  });

  it('list entries carry type, status, times and typed search attributes', async () => {
    const found: WorkflowExecutionInfo[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${id('bob')}'` })) found.push(wf);
    expect(found).toHaveLength(1);
    const [bob] = found;
    expect(bob.type).toBe(visTaggedWorkflow.name);
    expect(bob.taskQueue).toBe(taskQueue);
    expect(bob.status.name).toBe('COMPLETED');
    expect(bob.closeTime!.getTime()).toBeGreaterThanOrEqual(bob.startTime.getTime());
    expect(bob.typedSearchAttributes.get(visKeys.priority)).toBe(5);
    expect(bob.typedSearchAttributes.get(visKeys.tags)).toEqual(['us']);
  });
});

describe('DescribeWorkflowExecution', () => {
  it('returns memo and every typed search attribute as upserted', async () => {
    const d = await client.workflow.getHandle(id('alice')).describe();
    expect(d.status.name).toBe('RUNNING');
    expect(d.memo).toEqual({ note: 'memo for alice' });
    const sa = d.typedSearchAttributes;
    expect(sa.get(visKeys.customerId)).toBe('alice');
    expect(sa.get(visKeys.priority)).toBe(1);
    expect(sa.get(visKeys.score)).toBe(0.5);
    expect(sa.get(visKeys.vip)).toBe(true);
    expect(sa.get(visKeys.dueAt)).toEqual(new Date(dueAt));
    expect(sa.get(visKeys.tags)).toEqual(['vip', 'eu']);
    expect(sa.get(visKeys.notes)).toBe('refund requested for parcel');
  });

  it('search attributes given at start are visible at once', async () => {
    const handle = await client.workflow.start(visTaggedWorkflow, {
      taskQueue,
      workflowId: id('frank'),
      args: [{}, false],
      typedSearchAttributes: [
        { key: visKeys.customerId, value: 'frank' },
        { key: visKeys.priority, value: 7 },
      ],
      memo: { origin: 'start' },
    });
    await handle.result();
    const d = await handle.describe();
    expect(d.typedSearchAttributes.get(visKeys.customerId)).toBe('frank');
    expect(d.typedSearchAttributes.get(visKeys.priority)).toBe(7);
    // upsertMemo merges into the memo given at start.
    expect(d.memo).toEqual({ origin: 'start', note: 'memo for nobody' });
    await expectList("VisCustomerId = 'frank' AND VisPriority = 7", ['frank']);
  });

  it('a later upsert replaces a value, and null removes it', async () => {
    const handle = await client.workflow.start(visReupsertWorkflow, { taskQueue, workflowId: id('gina') });
    await handle.result();
    const d = await handle.describe();
    expect(d.typedSearchAttributes.get(visKeys.customerId)).toBe('second');
    expect(d.typedSearchAttributes.get(visKeys.priority)).toBeUndefined();
    await expectList("VisCustomerId = 'second'", ['gina']);
    await expectList("VisCustomerId = 'first'", []);
  });
});

describe('unregistered search attributes', () => {
  it('are refused at start with INVALID_ARGUMENT', async () => {
    await expect(
      client.workflow.start(visTaggedWorkflow, {
        taskQueue,
        workflowId: id('unregistered-start'),
        args: [{}, false],
        searchAttributes: { VisNeverRegistered: ['x'] },
      }),
    ).rejects.toMatchObject({ cause: { code: grpcStatus.INVALID_ARGUMENT } });
  });

  it('fail the workflow task that upserts them (BAD_SEARCH_ATTRIBUTES) and leave the run open', async () => {
    const handle = await client.workflow.start(visUnregisteredUpsertWorkflow, { taskQueue, workflowId: id('unregistered-upsert') });
    try {
      await eventually(async () => {
        const history = await handle.fetchHistory();
        const failed = history.events!.find((e) => e.workflowTaskFailedEventAttributes);
        expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(
          temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
        );
      });
      expect((await handle.describe()).status.name).toBe('RUNNING');
    } finally {
      await handle.terminate('cleanup');
    }
  });
});

it('the open run can still be finished by signal', async () => {
  const handle = client.workflow.getHandle(id('alice'));
  await handle.signal(visFinishSignal);
  expect(await handle.result()).toBe('alice');
  await expectList("ExecutionStatus = 'Running'", []);
});
