/**
 * `npm run train:nlu`: trains the intent model (network and naive Bayes) on all training data and writes
 * data/nlu/model.json with the data hash the staleness test checks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainBayes } from '../src/nlu/bayes';
import { FEATURE_VERSION } from '../src/nlu/features';
import { trainNetwork, trainingVocabulary, type ModelFile } from '../src/nlu/model';
import { MODEL_FILE, REPO_ROOT, readBitext, readOwnTraining, trainingDataHash } from '../src/nlu/training-data';

const started = performance.now();
const bitext = readBitext();
const own = readOwnTraining();
const network = trainNetwork(bitext, own);
const file: ModelFile = {
  format: 1,
  featureVersion: FEATURE_VERSION,
  dataHash: trainingDataHash(),
  trainedRows: bitext.length + own.length,
  network,
  vocabulary: trainingVocabulary([...bitext, ...own]),
  bayes: trainBayes(bitext, own),
};
const path = join(REPO_ROOT, MODEL_FILE);
writeFileSync(path, JSON.stringify(file));
console.log(
  `trained on ${file.trainedRows} rows (${network.features?.length ?? 0} features, ${network.intents?.length ?? 0} intents) ` +
    `in ${((performance.now() - started) / 1000).toFixed(1)} s → ${MODEL_FILE}`,
);
