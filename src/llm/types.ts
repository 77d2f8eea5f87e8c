/**
 * What the rest of Switchboard sees of the LLM. Transport failures throw
 * {@link LlmUnavailableError}; output that breaks a guardrail is not an error
 * but a result with `accepted: false`, so callers fall back to their own text.
 */
import type { Handover, ImageRef, Intent, Language, TranscriptEntry } from '../workflows/contract';
import type { LlmIntentClassifier } from '../nlu/types';

export type GuardrailRule =
  | 'empty'
  | 'too_long'
  | 'compensation'
  | 'ungrounded_number'
  | 'ungrounded_date'
  | 'ungrounded_link'
  | 'language'
  | 'apology'
  | 'invalid_output';

export interface GuardrailViolation {
  rule: GuardrailRule;
  /** The offending fragment or a short explanation (may contain customer text: mask before logging). */
  detail: string;
}

export interface PhraseOptions {
  intent?: Intent;
  signal?: AbortSignal;
}

export interface PhraseResult {
  /** The LLM's wording when accepted, otherwise the draft unchanged. */
  text: string;
  accepted: boolean;
  violations: GuardrailViolation[];
}

export interface SummaryResult {
  accepted: boolean;
  /** The LLM's summary when accepted, otherwise the handover's own. */
  summary: string;
  recommendedAction: string;
  violations: GuardrailViolation[];
}

export interface Llm extends LlmIntentClassifier {
  /** Rephrases a template reply in `language`, within the guardrails (src/llm/guardrails.ts). */
  phrase(draft: string, language: Language, facts?: Record<string, string>, options?: PhraseOptions): Promise<PhraseResult>;
  /** Writes the agent-facing summary and recommended action of a handover. */
  summarize(handover: Handover, transcript: TranscriptEntry[], options?: { signal?: AbortSignal }): Promise<SummaryResult>;
  /** True when OPENAI_VISION_MODEL is set. */
  readonly describesPhotos: boolean;
  /** What a customer photo shows, by the vision model; undefined without one or when its answer is unusable. Transport failures throw LlmUnavailableError. */
  describePhoto(bytes: Buffer, mime: ImageRef['mime'], language: Language, options?: { signal?: AbortSignal }): Promise<ImageRef['seen'] | undefined>;
}

/** The LLM could not be reached or answered with an error or garbage. Retryable. */
export class LlmUnavailableError extends Error {
  override readonly name = 'LlmUnavailableError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
