import type { AgentSnapshot } from '../../src/routing/contract';
import { DEFAULT_WEIGHTS } from '../../src/routing/config';
import { availabilityScore, loadScore, mixedScore, performanceScore, scoreParts, skillScore, type ScoreContext } from '../../src/routing/scoring';
import { pickAgent } from '../../src/routing/strategies';

const NOW = Date.parse('2026-03-02T09:00:00.000Z');
const ctx: ScoreContext = { skill: 'refunds', language: 'zh', skillHandleMs: 300_000, nowMs: NOW };

function agent(id: string, over: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    agentId: id,
    name: id,
    presence: 'online',
    used: 0,
    capacity: 4,
    activeSince: [],
    skills: [{ skill: 'refunds', level: 3 }],
    languages: ['en', 'zh'],
    performance: { samples: 0 },
    recentMisses: [],
    since: new Date(NOW).toISOString(),
    version: 1,
    ...over,
  };
}

describe('score parts', () => {
  it('skill: the level for this queue, halved without the customer’s language', () => {
    expect(skillScore(agent('a', { skills: [{ skill: 'refunds', level: 5 }] }), ctx)).toBe(1);
    expect(skillScore(agent('a', { skills: [{ skill: 'refunds', level: 5 }], languages: ['en'] }), ctx)).toBe(0.5);
    expect(skillScore(agent('a', { skills: [{ skill: 'orders', level: 5 }] }), ctx)).toBe(0);
  });

  it('performance: neutral until 3 finished conversations, then resolution and speed', () => {
    expect(performanceScore({ samples: 2, resolutionRate: 1, medianHandleMs: 1 }, 300_000)).toBe(0.5);
    expect(performanceScore({ samples: 10, resolutionRate: 1, medianHandleMs: 300_000 }, 300_000)).toBeCloseTo(1);
    expect(performanceScore({ samples: 10, resolutionRate: 0.5, medianHandleMs: 600_000 }, 300_000)).toBeCloseTo(0.6 * 0.5 + 0.4 * 0.5);
  });

  it('load and availability', () => {
    expect(loadScore({ used: 1, capacity: 4 })).toBe(0.75);
    expect(loadScore({ used: 0, capacity: 0 })).toBe(0);
    const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
    expect(availabilityScore({ recentMisses: [minutesAgo(1), minutesAgo(5), minutesAgo(30)] }, NOW)).toBe(0.5);
  });

  it('mixes by the design’s weights 40 / 30 / 20 / 10, whatever scale they are written in', () => {
    const parts = { skill: 1, performance: 0.5, load: 0.25, availability: 0 };
    expect(mixedScore(parts, DEFAULT_WEIGHTS)).toBeCloseTo(0.4 + 0.15 + 0.05);
    expect(mixedScore(parts, { skill: 0.4, performance: 0.3, load: 0.2, availability: 0.1 })).toBeCloseTo(0.6);
  });
});

describe('strategies', () => {
  const expert = agent('expert', { skills: [{ skill: 'refunds', level: 5 }], used: 3 });
  const idle = agent('idle', { skills: [{ skill: 'refunds', level: 2 }], used: 0 });
  const steady = agent('steady', { used: 1, performance: { samples: 20, resolutionRate: 0.95, medianHandleMs: 240_000 } });

  it('round robin: the next agent after the last one offered, in id order, wrapping round', () => {
    const all = [steady, idle, expert];
    expect(pickAgent('round_robin', all, ctx, DEFAULT_WEIGHTS, undefined)?.agent.agentId).toBe('expert');
    expect(pickAgent('round_robin', all, ctx, DEFAULT_WEIGHTS, 'expert')?.agent.agentId).toBe('idle');
    expect(pickAgent('round_robin', all, ctx, DEFAULT_WEIGHTS, 'idle')?.agent.agentId).toBe('steady');
    expect(pickAgent('round_robin', all, ctx, DEFAULT_WEIGHTS, 'steady')?.agent.agentId).toBe('expert');
  });

  it('best match: the strongest in the skill', () => {
    expect(pickAgent('best_match', [steady, idle, expert], ctx, DEFAULT_WEIGHTS, undefined)?.agent.agentId).toBe('expert');
  });

  it('load balance: the least loaded', () => {
    expect(pickAgent('load_balance', [steady, idle, expert], ctx, DEFAULT_WEIGHTS, undefined)?.agent.agentId).toBe('idle');
  });

  it('mixed: the weighted score decides, and the weights are configurable', () => {
    const all = [steady, idle, expert];
    const scores = Object.fromEntries(all.map((a) => [a.agentId, mixedScore(scoreParts(a, ctx), DEFAULT_WEIGHTS)]));
    // expert 0.4·1 + 0.3·0.5 + 0.2·0.25 + 0.1 = 0.70; steady 0.4·0.6 + 0.3·0.98 + 0.2·0.75 + 0.1 ≈ 0.78; idle 0.4·0.4 + 0.15 + 0.2 + 0.1 = 0.61
    expect(scores.expert).toBeCloseTo(0.7);
    expect(scores.steady).toBeCloseTo(0.784);
    expect(scores.idle).toBeCloseTo(0.61);
    expect(pickAgent('mixed', all, ctx, DEFAULT_WEIGHTS, undefined)?.agent.agentId).toBe('steady');
    expect(pickAgent('mixed', all, ctx, { skill: 100, performance: 0, load: 0, availability: 0 }, undefined)?.agent.agentId).toBe('expert');
    expect(pickAgent('mixed', all, ctx, { skill: 0, performance: 0, load: 100, availability: 0 }, undefined)?.agent.agentId).toBe('idle');
  });

  it('breaks ties by agent id and picks nobody from nobody', () => {
    expect(pickAgent('best_match', [agent('b'), agent('a')], ctx, DEFAULT_WEIGHTS, undefined)?.agent.agentId).toBe('a');
    expect(pickAgent('mixed', [], ctx, DEFAULT_WEIGHTS, undefined)).toBeUndefined();
  });
});
