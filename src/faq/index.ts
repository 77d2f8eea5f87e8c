/**
 * Self-service suggestions while a customer waits (the design's "等待期间服务：
 * 提供相关FAQ推荐"): entries of the FAQ file (FAQ_FILE, `config/faq.json` by
 * default) picked by the conversation's topic. The workflow gets them through
 * the `suggestFaq` activity, so the catalogue is the business's to edit and
 * never travels in workflow inputs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { INTENTS, type Intent, type Language } from '../workflows/contract';

export const DEFAULT_FAQ_FILE = path.resolve(__dirname, '../../config/faq.json');

const entrySchema = z
  .object({
    id: z.string().min(1).max(64),
    intents: z.array(z.enum(INTENTS)),
    en: z.string().min(1).max(500),
    zh: z.string().min(1).max(500),
  })
  .strict();
const fileSchema = z.object({ $comment: z.string().optional(), entries: z.array(entrySchema).min(1) }).strict();

export type FaqEntry = z.infer<typeof entrySchema>;

export class FaqFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid FAQ file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FaqFileError';
  }
}

export function parseFaq(data: unknown, source = '<inline>'): FaqEntry[] {
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) throw new FaqFileError(source, parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`));
  return parsed.data.entries;
}

export function loadFaq(file: string = DEFAULT_FAQ_FILE): FaqEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FaqFileError(file, [`cannot read: ${(error as Error).message}`]);
  }
  try {
    return parseFaq(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof FaqFileError) throw error;
    throw new FaqFileError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
}

/** Up to `max` entries for the topic, those naming it first, then the general ones. */
export function pickFaq(entries: readonly FaqEntry[], intent: Intent | undefined, language: Language, max = 2): string[] {
  const specific = intent ? entries.filter((e) => e.intents.includes(intent)) : [];
  const general = entries.filter((e) => e.intents.length === 0);
  return [...specific, ...general].slice(0, Math.max(0, max)).map((e) => e[language]);
}
