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

export const FEATURE_VERSION = 5;

const stemmer = new StemmerEn();

/** Bitext writes entities as {{Placeholders}}; real text has the values. Map both onto one token. */
const PLACEHOLDER_TOKENS: Readonly<Record<string, string>> = {
  'order number': ' #order ',
  'invoice number': ' #order ',
  'refund amount': ' #num ',
  'currency symbol': ' ',
  'person name': ' ',
  'account type': ' ',
  'account category': ' ',
  'delivery city': ' ',
  'delivery country': ' ',
};

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
  [/\bcall(?:ing|ed)? off\b|\bback(?:ing)? out of\b/g, 'cancel'],
  [/\bcheck ?out\b/g, 'purchase'],
  [/\bsign(?:ing)? me up\b/g, 'sign up'],
];

const HAN_RUN = /\p{Script=Han}+/gu;

function englishTokens(text: string): string[] {
  let t = text.replace(/\{\{([^}]+)\}\}/g, (_m, name: string) => PLACEHOLDER_TOKENS[name.toLowerCase()] ?? ' ');
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
export function featurize(text: string): string[] {
  const features = new Set<string>();
  const stems = stem(englishTokens(text));
  for (const s of stems) features.add(`w:${s}`);
  for (let i = 0; i + 1 < stems.length; i++) features.add(`b:${stems[i]}_${stems[i + 1]}`);
  // A named product is a strong hint for product, price, repair, installation and return questions.
  if (extractProduct(text) !== undefined) features.add('#product');
  // Likewise a street address points at the address intents, whatever words surround it.
  if (extractAddress(text) !== undefined) features.add('#address');
  for (const run of text.match(HAN_RUN) ?? []) {
    const chars = [...run];
    for (const ch of chars) features.add(`c:${ch}`);
    for (let i = 0; i + 1 < chars.length; i++) features.add(`z:${chars[i]}${chars[i + 1]}`);
  }
  return [...features];
}
