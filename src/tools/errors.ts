/**
 * Typed tool errors. The activities map them to ApplicationFailure types from
 * ErrorCode: the class decides retryability, never the message.
 */

export interface ToolErrorInfo {
  /** Tool operation, e.g. "getOrder". */
  operation: string;
  /** HTTP status when the backend answered. */
  status?: number;
  /** The backend's `error.code` when it sent one (e.g. "order_not_found", "shipment_not_found"). */
  code?: string;
}

export abstract class ToolError extends Error {
  abstract readonly retryable: boolean;
  readonly operation: string;
  readonly status?: number;
  readonly code?: string;

  constructor(message: string, info: ToolErrorInfo, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = info.operation;
    this.status = info.status;
    this.code = info.code;
  }

  toJSON(): ToolErrorInfo & { message: string } {
    return { message: this.message, operation: this.operation, status: this.status, code: this.code };
  }
}

/** The request was refused as invalid (400/422). Retrying the same request cannot help. */
export class ToolBadRequestError extends ToolError {
  readonly retryable = false;
  override readonly name = 'ToolBadRequestError';
}

/** The order, shipment or customer does not exist (404). A fact, not an outage. */
export class ToolNotFoundError extends ToolError {
  readonly retryable = false;
  override readonly name = 'ToolNotFoundError';
}

/** 5xx, timeout, connection failure or an unusable response. Worth retrying. */
export class ToolUnavailableError extends ToolError {
  readonly retryable = true;
  override readonly name = 'ToolUnavailableError';
}
