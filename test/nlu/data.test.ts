import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_VERSION } from '../../src/nlu/features';
import type { ModelFile } from '../../src/nlu/model';
import {
  MODEL_FILE,
  REPO_ROOT,
  isValidationRow,
  parseCsv,
  readBitext,
  readJsonl,
  readOwnTraining,
  trainingDataHash,
} from '../../src/nlu/training-data';
import { BITEXT_INTENTS, EXTRA_INTENTS, INTENTS } from '../../src/workflows/contract';
import { detectLanguage } from '../../src/nlu';

const HELD_OUT = ['heldout-en-dev', 'heldout-en-dev2', 'heldout-zh-dev', 'heldout-en-final', 'heldout-zh-final', 'heldout-en-final2', 'heldout-en-final3', 'heldout-en-final4', 'heldout-zh-final2'];
const heldOut = HELD_OUT.flatMap((name) => readJsonl(join(REPO_ROOT, 'data/nlu', `${name}.jsonl`)).map((r) => ({ ...r, name })));
const key = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

describe('shipped model', () => {
  const file = JSON.parse(readFileSync(join(REPO_ROOT, MODEL_FILE), 'utf8')) as ModelFile;

  test('was trained on the current training data and features (else run `npm run train:nlu`)', () => {
    expect(file.featureVersion).toBe(FEATURE_VERSION);
    expect(file.dataHash).toBe(trainingDataHash());
  });

  test('knows every intent of the catalog', () => {
    expect([...(file.network.intents ?? [])].sort()).toEqual([...INTENTS].sort());
  });
});

describe('training data', () => {
  const bitext = readBitext();
  const own = readOwnTraining();

  test('Bitext rows are all there, with the 27 Bitext intents', () => {
    expect(bitext).toHaveLength(21450);
    expect(new Set(bitext.map((r) => r.intent))).toEqual(new Set(BITEXT_INTENTS));
  });

  test('the Bitext license and attribution ship with the data', () => {
    expect(readFileSync(join(REPO_ROOT, 'data/bitext/LICENSE.txt'), 'utf8')).toMatch(/Community Data License Agreement/i);
    expect(readFileSync(join(REPO_ROOT, 'data/bitext/SOURCE.md'), 'utf8')).toMatch(/Bitext/);
    expect(existsSync(join(REPO_ROOT, 'data/nlu/README.md'))).toBe(true);
  });

  test('own English rows cover every extra intent, own Chinese rows every intent', () => {
    const en = own.filter((r) => detectLanguage(r.text) === 'en');
    const zh = own.filter((r) => detectLanguage(r.text) === 'zh');
    for (const intent of EXTRA_INTENTS) expect(en.filter((r) => r.intent === intent).length).toBeGreaterThanOrEqual(20);
    for (const intent of INTENTS) expect(zh.filter((r) => r.intent === intent).length).toBeGreaterThanOrEqual(10);
  });

  test('no held-out message appears in the training data', () => {
    const training = new Set([...bitext, ...own].map((r) => key(r.text)));
    const leaked = heldOut.filter((r) => training.has(key(r.text))).map((r) => `${r.name}: ${r.text}`);
    expect(leaked).toEqual([]);
  });

  test('held-out sets are large enough and cover the catalog', () => {
    const en = heldOut.filter((r) => detectLanguage(r.text) === 'en');
    const zh = heldOut.filter((r) => detectLanguage(r.text) === 'zh');
    expect(en.length).toBeGreaterThanOrEqual(300);
    expect(zh.length).toBeGreaterThanOrEqual(100);
    for (const intent of INTENTS) {
      expect(en.some((r) => r.intent === intent)).toBe(true);
      expect(zh.some((r) => r.intent === intent)).toBe(true);
    }
  });

  test('the validation split is about a fifth and deterministic', () => {
    const share = bitext.filter((r) => isValidationRow(r.text)).length / bitext.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(isValidationRow('Where Is  my order')).toBe(isValidationRow('where is my order'));
  });
});

describe('parseCsv', () => {
  test('quotes, doubled quotes, commas and newlines inside fields', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n"multi\nline",z\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
  });
});
