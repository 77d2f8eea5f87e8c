/**
 * Combines the two local classifiers: nlp.js's network and wink's naive
 * Bayes, over the same features. They fail differently (the network weighs
 * word pairs and generalizes across wording; naive Bayes counts evidence from
 * every word and is steadier on long, rambling messages), so a weighted
 * average of their probabilities beats either alone. Pure functions, so the
 * combination is unit-tested apart from the models.
 */

export interface EnsembleWeights {
  /** Share of the network in the average (0–1); naive Bayes gets the rest. */
  network: number;
  /**
   * Scale applied to naive Bayes' log-odds before the softmax. Its odds are
   * sums over every feature, so raw they are far too sure of themselves;
   * a small scale spreads them into probabilities comparable to the network's.
   */
  bayesTemperature: number;
}

export interface Ranked {
  intent: string;
  confidence: number;
}

/** The network's rectified outputs as a distribution (undefined when every output is 0). */
export function networkDistribution(scores: Readonly<Record<string, number>>): Map<string, number> | undefined {
  let total = 0;
  for (const s of Object.values(scores)) total += Math.max(0, s);
  if (total === 0) return undefined;
  return new Map(Object.entries(scores).map(([intent, s]) => [intent, Math.max(0, s) / total]));
}

/** Naive Bayes' base-2 log-odds as a distribution by a tempered softmax (undefined when no feature was known). */
export function bayesDistribution(odds: ReadonlyArray<readonly [string, number]>, temperature: number): Map<string, number> | undefined {
  if (odds.length === 0 || odds.every(([, o]) => o === 0)) return undefined;
  const scaled = odds.map(([intent, o]) => [intent, o * Math.LN2 * temperature] as const);
  const max = Math.max(...scaled.map(([, s]) => s));
  const exp = scaled.map(([intent, s]) => [intent, Math.exp(s - max)] as const);
  const total = exp.reduce((sum, [, e]) => sum + e, 0);
  return new Map(exp.map(([intent, e]) => [intent, e / total]));
}

/**
 * Weighted average of the two distributions, best first. Either may be
 * missing (no known feature): then the other decides alone. The confidence is
 * the averaged probability, scaled by how strongly the network fired at all
 * (its top raw output capped at 1), the same shape as the network-only
 * confidence, so the LLM threshold keeps its meaning.
 */
export function combine(
  network: ReadonlyMap<string, number> | undefined,
  bayes: ReadonlyMap<string, number> | undefined,
  weights: EnsembleWeights,
  networkStrength: number,
): Ranked[] {
  const w = network === undefined ? 0 : bayes === undefined ? 1 : weights.network;
  const intents = new Set([...(network?.keys() ?? []), ...(bayes?.keys() ?? [])]);
  const strength = Math.min(1, Math.max(0, networkStrength));
  return [...intents]
    .map((intent) => ({ intent, p: w * (network?.get(intent) ?? 0) + (1 - w) * (bayes?.get(intent) ?? 0) }))
    .sort((a, b) => b.p - a.p)
    .map(({ intent, p }) => ({ intent, confidence: p * strength }));
}
