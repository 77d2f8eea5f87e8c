import { isIndexedValueType, type IndexedValueType } from './types';

export type SearchAttributeErrorKind =
  /** The name is not registered. */
  | 'UNKNOWN_ATTRIBUTE'
  /** A system attribute: cannot be registered, removed or set by a workflow. */
  | 'RESERVED_NAME'
  | 'INVALID_NAME'
  | 'INVALID_TYPE'
  /** A value that does not fit the attribute's registered type, or an unreadable payload. */
  | 'INVALID_VALUE';

/** Bad search attribute registration or value. The server maps it to INVALID_ARGUMENT (or BAD_SEARCH_ATTRIBUTES on upsert). */
export class SearchAttributeError extends Error {
  constructor(
    readonly kind: SearchAttributeErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SearchAttributeError';
  }
}

const K = 'INDEXED_VALUE_TYPE_KEYWORD';
const DT = 'INDEXED_VALUE_TYPE_DATETIME';
const INT = 'INDEXED_VALUE_TYPE_INT';
const KL = 'INDEXED_VALUE_TYPE_KEYWORD_LIST';
const BOOL = 'INDEXED_VALUE_TYPE_BOOL';

/** Attributes the server fills in itself, as a real Temporal lists them under `system_attributes`. */
const SYSTEM: Record<string, IndexedValueType> = {
  WorkflowId: K,
  RunId: K,
  WorkflowType: K,
  TaskQueue: K,
  ExecutionStatus: K,
  StartTime: DT,
  CloseTime: DT,
  ExecutionTime: DT,
  HistoryLength: INT,
  HistorySizeBytes: INT,
  ExecutionDuration: INT,
  StateTransitionCount: INT,
  ParentWorkflowId: K,
  ParentRunId: K,
  RootWorkflowId: K,
  RootRunId: K,
  TemporalNamespaceDivision: K,
  BatcherUser: K,
  BatcherNamespace: K,
  TemporalScheduledStartTime: DT,
  TemporalScheduledById: K,
  TemporalSchedulePaused: BOOL,
  TemporalPauseInfo: KL,
  TemporalWorkerDeploymentVersion: K,
  TemporalWorkerDeployment: K,
  TemporalWorkflowVersioningBehavior: K,
  // Predefined: listed as system, but written through workflow upserts (the SDK core upserts
  // TemporalChangeVersion for `patched()`).
  TemporalChangeVersion: KL,
  BinaryChecksums: KL,
  BuildIds: KL,
};

/** System attributes that a workflow (or the SDK on its behalf) may set. */
const WORKFLOW_SETTABLE_SYSTEM = new Set(['TemporalChangeVersion', 'BinaryChecksums', 'BuildIds']);

/** The custom attributes `temporal server start-dev` registers out of the box. */
const DEV_SERVER_CUSTOM: Record<string, IndexedValueType> = {
  CustomKeywordField: K,
  CustomStringField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomTextField: 'INDEXED_VALUE_TYPE_TEXT',
  CustomIntField: INT,
  CustomDoubleField: 'INDEXED_VALUE_TYPE_DOUBLE',
  CustomBoolField: BOOL,
  CustomDatetimeField: DT,
};

export interface SearchAttributeRegistryOptions {
  /** Pre-register the dev server's Custom*Field attributes (default true). */
  devServerCustomAttributes?: boolean;
}

/**
 * The search attributes of one namespace: fixed system attributes plus the
 * custom ones registered through OperatorService.AddSearchAttributes.
 */
export class SearchAttributeRegistry {
  private readonly custom = new Map<string, IndexedValueType>();

  constructor(options: SearchAttributeRegistryOptions = {}) {
    if (options.devServerCustomAttributes ?? true) {
      for (const [name, type] of Object.entries(DEV_SERVER_CUSTOM)) this.custom.set(name, type);
    }
  }

  /**
   * Registers a custom attribute. A name that is already registered is left
   * as it is, whatever type the call names: Temporal's server (SQL
   * visibility, as in its dev server) logs a warning, skips the name and
   * answers success. Validation happens before any change, so a rejected
   * call changes nothing.
   */
  add(name: string, type: string): void {
    validateName(name);
    if (!isIndexedValueType(type)) {
      throw new SearchAttributeError('INVALID_TYPE', `search attribute ${name}: unknown or unspecified type ${String(type)}`);
    }
    if (Object.hasOwn(SYSTEM, name)) {
      throw new SearchAttributeError('RESERVED_NAME', `search attribute ${name} is reserved by the system`);
    }
    if (!this.custom.has(name)) this.custom.set(name, type);
  }

  /** Adds several at once, all or nothing. */
  addAll(attributes: Record<string, string>): void {
    const probe = new SearchAttributeRegistry({ devServerCustomAttributes: false });
    for (const [name, type] of this.custom) probe.custom.set(name, type);
    for (const [name, type] of Object.entries(attributes)) probe.add(name, type);
    for (const [name, type] of Object.entries(attributes)) this.add(name, type);
  }

  /** Removes a custom attribute (RemoveSearchAttributes). */
  remove(name: string): void {
    if (Object.hasOwn(SYSTEM, name)) {
      throw new SearchAttributeError('RESERVED_NAME', `search attribute ${name} is a system attribute and cannot be removed`);
    }
    if (!this.custom.delete(name)) {
      throw new SearchAttributeError('UNKNOWN_ATTRIBUTE', `search attribute ${name} is not registered`);
    }
  }

  typeOf(name: string): IndexedValueType | undefined {
    return Object.hasOwn(SYSTEM, name) ? SYSTEM[name] : this.custom.get(name);
  }

  isSystem(name: string): boolean {
    return Object.hasOwn(SYSTEM, name);
  }

  /** Whether a workflow start or upsert may carry this attribute. */
  isSettable(name: string): boolean {
    return this.custom.has(name) || WORKFLOW_SETTABLE_SYSTEM.has(name);
  }

  list(): { customAttributes: Record<string, string>; systemAttributes: Record<string, string> } {
    return { customAttributes: Object.fromEntries(this.custom), systemAttributes: { ...SYSTEM } };
  }
}

function validateName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SearchAttributeError('INVALID_NAME', 'search attribute name must be a non-empty string');
  }
  if (name.length > 255) throw new SearchAttributeError('INVALID_NAME', `search attribute name is longer than 255 characters: ${name.slice(0, 40)}…`);
  // Queries refer to names as identifiers or in backticks; anything else could never be queried.
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new SearchAttributeError(
      'INVALID_NAME',
      `search attribute name ${JSON.stringify(name)} must start with a letter or underscore and contain only letters, digits, '_', '.' or '-'`,
    );
  }
}
