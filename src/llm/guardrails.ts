/**
 * Guardrails for LLM-written text, in plain code: the model is asked to keep
 * to the draft, and this module checks that it did. The draft (written by the
 * deterministic templates from real tool results) and the facts are the only
 * ground truth; anything the candidate adds beyond them is rejected and the
 * caller falls back to the draft.
 *
 * Rejected: promises of compensation, refunds, discounts or guarantees the
 * draft does not make; numbers, order ids, amounts and dates that are not in
 * the draft or facts (digits, English and Chinese number words, month and
 * weekday names, "tomorrow"/"明天"); links and email addresses not in the
 * draft; more apologies than the draft; a different language or script; and
 * empty or rambling output.
 *
 * The checks are deliberately strict: a false rejection costs a slightly
 * plainer reply, a false acceptance costs a promise the company never made.
 */
import type { Language } from '../workflows/contract';
import type { GuardrailViolation } from './types';

export interface ReplyCheckInput {
  /** The LLM's text. */
  candidate: string;
  /** The template text it rephrases. */
  draft: string;
  language: Language;
  /** Other values the reply may mention. */
  facts?: Record<string, string>;
}

/** All violations of `candidate` as a customer reply; empty means accepted. */
export function checkReply(input: ReplyCheckInput): GuardrailViolation[] {
  const candidate = normalize(input.candidate);
  const sources = [input.draft, ...Object.values(input.facts ?? {})].map(normalize);
  const draft = normalize(input.draft);
  const violations: GuardrailViolation[] = [];

  if (candidate.trim() === '') return [{ rule: 'empty', detail: 'no text' }];
  const limit = Math.max(draft.length * 3, draft.length + 300);
  if (candidate.length > limit) {
    violations.push({ rule: 'too_long', detail: `${candidate.length} characters for a ${draft.length}-character draft` });
  }
  violations.push(...checkPromises(candidate, sources));
  violations.push(...checkGroundedIn(candidate, sources));
  violations.push(...checkApologies(candidate, draft));
  violations.push(...checkLanguage(candidate, input.language, sources));
  return violations;
}

/**
 * Violations of `text` against `sources` for numbers, dates and links only:
 * for agent-facing text (handover summaries) that may talk about refunds and
 * apologies but must not invent an order id or an amount.
 */
export function checkGrounded(text: string, sources: string[]): GuardrailViolation[] {
  const normalized = normalize(text);
  if (normalized.trim() === '') return [{ rule: 'empty', detail: 'no text' }];
  return checkGroundedIn(normalized, sources.map(normalize));
}

// ---------------------------------------------------------------------------

/** Full-width to half-width (NFKC) and one kind of space, so "１２３" is 123. */
function normalize(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ');
}

// --- promises --------------------------------------------------------------

const PROMISE_TERMS: Array<{ name: string; pattern: RegExp }> = [
  { name: 'compensation', pattern: /compensat/i },
  { name: 'reimbursement', pattern: /reimburs/i },
  { name: 'refund', pattern: /\brefund/i },
  { name: 'money back', pattern: /money back|pay you back/i },
  { name: 'voucher', pattern: /voucher/i },
  { name: 'coupon', pattern: /coupon|promo(?:tion(?:al)?)? code/i },
  { name: 'gift card', pattern: /gift ?card/i },
  { name: 'discount', pattern: /discount|% off\b|\bpercent off/i },
  { name: 'free', pattern: /free of charge|\bfor free\b|\bfree (?:replacement|upgrade|shipping|gift|month)|on the house|complimentary/i },
  { name: 'credit', pattern: /\bcredit(?:s|ed)?\b(?! ?card)/i },
  { name: 'waiver', pattern: /\bwaive/i },
  { name: 'guarantee', pattern: /guarantee|\bwe promise|\bi promise|make it up to you/i },
  { name: '补偿', pattern: /补偿|赔偿|赔付|赔钱/ },
  { name: '退款', pattern: /退款|退钱|退还|返还|返现|退费/ },
  { name: '优惠', pattern: /优惠|代金券|礼品卡|购物卡|红包/ },
  { name: '折扣', pattern: /折扣|打折|[一二三四五六七八九\d]折(?!叠)/ },
  { name: '免费', pattern: /免费|免单|包邮|减免/ },
  { name: '积分', pattern: /积分|余额/ },
  { name: '保证', pattern: /保证|承诺|担保/ },
];

function checkPromises(candidate: string, sources: string[]): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  for (const term of PROMISE_TERMS) {
    const hit = candidate.match(term.pattern);
    if (hit && !sources.some((s) => term.pattern.test(s))) {
      out.push({ rule: 'compensation', detail: `adds "${hit[0]}" (${term.name})` });
    }
  }
  return out;
}

// --- apologies -------------------------------------------------------------

const APOLOGY = /\b(?:sorry|apologi[sz]e[sd]?|apologies|regret)\b|抱歉|对不起|不好意思|歉意|致歉|很遗憾/gi;

function checkApologies(candidate: string, draft: string): GuardrailViolation[] {
  const said = candidate.match(APOLOGY)?.length ?? 0;
  const allowed = draft.match(APOLOGY)?.length ?? 0;
  // Apologies are budgeted per conversation by the workflow; the LLM must not spend more.
  return said > allowed ? [{ rule: 'apology', detail: `${said} apologies for ${allowed} in the draft` }] : [];
}

// --- numbers, dates, links -------------------------------------------------

const EN_NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  hundred: 100, thousand: 1000, first: 1, second: 2, third: 3, fourth: 4, fifth: 5, half: 0.5, dozen: 12,
  couple: 2, single: 1,
};
const EN_UNITS =
  '(?:business |working |calendar )?(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|dollars?|bucks|cents?|yuan|rmb|percent|items?|times|units?|pieces?)';
const EN_NUMBER_PHRASE = new RegExp(
  `\\b((?:${Object.keys(EN_NUMBER_WORDS).join('|')})(?:[ -](?:${Object.keys(EN_NUMBER_WORDS).join('|')}))*)(?: of)? ${EN_UNITS}\\b`,
  'gi',
);

const MONTHS: Array<[RegExp, number]> = [
  [/\bJan(?:uary|\.)?\b/, 1], [/\bFeb(?:ruary|\.)?\b/, 2], [/\bMar(?:ch|\.)?\b/, 3], [/\bApr(?:il|\.)?\b/, 4],
  // "May" is also a verb: only with a day number next to it.
  [/\bMay(?= \d)|(?<=\d(?:st|nd|rd|th)? (?:of )?)May\b/, 5],
  [/\bJun(?:e|\.)?\b/, 6], [/\bJul(?:y|\.)?\b/, 7], [/\bAug(?:ust|\.)?\b/, 8], [/\bSep(?:t|tember|\.)?\b/, 9],
  [/\bOct(?:ober|\.)?\b/, 10], [/\bNov(?:ember|\.)?\b/, 11], [/\bDec(?:ember|\.)?\b/, 12],
];

/** Relative dates and weekdays: each must also appear in the draft or facts. */
const DATE_WORDS =
  /\b(?:today|tonight|tomorrow|yesterday|this (?:morning|afternoon|evening|week|weekend|month)|next (?:week|month|year|business day|working day)|over the weekend|end of (?:the )?(?:day|week|month)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|within (?:the )?(?:hour|day|week))\b|今天|今日|今晚|明天|明日|后天|大后天|昨天|下周|下星期|下礼拜|下个月|本周|这周|这个月|月底|周末|周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|当天/gi;

const URL_OR_EMAIL = /\bhttps?:\/\/[^\s)]+|\bwww\.[^\s)]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/gi;

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };
// Chinese numerals count only before a measure word: 一 alone is part of too
// many ordinary words (一下, 一起, 统一) to be read as a number.
const CN_NUMBER =
  /([零〇一二两三四五六七八九十百千万]+)(?=个?(?:工作日|小时|钟头|分钟|秒|天|日|号|周|星期|礼拜|个月|月|年|元|块|美元|美金|人民币|倍|折|%|％|成))/g;

/** Parses 一百二十三, 十五, 两千 and the like. */
export function parseChineseNumeral(text: string): number | undefined {
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  for (const ch of text) {
    if (ch in CN_DIGITS) {
      digit = CN_DIGITS[ch];
    } else if (ch in CN_UNITS) {
      const unit = CN_UNITS[ch];
      if (unit === 10000) {
        total += (section + (digit ?? 0)) * unit;
        section = 0;
      } else {
        section += (digit ?? 1) * unit;
      }
      digit = undefined;
    } else {
      return undefined;
    }
  }
  return total + section + (digit ?? 0);
}

/** Canonical form of a numeric token: "059.90" → "59.9", "1,299" → "1299". */
function canonical(token: string): string {
  const clean = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(token) ? token.replace(/,/g, '') : token;
  if (clean.includes('.')) return String(Number(clean));
  // Long ids (order and tracking numbers) exceed float precision: compare as text.
  return clean.replace(/^0+(?=\d)/, '');
}

/** Every number a text states, canonicalized: digits, number words, month names. */
export function extractNumbers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\d+(?:[.,]\d+)*/g)) {
    const token = m[0];
    if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(token) || /^\d+\.\d+$/.test(token)) out.push(canonical(token));
    else for (const part of token.split(/[.,]/)) if (part) out.push(canonical(part));
  }
  for (const m of text.matchAll(EN_NUMBER_PHRASE)) {
    const value = m[1]
      .toLowerCase()
      .split(/[ -]/)
      .reduce((acc, w) => {
        const n = EN_NUMBER_WORDS[w];
        return n >= 100 ? (acc || 1) * n : acc + n;
      }, 0);
    out.push(String(value));
  }
  for (const m of text.matchAll(CN_NUMBER)) {
    const value = parseChineseNumeral(m[1]);
    if (value !== undefined) out.push(String(value));
  }
  for (const [pattern, month] of MONTHS) if (pattern.test(text)) out.push(String(month));
  return out;
}

function checkGroundedIn(candidate: string, sources: string[]): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const allowedNumbers = new Set(sources.flatMap(extractNumbers));
  const reported = new Set<string>();
  for (const n of extractNumbers(candidate)) {
    if (!allowedNumbers.has(n) && !reported.has(n)) {
      reported.add(n);
      out.push({ rule: 'ungrounded_number', detail: n });
    }
  }
  const lowerSources = sources.map((s) => s.toLowerCase());
  for (const m of candidate.matchAll(DATE_WORDS)) {
    const word = m[0].toLowerCase();
    if (!lowerSources.some((s) => s.includes(word))) out.push({ rule: 'ungrounded_date', detail: m[0] });
  }
  for (const m of candidate.matchAll(URL_OR_EMAIL)) {
    const link = m[0].replace(/[.,;:!?]+$/, '').toLowerCase();
    if (!lowerSources.some((s) => s.includes(link))) out.push({ rule: 'ungrounded_link', detail: m[0] });
  }
  return out;
}

// --- language --------------------------------------------------------------

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_RUN = /\p{Script=Latin}+/gu;
// Scripts that are neither English nor Chinese: a reply in them is a switch.
const OTHER_SCRIPT = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Thai}\p{Script=Greek}\p{Script=Hebrew}\p{Script=Devanagari}]+/gu;
const ENGLISH_FUNCTION_WORDS = new Set(
  'the a an and or but to of in on at for with from by is are was were be been will would can could please you your we our us i my it this that thank thanks has have had do does not no yes here there'.split(
    ' ',
  ),
);

function checkLanguage(candidate: string, language: Language, sources: string[]): GuardrailViolation[] {
  // Text quoted from the draft or facts (a Chinese address in an English reply,
  // a product name in a Chinese one) says nothing about the reply's language.
  let rest = candidate;
  const quotedWords = new Set<string>();
  for (const s of sources) {
    for (const run of s.match(HAN_RUN) ?? []) if (run.length >= 2) rest = rest.split(run).join(' ');
    for (const word of s.match(LATIN_RUN) ?? []) quotedWords.add(word.toLowerCase());
  }
  const out: GuardrailViolation[] = [];
  const other = rest.match(OTHER_SCRIPT);
  if (other) out.push({ rule: 'language', detail: `text in another script: "${other[0]}"` });

  const han = (rest.match(HAN_RUN) ?? []).join('').length;
  const words = (candidate.match(LATIN_RUN) ?? []).map((w) => w.toLowerCase());
  if (language === 'en') {
    if (han >= 2) out.push({ rule: 'language', detail: `${han} Chinese characters in an English reply` });
    // Latin script but not English (French, Spanish…): the words the reply
    // adds to the draft include no English function word at all.
    const added = words.filter((w) => !quotedWords.has(w));
    if (added.length >= 5 && !added.some((w) => ENGLISH_FUNCTION_WORDS.has(w))) {
      out.push({ rule: 'language', detail: 'no English words in an English reply' });
    }
  } else {
    const hanInCandidate = (candidate.match(HAN_RUN) ?? []).join('').length;
    const newLatin = words.filter((w) => !quotedWords.has(w)).join('').length;
    if (hanInCandidate === 0) out.push({ rule: 'language', detail: 'no Chinese in a Chinese reply' });
    else if (newLatin > hanInCandidate) {
      out.push({ rule: 'language', detail: `${newLatin} Latin letters to ${hanInCandidate} Chinese characters` });
    }
  }
  return out;
}
