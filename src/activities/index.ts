/**
 * Switchboard's activities: the business tools, understanding, LLM wording
 * and event publishing, built by one factory from their clients.
 *
 * Workflows import only the type (`import type { Activities } from '../activities'`)
 * and proxy them; the worker builds the real ones with
 * {@link createActivitiesFromConfig}; tests pass fakes to {@link createActivities}.
 *
 * Failures carry an {@link ErrorCode} as `ApplicationFailure.type`:
 * `ToolBadRequest` and `ToolNotFound` are non-retryable, `ToolUnavailable` is
 * retryable (5xx, timeouts, connection errors). `phraseReply` and
 * `summarizeHandover` never fail on LLM trouble: they return the draft or
 * template they were given.
 *
 * @example
 * const activities = createActivities({ tools, nlu, bus, logger });
 * const worker = await Worker.create({ activities, taskQueue, workflowsPath });
 */
import type { EventBus } from '../bus/types';
import type { Config } from '../config';
import { createLlm } from '../llm';
import type { Llm } from '../llm/types';
import { createLogger, type Logger } from '../logger';
import { createUnderstander } from '../nlu';
import type { Understander } from '../nlu/types';
import { createHttpToolClient, type ToolClient } from '../tools/client';
import { loadFaq, type FaqEntry } from '../faq';
import { createEventActivities } from './events';
import { createFaqActivities } from './faq';
import { createReplyActivities } from './replies';
import { createToolActivities } from './tools';
import { createUnderstandActivity } from './understand';

export type { PhraseReplyInput, SummarizeHandoverInput } from './replies';
export type { SuggestFaqInput } from './faq';
export type { ToolFailureDetails } from './failures';
export { idempotencyKeyFor } from './context';

export interface ActivityDeps {
  tools: ToolClient;
  nlu: Understander;
  /** Undefined when OPENAI_API_KEY is unset: replies and summaries stay template-based. */
  llm?: Llm;
  bus: EventBus;
  logger?: Logger;
  /** FAQ entries for waiting customers; the default file's when omitted. */
  faq?: readonly FaqEntry[];
}

export function createActivities(deps: ActivityDeps) {
  const logger = deps.logger ?? createLogger({ name: 'activities' });
  return {
    ...createUnderstandActivity({ nlu: deps.nlu, logger }),
    ...createToolActivities({ tools: deps.tools, logger }),
    ...createReplyActivities({ llm: deps.llm, logger }),
    ...createEventActivities({ bus: deps.bus }),
    ...createFaqActivities({ faq: deps.faq ?? loadFaq() }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * HTTP timeout of one tool call: half a second under the tool activities'
 * startToCloseTimeout (TOOL_TIMEOUT_MS, which the workflow gets through its
 * policy), so a slow backend is reported as ToolUnavailable with a reason, not
 * as a bare activity timeout — and a slow but working backend within the
 * configured time is not a failure.
 */
export function toolHttpTimeoutMs(config: Pick<Config, 'TOOL_TIMEOUT_MS'>): number {
  return Math.max(500, config.TOOL_TIMEOUT_MS - 500);
}

/**
 * Builds real deps from config: the HTTP tool client on `toolsBaseUrl` (or
 * TOOLS_BASE_URL, or the sample backend on COMMERCE_PORT), the LLM when
 * OPENAI_API_KEY is set, and the NLU understander with the LLM layer when
 * configured.
 */
export function createActivitiesFromConfig(
  config: Config,
  extra: { bus: EventBus; logger?: Logger; toolsBaseUrl?: string },
): Activities {
  const baseUrl = extra.toolsBaseUrl ?? config.TOOLS_BASE_URL ?? `http://127.0.0.1:${config.COMMERCE_PORT}`;
  const logger = extra.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'activities' });
  const llm = createLlm(config, { logger });
  const nlu = createUnderstander({
    llm,
    onLlmError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'LLM intent layer failed; answered locally'),
  });
  return createActivities({
    tools: createHttpToolClient({ baseUrl, timeoutMs: toolHttpTimeoutMs(config) }),
    nlu,
    llm,
    bus: extra.bus,
    logger,
    faq: loadFaq(config.FAQ_FILE ?? undefined),
  });
}
