/**
 * Understanding: what a customer message means.
 *
 * `createUnderstander()` runs normalize → rules → local model → LLM (only when
 * one is passed in and the local layers are unsure) and returns the contract's
 * `Understanding`: intent, confidence, deciding layer, entities, emotion,
 * language and whether a human was asked for. The pure pieces are exported
 * for the workflow's policy code and the tests.
 *
 * The model is data/nlu/model.json, trained by `npm run train:nlu` from
 * data/bitext (Bitext, CDLA-Sharing-1.0) and data/nlu/train-*.jsonl.
 *
 * @example
 * import { createUnderstander } from './nlu';
 * const nlu = createUnderstander();
 * const u = await nlu.understand({ text: 'Where is order 100000000002?' });
 * // { intent: 'track_order', layer: 'rule' | 'model', entities: { orderNumber: '100000000002' }, ... }
 */
export { createUnderstander, DEFAULT_LLM_BELOW, type UnderstanderOptions } from './understander';
export { normalize, matchForm, toHalfWidth, chineseDigitRunsToAscii } from './normalize';
export { detectLanguage } from './language';
export { detectEmotion } from './emotion';
export { isHumanRequest } from './human';
export { matchRules, type RuleHit } from './rules';
export {
  extractEntities,
  extractAmount,
  extractOrderNumber,
  extractPhone,
  extractEmail,
  extractRefundMethod,
  extractReturnType,
  extractReason,
  extractAddress,
  extractProduct,
  parseChineseNumber,
} from './entities';
export { IntentModel, type RankedIntent } from './model';
export type { Classification, LlmIntentClassifier, UnderstandInput, Understander } from './types';
