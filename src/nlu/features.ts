/**
 * Classifier features from a message: stemmed English words and word pairs,
 * Chinese character unigrams and bigrams (no segmenter: bigrams capture most
 * two-character words and tolerate unseen compounds), and typed tokens for
 * numbers. Training (scripts/nlu-train.ts) and prediction use this one
 * function, so a change here needs `npm run train:nlu`; bump
 * {@link FEATURE_VERSION} so the staleness test notices.
 */
import { StemmerEn } from '@nlpjs/lang-en-min';
import { extractAddress, extractProduct } from './entities';
import { normalizePlaceholders } from './placeholders';

export const FEATURE_VERSION = 8;

const stemmer = new StemmerEn();

const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan'?t\b/g, 'can not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\b(\w+)'re\b/g, '$1 are'],
  [/\b(\w+)'ve\b/g, '$1 have'],
  [/\b(\w+)'ll\b/g, '$1 will'],
  [/\b(\w+)'d\b/g, '$1 would'],
  [/\bi'?m\b/g, 'i am'],
  [/\b(\w+)'s\b/g, '$1'],
];

/** Frequent chat shorthand, so "u", "pls" and "ur" mean what the training data spells out. */
const SHORTHAND: Readonly<Record<string, string>> = {
  u: 'you',
  ur: 'your',
  pls: 'please',
  plz: 'please',
  thx: 'thanks',
  ty: 'thanks',
  r: 'are',
  im: 'i am',
  dont: 'do not',
  cant: 'can not',
  wont: 'will not',
  didnt: 'did not',
  doesnt: 'does not',
  isnt: 'is not',
  havent: 'have not',
  wheres: 'where is',
  whats: 'what is',
  hows: 'how is',
  acct: 'account',
  addr: 'address',
  asap: 'soon',
  msg: 'message',
  info: 'information',
  // Misspellings customers type often (Bitext's own noise rows cover others).
  cancle: 'cancel',
  cancell: 'cancel',
  adress: 'address',
  addres: 'address',
  pasword: 'password',
  passwrod: 'password',
  recieve: 'receive',
  recieved: 'received',
  delivry: 'delivery',
  shiping: 'shipping',
  acount: 'account',
  accout: 'account',
  invoce: 'invoice',
  refnd: 'refund',
  paymnet: 'payment',
  exchage: 'exchange',
  wher: 'where',
  // Three-letter chat spellings, too short for the speller to correct safely.
  wat: 'what',
  wht: 'what',
  wen: 'when',
  whn: 'when',
  hw: 'how',
  pw: 'password',
  pwd: 'password',
  nvm: 'never mind',
  // "installment" and "installation" share a stem; paying in parts is a payment question.
  installment: 'paylater',
  installments: 'paylater',
  instalment: 'paylater',
  instalments: 'paylater',
};

/** Politeness carries no intent, but short polite answers ("yes please") taught the network that it means "affirm". */
const NO_INTENT = new Set(['please', 'kindly']);

/** Multi-word synonyms Bitext never uses, rewritten to the word it does use. */
const PHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcall(?:ing|ed|s)? (?:it |this |that |them |the order )?off\b|\bback(?:ing)? out of\b/g, 'cancel'],
  [/\bcheck ?out\b/g, 'purchase'],
  [/\bsign(?:ing)? me up\b/g, 'sign up'],
];

const HAN_RUN = /\p{Script=Han}+/gu;

function englishTokens(text: string): string[] {
  let t = normalizePlaceholders(text);
  t = t.replace(/\p{Script=Han}+/gu, ' ');
  for (const [re, replacement] of CONTRACTIONS) t = t.replace(re, replacement);
  for (const [re, replacement] of PHRASES) t = t.replace(re, replacement);
  t = t.replace(/(?<!\d)\d{12}(?!\d)/g, ' #order ').replace(/\d+(?:[.,]\d+)*/g, ' #num ');
  const words: string[] = [];
  for (const raw of t.match(/#?[a-z]+/g) ?? []) {
    for (const w of (SHORTHAND[raw] ?? raw).split(' ')) if (!NO_INTENT.has(w)) words.push(w);
  }
  return words;
}

/** Word → how often it occurs in the training texts; the speller corrects towards these. */
export type Vocabulary = Readonly<Record<string, number>>;

/** Maps a word the model never saw to a close one it did (or returns it unchanged). */
export type Speller = (word: string) => string;

/** Shorter words have too many one-edit neighbours ("cat" → "cart", "chat", "act") to correct safely. */
const MIN_SPELL_LENGTH = 4;
/** Corrections only land on words seen this often, so one of Bitext's own typos is not a target. */
const MIN_TARGET_COUNT = 3;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Counts of the words {@link featurize} reads, over the training texts. */
export function vocabularyOf(texts: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const text of texts) for (const w of englishTokens(text)) if (!w.startsWith('#')) counts[w] = (counts[w] ?? 0) + 1;
  return counts;
}

/**
 * One-edit spelling correction (deletion, insertion, substitution, swap of
 * neighbours) towards the training vocabulary, most frequent candidate first.
 * Customers' typos ("cancal", "adres", "instalation") otherwise become words
 * the network has no weight for, and the message loses its key word.
 */
export function createSpeller(vocabulary: Vocabulary): Speller {
  const known = (w: string): number => (Object.prototype.hasOwnProperty.call(vocabulary, w) ? vocabulary[w]! : 0);
  const cache = new Map<string, string>();
  return (word) => {
    if (word.length < MIN_SPELL_LENGTH || known(word) > 0 || !/^[a-z]+$/.test(word)) return word;
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    let best = word;
    let bestCount = MIN_TARGET_COUNT - 1;
    const consider = (candidate: string): void => {
      const count = known(candidate);
      if (count > bestCount) {
        best = candidate;
        bestCount = count;
      }
    };
    for (let i = 0; i <= word.length; i++) {
      const head = word.slice(0, i);
      const tail = word.slice(i);
      if (tail.length > 0) consider(head + tail.slice(1));
      if (tail.length > 1) consider(head + tail[1]! + tail[0]! + tail.slice(2));
      for (const ch of LETTERS) {
        consider(head + ch + tail);
        if (tail.length > 0) consider(head + ch + tail.slice(1));
      }
    }
    // Bounded: a chat service sees an open-ended stream of words.
    if (cache.size > 10_000) cache.clear();
    cache.set(word, best);
    return best;
  };
}

/** Message length as a feature: yes/no/greeting intents are short, and the network can only learn that from a feature. */
function lengthBucket(words: number): string {
  if (words <= 1) return 'n:1';
  if (words <= 2) return 'n:2';
  if (words <= 4) return 'n:3-4';
  if (words <= 8) return 'n:5-8';
  return 'n:9+';
}

function stem(words: string[]): string[] {
  const plain = words.filter((w) => !w.startsWith('#'));
  const stems = plain.length > 0 ? stemmer.stem(plain) : [];
  let i = 0;
  return words.map((w) => (w.startsWith('#') ? w : stems[i++]!));
}

/**
 * Feature names for a lower-cased, normalized message. Every name carries a
 * prefix: the network's feature table is a plain object, where a bare
 * "constructor" would collide with Object.prototype.
 *
 * @example featurize('where is my order') // ['w:where', 'w:is', 'w:my', 'w:order', 'b:where_is', ...]
 */
export function featurize(text: string, speller?: Speller): string[] {
  const features = new Set<string>();
  const words = englishTokens(text);
  const stems = stem(speller ? words.map(speller) : words);
  for (const s of stems) features.add(`w:${s}`);
  for (let i = 0; i + 1 < stems.length; i++) features.add(`b:${stems[i]}_${stems[i + 1]}`);
  // A named product is a strong hint for product, price, repair, installation and return questions.
  if (extractProduct(text) !== undefined) features.add('#product');
  // Likewise a street address points at the address intents, whatever words surround it.
  if (extractAddress(text) !== undefined) features.add('#address');
  let hanChars = 0;
  for (const run of text.match(HAN_RUN) ?? []) {
    const chars = [...run];
    hanChars += chars.length;
    for (const ch of chars) features.add(`c:${ch}`);
    for (let i = 0; i + 1 < chars.length; i++) features.add(`z:${chars[i]}${chars[i + 1]}`);
  }
  features.add(lengthBucket(words.length + Math.ceil(hanChars / 2)));
  return [...features];
}
