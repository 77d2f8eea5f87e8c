/** Workflows for the conformance suite: each exercises one server behaviour. */
import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

const { greet } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

export async function returnValue(value: string): Promise<string> {
  return `got ${value}`;
}

export const nameSignal = wf.defineSignal<[string]>('name');

/** Waits for two signals, then greets the names joined by '+' via one activity. */
export async function helloTwoSignals(): Promise<string> {
  const names: string[] = [];
  wf.setHandler(nameSignal, (n) => void names.push(n));
  await wf.condition(() => names.length >= 2);
  return await greet(names.join('+'));
}
