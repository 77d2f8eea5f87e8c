/**
 * `npx tsx scripts/nlu-ensemble-tune.ts`: picks the network / naive Bayes
 * weights (ENSEMBLE_WEIGHTS in src/nlu/model.ts). Scores the local pipeline
 * (rules, then the ensemble) for a grid of weights on the sets tuning may
 * use: the dev sets (shipped network, naive Bayes trained on all data) and
 * the Bitext validation split, plain and with restyled placeholders (both
 * models trained without it). The final sets are never read here.
 * Flags: --split-cache <file> keeps the 80% network between runs (training
 * it takes ~20 s); --smoothing <0-1>, --own-weight <n> for naive Bayes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NeuralNetworkJson } from '@nlpjs/neural';
import { trainBayes } from '../src/nlu/bayes';
import type { EnsembleWeights } from '../src/nlu/ensemble';
import { detectLanguage } from '../src/nlu/language';
import { IntentModel, trainNetwork, trainingVocabulary, type ModelScores } from '../src/nlu/model';
import { matchForm, normalize } from '../src/nlu/normalize';
import { matchRules } from '../src/nlu/rules';
import { REPO_ROOT, isValidationRow, readBitext, readJsonl, readOwnTraining, type LabeledText } from '../src/nlu/training-data';
import { restyle } from '../bench/restyle';

const DEV_SETS = ['heldout-en-dev', 'heldout-en-dev2', 'heldout-zh-dev'] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A message's rule answer, or both models' raw scores when no rule fires. */
type Prepared = { row: LabeledText; rule?: string; scores?: ModelScores };

function prepare(rows: LabeledText[], model: IntentModel): Prepared[] {
  return rows.map((row) => {
    const normalized = normalize(row.text);
    const rule = matchRules(matchForm(normalized), detectLanguage(normalized));
    return rule ? { row, rule: rule.intent } : { row, scores: model.scores(row.text) };
  });
}

function accuracy(prepared: Prepared[], model: IntentModel, weights: EnsembleWeights): number {
  let ok = 0;
  for (const p of prepared) {
    const intent = p.rule ?? model.rankScores(p.scores!, weights)[0]!.intent;
    if (intent === p.row.intent) ok++;
  }
  return (100 * ok) / prepared.length;
}

const smoothingFactor = Number(arg('--smoothing') ?? 0.5);
const ownRowWeight = Number(arg('--own-weight') ?? 6);
const bitext = readBitext();
const own = readOwnTraining();
const train = bitext.filter((r) => !isValidationRow(r.text));
const val = bitext.filter((r) => isValidationRow(r.text));

const cache = arg('--split-cache');
let splitNetwork: NeuralNetworkJson;
if (cache && existsSync(cache)) {
  splitNetwork = JSON.parse(readFileSync(cache, 'utf8')) as NeuralNetworkJson;
} else {
  splitNetwork = trainNetwork(train, own);
  if (cache) writeFileSync(cache, JSON.stringify(splitNetwork));
}
const t0 = performance.now();
const splitBayes = trainBayes(train, own, { smoothingFactor, ownRowWeight });
const fullBayes = trainBayes(bitext, own, { smoothingFactor, ownRowWeight });
console.log(`naive Bayes (smoothing ${smoothingFactor}, own ×${ownRowWeight}) trained twice in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const splitModel = IntentModel.fromNetwork(splitNetwork, trainingVocabulary([...train, ...own]), 'split', train.length + own.length, splitBayes);
const shipped = IntentModel.load();
const fullModel = new IntentModel({ ...shipped.file, bayes: fullBayes });

const sets: Array<[string, Prepared[], IntentModel]> = [
  ...DEV_SETS.map((name) => [name, prepare(readJsonl(join(REPO_ROOT, 'data/nlu', `${name}.jsonl`)), fullModel), fullModel] as [string, Prepared[], IntentModel]),
  ['bitext-val', prepare(val, splitModel), splitModel],
  ['bitext-restyled', prepare(restyle(val), splitModel), splitModel],
];

console.log(`network  temp  ${sets.map(([name]) => name.replace('heldout-', '').padStart(15)).join(' ')}`);
for (const network of [1, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0]) {
  for (const bayesTemperature of network === 1 ? [1] : [0.03, 0.05, 0.1, 0.2, 0.5]) {
    const weights = { network, bayesTemperature };
    const row = sets.map(([, prepared, model]) => accuracy(prepared, model, weights).toFixed(1).padStart(15)).join(' ');
    console.log(`${network.toFixed(2).padStart(7)}  ${bayesTemperature.toFixed(2)}  ${row}`);
  }
}
