/**
 * Client-side reads of a run: history pages (with the long poll behind
 * `handle.result()`), and DescribeWorkflowExecution.
 */
import { describePending } from './activities';
import { attributesOf } from './history';
import type { WireObject } from './host';
import type { Namespace } from './namespace';
import { decodeHistoryToken, encodeHistoryToken, type WorkflowRun } from './run';
import { msDuration, msTimestamp } from './time';
import type { WorkflowExecution } from './wire';
import { waitUntil } from './wait';

export interface HistoryRequest {
  execution?: WorkflowExecution;
  maximumPageSize?: number;
  nextPageToken?: Uint8Array;
  waitNewEvent?: boolean;
  historyEventFilterType?: string;
}


export async function getHistory(
  ns: Namespace,
  req: HistoryRequest,
  waitBudgetMs: number,
  onCancelled: (cb: () => void) => void,
): Promise<WireObject> {
  const token = decodeHistoryToken(req.nextPageToken);
  const run = token ? ns.findRun(req.execution?.workflowId, token.runId) : ns.findRun(req.execution?.workflowId, req.execution?.runId);

  if (req.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT') {
    if (req.waitNewEvent) await waitUntil(() => !run.isOpen, (l) => run.watch(l), waitBudgetMs, onCancelled);
    if (run.closeEvent) return { history: { events: [run.closeEvent] } };
    // Still running: an empty page with a token tells the client to ask again.
    return { history: { events: [] }, nextPageToken: encodeHistoryToken({ runId: run.runId, nextEventId: 1 }) };
  }

  const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? Math.min(req.maximumPageSize, 1000) : ns.config.historyPageSize;
  const next = token?.nextEventId ?? 1;
  const bounded = token?.lastEventId;
  const end = () => bounded ?? run.history.lastEventId;
  if (next > end() && req.waitNewEvent && run.isOpen && bounded === undefined) {
    await waitUntil(() => run.history.lastEventId >= next || !run.isOpen, (l) => run.watch(l), waitBudgetMs, onCancelled);
  }
  const last = Math.min(end(), next + pageSize - 1);
  const events = run.history.events.slice(next - 1, last);
  let nextPageToken: Buffer | undefined;
  if (last < end()) {
    nextPageToken = encodeHistoryToken({ runId: run.runId, nextEventId: last + 1, lastEventId: bounded });
  } else if (req.waitNewEvent && run.isOpen && bounded === undefined) {
    nextPageToken = encodeHistoryToken({ runId: run.runId, nextEventId: last + 1 });
  }
  return { history: { events }, nextPageToken };
}

export function getHistoryReverse(ns: Namespace, req: HistoryRequest): WireObject {
  const token = decodeHistoryToken(req.nextPageToken);
  const run = token ? ns.findRun(req.execution?.workflowId, token.runId) : ns.findRun(req.execution?.workflowId, req.execution?.runId);
  const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? Math.min(req.maximumPageSize, 1000) : ns.config.historyPageSize;
  const from = token ? token.nextEventId : run.history.lastEventId;
  const to = Math.max(1, from - pageSize + 1);
  const events = run.history.events.slice(to - 1, from).reverse();
  return {
    history: { events },
    nextPageToken: to > 1 ? encodeHistoryToken({ runId: run.runId, nextEventId: to - 1 }) : undefined,
  };
}

export function executionInfo(ns: Namespace, run: WorkflowRun): WireObject {
  const parent = run.init.parent;
  return {
    execution: run.execution,
    type: { name: run.workflowType },
    startTime: msTimestamp(run.startTimeMs),
    closeTime: run.closeTimeMs !== undefined ? msTimestamp(run.closeTimeMs) : undefined,
    status: run.status,
    historyLength: run.history.lastEventId,
    parentNamespaceId: parent?.namespaceId,
    parentExecution: parent ? { workflowId: parent.workflowId, runId: parent.runId } : undefined,
    executionTime: msTimestamp(run.executionTimeMs),
    memo: { fields: run.memo },
    searchAttributes: { indexedFields: ns.encodeSearchAttributes(run.searchAttributes) },
    taskQueue: run.taskQueue,
    stateTransitionCount: run.history.lastEventId,
    historySizeBytes: run.history.sizeBytes,
    rootExecution: run.init.root,
    firstRunId: run.init.firstExecutionRunId,
    executionDuration: run.closeTimeMs !== undefined ? msDuration(run.closeTimeMs - run.executionTimeMs) : undefined,
  };
}

export function describeExecution(ns: Namespace, run: WorkflowRun): WireObject {
  const started = attributesOf(run.history.events[0]);
  const wft = run.wft;
  return {
    executionConfig: {
      taskQueue: { name: run.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowExecutionTimeout: started.workflowExecutionTimeout,
      workflowRunTimeout: started.workflowRunTimeout,
      defaultWorkflowTaskTimeout: started.workflowTaskTimeout,
    },
    workflowExecutionInfo: executionInfo(ns, run),
    pendingActivities: [...run.activities.values()].map(describePending),
    pendingChildren: [...run.children.values()]
      .filter((c) => c.runId)
      .map((c) => ({
        workflowId: c.workflowId,
        runId: c.runId,
        workflowTypeName: c.workflowType,
        initiatedId: c.initiatedEventId,
        parentClosePolicy: c.parentClosePolicy,
      })),
    pendingWorkflowTask:
      run.isOpen && wft.phase !== 'none'
        ? {
            state: wft.phase === 'started' ? 'PENDING_WORKFLOW_TASK_STATE_STARTED' : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
            scheduledTime: msTimestamp(wft.scheduledTimeMs),
            originalScheduledTime: msTimestamp(wft.scheduledTimeMs),
            startedTime: wft.phase === 'started' ? msTimestamp(wft.startedTimeMs) : undefined,
            attempt: wft.attempt,
          }
        : undefined,
  };
}
