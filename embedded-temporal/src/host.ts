/**
 * What a workflow run needs from its namespace, kept as an interface so the
 * run's state machine does not depend on how runs are stored and found.
 */
import type { ServerClock } from './clock-types';
import type { Matching } from './matching';
import type { NormalizedRetryPolicy } from './retry';
import type { WorkflowRun } from './run';
import type { Attributes, Memo, Payload } from './wire';

export type WireObject = Record<string, unknown>;

export interface ServerConfig {
  /** Longest a task-queue poll parks before answering empty (the core's own deadline is 70 s). */
  pollTimeoutMs: number;
  /** Longest a history long poll (behind `handle.result()`) waits before answering empty. */
  historyPollTimeoutMs: number;
  /** Longest an update call blocks waiting for its stage before answering with the stage reached. */
  updateWaitMs: number;
  /** Events per history page, in poll responses and GetWorkflowExecutionHistory (the real server's default is 256). */
  historyPageSize: number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  pollTimeoutMs: 55_000,
  historyPollTimeoutMs: 20_000,
  updateWaitMs: 20_000,
  historyPageSize: 256,
};

export interface ParentInfo {
  namespace: string;
  namespaceId: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

/** Everything a new run starts from; the namespace builds it for start, continue-as-new, retry and child start. */
export interface RunInit {
  workflowId: string;
  runId: string;
  firstExecutionRunId: string;
  workflowType: string;
  taskQueue: string;
  /** Attributes of WorkflowExecutionStarted, complete. */
  startedAttributes: Attributes;
  workflowTaskTimeoutMs: number;
  runTimeoutMs: number;
  /** Absolute deadline of the whole chain (execution timeout); 0 = none. */
  executionExpirationMs: number;
  retryPolicy?: NormalizedRetryPolicy;
  attempt: number;
  firstTaskBackoffMs: number;
  memo: Memo['fields'];
  /** Decoded search attribute values (see visibility/). */
  searchAttributes: Record<string, unknown>;
  requestId: string;
  parent?: ParentInfo;
  root: { workflowId: string; runId: string };
  /** Signal-with-start: the signal goes in before the first workflow task. */
  initialSignal?: Attributes;
}

export interface RunHost {
  readonly name: string;
  readonly id: string;
  readonly clock: ServerClock;
  readonly config: ServerConfig;
  readonly matching: Matching<WireObject, WireObject>;
  log(line: string): void;
  /** Creates and begins the next run of a chain (continue-as-new, retry); makes it the current run. */
  continueRun(previous: WorkflowRun, init: RunInit): WorkflowRun;
  /** The run (or execution) timeout fired on an open run: decide on a retry and close it. */
  runTimedOut(run: WorkflowRun): void;
  /** Called once a run has closed and its close event is written. */
  runClosed(run: WorkflowRun): void;
  startChild(parent: WorkflowRun, initiatedEventId: number, attributes: Attributes): void;
  signalExternal(source: WorkflowRun, initiatedEventId: number, attributes: Attributes): void;
  cancelExternal(source: WorkflowRun, initiatedEventId: number, attributes: Attributes): void;
  /** Decoded values (null = remove); throws SearchAttributeError for unregistered names or values of the wrong type. */
  decodeSearchAttributes(indexed: Record<string, Payload> | undefined): Record<string, unknown>;
  /** Typed payloads (with `metadata.type`) for decoded values. */
  encodeSearchAttributes(values: Record<string, unknown>): Record<string, Payload>;
}
