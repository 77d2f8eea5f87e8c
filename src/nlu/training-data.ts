/**
 * The labelled data the intent model learns from, all inside the repository:
 * Bitext's English rows (data/bitext, CDLA-Sharing-1.0) and this project's own
 * phrasings (data/nlu/train-*.jsonl). Held-out files (data/nlu/heldout-*.jsonl)
 * are never read here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INTENTS, type Intent } from '../workflows/contract';
import { FEATURE_VERSION } from './features';

export interface LabeledText {
  text: string;
  intent: Intent;
}

/** Repository root, from this file's place in src/nlu. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

export const BITEXT_FILE = 'data/bitext/train.csv';
/** Project-written training files, relative to the repository root. */
export const OWN_TRAINING_FILES = [
  'data/nlu/train-en.jsonl',
  'data/nlu/train-extra-en.jsonl',
  'data/nlu/train-en-styles.jsonl',
  'data/nlu/train-zh.jsonl',
] as const;
export const MODEL_FILE = 'data/nlu/model.json';

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);

function asIntent(value: string, where: string): Intent {
  if (!INTENT_SET.has(value)) throw new Error(`${where}: unknown intent "${value}"`);
  return value as Intent;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, embedded commas and newlines). */
export function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i]!;
    if (quoted) {
      if (ch === '"' && content[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function readBitext(root = REPO_ROOT): LabeledText[] {
  const [header, ...rows] = parseCsv(readFileSync(join(root, BITEXT_FILE), 'utf8'));
  const textAt = header!.indexOf('text');
  const intentAt = header!.indexOf('intent');
  return rows.map((cells, i) => ({
    text: cells[textAt]!,
    intent: asIntent(cells[intentAt]!, `${BITEXT_FILE}:${i + 2}`),
  }));
}

/** One `{"text", "intent"}` object per line; blank lines are skipped. */
export function readJsonl(file: string): LabeledText[] {
  const out: LabeledText[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const row = JSON.parse(line) as { text?: unknown; intent?: unknown };
      if (typeof row.text !== 'string' || typeof row.intent !== 'string') {
        throw new Error(`${file}:${i + 1}: expected {"text": string, "intent": string}`);
      }
      out.push({ text: row.text, intent: asIntent(row.intent, `${file}:${i + 1}`) });
    });
  return out;
}

export function readOwnTraining(root = REPO_ROOT): LabeledText[] {
  return OWN_TRAINING_FILES.flatMap((f) => readJsonl(join(root, f)));
}

/**
 * Fingerprint of everything the shipped model depends on: the training files
 * and the feature version. Recorded in the model file; a test compares it with
 * the files on disk to catch a model that was not retrained.
 */
export function trainingDataHash(root = REPO_ROOT): string {
  const hash = createHash('sha256');
  hash.update(`features:${FEATURE_VERSION}\n`);
  for (const file of [BITEXT_FILE, ...OWN_TRAINING_FILES]) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

/**
 * Deterministic ~20% validation split by a hash of the normalized text, so
 * duplicates always land on the same side (the same rule Bitext's own split used).
 */
export function isValidationRow(text: string): boolean {
  const key = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha1').update(key).digest().readUInt32BE(0) % 10 < 2;
}
