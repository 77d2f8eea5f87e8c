/**
 * Prompts and JSON schemas of the three structured outputs. Schema names are
 * exported so tests (and the shared fake OpenAI server's responders) can tell
 * the requests apart.
 */
import { PHOTO_KINDS, type Intent, type Language } from '../workflows/contract';

export const INTENT_SCHEMA_NAME = 'intent_classification';
export const PHRASE_SCHEMA_NAME = 'reply_phrasing';
export const SUMMARY_SCHEMA_NAME = 'handover_summary';

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

/** Strict structured outputs need every property required; optional ones are nullable. */
export function intentJsonSchema(candidates: readonly Intent[]): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['intent', 'confidence', 'entities'],
    properties: {
      intent: { type: 'string', enum: [...candidates] },
      confidence: { type: 'number', description: 'Probability in [0, 1] that the intent is right.' },
      entities: {
        type: 'object',
        additionalProperties: false,
        required: [
          'orderNumber',
          'amount',
          'currency',
          'phone',
          'email',
          'reason',
          'refundMethod',
          'address',
          'returnType',
          'product',
        ],
        properties: {
          orderNumber: nullable('string', { description: '12-digit order number exactly as written' }),
          amount: nullable('number'),
          currency: nullable('string', { description: 'ISO code such as USD or CNY' }),
          phone: nullable('string'),
          email: nullable('string'),
          reason: nullable('string'),
          refundMethod: { type: ['string', 'null'], enum: ['original_payment', 'store_credit', 'bank_transfer', null] },
          address: nullable('string'),
          returnType: { type: ['string', 'null'], enum: ['return', 'exchange', null] },
          product: nullable('string'),
        },
      },
    },
  };
}

export const phraseJsonSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['reply'],
  properties: { reply: { type: 'string' } },
};

export const summaryJsonSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'recommendedAction'],
  properties: {
    summary: { type: 'string', description: 'One paragraph for the human agent.' },
    recommendedAction: { type: 'string', description: 'The next step the agent should take, one sentence.' },
  },
};

export function classifySystemPrompt(candidates: readonly Intent[]): string {
  return [
    'You classify one customer-service message of an online shop (English or Chinese).',
    `Choose exactly one intent from this list: ${candidates.join(', ')}.`,
    'If none fits, choose out_of_scope when it is in the list, otherwise the closest one with a low confidence.',
    'Extract entities only when the message states them; use null otherwise. Never guess an order number or amount.',
  ].join('\n');
}

const LANGUAGE_NAME: Record<Language, string> = { en: 'English', zh: 'Simplified Chinese' };

export function phraseSystemPrompt(language: Language): string {
  return [
    `You rewrite a customer-service reply draft so it reads naturally in ${LANGUAGE_NAME[language]}. Reply only in ${LANGUAGE_NAME[language]}.`,
    'Keep every fact of the draft and add none: no numbers, amounts, order numbers, dates, days, times, links or contact details that are not in the draft or the facts.',
    'Never promise compensation, refunds, discounts, vouchers, credits, free items or guarantees that the draft does not state.',
    'Do not add apologies. Keep it about as short as the draft. Do not greet by time of day.',
  ].join('\n');
}

export function summarySystemPrompt(language: Language): string {
  return [
    `You write the handover note a human support agent reads before taking over a chat. Write it in ${LANGUAGE_NAME[language]}.`,
    'Say who the customer is, what they want, what the assistant already did (tool calls and their outcomes), what is still missing, why the chat was escalated, and how the customer feels.',
    'Use only facts from the handover data and the transcript. Cite order numbers and amounts exactly; do not invent any.',
    'recommendedAction: the single next step for the agent.',
  ].join('\n');
}

export const PHOTO_SCHEMA_NAME = 'photo_description';

export const photoJsonSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['shows', 'description'],
  properties: {
    shows: { type: 'string', enum: [...PHOTO_KINDS], description: 'What the photo mainly shows.' },
    description: { type: 'string', description: 'One short sentence for a support agent.' },
  },
};

export function photoSystemPrompt(language: Language): string {
  return [
    'You look at one photo a customer sent to the support chat of an online shop.',
    'shows: damage (a broken, cracked, dented, torn or stained item or parcel), wrong_item (not what was ordered), label (a shipping or size label), receipt (a receipt, invoice or payment screen), product (an intact item), other.',
    `description: one short sentence in ${LANGUAGE_NAME[language]} saying what is visible, for the agent. Describe only what is in the photo; no guesses about cause, no numbers that are not readable in it.`,
  ].join('\n');
}
