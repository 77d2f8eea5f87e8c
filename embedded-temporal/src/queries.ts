/**
 * Queries of one run. A query waits for a worker: attached to the next
 * workflow task when one is scheduled or running (or the run has never
 * completed a task), otherwise sent on its own as a "legacy" query task on
 * the normal queue. Each outstanding query holds a time-skipping lock, as in
 * the Java test server, so time does not jump while a worker is answering.
 *
 * A query task is never handed out while a workflow task is pending: the
 * query then waits for that task instead. Its history would otherwise end
 * with a WorkflowTaskScheduled the worker has not started. A real server never
 * shows a cached (sticky) worker such a history: its query tasks for a sticky
 * run carry no events at all, and an update's speculative task is not
 * written to history. This server sends full history with every task, and
 * the SDK core, fed a trailing WorkflowTaskScheduled by a query, mis-tracks
 * the next task's started event id. It then re-runs an update it has already
 * accepted. The resent acceptance comes back later without its message, and
 * the task fails with BadUpdateWorkflowExecutionMessage.
 */
import { queryFailed, type RpcError } from './errors';
import type { WireObject } from './host';
import { HeldLock } from './locks';
import type { WorkflowRun } from './run';
import { encodeToken } from './tokens';
import type { Failure } from './wire';

type QueryPhase = 'buffered' | 'attached' | 'legacy' | 'done';

interface QueryResultWire {
  resultType?: string;
  answer?: WireObject;
  errorMessage?: string;
  failure?: Failure;
}

class PendingQuery {
  phase: QueryPhase = 'buffered';

  constructor(
    readonly id: string,
    readonly query: WireObject,
    private readonly settleFn: (result: { answer?: WireObject; error?: RpcError }) => void,
    readonly lock: HeldLock,
  ) {}

  settle(result: { answer?: WireObject; error?: RpcError }): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.lock.release();
    this.settleFn(result);
  }
}

let nextQueryId = 1;

export class QueryRegistry {
  private readonly pending = new Map<string, PendingQuery>();

  constructor(private readonly run: WorkflowRun) {}

  /** Resolves with the query result payloads; rejects with INVALID_ARGUMENT when the worker failed the query. */
  submit(query: WireObject, onCancelled: (cb: () => void) => void): Promise<WireObject | undefined> {
    return new Promise((resolve, reject) => {
      const id = `q${nextQueryId++}`;
      const lock = new HeldLock(this.run.host.clock, `query ${id}`);
      lock.acquire();
      const pq = new PendingQuery(
        id,
        query,
        ({ answer, error }) => {
          this.pending.delete(id);
          if (error) reject(error);
          else resolve(answer);
        },
        lock,
      );
      this.pending.set(id, pq);
      onCancelled(() => {
        this.pending.delete(id);
        if (pq.phase !== 'done') {
          pq.phase = 'done';
          pq.lock.release();
        }
      });
      const run = this.run;
      const waitForTask = run.isOpen && (run.wft.phase !== 'none' || run.lastCompletedStartedEventId === 0);
      if (!waitForTask) this.dispatchLegacy(pq);
    });
  }

  /** Buffered queries for the task being started (the worker answers them in its completion). */
  attachToTask(): Record<string, WireObject> | undefined {
    let queries: Record<string, WireObject> | undefined;
    for (const pq of this.pending.values()) {
      if (pq.phase !== 'buffered') continue;
      pq.phase = 'attached';
      (queries ??= {})[pq.id] = pq.query;
    }
    return queries;
  }

  hasBuffered(): boolean {
    for (const pq of this.pending.values()) if (pq.phase === 'buffered') return true;
    return false;
  }

  answerFromTask(results: Record<string, QueryResultWire> | undefined): void {
    for (const [id, result] of Object.entries(results ?? {})) {
      const pq = this.pending.get(id);
      if (pq && pq.phase === 'attached') pq.settle(toOutcome(result));
    }
  }

  /** The task carrying them failed or timed out: they ride along with the next one. */
  rebufferAttached(): void {
    for (const pq of this.pending.values()) if (pq.phase === 'attached') pq.phase = 'buffered';
  }

  /** No new workflow task follows, so buffered (and unanswered attached) queries go out as query tasks of their own. */
  dispatchWaitingAsLegacy(): void {
    for (const pq of [...this.pending.values()]) {
      if (pq.phase === 'buffered' || pq.phase === 'attached') this.dispatchLegacy(pq);
    }
  }

  runClosed(): void {
    this.dispatchWaitingAsLegacy();
  }

  answerLegacy(queryId: string, result: QueryResultWire): boolean {
    const pq = this.pending.get(queryId);
    if (!pq || pq.phase !== 'legacy') return false;
    pq.settle(toOutcome(result));
    return true;
  }

  private dispatchLegacy(pq: PendingQuery): void {
    pq.phase = 'legacy';
    const run = this.run;
    run.host.matching.workflowQueue(run.taskQueue).offer({
      tryStart: () => {
        if (pq.phase !== 'legacy' || !this.pending.has(pq.id)) return undefined;
        if (run.isOpen && run.wft.phase !== 'none') {
          // A workflow task was scheduled since the query went out: ride on it instead (see the class comment).
          pq.phase = 'buffered';
          return undefined;
        }
        const token = encodeToken({ kind: 'query', namespace: run.namespace, runId: run.runId, queryId: pq.id });
        return run.taskResponse(token, 0, 1, { query: pq.query });
      },
    });
  }
}

function toOutcome(result: QueryResultWire): { answer?: WireObject; error?: RpcError } {
  if (result.resultType === 'QUERY_RESULT_TYPE_ANSWERED') return { answer: result.answer ?? {} };
  return { error: queryFailed(result.errorMessage || result.failure?.message || 'query failed', result.failure) };
}
