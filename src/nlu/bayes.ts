/**
 * The second local classifier: wink-naive-bayes-text-classifier (MIT, winkjs)
 * over the same {@link featurize} features as the network. Training takes
 * about a second; the learned counts are stored in data/nlu/model.json next
 * to the network.
 */
import createNaiveBayes, { type NaiveBayesTextClassifier } from 'wink-naive-bayes-text-classifier';
import { featurize, type Speller } from './features';
import { matchForm, normalize } from './normalize';
import type { LabeledText } from './training-data';

export interface BayesOptions {
  /** Copies of each project-written row, as for the network. */
  ownRowWeight?: number;
  /** Additive smoothing (0–1). */
  smoothingFactor?: number;
}

/** Features of a raw message, as both classifiers see them. */
export function bayesTokens(text: string, speller?: Speller): string[] {
  return featurize(matchForm(normalize(text)), speller);
}

/** Trains naive Bayes and returns wink's export (a JSON string). */
export function trainBayes(bitext: readonly LabeledText[], own: readonly LabeledText[], options: BayesOptions = {}): string {
  const nb = createNaiveBayes();
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: options.smoothingFactor ?? 0.5 });
  for (const row of bitext) nb.learn(bayesTokens(row.text), row.intent);
  const copies = options.ownRowWeight ?? 6;
  for (const row of own) {
    const tokens = bayesTokens(row.text);
    for (let i = 0; i < copies; i++) nb.learn(tokens, row.intent);
  }
  nb.consolidate();
  return nb.exportJSON();
}

export class BayesModel {
  private readonly nb: NaiveBayesTextClassifier = createNaiveBayes();

  constructor(exported: string) {
    this.nb.importJSON(exported);
    this.nb.consolidate();
  }

  /** Base-2 log-odds per intent for already computed features. */
  odds(features: string[]): Array<[string, number]> {
    const odds = this.nb.computeOdds(features);
    return odds.length === 1 && odds[0]![0] === 'unknown' ? [] : odds;
  }
}
