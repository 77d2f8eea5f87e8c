/**
 * RespondWorkflowTaskCompleted / RespondWorkflowTaskFailed for one run:
 * token check, UnhandledCommand, command validation, then WorkflowTaskCompleted,
 * the command events in command order (update messages at the position of
 * their ProtocolMessage command), the buffered events, and the next task.
 * Side effects outside the run (activity dispatch, signals to other runs,
 * child starts) happen only after all of that is written.
 */
import {
  dispatchActivity,
  hasBufferedOutcome,
  normalizeSchedule,
  requestCancelActivity,
  scheduleActivity,
  type ActivityState,
  type NormalizedSchedule,
} from './activities';
import { checkContinueAsNew, continueAsNew, failWorkflow, withoutNulls } from './closing';
import { invalidArgument } from './errors';
import type { WireObject } from './host';
import { unpackAny } from './proto';
import { serverFailure, type WorkflowRun } from './run';
import { durationMs } from './time';
import type { TaskToken } from './tokens';
import type { UpdatePhase } from './updates';
import type { Attributes, Command, CommandType, Failure, Payload, ProtocolMessage, WorkflowTaskFailedCause } from './wire';

type WorkflowToken = Extract<TaskToken, { kind: 'workflow' }>;

export interface CompletionRequest {
  identity?: string;
  commands?: Command[];
  messages?: ProtocolMessage[];
  queryResults?: Record<string, WireObject>;
  forceCreateNewWorkflowTask?: boolean;
  /** Hand the next task back in the response, started (the SDK core asks for it while it caches the run). */
  returnNewWorkflowTask?: boolean;
  sdkMetadata?: WireObject;
  meteringMetadata?: WireObject;
  binaryChecksum?: string;
  workerVersion?: WireObject;
  deployment?: WireObject;
}

const CLOSING: ReadonlySet<CommandType> = new Set([
  'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION',
  'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION',
]);

const ATTRIBUTE_KEY: Partial<Record<CommandType, string>> = {};

/** COMMAND_TYPE_START_TIMER → startTimerCommandAttributes. */
function attributesOf<T = Attributes>(cmd: Command): T {
  const type = cmd.commandType ?? 'COMMAND_TYPE_UNSPECIFIED';
  let key = ATTRIBUTE_KEY[type];
  if (!key) {
    const words = type.replace(/^COMMAND_TYPE_/, '').toLowerCase().split('_');
    key = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('') + 'CommandAttributes';
    ATTRIBUTE_KEY[type] = key;
  }
  return ((cmd as Record<string, unknown>)[key] ?? {}) as T;
}

interface Problem {
  cause: WorkflowTaskFailedCause;
  message: string;
}

interface Validated {
  /** Normalised schedules, by command index. */
  schedules: Map<number, NormalizedSchedule>;
  /** Commands after the first closing one are ignored, as the real server does. */
  lastIndex: number;
}

const UPDATE = 'temporal.api.update.v1';

function messageKind(m: ProtocolMessage): 'acceptance' | 'rejection' | 'response' | undefined {
  const url = m.body?.type_url ?? '';
  if (url.endsWith(`/${UPDATE}.Acceptance`)) return 'acceptance';
  if (url.endsWith(`/${UPDATE}.Rejection`)) return 'rejection';
  if (url.endsWith(`/${UPDATE}.Response`)) return 'response';
  return undefined;
}

function validate(run: WorkflowRun, commands: Command[], messages: ProtocolMessage[]): Problem | Validated {
  const schedules = new Map<number, NormalizedSchedule>();
  const newActivityIds = new Set<string>();
  const newTimers = new Set<string>();
  const cancelledTimers = new Set<string>();
  let lastIndex = commands.length - 1;
  const unclaimed = new Map(messages.map((m) => [m.id ?? '', m]));
  const updateMessages = new UpdateMessageCheck(run);
  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i];
    const type = cmd.commandType;
    switch (type) {
      case 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK': {
        const n = normalizeSchedule(run, attributesOf(cmd));
        if (typeof n === 'string') return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', message: n };
        if (run.activityIds.has(n.activityId) || newActivityIds.has(n.activityId)) {
          return {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID',
            message: `Activity ID ${n.activityId} is already in use by a pending activity.`,
          };
        }
        newActivityIds.add(n.activityId);
        schedules.set(i, n);
        break;
      }
      case 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK': {
        const id = Number(attributesOf<{ scheduledEventId?: number }>(cmd).scheduledEventId ?? 0);
        if (!run.activities.has(id) && !hasBufferedOutcome(run, id)) {
          return {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES',
            message: `no pending activity with scheduled event id ${id}`,
          };
        }
        break;
      }
      case 'COMMAND_TYPE_START_TIMER': {
        const a = attributesOf<{ timerId?: string; startToFireTimeout?: { seconds?: number; nanos?: number } }>(cmd);
        const timerId = a.timerId ?? '';
        if (!timerId) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES', message: 'TimerId is not set.' };
        if ((durationMs(a.startToFireTimeout) ?? 0) <= 0) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES', message: 'A valid StartToFireTimeout is not set.' };
        }
        if ((run.timers.has(timerId) && !cancelledTimers.has(timerId)) || newTimers.has(timerId)) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID', message: `Timer ID ${timerId} is already in use.` };
        }
        newTimers.add(timerId);
        break;
      }
      case 'COMMAND_TYPE_CANCEL_TIMER': {
        const timerId = attributesOf<{ timerId?: string }>(cmd).timerId ?? '';
        const known = newTimers.has(timerId) || (run.isTimerCancellable(timerId) && !cancelledTimers.has(timerId));
        if (!known) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES', message: `no pending timer with id ${timerId}` };
        newTimers.delete(timerId);
        cancelledTimers.add(timerId);
        break;
      }
      case 'COMMAND_TYPE_RECORD_MARKER':
        if (!attributesOf<{ markerName?: string }>(cmd).markerName) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES', message: 'MarkerName is not set.' };
        }
        break;
      case 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES': {
        const fields = attributesOf<{ searchAttributes?: { indexedFields?: Record<string, Payload> } }>(cmd).searchAttributes?.indexedFields;
        if (!fields || Object.keys(fields).length === 0) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', message: 'SearchAttributes are not set.' };
        }
        try {
          run.host.decodeSearchAttributes(fields);
        } catch (err) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES', message: (err as Error).message };
        }
        break;
      }
      case 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES':
        break;
      case 'COMMAND_TYPE_PROTOCOL_MESSAGE': {
        // Each command takes its message out of this completion's messages: a second command naming it finds none.
        const id = attributesOf<{ messageId?: string }>(cmd).messageId ?? '';
        const m = unclaimed.get(id);
        if (!m) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message: `ProtocolMessageCommand referenced absent message ID ${id}` };
        }
        unclaimed.delete(id);
        const problem = updateMessages.check(m);
        if (problem) return problem;
        break;
      }
      case 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION':
      case 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION':
      case 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION':
        break;
      case 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION': {
        const problem = checkContinueAsNew(run, attributesOf(cmd));
        if (problem) return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES', message: problem };
        break;
      }
      case 'COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION': {
        const a = attributesOf<{ workflowId?: string; workflowType?: { name?: string } }>(cmd);
        if (!a.workflowId || !a.workflowType?.name) {
          return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES', message: 'WorkflowId and WorkflowType are required.' };
        }
        break;
      }
      case 'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION': {
        const a = attributesOf<{ execution?: { workflowId?: string }; signalName?: string }>(cmd);
        if (!a.execution?.workflowId || !a.signalName) {
          return {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
            message: 'Execution and SignalName are required.',
          };
        }
        break;
      }
      case 'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION':
        if (!attributesOf<{ workflowId?: string }>(cmd).workflowId) {
          return {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES',
            message: 'WorkflowId is required.',
          };
        }
        break;
      default:
        return { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED', message: `command ${type} is not supported by the embedded server` };
    }
    if (type && CLOSING.has(type)) {
      lastIndex = i;
      break;
    }
  }
  // Messages no command took are handled after the commands, in order. Once a closing command has run, the real
  // server no longer checks them: it aborts their updates instead.
  const closes = commands.slice(0, lastIndex + 1).some((c) => c.commandType !== undefined && CLOSING.has(c.commandType));
  for (const m of unclaimed.values()) {
    const problem = updateMessages.check(m, { stateless: closes });
    if (problem) return problem;
  }
  return { schedules, lastIndex };
}

/**
 * The real server's rules for update messages, applied in the order the
 * messages will be handled: the update must exist; an acceptance or a
 * rejection needs an update not yet accepted; a response needs one accepted
 * (earlier, or by an acceptance earlier in this completion). Anything else
 * fails the task with BadUpdateWorkflowExecutionMessage.
 */
class UpdateMessageCheck {
  private readonly phases = new Map<string, UpdatePhase>();

  constructor(private readonly run: WorkflowRun) {}

  check(m: ProtocolMessage, opts: { stateless?: boolean } = {}): Problem | undefined {
    const bad = (message: string): Problem => ({ cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', message });
    const kind = messageKind(m);
    if (!kind) return bad(`Message type ${m.body?.type_url ?? '(none)'} not supported`);
    const id = m.protocolInstanceId ?? '';
    const update = this.run.updates.get(id);
    if (!update) return bad(`update ${id} wasn't found on the server. This is most likely a transient error which will be resolved automatically by retries`);
    if (opts.stateless) return undefined;
    const phase = this.phases.get(id) ?? update.phase;
    const allowed: readonly UpdatePhase[] = kind === 'response' ? ['accepted'] : ['admitted', 'sent'];
    if (!allowed.includes(phase)) {
      return bad(`invalid state transition attempted for Update ${id}: received ${MESSAGE_TYPE[kind]} message while in state ${phase}`);
    }
    this.phases.set(id, kind === 'acceptance' ? 'accepted' : 'completed');
    return undefined;
  }
}

const MESSAGE_TYPE = { acceptance: 'Acceptance', rejection: 'Rejection', response: 'Response' } as const;

/**
 * A closing command while the buffer holds events the workflow has not seen
 * (other than ActivityTaskStarted, which is never shown alone). A TimerFired
 * for a timer this same completion cancels before closing does not count:
 * the cancel takes it back out of the buffer first, as on the real server.
 */
function hasUnhandledEvents(run: WorkflowRun, commands: Command[]): boolean {
  const closingAt = commands.findIndex((c) => c.commandType !== undefined && CLOSING.has(c.commandType));
  if (closingAt < 0) return false;
  const cancelledTimers = new Set(
    commands
      .slice(0, closingAt)
      .filter((c) => c.commandType === 'COMMAND_TYPE_CANCEL_TIMER')
      .map((c) => attributesOf<{ timerId?: string }>(c).timerId),
  );
  return run.hasBufferedEvents(
    (e) =>
      e.type !== 'EVENT_TYPE_ACTIVITY_TASK_STARTED' &&
      !(e.type === 'EVENT_TYPE_TIMER_FIRED' && cancelledTimers.has(e.attributes.timerId as string)),
  );
}

/** Fails the task for a reason found on completion, then answers INVALID_ARGUMENT as the real server does. */
function rejectCompletion(run: WorkflowRun, problem: Problem, identity: string): never {
  const message =
    problem.cause === 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND' ? 'UnhandledCommand' : `${causeName(problem.cause)}: ${problem.message}`;
  // From the second attempt on the real server drops the task and lets it time out, rather than adding failures to history.
  if (run.wft.attempt > 1 && problem.cause !== 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND') throw invalidArgument(message);
  run.failWorkflowTask('failed', { cause: problem.cause, failure: serverFailure(message), identity });
  throw invalidArgument(message);
}

/** WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES → BadStartTimerAttributes (the Go enum's String()). */
function causeName(cause: WorkflowTaskFailedCause): string {
  return cause
    .replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
}

export function completeWorkflowTask(run: WorkflowRun, token: WorkflowToken, req: CompletionRequest): WireObject {
  run.checkWorkflowTaskToken(token, 'completed');
  const identity = req.identity ?? '';
  const commands = req.commands ?? [];
  const messages = req.messages ?? [];

  if (hasUnhandledEvents(run, commands)) {
    rejectCompletion(run, { cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', message: '' }, identity);
  }
  const checked = validate(run, commands, messages);
  if ('cause' in checked) rejectCompletion(run, checked, identity);

  const { scheduledEventId, startedEventId } = run.wft;
  const completed = run.appendNow('EVENT_TYPE_WORKFLOW_TASK_COMPLETED', {
    scheduledEventId,
    startedEventId,
    identity,
    binaryChecksum: req.binaryChecksum,
    workerVersion: req.workerVersion,
    sdkMetadata: req.sdkMetadata,
    meteringMetadata: req.meteringMetadata,
    deployment: req.deployment,
  });
  run.endWorkflowTask();
  run.lastCompletedStartedEventId = startedEventId;
  const wftcId = completed.eventId;

  const toDispatch: ActivityState[] = [];
  const afterCommit: (() => void)[] = [];
  let cancelledUnstartedActivity = false;
  const messagesById = new Map(messages.map((m) => [m.id ?? '', m]));
  const handled = new Set<string>();

  const handleMessage = (m: ProtocolMessage) => {
    handled.add(m.id ?? '');
    if (!run.isOpen) return;
    applyUpdateMessage(run, m);
  };

  for (let i = 0; i <= checked.lastIndex && run.isOpen; i++) {
    const cmd = commands[i];
    switch (cmd.commandType) {
      case 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK':
        toDispatch.push(scheduleActivity(run, attributesOf(cmd), checked.schedules.get(i)!, wftcId));
        break;
      case 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK': {
        const id = Number(attributesOf<{ scheduledEventId?: number }>(cmd).scheduledEventId ?? 0);
        if (requestCancelActivity(run, id, wftcId, identity)) cancelledUnstartedActivity = true;
        break;
      }
      case 'COMMAND_TYPE_START_TIMER': {
        const a = attributesOf<{ timerId: string; startToFireTimeout: { seconds?: number; nanos?: number } }>(cmd);
        run.startTimer(a.timerId, durationMs(a.startToFireTimeout) ?? 0, wftcId);
        break;
      }
      case 'COMMAND_TYPE_CANCEL_TIMER':
        run.cancelTimer(attributesOf<{ timerId: string }>(cmd).timerId, wftcId, identity);
        break;
      case 'COMMAND_TYPE_RECORD_MARKER': {
        const a = attributesOf(cmd);
        run.appendNow('EVENT_TYPE_MARKER_RECORDED', {
          markerName: a.markerName,
          details: a.details,
          workflowTaskCompletedEventId: wftcId,
          header: a.header,
          failure: a.failure,
        });
        break;
      }
      case 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES': {
        const searchAttributes = attributesOf<{ searchAttributes: { indexedFields: Record<string, Payload> } }>(cmd).searchAttributes;
        run.appendNow('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { workflowTaskCompletedEventId: wftcId, searchAttributes });
        run.searchAttributes = withoutNulls({ ...run.searchAttributes, ...run.host.decodeSearchAttributes(searchAttributes.indexedFields) });
        break;
      }
      case 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES': {
        const upsertedMemo = attributesOf<{ upsertedMemo?: { fields?: Record<string, Payload> } }>(cmd).upsertedMemo;
        run.appendNow('EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED', { workflowTaskCompletedEventId: wftcId, upsertedMemo });
        mergeMemo(run.memo, upsertedMemo?.fields ?? {});
        break;
      }
      case 'COMMAND_TYPE_PROTOCOL_MESSAGE': {
        const m = messagesById.get(attributesOf<{ messageId: string }>(cmd).messageId);
        if (m) handleMessage(m);
        break;
      }
      case 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION':
        run.close('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', {
          result: attributesOf(cmd).result,
          workflowTaskCompletedEventId: wftcId,
        });
        break;
      case 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION':
        failWorkflow(run, (attributesOf(cmd).failure ?? {}) as Failure, wftcId);
        break;
      case 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION':
        run.close('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED', {
          details: attributesOf(cmd).details,
          workflowTaskCompletedEventId: wftcId,
        });
        break;
      case 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION':
        continueAsNew(run, attributesOf(cmd), wftcId);
        break;
      case 'COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION': {
        const a = attributesOf(cmd);
        const attributes: Attributes = {
          ...a,
          namespace: (a.namespace as string) || run.namespace,
          namespaceId: run.host.id,
          parentClosePolicy: (a.parentClosePolicy as string) || 'PARENT_CLOSE_POLICY_TERMINATE',
          workflowTaskCompletedEventId: wftcId,
        };
        const event = run.appendNow('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED', attributes);
        afterCommit.push(() => run.host.startChild(run, event.eventId, attributes));
        break;
      }
      case 'COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION': {
        const a = attributesOf(cmd);
        const attributes: Attributes = {
          ...a,
          namespace: (a.namespace as string) || run.namespace,
          namespaceId: run.host.id,
          workflowExecution: a.execution,
          workflowTaskCompletedEventId: wftcId,
        };
        delete attributes.execution;
        const event = run.appendNow('EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', attributes);
        afterCommit.push(() => run.host.signalExternal(run, event.eventId, attributes));
        break;
      }
      case 'COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION': {
        const a = attributesOf(cmd);
        const attributes: Attributes = {
          namespace: (a.namespace as string) || run.namespace,
          namespaceId: run.host.id,
          workflowExecution: { workflowId: a.workflowId, runId: a.runId },
          childWorkflowOnly: a.childWorkflowOnly,
          reason: a.reason,
          workflowTaskCompletedEventId: wftcId,
        };
        const event = run.appendNow('EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', attributes);
        afterCommit.push(() => run.host.cancelExternal(run, event.eventId, attributes));
        break;
      }
      default:
        break;
    }
  }
  for (const m of messages) if (!handled.has(m.id ?? '')) handleMessage(m);
  run.updates.rejectUnprocessed(startedEventId);
  run.queries.answerFromTask(req.queryResults as Record<string, WireObject> | undefined);

  let scheduledNext = false;
  if (run.isOpen) {
    const hadBuffered = run.flushBuffer();
    const owed = run.takeNeedWorkflowTask();
    if (
      owed ||
      hadBuffered ||
      req.forceCreateNewWorkflowTask ||
      cancelledUnstartedActivity ||
      run.updates.hasUnsent()
    ) {
      run.scheduleWorkflowTask();
      scheduledNext = true;
    }
  }
  // Started here, before anything else can happen to the run: see WorkflowRun.startWorkflowTaskInline.
  const workflowTask = scheduledNext && req.returnNewWorkflowTask ? run.startWorkflowTaskInline(identity) : undefined;
  run.releaseWorkflowTaskLockIfIdle();
  for (const act of toDispatch) dispatchActivity(act);
  for (const effect of afterCommit) effect();
  // Queries that arrived during this task ride along with the next one, or (as on the real server) go out as query tasks.
  if (!scheduledNext) run.queries.dispatchWaitingAsLegacy();
  run.notify();
  return workflowTask ? { workflowTask } : {};
}

export function failWorkflowTaskFromWorker(
  run: WorkflowRun,
  token: WorkflowToken,
  req: { cause?: WorkflowTaskFailedCause; failure?: Failure; identity?: string },
): WireObject {
  run.checkWorkflowTaskToken(token, 'failed');
  run.failWorkflowTask('failed', { cause: req.cause, failure: req.failure, identity: req.identity });
  return {};
}

function applyUpdateMessage(run: WorkflowRun, m: ProtocolMessage): void {
  const update = run.updates.get(m.protocolInstanceId ?? '');
  if (!update || update.phase === 'completed') return;
  switch (messageKind(m)) {
    case 'acceptance': {
      const body = unpackAny(m.body, `${UPDATE}.Acceptance`) ?? {};
      const event = run.appendNow('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', {
        protocolInstanceId: update.id,
        acceptedRequestMessageId: body.acceptedRequestMessageId,
        acceptedRequestSequencingEventId: body.acceptedRequestSequencingEventId,
        acceptedRequest: body.acceptedRequest ?? update.request,
      });
      run.updates.accept(update, event.eventId);
      break;
    }
    case 'response': {
      const body = unpackAny(m.body, `${UPDATE}.Response`) ?? {};
      run.appendNow('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', {
        meta: body.meta,
        acceptedEventId: update.acceptedEventId,
        outcome: body.outcome,
      });
      run.updates.complete(update, (body.outcome ?? {}) as WireObject);
      break;
    }
    case 'rejection': {
      const body = unpackAny(m.body, `${UPDATE}.Rejection`) ?? {};
      run.updates.complete(update, { failure: body.failure });
      break;
    }
    default:
      break;
  }
}

/** Memo upsert: a payload without data, or JSON null, removes the key. */
function mergeMemo(target: Record<string, Payload>, changes: Record<string, Payload>): void {
  for (const [key, payload] of Object.entries(changes)) {
    const data = payload?.data ? Buffer.from(payload.data).toString('utf8') : '';
    if (!payload?.data || payload.data.length === 0 || data === 'null') delete target[key];
    else target[key] = payload;
  }
}
