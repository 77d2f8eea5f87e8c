/** Workflows for the time-skipping conformance tests. Date.now() here is the workflow clock (the server's virtual time). */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from './ts-activities';

export interface Elapsed {
  startedAt: number;
  endedAt: number;
}

export async function tsSleepWorkflow(ms: number): Promise<Elapsed> {
  const startedAt = Date.now();
  await sleep(ms);
  return { startedAt, endedAt: Date.now() };
}

const { tsRealSleepActivity } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface ActivityThenTimer {
  startedAt: number;
  activityDoneAt: number;
  endedAt: number;
}

/** A 300 ms (wall time) activity, then a one-hour timer. */
export async function tsActivityThenTimerWorkflow(activityMs: number, timerMs: number): Promise<ActivityThenTimer> {
  const startedAt = Date.now();
  await tsRealSleepActivity(activityMs);
  const activityDoneAt = Date.now();
  await sleep(timerMs);
  return { startedAt, activityDoneAt, endedAt: Date.now() };
}

const { tsFlakyActivity } = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 hour', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** An activity that fails twice with an hour (then two hours) of backoff before succeeding. */
export async function tsRetryBackoffWorkflow(key: string): Promise<{ attempt: number } & Elapsed> {
  const startedAt = Date.now();
  const attempt = await tsFlakyActivity(key, 2);
  return { attempt, startedAt, endedAt: Date.now() };
}
