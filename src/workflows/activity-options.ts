/**
 * Timeouts and retry policies of every activity the conversation workflow
 * calls, in one place. Temporal owns the retries (the OpenAI client runs with
 * maxRetries 0, the tool client never retries on its own).
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { ErrorCode } from './contract';

/**
 * Business tools: exponential backoff 1s, 2s, 4s (capped at 10s), four
 * attempts in all. Bad input and "not found" are definite answers and are
 * not retried.
 */
export const TOOL_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '10s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [ErrorCode.ToolBadRequest, ErrorCode.ToolNotFound, ErrorCode.InvalidInput],
  },
} satisfies ActivityOptions;

/** LLM wording (reply phrasing, handover summary): these fall back to their input themselves, so two attempts suffice. */
export const LLM_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 2 },
} satisfies ActivityOptions;

/**
 * Understanding: 15s leaves room for the LLM layer when it is configured.
 * An ordinary activity since NO_LOCAL_ACTIVITIES (workflows/runtime.ts);
 * runs started before that keep the local activity.
 */
export const UNDERSTAND_OPTIONS = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumAttempts: 2 },
} satisfies ActivityOptions & LocalActivityOptions;

/**
 * Publishing to the event bus (an ordinary activity since NO_LOCAL_ACTIVITIES,
 * local before): it is quick, and the transcript stays the source of truth
 * (clients resume by seq), so a lost event after five attempts is logged,
 * not fatal.
 */
export const PUBLISH_OPTIONS = {
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
} satisfies ActivityOptions & LocalActivityOptions;

/** FAQ lookup: an in-memory pick in the worker; the queue goes on without suggestions if it fails twice. */
export const FAQ_OPTIONS = {
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumAttempts: 2 },
} satisfies ActivityOptions;

/** Attempts a tool gets before its failure reaches the policy (for the tool call record). */
export const TOOL_MAX_ATTEMPTS = TOOL_ACTIVITY_OPTIONS.retry.maximumAttempts;
