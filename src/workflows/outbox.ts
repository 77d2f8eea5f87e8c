/**
 * Messages a workflow sends to other workflows (signals) and to the gateway
 * (bus events), queued by synchronous handlers and sent by one pump.
 *
 * Order holds per destination: the messages to one workflow go one after
 * another, in the order they were queued (an enqueue is never overtaken by
 * its dequeue), while different destinations are served side by side in the
 * same workflow task — a router's 500 offers cost one round trip, not 500.
 * Bus events keep their own single line, as the conversation's publisher
 * does: whatever is queued goes out in one publishEvents activity.
 *
 * A signal that fails (the target does not exist) is reported to `onFailed`
 * and dropped: the caller decides what that means (a router treats an offer
 * that could not be delivered as refused). Wait for {@link Outbox.idle}
 * before continuing as new.
 */
import { condition, getExternalWorkflowHandle, log, type SignalDefinition } from '@temporalio/workflow';
import type { OutboundEvent } from './contract';
import { publishEvents } from './desk-activities';

interface SignalJob {
  workflowId: string;
  // The definition is used only to send; its argument type was checked where the job was queued.
  signal: SignalDefinition<[never]>;
  arg: unknown;
  onFailed?: (error: unknown) => void;
}

export class Outbox {
  private readonly signals: SignalJob[] = [];
  private readonly events: OutboundEvent[] = [];
  private sending = 0;

  signal<T>(workflowId: string, signal: SignalDefinition<[T]>, arg: T, onFailed?: (error: unknown) => void): void {
    this.signals.push({ workflowId, signal: signal as unknown as SignalDefinition<[never]>, arg, onFailed });
  }

  publish(event: OutboundEvent): void {
    this.events.push(event);
  }

  get pending(): number {
    return this.signals.length + this.events.length + this.sending;
  }

  /**
   * Starts the pumps from the workflow's root scope, for the life of the run.
   * `events: false` when the workflow publishes its events itself (the conversation does).
   */
  start(options: { events?: boolean } = {}): void {
    void this.pumpSignals();
    if (options.events ?? true) void this.pumpEvents();
  }

  /** Everything queued so far has been sent (or has failed). */
  async idle(): Promise<void> {
    await condition(() => this.pending === 0);
  }

  private async pumpSignals(): Promise<void> {
    for (;;) {
      await condition(() => this.signals.length > 0);
      const batch = this.signals.splice(0, this.signals.length);
      const byTarget = new Map<string, SignalJob[]>();
      for (const job of batch) {
        const list = byTarget.get(job.workflowId);
        if (list) list.push(job);
        else byTarget.set(job.workflowId, [job]);
      }
      this.sending += batch.length;
      await Promise.all(
        [...byTarget.entries()].map(async ([workflowId, jobs]) => {
          const handle = getExternalWorkflowHandle(workflowId);
          for (const job of jobs) {
            try {
              await handle.signal(job.signal, job.arg as never);
            } catch (error) {
              log.warn('signal not delivered', { workflowId, signal: job.signal.name, error: error instanceof Error ? error.message : String(error) });
              job.onFailed?.(error);
            } finally {
              this.sending -= 1;
            }
          }
        }),
      );
    }
  }

  private async pumpEvents(): Promise<void> {
    for (;;) {
      await condition(() => this.events.length > 0);
      // Everything queued goes in one ordinary activity (no local activities: their results enter where the worker decides, not the history).
      const batch = this.events.splice(0);
      this.sending += batch.length;
      try {
        await publishEvents(batch);
      } catch (error) {
        // At-most-once by design: the entity's state (queries) is the record.
        log.warn('events not published', { kinds: batch.map((e) => e.kind), error: error instanceof Error ? error.message : String(error) });
      } finally {
        this.sending -= batch.length;
      }
    }
  }
}

/** Waits for `fn` or until `deadlineMs` (workflow time, epoch ms); true when `fn` came true. Without a deadline it waits for `fn` only. */
export async function waitFor(fn: () => boolean, deadlineMs: number | undefined): Promise<boolean> {
  if (deadlineMs === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, Math.max(deadlineMs - Date.now(), 1));
}
