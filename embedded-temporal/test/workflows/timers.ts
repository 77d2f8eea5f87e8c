/** Workflows for timers, local activities, patches and upserts (M3). */
import * as wf from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type * as activities from '../activities';

export const doneSignal = wf.defineSignal('done');
export const CustomKeyword = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
export const CustomInt = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

export async function sleepFor(ms: number): Promise<string> {
  await wf.sleep(ms);
  return 'woke';
}

/** A timer racing an activity that takes longer. */
export async function raceTimerAndActivity(timerMs: number, activityMs: number): Promise<string> {
  const { sleepFor: slow } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });
  return await Promise.race([wf.sleep(timerMs).then(() => 'timer'), slow(activityMs).then(() => 'activity')]);
}

/** condition() with a timeout: true when the signal came first, false when the timer did. */
export async function conditionWithTimeout(timeoutMs: number): Promise<boolean> {
  let done = false;
  wf.setHandler(doneSignal, () => void (done = true));
  return await wf.condition(() => done, timeoutMs);
}

export async function longLocalActivity(ms: number): Promise<string> {
  const { sleepFor: local } = wf.proxyLocalActivities<typeof activities>({ startToCloseTimeout: '30s' });
  return await local(ms);
}

export async function patchedWorkflow(): Promise<string> {
  return wf.patched('embedded-test-patch') ? 'new path' : 'old path';
}

/** Upserts typed search attributes and memo, then waits for the done signal. */
export async function upserts(): Promise<string> {
  let done = false;
  wf.setHandler(doneSignal, () => void (done = true));
  wf.upsertSearchAttributes([
    { key: CustomKeyword, value: 'abc' },
    { key: CustomInt, value: 42 },
  ]);
  wf.upsertMemo({ note: 'hi', count: 2 });
  await wf.condition(() => done);
  wf.upsertSearchAttributes([{ key: CustomInt, value: null }]);
  wf.upsertMemo({ count: null });
  return 'ok';
}
