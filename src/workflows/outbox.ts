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
 * that could not be delivered as refused).
 *
 * Continuing as new: {@link Outbox.hold} stops new sends, and once nothing is
 * in flight {@link Outbox.carry} hands over what is still queued (JSON-safe)
 * for the next run's Outbox. Waiting for an empty outbox instead never ends
 * under constant traffic: every message that arrives while a batch is out
 * queues another one.
 */
import { condition, defineSignal, getExternalWorkflowHandle, log, type SignalDefinition } from '@temporalio/workflow';
import type { OutboundEvent } from './contract';
import { publishEvents } from './desk-activities';

interface SignalJob {
  workflowId: string;
  // The definition is used only to send; its argument type was checked where the job was queued.
  signal: SignalDefinition<[never]>;
  arg: unknown;
  onFailed?: (error: unknown) => void;
}

/** A signal queued but not sent when the run continued as new. */
export interface CarriedSignal {
  workflowId: string;
  signal: string;
  arg: unknown;
}

/** What an outbox still held when its run continued as new (part of the next run's input). */
export interface CarriedOutbox {
  signals: CarriedSignal[];
  events: OutboundEvent[];
}

export class Outbox {
  private readonly signals: SignalJob[] = [];
  private readonly events: OutboundEvent[] = [];
  private sending = 0;
  private held = false;

  /**
   * @param carried what the previous run's outbox still held (sent first, in order)
   * @param reattach the failure handler of a carried signal (callbacks do not survive continue-as-new)
   */
  constructor(carried?: unknown, reattach?: (job: CarriedSignal) => ((error: unknown) => void) | undefined) {
    const { signals, events } = carriedOutbox(carried);
    for (const job of signals) {
      this.signals.push({ workflowId: job.workflowId, signal: defineSignal<[never]>(job.signal), arg: job.arg, onFailed: reattach?.(job) });
    }
    this.events.push(...events);
  }

  signal<T>(workflowId: string, signal: SignalDefinition<[T]>, arg: T, onFailed?: (error: unknown) => void): void {
    this.signals.push({ workflowId, signal: signal as unknown as SignalDefinition<[never]>, arg, onFailed });
  }

  publish(event: OutboundEvent): void {
    this.events.push(event);
  }

  get pending(): number {
    return this.signals.length + this.events.length + this.sending;
  }

  /** Messages handed to Temporal and not yet done. */
  get inFlight(): number {
    return this.sending;
  }

  /** Sends nothing new from now on (before continuing as new): what is queued stays for {@link Outbox.carry}. */
  hold(): void {
    this.held = true;
  }

  /** What is queued and unsent, for the next run (after {@link Outbox.hold} and once {@link Outbox.inFlight} is 0). */
  carry(): CarriedOutbox {
    return {
      signals: this.signals.map((j) => ({ workflowId: j.workflowId, signal: j.signal.name, arg: j.arg })),
      events: [...this.events],
    };
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
      await condition(() => this.signals.length > 0 && !this.held);
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
      await condition(() => this.events.length > 0 && !this.held);
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

/** The carried outbox of a run's input, or nothing when it is absent or not one. */
function carriedOutbox(value: unknown): CarriedOutbox {
  const v = (value ?? {}) as Partial<CarriedOutbox>;
  const signals = Array.isArray(v.signals)
    ? v.signals.filter((j): j is CarriedSignal => typeof j?.workflowId === 'string' && typeof j?.signal === 'string')
    : [];
  const events = Array.isArray(v.events) ? v.events.filter((e): e is OutboundEvent => typeof e?.kind === 'string') : [];
  return { signals, events };
}

/** Waits for `fn` or until `deadlineMs` (workflow time, epoch ms); true when `fn` came true. Without a deadline it waits for `fn` only. */
export async function waitFor(fn: () => boolean, deadlineMs: number | undefined): Promise<boolean> {
  if (deadlineMs === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, Math.max(deadlineMs - Date.now(), 1));
}
