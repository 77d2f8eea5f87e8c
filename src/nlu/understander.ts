/**
 * The understanding pipeline: normalize → rules → local model → LLM (only when
 * one is configured and the local layers are unsure).
 */
import { INTENTS, type Entities, type Understanding } from '../workflows/contract';
import type { Classification, LlmIntentClassifier, UnderstandInput, Understander } from './types';
import { detectEmotion } from './emotion';
import { extractEntities } from './entities';
import { isHumanRequest, withoutHumanRequest } from './human';
import { detectLanguage } from './language';
import { IntentModel } from './model';
import { matchForm, normalize } from './normalize';
import { matchRules, type RuleHit } from './rules';
import { soundsLikeQuestion, soundsLikeRequest } from '../domain/cues';
import { isTaskIntent, schemaOf, type TaskIntent } from '../domain/slots';

export interface UnderstanderOptions {
  /** Asked only when the local layers are below {@link llmBelow}; failures fall back to the local answer. */
  llm?: LlmIntentClassifier;
  /** Local confidence under which the LLM is asked. Default {@link DEFAULT_LLM_BELOW}. */
  llmBelow?: number;
  /** A loaded model; by default data/nlu/model.json is loaded once, on first use. */
  model?: IntentModel;
  /** Called when the LLM throws (the pipeline answers locally anyway). */
  onLlmError?: (error: unknown) => void;
}

/**
 * Below this model confidence the answer is "unsure". Measured on the held-out
 * sets (bench/classify.bench.ts prints accuracy by confidence band): model
 * answers under 0.2 were right about half the time, 0.2–0.35 about 80–90%,
 * above 0.35 over 95%; rule answers are always at least 0.75.
 */
export const DEFAULT_LLM_BELOW = 0.35;

/** A model answer at or above this, for a different intent, overrides a pending free-text slot. */
const SWITCH_CONFIDENCE = 0.6;
/** Entities that are, by themselves, the value of a task's slot. */
const TASK_VALUE_ENTITIES = ['refundMethod', 'returnType'] as const;
/** A human request's remaining text needs this many words (Han characters count two to a word) to carry a topic. */
const TOPIC_MIN_WORDS = 2;
/** …and the local layers this much confidence in it (the workflow applies its own threshold on top). */
const TOPIC_MIN_CONFIDENCE = 0.3;
/** The bare value of a requested slot: the entity plus at most this many other words. */
const BARE_VALUE_WORDS = 4;

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);

/**
 * Slots filled by a recognizable value; slot names are the {@link Entities} keys,
 * as in src/domain/slots.ts. The rest (reason, description, address) are free text.
 */
const VALUE_SLOTS: ReadonlySet<string> = new Set<keyof Entities>([
  'orderNumber',
  'amount',
  'phone',
  'email',
  'refundMethod',
  'returnType',
  'product',
]);

/** Leading yes/no words that decide a confirmation even with more text after them ("no, it's order …"). */
const LEADING_AFFIRM = /^(?:yes|yeah|yep|yup|sure|ok|okay|correct|right|confirm\w*|是的|是|对的|对|好的|好|可以|没问题|确认|嗯)(?![a-z])/;
const LEADING_DENY = /^(?:no|nope|nah|not|wrong|incorrect|不是|不对|不用|不要|不|错了|没有)(?![a-z])/;

interface LocalAnswer extends Classification {
  rule?: RuleHit;
}

/** Words left once entity-looking parts and punctuation are removed; Han characters count two to a word. */
function residualWords(text: string): number {
  const stripped = text
    .replace(/[\w.+-]+@[\w.-]+/g, ' ')
    .replace(/[$¥€£#]?\d[\d,.\- ]*/g, ' ')
    .replace(/[^\p{L}\s]/gu, ' ');
  const latin = stripped.match(/[a-z]+/gi)?.length ?? 0;
  const han = stripped.match(/\p{Script=Han}/gu)?.length ?? 0;
  return latin + Math.ceil(han / 2);
}

const FILLER_EN = /\b(?:it'?s|it is|its|my|the|order|number|no|is|here|this|one|please|pls|sure|ok|okay|yes|to|by|via|in|a|an)\b/g;
const FILLER_ZH = /订单号?|单号|号码|我的|是|好的|请|这个|就是|吧|呢|啊|呀/g;

/** Below this raw score the model's top answer is not trusted however far ahead it is. */
const DECISIVE_FLOOR = 0.15;

/**
 * The model's scores are spread over 38 intents, so a clear winner can score
 * only 0.24 ("can you refund me for order … please": get_refund 0.24, the next
 * 0.06). How far the top answer is ahead of the next one says more about
 * whether it is right than its raw share: confidence is the larger of the raw
 * score and top / (top + second), once the top score is above a floor.
 */
export function decisiveness(top: number, second: number): number {
  if (top < DECISIVE_FLOOR) return top;
  return Math.max(top, top / (top + second));
}

class PipelineUnderstander implements Understander {
  private model: IntentModel | undefined;

  constructor(private readonly options: UnderstanderOptions) {
    this.model = options.model;
  }

  private getModel(): IntentModel {
    this.model ??= IntentModel.load();
    return this.model;
  }

  private local(matchText: string, normalized: string, language: Understanding['language']): LocalAnswer {
    const rule = matchRules(matchText, language);
    if (rule) return { intent: rule.intent, confidence: rule.confidence, layer: 'rule', rule };
    const [top, second] = this.getModel().rank(normalized);
    return { intent: top!.intent, confidence: decisiveness(top!.confidence, second?.confidence ?? 0), layer: 'model' };
  }

  private async withLlm(text: string, local: LocalAnswer, useLlm: boolean): Promise<{ answer: Classification; entities?: Entities }> {
    const llm = this.options.llm;
    if (!useLlm || !llm || local.confidence >= (this.options.llmBelow ?? DEFAULT_LLM_BELOW)) return { answer: local };
    try {
      const result = await llm.classifyIntent(text, INTENTS);
      if (!result || !INTENT_SET.has(result.intent) || !Number.isFinite(result.confidence)) return { answer: local };
      const confidence = Math.min(1, Math.max(0, result.confidence));
      return { answer: { intent: result.intent, confidence, layer: 'llm' }, entities: result.entities };
    } catch (error) {
      this.options.onLlmError?.(error);
      return { answer: local };
    }
  }

  /**
   * Reads the message in the context of what the bot asked. A yes/no question
   * makes "ok"/"不用了" an answer; a slot question makes a bare value ("100000000001")
   * an answer for the same task. Anything that clearly says something else
   * (a rule hit, a confident model answer) still wins, so a customer can change
   * the subject mid-task.
   */
  private inContext(input: UnderstandInput, matchText: string, entities: Entities, local: LocalAnswer): Classification | undefined {
    const expecting = input.expecting;
    if (!expecting) return undefined;
    const bare = matchText.replace(/[\s.!?,~。！？，]+$/u, '');
    if (expecting.confirming) {
      if (local.rule && (local.intent === 'affirm' || local.intent === 'deny')) return { ...local, confidence: 0.97 };
      if (local.rule?.rule === 'human') return undefined;
      if (LEADING_DENY.test(bare)) return { intent: 'deny', confidence: 0.9, layer: 'rule' };
      if (LEADING_AFFIRM.test(bare)) return { intent: 'affirm', confidence: 0.9, layer: 'rule' };
      return undefined;
    }
    const slot = expecting.slot;
    if (!slot || local.rule?.rule === 'human') return undefined;
    if (VALUE_SLOTS.has(slot)) {
      const value = entities[slot as keyof Entities];
      if (value !== undefined && residualWords(bare.replace(FILLER_EN, ' ').replace(FILLER_ZH, ' ')) <= BARE_VALUE_WORDS) {
        return { intent: expecting.intent, confidence: 0.95, layer: 'rule' };
      }
      return undefined;
    }
    // An address answer is a value when it looks like one, and free text otherwise ("the blue house by the station").
    if (slot === 'address' && entities.address !== undefined) return { intent: expecting.intent, confidence: 0.95, layer: 'rule' };
    // A free-text slot (a reason, a description): the answer is whatever the customer says, unless it is clearly
    // something else. A question ("how many points do I have") is; words that merely sound like another task
    // ("不想要了", "尺码不合适", "it stopped working") are the reason, unless worded as a request of their own.
    const other = local.intent !== expecting.intent && local.intent !== 'affirm' && local.intent !== 'deny';
    const sure = local.layer === 'rule' || local.confidence >= SWITCH_CONFIDENCE;
    const otherOrder = entities.orderNumber !== undefined;
    // A value for another slot of the same task ("original payment" when the reason was asked) is still this task,
    // however the model reads it on its own (there: payment_issue, which would have gone to a human).
    const namesTaskSlot =
      isTaskIntent(expecting.intent) && TASK_VALUE_ENTITIES.some((k) => entities[k] !== undefined && schemaOf(expecting.intent as TaskIntent).slots.includes(k));
    // Another kind of topic switches when a rule says so or the words ask something; a model's confident read of a
    // plain statement does not ("it was broken in the box" read as product_inquiry while the reason was asked).
    const otherTopic = !isTaskIntent(local.intent) && !namesTaskSlot && (local.layer === 'rule' || soundsLikeQuestion(matchText));
    const switching = other && sure && (soundsLikeRequest(bare) || otherOrder || otherTopic);
    return switching ? undefined : { intent: expecting.intent, confidence: 0.85, layer: 'rule' };
  }

  async understand(input: UnderstandInput): Promise<Understanding> {
    const normalized = normalize(input.text);
    const matchText = matchForm(normalized);
    const language = detectLanguage(normalized, input.languageHint);
    const entities = extractEntities(normalized);
    const emotion = detectEmotion(normalized);
    const local = this.local(matchText, normalized, language);
    const contextual = this.inContext(input, matchText, entities, local);
    let answer: Classification = contextual ?? local;
    let merged = entities;
    if (!contextual) {
      const decided = await this.withLlm(normalized, local, true);
      answer = decided.answer;
      // Regex entities are exact; the LLM only fills what they missed.
      if (decided.entities) merged = { ...decided.entities, ...entities };
    }
    const humanRequested =
      isHumanRequest(matchText) || (answer.intent === 'contact_human_agent' && answer.confidence >= 0.8);
    const topic = humanRequested ? this.topicBeside(matchText, language) : undefined;
    const result: Understanding = {
      intent: answer.intent,
      confidence: answer.confidence,
      layer: answer.layer,
      entities: merged,
      emotion,
      language,
      humanRequested,
      ...(topic ? { topic } : {}),
      normalizedText: normalized,
    };
    // The workflow joins a burst with newlines; normalizing the whole text folds them away.
    const segments = input.text.split('\n').map(normalize).filter((line) => line !== '');
    if (segments.length > 1) result.segments = segments;
    const alternatives = this.alternatives(normalized, answer);
    if (alternatives.length > 0) result.alternatives = alternatives;
    if (input.context) Object.assign(result, this.fromContext(input.context, language));
    return result;
  }

  /** The model's next likeliest intents, for a clarifying question; only asked for unsure answers. */
  private alternatives(normalized: string, answer: Classification): { intent: Understanding['intent']; confidence: number }[] {
    if (answer.confidence >= 0.6 || normalized.trim() === '') return [];
    return this.getModel()
      .rank(normalized)
      .filter((r) => r.intent !== answer.intent)
      .slice(0, 3)
      .map((r) => ({ intent: r.intent, confidence: r.confidence }));
  }

  /**
   * What an agent set up before handing back: order numbers and a reason from
   * what was said in the human part, and the task the release note names.
   * "100000000001, it arrived broken" gives the order and the reason.
   */
  private fromContext(context: NonNullable<UnderstandInput['context']>, language: Understanding['language']): Pick<Understanding, 'contextEntities' | 'contextIntent'> {
    const entities: Entities = {};
    for (const line of [...context.lines, ...(context.note ? [{ from: 'agent' as const, text: context.note }] : [])]) {
      const text = normalize(line.text);
      const found = extractEntities(text);
      if (found.orderNumber) entities.orderNumber = found.orderNumber;
      if (found.reason && line.from === 'customer') entities.reason = found.reason;
      if (line.from === 'customer' && found.orderNumber && !found.reason) {
        const rest = text.replace(found.orderNumber, ' ').replace(/\b(?:order|number|no\.?|it'?s|is)\b|订单号?|单号/gi, ' ').replace(/^[\s,，.。:：;；-]+|[\s,，.。!！]+$/g, '').trim();
        if (residualWords(rest) >= 2) entities.reason = rest;
      }
    }
    const out: Pick<Understanding, 'contextEntities' | 'contextIntent'> = {};
    if (Object.keys(entities).length > 0) out.contextEntities = entities;
    if (context.note) {
      const note = normalize(context.note);
      const local = this.local(matchForm(note), note, detectLanguage(note, language));
      if (local.confidence >= 0.5) out.contextIntent = local.intent;
    }
    return out;
  }

  /**
   * What a message that asks for a person is otherwise about, from the local
   * layers on the rest of the text; nothing when the rest is too short to say.
   */
  private topicBeside(matchText: string, language: Understanding['language']): Understanding['topic'] {
    const rest = withoutHumanRequest(matchText);
    if (residualWords(rest) < TOPIC_MIN_WORDS) return undefined;
    const local = this.local(rest, rest, language);
    if (local.intent === 'contact_human_agent' || local.intent === 'contact_customer_service' || local.confidence < TOPIC_MIN_CONFIDENCE) return undefined;
    return { intent: local.intent, confidence: local.confidence };
  }

  async classify(text: string, options: { useLlm?: boolean } = {}): Promise<Classification> {
    const normalized = normalize(text);
    const language = detectLanguage(normalized);
    const local = this.local(matchForm(normalized), normalized, language);
    const { answer } = await this.withLlm(normalized, local, options.useLlm ?? true);
    return { intent: answer.intent, confidence: answer.confidence, layer: answer.layer };
  }
}

/**
 * Builds the understanding pipeline. Without an `llm` it is fully local and
 * deterministic for a given model file.
 *
 * @example
 * const understander = createUnderstander();
 * const u = await understander.understand({ text: '订单100000000001我要退款' });
 * // u.intent === 'get_refund', u.entities.orderNumber === '100000000001', u.language === 'zh'
 */
export function createUnderstander(options: UnderstanderOptions = {}): Understander {
  return new PipelineUnderstander(options);
}
