/**
 * Queue wait estimate: a pure helper for status messages. It needs the
 * queue position and staffing, which only the desk (visibility + agent
 * roster) knows, so the gateway calls it; the workflow does not guess.
 */
export interface WaitEstimateInput {
  /** 1-based position in the skill queue. */
  position: number;
  /** Agents on the skill who can take a conversation (0 → no estimate). */
  agentsAvailable: number;
  /** Average handling time of one conversation, in ms. */
  averageHandleMs: number;
}

/**
 * Expected wait in ms: the conversations ahead are served in parallel by the
 * available agents, each taking `averageHandleMs`; half a handle time is
 * added for the agents' current conversations. Undefined without agents.
 */
export function estimateWaitMs(input: WaitEstimateInput): number | undefined {
  const { position, agentsAvailable, averageHandleMs } = input;
  if (!Number.isFinite(position) || position < 1 || !Number.isFinite(averageHandleMs) || averageHandleMs <= 0) {
    throw new RangeError('position must be ≥ 1 and averageHandleMs > 0');
  }
  if (!Number.isFinite(agentsAvailable) || agentsAvailable <= 0) return undefined;
  const rounds = Math.floor((position - 1) / agentsAvailable);
  return Math.round(rounds * averageHandleMs + averageHandleMs / 2);
}
