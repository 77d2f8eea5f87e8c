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

export const { understand } = proxyLocalActivities<Pick<Activities, 'understand'>>(UNDERSTAND_OPTIONS);

export const tools = proxyActivities<Pick<Activities, ToolName>>(TOOL_ACTIVITY_OPTIONS);

export const { phraseReply, summarizeHandover } = proxyActivities<Pick<Activities, 'phraseReply' | 'summarizeHandover'>>(
  LLM_ACTIVITY_OPTIONS,
);
