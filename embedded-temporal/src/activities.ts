/**
 * Activities of a run (§4 of the server brief). An activity is scheduled by a
 * command, queued on its task queue once the workflow task commits, started
 * by a poll (no event: ActivityTaskStarted is written lazily, right before
 * the terminal event), and retried per its policy with the attempt and the
 * heartbeat details carried over. Each activity holds a time-skipping lock
 * from scheduling to its final outcome, except while it waits out a retry
 * backoff.
 */
import type { TimerHandle } from './clock-types';
import type { WireObject } from './host';
import { HeldLock } from './locks';
import type { PollInfo } from './matching';
import { decideRetry, normalizeActivityTimeouts, normalizeRetryPolicy, retryPolicyWire, type ActivityTimeouts, type NormalizedRetryPolicy } from './retry';
import type { PendingEvent, WorkflowRun } from './run';
import { durationMs, msDuration, msTimestamp } from './time';
import { encodeToken } from './tokens';
import type { Attributes, Failure, Header, Payloads, RetryState, TimeoutType } from './wire';

export type ActivityPhase = 'scheduled' | 'started' | 'backoff';

export class ActivityState {
  attempt = 1;
  phase: ActivityPhase = 'scheduled';
  currentAttemptScheduledTimeMs: number;
  startedTimeMs = 0;
  startedIdentity = '';
  startedRequestId = '';
  lastHeartbeatTimeMs = 0;
  heartbeatDetails: Payloads | undefined;
  lastFailure: Failure | undefined;
  lastWorkerIdentity = '';
  cancelRequested = false;
  cancelRequestedEventId = 0;
  readonly lock: HeldLock;
  private readonly timers: Partial<Record<'scheduleToClose' | 'scheduleToStart' | 'startToClose' | 'heartbeat' | 'backoff', TimerHandle>> = {};

  constructor(
    readonly run: WorkflowRun,
    readonly scheduledEventId: number,
    readonly activityId: string,
    readonly activityType: string,
    readonly taskQueue: string,
    readonly scheduledAttributes: Attributes,
    readonly timeouts: ActivityTimeouts,
    readonly retryPolicy: NormalizedRetryPolicy,
    readonly scheduledTimeMs: number,
  ) {
    this.currentAttemptScheduledTimeMs = scheduledTimeMs;
    this.lock = new HeldLock(run.host.clock, `activity ${run.workflowId}/${activityId}`);
  }

  setTimer(kind: keyof ActivityState['timers'], atMs: number, fire: () => void): void {
    this.clearTimer(kind);
    this.timers[kind] = this.run.host.clock.schedule(atMs, fire, `activity ${this.activityId} ${kind}`);
  }

  clearTimer(kind: keyof ActivityState['timers']): void {
    const handle = this.timers[kind];
    if (handle) this.run.host.clock.cancel(handle);
    delete this.timers[kind];
  }

  /** Drops every timer and the lock: the activity reached a final state or its run closed. */
  release(): void {
    for (const kind of Object.keys(this.timers) as (keyof ActivityState['timers'])[]) this.clearTimer(kind);
    this.lock.release();
  }
}

interface ScheduleCommand {
  activityId?: string;
  activityType?: { name?: string };
  taskQueue?: { name?: string };
  header?: Header;
  input?: Payloads;
  scheduleToCloseTimeout?: { seconds?: number; nanos?: number };
  scheduleToStartTimeout?: { seconds?: number; nanos?: number };
  startToCloseTimeout?: { seconds?: number; nanos?: number };
  heartbeatTimeout?: { seconds?: number; nanos?: number };
  retryPolicy?: Attributes;
  requestEagerExecution?: boolean;
  useWorkflowBuildId?: boolean;
  priority?: Attributes;
}

export interface NormalizedSchedule {
  activityId: string;
  activityType: string;
  taskQueue: string;
  timeouts: ActivityTimeouts;
  retryPolicy: NormalizedRetryPolicy;
}

/** Validation and normalisation in one step; a string is the reason for BAD_SCHEDULE_ACTIVITY_ATTRIBUTES. */
export function normalizeSchedule(run: WorkflowRun, cmd: ScheduleCommand): NormalizedSchedule | string {
  const activityId = cmd.activityId ?? '';
  const activityType = cmd.activityType?.name ?? '';
  if (!activityId) return 'ActivityId is not set on ScheduleActivityTaskCommand.';
  if (!activityType) return 'ActivityType is not set on ScheduleActivityTaskCommand.';
  const timeouts = normalizeActivityTimeouts(
    {
      scheduleToCloseMs: durationMs(cmd.scheduleToCloseTimeout),
      scheduleToStartMs: durationMs(cmd.scheduleToStartTimeout),
      startToCloseMs: durationMs(cmd.startToCloseTimeout),
      heartbeatMs: durationMs(cmd.heartbeatTimeout),
    },
    run.init.runTimeoutMs,
  );
  if (typeof timeouts === 'string') return timeouts;
  const retryPolicy = normalizeRetryPolicy(cmd.retryPolicy);
  if (typeof retryPolicy === 'string') return retryPolicy;
  return { activityId, activityType, taskQueue: cmd.taskQueue?.name || run.taskQueue, timeouts, retryPolicy };
}

/** Writes ActivityTaskScheduled and arms schedule-to-close; dispatch waits for the workflow task to commit. */
export function scheduleActivity(run: WorkflowRun, cmd: ScheduleCommand, n: NormalizedSchedule, wftCompletedEventId: number): ActivityState {
  const attributes: Attributes = {
    activityId: n.activityId,
    activityType: { name: n.activityType },
    taskQueue: { name: n.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    header: cmd.header,
    input: cmd.input,
    scheduleToCloseTimeout: msDuration(n.timeouts.scheduleToCloseMs),
    scheduleToStartTimeout: msDuration(n.timeouts.scheduleToStartMs),
    startToCloseTimeout: msDuration(n.timeouts.startToCloseMs),
    heartbeatTimeout: msDuration(n.timeouts.heartbeatMs),
    workflowTaskCompletedEventId: wftCompletedEventId,
    retryPolicy: retryPolicyWire(n.retryPolicy),
    useWorkflowBuildId: cmd.useWorkflowBuildId,
    priority: cmd.priority,
  };
  const event = run.appendNow('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', attributes);
  const scheduledTimeMs = run.history.lastEventTimeMs;
  const act = new ActivityState(
    run,
    event.eventId,
    n.activityId,
    n.activityType,
    n.taskQueue,
    attributes,
    n.timeouts,
    n.retryPolicy,
    scheduledTimeMs,
  );
  run.activities.set(act.scheduledEventId, act);
  run.activityIds.set(act.activityId, act.scheduledEventId);
  act.lock.acquire();
  if (n.timeouts.scheduleToCloseMs > 0) {
    act.setTimer('scheduleToClose', scheduledTimeMs + n.timeouts.scheduleToCloseMs, () =>
      timeOut(act, 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE'),
    );
  }
  return act;
}

/** Queues the current attempt on its task queue. */
export function dispatchActivity(act: ActivityState): void {
  const run = act.run;
  if (!run.isOpen || !isCurrent(act)) return;
  act.phase = 'scheduled';
  const attempt = act.attempt;
  if (act.timeouts.scheduleToStartMs > 0) {
    act.setTimer('scheduleToStart', act.currentAttemptScheduledTimeMs + act.timeouts.scheduleToStartMs, () => {
      if (act.phase === 'scheduled' && act.attempt === attempt) timeOut(act, 'TIMEOUT_TYPE_SCHEDULE_TO_START');
    });
  }
  run.host.matching.activityQueue(act.taskQueue).offer({ tryStart: (poll) => startAttempt(act, attempt, poll) });
}

function isCurrent(act: ActivityState): boolean {
  return act.run.activities.get(act.scheduledEventId) === act;
}

function startAttempt(act: ActivityState, attempt: number, poll: PollInfo): WireObject | undefined {
  const run = act.run;
  if (!run.isOpen || !isCurrent(act) || act.phase !== 'scheduled' || act.attempt !== attempt) return undefined;
  const clock = run.host.clock;
  const now = clock.now();
  act.phase = 'started';
  act.startedTimeMs = now;
  act.startedIdentity = poll.identity;
  act.startedRequestId = poll.requestId ?? '';
  act.lastHeartbeatTimeMs = 0;
  act.clearTimer('scheduleToStart');
  if (act.timeouts.startToCloseMs > 0) {
    act.setTimer('startToClose', now + act.timeouts.startToCloseMs, () => {
      if (act.phase === 'started' && act.attempt === attempt) attemptFailed(act, timeoutFailure(act, 'TIMEOUT_TYPE_START_TO_CLOSE'), '');
    });
  }
  armHeartbeatTimer(act);
  const a = act.scheduledAttributes;
  return {
    taskToken: encodeToken({
      kind: 'activity',
      namespace: run.namespace,
      runId: run.runId,
      scheduledEventId: act.scheduledEventId,
      attempt,
    }),
    workflowNamespace: run.namespace,
    workflowType: { name: run.workflowType },
    workflowExecution: run.execution,
    activityType: a.activityType,
    activityId: act.activityId,
    header: a.header,
    input: a.input,
    heartbeatDetails: act.heartbeatDetails,
    scheduledTime: msTimestamp(act.scheduledTimeMs),
    currentAttemptScheduledTime: msTimestamp(act.currentAttemptScheduledTimeMs),
    startedTime: msTimestamp(now),
    attempt,
    scheduleToCloseTimeout: a.scheduleToCloseTimeout,
    startToCloseTimeout: a.startToCloseTimeout,
    heartbeatTimeout: a.heartbeatTimeout,
    retryPolicy: a.retryPolicy,
    priority: a.priority,
  };
}

function armHeartbeatTimer(act: ActivityState): void {
  if (act.timeouts.heartbeatMs <= 0) return;
  const attempt = act.attempt;
  const from = Math.max(act.lastHeartbeatTimeMs, act.startedTimeMs);
  act.setTimer('heartbeat', from + act.timeouts.heartbeatMs, () => {
    if (act.phase === 'started' && act.attempt === attempt) attemptFailed(act, timeoutFailure(act, 'TIMEOUT_TYPE_HEARTBEAT'), '');
  });
}

/** Finds the started attempt a worker token names; undefined when it is stale. */
export function startedActivity(run: WorkflowRun, scheduledEventId: number, attempt: number): ActivityState | undefined {
  const act = run.activities.get(scheduledEventId);
  if (!run.isOpen || !act || act.phase !== 'started' || act.attempt !== attempt) return undefined;
  return act;
}

export function recordHeartbeat(act: ActivityState, details: Payloads | undefined): { cancelRequested: boolean } {
  act.heartbeatDetails = details;
  act.lastHeartbeatTimeMs = act.run.host.clock.now();
  armHeartbeatTimer(act);
  return { cancelRequested: act.cancelRequested };
}

export function completeActivity(act: ActivityState, result: Payloads | undefined, identity: string): void {
  finish(act, true, {
    type: 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
    attributes: { result, scheduledEventId: act.scheduledEventId, identity },
  });
}

export function canceledActivity(act: ActivityState, details: Payloads | undefined, identity: string): void {
  finish(act, true, {
    type: 'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
    attributes: {
      details,
      latestCancelRequestedEventId: act.cancelRequestedEventId,
      scheduledEventId: act.scheduledEventId,
      identity,
    },
  });
}

/** A failed attempt (worker-reported, or a start-to-close / heartbeat timeout): retry or fail for good. */
export function attemptFailed(act: ActivityState, failure: Failure, identity: string, lastHeartbeatDetails?: Payloads): void {
  const run = act.run;
  if (lastHeartbeatDetails) act.heartbeatDetails = lastHeartbeatDetails;
  const clock = run.host.clock;
  const now = clock.now();
  const expiration = act.timeouts.scheduleToCloseMs > 0 ? act.scheduledTimeMs + act.timeouts.scheduleToCloseMs : 0;
  // A cancel-requested activity is not retried: the workflow is waiting for it to end.
  const decision = act.cancelRequested
    ? ({ retry: false, state: 'RETRY_STATE_CANCEL_REQUESTED' } as const)
    : decideRetry(act.retryPolicy, act.attempt, failure, now, expiration, 'activity');
  if (decision.retry) {
    act.clearTimer('startToClose');
    act.clearTimer('heartbeat');
    act.lastFailure = failure;
    act.lastWorkerIdentity = identity || act.startedIdentity;
    act.attempt += 1;
    act.phase = 'backoff';
    // Waiting out a backoff is not work: time may skip over it.
    act.lock.release();
    act.setTimer('backoff', now + decision.delayMs, () => {
      if (!run.isOpen || !isCurrent(act) || act.phase !== 'backoff') return;
      act.lock.acquire();
      act.currentAttemptScheduledTimeMs = clock.now();
      dispatchActivity(act);
    });
    return;
  }
  const timeoutType = failure.timeoutFailureInfo?.timeoutType;
  if (timeoutType) {
    finish(act, true, {
      type: 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
      attributes: { failure, scheduledEventId: act.scheduledEventId, retryState: decision.state },
    });
  } else {
    finish(act, true, {
      type: 'EVENT_TYPE_ACTIVITY_TASK_FAILED',
      attributes: { failure, scheduledEventId: act.scheduledEventId, identity, retryState: decision.state },
    });
  }
}

function timeoutFailure(act: ActivityState, type: TimeoutType): Failure {
  const name = type.replace(/^TIMEOUT_TYPE_/, '').toLowerCase().replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
  return {
    message: `activity ${name} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType: type, lastHeartbeatDetails: act.heartbeatDetails },
    cause: act.lastFailure,
  };
}

/** Schedule-to-start and schedule-to-close timeouts are final, whatever the retry policy says. */
function timeOut(act: ActivityState, type: TimeoutType): void {
  if (!act.run.isOpen || !isCurrent(act)) return;
  const retryState: RetryState = 'RETRY_STATE_TIMEOUT';
  finish(act, act.phase === 'started', {
    type: 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT',
    attributes: { failure: timeoutFailure(act, type), scheduledEventId: act.scheduledEventId, retryState },
  });
}

/**
 * Final outcome: ActivityTaskStarted (when an attempt is running) then the
 * terminal event, written together or buffered together.
 */
function finish(act: ActivityState, withStarted: boolean, terminal: PendingEvent): void {
  const run = act.run;
  act.release();
  run.activities.delete(act.scheduledEventId);
  run.activityIds.delete(act.activityId);
  terminal.attributes.startedEventId = 0;
  if (!withStarted || act.phase !== 'started') {
    run.addExternal(terminal);
    return;
  }
  const started: PendingEvent = {
    type: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
    attributes: {
      scheduledEventId: act.scheduledEventId,
      identity: act.startedIdentity,
      requestId: act.startedRequestId,
      attempt: act.attempt,
      lastFailure: act.lastFailure,
    },
    onAssign: (id) => {
      terminal.attributes.startedEventId = id;
    },
  };
  run.addExternal(started, terminal);
}

/**
 * RequestCancelActivityTask. A queued or backing-off activity is cancelled at
 * once (returns true: the workflow needs a new task to learn it); a running
 * one is flagged and learns it from its next heartbeat response. An activity
 * whose result is still buffered only gets the request recorded.
 */
export function requestCancelActivity(run: WorkflowRun, scheduledEventId: number, wftCompletedEventId: number, identity: string): boolean {
  const event = run.appendNow('EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED', {
    scheduledEventId,
    workflowTaskCompletedEventId: wftCompletedEventId,
  });
  const act = run.activities.get(scheduledEventId);
  if (!act) return false;
  act.cancelRequested = true;
  act.cancelRequestedEventId = event.eventId;
  if (act.phase === 'started') return false;
  act.release();
  run.activities.delete(act.scheduledEventId);
  run.activityIds.delete(act.activityId);
  run.appendNow('EVENT_TYPE_ACTIVITY_TASK_CANCELED', {
    scheduledEventId,
    startedEventId: 0,
    latestCancelRequestedEventId: event.eventId,
    identity,
  });
  return true;
}

/** True when the activity's terminal event is buffered: a cancel request for it is recorded and otherwise ignored. */
export function hasBufferedOutcome(run: WorkflowRun, scheduledEventId: number): boolean {
  return run.hasBufferedEvents(
    (e) => e.type !== 'EVENT_TYPE_ACTIVITY_TASK_STARTED' && e.type.startsWith('EVENT_TYPE_ACTIVITY_TASK_') && e.attributes.scheduledEventId === scheduledEventId,
  );
}

/** For DescribeWorkflowExecution. */
export function describePending(act: ActivityState): WireObject {
  const state = act.cancelRequested
    ? 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED'
    : act.phase === 'started'
      ? 'PENDING_ACTIVITY_STATE_STARTED'
      : 'PENDING_ACTIVITY_STATE_SCHEDULED';
  const a = act.scheduledAttributes;
  return {
    activityId: act.activityId,
    activityType: a.activityType,
    state,
    heartbeatDetails: act.heartbeatDetails,
    lastHeartbeatTime: act.lastHeartbeatTimeMs ? msTimestamp(act.lastHeartbeatTimeMs) : undefined,
    lastStartedTime: act.startedTimeMs ? msTimestamp(act.startedTimeMs) : undefined,
    attempt: act.attempt,
    maximumAttempts: act.retryPolicy.maximumAttempts,
    scheduledTime: msTimestamp(act.currentAttemptScheduledTimeMs),
    expirationTime: act.timeouts.scheduleToCloseMs > 0 ? msTimestamp(act.scheduledTimeMs + act.timeouts.scheduleToCloseMs) : undefined,
    lastFailure: act.lastFailure,
    lastWorkerIdentity: act.lastWorkerIdentity || act.startedIdentity,
    activityOptions: {
      taskQueue: a.taskQueue,
      scheduleToCloseTimeout: a.scheduleToCloseTimeout,
      scheduleToStartTimeout: a.scheduleToStartTimeout,
      startToCloseTimeout: a.startToCloseTimeout,
      heartbeatTimeout: a.heartbeatTimeout,
      retryPolicy: a.retryPolicy,
    },
  };
}
