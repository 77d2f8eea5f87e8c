/** The workflow bench/temporal-server.bench.ts drives: idle until signalled, reports each signal through a sink. */
import * as wf from '@temporalio/workflow';

export interface BenchSinks extends wf.Sinks {
  bench: {
    ready(workflowId: string): void;
    seen(workflowId: string, seq: number): void;
  };
}

export const pingSignal = wf.defineSignal<[number]>('ping');
export const stopSignal = wf.defineSignal('stop');

const { bench } = wf.proxySinks<BenchSinks>();

export async function idleUntilStopped(): Promise<number> {
  const id = wf.workflowInfo().workflowId;
  let count = 0;
  let stopped = false;
  wf.setHandler(pingSignal, (seq) => {
    count++;
    bench.seen(id, seq);
  });
  wf.setHandler(stopSignal, () => void (stopped = true));
  bench.ready(id);
  await wf.condition(() => stopped);
  return count;
}
