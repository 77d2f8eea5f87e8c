/** Workflows for the activity conformance tests (M3). */
import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

type Opts = wf.ActivityOptions;

export async function runFlaky(succeedOn: number, options: Opts): Promise<string> {
  return await wf.proxyActivities<typeof activities>(options).flaky(succeedOn);
}

export async function runFailWith(kind: Parameters<typeof activities.failWith>[0], options: Opts): Promise<string> {
  return await wf.proxyActivities<typeof activities>(options).failWith(kind);
}

export async function runSlowFirstAttempt(ms: number, options: Opts): Promise<string> {
  return await wf.proxyActivities<typeof activities>(options).slowFirstAttempt(ms);
}

export async function runSleepFor(ms: number, options: Opts): Promise<string> {
  return await wf.proxyActivities<typeof activities>(options).sleepFor(ms);
}

/** Starts an activity, cancels it after `afterMs`, and reports how it ended. */
export async function cancelActivity(afterMs: number, options: Opts): Promise<string> {
  const { waitForRelease } = wf.proxyActivities<typeof activities>({
    ...options,
    cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new wf.CancellationScope();
  const running = scope.run(() => waitForRelease('x'));
  await wf.sleep(afterMs);
  scope.cancel();
  try {
    await running;
    return 'not cancelled';
  } catch (err) {
    return wf.isCancellation(err) ? 'cancelled' : `failed: ${(err as Error).message}`;
  }
}

/** Schedules one activity with exactly the given options; the test answers it by hand. */
export async function scheduleWith(options: Opts): Promise<string> {
  return await wf.proxyActivities<typeof activities>(options).greet('by hand');
}
