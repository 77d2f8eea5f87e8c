/**
 * Turns tool and LLM errors into ApplicationFailures whose `type` comes from
 * {@link ErrorCode}. Retryability is decided here, by error class, and the
 * workflow's retry policy lists the non-retryable types as well.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ToolBadRequestError, ToolError, ToolNotFoundError } from '../tools/errors';
import { LlmUnavailableError } from '../llm/types';
import { ErrorCode } from '../workflows/contract';

/** Details attached to a tool failure (first element of `ApplicationFailure.details`). */
export interface ToolFailureDetails {
  operation: string;
  /** HTTP status when the backend answered. */
  status?: number;
  /** Backend error code, e.g. "order_not_found", "shipment_not_found", "order_not_cancellable", "timeout". */
  code?: string;
}

export function toolFailure(err: ToolError): ApplicationFailure {
  const details: ToolFailureDetails = { operation: err.operation, status: err.status, code: err.code };
  const type =
    err instanceof ToolNotFoundError
      ? ErrorCode.ToolNotFound
      : err instanceof ToolBadRequestError
        ? ErrorCode.ToolBadRequest
        : ErrorCode.ToolUnavailable;
  return ApplicationFailure.create({
    type,
    message: err.message,
    nonRetryable: !err.retryable,
    details: [details],
  });
}

/** Maps known errors; anything else (cancellation, bugs) is returned unchanged. */
export function toFailure(err: unknown): unknown {
  if (err instanceof ToolError) return toolFailure(err);
  if (err instanceof LlmUnavailableError) {
    return ApplicationFailure.create({ type: ErrorCode.LlmUnavailable, message: err.message, nonRetryable: false });
  }
  return err;
}
