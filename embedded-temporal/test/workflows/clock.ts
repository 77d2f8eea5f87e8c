/** Workflows for the time-skipping conformance tests (M6). */
import * as wf from '@temporalio/workflow';

export async function sleeper(ms: number): Promise<number> {
  const before = Date.now();
  await wf.sleep(ms);
  return Date.now() - before;
}
