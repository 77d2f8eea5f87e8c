/**
 * `npm run --silent classify`: one JSON object per stdin line
 * (`{"text": "..."}`) → one JSON line per input on stdout
 * (`{"intent", "confidence", "layer"}`), in order, as each line arrives. A
 * malformed line gets `{"error": "..."}` and the stream goes on. Diagnostics go
 * to stderr only. The LLM layer is used only when OPENAI_API_KEY is set and
 * src/llm provides a factory.
 */
import { createInterface } from 'node:readline';
import { createUnderstander } from './understander';
import type { LlmIntentClassifier } from './types';

/**
 * The LLM layer, only with OPENAI_API_KEY set. Loaded lazily so the local path
 * never pays for the openai client, and guarded: a bad configuration or a
 * broken module means "classify locally", not a dead command.
 */
async function loadLlm(): Promise<LlmIntentClassifier | undefined> {
  if (!process.env.OPENAI_API_KEY) return undefined;
  try {
    const [{ createLlm }, { loadConfig }] = await Promise.all([import('../llm'), import('../config')]);
    return createLlm(loadConfig());
  } catch (error) {
    console.error(`classify: LLM unavailable (${error instanceof Error ? error.message : String(error)}); classifying locally`);
    return undefined;
  }
}

function parseLine(line: string): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('line is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  const text = (value as { text?: unknown }).text;
  if (typeof text !== 'string') throw new Error('expected a string "text" field');
  return text;
}

async function main(): Promise<void> {
  const llm = await loadLlm();
  const understander = createUnderstander({
    llm,
    onLlmError: (error) => console.error(`classify: LLM failed (${error instanceof Error ? error.message : String(error)})`),
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  // Sequential on purpose: answers must come out in input order, and each is written before the next line is read.
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let out: object;
    try {
      const result = await understander.classify(parseLine(line));
      out = { intent: result.intent, confidence: Number(result.confidence.toFixed(4)), layer: result.layer };
    } catch (error) {
      out = { error: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
