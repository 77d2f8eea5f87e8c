/** The proto enum names of `temporal.api.enums.v1.IndexedValueType`, as the gRPC loader hands them over. */
export type IndexedValueType =
  | 'INDEXED_VALUE_TYPE_TEXT'
  | 'INDEXED_VALUE_TYPE_KEYWORD'
  | 'INDEXED_VALUE_TYPE_INT'
  | 'INDEXED_VALUE_TYPE_DOUBLE'
  | 'INDEXED_VALUE_TYPE_BOOL'
  | 'INDEXED_VALUE_TYPE_DATETIME'
  | 'INDEXED_VALUE_TYPE_KEYWORD_LIST';

export const INDEXED_VALUE_TYPES: readonly IndexedValueType[] = [
  'INDEXED_VALUE_TYPE_TEXT',
  'INDEXED_VALUE_TYPE_KEYWORD',
  'INDEXED_VALUE_TYPE_INT',
  'INDEXED_VALUE_TYPE_DOUBLE',
  'INDEXED_VALUE_TYPE_BOOL',
  'INDEXED_VALUE_TYPE_DATETIME',
  'INDEXED_VALUE_TYPE_KEYWORD_LIST',
];

export function isIndexedValueType(value: unknown): value is IndexedValueType {
  return typeof value === 'string' && (INDEXED_VALUE_TYPES as readonly string[]).includes(value);
}

/** The short names used in visibility queries and in the `ExecutionStatus` search attribute. */
export type ExecutionStatusName = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';

/**
 * What visibility knows about one run, with search attribute values already
 * decoded: Datetime as milliseconds since the epoch, KeywordList as string[],
 * Int and Double as numbers, Bool as boolean, Keyword and Text as strings.
 */
export interface VisibilityRecord {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatusName;
  startTime: number;
  closeTime?: number;
  executionTime: number;
  historyLength: number;
  executionDurationMs?: number;
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId?: string;
  rootRunId?: string;
  historySizeBytes?: number;
  /** Custom and predefined (TemporalChangeVersion, BuildIds, …) attributes by name. */
  searchAttributes: Record<string, unknown>;
}

/** proto-loader's shape of `temporal.api.common.v1.Payload`. */
export interface SearchAttributePayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}
