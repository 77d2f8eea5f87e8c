/**
 * Errors that become gRPC statuses. Handlers throw these; the RPC wrapper maps
 * them, and maps anything else to INTERNAL, because an uncaught exception in a
 * grpc-js handler becomes UNKNOWN, which the SDK retries as if it were
 * transient.
 */
import { status } from '@grpc/grpc-js';
import { packAny } from './proto';
import type { AnyMessage } from './wire';

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly details: AnyMessage[] = [],
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

const ERRORS = 'temporal.api.errordetails.v1';

export function invalidArgument(message: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, message);
}

export function notFound(message: string): RpcError {
  return new RpcError(status.NOT_FOUND, message, [
    packAny(`${ERRORS}.NotFoundFailure`, { currentCluster: 'active', activeCluster: 'active' }),
  ]);
}

export function workflowNotFound(workflowId: string, runId?: string): RpcError {
  const which = runId ? `workflowId=${workflowId} runId=${runId}` : `workflowId=${workflowId}`;
  return notFound(`workflow execution not found (${which})`);
}

export function workflowClosed(): RpcError {
  return notFound('workflow execution already completed');
}

export function namespaceNotFound(namespace: string): RpcError {
  return new RpcError(status.NOT_FOUND, `Namespace ${namespace} is not found.`, [
    packAny(`${ERRORS}.NamespaceNotFoundFailure`, { namespace }),
  ]);
}

export function alreadyStarted(message: string, startRequestId: string, runId: string): RpcError {
  return new RpcError(status.ALREADY_EXISTS, message, [
    packAny(`${ERRORS}.WorkflowExecutionAlreadyStartedFailure`, { startRequestId, runId }),
  ]);
}

export function alreadyExists(message: string): RpcError {
  return new RpcError(status.ALREADY_EXISTS, message);
}

export function failedPrecondition(message: string): RpcError {
  return new RpcError(status.FAILED_PRECONDITION, message);
}

export function resourceExhausted(message: string): RpcError {
  return new RpcError(status.RESOURCE_EXHAUSTED, message);
}

export function unimplemented(message: string): RpcError {
  return new RpcError(status.UNIMPLEMENTED, message);
}

export function queryFailed(message: string, failure?: Record<string, unknown>): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, message, [packAny(`${ERRORS}.QueryFailedFailure`, failure ? { failure } : {})]);
}
