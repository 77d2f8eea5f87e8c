/**
 * Assignment strategies (the design's 轮询 / 能力优先 / 负载均衡 / 混合策略):
 * given the agents who could take a conversation now, which one is offered
 * it. Pure and deterministic: every tie is broken by agent id.
 *
 * - round_robin: the next agent after the one offered last, in id order;
 * - best_match: the highest skill score, then the better performance;
 * - load_balance: the lowest share of slots in use, then the better availability;
 * - mixed: the weighted score (./scoring.ts).
 */
import type { AgentSnapshot, ScoreWeights, Strategy } from './contract';
import { loadScore, mixedScore, performanceScore, scoreParts, skillScore, availabilityScore, type ScoreContext } from './scoring';

export interface Pick {
  agent: AgentSnapshot;
  /** The score the strategy ranked by (for the record; round-robin reports 0). */
  score: number;
}

function byId(a: AgentSnapshot, b: AgentSnapshot): number {
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}

/** Highest `key` first, ties by id. */
function best(candidates: readonly AgentSnapshot[], key: (a: AgentSnapshot) => number[]): Pick | undefined {
  let top: { agent: AgentSnapshot; keys: number[] } | undefined;
  for (const agent of candidates) {
    const keys = key(agent);
    if (!top) {
      top = { agent, keys };
      continue;
    }
    let cmp = 0;
    for (let i = 0; i < keys.length && cmp === 0; i++) cmp = keys[i] - top.keys[i];
    if (cmp > 0 || (cmp === 0 && byId(agent, top.agent) < 0)) top = { agent, keys };
  }
  return top ? { agent: top.agent, score: top.keys[0] } : undefined;
}

export function pickAgent(
  strategy: Strategy,
  candidates: readonly AgentSnapshot[],
  ctx: ScoreContext,
  weights: ScoreWeights,
  lastOffered: string | undefined,
): Pick | undefined {
  if (candidates.length === 0) return undefined;
  switch (strategy) {
    case 'round_robin': {
      const sorted = [...candidates].sort(byId);
      const next = lastOffered === undefined ? sorted[0] : (sorted.find((a) => a.agentId > lastOffered) ?? sorted[0]);
      return { agent: next, score: 0 };
    }
    case 'best_match':
      return best(candidates, (a) => [skillScore(a, ctx), performanceScore(a.performance, ctx.skillHandleMs)]);
    case 'load_balance':
      return best(candidates, (a) => [loadScore(a), availabilityScore(a, ctx.nowMs)]);
    case 'mixed':
      return best(candidates, (a) => [mixedScore(scoreParts(a, ctx), weights)]);
  }
}
