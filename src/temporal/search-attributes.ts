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

export interface SearchAttributeCheck {
  /** False when they could not be checked, or were missing (then registered again: see `reregistered`). */
  ok: boolean;
  /** Attributes that were missing and are registered again now. */
  reregistered: string[];
  /** What is wrong, for /readyz and the log; absent when ok. */
  detail?: string;
}

/**
 * Keeps Switchboard's search attributes registered for a long-running
 * process. A Temporal that lost them (an in-memory server restarted under a
 * running gateway, a namespace recreated) rejects every start and upsert that
 * names one; the gateway's readiness probe and its message path call
 * {@link ensure} to find that out and register them again, instead of
 * answering every message with an internal error while claiming to be ready.
 * Checks are cached for `cacheMs` (1 s) so a burst of probes costs one list
 * call, while a restart of Temporal is seen by the next probe.
 */
export class SearchAttributeGuard {
  private last?: { at: number; result: SearchAttributeCheck };
  private running?: Promise<SearchAttributeCheck>;

  constructor(
    private readonly connection: Connection | NativeConnection,
    private readonly namespace: string,
    private readonly cacheMs = 1000,
  ) {}

  /** Registers what is missing (at most one check at a time, cached unless `fresh`). */
  async ensure(fresh = false): Promise<SearchAttributeCheck> {
    if (!fresh && this.last && Date.now() - this.last.at < this.cacheMs) return this.last.result;
    this.running ??= this.check().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async check(): Promise<SearchAttributeCheck> {
    try {
      const reregistered = await registerSearchAttributes(this.connection, this.namespace);
      // The caller that found them missing is told; later checks in the window see them in place.
      this.last = { at: Date.now(), result: { ok: true, reregistered: [] } };
      if (reregistered.length === 0) return { ok: true, reregistered };
      return {
        ok: false,
        reregistered,
        detail: `Temporal had lost Switchboard's search attributes in namespace "${this.namespace}" (${reregistered.join(', ')}): registered them again; conversations it held before are gone with them`,
      };
    } catch (error) {
      const result: SearchAttributeCheck = {
        ok: false,
        reregistered: [],
        detail: `Switchboard's search attributes could not be checked or registered in namespace "${this.namespace}": ${(error as Error).message}`,
      };
      this.last = { at: Date.now(), result };
      return result;
    }
  }
}
