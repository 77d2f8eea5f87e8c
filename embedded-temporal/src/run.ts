/**
 * One workflow run: its history and the workflow-task state machine.
 *
 * Rules the SDK depends on (see shared/design/TEMPORAL-SERVER.md §2):
 * - at most one workflow task scheduled-or-started per run;
 * - events that arrive while a task is started (signals, activity results,
 *   fired timers, cancel requests) are buffered without ids and written after
 *   that task's WorkflowTaskCompleted and its command events;
 * - a completion must carry the token of the task currently started;
 * - every task is dispatched to the normal queue with the full history.
 */
import type { TimerHandle } from './clock-types';
import { invalidArgument, notFound, workflowClosed } from './errors';
import { History } from './history';
import type { RunHost, RunInit, WireObject } from './host';
import { HeldLock } from './locks';
import type { PollInfo } from './matching';
import { QueryRegistry } from './queries';
import { msDuration, msTimestamp } from './time';
import { encodeToken, type TaskToken } from './tokens';
import { UpdateRegistry } from './updates';
import type {
  Attributes,
  EventType,
  Failure,
  HistoryEvent,
  Payload,
  WorkflowExecutionStatus,
  WorkflowTaskFailedCause,
} from './wire';
import type { ActivityState } from './activities';
import type { ChildState } from './children';

export interface PendingEvent {
  type: EventType;
  attributes: Attributes;
  /** Called right before the event is written, to fill in ids of events written (or buffered) before it. */
  prepare?: () => void;
  /** Called with the id the event receives when it is finally written (buffered events get theirs late). */
  onAssign?: (eventId: number) => void;
}

export type WorkflowTaskPhase = 'none' | 'scheduled' | 'started';

export interface WorkflowTaskState {
  phase: WorkflowTaskPhase;
  scheduledEventId: number;
  startedEventId: number;
  attempt: number;
  /** Bumped on every scheduling, so queued dispatch records of superseded tasks are recognised and dropped. */
  seq: number;
  scheduledTimeMs: number;
  startedTimeMs: number;
  timer?: TimerHandle;
}

const CLOSING_STATUS: Partial<Record<EventType, WorkflowExecutionStatus>> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
};

export function serverFailure(message: string, nonRetryable = false): Failure {
  return { message, source: 'Server', serverFailureInfo: { nonRetryable } };
}

export class WorkflowRun {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly history: History;
  readonly startTimeMs: number;
  readonly executionTimeMs: number;
  status: WorkflowExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_RUNNING';
  closeTimeMs: number | undefined;
  closeEvent: HistoryEvent | undefined;
  /** The run that continued this one (continue-as-new, retry). */
  nextRunId: string | undefined;

  readonly wft: WorkflowTaskState = {
    phase: 'none',
    scheduledEventId: 0,
    startedEventId: 0,
    attempt: 1,
    seq: 0,
    scheduledTimeMs: 0,
    startedTimeMs: 0,
  };
  /** Started event id of the last completed workflow task: the worker's `previous_started_event_id`. */
  lastCompletedStartedEventId = 0;
  cancelRequested = false;
  memo: Record<string, Payload>;
  /** Decoded values by attribute name. */
  searchAttributes: Record<string, unknown>;

  readonly activities = new Map<number, ActivityState>();
  readonly activityIds = new Map<string, number>();
  readonly timers = new Map<string, { startedEventId: number; handle: TimerHandle }>();
  readonly children = new Map<number, ChildState>();
  readonly updates: UpdateRegistry;
  readonly queries: QueryRegistry;

  private buffered: PendingEvent[] = [];
  private needWorkflowTask = false;
  private readonly wftLock: HeldLock;
  private runTimer: TimerHandle | undefined;
  private backoffTimer: TimerHandle | undefined;
  private readonly signalRequestIds = new Set<string>();
  private readonly cancelRequestIds = new Set<string>();
  private readonly watchers = new Set<() => void>();
  private notifyQueued = false;

  constructor(
    readonly host: RunHost,
    readonly init: RunInit,
  ) {
    this.workflowId = init.workflowId;
    this.runId = init.runId;
    this.workflowType = init.workflowType;
    this.taskQueue = init.taskQueue;
    this.history = new History(host.clock);
    this.startTimeMs = host.clock.now();
    this.executionTimeMs = this.startTimeMs + init.firstTaskBackoffMs;
    this.memo = { ...(init.memo ?? {}) };
    this.searchAttributes = { ...init.searchAttributes };
    this.wftLock = new HeldLock(host.clock, `workflow task ${init.workflowId}/${init.runId}`);
    this.updates = new UpdateRegistry(this);
    this.queries = new QueryRegistry(this);
  }

  get isOpen(): boolean {
    return this.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING';
  }

  get namespace(): string {
    return this.host.name;
  }

  get execution(): { workflowId: string; runId: string } {
    return { workflowId: this.workflowId, runId: this.runId };
  }

  get startRequestId(): string {
    return this.init.requestId;
  }

  /** Writes the start (and a signal-with-start's signal), then schedules the first task or waits out the start backoff. */
  begin(): void {
    this.history.append('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', this.init.startedAttributes);
    if (this.init.initialSignal) this.history.append('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', this.init.initialSignal);
    const deadlines = [
      this.init.runTimeoutMs > 0 ? this.executionTimeMs + this.init.runTimeoutMs : 0,
      this.init.executionExpirationMs,
    ].filter((d) => d > 0);
    if (deadlines.length > 0) {
      this.runTimer = this.host.clock.schedule(Math.min(...deadlines), () => this.timeOutRun(), 'run timeout');
    }
    if (this.init.firstTaskBackoffMs > 0) {
      this.backoffTimer = this.host.clock.schedule(
        this.executionTimeMs,
        () => {
          this.backoffTimer = undefined;
          this.scheduleWorkflowTask();
        },
        'first workflow task backoff',
      );
    } else {
      this.scheduleWorkflowTask();
    }
    this.notify();
  }

  // ---- events -------------------------------------------------------------

  appendNow(type: EventType, attributes: Attributes): HistoryEvent {
    const event = this.history.append(type, attributes);
    this.notify();
    return event;
  }

  /**
   * Adds events that did not come from the worker's current task. While a
   * task is started they wait in the buffer; otherwise they are written now.
   * Either way a workflow task is requested so the worker sees them.
   */
  addExternal(...events: PendingEvent[]): void {
    if (!this.isOpen) return;
    if (this.wft.phase === 'started') {
      this.buffered.push(...events);
    } else {
      for (const e of events) this.write(e);
      this.notify();
    }
    this.requestWorkflowTask();
  }

  hasBufferedEvents(filter?: (e: PendingEvent) => boolean): boolean {
    return filter ? this.buffered.some(filter) : this.buffered.length > 0;
  }

  /** Takes a buffered event back out (a timer cancelled in the same task that its TimerFired is waiting in). */
  removeBuffered(pred: (e: PendingEvent) => boolean): PendingEvent | undefined {
    const index = this.buffered.findIndex(pred);
    if (index < 0) return undefined;
    return this.buffered.splice(index, 1)[0];
  }

  /** Writes buffered events; returns whether there were any. */
  flushBuffer(): boolean {
    if (this.buffered.length === 0) return false;
    const events = this.buffered;
    this.buffered = [];
    for (const e of events) this.write(e);
    this.notify();
    return true;
  }

  private write(e: PendingEvent): void {
    e.prepare?.();
    const written = this.history.append(e.type, e.attributes);
    e.onAssign?.(written.eventId);
  }

  // ---- workflow tasks -----------------------------------------------------

  requestWorkflowTask(): void {
    if (this.wft.phase === 'started') this.needWorkflowTask = true;
    else this.scheduleWorkflowTask();
  }

  scheduleWorkflowTask(attempt = 1): void {
    if (!this.isOpen || this.wft.phase !== 'none' || this.backoffTimer) return;
    const timeoutMs = this.init.workflowTaskTimeoutMs;
    const event = this.history.append('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', {
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      startToCloseTimeout: msDuration(timeoutMs),
      attempt,
    });
    const seq = this.wft.seq + 1;
    Object.assign(this.wft, {
      phase: 'scheduled',
      scheduledEventId: event.eventId,
      startedEventId: 0,
      attempt,
      seq,
      scheduledTimeMs: timestampOf(event),
      startedTimeMs: 0,
      timer: undefined,
    } satisfies WorkflowTaskState);
    this.wftLock.acquire();
    this.host.matching.workflowQueue(this.taskQueue).offer({ tryStart: (poll) => this.startWorkflowTask(seq, poll) });
    this.notify();
  }

  /**
   * Starts the task a completion has just scheduled and returns it for that
   * completion's response, as the real server does when the worker sets
   * `return_new_workflow_task` (it always does while it caches the run): the
   * next task is started in the same transaction, so no event can land
   * between its WorkflowTaskScheduled and WorkflowTaskStarted; signals that
   * arrive from then on are buffered until it completes. Its history is
   * partial — after the last completed task's started event — as a sticky
   * task's is: the worker already holds the rest.
   */
  startWorkflowTaskInline(identity: string): WireObject | undefined {
    if (this.wft.phase !== 'scheduled') return undefined;
    return this.startWorkflowTask(this.wft.seq, { identity, requestId: 'request-from-RespondWorkflowTaskCompleted' }, true);
  }

  private startWorkflowTask(seq: number, poll: PollInfo, partial = false): WireObject | undefined {
    if (!this.isOpen || this.wft.phase !== 'scheduled' || this.wft.seq !== seq) return undefined;
    const started = this.history.append('EVENT_TYPE_WORKFLOW_TASK_STARTED', {
      scheduledEventId: this.wft.scheduledEventId,
      identity: poll.identity,
      requestId: poll.requestId ?? '',
      historySizeBytes: this.history.sizeBytes,
    });
    this.wft.phase = 'started';
    this.wft.startedEventId = started.eventId;
    this.wft.startedTimeMs = timestampOf(started);
    const timeoutAt = this.wft.startedTimeMs + this.init.workflowTaskTimeoutMs;
    this.wft.timer = this.host.clock.schedule(timeoutAt, () => this.timeOutWorkflowTask(seq), 'workflow task timeout');
    const queries = this.queries.attachToTask();
    const messages = this.updates.takeForTask(started.eventId);
    this.notify();
    return this.taskResponse(
      encodeToken({
        kind: 'workflow',
        namespace: this.namespace,
        runId: this.runId,
        startedEventId: started.eventId,
        attempt: this.wft.attempt,
      }),
      started.eventId,
      this.wft.attempt,
      { queries, messages },
      partial ? this.lastCompletedStartedEventId + 1 : 1,
    );
  }

  /**
   * A poll response carrying history `fromEventId`…`upToEventId` (paged when
   * long; the worker fetches the rest). `fromEventId` > 1 only for a task
   * handed back inline to the worker that completed the previous one.
   */
  taskResponse(taskToken: Buffer, startedEventId: number, attempt: number, extra: WireObject, fromEventId = 1): WireObject {
    const upTo = startedEventId > 0 ? startedEventId : this.history.lastEventId;
    const pageSize = this.host.config.historyPageSize;
    const from = Math.max(1, fromEventId);
    const end = Math.min(upTo, from - 1 + pageSize);
    const events = this.history.events.slice(from - 1, end);
    const nextPageToken =
      upTo > end ? encodeHistoryToken({ runId: this.runId, nextEventId: end + 1, lastEventId: upTo }) : undefined;
    const now = this.host.clock.now();
    return {
      taskToken,
      workflowExecution: this.execution,
      workflowType: { name: this.workflowType },
      previousStartedEventId: this.lastCompletedStartedEventId,
      startedEventId,
      attempt,
      backlogCountHint: 0,
      history: { events },
      nextPageToken,
      workflowExecutionTaskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      scheduledTime: msTimestamp(this.wft.scheduledTimeMs || now),
      startedTime: msTimestamp(now),
      ...extra,
    };
  }

  /**
   * Refuses a token that does not name the task currently started (superseded,
   * timed out, or the run closed), with the real server's texts: its
   * RespondWorkflowTaskCompleted says "Workflow task not found." in every
   * case, RespondWorkflowTaskFailed says "workflow execution already
   * completed" for a closed run.
   */
  checkWorkflowTaskToken(token: Extract<TaskToken, { kind: 'workflow' }>, rpc: 'completed' | 'failed'): void {
    if (!this.isOpen && rpc === 'failed') throw workflowClosed();
    if (
      !this.isOpen ||
      this.wft.phase !== 'started' ||
      this.wft.startedEventId !== token.startedEventId ||
      this.wft.attempt !== token.attempt
    ) {
      throw notFound('Workflow task not found.');
    }
  }

  /**
   * Ends the started task as failed (worker-reported, UnhandledCommand, bad
   * command) or timed out: writes the event, flushes the buffer after it and
   * schedules the next attempt.
   */
  failWorkflowTask(
    kind: 'failed' | 'timed-out',
    details: { cause?: WorkflowTaskFailedCause; failure?: Failure; identity?: string },
  ): void {
    const { scheduledEventId, startedEventId, attempt } = this.wft;
    if (kind === 'failed') {
      this.history.append('EVENT_TYPE_WORKFLOW_TASK_FAILED', {
        scheduledEventId,
        startedEventId,
        cause: details.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
        failure: details.failure,
        identity: details.identity ?? '',
      });
    } else {
      this.history.append('EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', {
        scheduledEventId,
        startedEventId,
        timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE',
      });
    }
    this.endWorkflowTask();
    // As on the real server, events that arrived during the failed task start the count again: the next
    // task is attempt 1 (so the worker reports its failure, if it fails again, instead of letting it time out).
    const newEvents = this.flushBuffer();
    this.needWorkflowTask = false;
    this.updates.returnSentToAdmitted();
    this.queries.rebufferAttached();
    // The next attempt takes its own lock before this task's is released, so skipping time cannot slip in between.
    this.scheduleWorkflowTask(newEvents ? 1 : attempt + 1);
    this.releaseWorkflowTaskLockIfIdle();
    this.notify();
  }

  private timeOutWorkflowTask(seq: number): void {
    if (!this.isOpen || this.wft.seq !== seq || this.wft.phase !== 'started') return;
    this.host.log(`workflow task timed out: ${this.workflowId}/${this.runId} started=${this.wft.startedEventId}`);
    this.failWorkflowTask('timed-out', {});
  }

  /** Leaves the started state; the caller decides about the next task. */
  endWorkflowTask(): void {
    if (this.wft.timer) this.host.clock.cancel(this.wft.timer);
    this.wft.timer = undefined;
    this.wft.phase = 'none';
  }

  releaseWorkflowTaskLockIfIdle(): void {
    if (this.wft.phase === 'none') this.wftLock.release();
  }

  /** Consumes the "a task is owed" flag set while a task was started. */
  takeNeedWorkflowTask(): boolean {
    const need = this.needWorkflowTask;
    this.needWorkflowTask = false;
    return need;
  }

  // ---- external requests ----------------------------------------------------

  signal(attributes: Attributes, requestId: string | undefined): void {
    if (!this.isOpen) throw workflowClosed();
    if (requestId) {
      if (this.signalRequestIds.has(requestId)) return;
      this.signalRequestIds.add(requestId);
    }
    this.addExternal({ type: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', attributes });
  }

  requestCancel(attributes: Attributes, requestId: string | undefined): void {
    if (!this.isOpen) throw workflowClosed();
    if (requestId && this.cancelRequestIds.has(requestId)) return;
    if (requestId) this.cancelRequestIds.add(requestId);
    // Repeated requests are accepted and change nothing: the workflow already knows.
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.addExternal({ type: 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED', attributes });
  }

  /** Applied at once, even in the middle of a workflow task: the in-flight completion will get NOT_FOUND. */
  terminate(reason: string, details: unknown, identity: string): void {
    if (!this.isOpen) throw workflowClosed();
    this.forceCloseWorkflowTask();
    this.close('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', { reason, details, identity });
  }

  /**
   * Before the server closes the run on its own (terminate, timeout), a
   * started task is failed with FORCE_CLOSE_COMMAND by `history-service` and
   * the events buffered behind it are written, as the real server does
   * (`TerminateWorkflow`/`TimeoutWorkflow`), so no task is left without an
   * outcome and no signal that arrived during it is lost from history.
   */
  forceCloseWorkflowTask(): void {
    if (this.wft.phase === 'started') {
      const { scheduledEventId, startedEventId } = this.wft;
      this.history.append('EVENT_TYPE_WORKFLOW_TASK_FAILED', {
        scheduledEventId,
        startedEventId,
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
        identity: 'history-service',
      });
      this.endWorkflowTask();
    }
    this.flushBuffer();
  }

  // ---- timers -----------------------------------------------------------------

  startTimer(timerId: string, delayMs: number, workflowTaskCompletedEventId: number): void {
    const event = this.appendNow('EVENT_TYPE_TIMER_STARTED', {
      timerId,
      startToFireTimeout: msDuration(delayMs),
      workflowTaskCompletedEventId,
    });
    const startedEventId = event.eventId;
    const handle = this.host.clock.schedule(
      this.host.clock.now() + delayMs,
      () => this.fireTimer(timerId, startedEventId),
      `timer ${timerId}`,
    );
    this.timers.set(timerId, { startedEventId, handle });
  }

  private fireTimer(timerId: string, startedEventId: number): void {
    const timer = this.timers.get(timerId);
    if (!this.isOpen || !timer || timer.startedEventId !== startedEventId) return;
    this.timers.delete(timerId);
    this.addExternal({ type: 'EVENT_TYPE_TIMER_FIRED', attributes: { timerId, startedEventId } });
  }

  /** A timer the workflow may still cancel: pending, or fired with its TimerFired still in the buffer. */
  isTimerCancellable(timerId: string): boolean {
    return this.timers.has(timerId) || this.hasBufferedEvents((e) => isFiredTimer(e, timerId));
  }

  cancelTimer(timerId: string, workflowTaskCompletedEventId: number, identity: string): void {
    let startedEventId: number;
    const timer = this.timers.get(timerId);
    if (timer) {
      this.host.clock.cancel(timer.handle);
      this.timers.delete(timerId);
      startedEventId = timer.startedEventId;
    } else {
      // The real server takes a fired-but-unseen TimerFired back out; writing it after TimerCanceled is a non-determinism error in the worker.
      const fired = this.removeBuffered((e) => isFiredTimer(e, timerId));
      startedEventId = Number(fired?.attributes.startedEventId ?? 0);
    }
    this.appendNow('EVENT_TYPE_TIMER_CANCELED', { timerId, startedEventId, workflowTaskCompletedEventId, identity });
  }

  // ---- closing ----------------------------------------------------------------

  /** Writes the close event and releases everything the run holds. */
  close(type: EventType, attributes: Attributes): HistoryEvent {
    const status = CLOSING_STATUS[type];
    if (!status) throw new Error(`not a closing event: ${type}`);
    if (!this.isOpen) throw workflowClosed();
    this.buffered = [];
    const event = this.history.append(type, attributes);
    this.status = status;
    this.closeTimeMs = timestampOf(event);
    this.closeEvent = event;
    const nextRunId = attributes.newExecutionRunId;
    if (typeof nextRunId === 'string' && nextRunId) this.nextRunId = nextRunId;
    this.endWorkflowTask();
    this.wftLock.release();
    const clock = this.host.clock;
    if (this.runTimer) clock.cancel(this.runTimer);
    if (this.backoffTimer) clock.cancel(this.backoffTimer);
    this.runTimer = undefined;
    this.backoffTimer = undefined;
    for (const timer of this.timers.values()) clock.cancel(timer.handle);
    this.timers.clear();
    for (const activity of this.activities.values()) activity.release();
    this.activities.clear();
    this.activityIds.clear();
    this.updates.runClosed(type === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW' || Boolean(this.nextRunId));
    this.queries.runClosed();
    this.host.runClosed(this);
    this.notify();
    return event;
  }

  private timeOutRun(): void {
    this.runTimer = undefined;
    if (!this.isOpen) return;
    this.host.log(`workflow run timed out: ${this.workflowId}/${this.runId}`);
    this.host.runTimedOut(this);
  }

  // ---- observers --------------------------------------------------------------

  /** Calls `listener` (soon, after the current state change finishes) whenever the run changes. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  notify(): void {
    if (this.notifyQueued || this.watchers.size === 0) return;
    this.notifyQueued = true;
    // Deferred: waiters must see the finished state change (waking them before `closed` was set cost a 20 s stall once).
    setImmediate(() => {
      this.notifyQueued = false;
      for (const listener of [...this.watchers]) listener();
    });
  }

}

function isFiredTimer(e: PendingEvent, timerId: string): boolean {
  return e.type === 'EVENT_TYPE_TIMER_FIRED' && e.attributes.timerId === timerId;
}

function timestampOf(event: HistoryEvent): number {
  return (event.eventTime.seconds ?? 0) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6);
}

export interface HistoryToken {
  runId: string;
  nextEventId: number;
  /** Pages stop here (a worker's task history ends at its started event); absent = the run's current end. */
  lastEventId?: number;
}

export function encodeHistoryToken(token: HistoryToken): Buffer {
  return Buffer.from(JSON.stringify(token), 'utf8');
}

export function decodeHistoryToken(raw: Uint8Array | undefined): HistoryToken | undefined {
  if (!raw || raw.length === 0) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw).toString('utf8')) as HistoryToken;
    if (typeof parsed.runId === 'string' && Number.isInteger(parsed.nextEventId)) return parsed;
  } catch {
    // fall through
  }
  throw invalidArgument('malformed history page token');
}
