/**
 * The optional LLM: intent classification fallback for the NLU pipeline,
 * reply phrasing and handover summaries, all with JSON-schema structured
 * outputs over chat completions, and guardrails in plain code.
 *
 * Without OPENAI_API_KEY, {@link createLlm} returns undefined and Switchboard
 * runs on rules, the local model and templates.
 *
 * @example
 * const llm = createLlm(config);                 // undefined without a key
 * const understander = createUnderstander({ llm });
 * const { text } = await llm!.phrase('Your order 100000000002 is in transit.', 'en', { orderNumber: '100000000002' });
 */
export { createLlm, type LlmConfig, type LlmOptions } from './client';
export { checkReply, checkGrounded, extractNumbers, parseChineseNumeral, type ReplyCheckInput } from './guardrails';
export { INTENT_SCHEMA_NAME, PHRASE_SCHEMA_NAME, SUMMARY_SCHEMA_NAME } from './prompts';
export {
  LlmUnavailableError,
  type GuardrailRule,
  type GuardrailViolation,
  type Llm,
  type PhraseOptions,
  type PhraseResult,
  type SummaryResult,
} from './types';
