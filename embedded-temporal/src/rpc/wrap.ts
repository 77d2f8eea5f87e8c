/**
 * Turns handler functions into grpc-js unary handlers that can never answer
 * UNKNOWN: RpcErrors keep their code (and typed details, in
 * `grpc-status-details-bin`), bad search attributes and visibility queries
 * become INVALID_ARGUMENT, and anything unexpected becomes INTERNAL and is
 * logged. UNKNOWN would make the SDK retry a permanent bug.
 *
 * Mutating calls hold a time-skipping lock while they run (Java test server
 * model), so virtual time never jumps in the middle of a state change.
 */
import * as grpc from '@grpc/grpc-js';
import type { ServerClock } from '../clock-types';
import { failedPrecondition, invalidArgument, RpcError } from '../errors';
import { encodeStatusDetails } from '../proto';
import { SearchAttributeError, VisibilityQueryError } from '../visibility';

export type UnaryFn = (request: never, call: grpc.ServerUnaryCall<unknown, unknown>) => unknown;

export interface WrapOptions {
  clock: ServerClock;
  log: (line: string) => void;
  /** Methods that change state; they hold a clock lock while their synchronous part runs. */
  mutating: ReadonlySet<string>;
  /** Observes every call (method name) as it arrives; for tests and tracing. */
  onCall?: (method: string) => void;
}

export function toServiceError(err: unknown, method: string, log: (line: string) => void): Partial<grpc.ServiceError> {
  if (err instanceof RpcError) {
    const metadata = new grpc.Metadata();
    if (err.details.length > 0) metadata.set('grpc-status-details-bin', encodeStatusDetails(err.code, err.message, err.details));
    return { code: err.code, details: err.message, metadata };
  }
  if (err instanceof SearchAttributeError || err instanceof VisibilityQueryError) {
    return { code: grpc.status.INVALID_ARGUMENT, details: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  log(`internal error in ${method}: ${err instanceof Error ? (err.stack ?? message) : message}`);
  return { code: grpc.status.INTERNAL, details: `internal error in ${method}: ${message}` };
}

export function wrapUnary(method: string, fn: UnaryFn, opts: WrapOptions): grpc.handleUnaryCall<unknown, unknown> {
  const mutating = opts.mutating.has(method);
  return (call, callback) => {
    let result: unknown;
    try {
      opts.onCall?.(method);
      if (mutating) opts.clock.lock(`rpc ${method}`);
      try {
        result = fn(call.request as never, call);
      } finally {
        if (mutating) opts.clock.unlock(`rpc ${method}`);
      }
    } catch (err) {
      callback(toServiceError(err, method, opts.log) as grpc.ServiceError);
      return;
    }
    Promise.resolve(result).then(
      (response) => callback(null, response ?? {}),
      (err: unknown) => callback(toServiceError(err, method, opts.log) as grpc.ServiceError),
    );
  };
}

/** Every method of `service` gets a handler: the given one, or UNIMPLEMENTED naming the method. */
export function implementService(
  service: grpc.ServiceDefinition,
  handlers: Record<string, UnaryFn>,
  opts: WrapOptions,
): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, def] of Object.entries(service)) {
    const fn = handlers[name];
    if (fn) {
      impl[name] = wrapUnary(name, fn, opts);
    } else if (!def.requestStream && !def.responseStream) {
      impl[name] = (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        opts.onCall?.(name);
        callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown method ${name}: method not found (not implemented by the embedded Temporal server)` });
      };
    }
  }
  for (const name of Object.keys(handlers)) {
    if (!(name in service)) throw new Error(`handler ${name} does not match any method of the service`);
  }
  return impl;
}

/** The poll's long-poll budget: the configured maximum, or less when the client's deadline is nearer. */
export function pollBudgetMs(call: grpc.ServerUnaryCall<unknown, unknown>, maxMs: number): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  if (!Number.isFinite(at)) return maxMs;
  // Answer (empty) a little before the client gives up, so the answer is not lost.
  return Math.max(0, Math.min(maxMs, at - Date.now() - 1000));
}

/**
 * How long an update call (UpdateWorkflowExecution, PollWorkflowExecutionUpdate)
 * waits for its stage. As on the real server (`WaitLifecycleStage`), the
 * server's own wait ends with the stage reached so far; a caller's deadline
 * that comes first is not answered early (history long polls keep a 1 s
 * buffer, updates do not): the call runs out with DEADLINE_EXCEEDED, which
 * the client reports as WorkflowUpdateRPCTimeoutOrCancelledError.
 */
export function updateWaitMs(call: grpc.ServerUnaryCall<unknown, unknown>, maxMs: number): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const left = at - Date.now();
  if (!Number.isFinite(at) || left > maxMs) return maxMs;
  // grpc-js ends the call at its deadline; the wait only has to outlast it.
  return Math.max(0, left) + 1000;
}

/** The real server refuses a task-queue long poll with less than this much time left (common.MinLongPollTimeout). */
export const MIN_LONG_POLL_MS = 2000;

/**
 * A task-queue poll's budget, refusing the calls the real server refuses
 * (`ValidateLongPollContextTimeout`): no deadline at all is INVALID_ARGUMENT,
 * less than 2 s left is FAILED_PRECONDITION. Workers always send a deadline
 * (the SDK core's is 70 s); a hand-written client that forgets one should
 * learn it here, not in production.
 */
export function taskPollBudgetMs(call: grpc.ServerUnaryCall<unknown, unknown>, maxMs: number): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  if (!Number.isFinite(at)) throw invalidArgument('Context timeout is not set.');
  if (at - Date.now() < MIN_LONG_POLL_MS) throw failedPrecondition('Context timeout is too short.');
  return pollBudgetMs(call, maxMs);
}

export function onCancelled(call: grpc.ServerUnaryCall<unknown, unknown>): (cb: () => void) => void {
  return (cb) => {
    if (call.cancelled) cb();
    else call.once('cancelled', cb);
  };
}
