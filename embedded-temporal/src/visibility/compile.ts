/**
 * Turns a parsed visibility query into a predicate over VisibilityRecords,
 * checking every name and literal against the registry first, the way the
 * real server's query converter does (same operator sets per type, same
 * literal rules). Evaluation follows SQL's three-valued logic, as the dev
 * server's SQLite store does: a comparison with a missing attribute is
 * unknown, `NOT unknown` is unknown, and only rows that are definitely true
 * match. So `CustomKeywordField != 'x'` does not match runs that lack the
 * attribute; use `IS NULL` for those.
 */
import { VisibilityQueryError, type ComparisonOp } from './lexer';
import { parseVisibilityQuery, type Expr, type Literal, type NameRef } from './parser';
import { metadataTypeName, parseRfc3339Nanos } from './payloads';
import type { SearchAttributeRegistry } from './registry';
import type { IndexedValueType, VisibilityRecord } from './types';

type Kind = 'keyword' | 'text' | 'keywordList' | 'number' | 'bool' | 'datetime' | 'status' | 'duration';
type Scalar = string | number | boolean | bigint;
type Tri = boolean | null;
type Eval = (r: VisibilityRecord) => Tri;

interface Column {
  name: string;
  type: IndexedValueType;
  kind: Kind;
  get(r: VisibilityRecord): Scalar | string[] | undefined;
}

export interface OrderTerm {
  attribute: string;
  descending: boolean;
}

/** A compiled query: call it to filter; `compare` sorts matches for listing. */
export interface CompiledVisibilityQuery {
  (record: VisibilityRecord): boolean;
  /**
   * ORDER BY terms. An extension: the dev server (SQL visibility) rejects
   * ORDER BY, so application code must not depend on it.
   */
  readonly orderBy: readonly OrderTerm[];
  /** 'ExecutionStatus' when the query ends in GROUP BY ExecutionStatus (meaningful for Count only). */
  readonly groupBy: 'ExecutionStatus' | undefined;
  /** The ORDER BY order if given, else the default order (see compareDefaultOrder). */
  compare(a: VisibilityRecord, b: VisibilityRecord): number;
}

const STATUS_NAMES = [
  'Unspecified',
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
  'Paused',
] as const;

const STATUS_ENUM_NAMES = [
  'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED',
  'WORKFLOW_EXECUTION_STATUS_RUNNING',
  'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  'WORKFLOW_EXECUTION_STATUS_FAILED',
  'WORKFLOW_EXECUTION_STATUS_CANCELED',
  'WORKFLOW_EXECUTION_STATUS_TERMINATED',
  'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW',
  'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  'WORKFLOW_EXECUTION_STATUS_PAUSED',
] as const;


/** Operators the real server accepts per attribute type. */
const COMPARISON = ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'];
const ALLOWED_OPS: Record<IndexedValueType, string[]> = {
  INDEXED_VALUE_TYPE_KEYWORD: [...COMPARISON, 'STARTS_WITH', 'NOT STARTS_WITH', 'BETWEEN', 'NOT BETWEEN'],
  INDEXED_VALUE_TYPE_KEYWORD_LIST: ['=', '!=', 'IN', 'NOT IN'],
  INDEXED_VALUE_TYPE_TEXT: ['=', '!='],
  INDEXED_VALUE_TYPE_INT: [...COMPARISON, 'BETWEEN', 'NOT BETWEEN'],
  INDEXED_VALUE_TYPE_DOUBLE: [...COMPARISON, 'BETWEEN', 'NOT BETWEEN'],
  INDEXED_VALUE_TYPE_DATETIME: [...COMPARISON, 'BETWEEN', 'NOT BETWEEN'],
  INDEXED_VALUE_TYPE_BOOL: COMPARISON,
};

const msToNanos = (ms: number | undefined): bigint | undefined =>
  typeof ms === 'number' && Number.isFinite(ms) ? BigInt(Math.trunc(ms)) * 1_000_000n : undefined;

/** System attributes backed by record fields; everything else is read from `record.searchAttributes`. */
const RECORD_FIELDS: Record<string, (r: VisibilityRecord) => Scalar | undefined> = {
  WorkflowId: (r) => r.workflowId,
  RunId: (r) => r.runId,
  WorkflowType: (r) => r.workflowType,
  TaskQueue: (r) => r.taskQueue,
  ExecutionStatus: (r) => r.status,
  StartTime: (r) => msToNanos(r.startTime),
  CloseTime: (r) => msToNanos(r.closeTime),
  ExecutionTime: (r) => msToNanos(r.executionTime),
  HistoryLength: (r) => r.historyLength,
  HistorySizeBytes: (r) => r.historySizeBytes,
  ExecutionDuration: (r) => msToNanos(r.executionDurationMs),
  ParentWorkflowId: (r) => r.parentWorkflowId,
  ParentRunId: (r) => r.parentRunId,
  RootWorkflowId: (r) => r.rootWorkflowId,
  RootRunId: (r) => r.rootRunId,
};

function kindOf(name: string, type: IndexedValueType): Kind {
  if (name === 'ExecutionStatus') return 'status';
  if (name === 'ExecutionDuration') return 'duration';
  switch (type) {
    case 'INDEXED_VALUE_TYPE_KEYWORD':
      return 'keyword';
    case 'INDEXED_VALUE_TYPE_TEXT':
      return 'text';
    case 'INDEXED_VALUE_TYPE_KEYWORD_LIST':
      return 'keywordList';
    case 'INDEXED_VALUE_TYPE_INT':
    case 'INDEXED_VALUE_TYPE_DOUBLE':
      return 'number';
    case 'INDEXED_VALUE_TYPE_BOOL':
      return 'bool';
    case 'INDEXED_VALUE_TYPE_DATETIME':
      return 'datetime';
  }
}

function attributeGetter(name: string, kind: Kind): Column['get'] {
  const field = RECORD_FIELDS[name];
  if (field) return field;
  return (r) => {
    const v = r.searchAttributes?.[name];
    switch (kind) {
      case 'keyword':
      case 'text':
      case 'status':
        return typeof v === 'string' ? v : undefined;
      case 'keywordList':
        if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
        return typeof v === 'string' ? [v] : undefined;
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      case 'bool':
        return typeof v === 'boolean' ? v : undefined;
      case 'datetime':
        return msToNanos(typeof v === 'number' ? v : v instanceof Date ? v.getTime() : undefined);
      case 'duration':
        return typeof v === 'number' ? BigInt(Math.trunc(v)) : undefined;
    }
  };
}

function resolveColumn(ref: NameRef, registry: SearchAttributeRegistry): Column {
  let name = ref.name;
  let type = registry.typeOf(name);
  if (type === undefined) {
    // The real server also accepts system attributes with the "Temporal" prefix added or removed.
    const alias = name.startsWith('Temporal') ? name.slice('Temporal'.length) : `Temporal${name}`;
    if (registry.isSystem(alias)) {
      name = alias;
      type = registry.typeOf(alias);
    }
  }
  if (type === undefined) {
    throw new VisibilityQueryError(`column name '${ref.name}' is not a valid search attribute (at position ${ref.pos})`);
  }
  const kind = kindOf(name, type);
  return { name, type, kind, get: attributeGetter(name, kind) };
}

function checkOperator(col: Column, op: string): void {
  if (!ALLOWED_OPS[col.type].includes(op)) {
    throw new VisibilityQueryError(`operator '${op}' is not supported for search attribute ${col.name} of type ${metadataTypeName(col.type)}`);
  }
}

function literalText(lit: Literal): string {
  return lit.kind === 'string' ? `'${lit.value}'` : lit.kind === 'number' ? lit.text : String(lit.value);
}

function wrongType(col: Column, lit: Literal): VisibilityQueryError {
  return new VisibilityQueryError(`invalid value type for search attribute ${col.name} of type ${metadataTypeName(col.type)}: ${literalText(lit)}`);
}

/** Converts a literal to the column's comparable representation, or throws. */
function convertLiteral(col: Column, lit: Literal): Scalar {
  switch (col.kind) {
    case 'keyword':
    case 'text':
    case 'keywordList':
      if (lit.kind !== 'string') throw wrongType(col, lit);
      return lit.value;
    case 'number': {
      if (lit.kind !== 'number') throw wrongType(col, lit);
      const v = Number(lit.text);
      if (!Number.isFinite(v)) throw wrongType(col, lit);
      return v;
    }
    case 'bool':
      if (lit.kind !== 'bool') throw wrongType(col, lit);
      return lit.value;
    case 'datetime': {
      if (lit.kind === 'string') {
        const nanos = parseRfc3339Nanos(lit.value);
        if (nanos === undefined) {
          throw new VisibilityQueryError(`unable to parse datetime '${lit.value}' for ${col.name}: expected RFC 3339, e.g. 2024-01-02T15:04:05Z`);
        }
        return nanos;
      }
      // An integer is nanoseconds since the epoch, as on the real server.
      if (lit.kind === 'number' && /^-?\d+$/.test(lit.text)) return BigInt(lit.text);
      throw wrongType(col, lit);
    }
    case 'status': {
      if (lit.kind === 'string') {
        const short = STATUS_NAMES.find((s) => s === lit.value);
        if (short) return short;
        const idx = (STATUS_ENUM_NAMES as readonly string[]).indexOf(lit.value);
        if (idx >= 0) return STATUS_NAMES[idx];
      } else if (lit.kind === 'number' && /^\d+$/.test(lit.text) && Number(lit.text) < STATUS_NAMES.length) {
        return STATUS_NAMES[Number(lit.text)];
      }
      throw new VisibilityQueryError(
        `invalid ExecutionStatus value ${literalText(lit)}: use one of ${STATUS_NAMES.slice(1).map((s) => `'${s}'`).join(', ')}`,
      );
    }
    case 'duration': {
      if (lit.kind === 'number' && /^-?\d+$/.test(lit.text)) return BigInt(lit.text);
      if (lit.kind === 'string') {
        const nanos = parseDurationNanos(lit.value);
        if (nanos !== undefined) return nanos;
      }
      throw new VisibilityQueryError(
        `invalid duration value for ExecutionDuration: ${literalText(lit)} (use nanoseconds, or a string like '1h30m', '90s', '01:30:00')`,
      );
    }
  }
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's duration syntax ('1h30m', '1.5s', '250ms') or 'hh:mm:ss'; nanoseconds. */
export function parseDurationNanos(text: string): bigint | undefined {
  const clock = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(text);
  if (clock) return (BigInt(clock[1]) * 3600n + BigInt(clock[2]) * 60n + BigInt(clock[3])) * 1_000_000_000n;
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!m) return text === '0' ? 0n : undefined;
  let total = 0n;
  for (const part of m[2].matchAll(/(\d*)\.?(\d*)(ns|us|µs|ms|s|m|h)/g)) {
    const [, whole, frac, unit] = part;
    const scale = DURATION_UNITS[unit];
    total += BigInt(whole || '0') * scale;
    if (frac) total += (BigInt(frac) * scale) / 10n ** BigInt(frac.length);
  }
  return m[1] === '-' ? -total : total;
}

function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function applyOp(op: ComparisonOp, cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []) as string[];
}

/** Full-text match as the dev server's FTS does it: every word of the query occurs in the text, case-insensitively. */
function textMatches(text: string, query: string): boolean {
  const wanted = words(query);
  if (wanted.length === 0) return text === query;
  const have = new Set(words(text));
  return wanted.every((w) => have.has(w));
}

const not = (v: Tri): Tri => (v === null ? null : !v);

function compileExpr(expr: Expr, registry: SearchAttributeRegistry): Eval {
  switch (expr.kind) {
    case 'and': {
      const items = expr.items.map((e) => compileExpr(e, registry));
      return (r) => {
        let unknown = false;
        for (const item of items) {
          const v = item(r);
          if (v === false) return false;
          if (v === null) unknown = true;
        }
        return unknown ? null : true;
      };
    }
    case 'or': {
      const items = expr.items.map((e) => compileExpr(e, registry));
      return (r) => {
        let unknown = false;
        for (const item of items) {
          const v = item(r);
          if (v === true) return true;
          if (v === null) unknown = true;
        }
        return unknown ? null : false;
      };
    }
    case 'not': {
      const inner = compileExpr(expr.expr, registry);
      return (r) => not(inner(r));
    }
    case 'isNull': {
      const col = resolveColumn(expr.column, registry);
      return (r) => (col.get(r) === undefined) !== expr.negated;
    }
    case 'compare': {
      const col = resolveColumn(expr.column, registry);
      checkOperator(col, expr.op);
      const lit = convertLiteral(col, expr.value);
      const op = expr.op;
      if (col.kind === 'keywordList') {
        return (r) => {
          const list = col.get(r) as string[] | undefined;
          if (list === undefined) return null;
          return list.includes(lit as string) === (op === '=');
        };
      }
      if (col.kind === 'text') {
        return (r) => {
          const text = col.get(r) as string | undefined;
          if (text === undefined) return null;
          return textMatches(text, lit as string) === (op === '=');
        };
      }
      return (r) => {
        const v = col.get(r) as Scalar | undefined;
        return v === undefined ? null : applyOp(op, compareScalars(v, lit));
      };
    }
    case 'in': {
      const col = resolveColumn(expr.column, registry);
      checkOperator(col, expr.negated ? 'NOT IN' : 'IN');
      const lits = expr.values.map((l) => convertLiteral(col, l));
      const negated = expr.negated;
      if (col.kind === 'keywordList') {
        return (r) => {
          const list = col.get(r) as string[] | undefined;
          if (list === undefined) return null;
          return lits.some((l) => list.includes(l as string)) !== negated;
        };
      }
      return (r) => {
        const v = col.get(r) as Scalar | undefined;
        if (v === undefined) return null;
        return lits.some((l) => compareScalars(v, l) === 0) !== negated;
      };
    }
    case 'between': {
      const col = resolveColumn(expr.column, registry);
      checkOperator(col, expr.negated ? 'NOT BETWEEN' : 'BETWEEN');
      const from = convertLiteral(col, expr.from);
      const to = convertLiteral(col, expr.to);
      const negated = expr.negated;
      return (r) => {
        const v = col.get(r) as Scalar | undefined;
        if (v === undefined) return null;
        return (compareScalars(v, from) >= 0 && compareScalars(v, to) <= 0) !== negated;
      };
    }
    case 'startsWith': {
      const col = resolveColumn(expr.column, registry);
      checkOperator(col, expr.negated ? 'NOT STARTS_WITH' : 'STARTS_WITH');
      const prefix = convertLiteral(col, expr.value) as string;
      const negated = expr.negated;
      return (r) => {
        const v = col.get(r) as string | undefined;
        if (v === undefined) return null;
        return v.startsWith(prefix) !== negated;
      };
    }
  }
}

/**
 * Default listing order of real SQL visibility: open runs first, then close
 * time descending, then start time descending, then run id.
 */
export function compareDefaultOrder(a: VisibilityRecord, b: VisibilityRecord): number {
  const aOpen = a.closeTime === undefined;
  const bOpen = b.closeTime === undefined;
  if (aOpen !== bOpen) return aOpen ? -1 : 1;
  if (!aOpen && !bOpen && a.closeTime !== b.closeTime) return b.closeTime! - a.closeTime!;
  if (a.startTime !== b.startTime) return b.startTime - a.startTime;
  return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}

/**
 * Compiles a visibility query. An empty query matches every run. Throws
 * VisibilityQueryError for a syntax error, an unknown attribute, an operator
 * the attribute's type does not support, or a literal of the wrong type.
 */
export function compileVisibilityQuery(query: string, registry: SearchAttributeRegistry): CompiledVisibilityQuery {
  const parsed = parseVisibilityQuery(query ?? '');
  const where = parsed.where ? compileExpr(parsed.where, registry) : undefined;

  let groupBy: 'ExecutionStatus' | undefined;
  if (parsed.groupBy) {
    const col = resolveColumn(parsed.groupBy, registry);
    if (col.name !== 'ExecutionStatus') {
      // The real server's text ("invalid query: " comes from VisibilityQueryError).
      throw new VisibilityQueryError(`operation is not supported: 'GROUP BY' clause is not supported for search attribute ${col.name}`);
    }
    groupBy = 'ExecutionStatus';
  }

  const orderCols = parsed.orderBy.map(({ column, descending }) => {
    const col = resolveColumn(column, registry);
    if (col.kind === 'text' || col.kind === 'keywordList') {
      throw new VisibilityQueryError(`cannot sort by ${col.name}: search attributes of type ${metadataTypeName(col.type)} are not sortable`);
    }
    return { col, descending };
  });

  const compare = (a: VisibilityRecord, b: VisibilityRecord): number => {
    for (const { col, descending } of orderCols) {
      const va = col.get(a) as Scalar | undefined;
      const vb = col.get(b) as Scalar | undefined;
      // Missing values sort last in either direction.
      if (va === undefined || vb === undefined) {
        if (va !== vb) return va === undefined ? 1 : -1;
        continue;
      }
      const c = compareScalars(va, vb);
      if (c !== 0) return descending ? -c : c;
    }
    return compareDefaultOrder(a, b);
  };

  const matches = ((record: VisibilityRecord) => (where ? where(record) === true : true)) as CompiledVisibilityQuery;
  Object.defineProperties(matches, {
    orderBy: { value: Object.freeze(orderCols.map(({ col, descending }) => ({ attribute: col.name, descending }))) },
    groupBy: { value: groupBy },
    compare: { value: compare },
  });
  return matches;
}
