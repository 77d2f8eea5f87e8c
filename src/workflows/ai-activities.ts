/**
 * The AI's activities: understanding, business tools run on the AI's
 * initiative, reply phrasing and the handover summary.
 *
 * Only phases/ai.ts imports this module. The QUEUED and HUMAN phase code
 * cannot reach these functions, which is what "the AI is silent during a
 * human takeover" rests on (test/workflows/structure.test.ts checks the imports).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ToolName } from './contract';
import { LLM_ACTIVITY_OPTIONS, TOOL_ACTIVITY_OPTIONS, UNDERSTAND_OPTIONS } from './activity-options';

export const { understand } = proxyActivities<Pick<Activities, 'understand'>>(UNDERSTAND_OPTIONS);

/** Understanding as runs started before NO_LOCAL_ACTIVITIES (workflows/runtime.ts) called it, kept so their histories replay. */
export const { understand: understandLocally } = proxyLocalActivities<Pick<Activities, 'understand'>>(UNDERSTAND_OPTIONS);

export type ToolActivities = Pick<Activities, ToolName>;

export const tools = proxyActivities<ToolActivities>(TOOL_ACTIVITY_OPTIONS);

/** The tools with the configured per-attempt timeout (PolicyConfig.toolTimeoutMs, from TOOL_TIMEOUT_MS). */
export function toolsWithTimeout(startToCloseTimeoutMs: number): ToolActivities {
  return proxyActivities<ToolActivities>({ ...TOOL_ACTIVITY_OPTIONS, startToCloseTimeout: startToCloseTimeoutMs });
}

export const { phraseReply, summarizeHandover } = proxyActivities<Pick<Activities, 'phraseReply' | 'summarizeHandover'>>(
  LLM_ACTIVITY_OPTIONS,
);
