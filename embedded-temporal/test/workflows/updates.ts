/** Workflows for updates under concurrency: claims racing signals, queries and a cancelled activity. */
import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

export { counter, addUpdate, bumpSignal, doneSignal, stateQuery } from './interaction';

const { waitForRelease } = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '1s',
  // The turn ends only once the activity has acknowledged its cancellation (through a heartbeat).
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
const { sleepFor } = wf.proxyLocalActivities<typeof activities>({ startToCloseTimeout: '30s' });

export const claimUpdate = wf.defineUpdate<string, [string]>('claim');
export const customerSignal = wf.defineSignal<[string]>('customer');
export const slowSignal = wf.defineSignal<[number]>('slow');
export const closeSignal = wf.defineSignal('close');
export const deskQuery = wf.defineQuery<{ agent?: string; messages: number }>('desk');

export interface DeskResult {
  agent?: string;
  messages: string[];
  cancelledTurns: number;
  claimsHandled: number;
}

/**
 * A miniature conversation: while nobody has claimed it, each customer
 * message starts an "AI turn" (a long activity in its own cancellation
 * scope); a claim cancels the turn in flight. A claim by the agent who
 * already holds it is accepted again (idempotent); anyone else is refused by
 * the validator. `slow` runs a local activity, which keeps its workflow task
 * open for that long.
 */
export async function desk(): Promise<DeskResult> {
  let agent: string | undefined;
  const messages: string[] = [];
  let closed = false;
  let turn: wf.CancellationScope | undefined;
  let cancelledTurns = 0;
  let claimsHandled = 0;
  wf.setHandler(customerSignal, (text) => void messages.push(text));
  wf.setHandler(slowSignal, async (ms) => {
    await sleepFor(ms);
  });
  wf.setHandler(closeSignal, () => {
    closed = true;
    turn?.cancel();
  });
  wf.setHandler(
    claimUpdate,
    (who) => {
      claimsHandled++;
      turn?.cancel();
      agent = who;
      return who;
    },
    {
      validator: (who) => {
        if (agent !== undefined && agent !== who) throw new Error(`${who} cannot claim: already claimed by ${agent}`);
      },
    },
  );
  wf.setHandler(deskQuery, () => ({ agent, messages: messages.length }));
  let answered = 0;
  while (!closed) {
    await wf.condition(() => closed || (agent === undefined && messages.length > answered));
    if (closed) break;
    answered = messages.length;
    turn = new wf.CancellationScope();
    try {
      await turn.run(() => waitForRelease(`turn ${answered}`));
    } catch (err) {
      if (!wf.isCancellation(err)) throw err;
      cancelledTurns++;
    }
    turn = undefined;
  }
  await wf.condition(wf.allHandlersFinished);
  return { agent, messages, cancelledTurns, claimsHandled };
}
