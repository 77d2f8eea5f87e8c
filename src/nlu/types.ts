/**
 * Understanding interfaces, type-only and workflow-safe: the workflow imports
 * {@link UnderstandInput}; the activities call an {@link Understander}.
 */
import type { Entities, Intent, Language, NluLayer, Understanding } from '../workflows/contract';

export interface UnderstandInput {
  text: string;
  /** Language the conversation has used so far (the detector may override it). */
  languageHint?: Language;
  /** What the bot just asked for, so a bare "yes" or "100000000001" is read in context. */
  expecting?: { intent: Intent; slot?: string; confirming?: boolean };
  /** The first turn after an agent handed back: what was said while the agent had the conversation, and the agent's note. */
  context?: { lines: { from: 'customer' | 'agent'; text: string }[]; note?: string };
}

export interface Classification {
  intent: Intent;
  /** 0..1 */
  confidence: number;
  layer: NluLayer;
}

/** The LLM layer as the NLU pipeline sees it; implemented in src/llm. */
export interface LlmIntentClassifier {
  classifyIntent(
    text: string,
    candidates: readonly Intent[],
  ): Promise<{ intent: Intent; confidence: number; entities?: Entities } | undefined>;
}

export interface Understander {
  /** Full pipeline: normalize → rules → local model → LLM (when configured and unsure). */
  understand(input: UnderstandInput): Promise<Understanding>;
  /** Intent only (the `classify` command and the benchmark). */
  classify(text: string, options?: { useLlm?: boolean }): Promise<Classification>;
}
