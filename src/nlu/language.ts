import type { Language } from '../workflows/contract';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[a-z]+/gi;

/**
 * English or Chinese, by script. Chinese customers mix in Latin words ("我要
 * refund", "ok 好的"), so a message counts as Chinese when its Han characters
 * are at least as many as its Latin words; a message with neither (a bare order
 * number, "?!") keeps the hint, since nothing in it says otherwise.
 *
 * @example detectLanguage('我要refund') === 'zh'
 */
export function detectLanguage(text: string, hint: Language = 'en'): Language {
  const han = text.match(HAN)?.length ?? 0;
  const latinWords = text.match(LATIN_WORD)?.length ?? 0;
  if (han === 0 && latinWords === 0) return hint;
  return han > 0 && han >= latinWords ? 'zh' : 'en';
}
