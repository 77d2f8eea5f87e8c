/**
 * Helpers that read the running activity's context: idempotency keys and a
 * logger bound to the activity.
 */
import { createHash } from 'node:crypto';
import { Context, type Info } from '@temporalio/activity';
import type { Logger } from '../logger';

const SAFE_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Idempotency key of the current activity: stable across retries of the same
 * activity and across workflow replays, different for every other activity.
 *
 * The run id is part of it because activity ids are per-run sequence numbers
 * in the TypeScript SDK: after continue-as-new, a conversation's first
 * activity is "1" again, and a key of workflow id + activity id alone would
 * make the backend return the previous run's refund for a new one.
 */
export function idempotencyKeyFor(info: Info): string {
  const execution = info.workflowExecution;
  const raw = execution
    ? `${execution.workflowId}/${execution.runId}/${info.activityId}`
    : `${info.activityNamespace}/${info.activityType}/${info.activityId}`;
  // Workflow ids may hold characters a header cannot carry; hash those.
  return SAFE_KEY.test(raw) ? raw : `sha256-${createHash('sha256').update(raw).digest('hex')}`;
}

export function currentIdempotencyKey(): string {
  return idempotencyKeyFor(Context.current().info);
}

/** Child logger carrying the activity's identity (workflow id, activity type, attempt). */
export function activityLogger(base: Logger): Logger {
  const { info } = Context.current();
  return base.child({
    activity: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
    workflowId: info.workflowExecution?.workflowId,
  });
}

/**
 * When the activity was cancelled (an agent took over mid-turn), the SDK must
 * see a cancellation, whatever error the aborted client threw: rethrows the
 * signal's CancelledFailure in that case, and does nothing otherwise.
 */
export function throwIfCancelled(err: unknown): void {
  const { cancellationSignal } = Context.current();
  if (cancellationSignal.aborted) throw cancellationSignal.reason ?? err;
}
