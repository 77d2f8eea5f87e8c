/**
 * `temporal.api.workflowservice.v1.WorkflowService` handlers. Each one finds
 * its namespace and run and delegates to the run's state machine; the
 * wrapper (wrap.ts) turns thrown RpcErrors into statuses.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  attemptFailed,
  canceledActivity,
  completeActivity,
  recordHeartbeat,
  startedActivity,
  type ActivityState,
} from '../activities';
import { completeWorkflowTask, failWorkflowTaskFromWorker, type CompletionRequest } from '../completion';
import type { Engine } from '../engine';
import { invalidArgument, notFound, workflowClosed } from '../errors';
import type { WireObject } from '../host';
import { countExecutions, listExecutions } from '../listing';
import type { PollInfo } from '../matching';
import type { Namespace, StartRequest } from '../namespace';
import { describeExecution, getHistory, getHistoryReverse, type HistoryRequest } from '../reads';
import type { WorkflowRun } from '../run';
import { msDuration } from '../time';
import { decodeToken } from '../tokens';
import type { UpdateState } from '../updates';
import type { Failure, Payloads, UpdateStage, WorkflowExecution, WorkflowTaskFailedCause } from '../wire';
import { onCancelled, pollBudgetMs, taskPollBudgetMs, updateWaitMs, type UnaryFn } from './wrap';

type Call = grpc.ServerUnaryCall<unknown, unknown>;

interface NamespaceRequest {
  namespace?: string;
}

export const MUTATING_WORKFLOW_METHODS: ReadonlySet<string> = new Set([
  'StartWorkflowExecution',
  'SignalWorkflowExecution',
  'SignalWithStartWorkflowExecution',
  'RequestCancelWorkflowExecution',
  'TerminateWorkflowExecution',
  'UpdateWorkflowExecution',
  'ExecuteMultiOperation',
  'QueryWorkflow',
  'RespondWorkflowTaskCompleted',
  'RespondWorkflowTaskFailed',
  'RespondQueryTaskCompleted',
  'RecordActivityTaskHeartbeat',
  'RecordActivityTaskHeartbeatById',
  'RespondActivityTaskCompleted',
  'RespondActivityTaskCompletedById',
  'RespondActivityTaskFailed',
  'RespondActivityTaskFailedById',
  'RespondActivityTaskCanceled',
  'RespondActivityTaskCanceledById',
  'RegisterNamespace',
]);

const SERVER_VERSION = '1.24.0-embedded';

export function describeNamespace(ns: Namespace): WireObject {
  return {
    namespaceInfo: {
      name: ns.name,
      state: 'NAMESPACE_STATE_REGISTERED',
      description: 'embedded Temporal server namespace',
      ownerEmail: '',
      data: {},
      id: ns.id,
      supportsSchedules: false,
    },
    config: {
      workflowExecutionRetentionTtl: msDuration(ns.retentionDays * 86_400_000),
      historyArchivalState: 'ARCHIVAL_STATE_DISABLED',
      visibilityArchivalState: 'ARCHIVAL_STATE_DISABLED',
    },
    replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: 'REPLICATION_STATE_NORMAL' },
    failoverVersion: 0,
    isGlobalNamespace: false,
  };
}

function runForToken(engine: Engine, namespace: string, runId: string): WorkflowRun {
  const run = engine.namespace(namespace).runById(runId);
  if (!run) throw notFound('workflow execution not found for task token');
  return run;
}

function activityForToken(engine: Engine, raw: Uint8Array | undefined): ActivityState {
  const token = decodeToken(raw, 'activity');
  if (token.kind !== 'activity') throw invalidArgument('not an activity task token');
  const run = runForToken(engine, token.namespace, token.runId);
  const act = startedActivity(run, token.scheduledEventId, token.attempt);
  if (!act) throw notFound(run.isOpen ? 'activity task not found' : 'workflow execution already completed');
  return act;
}

function activityById(engine: Engine, req: { namespace?: string; workflowId?: string; runId?: string; activityId?: string }): ActivityState {
  const run = engine.namespace(req.namespace).findRun(req.workflowId, req.runId);
  if (!run.isOpen) throw workflowClosed();
  const scheduledEventId = run.activityIds.get(req.activityId ?? '');
  const act = scheduledEventId !== undefined ? run.activities.get(scheduledEventId) : undefined;
  if (!act || act.phase !== 'started') throw notFound(`activity ${req.activityId} is not running`);
  return act;
}

function pollInfo(req: { identity?: string }, call: Call): PollInfo {
  return { identity: req.identity ?? '', requestId: String(call.metadata.get('temporal-request-id')[0] ?? '') || undefined };
}

function pollCall(call: Call) {
  return { isCancelled: () => call.cancelled, onCancelled: onCancelled(call) };
}

interface UpdateRequest extends NamespaceRequest {
  workflowExecution?: WorkflowExecution;
  firstExecutionRunId?: string;
  waitPolicy?: { lifecycleStage?: UpdateStage };
  request?: WireObject & { meta?: { updateId?: string }; input?: { name?: string } };
}

/**
 * Admits the update (or finds the one with the same id: a client re-sending
 * until its update is durable gets the existing one) and blocks until the
 * requested stage or the long-poll budget; the client re-sends while the
 * stage is below ACCEPTED.
 */
function submitUpdate(run: WorkflowRun, req: UpdateRequest, call: Call): Promise<WireObject> {
  const updateId = req.request?.meta?.updateId ?? '';
  if (!updateId) throw invalidArgument('Update ID is not set on request.');
  if (!req.request?.input?.name) throw invalidArgument('Update name is not set on request.');
  let update = run.updates.get(updateId);
  if (!update) {
    if (!run.isOpen) throw workflowClosed();
    update = run.updates.admit(updateId, req.request).update;
    run.requestWorkflowTask();
  }
  const stage = req.waitPolicy?.lifecycleStage ?? 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED';
  const found = update;
  return run.updates
    .wait(found, stage, updateWaitMs(call, run.host.config.updateWaitMs), onCancelled(call))
    .then(() => updateResponse(run, found));
}

function updateResponse(run: WorkflowRun, update: UpdateState): WireObject {
  if (update.error) throw update.error;
  return run.updates.response(update);
}

/** An update id in the named run, or (no run id given) in any run of the chain, newest first. */
function findUpdate(ns: Namespace, execution: WorkflowExecution | undefined, updateId: string): { run: WorkflowRun; update: UpdateState } {
  const run = ns.findRun(execution?.workflowId, execution?.runId);
  const candidates: WorkflowRun[] = [run];
  if (!execution?.runId) {
    for (let r: WorkflowRun | undefined = run; r; ) {
      const prevId = r.init.startedAttributes.continuedExecutionRunId as string | undefined;
      r = prevId ? ns.runById(prevId) : undefined;
      if (r) candidates.push(r);
    }
  }
  for (const r of candidates) {
    const update = r.updates.get(updateId);
    if (update) return { run: r, update };
  }
  throw notFound(`update ${updateId} not found`);
}

export function workflowServiceHandlers(engine: Engine): Record<string, UnaryFn> {
  const cfg = engine.config;
  const handlers: Record<string, (req: never, call: Call) => unknown> = {
    GetSystemInfo: () => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        supportsSchedules: false,
        encodedFailureAttributes: true,
        buildIdBasedVersioning: false,
        upsertMemo: true,
        eagerWorkflowStart: false,
        sdkMetadata: true,
        countGroupByExecutionStatus: true,
        nexus: false,
      },
    }),

    DescribeNamespace: (req: { namespace?: string; id?: string }) => {
      const ns = req.id ? engine.namespaceById(req.id) : undefined;
      return describeNamespace(ns ?? engine.namespace(req.namespace));
    },

    ListNamespaces: () => ({ namespaces: engine.list().map(describeNamespace) }),

    RegisterNamespace: (req: { namespace?: string; workflowExecutionRetentionPeriod?: { seconds?: number } }) => {
      const days = Math.max(1, Math.round((req.workflowExecutionRetentionPeriod?.seconds ?? 86_400) / 86_400));
      engine.register(req.namespace ?? '', days);
      return {};
    },

    StartWorkflowExecution: (req: StartRequest & NamespaceRequest) => {
      const { run, started } = engine.namespace(req.namespace).startWorkflow(req);
      return { runId: run.runId, started, status: run.status };
    },

    SignalWorkflowExecution: (
      req: NamespaceRequest & {
        workflowExecution?: WorkflowExecution;
        signalName?: string;
        input?: Payloads;
        identity?: string;
        requestId?: string;
        header?: WireObject;
      },
    ) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      const run = engine.namespace(req.namespace).findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      run.signal({ signalName: req.signalName, input: req.input, identity: req.identity ?? '', header: req.header }, req.requestId);
      return {};
    },

    SignalWithStartWorkflowExecution: (
      req: StartRequest &
        NamespaceRequest & { signalName?: string; signalInput?: Payloads },
    ) => {
      if (!req.signalName) throw invalidArgument('SignalName is not set on request.');
      const ns = engine.namespace(req.namespace);
      const signal = { signalName: req.signalName, input: req.signalInput, identity: req.identity ?? '', header: req.header };
      const current = req.workflowId ? ns.currentRun(req.workflowId) : undefined;
      const policy = req.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
      const terminateIfRunning = req.workflowIdReusePolicy === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING';
      if (
        current?.isOpen &&
        !terminateIfRunning &&
        (policy === 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED' || policy === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING')
      ) {
        current.signal(signal, req.requestId);
        return { runId: current.runId, started: false };
      }
      const { run, started } = ns.startWorkflow(req, { signal });
      return { runId: run.runId, started };
    },

    RequestCancelWorkflowExecution: (
      req: NamespaceRequest & {
        workflowExecution?: WorkflowExecution;
        identity?: string;
        requestId?: string;
        firstExecutionRunId?: string;
        reason?: string;
      },
    ) => {
      const ns = engine.namespace(req.namespace);
      const run = ns.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      // As on the real server: cancelling a run that has already closed succeeds and changes nothing.
      if (!run.isOpen) return {};
      ns.checkFirstRun(run, req.firstExecutionRunId);
      run.requestCancel({ cause: req.reason ?? '', identity: req.identity ?? '' }, req.requestId);
      return {};
    },

    TerminateWorkflowExecution: (
      req: NamespaceRequest & {
        workflowExecution?: WorkflowExecution;
        reason?: string;
        details?: Payloads;
        identity?: string;
        firstExecutionRunId?: string;
      },
    ) => {
      const ns = engine.namespace(req.namespace);
      const run = ns.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      ns.checkFirstRun(run, req.firstExecutionRunId);
      run.terminate(req.reason ?? '', req.details, req.identity ?? '');
      return {};
    },

    QueryWorkflow: (
      req: NamespaceRequest & { execution?: WorkflowExecution; query?: WireObject & { queryType?: string }; queryRejectCondition?: string },
      call: Call,
    ) => {
      if (!req.query?.queryType) throw invalidArgument('QueryType is not set on request.');
      const run = engine.namespace(req.namespace).findRun(req.execution?.workflowId, req.execution?.runId);
      if (!run.isOpen) {
        const condition = req.queryRejectCondition;
        const rejected =
          condition === 'QUERY_REJECT_CONDITION_NOT_OPEN' ||
          (condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' && run.status !== 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
        if (rejected) return { queryRejected: { status: run.status } };
      }
      return run.queries.submit(req.query, onCancelled(call)).then((answer) => ({ queryResult: answer }));
    },

    UpdateWorkflowExecution: (req: UpdateRequest, call: Call) => {
      const ns = engine.namespace(req.namespace);
      const run = ns.findRun(req.workflowExecution?.workflowId, req.workflowExecution?.runId);
      ns.checkFirstRun(run, req.firstExecutionRunId);
      return submitUpdate(run, req, call);
    },

    /** Update-with-start: exactly [startWorkflow, updateWorkflow], the update addressed to the workflow being started. */
    ExecuteMultiOperation: (
      req: NamespaceRequest & { operations?: { startWorkflow?: StartRequest; updateWorkflow?: UpdateRequest }[] },
      call: Call,
    ) => {
      const [first, second] = req.operations ?? [];
      const start = first?.startWorkflow;
      const update = second?.updateWorkflow;
      if (req.operations?.length !== 2 || !start || !update) {
        throw invalidArgument('ExecuteMultiOperation supports exactly two operations: StartWorkflow, then UpdateWorkflow.');
      }
      if (!start.workflowIdConflictPolicy || start.workflowIdConflictPolicy === 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED') {
        throw invalidArgument('WorkflowIdConflictPolicy must be set on the start operation of update-with-start.');
      }
      if (update.workflowExecution?.workflowId !== start.workflowId || update.workflowExecution?.runId || update.firstExecutionRunId) {
        throw invalidArgument('The update operation must address the workflow id being started, without a run id.');
      }
      const ns = engine.namespace(req.namespace);
      const { run, started } = ns.startWorkflow(start);
      return submitUpdate(run, update, call).then((updateResponse) => ({
        responses: [{ startWorkflow: { runId: run.runId, started, status: run.status } }, { updateWorkflow: updateResponse }],
      }));
    },

    PollWorkflowExecutionUpdate: (
      req: NamespaceRequest & {
        updateRef?: { workflowExecution?: WorkflowExecution; updateId?: string };
        waitPolicy?: { lifecycleStage?: UpdateStage };
      },
      call: Call,
    ) => {
      const ns = engine.namespace(req.namespace);
      const { run, update } = findUpdate(ns, req.updateRef?.workflowExecution, req.updateRef?.updateId ?? '');
      const stage = req.waitPolicy?.lifecycleStage ?? 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED';
      return run.updates
        .wait(update, stage, updateWaitMs(call, cfg.updateWaitMs), onCancelled(call))
        .then(() => updateResponse(run, update));
    },

    DescribeWorkflowExecution: (req: NamespaceRequest & { execution?: WorkflowExecution }) => {
      const ns = engine.namespace(req.namespace);
      return describeExecution(ns, ns.findRun(req.execution?.workflowId, req.execution?.runId));
    },

    GetWorkflowExecutionHistory: (req: NamespaceRequest & HistoryRequest, call: Call) =>
      getHistory(engine.namespace(req.namespace), req, pollBudgetMs(call, cfg.historyPollTimeoutMs), onCancelled(call)),

    GetWorkflowExecutionHistoryReverse: (req: NamespaceRequest & HistoryRequest) => getHistoryReverse(engine.namespace(req.namespace), req),

    ListWorkflowExecutions: (req: NamespaceRequest & { query?: string; pageSize?: number; nextPageToken?: Uint8Array }) =>
      listExecutions(engine.namespace(req.namespace), req),

    ScanWorkflowExecutions: (req: NamespaceRequest & { query?: string; pageSize?: number; nextPageToken?: Uint8Array }) =>
      listExecutions(engine.namespace(req.namespace), req),

    CountWorkflowExecutions: (req: NamespaceRequest & { query?: string }) => countExecutions(engine.namespace(req.namespace), req),

    GetSearchAttributes: () => {
      const ns = engine.namespace('default');
      const { customAttributes, systemAttributes } = ns.registry.list();
      return { keys: { ...systemAttributes, ...customAttributes } };
    },

    PollWorkflowTaskQueue: async (req: NamespaceRequest & { taskQueue?: { name?: string; kind?: string }; identity?: string }, call: Call) => {
      const ns = engine.namespace(req.namespace);
      const name = req.taskQueue?.name;
      if (!name) throw invalidArgument('TaskQueue is not set on request.');
      const budget = taskPollBudgetMs(call, cfg.pollTimeoutMs);
      // Sticky queues never get tasks here (see matching.ts): park until expiry or worker shutdown.
      const queue = req.taskQueue?.kind === 'TASK_QUEUE_KIND_STICKY' ? ns.matching.stickyQueue(name) : ns.matching.workflowQueue(name);
      return (await queue.poll(pollInfo(req, call), pollCall(call), budget)) ?? {};
    },

    RespondWorkflowTaskCompleted: (req: NamespaceRequest & CompletionRequest & { taskToken?: Uint8Array }) => {
      const token = decodeToken(req.taskToken, 'workflow');
      if (token.kind !== 'workflow') throw invalidArgument('not a workflow task token');
      return completeWorkflowTask(runForToken(engine, token.namespace, token.runId), token, req);
    },

    RespondWorkflowTaskFailed: (
      req: NamespaceRequest & { taskToken?: Uint8Array; cause?: WorkflowTaskFailedCause; failure?: Failure; identity?: string },
    ) => {
      const token = decodeToken(req.taskToken, 'workflow');
      if (token.kind !== 'workflow') throw invalidArgument('not a workflow task token');
      return failWorkflowTaskFromWorker(runForToken(engine, token.namespace, token.runId), token, req);
    },

    RespondQueryTaskCompleted: (
      req: NamespaceRequest & { taskToken?: Uint8Array; completedType?: string; queryResult?: WireObject; errorMessage?: string; failure?: Failure },
    ) => {
      const token = decodeToken(req.taskToken, 'query');
      if (token.kind !== 'query') throw invalidArgument('not a query task token');
      const run = runForToken(engine, token.namespace, token.runId);
      const answered = run.queries.answerLegacy(token.queryId, {
        resultType: req.completedType,
        answer: req.queryResult,
        errorMessage: req.errorMessage,
        failure: req.failure,
      });
      if (!answered) throw notFound('query not found (it expired or was already answered)');
      return {};
    },

    PollActivityTaskQueue: async (req: NamespaceRequest & { taskQueue?: { name?: string }; identity?: string }, call: Call) => {
      const ns = engine.namespace(req.namespace);
      const name = req.taskQueue?.name;
      if (!name) throw invalidArgument('TaskQueue is not set on request.');
      const budget = taskPollBudgetMs(call, cfg.pollTimeoutMs);
      return (await ns.matching.activityQueue(name).poll(pollInfo(req, call), pollCall(call), budget)) ?? {};
    },

    RecordActivityTaskHeartbeat: (req: { taskToken?: Uint8Array; details?: Payloads }) => ({
      ...recordHeartbeat(activityForToken(engine, req.taskToken), req.details),
      activityPaused: false,
      activityReset: false,
    }),

    RecordActivityTaskHeartbeatById: (req: NamespaceRequest & { workflowId?: string; runId?: string; activityId?: string; details?: Payloads }) => ({
      ...recordHeartbeat(activityById(engine, req), req.details),
      activityPaused: false,
      activityReset: false,
    }),

    RespondActivityTaskCompleted: (req: { taskToken?: Uint8Array; result?: Payloads; identity?: string }) => {
      completeActivity(activityForToken(engine, req.taskToken), req.result, req.identity ?? '');
      return {};
    },

    RespondActivityTaskCompletedById: (
      req: NamespaceRequest & { workflowId?: string; runId?: string; activityId?: string; result?: Payloads; identity?: string },
    ) => {
      completeActivity(activityById(engine, req), req.result, req.identity ?? '');
      return {};
    },

    RespondActivityTaskFailed: (req: { taskToken?: Uint8Array; failure?: Failure; identity?: string; lastHeartbeatDetails?: Payloads }) => {
      attemptFailed(activityForToken(engine, req.taskToken), req.failure ?? { message: 'activity failed' }, req.identity ?? '', req.lastHeartbeatDetails);
      return { failures: [] };
    },

    RespondActivityTaskFailedById: (
      req: NamespaceRequest & {
        workflowId?: string;
        runId?: string;
        activityId?: string;
        failure?: Failure;
        identity?: string;
        lastHeartbeatDetails?: Payloads;
      },
    ) => {
      attemptFailed(activityById(engine, req), req.failure ?? { message: 'activity failed' }, req.identity ?? '', req.lastHeartbeatDetails);
      return { failures: [] };
    },

    RespondActivityTaskCanceled: (req: { taskToken?: Uint8Array; details?: Payloads; identity?: string }) => {
      canceledActivity(activityForToken(engine, req.taskToken), req.details, req.identity ?? '');
      return {};
    },

    RespondActivityTaskCanceledById: (
      req: NamespaceRequest & { workflowId?: string; runId?: string; activityId?: string; details?: Payloads; identity?: string },
    ) => {
      canceledActivity(activityById(engine, req), req.details, req.identity ?? '');
      return {};
    },

    ShutdownWorker: (req: NamespaceRequest & { stickyTaskQueue?: string }) => {
      if (req.stickyTaskQueue) engine.namespace(req.namespace).matching.releaseSticky(req.stickyTaskQueue);
      return {};
    },

    ResetStickyTaskQueue: () => ({}),

    DescribeTaskQueue: (req: NamespaceRequest) => {
      engine.namespace(req.namespace);
      return { pollers: [] };
    },
  };
  return handlers as Record<string, UnaryFn>;
}
