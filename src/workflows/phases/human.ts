/**
 * HUMAN phase: an agent has the conversation. Messages both ways are
 * recorded and relayed by the signal handlers; no AI activity is reachable
 * from here. The phase ends by release or transfer (updates), close
 * (signal), or agent silence: if the customer waits `agentSilenceMs` for an
 * answer, the conversation goes back to the queue with a higher priority.
 */
import { condition } from '@temporalio/workflow';
import { agentSilenceDeadline, requeueSilentAgent } from '../../domain';
import type { ConversationRuntime } from '../runtime';
import type { PhaseExit } from './types';

export async function runHumanPhase(rt: ConversationRuntime): Promise<PhaseExit> {
  while (rt.state.phase === 'human') {
    if (rt.shouldContinueAsNew()) return 'continue_as_new';
    const seenSeq = rt.state.nextSeq;
    const agentId = rt.state.agent?.id;
    // Any new entry or a different agent moves the silence deadline: recompute it.
    const changed = () =>
      rt.state.phase !== 'human' || rt.state.nextSeq !== seenSeq || rt.state.agent?.id !== agentId || rt.shouldContinueAsNew();
    const deadline = agentSilenceDeadline(rt.state, rt.policy);
    if (deadline === undefined) {
      await condition(changed);
      continue;
    }
    const moved = await condition(changed, Math.max(deadline - rt.nowMs(), 1));
    if (!moved && rt.state.phase === 'human') rt.apply(requeueSilentAgent(rt.state, rt.policy, rt.now()));
  }
  return 'phase_changed';
}
