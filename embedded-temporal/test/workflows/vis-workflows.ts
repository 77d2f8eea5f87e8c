/** Workflows for the visibility conformance tests. */
import { ApplicationFailure, condition, defineSignal, setHandler, upsertSearchAttributes, upsertMemo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';

export const visFinishSignal = defineSignal('visFinish');

export const visKeys = {
  customerId: defineSearchAttributeKey('VisCustomerId', SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey('VisPriority', SearchAttributeType.INT),
  score: defineSearchAttributeKey('VisScore', SearchAttributeType.DOUBLE),
  vip: defineSearchAttributeKey('VisVip', SearchAttributeType.BOOL),
  dueAt: defineSearchAttributeKey('VisDueAt', SearchAttributeType.DATETIME),
  tags: defineSearchAttributeKey('VisTags', SearchAttributeType.KEYWORD_LIST),
  notes: defineSearchAttributeKey('VisNotes', SearchAttributeType.TEXT),
};

export interface VisAttributes {
  customerId?: string;
  priority?: number;
  score?: number;
  vip?: boolean;
  /** ISO string: Dates do not survive workflow arguments. */
  dueAt?: string;
  tags?: string[];
  notes?: string;
}

function pairs(attrs: VisAttributes): SearchAttributeUpdatePair[] {
  const out: SearchAttributeUpdatePair[] = [];
  if (attrs.customerId !== undefined) out.push({ key: visKeys.customerId, value: attrs.customerId });
  if (attrs.priority !== undefined) out.push({ key: visKeys.priority, value: attrs.priority });
  if (attrs.score !== undefined) out.push({ key: visKeys.score, value: attrs.score });
  if (attrs.vip !== undefined) out.push({ key: visKeys.vip, value: attrs.vip });
  if (attrs.dueAt !== undefined) out.push({ key: visKeys.dueAt, value: new Date(attrs.dueAt) });
  if (attrs.tags !== undefined) out.push({ key: visKeys.tags, value: attrs.tags });
  if (attrs.notes !== undefined) out.push({ key: visKeys.notes, value: attrs.notes });
  return out;
}

/** Upserts the given attributes (and a memo), then stays open until signalled. */
export async function visTaggedWorkflow(attrs: VisAttributes, stayOpen: boolean): Promise<string> {
  const updates = pairs(attrs);
  // An empty upsert is a BAD_SEARCH_ATTRIBUTES workflow task failure on a real server too.
  if (updates.length > 0) upsertSearchAttributes(updates);
  upsertMemo({ note: `memo for ${attrs.customerId ?? 'nobody'}` });
  if (stayOpen) {
    let finished = false;
    setHandler(visFinishSignal, () => {
      finished = true;
    });
    await condition(() => finished);
  }
  return attrs.customerId ?? '';
}

/** Upserts once, then clears one attribute and changes another. */
export async function visReupsertWorkflow(): Promise<void> {
  upsertSearchAttributes([
    { key: visKeys.customerId, value: 'first' },
    { key: visKeys.priority, value: 1 },
  ]);
  upsertSearchAttributes([
    { key: visKeys.customerId, value: 'second' },
    { key: visKeys.priority, value: null },
  ]);
}

/** A second workflow type, failing. */
export async function visFailingWorkflow(): Promise<void> {
  throw ApplicationFailure.nonRetryable('planned failure', 'VisPlanned');
}

/** Upserts an attribute the namespace does not know. */
export async function visUnregisteredUpsertWorkflow(): Promise<void> {
  upsertSearchAttributes([{ key: defineSearchAttributeKey('VisNeverRegistered', SearchAttributeType.KEYWORD), value: 'x' }]);
}
