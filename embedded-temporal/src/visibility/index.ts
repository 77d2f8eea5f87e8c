/**
 * Visibility for the embedded server: the search attribute registry, typed
 * search attribute payloads, and the List/Count query language.
 *
 * ```ts
 * const registry = new SearchAttributeRegistry();
 * registry.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
 * const changes = decodeSearchAttributes(upsert.searchAttributes.indexedFields, registry);
 * record.searchAttributes = mergeSearchAttributes(record.searchAttributes, changes);
 *
 * const query = compileVisibilityQuery("ExecutionStatus = 'Running' AND CustomerId IN ('a', 'b')", registry);
 * const page = records.filter(query).sort(query.compare);
 * ```
 *
 * Errors: SearchAttributeError (registration and values) and
 * VisibilityQueryError (queries) both mean INVALID_ARGUMENT to the caller
 * (BAD_SEARCH_ATTRIBUTES when a workflow task upserts a bad value).
 *
 * ORDER BY is accepted as an extension; the real dev server rejects it, so
 * application code must not rely on it.
 */
import { encodeSearchAttribute } from './payloads';
import type { CompiledVisibilityQuery } from './compile';
import type { VisibilityRecord } from './types';

export type { IndexedValueType, ExecutionStatusName, VisibilityRecord, SearchAttributePayload } from './types';
export { INDEXED_VALUE_TYPES, isIndexedValueType } from './types';
export { SearchAttributeRegistry, SearchAttributeError, type SearchAttributeErrorKind } from './registry';
export {
  encodeSearchAttribute,
  encodeSearchAttributes,
  decodeSearchAttributes,
  mergeSearchAttributes,
  metadataTypeName,
  parseRfc3339Ms,
  type SearchAttributeValue,
} from './payloads';
export { VisibilityQueryError } from './lexer';
export { compileVisibilityQuery, compareDefaultOrder, type CompiledVisibilityQuery, type OrderTerm } from './compile';

/**
 * CountWorkflowExecutions with GROUP BY ExecutionStatus: one group per status
 * among the matching records, most frequent first, each value a Keyword
 * payload as the real server returns it.
 */
export function countGroups(
  records: Iterable<VisibilityRecord>,
  query: CompiledVisibilityQuery,
): { count: number; groups: { groupValues: ReturnType<typeof encodeSearchAttribute>[]; count: number }[] } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    if (!query(r)) continue;
    total++;
    counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  }
  const groups = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([status, count]) => ({ groupValues: [encodeSearchAttribute(status, 'INDEXED_VALUE_TYPE_KEYWORD')], count }));
  return { count: total, groups };
}
