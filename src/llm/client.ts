/**
 * The LLM behind Switchboard's optional AI wording and intent fallback, over
 * the chat-completions API (so any OpenAI-compatible server works) with
 * JSON-schema structured outputs.
 *
 * The client never retries (`maxRetries: 0`): the calls run inside Temporal
 * activities, whose retry policy is the one place retries are decided.
 */
import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { PHOTO_KINDS, type Entities, type Handover, type ImageRef, type Intent, type Language, type TranscriptEntry } from '../workflows/contract';
import { MAX_PHOTO_DESCRIPTION } from '../domain/state';
import { stripControlCharacters } from '../domain/text';
import { checkGrounded, checkReply, extractNumbers } from './guardrails';
import {
  classifySystemPrompt,
  INTENT_SCHEMA_NAME,
  intentJsonSchema,
  PHOTO_SCHEMA_NAME,
  photoJsonSchema,
  photoSystemPrompt,
  PHRASE_SCHEMA_NAME,
  phraseJsonSchema,
  phraseSystemPrompt,
  SUMMARY_SCHEMA_NAME,
  summaryJsonSchema,
  summarySystemPrompt,
} from './prompts';
import {
  LlmUnavailableError,
  type Llm,
  type PhraseOptions,
  type PhraseResult,
  type SummaryResult,
} from './types';

export type LlmConfig = Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL'> & Partial<Pick<Config, 'OPENAI_VISION_MODEL'>>;

export interface LlmOptions {
  /** Per-request timeout in ms (default 10 000): below the LLM activities' startToCloseTimeout. */
  timeoutMs?: number;
  logger?: Logger;
}

/** Transcript entries sent for a summary: the most recent ones. */
const SUMMARY_TRANSCRIPT_ENTRIES = 40;
const MAX_ENTRY_CHARS = 500;

/**
 * The configured LLM, or undefined when OPENAI_API_KEY is unset (everything
 * then runs on rules, the local model and templates).
 *
 * @example
 * const llm = createLlm(loadConfig());
 * const reply = llm ? (await llm.phrase(draft, 'en', { orderNumber })).text : draft;
 */
export function createLlm(config: LlmConfig, options: LlmOptions = {}): Llm | undefined {
  if (!config.OPENAI_API_KEY) return undefined;
  const openai = new OpenAI({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL ?? null,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 10_000,
  });
  return new OpenAiLlm(openai, config.OPENAI_MODEL, options.logger, config.OPENAI_VISION_MODEL);
}

const intentOutput = z.object({
  intent: z.string(),
  confidence: z.number(),
  entities: z
    .object({
      orderNumber: z.string().nullish(),
      amount: z.number().nullish(),
      currency: z.string().nullish(),
      phone: z.string().nullish(),
      email: z.string().nullish(),
      reason: z.string().nullish(),
      refundMethod: z.enum(['original_payment', 'store_credit', 'bank_transfer']).nullish(),
      address: z.string().nullish(),
      returnType: z.enum(['return', 'exchange']).nullish(),
      product: z.string().nullish(),
    })
    .nullish(),
});
const phraseOutput = z.object({ reply: z.string() });
const photoOutput = z.object({ shows: z.enum(PHOTO_KINDS), description: z.string() });
const summaryOutput = z.object({ summary: z.string(), recommendedAction: z.string() });

class OpenAiLlm implements Llm {
  constructor(
    private readonly openai: OpenAI,
    private readonly model: string,
    private readonly logger?: Logger,
    private readonly visionModel?: string,
  ) {}

  get describesPhotos(): boolean {
    return this.visionModel !== undefined;
  }

  async describePhoto(bytes: Buffer, mime: ImageRef['mime'], language: Language, options: { signal?: AbortSignal } = {}): Promise<ImageRef['seen'] | undefined> {
    if (!this.visionModel) return undefined;
    const content = await this.complete(
      [
        { role: 'system', content: photoSystemPrompt(language) },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:${mime};base64,${bytes.toString('base64')}`, detail: 'low' } }] },
      ],
      PHOTO_SCHEMA_NAME,
      photoJsonSchema,
      options.signal,
      this.visionModel,
    );
    const parsed = parseOutput(content, photoOutput);
    if (!parsed) return undefined;
    // Shown to agents (and stored): one line, bounded, no control characters.
    const description = stripControlCharacters(parsed.description.replace(/\s+/g, ' ')).trim().slice(0, MAX_PHOTO_DESCRIPTION);
    return description ? { shows: parsed.shows, description } : undefined;
  }

  async classifyIntent(
    text: string,
    candidates: readonly Intent[],
  ): Promise<{ intent: Intent; confidence: number; entities?: Entities } | undefined> {
    if (candidates.length === 0) return undefined;
    const content = await this.complete(
      [
        { role: 'system', content: classifySystemPrompt(candidates) },
        { role: 'user', content: text },
      ],
      INTENT_SCHEMA_NAME,
      intentJsonSchema(candidates),
    );
    const parsed = parseOutput(content, intentOutput);
    if (!parsed) {
      this.logger?.warn({ schema: INTENT_SCHEMA_NAME }, 'LLM returned unusable intent output');
      return undefined;
    }
    const intent = candidates.find((c) => c === parsed.intent);
    if (!intent) {
      this.logger?.warn({ intent: parsed.intent }, 'LLM chose an intent outside the candidates');
      return undefined;
    }
    const confidence = Math.min(1, Math.max(0, Number.isFinite(parsed.confidence) ? parsed.confidence : 0));
    return { intent, confidence, entities: groundedEntities(parsed.entities ?? {}, text) };
  }

  async phrase(
    draft: string,
    language: Language,
    facts: Record<string, string> = {},
    options: PhraseOptions = {},
  ): Promise<PhraseResult> {
    const content = await this.complete(
      [
        { role: 'system', content: phraseSystemPrompt(language) },
        { role: 'user', content: JSON.stringify({ draft, language, intent: options.intent, facts }) },
      ],
      PHRASE_SCHEMA_NAME,
      phraseJsonSchema,
      options.signal,
    );
    const parsed = parseOutput(content, phraseOutput);
    if (!parsed) return { text: draft, accepted: false, violations: [{ rule: 'invalid_output', detail: 'not the reply schema' }] };
    const candidate = parsed.reply.trim();
    const violations = checkReply({ candidate, draft, language, facts });
    return violations.length === 0
      ? { text: candidate, accepted: true, violations }
      : { text: draft, accepted: false, violations };
  }

  async summarize(handover: Handover, transcript: TranscriptEntry[], options: { signal?: AbortSignal } = {}): Promise<SummaryResult> {
    const recent = transcript.slice(-SUMMARY_TRANSCRIPT_ENTRIES).map((e) => ({
      seq: e.seq,
      from: e.from,
      text: e.text.length > MAX_ENTRY_CHARS ? `${e.text.slice(0, MAX_ENTRY_CHARS)}…` : e.text,
    }));
    const { summary: _summary, source: _source, ...facts } = handover;
    const content = await this.complete(
      [
        { role: 'system', content: summarySystemPrompt(handover.language) },
        { role: 'user', content: JSON.stringify({ handover: facts, transcript: recent }) },
      ],
      SUMMARY_SCHEMA_NAME,
      summaryJsonSchema,
      options.signal,
    );
    const fallback = { summary: handover.summary, recommendedAction: handover.recommendedAction };
    const parsed = parseOutput(content, summaryOutput);
    if (!parsed) return { ...fallback, accepted: false, violations: [{ rule: 'invalid_output', detail: 'not the summary schema' }] };
    // The summary may only cite what the handover and transcript contain.
    const sources = [JSON.stringify(facts), ...recent.map((e) => e.text)];
    const violations = [...checkGrounded(parsed.summary, sources), ...checkGrounded(parsed.recommendedAction, sources)];
    return violations.length === 0
      ? { summary: parsed.summary.trim(), recommendedAction: parsed.recommendedAction.trim(), accepted: true, violations }
      : { ...fallback, accepted: false, violations };
  }

  /** One chat completion with a strict JSON schema; the message content, or undefined when the model refused. */
  private async complete(
    messages: ChatCompletionMessageParam[],
    name: string,
    schema: Record<string, unknown>,
    signal?: AbortSignal,
    model: string = this.model,
  ): Promise<string | undefined> {
    try {
      const completion = await this.openai.chat.completions.create(
        {
          model,
          messages,
          response_format: { type: 'json_schema', json_schema: { name, strict: true, schema } },
        },
        { signal },
      );
      const choice = completion.choices?.[0];
      if (!choice || choice.message.refusal || choice.finish_reason === 'length' || choice.finish_reason === 'content_filter') {
        return undefined;
      }
      return choice.message.content ?? undefined;
    } catch (err) {
      // Cancellation of the activity is not an outage: let it through as is.
      if (err instanceof APIUserAbortError || signal?.aborted) throw err;
      const status = err instanceof APIError ? err.status : undefined;
      throw new LlmUnavailableError(
        `LLM request failed${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`,
        status,
        { cause: err },
      );
    }
  }
}

function parseOutput<T>(content: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (content === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(content));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps only entities the message really contains: an order number or amount
 * the model "extracted" but the customer never typed must not reach a tool.
 */
function groundedEntities(raw: z.infer<typeof intentOutput>['entities'] & object, text: string): Entities {
  const plain = text.normalize('NFKC');
  const digits = plain.replace(/[\s,]/g, '');
  const out: Entities = {};
  if (raw.orderNumber && /^\d{12}$/.test(raw.orderNumber) && digits.includes(raw.orderNumber)) out.orderNumber = raw.orderNumber;
  if (typeof raw.amount === 'number' && raw.amount > 0 && mentionsNumber(plain, raw.amount)) {
    out.amount = raw.currency ? { value: raw.amount, currency: raw.currency.toUpperCase() } : { value: raw.amount };
  }
  if (raw.email && plain.toLowerCase().includes(raw.email.toLowerCase())) out.email = raw.email;
  if (raw.phone && digits.includes(raw.phone.replace(/\D/g, '')) && raw.phone.replace(/\D/g, '').length >= 7) out.phone = raw.phone;
  if (raw.reason) out.reason = raw.reason.slice(0, 500);
  if (raw.refundMethod) out.refundMethod = raw.refundMethod;
  if (raw.address) out.address = raw.address.slice(0, 300);
  if (raw.returnType) out.returnType = raw.returnType;
  if (raw.product) out.product = raw.product.slice(0, 200);
  return out;
}

function mentionsNumber(text: string, value: number): boolean {
  // extractNumbers also reads Chinese numerals ("一百元") and canonicalizes "59.90".
  return extractNumbers(text).includes(String(value));
}
