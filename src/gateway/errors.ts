/**
 * API errors: one code vocabulary for HTTP bodies and WebSocket error frames,
 * and the one place that turns Temporal client errors into them.
 *
 * Temporal errors are recognised by class and by `ApplicationFailure.type`
 * (the contract's {@link ErrorCode}), never by message text.
 */
import type { ErrorRequestHandler } from 'express';
import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { ErrorCode } from '../workflows/contract';
import type { Logger } from '../logger';

/** Codes the gateway answers with; the workflow's own codes keep their wire values. */
export const ApiErrorCode = {
  InvalidInput: ErrorCode.InvalidInput,
  NotWaiting: ErrorCode.NotWaiting,
  AlreadyClaimed: ErrorCode.AlreadyClaimed,
  NotAssigned: ErrorCode.NotAssigned,
  Closed: ErrorCode.Closed,
  /** The conversation's earlier entries are gone (Temporal lost its workflow); the next message starts it again. */
  ConversationLost: 'conversation_lost',
  MalformedJson: 'malformed_json',
  UnknownFrame: 'unknown_frame',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  RateLimited: 'rate_limited',
  HumanRequestLimit: 'human_request_limit',
  AtCapacity: 'at_capacity',
  OfferNotFound: 'offer_not_found',
  NotAvailable: 'not_available',
  PayloadTooLarge: 'payload_too_large',
  Unavailable: 'temporal_unavailable',
  Internal: 'internal_error',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

const STATUS: Record<ApiErrorCode, number> = {
  [ApiErrorCode.InvalidInput]: 400,
  [ApiErrorCode.MalformedJson]: 400,
  [ApiErrorCode.UnknownFrame]: 400,
  [ApiErrorCode.Unauthorized]: 401,
  [ApiErrorCode.Forbidden]: 403,
  [ApiErrorCode.NotAssigned]: 403,
  [ApiErrorCode.NotFound]: 404,
  [ApiErrorCode.OfferNotFound]: 404,
  [ApiErrorCode.NotWaiting]: 409,
  [ApiErrorCode.AlreadyClaimed]: 409,
  [ApiErrorCode.Closed]: 409,
  [ApiErrorCode.ConversationLost]: 410,
  [ApiErrorCode.AtCapacity]: 409,
  [ApiErrorCode.NotAvailable]: 409,
  [ApiErrorCode.PayloadTooLarge]: 413,
  [ApiErrorCode.RateLimited]: 429,
  [ApiErrorCode.HumanRequestLimit]: 429,
  [ApiErrorCode.Internal]: 500,
  [ApiErrorCode.Unavailable]: 503,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS[code];
  }

  toJSON(): { error: { code: ApiErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

const WORKFLOW_CODES = new Set<string>([ErrorCode.NotWaiting, ErrorCode.AlreadyClaimed, ErrorCode.NotAssigned, ErrorCode.Closed]);

/**
 * Maps what the Temporal client throws to an {@link ApiError}. Update
 * validators reject with an ApplicationFailure whose `type` is an ErrorCode;
 * that failure arrives as the `cause` of WorkflowUpdateFailedError.
 */
export function toApiError(error: unknown, conversationId?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) {
    return new ApiError(ApiErrorCode.NotFound, `conversation ${conversationId ?? error.workflowId} not found`);
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    // Only reachable through signal-with-start on a finished conversation (id reuse is rejected).
    return new ApiError(ApiErrorCode.Closed, 'the conversation is closed');
  }
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : error;
  if (failure instanceof ApplicationFailure && failure.type && WORKFLOW_CODES.has(failure.type)) {
    return new ApiError(failure.type as ApiErrorCode, failure.message);
  }
  if (failure instanceof ApplicationFailure && failure.type === ErrorCode.InvalidInput) {
    return new ApiError(ApiErrorCode.InvalidInput, failure.message);
  }
  const grpc = grpcCode(error);
  if (grpc === GRPC_UNAVAILABLE) return new ApiError(ApiErrorCode.Unavailable, 'Temporal is not reachable right now');
  if (grpc === GRPC_DEADLINE_EXCEEDED) return new ApiError(ApiErrorCode.Unavailable, 'Temporal did not answer in time');
  if (grpc === GRPC_RESOURCE_EXHAUSTED) return new ApiError(ApiErrorCode.Unavailable, 'Temporal is busy right now; try again shortly');
  return new ApiError(ApiErrorCode.Internal, 'internal error');
}

const GRPC_UNAVAILABLE = grpcStatus.UNAVAILABLE;
const GRPC_DEADLINE_EXCEEDED = grpcStatus.DEADLINE_EXCEEDED;
const GRPC_RESOURCE_EXHAUSTED = grpcStatus.RESOURCE_EXHAUSTED;

/** The gRPC status code of a client error or of its causes (the SDK wraps some of them). */
function grpcCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let i = 0; i < 4 && current && typeof current === 'object'; i++) {
    if (isGrpcServiceError(current)) return current.code;
    const code = (current as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** JSON errors only: never a stack trace, never an HTML page. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // express.json() reports unparsable bodies as a SyntaxError with status 400.
    const bodyError = err as { type?: string; status?: number };
    let apiError: ApiError;
    if (bodyError?.type === 'entity.parse.failed') {
      apiError = new ApiError(ApiErrorCode.MalformedJson, 'request body is not valid JSON');
    } else if (bodyError?.type === 'entity.too.large') {
      apiError = new ApiError(ApiErrorCode.PayloadTooLarge, 'request body is too large');
    } else {
      apiError = toApiError(err, typeof req.params?.id === 'string' ? req.params.id : undefined);
    }
    if (apiError.status >= 500) {
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    }
    res.status(apiError.status).json(apiError.toJSON());
  };
}
