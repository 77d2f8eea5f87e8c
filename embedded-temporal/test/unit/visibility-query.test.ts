import {
  compareDefaultOrder,
  compileVisibilityQuery,
  countGroups,
  SearchAttributeRegistry,
  VisibilityQueryError,
  type VisibilityRecord,
} from '../../src/visibility';

const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const MIN = 60_000;

function rec(over: Partial<VisibilityRecord> & { runId: string }): VisibilityRecord {
  return {
    workflowId: `wf-${over.runId}`,
    workflowType: 'orderWorkflow',
    taskQueue: 'main',
    status: 'Running',
    startTime: T0,
    executionTime: T0,
    historyLength: 3,
    searchAttributes: {},
    ...over,
  };
}

const registry = new SearchAttributeRegistry();
registry.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
registry.add('Tags', 'INDEXED_VALUE_TYPE_KEYWORD_LIST');
registry.add('Priority', 'INDEXED_VALUE_TYPE_INT');
registry.add('Score', 'INDEXED_VALUE_TYPE_DOUBLE');
registry.add('Vip', 'INDEXED_VALUE_TYPE_BOOL');
registry.add('DueAt', 'INDEXED_VALUE_TYPE_DATETIME');
registry.add('Notes', 'INDEXED_VALUE_TYPE_TEXT');

const records: VisibilityRecord[] = [
  rec({
    runId: 'r1',
    workflowId: 'order-1',
    status: 'Running',
    startTime: T0,
    searchAttributes: { CustomerId: 'alice', Tags: ['vip', 'eu'], Priority: 1, Score: 0.5, Vip: true, DueAt: T0 + 60 * MIN, Notes: 'Refund requested for damaged parcel' },
  }),
  rec({
    runId: 'r2',
    workflowId: 'order-2',
    status: 'Completed',
    startTime: T0 + MIN,
    closeTime: T0 + 5 * MIN,
    executionDurationMs: 4 * MIN,
    historyLength: 11,
    searchAttributes: { CustomerId: 'bob', Tags: ['us'], Priority: 5, Score: 2.25, Vip: false, DueAt: T0 + 120 * MIN, Notes: 'Address change' },
  }),
  rec({
    runId: 'r3',
    workflowId: 'invoice-3',
    workflowType: 'invoiceWorkflow',
    taskQueue: 'billing',
    status: 'Failed',
    startTime: T0 + 2 * MIN,
    closeTime: T0 + 3 * MIN,
    executionDurationMs: 1 * MIN,
    searchAttributes: { CustomerId: "o'brien", Priority: 10 },
  }),
  rec({
    runId: 'r4',
    workflowId: 'order-4',
    status: 'Terminated',
    startTime: T0 + 3 * MIN,
    closeTime: T0 + 10 * MIN,
    executionDurationMs: 7 * MIN,
    parentWorkflowId: 'order-1',
    searchAttributes: { TemporalChangeVersion: ['fix-1'] },
  }),
  rec({ runId: 'r5', workflowId: 'order-5', status: 'ContinuedAsNew', startTime: T0 + 4 * MIN, closeTime: T0 + 4 * MIN + 500 }),
  rec({ runId: 'r6', workflowId: 'order-6', status: 'TimedOut', startTime: T0 - MIN, closeTime: T0 + 20 * MIN }),
  rec({ runId: 'r7', workflowId: 'order-7', status: 'Canceled', startTime: T0 - 2 * MIN, closeTime: T0 + MIN }),
];

function ids(query: string): string[] {
  const q = compileVisibilityQuery(query, registry);
  return records
    .filter(q)
    .map((r) => r.runId)
    .sort();
}

function expectQueryError(query: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    compileVisibilityQuery(query, registry);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(VisibilityQueryError);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

describe('visibility query: matching', () => {
  it('an empty or blank query matches every run', () => {
    expect(ids('')).toHaveLength(records.length);
    expect(ids('   \n\t ')).toHaveLength(records.length);
  });

  it('= and != on Keyword system attributes', () => {
    expect(ids("WorkflowId = 'order-2'")).toEqual(['r2']);
    expect(ids("WorkflowType = 'invoiceWorkflow'")).toEqual(['r3']);
    expect(ids("WorkflowType != 'orderWorkflow'")).toEqual(['r3']);
    expect(ids("TaskQueue = 'billing'")).toEqual(['r3']);
    expect(ids("RunId = 'r5'")).toEqual(['r5']);
    expect(ids('WorkflowId <> "order-1"')).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('keywords are case-insensitive, names and values are not', () => {
    expect(ids("WorkflowId = 'order-2' and ExecutionStatus = 'Completed'")).toEqual(['r2']);
    expect(ids("WorkflowId in ('order-1') Or WorkflowId = 'order-2'")).toEqual(['r1', 'r2']);
    expect(ids("not WorkflowId starts_with 'order' AND CloseTime is NOT null")).toEqual(['r3']);
    expect(ids("WorkflowId = 'ORDER-2'")).toEqual([]);
    expectQueryError("workflowId = 'order-2'", /not a valid search attribute/);
  });

  it('single and double quotes, doubled and backslash-escaped quotes', () => {
    expect(ids(`CustomerId = "alice"`)).toEqual(['r1']);
    expect(ids(`CustomerId = 'o''brien'`)).toEqual(['r3']);
    expect(ids(`CustomerId = 'o\\'brien'`)).toEqual(['r3']);
    expect(ids(`CustomerId = "o'brien"`)).toEqual(['r3']);
  });

  it('ExecutionStatus accepts short names, full enum names and enum numbers', () => {
    expect(ids("ExecutionStatus = 'Running'")).toEqual(['r1']);
    expect(ids("ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_COMPLETED'")).toEqual(['r2']);
    expect(ids('ExecutionStatus = 3')).toEqual(['r3']);
    expect(ids("ExecutionStatus != 'Running'")).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(ids("ExecutionStatus IN ('ContinuedAsNew', 'TimedOut', 'Canceled')")).toEqual(['r5', 'r6', 'r7']);
    expect(ids("ExecutionStatus = 'Terminated'")).toEqual(['r4']);
    expectQueryError("ExecutionStatus = 'running'", /invalid ExecutionStatus value/);
    expectQueryError("ExecutionStatus = 'Done'", /invalid ExecutionStatus value/);
  });

  it('IN and NOT IN', () => {
    expect(ids("WorkflowId IN ('order-1', 'order-2', 'nope')")).toEqual(['r1', 'r2']);
    expect(ids("CustomerId NOT IN ('alice', 'bob')")).toEqual(['r3']);
    expect(ids('Priority IN (1, 10)')).toEqual(['r1', 'r3']);
    expect(ids("WorkflowId IN ('order-1')")).toEqual(['r1']);
  });

  it('Int comparisons', () => {
    expect(ids('Priority > 1')).toEqual(['r2', 'r3']);
    expect(ids('Priority >= 5')).toEqual(['r2', 'r3']);
    expect(ids('Priority < 5')).toEqual(['r1']);
    expect(ids('Priority <= 5')).toEqual(['r1', 'r2']);
    expect(ids('Priority = 10')).toEqual(['r3']);
    expect(ids('Priority != 10')).toEqual(['r1', 'r2']);
    expect(ids('Priority > -1')).toEqual(['r1', 'r2', 'r3']);
    expect(ids('Priority > 4.5')).toEqual(['r2', 'r3']);
    expect(ids('HistoryLength > 10')).toEqual(['r2']);
  });

  it('Double comparisons', () => {
    expect(ids('Score > 1')).toEqual(['r2']);
    expect(ids('Score = 0.5')).toEqual(['r1']);
    expect(ids('Score <= .5')).toEqual(['r1']);
    expect(ids('Score BETWEEN 2 AND 2.25')).toEqual(['r2']);
    expect(ids('Score < 2.5e0')).toEqual(['r1', 'r2']);
  });

  it('Bool', () => {
    expect(ids('Vip = true')).toEqual(['r1']);
    expect(ids('Vip = FALSE')).toEqual(['r2']);
    expect(ids('Vip != true')).toEqual(['r2']);
    expectQueryError("Vip = 'true'", /invalid value type for search attribute Vip of type Bool/);
    expectQueryError('Vip = 1', /invalid value type/);
  });

  it('Datetime takes RFC 3339 strings (any offset, fractions) and epoch nanoseconds', () => {
    expect(ids("StartTime > '2024-03-01T10:02:00Z'")).toEqual(['r4', 'r5']);
    expect(ids("StartTime >= '2024-03-01T10:02:00Z'")).toEqual(['r3', 'r4', 'r5']);
    expect(ids("StartTime = '2024-03-01T11:02:00+01:00'")).toEqual(['r3']);
    expect(ids("StartTime < '2024-03-01T10:00:00.000000001Z'")).toEqual(['r1', 'r6', 'r7']);
    expect(ids("StartTime <= '2024-03-01T09:59:59.999999999Z'")).toEqual(['r6', 'r7']);
    expect(ids(`StartTime = ${BigInt(T0) * 1_000_000n}`)).toEqual(['r1']);
    expect(ids("CloseTime < '2024-03-01T10:04:00Z'")).toEqual(['r3', 'r7']);
    expect(ids("DueAt > '2024-03-01T11:30:00Z'")).toEqual(['r2']);
    expect(ids("ExecutionTime BETWEEN '2024-03-01T10:01:00Z' AND '2024-03-01T10:03:00Z'")).toEqual([]);
    expect(ids("StartTime BETWEEN '2024-03-01T10:01:00Z' AND '2024-03-01T10:03:00Z'")).toEqual(['r2', 'r3', 'r4']);
    expect(ids("StartTime NOT BETWEEN '2024-03-01T10:01:00Z' AND '2024-03-01T10:03:00Z'")).toEqual(['r1', 'r5', 'r6', 'r7']);
    expectQueryError("StartTime > '2024-03-01'", /unable to parse datetime/);
    expectQueryError("StartTime > '2024-02-30T00:00:00Z'", /unable to parse datetime/);
    expectQueryError("StartTime > 'yesterday'", /unable to parse datetime/);
    expectQueryError('StartTime > 1.5', /invalid value type/);
  });

  it('CloseTime IS NULL finds open runs; IS NOT NULL closed ones', () => {
    expect(ids('CloseTime IS NULL')).toEqual(['r1']);
    expect(ids('CloseTime is not null')).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(ids('ParentWorkflowId IS NOT NULL')).toEqual(['r4']);
    expect(ids('CustomerId IS NULL')).toEqual(['r4', 'r5', 'r6', 'r7']);
    expectQueryError('CloseTime IS 5', /IS NULL/);
  });

  it('a comparison with a missing attribute is unknown, so != and NOT do not match it (SQL semantics)', () => {
    expect(ids("CustomerId != 'alice'")).toEqual(['r2', 'r3']);
    expect(ids("NOT CustomerId = 'alice'")).toEqual(['r2', 'r3']);
    expect(ids("NOT (CustomerId = 'alice' AND Priority = 1)")).toEqual(['r2', 'r3']);
    // Unknown OR true is true; unknown AND false is false.
    expect(ids("CustomerId = 'alice' OR WorkflowId = 'order-5'")).toEqual(['r1', 'r5']);
    expect(ids("NOT (CustomerId = 'zed' AND WorkflowId = 'nope')")).toEqual(records.map((r) => r.runId).sort());
    expect(ids("CustomerId = 'alice' OR CustomerId IS NULL")).toEqual(['r1', 'r4', 'r5', 'r6', 'r7']);
  });

  it('KeywordList: = means contains, IN means contains any', () => {
    expect(ids("Tags = 'vip'")).toEqual(['r1']);
    expect(ids("Tags = 'eu'")).toEqual(['r1']);
    expect(ids("Tags != 'vip'")).toEqual(['r2']);
    expect(ids("Tags IN ('us', 'eu')")).toEqual(['r1', 'r2']);
    expect(ids("Tags NOT IN ('us')")).toEqual(['r1']);
    expect(ids("TemporalChangeVersion = 'fix-1'")).toEqual(['r4']);
    expect(ids("ChangeVersion = 'fix-1'")).toEqual(['r4']);
    expectQueryError("Tags > 'a'", /operator '>' is not supported for search attribute Tags of type KeywordList/);
    expectQueryError("Tags STARTS_WITH 'v'", /not supported/);
  });

  it('STARTS_WITH and NOT STARTS_WITH on Keyword', () => {
    expect(ids("WorkflowId STARTS_WITH 'order-'")).toEqual(['r1', 'r2', 'r4', 'r5', 'r6', 'r7']);
    expect(ids("WorkflowId NOT STARTS_WITH 'order-'")).toEqual(['r3']);
    expect(ids("CustomerId STARTS_WITH 'o'''")).toEqual(['r3']);
    expectQueryError("Notes STARTS_WITH 'Ref'", /not supported/);
  });

  it('Keyword range comparisons are lexicographic', () => {
    expect(ids("CustomerId > 'alice'")).toEqual(['r2', 'r3']);
    expect(ids("WorkflowId BETWEEN 'order-2' AND 'order-5'")).toEqual(['r2', 'r4', 'r5']);
  });

  it('Text: = matches when every word occurs, case-insensitively; only = and != are allowed', () => {
    expect(ids("Notes = 'refund'")).toEqual(['r1']);
    expect(ids("Notes = 'PARCEL damaged'")).toEqual(['r1']);
    expect(ids("Notes = 'refund address'")).toEqual([]);
    expect(ids("Notes != 'refund'")).toEqual(['r2']);
    expectQueryError("Notes > 'a'", /not supported for search attribute Notes of type Text/);
    expectQueryError("Notes IN ('a')", /not supported/);
  });

  it('ExecutionDuration takes nanoseconds or duration strings', () => {
    expect(ids("ExecutionDuration > '2m'")).toEqual(['r2', 'r4']);
    expect(ids("ExecutionDuration >= '4m'")).toEqual(['r2', 'r4']);
    expect(ids("ExecutionDuration < '00:02:00'")).toEqual(['r3']);
    expect(ids(`ExecutionDuration = ${60n * 1_000_000_000n}`)).toEqual(['r3']);
    expect(ids("ExecutionDuration BETWEEN '1m' AND '4m'")).toEqual(['r2', 'r3']);
    expect(ids("ExecutionDuration > '1.5m'")).toEqual(['r2', 'r4']);
    expectQueryError("ExecutionDuration > 'long'", /invalid duration value/);
  });

  it('AND binds tighter than OR; parentheses override', () => {
    expect(ids("WorkflowId = 'order-1' OR WorkflowId = 'order-2' AND ExecutionStatus = 'Running'")).toEqual(['r1']);
    expect(ids("(WorkflowId = 'order-1' OR WorkflowId = 'order-2') AND ExecutionStatus = 'Completed'")).toEqual(['r2']);
    expect(ids("WorkflowId = 'order-2' AND ExecutionStatus = 'Running' OR WorkflowId = 'order-5'")).toEqual(['r5']);
    expect(ids("((WorkflowId = 'order-1'))")).toEqual(['r1']);
  });

  it('NOT binds tighter than AND', () => {
    expect(ids("NOT ExecutionStatus = 'Running' AND WorkflowType = 'orderWorkflow'")).toEqual(['r2', 'r4', 'r5', 'r6', 'r7']);
    expect(ids("NOT (ExecutionStatus = 'Running' OR WorkflowType = 'orderWorkflow')")).toEqual(['r3']);
    expect(ids("NOT NOT WorkflowId = 'order-1'")).toEqual(['r1']);
  });

  it('dev-server custom attributes are pre-registered', () => {
    const r = rec({ runId: 'x', searchAttributes: { CustomKeywordField: 'k', CustomIntField: 7, CustomBoolField: true, CustomDatetimeField: T0 } });
    const match = (q: string) => compileVisibilityQuery(q, registry)(r);
    expect(match("CustomKeywordField = 'k'")).toBe(true);
    expect(match('CustomIntField > 6')).toBe(true);
    expect(match('CustomBoolField = true')).toBe(true);
    expect(match("CustomDatetimeField = '2024-03-01T10:00:00Z'")).toBe(true);
    expect(match("CustomStringField = 'k'")).toBe(false);
  });

  it('backtick-quoted names', () => {
    expect(ids("`CustomerId` = 'bob'")).toEqual(['r2']);
    const reg = new SearchAttributeRegistry();
    reg.add('team-name', 'INDEXED_VALUE_TYPE_KEYWORD');
    const q = compileVisibilityQuery("`team-name` = 'red'", reg);
    expect(q(rec({ runId: 'x', searchAttributes: { 'team-name': 'red' } }))).toBe(true);
    expect(q(rec({ runId: 'y', searchAttributes: { 'team-name': 'blue' } }))).toBe(false);
  });

  it('a long chain of ORs evaluates without deep recursion', () => {
    const q = Array.from({ length: 2500 }, (_, i) => `WorkflowId = 'w${i}'`).join(' OR ');
    const compiled = compileVisibilityQuery(q, registry);
    expect(compiled(rec({ runId: 'a', workflowId: 'w2499' }))).toBe(true);
    expect(compiled(rec({ runId: 'b', workflowId: 'w2500' }))).toBe(false);
  });
});

describe('visibility query: errors', () => {
  it.each([
    ["WorkflowId = 'a' AND", /unexpected end of query/],
    ["WorkflowId 'a'", /expected an operator after WorkflowId/],
    ["(WorkflowId = 'a'", /expected '\)'/],
    ["WorkflowId = 'a')", /unexpected '\)'/],
    ["WorkflowId = 'abc", /unterminated string/],
    ['WorkflowId = pending', /did you forget to quote 'pending'/],
    ['WorkflowId = order', /did you forget to quote 'order'/],
    ["WorkflowId == 'a'", /expected a value/],
    ["WorkflowId = 'a' WorkflowType = 'b'", /unexpected name WorkflowType/],
    ["WorkflowId LIKE 'a%'", /'LIKE' is not supported/],
    ["WorkflowId = 'a' LIMIT 5", /'LIMIT' is not supported/],
    ["WHERE WorkflowId = 'a'", /full SQL statement/],
    ["SELECT * FROM executions WHERE WorkflowId = 'a'", /unexpected character "\*"/],
    ['()', /empty parentheses/],
    ["WorkflowId IN ()", /expected a value/],
    ["WorkflowId = 'a' ; DROP TABLE x", /unexpected character ";"/],
    ["WorkflowId = 'a' AND AND WorkflowType = 'b'", /expected a search attribute name/],
    ['`unterminated = 5', /unterminated backtick/],
    ['Priority = 5x', /malformed number/],
    ["Priority BETWEEN 1 OR 5", /expected AND/],
  ])('%s', (query, pattern) => expectQueryError(query, pattern));

  it('an unknown attribute is an error, not an empty result', () => {
    expectQueryError("NoSuchAttribute = 'x'", /column name 'NoSuchAttribute' is not a valid search attribute/);
    expectQueryError('NoSuchAttribute IS NULL', /not a valid search attribute/);
    expectQueryError("WorkflowId = 'a' ORDER BY Nope", /not a valid search attribute/);
  });

  it('literal type mismatches are errors', () => {
    expectQueryError('WorkflowId = 5', /invalid value type for search attribute WorkflowId of type Keyword: 5/);
    expectQueryError("Priority = '5'", /invalid value type for search attribute Priority of type Int/);
    expectQueryError("Score > 'high'", /of type Double/);
    expectQueryError('Tags = 1', /of type KeywordList/);
    expectQueryError("Priority IN (1, 'two')", /of type Int/);
  });

  it('operator/type combinations the real server refuses', () => {
    expectQueryError('Vip BETWEEN true AND false', /'BETWEEN' is not supported for search attribute Vip of type Bool/);
    expectQueryError("Priority STARTS_WITH '1'", /'STARTS_WITH' is not supported/);
  });

  it('over-deep nesting is refused rather than overflowing the stack', () => {
    expectQueryError(`${'('.repeat(1000)}WorkflowId = 'a'${')'.repeat(1000)}`, /nested more than/);
    expectQueryError(`${'NOT '.repeat(1000)}WorkflowId = 'a'`, /nested more than/);
  });

  it('errors carry the class, not just a message', () => {
    try {
      compileVisibilityQuery('Nope = 1', registry);
      throw new Error('expected a VisibilityQueryError');
    } catch (err) {
      expect(err).toBeInstanceOf(VisibilityQueryError);
      expect((err as Error).name).toBe('VisibilityQueryError');
    }
  });
});

describe('visibility query: ordering and grouping', () => {
  it('default order: open first, then close time desc, start time desc, run id', () => {
    const sorted = [...records].sort(compareDefaultOrder).map((r) => r.runId);
    expect(sorted).toEqual(['r1', 'r6', 'r4', 'r2', 'r5', 'r3', 'r7']);
    const a = rec({ runId: 'b', startTime: T0 });
    const b = rec({ runId: 'a', startTime: T0 });
    const c = rec({ runId: 'c', startTime: T0 + 1 });
    expect([a, b, c].sort(compareDefaultOrder).map((r) => r.runId)).toEqual(['c', 'a', 'b']);
  });

  it('compare() without ORDER BY is the default order', () => {
    const q = compileVisibilityQuery("WorkflowType = 'orderWorkflow'", registry);
    expect(q.orderBy).toEqual([]);
    expect(records.filter(q).sort(q.compare).map((r) => r.runId)).toEqual(['r1', 'r6', 'r4', 'r2', 'r5', 'r7']);
  });

  it('ORDER BY (extension) sorts by the given columns, missing values last', () => {
    const q = compileVisibilityQuery("WorkflowType = 'orderWorkflow' ORDER BY StartTime ASC", registry);
    expect(q.orderBy).toEqual([{ attribute: 'StartTime', descending: false }]);
    expect(records.filter(q).sort(q.compare).map((r) => r.runId)).toEqual(['r7', 'r6', 'r1', 'r2', 'r4', 'r5']);
    const byClose = compileVisibilityQuery('order by CloseTime desc', registry);
    expect([...records].sort(byClose.compare).map((r) => r.runId)).toEqual(['r6', 'r4', 'r2', 'r5', 'r3', 'r7', 'r1']);
    const multi = compileVisibilityQuery('ORDER BY WorkflowType DESC, Priority', registry);
    expect([...records].sort(multi.compare).map((r) => r.runId).slice(0, 3)).toEqual(['r1', 'r2', 'r6']);
    expectQueryError('ORDER BY Notes', /not sortable/);
    expectQueryError('ORDER BY Tags', /not sortable/);
  });

  it('GROUP BY ExecutionStatus is parsed and counted; other fields are refused', () => {
    const q = compileVisibilityQuery("WorkflowType = 'orderWorkflow' GROUP BY ExecutionStatus", registry);
    expect(q.groupBy).toBe('ExecutionStatus');
    const { count, groups } = countGroups(records, q);
    expect(count).toBe(6);
    const decoded = groups.map((g) => [JSON.parse(g.groupValues[0].data.toString()), g.groupValues[0].metadata.type.toString(), g.count]);
    expect(decoded).toHaveLength(6);
    expect(decoded).toContainEqual(['Running', 'Keyword', 1]);
    expect(decoded).toContainEqual(['Completed', 'Keyword', 1]);
    expect(compileVisibilityQuery('GROUP BY ExecutionStatus', registry).groupBy).toBe('ExecutionStatus');
    expect(compileVisibilityQuery("WorkflowId = 'a'", registry).groupBy).toBeUndefined();
    expectQueryError('GROUP BY WorkflowType', /'GROUP BY' clause is not supported for search attribute WorkflowType/);
    expectQueryError('GROUP BY ExecutionStatus, WorkflowType', /single field/);
    expectQueryError('ORDER BY StartTime GROUP BY ExecutionStatus', /before 'ORDER BY'/);
  });
});
