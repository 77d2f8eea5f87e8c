/**
 * Registers Switchboard's custom search attributes with the namespace.
 * Worker and gateway both call it at start-up, so a fresh Temporal (embedded,
 * dev server or cluster) needs no manual `temporal operator` step.
 */
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../workflows/contract';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const TYPE_MAP: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Adds the attributes that are missing; leaves existing ones alone. Listing
 * first keeps this idempotent on servers that answer "already exists" with an
 * error instead of a no-op. Temporal's time-skipping test server implements
 * AddSearchAttributes but not ListSearchAttributes: there every key is added.
 */
export async function registerSearchAttributes(
  connection: Connection | NativeConnection,
  namespace: string,
): Promise<string[]> {
  const operator = connection.operatorService;
  let known: Set<string>;
  try {
    const existing = await operator.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (error) {
    if ((error as { code?: number }).code !== status.UNIMPLEMENTED) throw error;
    known = new Set();
  }
  const missing = ALL_SEARCH_ATTRIBUTE_KEYS.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await operator.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, TYPE_MAP[key.type]])),
  });
  return missing.map((key) => key.name);
}
