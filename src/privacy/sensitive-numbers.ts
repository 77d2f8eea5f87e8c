/**
 * Card numbers and identity numbers in free text: found, so entity
 * extraction never mistakes them for order numbers, and masked wherever text
 * leaves the conversation (logs, previews, the operator history).
 *
 * Pure string code with no Node built-ins, so any layer may import it.
 *
 * - Card numbers: 13–19 digits, written as one run or in groups of 3–6
 *   digits after a first group of 4 ("4111 1111 1111 1111", "3782-822463-10005"),
 *   that pass the Luhn check. The check keeps other long numbers (tracking
 *   numbers, timestamps) readable where only cards must go.
 * - Identity numbers: the 18-character Chinese resident id (17 digits and a
 *   digit or X, also spaced as 6-8-4 or 6-4-4-4) and the US social security
 *   number (3-2-4 with dashes or spaces).
 */

/**
 * One run or grouped digits; the lookarounds keep it from starting or ending
 * inside a longer number, or inside a word such as a hex hash or an id.
 */
const CARD_CANDIDATE = /(?<![\dA-Za-z])(?:\d{13,19}|\d{4}([ -])\d{3,6}(?:\1\d{3,6}){1,3})(?![\dA-Za-z]|[ -]\d)/g;

const CN_ID = /(?<![\dA-Za-z])\d{6}([ -]?)(?:\d{8}|\d{4}\1\d{4})\1\d{3}[\dXx](?![\dA-Za-z])/g;
const SSN = /(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])/g;

/** The Luhn (mod 10) check of a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function isCard(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
}

/**
 * Replaces every card number in `text` with `replacement`. With
 * `{ luhn: false }` every card-shaped number goes, checksum or not: logs use
 * that, because a mistyped card number is still a card number.
 */
export function maskCardNumbers(text: string, replacement = '[card]', options: { luhn?: boolean } = {}): string {
  const luhn = options.luhn ?? true;
  return text.replace(CARD_CANDIDATE, (match) => (!luhn || isCard(match) ? replacement : match));
}

/** Replaces every identity number in `text` with `replacement`. */
export function maskIdNumbers(text: string, replacement = '[id]'): string {
  return text.replace(CN_ID, replacement).replace(SSN, replacement);
}

/** Whether `text` holds a card or identity number. */
export function hasSensitiveNumber(text: string): boolean {
  return maskIdNumbers(maskCardNumbers(text, '\u0000'), '\u0000') !== text;
}

/**
 * The text with identity and card numbers blanked out (same length, spaces),
 * for extractors that must not read them: positions stay valid, and no digit
 * of a card can join a neighbouring number.
 */
export function blankSensitiveNumbers(text: string): string {
  const blank = (m: string): string => ' '.repeat(m.length);
  return text
    .replace(CN_ID, blank)
    .replace(SSN, blank)
    .replace(CARD_CANDIDATE, (m) => (isCard(m) ? blank(m) : m));
}
