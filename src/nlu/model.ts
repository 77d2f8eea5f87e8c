/**
 * The local intent classifier: nlp.js's single-layer neural network
 * (@nlpjs/neural, the classifier inside NLP.js) over {@link featurize}
 * features. Trained once by `npm run train:nlu` into data/nlu/model.json;
 * loading that file takes tens of milliseconds, training takes seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NeuralNetwork, type NeuralNetworkJson, type TrainingSample } from '@nlpjs/neural';
import { INTENTS, type Intent } from '../workflows/contract';
import { FEATURE_VERSION, createSpeller, featurize, vocabularyOf, type Speller, type Vocabulary } from './features';
import { MODEL_FILE, REPO_ROOT, type LabeledText } from './training-data';
import { matchForm, normalize } from './normalize';
import { BayesModel } from './bayes';
import { bayesDistribution, combine, networkDistribution, type EnsembleWeights } from './ensemble';

export interface ModelFile {
  format: 1;
  featureVersion: number;
  /** {@link trainingDataHash} of the data the model was trained on. */
  dataHash: string;
  trainedRows: number;
  network: NeuralNetworkJson;
  /** Training words and their counts, for spelling correction; older files without it predict uncorrected. */
  vocabulary?: Vocabulary;
  /** wink naive Bayes export (see bayes.ts); files without it rank by the network alone. */
  bayes?: string;
}

/**
 * How the network and naive Bayes are averaged. Tuned by
 * `scripts/nlu-ensemble-tune.ts` on the dev sets and the Bitext validation
 * split (never on the final sets).
 */
export const ENSEMBLE_WEIGHTS: EnsembleWeights = { network: 0.6, bayesTemperature: 0.2 };

/** Both classifiers' raw answers for one message, before they are combined. */
export interface ModelScores {
  features: string[];
  /** Network outputs per intent (rectified later). */
  network: Record<string, number>;
  /** Naive Bayes base-2 log-odds per intent; empty without a Bayes model or when no feature is known. */
  bayesOdds: Array<[string, number]>;
}

export interface RankedIntent {
  intent: Intent;
  confidence: number;
}

export interface TrainOptions {
  /**
   * Copies of each project-written row. Bitext has ~800 rows per intent and
   * the project's own files ~15–40, so without repetition the network learns
   * the extra intents and Chinese too weakly to ever predict them.
   */
  ownRowWeight?: number;
  iterations?: number;
  learningRate?: number;
}

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);

/** Feature vector as the network wants it. */
function toInput(text: string, speller?: Speller): Record<string, number> {
  return asInput(featurize(matchForm(normalize(text)), speller));
}

function asInput(features: string[]): Record<string, number> {
  const input: Record<string, number> = {};
  for (const f of features) input[f] = 1;
  return input;
}

/** The vocabulary the shipped model's speller corrects towards: every training text's words. */
export function trainingVocabulary(rows: readonly LabeledText[]): Record<string, number> {
  return vocabularyOf(rows.map((r) => matchForm(normalize(r.text))));
}

/**
 * Trains a network on Bitext rows plus the project's own rows. Identical
 * feature sets are merged first: Bitext repeats many sentences that differ only
 * in a placeholder, and the duplicates would only slow training.
 */
export function trainNetwork(bitext: readonly LabeledText[], own: readonly LabeledText[], options: TrainOptions = {}): NeuralNetworkJson {
  const ownRowWeight = options.ownRowWeight ?? 6;
  const seen = new Set<string>();
  const corpus: TrainingSample[] = [];
  const add = (row: LabeledText, copies: number): void => {
    const input = toInput(row.text);
    const key = `${row.intent}|${Object.keys(input).sort().join(' ')}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (let i = 0; i < copies; i++) corpus.push({ input, output: { [row.intent]: 1 } });
  };
  for (const row of bitext) add(row, 1);
  for (const row of own) add(row, ownRowWeight);
  // learningRate 0.3 instead of nlp.js's 0.6: slightly better on the dev held-out and the Bitext split
  // (bench/classify.bench.ts); 1.2 diverges.
  const network = new NeuralNetwork({ iterations: options.iterations ?? 200, learningRate: options.learningRate ?? 0.3, log: false });
  network.train(corpus);
  const json = network.toJSON();
  // Four decimals keep the file a few megabytes with no measurable change in predictions.
  json.perceptrons = json.perceptrons?.map((weights) => weights.map((w) => Math.round(w * 1e4) / 1e4));
  return json;
}

export class IntentModel {
  private readonly network = new NeuralNetwork();
  private readonly speller: Speller | undefined;
  private readonly bayes: BayesModel | undefined;
  private featureIndex: Map<string, number> | undefined;

  constructor(
    readonly file: ModelFile,
    private readonly weights: EnsembleWeights = ENSEMBLE_WEIGHTS,
  ) {
    if (file.format !== 1) throw new Error(`unsupported intent model format ${String(file.format)}`);
    this.network.fromJSON(file.network);
    this.speller = file.vocabulary ? createSpeller(file.vocabulary) : undefined;
    this.bayes = file.bayes !== undefined ? new BayesModel(file.bayes) : undefined;
  }

  static load(path = join(REPO_ROOT, MODEL_FILE)): IntentModel {
    return new IntentModel(JSON.parse(readFileSync(path, 'utf8')) as ModelFile);
  }

  static fromNetwork(network: NeuralNetworkJson, vocabulary?: Vocabulary, dataHash = 'unrecorded', trainedRows = 0, bayes?: string): IntentModel {
    return new IntentModel({ format: 1, featureVersion: FEATURE_VERSION, dataHash, trainedRows, network, vocabulary, bayes });
  }

  /** Both classifiers' raw answers; {@link rank} combines them, the tuning script tries other weights. */
  scores(text: string): ModelScores {
    const features = featurize(matchForm(normalize(text)), this.speller);
    // Copied: the network hands back one shared output object that its next run overwrites.
    const network = { ...(this.network.run(asInput(features)) ?? {}) };
    return { features, network, bayesOdds: this.bayes?.odds(features) ?? [] };
  }

  /**
   * Each intent's weighted sum before the network's rectifier. Used only when
   * every output is zero (a long message whose words all pull a little away
   * from every intent): the least negative sum is still the best guess.
   */
  private rawScores(input: Record<string, number>): Array<{ intent: string; score: number }> {
    const { features = [], intents = [], perceptrons = [] } = this.file.network;
    this.featureIndex ??= new Map(features.map((f, i) => [f, i]));
    const present = Object.keys(input)
      .map((f) => this.featureIndex!.get(f))
      .filter((i): i is number => i !== undefined);
    return intents.map((intent, k) => {
      const weights = perceptrons[k]!;
      return { intent, score: present.reduce((sum, i) => sum + weights[i]!, weights[weights.length - 1]!) };
    });
  }

  /**
   * Intents ranked by confidence. The network's outputs are independent
   * one-vs-rest scores trained towards 1 for the right intent; as a
   * distribution (each output over their sum) they are averaged with naive
   * Bayes' (see ensemble.ts). The confidence is that average scaled by the
   * network's top output capped at 1: two near-equal intents, or a network
   * that barely fired, mean "unsure".
   */
  rank(text: string): RankedIntent[] {
    return this.rankScores(this.scores(text));
  }

  /** {@link rank} for scores already computed, with other weights if given (used for tuning). */
  rankScores(scores: ModelScores, weights: EnsembleWeights = this.weights): RankedIntent[] {
    const network: Record<string, number> = {};
    for (const [intent, score] of Object.entries(scores.network)) if (INTENT_SET.has(intent)) network[intent] = score;
    const nnDist = networkDistribution(network);
    const bayesDist = bayesDistribution(
      scores.bayesOdds.filter(([intent]) => INTENT_SET.has(intent)),
      weights.bayesTemperature,
    );
    // Every network output 0 (long messages): naive Bayes decides if there is one, else the raw sums do.
    if (nnDist === undefined && (bayesDist === undefined || weights.network >= 1)) {
      const best = this.rawScores(asInput(scores.features))
        .filter((r) => INTENT_SET.has(r.intent))
        .sort((a, b) => b.score - a.score)[0];
      return [{ intent: (best?.intent ?? 'out_of_scope') as Intent, confidence: 0 }];
    }
    const strength = Math.max(0, ...Object.values(network));
    return combine(nnDist, weights.network >= 1 ? undefined : bayesDist, weights, strength).map((r) => ({ intent: r.intent as Intent, confidence: r.confidence }));
  }
}
