/**
 * Visibility conformance, driven by the real SDK: search attributes
 * registered through OperatorService and upserted by workflows, typed values
 * round-tripping, List/Count queries with paging, Describe with memo.
 *
 * Runs on every server (./support/servers.ts); a real server's visibility is
 * eventually consistent, hence `eventually`. Temporal's test server has no
 * List/Count and no ListSearchAttributes: there the listing tests are
 * declared as not applying, and the list checks inside the Describe tests
 * expect UNIMPLEMENTED. ORDER BY is deliberately not used: the dev server
 * rejects it.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Client, Connection, WorkflowFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describeWhere, perServer, serverFeatures, startConformanceServer, type ConformanceServer } from './support/servers';
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
const features = serverFeatures();
const NO_VISIBILITY = 'Temporal’s test server has no ListWorkflowExecutions/CountWorkflowExecutions';
let NAMESPACE: string;
const run = randomUUID().slice(0, 8);
const taskQueue = `vis-${run}`;
const id = (name: string) => `vis-${run}-${name}`;

let server: ConformanceServer | undefined;
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

/** The runs List and Count find; where the server has neither (Temporal's test server), that both are UNIMPLEMENTED. */
async function expectList(query: string, names: string[]): Promise<void> {
  if (!features.visibility) {
    await expect(listIds(query)).rejects.toMatchObject({ cause: { code: grpcStatus.UNIMPLEMENTED } });
    await expect(client.workflow.count(`TaskQueue = '${taskQueue}' AND (${query})`)).rejects.toMatchObject({ cause: { code: grpcStatus.UNIMPLEMENTED } });
    return;
  }
  const expected = names.map(id).sort();
  await eventually(async () => {
    expect(await listIds(query)).toEqual(expected);
    const { count } = await client.workflow.count(`TaskQueue = '${taskQueue}' AND (${query})`);
    expect(count).toBe(expected.length);
  });
}

const VIS_ATTRIBUTES = {
  VisCustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  VisPriority: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  VisScore: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  VisVip: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  VisDueAt: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  VisTags: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  VisNotes: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
};

const dueAt = '2030-01-02T03:04:05.678Z';
const seeded: Record<string, { attrs: VisAttributes; open: boolean }> = {
  alice: { attrs: { customerId: 'alice', priority: 1, score: 0.5, vip: true, dueAt, tags: ['vip', 'eu'], notes: 'refund requested for parcel' }, open: true },
  bob: { attrs: { customerId: 'bob', priority: 5, score: 2.5, vip: false, tags: ['us'] }, open: false },
  carol: { attrs: { customerId: 'carol', priority: 10 }, open: false },
  dave: { attrs: { customerId: 'dave' }, open: true },
};
let beforeStartIso: string;

beforeAll(async () => {
  server = await startConformanceServer();
  NAMESPACE = server.namespace;
  const { address } = server;
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection, namespace: NAMESPACE });

  await connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: VIS_ATTRIBUTES });

  worker = await Worker.create({
    connection: nativeConnection,
    namespace: NAMESPACE,
    taskQueue,
    workflowsPath: require.resolve('./workflows/vis-workflows'),
  });
  workerRun = worker.run();

  // Server time, not this process's: the records' StartTime comes from the server clock.
  beforeStartIso = new Date((server.embedded ? server.embedded.clock.now() : Date.now()) - 1000).toISOString();
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

describeWhere(features.listSearchAttributes, 'Temporal’s test server has no ListSearchAttributes')('search attribute registration', () => {
  it('ListSearchAttributes shows the registered customs with their types, and the system attributes', async () => {
    const { customAttributes, systemAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    expect(customAttributes).toMatchObject(VIS_ATTRIBUTES);
    expect(systemAttributes).toMatchObject({
      WorkflowId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      WorkflowType: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ExecutionStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      StartTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      CloseTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    });
    expect(customAttributes!.WorkflowId).toBeUndefined();
  });
});

it('adding an attribute that exists changes nothing, whatever type the call names', async () => {
  const add = (type: temporal.api.enums.v1.IndexedValueType) =>
    connection.operatorService.addSearchAttributes({ namespace: NAMESPACE, searchAttributes: { VisCustomerId: type } }).then(
      () => 'accepted',
      (err: { code?: number }) => err.code,
    );
  expect({ sameType: await add(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD), otherType: await add(IndexedValueType.INDEXED_VALUE_TYPE_INT) }).toEqual(
    perServer({
      // Temporal's dev server (SQL visibility) skips a name it has, with a warning in its log, and answers success.
      embedded: { sameType: 'accepted', otherType: 'accepted' },
      dev: { sameType: 'accepted', otherType: 'accepted' },
      // Temporal's test server refuses any name it has.
      'time-skipping': { sameType: grpcStatus.ALREADY_EXISTS, otherType: grpcStatus.ALREADY_EXISTS },
    }),
  );
  // The attribute kept its type: alice's keyword value still reads back as a keyword, and it still matches.
  const d = await client.workflow.getHandle(id('alice')).describe();
  expect(d.typedSearchAttributes.get(visKeys.customerId)).toBe('alice');
  await expectList("VisCustomerId = 'alice'", ['alice']);
});

describeWhere(features.listSearchAttributes, 'Temporal’s test server has no ListSearchAttributes')('search attribute types after a conflicting registration', () => {
  it('ListSearchAttributes still names the first type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    expect(customAttributes!.VisCustomerId).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });
});

describeWhere(features.visibility, NO_VISIBILITY)('ListWorkflowExecutions and CountWorkflowExecutions', () => {
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

  it('GROUP BY ExecutionStatus groups a Count; List ignores it; any other field is refused', async () => {
    const grouped = `TaskQueue = '${taskQueue}' GROUP BY ExecutionStatus`;
    await eventually(async () => {
      const { count, groups } = await client.workflow.count(grouped);
      expect(count).toBe(5);
      const byStatus = Object.fromEntries(groups.map((g) => [String(g.groupValues[0]), g.count]));
      expect(byStatus).toEqual({ Running: 1, Completed: 2, Failed: 1, Terminated: 1 });
    });
    // Temporal's dev server (1.32) lists the runs as if the clause were not there.
    const listed = await connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query: grouped });
    expect((listed.executions ?? []).map((e) => e.execution!.workflowId!).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].map(id).sort());
    const byType = `TaskQueue = '${taskQueue}' GROUP BY WorkflowType`;
    const refused = { code: grpcStatus.INVALID_ARGUMENT, details: expect.stringMatching(/'GROUP BY' clause is not supported for search attribute WorkflowType/) };
    await expect(connection.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query: byType })).rejects.toMatchObject(refused);
    await expect(connection.workflowService.countWorkflowExecutions({ namespace: NAMESPACE, query: byType })).rejects.toMatchObject(refused);
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
