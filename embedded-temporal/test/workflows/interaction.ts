/** Workflows for queries, updates, cancellation, signal-with-start, id policies and children (M4). */
import * as wf from '@temporalio/workflow';

export const bumpSignal = wf.defineSignal<[number]>('bump');
export const doneSignal = wf.defineSignal('done');
export const releaseSignal = wf.defineSignal('release');
export const stateQuery = wf.defineQuery<number>('state');
export const failingQuery = wf.defineQuery<number>('failing');
export const addUpdate = wf.defineUpdate<number, [number]>('add');
export const slowAddUpdate = wf.defineUpdate<number, [number]>('slowAdd');
export const claimUpdate = wf.defineUpdate<string, [string]>('claim');

/** A counter: signals and updates change it, a query reads it; ends on the done signal. */
export async function counter(): Promise<number> {
  let total = 0;
  let done = false;
  let released = false;
  let claimedBy: string | undefined;
  wf.setHandler(bumpSignal, (n) => void (total += n));
  wf.setHandler(doneSignal, () => void (done = true));
  wf.setHandler(releaseSignal, () => void (released = true));
  wf.setHandler(stateQuery, () => total);
  wf.setHandler(failingQuery, () => {
    throw new Error('this query always fails');
  });
  wf.setHandler(
    addUpdate,
    (n) => {
      total += n;
      return total;
    },
    {
      validator: (n) => {
        if (n < 0) throw new Error('negative amounts are refused');
      },
    },
  );
  wf.setHandler(slowAddUpdate, async (n) => {
    await wf.condition(() => released);
    total += n;
    return total;
  });
  wf.setHandler(
    claimUpdate,
    (agent) => {
      claimedBy = agent;
      return agent;
    },
    {
      validator: (agent) => {
        if (claimedBy !== undefined) throw new Error(`${agent} cannot claim: already claimed by ${claimedBy}`);
      },
    },
  );
  await wf.condition(() => done);
  await wf.condition(wf.allHandlersFinished);
  return total;
}

/** Sleeps a day; cancellation ends it as cancelled. */
export async function sleepsLong(): Promise<string> {
  await wf.sleep('1 day');
  return 'slept';
}

export async function child(value: string): Promise<string> {
  return `child got ${value}`;
}

export async function parentOfChild(value: string): Promise<string> {
  return await wf.executeChild(child, { args: [value], workflowId: `${wf.workflowInfo().workflowId}-child` });
}

/** Starts a long-sleeping child with the given close policy and returns without waiting for it. */
export async function parentLeavesChild(policy: 'TERMINATE' | 'ABANDON' | 'REQUEST_CANCEL'): Promise<string> {
  const handle = await wf.startChild(sleepsLong, {
    workflowId: `${wf.workflowInfo().workflowId}-child`,
    parentClosePolicy: wf.ParentClosePolicy[policy],
  });
  return handle.workflowId;
}

export async function signalOther(workflowId: string): Promise<string> {
  try {
    await wf.getExternalWorkflowHandle(workflowId).signal(bumpSignal, 5);
    return 'signalled';
  } catch (err) {
    return `signal failed: ${(err as Error).name}`;
  }
}

export async function cancelOther(workflowId: string): Promise<string> {
  await wf.getExternalWorkflowHandle(workflowId).cancel();
  return 'cancel requested';
}
