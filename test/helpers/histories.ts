/** Reading and replaying workflow histories in tests. */
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** The ids of the patches (`patched()`) a history's run recorded, in order: core's `core_patch` markers. */
export function patchIdsOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id);
}

/** Replays the histories with one replay worker; the ones that did not replay, with the error's message. */
export async function replayFailures(
  options: { workflowBundle: WorkflowBundleWithSourceMap; dataConverter?: DataConverter; replayName: string },
  histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[],
): Promise<{ workflowId: string; error: string }[]> {
  const failures: { workflowId: string; error: string }[] = [];
  for await (const r of Worker.runReplayHistories(options, histories)) {
    if (r.error) failures.push({ workflowId: r.workflowId, error: r.error instanceof Error ? r.error.message : String(r.error) });
  }
  return failures;
}
