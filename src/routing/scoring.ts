/**
 * How well one agent fits one waiting conversation, in four parts from 0 to 1
 * (the design's skill 40 % / past performance 30 % / load 20 % / availability
 * 10 %). Pure.
 *
 * - skill: the agent's level in the queue's skill (1–5 → 0.2–1), halved
 *   when the agent does not list the customer's language;
 * - performance: from the agent's own recent conversations — the share
 *   resolved (60 %) and how their median handle time compares with the
 *   skill's (40 %); 0.5 (neutral) until there are 3 of them;
 * - load: free share of the agent's slots;
 * - availability: 1, less 0.25 for each offer the agent declined or let
 *   lapse in the last 10 minutes.
 */
import type { Language } from '../workflows/contract';
import type { AgentPerformance, AgentSnapshot, ScoreWeights } from './contract';

const MIN_PERFORMANCE_SAMPLES = 3;
const MISS_WINDOW_MS = 10 * 60_000;

export interface ScoreContext {
  skill: string;
  language: Language;
  /** The skill's typical handle time (ms), the yardstick of an agent's own. */
  skillHandleMs: number;
  nowMs: number;
}

export interface ScoreParts {
  skill: number;
  performance: number;
  load: number;
  availability: number;
}

export function levelIn(agent: Pick<AgentSnapshot, 'skills'>, skill: string): number {
  return agent.skills.find((s) => s.skill === skill)?.level ?? 0;
}

export function skillScore(agent: AgentSnapshot, ctx: ScoreContext): number {
  const level = Math.min(5, Math.max(0, levelIn(agent, ctx.skill)));
  const language = agent.languages.length === 0 || agent.languages.includes(ctx.language) ? 1 : 0.5;
  return (level / 5) * language;
}

export function performanceScore(performance: AgentPerformance, skillHandleMs: number): number {
  if (performance.samples < MIN_PERFORMANCE_SAMPLES || performance.resolutionRate === undefined) return 0.5;
  const speed =
    performance.medianHandleMs && performance.medianHandleMs > 0 ? Math.min(1, skillHandleMs / performance.medianHandleMs) : 0.5;
  return 0.6 * performance.resolutionRate + 0.4 * speed;
}

export function loadScore(agent: Pick<AgentSnapshot, 'used' | 'capacity'>): number {
  if (agent.capacity <= 0) return 0;
  return Math.max(0, 1 - agent.used / agent.capacity);
}

export function availabilityScore(agent: Pick<AgentSnapshot, 'recentMisses'>, nowMs: number): number {
  const recent = agent.recentMisses.filter((at) => nowMs - Date.parse(at) < MISS_WINDOW_MS).length;
  return Math.max(0, 1 - 0.25 * recent);
}

export function scoreParts(agent: AgentSnapshot, ctx: ScoreContext): ScoreParts {
  return {
    skill: skillScore(agent, ctx),
    performance: performanceScore(agent.performance, ctx.skillHandleMs),
    load: loadScore(agent),
    availability: availabilityScore(agent, ctx.nowMs),
  };
}

/** The weighted mix, normalised by the weights' sum (so 40/30/20/10 and 0.4/0.3/0.2/0.1 agree). */
export function mixedScore(parts: ScoreParts, weights: ScoreWeights): number {
  const total = weights.skill + weights.performance + weights.load + weights.availability;
  if (total <= 0) return 0;
  return (
    (weights.skill * parts.skill +
      weights.performance * parts.performance +
      weights.load * parts.load +
      weights.availability * parts.availability) /
    total
  );
}
