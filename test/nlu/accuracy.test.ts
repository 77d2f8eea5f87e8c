/**
 * Quality gate: the local layers (rules + shipped model, no LLM) on the
 * hand-written held-out messages, none of which are in the training data.
 * bench/classify.bench.ts prints the full figures; these floors sit a few
 * points under them so a real regression fails while small retraining noise
 * does not.
 */
import { join } from 'node:path';
import { createUnderstander, detectLanguage, IntentModel } from '../../src/nlu';
import { REPO_ROOT, readJsonl, type LabeledText } from '../../src/nlu/training-data';

const nlu = createUnderstander({ model: IntentModel.load() });

async function accuracy(rows: LabeledText[]): Promise<number> {
  let right = 0;
  for (const row of rows) if ((await nlu.classify(row.text, { useLlm: false })).intent === row.intent) right++;
  return right / rows.length;
}

const load = (name: string): LabeledText[] => readJsonl(join(REPO_ROOT, 'data/nlu', `${name}.jsonl`));

describe('held-out accuracy (local layers only)', () => {
  const all = ['heldout-en-dev', 'heldout-en-dev2', 'heldout-en-final', 'heldout-en-final2', 'heldout-zh-dev', 'heldout-zh-final'].flatMap(load);

  test('English held-out ≥ 88%', async () => {
    expect(await accuracy(all.filter((r) => detectLanguage(r.text) === 'en'))).toBeGreaterThanOrEqual(0.88);
  });

  test('Chinese held-out ≥ 90%', async () => {
    expect(await accuracy(all.filter((r) => detectLanguage(r.text) === 'zh'))).toBeGreaterThanOrEqual(0.9);
  });

  // Combined they measure about 92.7% (bench, after the ensemble); the floor catches a real regression.
  test('the untouched final sets alone ≥ 88%', async () => {
    const finals = ['heldout-en-final', 'heldout-en-final2', 'heldout-en-final3', 'heldout-en-final4', 'heldout-zh-final', 'heldout-zh-final2'].flatMap(load);
    expect(await accuracy(finals)).toBeGreaterThanOrEqual(0.88);
  });
});
