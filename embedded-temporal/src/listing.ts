/**
 * ListWorkflowExecutions / CountWorkflowExecutions over every run of a
 * namespace (closed runs are kept for the life of the server). The query
 * language and the search attribute codecs are in visibility/.
 */
import type { WireObject } from './host';
import type { Namespace } from './namespace';
import { executionInfo } from './reads';
import type { WorkflowRun } from './run';
import { compileVisibilityQuery, countGroups, type ExecutionStatusName, type VisibilityRecord } from './visibility';
import type { WorkflowExecutionStatus } from './wire';

const STATUS_NAME: Partial<Record<WorkflowExecutionStatus, ExecutionStatusName>> = {
  WORKFLOW_EXECUTION_STATUS_RUNNING: 'Running',
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 'Completed',
  WORKFLOW_EXECUTION_STATUS_FAILED: 'Failed',
  WORKFLOW_EXECUTION_STATUS_CANCELED: 'Canceled',
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 'Terminated',
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 'ContinuedAsNew',
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 'TimedOut',
};

export function visibilityRecord(run: WorkflowRun): VisibilityRecord {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    status: STATUS_NAME[run.status] ?? 'Running',
    startTime: run.startTimeMs,
    closeTime: run.closeTimeMs,
    executionTime: run.executionTimeMs,
    historyLength: run.history.lastEventId,
    executionDurationMs: run.closeTimeMs !== undefined ? run.closeTimeMs - run.executionTimeMs : undefined,
    parentWorkflowId: run.init.parent?.workflowId,
    parentRunId: run.init.parent?.runId,
    rootWorkflowId: run.init.root.workflowId,
    rootRunId: run.init.root.runId,
    historySizeBytes: run.history.sizeBytes,
    searchAttributes: run.searchAttributes,
  };
}

interface ListToken {
  /** Run id of the last run on the previous page: the next page starts after it. */
  after: string;
  offset: number;
}

function decodeListToken(raw: Uint8Array | undefined): ListToken | undefined {
  if (!raw || raw.length === 0) return undefined;
  try {
    const t = JSON.parse(Buffer.from(raw).toString('utf8')) as ListToken;
    if (typeof t.after === 'string' && Number.isInteger(t.offset)) return t;
  } catch {
    // fall through
  }
  return undefined;
}

export function listExecutions(ns: Namespace, req: { query?: string; pageSize?: number; nextPageToken?: Uint8Array }): WireObject {
  // GROUP BY only means something to Count. List (and Scan) accept `GROUP BY ExecutionStatus` and ignore it, as
  // Temporal's dev server 1.32 does (its SQL visibility's older, legacy query converter refused it).
  const query = compileVisibilityQuery(req.query ?? '', ns.registry);
  const matches: { record: VisibilityRecord; run: WorkflowRun }[] = [];
  for (const run of ns.allRuns()) {
    const record = visibilityRecord(run);
    if (query(record)) matches.push({ record, run });
  }
  matches.sort((a, b) => query.compare(a.record, b.record));
  const pageSize = req.pageSize && req.pageSize > 0 ? req.pageSize : 1000;
  const token = decodeListToken(req.nextPageToken);
  let start = 0;
  if (token) {
    // Resume after the last run shown; fall back to the offset if that run no longer matches.
    const at = matches.findIndex((m) => m.run.runId === token.after);
    start = at >= 0 ? at + 1 : Math.min(token.offset, matches.length);
  }
  const page = matches.slice(start, start + pageSize);
  const more = start + page.length < matches.length;
  return {
    executions: page.map((m) => executionInfo(ns, m.run)),
    nextPageToken:
      more && page.length > 0
        ? Buffer.from(JSON.stringify({ after: page[page.length - 1].run.runId, offset: start + page.length } satisfies ListToken))
        : undefined,
  };
}

export function countExecutions(ns: Namespace, req: { query?: string }): WireObject {
  const query = compileVisibilityQuery(req.query ?? '', ns.registry);
  const records = [...ns.allRuns()].map(visibilityRecord);
  if (query.groupBy === 'ExecutionStatus') return countGroups(records, query);
  let count = 0;
  for (const r of records) if (query(r)) count++;
  return { count };
}
