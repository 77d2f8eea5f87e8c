/**
 * The shapes of the protobuf messages as the gRPC loader hands them over
 * (camelCase, int64 as number, enums as names, bytes as Buffer, absent fields
 * undefined). Only the fields the server reads or writes are spelled out; the
 * rest pass through untouched.
 */
import type { temporal } from '@temporalio/proto';

type EnumName<E> = Exclude<keyof E, number>;
export type EventType = EnumName<typeof temporal.api.enums.v1.EventType>;
export type CommandType = EnumName<typeof temporal.api.enums.v1.CommandType>;
export type WorkflowTaskFailedCause = EnumName<typeof temporal.api.enums.v1.WorkflowTaskFailedCause>;
export type RetryState = EnumName<typeof temporal.api.enums.v1.RetryState>;
export type TimeoutType = EnumName<typeof temporal.api.enums.v1.TimeoutType>;
export type WorkflowExecutionStatus = EnumName<typeof temporal.api.enums.v1.WorkflowExecutionStatus>;
export type IdReusePolicy = EnumName<typeof temporal.api.enums.v1.WorkflowIdReusePolicy>;
export type IdConflictPolicy = EnumName<typeof temporal.api.enums.v1.WorkflowIdConflictPolicy>;
export type UpdateStage = EnumName<typeof temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage>;
export type ParentClosePolicy = EnumName<typeof temporal.api.enums.v1.ParentClosePolicy>;
export type IndexedValueType = EnumName<typeof temporal.api.enums.v1.IndexedValueType>;

export interface Timestamp {
  seconds?: number;
  nanos?: number;
}
export type Duration = Timestamp;

export interface AnyMessage {
  type_url?: string;
  value?: Uint8Array;
}

export interface Payload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}
export interface Payloads {
  payloads?: Payload[];
}
export interface Header {
  fields?: Record<string, Payload>;
}
export interface Memo {
  fields?: Record<string, Payload>;
}
export interface SearchAttributes {
  indexedFields?: Record<string, Payload>;
}
export interface WorkflowExecution {
  workflowId?: string;
  runId?: string;
}
export interface WorkflowType {
  name?: string;
}
export interface TaskQueue {
  name?: string;
  kind?: string;
  normalName?: string;
}
export interface RetryPolicy {
  initialInterval?: Duration;
  backoffCoefficient?: number;
  maximumInterval?: Duration;
  maximumAttempts?: number;
  nonRetryableErrorTypes?: string[];
}

export interface ApplicationFailureInfo {
  type?: string;
  nonRetryable?: boolean;
  details?: Payloads;
  nextRetryDelay?: Duration;
  category?: string;
}

export interface Failure {
  message?: string;
  source?: string;
  stackTrace?: string;
  encodedAttributes?: Payload;
  cause?: Failure;
  applicationFailureInfo?: ApplicationFailureInfo;
  timeoutFailureInfo?: { timeoutType?: TimeoutType; lastHeartbeatDetails?: Payloads };
  canceledFailureInfo?: { details?: Payloads };
  terminatedFailureInfo?: Record<string, never>;
  serverFailureInfo?: { nonRetryable?: boolean };
  [other: string]: unknown;
}

/** Event attributes are kept as loosely typed objects: the server copies most of them from commands verbatim. */
export type Attributes = Record<string, unknown>;

export interface HistoryEvent {
  eventId: number;
  eventTime: Timestamp;
  eventType: EventType;
  taskId: number;
  [attributesKey: string]: unknown;
}

export interface Command {
  commandType?: CommandType;
  [attributesKey: string]: unknown;
}

export interface ProtocolMessage {
  id?: string;
  protocolInstanceId?: string;
  eventId?: number;
  commandIndex?: number;
  body?: AnyMessage;
}
