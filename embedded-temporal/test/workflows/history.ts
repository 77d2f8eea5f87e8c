/** Workflows for history reads and replay. */
import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

const { greet } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });
export const goSignal = wf.defineSignal('go');

/** `n` activities one after another: a history of about 6n events. */
export async function manySteps(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await greet(String(i)));
  return out;
}

/** Same shape of input, different commands: replaying manySteps' history against it must fail. */
export async function manyTimers(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await wf.sleep(1);
  return n;
}

export async function waitForGo(): Promise<string> {
  let go = false;
  wf.setHandler(goSignal, () => void (go = true));
  await wf.condition(() => go);
  return 'went';
}
