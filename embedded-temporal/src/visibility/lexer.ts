/**
 * Tokenizer for Temporal's visibility query language (the WHERE clause of a
 * SQL SELECT, plus optional GROUP BY / ORDER BY).
 */

export class VisibilityQueryError extends Error {
  constructor(message: string) {
    super(`invalid query: ${message}`);
    this.name = 'VisibilityQueryError';
  }
}

export type Token =
  | { kind: 'ident'; text: string; pos: number; quoted: boolean }
  | { kind: 'keyword'; text: Keyword; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'op'; text: ComparisonOp; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number }
  | { kind: 'eof'; pos: number };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'STARTS_WITH',
  'ORDER',
  'GROUP',
  'BY',
  'ASC',
  'DESC',
  'TRUE',
  'FALSE',
  'LIMIT',
  'LIKE',
  'SELECT',
  'FROM',
  'WHERE',
] as const;
export type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET = new Set<string>(KEYWORDS);

const MAX_QUERY_LENGTH = 64 * 1024;

export function tokenize(query: string): Token[] {
  if (query.length > MAX_QUERY_LENGTH) throw new VisibilityQueryError(`query is longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const [text, next] = readQuoted(query, i, c);
      tokens.push({ kind: 'string', text, pos: start });
      i = next;
      continue;
    }
    if (c === '`') {
      const end = query.indexOf('`', i + 1);
      if (end < 0) throw new VisibilityQueryError(`unterminated backtick-quoted name at position ${start}`);
      const text = query.slice(i + 1, end);
      if (text.length === 0) throw new VisibilityQueryError(`empty backtick-quoted name at position ${start}`);
      tokens.push({ kind: 'ident', text, pos: start, quoted: true });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(query[j])) j++;
      const word = query.slice(i, j);
      const upper = word.toUpperCase();
      if (KEYWORD_SET.has(upper)) tokens.push({ kind: 'keyword', text: upper as Keyword, pos: start });
      else tokens.push({ kind: 'ident', text: word, pos: start, quoted: false });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(query.slice(i));
      const text = m![0];
      const after = query[i + text.length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new VisibilityQueryError(`malformed number at position ${start}: ${query.slice(i, i + text.length + 1)}…`);
      }
      tokens.push({ kind: 'number', text, pos: start });
      i += text.length;
      continue;
    }
    if (c === '-') {
      // Only a sign in front of a number: there is no arithmetic in the language.
      const m = /^-\s*((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(query.slice(i));
      if (!m) throw new VisibilityQueryError(`unexpected '-' at position ${start}`);
      tokens.push({ kind: 'number', text: `-${m[1]}`, pos: start });
      i += m[0].length;
      continue;
    }
    const two = query.slice(i, i + 2);
    if (two === '!=' || two === '<>') {
      tokens.push({ kind: 'op', text: '!=', pos: start });
      i += 2;
      continue;
    }
    if (two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two, pos: start });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    throw new VisibilityQueryError(`unexpected character ${JSON.stringify(c)} at position ${start}`);
  }
  tokens.push({ kind: 'eof', pos: n });
  return tokens;
}

/** A quoted string with MySQL escapes (backslash) and doubled quotes. */
function readQuoted(query: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < query.length) {
    const c = query[i];
    if (c === '\\') {
      const next = query[i + 1];
      if (next === undefined) break;
      out += ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    if (c === quote) {
      if (query[i + 1] === quote) {
        out += quote;
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    out += c;
    i++;
  }
  throw new VisibilityQueryError(`unterminated string starting at position ${start}`);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' };
