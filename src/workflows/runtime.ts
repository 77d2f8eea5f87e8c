/**
 * The running conversation: its state, the outbox of events to publish, the
 * search attributes, and the handle on the AI turn in flight. Signal and
 * update handlers and the phase loops share this one object.
 *
 * Transitions are applied synchronously (no await between reading and
 * writing state), so an update validator always sees the result of the
 * handler before it: of N concurrent claims, the first one flips the phase
 * and the other N-1 validators reject.
 */
import {
  allHandlersFinished,
  type CancellationScope,
  condition,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { deskNotes, queueRequest, routingMessages, type ConversationState, type DecideOptions, type RoutingMessage, type Transition } from '../domain';
import {
  agentSlotSignal,
  agentWorkflowId,
  dequeueSignal,
  enqueueSignal,
  routerWorkflowId,
} from '../routing/contract';
import type { ConversationInput, DeskNote, OutboundEvent, PolicyConfig, SlaAlert, TranscriptEntry } from './contract';
import { priorityRank, searchAttributes } from './contract';
import { publishEventLocally, publishEvents } from './desk-activities';
import { Outbox } from './outbox';

/**
 * Patch id: the conversation workflow runs no local activities (understand
 * and publishing are ordinary activities; runs started before keep theirs).
 *
 * Local activities resolve inside the worker, and where their results enter
 * the workflow is decided by the worker, not by the history. The publisher
 * (publishEvent, on its own coroutine) and the AI turn (understand) both ran
 * them; a query answered mid-task, or a task completed while one was still
 * running, made the worker deliver a result in one activation while replay
 * delivers it in another, and the workflow then scheduled its next commands
 * in another order. After a worker restart, replay failed for good
 * ("Missing associated machine for LocalActivity(n)", "Activity id of
 * scheduled event '4' does not match … '5'", "Activity type of recorded
 * marker 'understand' does not match … 'publishEvent'"): the crash soak froze
 * 1–4 of 24 conversations per run on Temporal's dev server. Ordinary
 * activities resolve through history events, which replay in their order.
 */
export const NO_LOCAL_ACTIVITIES = 'no-local-activities';

/**
 * Patch id: the conversation talks to the routing entities (a router per
 * skill, an entity per agent), asks for FAQ suggestions when it queues,
 * checks service hours, and runs service levels and abandonment in the
 * queue. Runs started before replay down the old path (search-attribute
 * queue, one wait-limit timer with a callback ticket); once such a run is
 * live again, every new decision takes the routed path ({@link routed}).
 */
export const ROUTING_ENTITIES = 'routing-entities';

/**
 * Patch id: while an order's email or phone is asked, a task detail the
 * customer gives first (a reason, a refund method) is kept and the question
 * asked again, and only a bare "no" drops the task (see the domain's
 * DecideOptions). Runs that recorded such a turn before it replay the old way.
 */
export const ANSWERS_BEFORE_VERIFICATION = 'answers-before-verification';

export class ConversationRuntime {
  /** The AI turn in flight, cancelled by takeover and close. */
  activeTurn?: CancellationScope;
  /** False only when replaying a run started before {@link NO_LOCAL_ACTIVITIES}. */
  readonly noLocalActivities = patched(NO_LOCAL_ACTIVITIES);
  /** Marks a new run as routed from its first task (the per-decision checks below then agree with it). */
  private readonly routedAtStart = patched(ROUTING_ENTITIES);
  private readonly outbox: OutboundEvent[] = [];
  private publishing = false;
  private lastSearchAttributes = '';
  /** Messages to the routing entities (router of the skill, the agent's entity). */
  private readonly entities = new Outbox();

  constructor(
    public state: ConversationState,
    readonly policy: PolicyConfig,
    readonly input: ConversationInput,
  ) {}

  get conversationId(): string {
    return this.state.conversationId;
  }

  /** Workflow time (deterministic inside the workflow sandbox). */
  now(): string {
    return new Date().toISOString();
  }

  nowMs(): number {
    return Date.now();
  }

  /**
   * Applies a transition: new state, its entries published, status and
   * search attributes refreshed when they changed, and — read off the
   * difference between before and after — the desk's figures (on the status
   * event) and the messages the routing entities must hear.
   */
  /**
   * Whether this decision takes the routed path: always in runs started
   * since {@link ROUTING_ENTITIES}; in older runs false while they replay
   * what they did before it, true from their first live decision on.
   */
  routed(): boolean {
    return this.routedAtStart || patched(ROUTING_ENTITIES);
  }

  /** How `decide` treats this turn: checked (and marked in history) only for a turn that answers the contact question. */
  decideOptions(state: ConversationState): DecideOptions {
    return { answersBeforeVerification: state.ai.task?.awaiting?.kind === 'verify' ? patched(ANSWERS_BEFORE_VERIFICATION) : true };
  }

  apply(t: Transition): void {
    const before = this.state;
    this.state = t.state;
    this.publishEntries(t.entries);
    const after = this.state;
    const routed = this.routed();
    const notes = routed ? deskNotes(before, after, this.nowMs()) : [];
    if (
      notes.length > 0 ||
      before.phase !== after.phase ||
      before.agent?.id !== after.agent?.id ||
      JSON.stringify(before.escalation) !== JSON.stringify(after.escalation)
    ) {
      this.publishStatus(notes);
    }
    if (routed) for (const message of routingMessages(before, after, this.nowMs())) this.sendRouting(message);
    this.syncSearchAttributes();
  }

  publishEntries(entries: TranscriptEntry[], desk?: DeskNote[]): void {
    entries.forEach((entry, i) => {
      const event: OutboundEvent = { kind: 'message', conversationId: this.conversationId, entry };
      if (desk && desk.length > 0 && i === 0) event.desk = desk;
      this.outbox.push(event);
    });
  }

  publishStatus(desk?: DeskNote[]): void {
    const s = this.state;
    const event: OutboundEvent = { kind: 'status', conversationId: this.conversationId, phase: s.phase };
    if (s.agent) event.agent = s.agent;
    if (s.escalation) event.escalation = s.escalation;
    if (desk && desk.length > 0) event.desk = desk;
    this.outbox.push(event);
  }

  /** A supervisor alert (the gateway hands it to supervisor and operator sockets). */
  publishAlert(alert: SlaAlert): void {
    this.outbox.push({ kind: 'alert', conversationId: this.conversationId, alert });
  }

  /** Re-states the queue entry to the skill's router (an upsert): heals a router that missed it. */
  restateQueue(): void {
    const request = queueRequest(this.state);
    if (request && this.state.escalation) this.sendRouting({ to: 'router', skill: this.state.escalation.skill, kind: 'enqueue', request });
  }

  private sendRouting(message: RoutingMessage): void {
    const taskQueue = workflowInfo().taskQueue;
    if (message.to === 'agent') {
      this.entities.signal(agentWorkflowId(taskQueue, message.agentId), agentSlotSignal, message.event);
    } else if (message.kind === 'enqueue') {
      this.entities.signal(routerWorkflowId(taskQueue, message.skill), enqueueSignal, message.request);
    } else {
      this.entities.signal(routerWorkflowId(taskQueue, message.skill), dequeueSignal, message.request);
    }
  }

  /** Upserts the desk's search attributes when any of them changed. */
  syncSearchAttributes(): void {
    const s = this.state;
    const esc = s.phase === 'ai' ? undefined : s.escalation;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: searchAttributes.status, value: s.phase },
      { key: searchAttributes.priority, value: esc?.priority ?? null },
      { key: searchAttributes.priorityRank, value: esc ? priorityRank(esc.priority) : null },
      { key: searchAttributes.skill, value: esc?.skill ?? null },
      { key: searchAttributes.agent, value: s.agent?.id ?? null },
      { key: searchAttributes.tier, value: s.customer.tier },
      { key: searchAttributes.intent, value: s.ai.task?.intent ?? s.ai.lastIntent ?? null },
      { key: searchAttributes.escalationReasons, value: esc ? [...esc.reasons] : null },
      { key: searchAttributes.waitingSince, value: s.phase === 'queued' && s.queue ? new Date(s.queue.waitingSince) : null },
      { key: searchAttributes.customerId, value: s.customer.id },
    ] as SearchAttributeUpdatePair[];
    const fingerprint = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
    if (fingerprint === this.lastSearchAttributes) return;
    this.lastSearchAttributes = fingerprint;
    upsertSearchAttributes(pairs);
  }

  cancelActiveTurn(): void {
    this.activeTurn?.cancel();
  }

  /** The SDK suggests it (history size), or this run has done `turnsPerRun` turns. */
  shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || this.state.runTurns >= this.policy.turnsPerRun;
  }

  /**
   * Publishes outbox events in order, one at a time, for the life of the
   * run. Started once from the workflow's root scope, so cancelling an AI
   * turn never cancels a publication.
   */
  startPublisher(): void {
    void this.pump();
    this.entities.start({ events: false });
  }

  private async pump(): Promise<void> {
    for (;;) {
      await condition(() => this.outbox.length > 0);
      // Everything queued goes in one activity: one round trip for a turn's reply and status.
      const batch = this.noLocalActivities ? this.outbox.splice(0) : [this.outbox.shift() as OutboundEvent];
      this.publishing = true;
      try {
        await (this.noLocalActivities ? publishEvents(batch) : publishEventLocally(batch[0]));
      } catch (err) {
        // The bus is at-most-once by design: clients recover missed messages by seq.
        log.warn('events not published', { kinds: batch.map((e) => e.kind), error: err instanceof Error ? err.message : String(err) });
      } finally {
        this.publishing = false;
      }
    }
  }

  /** Waits until running handlers are done and every event is published (before returning or continuing as new). */
  async quiesce(): Promise<void> {
    await condition(() => allHandlersFinished() && this.outbox.length === 0 && !this.publishing && this.entities.pending === 0);
  }
}
