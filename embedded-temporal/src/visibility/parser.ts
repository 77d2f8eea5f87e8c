/**
 * Recursive-descent parser: tokens → syntax tree. Names and values are not
 * checked here; `compile.ts` resolves them against the registry.
 *
 *   query     := [expr] [GROUP BY name] [ORDER BY order {, order}]
 *   expr      := and {OR and}
 *   and       := unary {AND unary}
 *   unary     := NOT unary | '(' expr ')' | predicate
 *   predicate := name op literal
 *              | name [NOT] IN '(' literal {, literal} ')'
 *              | name [NOT] BETWEEN literal AND literal
 *              | name [NOT] STARTS_WITH literal
 *              | name IS [NOT] NULL
 *   order     := name [ASC | DESC]
 */
import { tokenize, VisibilityQueryError, type ComparisonOp, type Keyword, type Token } from './lexer';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'bool'; value: boolean };

export interface NameRef {
  name: string;
  pos: number;
}

export type Expr =
  | { kind: 'and'; items: Expr[] }
  | { kind: 'or'; items: Expr[] }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; column: NameRef; op: ComparisonOp; value: Literal }
  | { kind: 'in'; column: NameRef; negated: boolean; values: Literal[] }
  | { kind: 'between'; column: NameRef; negated: boolean; from: Literal; to: Literal }
  | { kind: 'startsWith'; column: NameRef; negated: boolean; value: Literal }
  | { kind: 'isNull'; column: NameRef; negated: boolean };

export interface ParsedQuery {
  where?: Expr;
  groupBy?: NameRef;
  orderBy: { column: NameRef; descending: boolean }[];
}

/** Deeper nesting than this is not a real query; refusing it keeps the recursion bounded. */
const MAX_DEPTH = 200;
const MAX_IN_VALUES = 10_000;

export function parseVisibilityQuery(query: string): ParsedQuery {
  return new Parser(query).parseQuery();
}

class Parser {
  private i = 0;
  private depth = 0;

  private readonly tokens: Token[];

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseQuery(): ParsedQuery {
    const result: ParsedQuery = { orderBy: [] };
    if (this.isKeyword('SELECT') || this.isKeyword('WHERE') || this.isKeyword('FROM')) {
      throw this.error(`expected a filter expression, not a full SQL statement`);
    }
    if (!this.atEnd() && !this.isKeyword('ORDER') && !this.isKeyword('GROUP')) {
      result.where = this.parseOr();
    }
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      result.groupBy = this.parseName();
      if (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ',') {
        throw this.error(`'GROUP BY' supports only a single field`);
      }
    }
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const column = this.parseName();
        let descending = false;
        if (this.acceptKeyword('DESC')) descending = true;
        else this.acceptKeyword('ASC');
        result.orderBy.push({ column, descending });
      } while (this.acceptPunct(','));
    }
    if (this.isKeyword('LIMIT')) throw this.error(`'LIMIT' is not supported (use the page size)`);
    if (this.isKeyword('GROUP')) throw this.error(`'GROUP BY' must come before 'ORDER BY'`);
    if (!this.atEnd()) throw this.error(`unexpected ${describe(this.peek())}`);
    return result;
  }

  private parseOr(): Expr {
    // Chains are kept flat (n-ary) so evaluating a long chain does not recurse once per operand.
    const items = [this.parseAnd()];
    while (this.acceptKeyword('OR')) items.push(this.parseAnd());
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): Expr {
    const items = [this.parseUnary()];
    while (this.acceptKeyword('AND')) items.push(this.parseUnary());
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parseUnary(): Expr {
    if (++this.depth > MAX_DEPTH) throw this.error(`expression is nested more than ${MAX_DEPTH} levels deep`);
    try {
      if (this.acceptKeyword('NOT')) return { kind: 'not', expr: this.parseUnary() };
      if (this.acceptPunct('(')) {
        if (this.isPunct(')')) throw this.error('empty parentheses');
        const inner = this.parseOr();
        this.expectPunct(')');
        return inner;
      }
      return this.parsePredicate();
    } finally {
      this.depth--;
    }
  }

  private parsePredicate(): Expr {
    const column = this.parseName();
    const t = this.peek();
    if (t.kind === 'op') {
      this.i++;
      return { kind: 'compare', column, op: t.text, value: this.parseLiteral(column) };
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      if (!this.acceptKeyword('NULL')) throw this.error(`'IS' can only be used as 'IS NULL' or 'IS NOT NULL'`);
      return { kind: 'isNull', column, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.expectPunct('(');
      const values: Literal[] = [this.parseLiteral(column)];
      while (this.acceptPunct(',')) {
        if (values.length >= MAX_IN_VALUES) throw this.error(`more than ${MAX_IN_VALUES} values in IN`);
        values.push(this.parseLiteral(column));
      }
      this.expectPunct(')');
      return { kind: 'in', column, negated, values };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const from = this.parseLiteral(column);
      this.expectKeyword('AND');
      const to = this.parseLiteral(column);
      return { kind: 'between', column, negated, from, to };
    }
    if (this.acceptKeyword('STARTS_WITH')) {
      return { kind: 'startsWith', column, negated, value: this.parseLiteral(column) };
    }
    if (this.isKeyword('LIKE')) throw this.error(`'LIKE' is not supported (use STARTS_WITH)`);
    throw this.error(`expected an operator after ${column.name}, found ${describe(this.peek())}`);
  }

  private parseName(): NameRef {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.i++;
      return { name: t.text, pos: t.pos };
    }
    if (t.kind === 'eof') throw this.error('unexpected end of query, expected a search attribute name');
    throw this.error(`expected a search attribute name, found ${describe(t)}`);
  }

  private parseLiteral(column: NameRef): Literal {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.i++;
        return { kind: 'string', value: t.text };
      case 'number':
        this.i++;
        return { kind: 'number', text: t.text };
      case 'keyword':
        if (t.text === 'TRUE' || t.text === 'FALSE') {
          this.i++;
          return { kind: 'bool', value: t.text === 'TRUE' };
        }
        throw this.error(`expected a value for ${column.name}, found keyword ${t.text} (did you forget to quote '${this.sourceWord(t.pos)}'?)`);
      case 'ident':
        throw this.error(`column name on the right side of a comparison with ${column.name} (did you forget to quote '${t.text}'?)`);
      default:
        break;
    }
    throw this.error(`expected a value for ${column.name}, found ${describe(t)}`);
  }

  private sourceWord(pos: number): string {
    return /^[A-Za-z0-9_]+/.exec(this.source.slice(pos))?.[0] ?? '';
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  private isKeyword(k: Keyword): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === k;
  }

  private acceptKeyword(k: Keyword): boolean {
    if (!this.isKeyword(k)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(k: Keyword): void {
    if (!this.acceptKeyword(k)) throw this.error(`expected ${k}, found ${describe(this.peek())}`);
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }

  private expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error(`expected '${p}', found ${describe(this.peek())}`);
  }

  private error(message: string): VisibilityQueryError {
    return new VisibilityQueryError(`${message} (at position ${this.peek().pos})`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of query';
    case 'string':
      return `string '${t.text}'`;
    case 'ident':
      return `name ${t.text}`;
    case 'keyword':
      return `keyword ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
