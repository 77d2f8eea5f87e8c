/** Reading recorded histories in tests. */
import type { temporal } from '@temporalio/proto';

/** The ids of the patches (`patched()`) a history's run recorded, in order: core's `core_patch` markers. */
export function patchIdsOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id);
}
