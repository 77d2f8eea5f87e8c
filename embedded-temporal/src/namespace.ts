/**
 * A namespace: its runs (by workflow id, in chain order), its task queues and
 * its search attribute registry. Starting runs (with the id conflict and
 * reuse policies), following chains, and everything that crosses from one run
 * to another (child workflows, external signals and cancels, parent
 * notification) lives here.
 */
import { randomUUID } from 'node:crypto';
import type { ChildState } from './children';
import type { ServerClock } from './clock-types';
import { timeOutWorkflow, withoutNulls } from './closing';
import { alreadyStarted, invalidArgument, workflowNotFound } from './errors';
import type { ParentInfo, RunHost, RunInit, ServerConfig, WireObject } from './host';
import { Matching } from './matching';
import { normalizeRetryPolicy, retryPolicyWire } from './retry';
import { WorkflowRun } from './run';
import { durationMs, msDuration, msTimestamp } from './time';
import { decodeSearchAttributes, encodeSearchAttributes, SearchAttributeError, SearchAttributeRegistry } from './visibility';
import type { Attributes, Duration, Header, IdConflictPolicy, IdReusePolicy, Memo, Payload, Payloads, RetryPolicy, SearchAttributes } from './wire';

const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
/** The real server's ceiling for a workflow task timeout. */
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

export interface StartRequest {
  workflowId?: string;
  workflowType?: { name?: string };
  taskQueue?: { name?: string };
  input?: Payloads;
  workflowExecutionTimeout?: Duration;
  workflowRunTimeout?: Duration;
  workflowTaskTimeout?: Duration;
  identity?: string;
  requestId?: string;
  workflowIdReusePolicy?: IdReusePolicy;
  workflowIdConflictPolicy?: IdConflictPolicy;
  retryPolicy?: RetryPolicy;
  cronSchedule?: string;
  memo?: Memo;
  searchAttributes?: SearchAttributes;
  header?: Header;
  workflowStartDelay?: Duration;
  continuedFailure?: WireObject;
  lastCompletionResult?: Payloads;
  userMetadata?: WireObject;
  priority?: WireObject;
  completionCallbacks?: WireObject[];
  links?: WireObject[];
}

export interface StartOutcome {
  run: WorkflowRun;
  started: boolean;
}

interface NamespaceOwner {
  clock: ServerClock;
  config: ServerConfig;
  log(line: string): void;
}

export class Namespace implements RunHost {
  readonly id = randomUUID();
  readonly matching = new Matching<WireObject, WireObject>();
  readonly registry = new SearchAttributeRegistry();
  readonly clock: ServerClock;
  readonly config: ServerConfig;
  /** Every run ever started, per workflow id, oldest first; the last is the current run. */
  private readonly chains = new Map<string, WorkflowRun[]>();
  private readonly runs = new Map<string, WorkflowRun>();

  constructor(
    readonly name: string,
    private readonly owner: NamespaceOwner,
    readonly retentionDays = 1,
  ) {
    this.clock = owner.clock;
    this.config = owner.config;
  }

  log(line: string): void {
    this.owner.log(`[${this.name}] ${line}`);
  }

  // ---- lookup -------------------------------------------------------------

  allRuns(): IterableIterator<WorkflowRun> {
    return this.runs.values();
  }

  runById(runId: string): WorkflowRun | undefined {
    return this.runs.get(runId);
  }

  currentRun(workflowId: string): WorkflowRun | undefined {
    const chain = this.chains.get(workflowId);
    return chain?.[chain.length - 1];
  }

  /** The named run, or the current run when `runId` is empty; NOT_FOUND otherwise. */
  findRun(workflowId: string | undefined, runId?: string): WorkflowRun {
    if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (runId) {
      const run = this.runs.get(runId);
      if (!run || run.workflowId !== workflowId) throw workflowNotFound(workflowId, runId);
      return run;
    }
    const run = this.currentRun(workflowId);
    if (!run) throw workflowNotFound(workflowId);
    return run;
  }

  /** Checks `firstExecutionRunId` (sent by the client with some requests) against the run's chain. */
  checkFirstRun(run: WorkflowRun, firstExecutionRunId: string | undefined): void {
    if (firstExecutionRunId && run.init.firstExecutionRunId !== firstExecutionRunId) {
      throw workflowNotFound(run.workflowId, firstExecutionRunId);
    }
  }

  // ---- starting -------------------------------------------------------------

  /**
   * StartWorkflowExecution (and the start half of signal-with-start and of
   * child workflows). The conflict policy applies when a run is open, the
   * reuse policy when the last run is closed. The same request id as the
   * open run's start is a retry of that start and returns it.
   */
  startWorkflow(req: StartRequest, opts: { signal?: Attributes; parent?: ParentInfo; root?: { workflowId: string; runId: string } } = {}): StartOutcome {
    const workflowId = req.workflowId ?? '';
    const workflowType = req.workflowType?.name ?? '';
    const taskQueue = req.taskQueue?.name ?? '';
    if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (workflowId.length > 1000) throw invalidArgument('WorkflowId exceeds length limit.');
    if (!workflowType) throw invalidArgument('WorkflowType is not set on request.');
    if (!taskQueue) throw invalidArgument('TaskQueue is not set on request.');
    if (req.cronSchedule) throw invalidArgument('cron schedules are not supported by the embedded Temporal server');
    const executionTimeoutMs = nonNegative(durationMs(req.workflowExecutionTimeout), 'WorkflowExecutionTimeout');
    let runTimeoutMs = nonNegative(durationMs(req.workflowRunTimeout), 'WorkflowRunTimeout');
    if (executionTimeoutMs > 0 && (runTimeoutMs === 0 || runTimeoutMs > executionTimeoutMs)) runTimeoutMs = executionTimeoutMs;
    let workflowTaskTimeoutMs = nonNegative(durationMs(req.workflowTaskTimeout), 'WorkflowTaskTimeout') || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS;
    workflowTaskTimeoutMs = Math.min(workflowTaskTimeoutMs, MAX_WORKFLOW_TASK_TIMEOUT_MS);
    if (runTimeoutMs > 0) workflowTaskTimeoutMs = Math.min(workflowTaskTimeoutMs, runTimeoutMs);
    const delayMs = nonNegative(durationMs(req.workflowStartDelay), 'WorkflowStartDelay');
    const retryPolicy = req.retryPolicy ? normalizeRetryPolicy(req.retryPolicy) : undefined;
    if (typeof retryPolicy === 'string') throw invalidArgument(retryPolicy);
    const searchAttributes = withoutNulls(this.decodeForStart(req.searchAttributes?.indexedFields));
    const requestId = req.requestId || randomUUID();

    const current = this.currentRun(workflowId);
    if (current) {
      if (current.isOpen) {
        if (current.startRequestId === requestId) return { run: current, started: true };
        let conflict: IdConflictPolicy = req.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
        if (req.workflowIdReusePolicy === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING') conflict = 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING';
        switch (conflict) {
          case 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING':
            return { run: current, started: false };
          case 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING':
            current.terminate('terminated by a new start with WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING', undefined, req.identity ?? '');
            break;
          default:
            throw alreadyStarted(
              `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${current.runId}.`,
              current.startRequestId,
              current.runId,
            );
        }
      } else if (current.startRequestId === requestId) {
        return { run: current, started: true };
      } else {
        this.checkReusePolicy(current, req.workflowIdReusePolicy);
      }
    }

    const runId = randomUUID();
    const now = this.clock.now();
    const executionExpirationMs = executionTimeoutMs > 0 ? now + delayMs + executionTimeoutMs : 0;
    const parent = opts.parent;
    const root = opts.root ?? { workflowId, runId };
    const memo = { ...(req.memo?.fields ?? {}) };
    const init: RunInit = {
      workflowId,
      runId,
      firstExecutionRunId: runId,
      workflowType,
      taskQueue,
      workflowTaskTimeoutMs,
      runTimeoutMs,
      executionExpirationMs,
      retryPolicy,
      attempt: 1,
      firstTaskBackoffMs: delayMs,
      memo,
      searchAttributes,
      requestId,
      parent,
      root,
      initialSignal: opts.signal,
      startedAttributes: {
        workflowType: { name: workflowType },
        parentWorkflowNamespace: parent?.namespace,
        parentWorkflowNamespaceId: parent?.namespaceId,
        parentWorkflowExecution: parent ? { workflowId: parent.workflowId, runId: parent.runId } : undefined,
        parentInitiatedEventId: parent?.initiatedEventId,
        taskQueue: { name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
        input: req.input,
        workflowExecutionTimeout: msDuration(executionTimeoutMs),
        workflowRunTimeout: msDuration(runTimeoutMs),
        workflowTaskTimeout: msDuration(workflowTaskTimeoutMs),
        continuedFailure: req.continuedFailure,
        lastCompletionResult: req.lastCompletionResult,
        originalExecutionRunId: runId,
        identity: req.identity ?? '',
        firstExecutionRunId: runId,
        retryPolicy: retryPolicy ? retryPolicyWire(retryPolicy) : undefined,
        attempt: 1,
        workflowExecutionExpirationTime: executionExpirationMs > 0 ? msTimestamp(executionExpirationMs) : undefined,
        firstWorkflowTaskBackoff: delayMs > 0 ? msDuration(delayMs) : undefined,
        memo: { fields: memo },
        searchAttributes: { indexedFields: this.encodeSearchAttributes(searchAttributes) },
        header: req.header,
        workflowId,
        rootWorkflowExecution: root,
        priority: req.priority,
        completionCallbacks: req.completionCallbacks,
      },
    };
    return { run: this.addRun(init), started: true };
  }

  private checkReusePolicy(last: WorkflowRun, policy: IdReusePolicy | undefined): void {
    const reject = (why: string) => {
      throw alreadyStarted(
        `Workflow execution already finished ${why}. WorkflowId: ${last.workflowId}, RunId: ${last.runId}.`,
        last.startRequestId,
        last.runId,
      );
    };
    switch (policy) {
      case 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE':
        reject('and the workflow id reuse policy rejects duplicates');
        break;
      case 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY':
        if (last.status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED' || last.status === 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW') {
          reject('successfully, and the workflow id reuse policy allows a duplicate only after a failure');
        }
        break;
      default:
        break;
    }
  }

  private decodeForStart(indexed: Record<string, Payload> | undefined): Record<string, unknown> {
    try {
      return this.decodeSearchAttributes(indexed);
    } catch (err) {
      if (err instanceof SearchAttributeError) throw invalidArgument(err.message);
      throw err;
    }
  }

  private addRun(init: RunInit): WorkflowRun {
    const run = new WorkflowRun(this, init);
    let chain = this.chains.get(init.workflowId);
    if (!chain) {
      chain = [];
      this.chains.set(init.workflowId, chain);
    }
    chain.push(run);
    this.runs.set(run.runId, run);
    run.begin();
    return run;
  }

  // ---- RunHost --------------------------------------------------------------

  continueRun(_previous: WorkflowRun, init: RunInit): WorkflowRun {
    return this.addRun(init);
  }

  runTimedOut(run: WorkflowRun): void {
    timeOutWorkflow(run);
  }

  runClosed(run: WorkflowRun): void {
    this.applyParentClosePolicies(run);
    if (!run.nextRunId) this.notifyParent(run);
  }

  decodeSearchAttributes(indexed: Record<string, Payload> | undefined): Record<string, unknown> {
    return decodeSearchAttributes(indexed, this.registry);
  }

  encodeSearchAttributes(values: Record<string, unknown>): Record<string, Payload> {
    return encodeSearchAttributes(values, this.registry);
  }

  // ---- children ---------------------------------------------------------------

  startChild(parent: WorkflowRun, initiatedEventId: number, a: Attributes): void {
    const workflowId = String(a.workflowId);
    const workflowType = (a.workflowType as { name?: string }).name ?? '';
    const childNamespace = String(a.namespace || this.name);
    const failed = (cause: string) =>
      parent.addExternal({
        type: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED',
        attributes: {
          namespace: childNamespace,
          namespaceId: this.id,
          workflowId,
          workflowType: { name: workflowType },
          cause,
          control: a.control,
          initiatedEventId,
          workflowTaskCompletedEventId: a.workflowTaskCompletedEventId,
        },
      });
    if (!parent.isOpen) return;
    if (childNamespace !== this.name) {
      failed('START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND');
      return;
    }
    const existing = this.currentRun(workflowId);
    let child: WorkflowRun;
    try {
      child = this.startWorkflow(
        {
          workflowId,
          workflowType: { name: workflowType },
          taskQueue: { name: (a.taskQueue as { name?: string } | undefined)?.name || parent.taskQueue },
          input: a.input as Payloads | undefined,
          workflowExecutionTimeout: a.workflowExecutionTimeout as Duration | undefined,
          workflowRunTimeout: a.workflowRunTimeout as Duration | undefined,
          workflowTaskTimeout: a.workflowTaskTimeout as Duration | undefined,
          identity: '',
          requestId: `${parent.runId}:${initiatedEventId}`,
          workflowIdReusePolicy: a.workflowIdReusePolicy as IdReusePolicy | undefined,
          retryPolicy: a.retryPolicy as RetryPolicy | undefined,
          cronSchedule: a.cronSchedule as string | undefined,
          memo: a.memo as Memo | undefined,
          searchAttributes: a.searchAttributes as SearchAttributes | undefined,
          header: a.header as Header | undefined,
          priority: a.priority as WireObject | undefined,
        },
        {
          parent: {
            namespace: this.name,
            namespaceId: this.id,
            workflowId: parent.workflowId,
            runId: parent.runId,
            initiatedEventId,
          },
          root: parent.init.root,
        },
      ).run;
    } catch (err) {
      this.log(`child ${workflowId} not started: ${(err as Error).message}`);
      failed('START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS');
      return;
    }
    if (existing?.isOpen && child === existing) {
      failed('START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS');
      return;
    }
    const state: ChildState = {
      initiatedEventId,
      namespace: this.name,
      workflowId,
      workflowType,
      parentClosePolicy: (a.parentClosePolicy as ChildState['parentClosePolicy']) ?? 'PARENT_CLOSE_POLICY_TERMINATE',
      runId: child.runId,
    };
    parent.children.set(initiatedEventId, state);
    parent.addExternal({
      type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED',
      attributes: {
        namespace: this.name,
        namespaceId: this.id,
        initiatedEventId,
        workflowExecution: child.execution,
        workflowType: { name: workflowType },
        header: a.header,
      },
      onAssign: (id) => {
        state.startedEventId = id;
      },
    });
  }

  /** The last run of a child's chain closed: tell the parent (if it still runs) which way. */
  private notifyParent(run: WorkflowRun): void {
    const p = run.init.parent;
    if (!p) return;
    const parent = this.runs.get(p.runId);
    const state = parent?.children.get(p.initiatedEventId);
    if (!parent || !state || !parent.isOpen) return;
    parent.children.delete(p.initiatedEventId);
    const close = run.closeEvent;
    if (!close) return;
    const closeAttrs = (close[Object.keys(close).find((k) => k.endsWith('EventAttributes')) ?? ''] ?? {}) as Attributes;
    const common = {
      namespace: this.name,
      namespaceId: this.id,
      workflowExecution: run.execution,
      workflowType: { name: run.workflowType },
      initiatedEventId: p.initiatedEventId,
      startedEventId: state.startedEventId ?? 0,
    };
    const event = (() => {
      switch (run.status) {
        case 'WORKFLOW_EXECUTION_STATUS_COMPLETED':
          return { type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED' as const, attributes: { ...common, result: closeAttrs.result } };
        case 'WORKFLOW_EXECUTION_STATUS_FAILED':
          return {
            type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED' as const,
            attributes: { ...common, failure: closeAttrs.failure, retryState: closeAttrs.retryState },
          };
        case 'WORKFLOW_EXECUTION_STATUS_CANCELED':
          return { type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED' as const, attributes: { ...common, details: closeAttrs.details } };
        case 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT':
          return { type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT' as const, attributes: { ...common, retryState: closeAttrs.retryState } };
        default:
          return { type: 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED' as const, attributes: common };
      }
    })();
    // The start notice may itself still be buffered: take its id when this event is written.
    parent.addExternal({
      ...event,
      prepare: () => {
        (event.attributes as Attributes).startedEventId = state.startedEventId ?? 0;
      },
    });
  }

  private applyParentClosePolicies(run: WorkflowRun): void {
    for (const child of run.children.values()) {
      if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_ABANDON') continue;
      const target = this.currentRun(child.workflowId);
      if (!target?.isOpen || target.init.parent?.runId !== run.runId) continue;
      if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL') {
        target.requestCancel({ cause: 'by parent close policy', identity: 'history-service' }, undefined);
      } else {
        target.terminate('by parent close policy', undefined, 'history-service');
      }
    }
  }

  // ---- external signal / cancel -------------------------------------------------

  signalExternal(source: WorkflowRun, initiatedEventId: number, a: Attributes): void {
    const execution = (a.workflowExecution ?? {}) as { workflowId?: string; runId?: string };
    const target = this.externalTarget(source, execution, Boolean(a.childWorkflowOnly));
    const common = { namespace: this.name, namespaceId: this.id, workflowExecution: execution, initiatedEventId, control: a.control };
    if (!target || !target.isOpen || a.namespace !== this.name) {
      source.addExternal({
        type: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
        attributes: {
          ...common,
          cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
          workflowTaskCompletedEventId: a.workflowTaskCompletedEventId,
        },
      });
      return;
    }
    target.signal(
      {
        signalName: a.signalName,
        input: a.input,
        identity: '',
        header: a.header,
        externalWorkflowExecution: source.execution,
      },
      `${source.runId}:${initiatedEventId}`,
    );
    source.addExternal({ type: 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED', attributes: common });
  }

  cancelExternal(source: WorkflowRun, initiatedEventId: number, a: Attributes): void {
    const execution = (a.workflowExecution ?? {}) as { workflowId?: string; runId?: string };
    const target = this.externalTarget(source, execution, Boolean(a.childWorkflowOnly));
    const common = { namespace: this.name, namespaceId: this.id, workflowExecution: execution, initiatedEventId };
    if (!target || !target.isOpen || a.namespace !== this.name) {
      source.addExternal({
        type: 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
        attributes: {
          ...common,
          cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
          workflowTaskCompletedEventId: a.workflowTaskCompletedEventId,
          control: a.control,
        },
      });
      return;
    }
    target.requestCancel(
      {
        cause: a.reason ?? '',
        externalInitiatedEventId: initiatedEventId,
        externalWorkflowExecution: source.execution,
        identity: '',
      },
      `${source.runId}:${initiatedEventId}`,
    );
    source.addExternal({ type: 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED', attributes: common });
  }

  private externalTarget(source: WorkflowRun, execution: { workflowId?: string; runId?: string }, childOnly: boolean): WorkflowRun | undefined {
    if (!execution.workflowId) return undefined;
    const target = execution.runId ? this.runs.get(execution.runId) : this.currentRun(execution.workflowId);
    if (!target || target.workflowId !== execution.workflowId) return undefined;
    if (childOnly && target.init.parent?.runId !== source.runId) return undefined;
    return target;
  }
}

function nonNegative(ms: number | undefined, field: string): number {
  if (ms === undefined) return 0;
  if (ms < 0) throw invalidArgument(`${field} cannot be negative.`);
  return ms;
}
