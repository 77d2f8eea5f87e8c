/**
 * Workflow updates of one run. Lifecycle: admitted (accepted by the server,
 * not yet seen by a worker) → sent (delivered as a protocol message in a
 * workflow task) → accepted (WorkflowExecutionUpdateAccepted written) →
 * completed (WorkflowExecutionUpdateCompleted written, or rejected by the
 * validator, which writes nothing). Callers block until the stage they asked
 * for; update ids are deduplicated per run.
 */
import { notFound, resourceExhausted, type RpcError } from './errors';
import type { WireObject } from './host';
import { packAny } from './proto';
import type { WorkflowRun } from './run';
import type { Failure, ProtocolMessage, UpdateStage } from './wire';
import { waitUntil } from './wait';

export type UpdatePhase = 'admitted' | 'sent' | 'accepted' | 'completed';

const STAGE_RANK: Record<UpdateStage, number> = {
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED: 1,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED: 1,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED: 2,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED: 3,
};

const PHASE_STAGE: Record<UpdatePhase, UpdateStage> = {
  admitted: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  sent: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED',
  accepted: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED',
  completed: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED',
};

export class UpdateState {
  phase: UpdatePhase = 'admitted';
  sentInStartedEventId = 0;
  acceptedEventId = 0;
  outcome: WireObject | undefined;
  /** Set when the update was aborted (the run closed before it was accepted). */
  error: RpcError | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly request: WireObject,
  ) {}

  reached(stage: UpdateStage): boolean {
    return this.error !== undefined || STAGE_RANK[PHASE_STAGE[this.phase]] >= STAGE_RANK[stage];
  }

  get stage(): UpdateStage {
    return PHASE_STAGE[this.phase];
  }

  onChange(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  changed(): void {
    for (const w of [...this.waiters]) w();
  }
}

export class UpdateRegistry {
  private readonly byId = new Map<string, UpdateState>();

  constructor(private readonly run: WorkflowRun) {}

  get(updateId: string): UpdateState | undefined {
    return this.byId.get(updateId);
  }

  /** Admits a new update, or returns the existing one with the same id. */
  admit(updateId: string, request: WireObject): { update: UpdateState; isNew: boolean } {
    const existing = this.byId.get(updateId);
    if (existing) return { update: existing, isNew: false };
    const update = new UpdateState(updateId, request);
    this.byId.set(updateId, update);
    return { update, isNew: true };
  }

  hasUnsent(): boolean {
    for (const u of this.byId.values()) if (u.phase === 'admitted' && !u.error) return true;
    return false;
  }

  /** Protocol messages for every admitted update, which become "sent" in this task. */
  takeForTask(startedEventId: number): ProtocolMessage[] {
    const messages: ProtocolMessage[] = [];
    for (const u of this.byId.values()) {
      if (u.phase !== 'admitted' || u.error) continue;
      u.phase = 'sent';
      u.sentInStartedEventId = startedEventId;
      messages.push({
        id: `${u.id}/request`,
        protocolInstanceId: u.id,
        eventId: startedEventId - 1,
        body: packAny('temporal.api.update.v1.Request', u.request),
      });
    }
    return messages;
  }

  /** The task that carried them failed or timed out: deliver them again with the next one. */
  returnSentToAdmitted(): void {
    for (const u of this.byId.values()) if (u.phase === 'sent') u.phase = 'admitted';
  }

  accept(update: UpdateState, acceptedEventId: number): void {
    update.phase = 'accepted';
    update.acceptedEventId = acceptedEventId;
    update.changed();
  }

  complete(update: UpdateState, outcome: WireObject): void {
    update.phase = 'completed';
    update.outcome = outcome;
    update.changed();
  }

  /** Updates delivered in a task whose completion neither accepted nor rejected them (the real server does the same). */
  rejectUnprocessed(startedEventId: number): void {
    for (const u of this.byId.values()) {
      if (u.phase === 'sent' && u.sentInStartedEventId === startedEventId) {
        this.complete(u, {
          failure: {
            message: "Workflow Update wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
            source: 'Server',
            applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
          } satisfies Failure,
        });
      }
    }
  }

  /**
   * The run closed. Updates not yet accepted are aborted: retryably when the
   * workflow continues in a new run (the client retries against it), as "not
   * found" otherwise. Accepted ones complete with a failure.
   */
  runClosed(continuing: boolean): void {
    for (const u of this.byId.values()) {
      if (u.phase === 'admitted' || u.phase === 'sent') {
        u.error = continuing
          ? resourceExhausted('workflow update was aborted: the workflow is continuing in a new run')
          : notFound('workflow update was aborted by closing workflow');
        u.changed();
      } else if (u.phase === 'accepted') {
        this.complete(u, {
          failure: {
            message: 'Workflow Update failed because the Workflow completed before the Update completed.',
            source: 'Server',
            applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
          } satisfies Failure,
        });
      }
    }
  }

  /** Resolves once `update` reaches `stage` (or fails), or after `timeoutMs`, or when `cancelled` fires. */
  wait(update: UpdateState, stage: UpdateStage, timeoutMs: number, onCancelled: (cb: () => void) => void): Promise<void> {
    return waitUntil(() => update.reached(stage), (l) => update.onChange(l), timeoutMs, onCancelled);
  }


  response(update: UpdateState): WireObject {
    return {
      updateRef: { workflowExecution: this.run.execution, updateId: update.id },
      outcome: update.outcome,
      stage: update.stage,
    };
  }
}
