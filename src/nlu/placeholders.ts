/**
 * Entity placeholders and concrete entity values, mapped onto one token each
 * before featurizing. Bitext writes `{{Order Number}}`; other datasets and
 * templates write `[Order Number]`, `<order_number>`, `{order_id}` or
 * `ORDER_NUMBER`, and real customers write `#ORD-77812` or `4471-2290-1183`.
 * Without this, each style is a different set of words and the model only
 * knows the one it was trained on. Works on the lower-cased match form.
 */

/** The token a placeholder or value becomes; '' means "carries no intent" (names, cities, account types). */
export type PlaceholderToken = '#order' | '#num' | '#email' | '';

const ORDER: PlaceholderToken = '#order';
const NUM: PlaceholderToken = '#num';
const NONE: PlaceholderToken = '';

/**
 * Placeholder names (lower case, words separated by one space) and their
 * token. Invoice numbers read as order numbers, as they always have here:
 * both are "the reference of a purchase".
 */
const NAMES: ReadonlyMap<string, PlaceholderToken> = new Map<string, PlaceholderToken>([
  ...[
    'order number',
    'order id',
    'order no',
    'order nr',
    'order num',
    'order ref',
    'order reference',
    'order code',
    'ordernumber',
    'orderid',
    'order',
    'purchase number',
    'purchase id',
    'tracking number',
    'tracking id',
    'tracking code',
    'invoice number',
    'invoice id',
    'invoice no',
    'invoice',
    'reference number',
  ].map((n) => [n, ORDER] as const),
  ...['refund amount', 'amount', 'price', 'total', 'sum', 'money', 'phone number', 'phone'].map((n) => [n, NUM] as const),
  ...['email', 'email address', 'e mail', 'mail address'].map((n) => [n, '#email' as PlaceholderToken] as const),
  ...[
    'currency symbol',
    'currency',
    'person name',
    'name',
    'customer name',
    'client name',
    'full name',
    'first name',
    'last name',
    'user name',
    'username',
    'agent name',
    'account type',
    'account category',
    'account name',
    'delivery city',
    'delivery country',
    'city',
    'country',
    'product',
    'product name',
    'item',
    'company name',
    'store name',
    'date',
  ].map((n) => [n, NONE] as const),
]);

/** Canonical form of a placeholder name: separators to single spaces. */
function canonicalName(raw: string): string {
  return raw
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function tokenFor(raw: string): PlaceholderToken | undefined {
  return NAMES.get(canonicalName(raw));
}

const spaced = (token: PlaceholderToken): string => (token === '' ? ' ' : ` ${token} `);

/** `{{X}}`, `{X}`, `[X]`, `<X>`, `%X%`: the bracket styles datasets and template engines use. */
const BRACKETED = /\{\{\s*([a-z][a-z0-9 _.-]{0,30}?)\s*\}\}|\{\s*([a-z][a-z0-9 _.-]{0,30}?)\s*\}|\[\s*([a-z][a-z0-9 _.-]{0,30}?)\s*\]|<\s*([a-z][a-z0-9 _.-]{0,30}?)\s*>|%([a-z][a-z0-9_]{0,30})%/g;
/** Bare identifiers such as ORDER_NUMBER (lower-cased by then): only when the name is known. */
const SNAKE = /\b[a-z]+(?:_[a-z]+)+\b/g;
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/g;
/** An order number read out in groups ("4471-2290-1183", "4471 2290 1183"). */
const GROUPED_ORDER = /(?<![\d-])\d{4}[- ]\d{4}[- ]\d{4}(?![\d-])/g;
/** Order-like references: "#ord-77812", "a-20931", "inv-20231", "#100234", "po12345". */
const ORDER_CODE = /#\s?[a-z]{0,4}-?\d{4,}\b|\b[a-z]{1,4}-\d{4,}\b|\b(?:ord|order|inv|po|ref)\d{4,}\b/g;

/**
 * Replaces placeholders (any bracket style) and concrete order references and
 * email addresses with the tokens the features use. Unknown bracketed names
 * are left alone: "[sic]" or "<3" are words, not slots.
 *
 * @example normalizePlaceholders('where is [order number]') // 'where is  #order '
 */
export function normalizePlaceholders(text: string): string {
  return text
    .replace(BRACKETED, (whole, a?: string, b?: string, c?: string, d?: string, e?: string) => {
      const token = tokenFor(a ?? b ?? c ?? d ?? e ?? '');
      // Double braces are never prose: an unknown {{Name}} is still a slot, just one without intent.
      if (token === undefined) return a === undefined ? whole : ' ';
      return spaced(token);
    })
    .replace(SNAKE, (whole) => {
      const token = tokenFor(whole);
      return token === undefined ? whole : spaced(token);
    })
    .replace(EMAIL, ' #email ')
    .replace(GROUPED_ORDER, ' #order ')
    .replace(ORDER_CODE, ' #order ');
}
