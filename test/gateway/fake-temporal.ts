/**
 * A fake of the Temporal client surface the gateway uses, with a tiny
 * scripted conversation behind it. It follows the contract's semantics that
 * the gateway relies on (dedupe by message id, seq per entry, claim validator
 * with typed ApplicationFailures, REJECT_DUPLICATE on closed runs, errors by
 * class) so router and socket tests exercise the real gateway code paths.
 * The real workflow is covered by the e2e tests.
 *
 * Scripted bot: a customer message containing "human" or "agent" escalates
 * (skill "refunds" when the text says refund, else "general"); any other
 * message in the AI phase gets the reply `bot: <text>`.
 */
import { WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import {
  ApplicationFailure,
  TypedSearchAttributes,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type PayloadCodec,
  type SearchAttributePair,
} from '@temporalio/common';
import type { EventBus } from '../../src/bus/types';
import { DEFAULT_TASK_QUEUE } from '../../src/workflows/contract';
import { FakeRouting } from './fake-routing';
import {
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  conversationIdFromWorkflowId,
  customerMessageSignal,
  ErrorCode,
  priorityRank,
  releaseUpdate,
  searchAttributes as sa,
  stateQuery,
  transcriptQuery,
  transferUpdate,
  type AgentMessage,
  type ClaimInput,
  type CloseRequest,
  type ConversationInput,
  type ConversationStateView,
  type CustomerMessage,
  type DeskNote,
  type Handover,
  type Priority,
  type ReleaseInput,
  type Skill,
  type Speaker,
  type TranscriptEntry,
  type TransferInput,
} from '../../src/workflows/contract';

export interface FakeConversation {
  workflowId: string;
  input: ConversationInput;
  state: ConversationStateView;
  transcript: TranscriptEntry[];
  seenIds: Set<string>;
  running: boolean;
  startTime: Date;
  /** Every customer message text the "AI" handled (to prove nothing is processed twice). */
  aiHandled: string[];
}

export interface FakeOptions {
  bus?: EventBus;
  /** Seal history payloads with this codec, as a worker with the payload codec would have written them. */
  codec?: PayloadCodec;
  /** Publish customer entries on the bus too (the gateway must cope either way). */
  publishCustomerEntries?: boolean;
}

type Def = { name: string };

export class FakeTemporal {
  readonly conversations = new Map<string, FakeConversation>();
  readonly queries: string[] = [];
  readonly signalsWithStart: { workflowId: string; options: Record<string, unknown> }[] = [];
  reachable = true;
  private clock = Date.parse('2025-01-01T00:00:00Z');
  /** The agent entities and routers (their real pure rules). */
  readonly routing: FakeRouting;

  constructor(private readonly options: FakeOptions = {}) {
    this.routing = new FakeRouting(options.bus, () => this.reachable);
  }

  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  /** The client object handed to createGateway. */
  get client(): Client {
    const workflow = {
      signalWithStart: async (_fn: unknown, options: Record<string, unknown>) => {
        if (!this.reachable) throw unavailable();
        const workflowId = options.workflowId as string;
        if (FakeRouting.isEntity(workflowId)) {
          this.routing.signalWithStart(options);
          return { workflowId };
        }
        this.signalsWithStart.push({ workflowId, options });
        let conv = this.conversations.get(workflowId);
        if (conv && !conv.running) {
          if (options.workflowIdReusePolicy === 'REJECT_DUPLICATE') {
            throw new WorkflowExecutionAlreadyStartedError('already started', workflowId, 'conversationWorkflow');
          }
        }
        if (!conv) conv = this.start(workflowId, (options.args as [ConversationInput])[0]);
        this.onSignal(conv, (options.signal as Def).name, (options.signalArgs as unknown[])[0]);
        return { workflowId };
      },
      getHandle: (workflowId: string) => (FakeRouting.isEntity(workflowId) ? this.routing.handle(workflowId) : this.handle(workflowId)),
      list: ({ query }: { query: string }) => {
        this.queries.push(query);
        return this.rows(query);
      },
      count: async (query: string) => {
        if (!this.reachable) throw unavailable();
        this.queries.push(query);
        return { count: this.matching(query).length, groups: [] };
      },
    };
    const workflowService = {
      getSystemInfo: async () => {
        if (!this.reachable) throw unavailable();
        return {};
      },
    };
    const withDeadline = <R>(_deadline: number | Date, fn: () => Promise<R>): Promise<R> => fn();
    return { workflow, workflowService, withDeadline } as unknown as Client;
  }

  start(workflowId: string, input: ConversationInput): FakeConversation {
    const conv: FakeConversation = {
      workflowId,
      input,
      state: {
        conversationId: input.conversationId,
        phase: 'ai',
        customer: input.customer,
        language: input.locale ?? 'en',
        slots: {},
        emotion: 'neutral',
        turnCount: 0,
        lastSeq: 0,
      },
      transcript: [],
      seenIds: new Set(),
      running: true,
      startTime: new Date(this.clock),
      aiHandled: [],
    };
    this.conversations.set(workflowId, conv);
    return conv;
  }

  /** Puts a started conversation straight into the queue (tests of the desk). */
  enqueue(conversationId: string, opts: { priority?: Priority; skill?: Skill; waitingSince?: string; tier?: 'vip' | 'regular' | 'enterprise'; text?: string } = {}): FakeConversation {
    const workflowId = `conversation-${conversationId}`;
    const conv =
      this.conversations.get(workflowId) ??
      this.start(workflowId, { conversationId, customer: { id: `c-${conversationId}`, tier: opts.tier ?? 'regular' } });
    if (opts.text) this.record(conv, 'customer', opts.text, { messageId: `m-${conv.transcript.length + 1}` });
    this.escalate(conv, opts.priority ?? 'normal', opts.skill ?? 'general', opts.waitingSince);
    return conv;
  }

  private async *rows(query: string): AsyncGenerator<WorkflowExecutionInfo> {
    if (!this.reachable) throw unavailable();
    for (const row of this.matching(query)) yield row;
  }

  private handle(workflowId: string) {
    const get = (): FakeConversation => {
      if (!this.reachable) throw unavailable();
      const conv = this.conversations.get(workflowId);
      if (!conv) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
      return conv;
    };
    return {
      workflowId,
      query: async (def: Def, ...args: unknown[]) => {
        const conv = get();
        if (def.name === stateQuery.name) return structuredClone(conv.state);
        if (def.name === transcriptQuery.name) {
          const after = (args[0] as number) ?? 0;
          return structuredClone(conv.transcript.filter((e) => e.seq > after));
        }
        throw new Error(`fake: unknown query ${def.name}`);
      },
      signal: async (def: Def, arg: unknown) => {
        const conv = get();
        if (!conv.running) throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
        this.onSignal(conv, def.name, arg);
      },
      executeUpdate: async (def: Def, { args }: { args: unknown[] }) => {
        const conv = get();
        if (!conv.running) throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
        // Yield once so concurrent callers really interleave, as on a server.
        await new Promise((r) => setImmediate(r));
        return this.onUpdate(conv, def.name, args[0]);
      },
      fetchHistory: async () => {
        // Like the SDK: history reads surface the raw gRPC NOT_FOUND, not WorkflowNotFoundError.
        if (!this.conversations.has(workflowId)) {
          throw Object.assign(new Error('5 NOT_FOUND: workflow not found'), { code: 5, details: 'workflow not found', metadata: {} });
        }
        const conv = get();
        const json = async (value: unknown) => {
          const plain = [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) }];
          return { payloads: this.options.codec ? await this.options.codec.encode(plain) : plain };
        };
        const signals = conv.transcript.filter((e) => e.from === 'customer');
        return {
          events: [
            {
              eventId: 1,
              eventType: 1,
              workflowExecutionStartedEventAttributes: { workflowType: { name: 'conversationWorkflow' }, input: await json(conv.input) },
            },
            ...(await Promise.all(
              signals.map(async (e, i) => ({
                eventId: i + 2,
                eventType: 26,
                workflowExecutionSignaledEventAttributes: {
                  signalName: customerMessageSignal.name,
                  input: await json({ messageId: e.messageId, text: e.text }),
                },
              })),
            )),
          ],
        };
      },
    };
  }

  private onSignal(conv: FakeConversation, name: string, arg: unknown): void {
    if (name === customerMessageSignal.name) {
      const msg = arg as CustomerMessage;
      if (conv.seenIds.has(msg.messageId)) return;
      conv.seenIds.add(msg.messageId);
      const entry = this.record(conv, 'customer', msg.text, { messageId: msg.messageId, ...(msg.image ? { image: msg.image } : {}) });
      if (this.options.publishCustomerEntries) this.publishEntry(conv, entry);
      if (conv.state.phase === 'human') this.publishEntry(conv, entry);
      if (conv.state.phase !== 'ai') return;
      conv.aiHandled.push(msg.text);
      setImmediate(() => {
        if (conv.state.phase !== 'ai') return;
        if (/human|agent/i.test(msg.text)) {
          this.escalate(conv, 'normal', /refund/i.test(msg.text) ? 'refunds' : 'general');
        } else {
          this.publishEntry(conv, this.record(conv, 'bot', `bot: ${msg.text}`));
        }
      });
    } else if (name === agentMessageSignal.name) {
      const msg = arg as AgentMessage;
      if (conv.seenIds.has(msg.messageId) || conv.state.agent?.id !== msg.agentId) return;
      conv.seenIds.add(msg.messageId);
      this.publishEntry(conv, this.record(conv, 'agent', msg.text, { messageId: msg.messageId, agentId: msg.agentId }));
    } else if (name === closeSignal.name) {
      const req = arg as CloseRequest;
      this.leaveRouting(conv, 'closed');
      conv.state.phase = 'closed';
      conv.state.closed = { by: req.by, resolution: req.resolution, at: this.now() };
      conv.running = false;
      this.publishStatus(conv);
    } else {
      throw new Error(`fake: unknown signal ${name}`);
    }
  }

  private onUpdate(conv: FakeConversation, name: string, arg: unknown): unknown {
    if (name === claimUpdate.name) {
      const input = arg as ClaimInput;
      if (conv.state.phase === 'human') throw updateFailure(ErrorCode.AlreadyClaimed, 'already claimed');
      if (conv.state.phase !== 'queued') throw updateFailure(ErrorCode.NotWaiting, 'not waiting for an agent');
      const skill = conv.state.queue?.skill ?? 'general';
      conv.state.phase = 'human';
      conv.state.agent = { id: input.agentId, name: input.agentName };
      conv.state.queue = undefined;
      this.publishStatus(conv);
      this.routing.dequeue(DEFAULT_TASK_QUEUE, skill, { conversationId: conv.state.conversationId, reason: 'assigned', agentId: input.agentId });
      this.routing.slot(DEFAULT_TASK_QUEUE, input.agentId, { conversationId: conv.state.conversationId, kind: 'assigned', skill });
      return { handover: this.handover(conv), transcript: structuredClone(conv.transcript) };
    }
    if (name === releaseUpdate.name || name === transferUpdate.name) {
      const input = arg as ReleaseInput | TransferInput;
      if (conv.state.phase !== 'human' || conv.state.agent?.id !== input.agentId) {
        throw updateFailure(ErrorCode.NotAssigned, 'not the assigned agent');
      }
      this.leaveRouting(conv, 'released');
      conv.state.agent = undefined;
      if ('to' in input && input.to === 'ai') {
        conv.state.phase = 'ai';
        conv.state.escalation = undefined;
        this.publishStatus(conv);
      } else {
        this.escalate(conv, 'normal', 'skill' in input ? input.skill : (conv.state.escalation?.skill ?? 'general'));
      }
      return structuredClone(conv.state);
    }
    throw new Error(`fake: unknown update ${name}`);
  }

  private escalate(conv: FakeConversation, priority: Priority, skill: Skill, waitingSince?: string): void {
    const at = waitingSince ?? this.now();
    const fromAi = conv.state.phase === 'ai';
    conv.state.phase = 'queued';
    conv.state.escalation = { reasons: ['explicit_request'], priority, skill, at };
    conv.state.queue = { waitingSince: at, skill, priority, periods: 0 };
    // As the workflow does: only AI → people is an escalation for the desk's figures.
    this.publishStatus(conv, fromAi ? [{ kind: 'escalated', reasons: ['explicit_request'], priority, skill }] : undefined);
    this.routing.enqueue(DEFAULT_TASK_QUEUE, skill, {
      conversationId: conv.state.conversationId,
      customerId: conv.state.customer.id,
      tier: conv.state.customer.tier,
      language: conv.state.language,
      priority,
      reasons: ['explicit_request'],
      waitingSince: at,
    });
  }

  /** What the conversation workflow tells the routing entities when it leaves the queue or an agent's hands. */
  private leaveRouting(conv: FakeConversation, reason: 'closed' | 'released'): void {
    const s = conv.state;
    if (s.phase === 'queued' && s.queue) this.routing.dequeue(DEFAULT_TASK_QUEUE, s.queue.skill, { conversationId: s.conversationId, reason });
    if (s.phase === 'human' && s.agent) {
      this.routing.slot(DEFAULT_TASK_QUEUE, s.agent.id, {
        conversationId: s.conversationId,
        kind: 'ended',
        skill: s.escalation?.skill ?? 'general',
        outcome: reason === 'closed' ? 'resolved' : 'requeued',
        handleMs: 60_000,
      });
    }
  }

  private handover(conv: FakeConversation): Handover {
    return {
      conversationId: conv.state.conversationId,
      customer: conv.state.customer,
      language: conv.state.language,
      filledSlots: {},
      missingSlots: [],
      orderIds: [],
      toolCalls: [],
      aiAttempts: [],
      reasons: conv.state.escalation?.reasons ?? [],
      emotion: 'neutral',
      priority: conv.state.escalation?.priority ?? 'normal',
      skill: conv.state.escalation?.skill ?? 'general',
      recommendedAction: 'help the customer',
      summary: 'fake handover',
      source: 'template',
    };
  }

  private record(conv: FakeConversation, from: Speaker, text: string, extra: Partial<TranscriptEntry> = {}): TranscriptEntry {
    const entry: TranscriptEntry = { seq: conv.transcript.length + 1, from, text, at: this.now(), ...extra };
    conv.transcript.push(entry);
    conv.state.lastSeq = entry.seq;
    return entry;
  }

  private publishEntry(conv: FakeConversation, entry: TranscriptEntry): void {
    void this.options.bus?.publish({ kind: 'message', conversationId: conv.state.conversationId, entry });
  }

  private publishStatus(conv: FakeConversation, desk?: DeskNote[]): void {
    void this.options.bus?.publish({
      kind: 'status',
      conversationId: conv.state.conversationId,
      phase: conv.state.phase,
      ...(conv.state.agent ? { agent: conv.state.agent } : {}),
      ...(conv.state.escalation ? { escalation: conv.state.escalation } : {}),
      ...(desk ? { desk } : {}),
    });
  }

  // --- visibility ------------------------------------------------------------

  private attributes(conv: FakeConversation): SearchAttributePair[] {
    const s = conv.state;
    const pairs: SearchAttributePair[] = [
      { key: sa.status, value: s.phase },
      { key: sa.tier, value: s.customer.tier },
      { key: sa.customerId, value: s.customer.id },
    ];
    if (s.queue) {
      pairs.push({ key: sa.priority, value: s.queue.priority });
      pairs.push({ key: sa.priorityRank, value: priorityRank(s.queue.priority) });
      pairs.push({ key: sa.skill, value: s.queue.skill });
      pairs.push({ key: sa.waitingSince, value: new Date(s.queue.waitingSince) });
    }
    if (s.escalation) pairs.push({ key: sa.escalationReasons, value: s.escalation.reasons });
    if (s.agent) pairs.push({ key: sa.agent, value: s.agent.id });
    return pairs;
  }

  private info(conv: FakeConversation): WorkflowExecutionInfo {
    return {
      type: 'conversationWorkflow',
      workflowId: conv.workflowId,
      runId: `run-${conv.workflowId}`,
      taskQueue: conv.input.conversationId.startsWith('other-queue') ? 'other' : 'switchboard-conversations',
      status: { code: conv.running ? 1 : 2, name: conv.running ? 'RUNNING' : 'COMPLETED' },
      historyLength: conv.transcript.length,
      startTime: conv.startTime,
      searchAttributes: {},
      typedSearchAttributes: new TypedSearchAttributes(this.attributes(conv)),
      raw: {},
    } as unknown as WorkflowExecutionInfo;
  }

  /**
   * Evaluates the query subset the gateway is supposed to emit: equalities
   * joined by AND. Anything else throws, so a query the desk would send to a
   * real server is at least well-formed in this shape.
   */
  private matching(query: string): WorkflowExecutionInfo[] {
    const clauses = query.split(/\s+AND\s+/).map((clause) => {
      const m = /^(\w+) = '((?:[^']|'')*)'$/.exec(clause.trim());
      if (!m) throw new Error(`fake visibility: unsupported clause ${clause}`);
      return { field: m[1], value: m[2].replace(/''/g, "'") };
    });
    return [...this.conversations.values()]
      .map((conv) => ({ conv, info: this.info(conv) }))
      .filter(({ conv, info }) =>
        clauses.every(({ field, value }) => {
          if (field === 'ExecutionStatus') return value === 'Running' ? conv.running : !conv.running;
          if (field === 'TaskQueue') return info.taskQueue === value;
          const key = Object.values(sa).find((k) => k.name === field);
          if (!key) throw new Error(`fake visibility: unknown field ${field}`);
          const actual = info.typedSearchAttributes.get(key);
          return Array.isArray(actual) ? actual.includes(value) : String(actual) === value;
        }),
      )
      .map(({ info }) => info);
  }

  conversation(conversationId: string): FakeConversation | undefined {
    return this.conversations.get(`conversation-${conversationId}`);
  }

  conversationIdOf(workflowId: string): string | undefined {
    return conversationIdFromWorkflowId(workflowId);
  }
}

function updateFailure(type: ErrorCode, message: string): WorkflowUpdateFailedError {
  return new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message, nonRetryable: true }));
}

function unavailable(): Error {
  return Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
}
