/** Workflows for the workflow-task conformance tests (M2). */
import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

const { greet, waitForRelease } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

export const nameSignal = wf.defineSignal<[string]>('name');
export const fixSignal = wf.defineSignal('fix');

export async function returnValue(value: string): Promise<string> {
  return `got ${value}`;
}

/** Two signals, then one activity greeting both names. */
export async function helloTwoSignals(): Promise<string> {
  const names: string[] = [];
  wf.setHandler(nameSignal, (n) => void names.push(n));
  await wf.condition(() => names.length >= 2);
  return await greet(names.join('+'));
}

/** Returns as soon as one name arrived, after a burst of (deterministic) work that keeps the closing task in flight. */
export async function slowClose(spinIterations: number): Promise<string> {
  const names: string[] = [];
  wf.setHandler(nameSignal, (n) => void names.push(n));
  await wf.condition(() => names.length >= 1);
  if (!wf.workflowInfo().unsafe.isReplaying) spin(spinIterations);
  return names.join('+');
}

function spin(iterations: number): void {
  // Workflow time is frozen inside a task and there is no real clock in the sandbox: burn CPU by counting.
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x + i) % 1_000_003;
  if (x < 0) throw new Error('unreachable');
}

/** Fails its workflow task (a plain Error is a task failure, not a workflow failure) until the fix signal arrived. */
export async function brokenUntilFixed(): Promise<string> {
  let fixed = false;
  wf.setHandler(fixSignal, () => void (fixed = true));
  if (!fixed) throw new Error('not fixed yet');
  return 'fixed';
}

/** One activity, then a signal, then another activity. */
export async function activityThenSignal(): Promise<string> {
  const first = await greet('first');
  const names: string[] = [];
  wf.setHandler(nameSignal, (n) => void names.push(n));
  await wf.condition(() => names.length >= 1);
  const second = await greet(names[0]);
  return `${first}; ${second}`;
}

export async function countdown(n: number): Promise<string> {
  if (n > 0) await wf.continueAsNew<typeof countdown>(n - 1);
  return `done after ${wf.workflowInfo().continuedFromExecutionRunId ? 'continuing' : 'no continuation'}`;
}

/** Fails (retryably) until its third attempt. */
export async function succeedsOnAttempt(n: number): Promise<number> {
  const attempt = wf.workflowInfo().attempt;
  if (attempt < n) throw wf.ApplicationFailure.retryable(`attempt ${attempt} fails`, 'Flaky');
  return attempt;
}

/** Runs an activity on a separate queue that the test answers by hand. */
export async function activityOnQueue(queue: string): Promise<string> {
  const { greet: remote } = wf.proxyActivities<typeof activities>({ startToCloseTimeout: '1m', taskQueue: queue });
  return await remote('remote');
}

export async function waitsForActivity(): Promise<string> {
  return await waitForRelease('x');
}
