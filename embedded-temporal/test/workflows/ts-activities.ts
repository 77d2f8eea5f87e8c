/** Activities for the time-skipping conformance tests (run in the test process, wall clock). */
import { Context } from '@temporalio/activity';

export async function tsRealSleepActivity(ms: number): Promise<number> {
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Date.now() - started;
}

/** Fails the first `failures` attempts; returns the attempt number that succeeded. */
export async function tsFlakyActivity(_key: string, failures: number): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt <= failures) throw new Error(`planned failure on attempt ${attempt}`);
  return attempt;
}
