/**
 * Text normalization: the first step of understanding. Pure and fast.
 *
 * Customers type on phones with Chinese IMEs, so the same message arrives with
 * full-width letters, digits and punctuation ("ＯＲＤＥＲ１２３，" with ideographic spaces), ideographic
 * spaces, and order numbers read out in Chinese numerals ("一零零…"). Every later
 * layer (rules, entities, the model) sees one canonical form instead.
 */

/** Full-width ASCII block (U+FF01–U+FF5E) maps onto ASCII by a fixed offset. */
const FULL_WIDTH_OFFSET = 0xfee0;

/** Chinese digit characters as spoken digit by digit in numbers (幺 is the "one" of phone numbers). */
const CHINESE_DIGITS: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};

/**
 * Runs of at least six Chinese digit characters are numbers read digit by digit
 * (order numbers, phone numbers). Shorter runs are left alone: "一二" or "三四天"
 * are ordinary words or small counts, and converting them would corrupt the text.
 */
const CHINESE_DIGIT_RUN = /[零〇一幺二两三四五六七八九]{6,}/g;

/** Punctuation Chinese keyboards produce outside the full-width block. */
const CJK_PUNCTUATION: Readonly<Record<string, string>> = {
  '\u3000': ' ',
  // Full-width yen sits outside the U+FF01–U+FF5E block.
  '\uffe5': '¥',
  '。': '.',
  '、': ',',
  '【': '[',
  '】': ']',
  '「': '"',
  '」': '"',
  '『': '"',
  '』': '"',
  '\u201c': '"',
  '\u201d': '"',
  '\u2018': "'",
  '\u2019': "'",
  '…': '...',
  '—': '-',
};

/** Full-width → half-width for the ASCII block and common CJK punctuation. */
export function toHalfWidth(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xff01 && code <= 0xff5e) {
      out += String.fromCodePoint(code - FULL_WIDTH_OFFSET);
    } else {
      out += CJK_PUNCTUATION[ch] ?? ch;
    }
  }
  return out;
}

/** Long runs of Chinese digit characters → ASCII digits ("一零零零…" → "1000…"). */
export function chineseDigitRunsToAscii(text: string): string {
  return text.replace(CHINESE_DIGIT_RUN, (run) => [...run].map((ch) => CHINESE_DIGITS[ch]).join(''));
}

/**
 * Canonical form of a customer message: half-width characters, Chinese digit
 * runs as digits, whitespace collapsed and trimmed, zero-width characters
 * removed. Case is preserved so entities (addresses, reasons) keep the
 * customer's spelling; use {@link matchForm} for case-insensitive matching.
 *
 * @example normalize('  ＯＲＤＥＲ ＃１２３  ') === 'ORDER #123'
 */
export function normalize(text: string): string {
  const halfWidth = toHalfWidth(text.normalize('NFC')).replace(/[\u200b-\u200d\ufeff]/g, '');
  return chineseDigitRunsToAscii(halfWidth).replace(/\s+/g, ' ').trim();
}

/** Lower-cased normalized text, for rules and the classifier. */
export function matchForm(normalized: string): string {
  return normalized.toLowerCase();
}
