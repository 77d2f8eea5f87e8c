/**
 * Every Temporal call the gateway makes on a conversation, in one place:
 * signal-with-start for customer messages, the contract's queries, the claim,
 * release and transfer updates, agent messages, close and history.
 *
 * The workflow is the source of truth; this class holds no conversation
 * state, so any gateway instance can serve any conversation.
 */
import { randomUUID } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy, WorkflowNotFoundError, type PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import type { SearchAttributeGuard } from '../temporal/search-attributes';
import { policyFromConfig, type PolicyEnv } from '../domain/policy-config';
import { conversationWorkflow } from '../workflows';
import {
  agentMessageSignal,
  claimUpdate,
  closeSignal,
  conversationWorkflowId,
  customerMessageSignal,
  customerPresenceSignal,
  releaseUpdate,
  searchAttributes as sa,
  stateQuery,
  transcriptQuery,
  transferUpdate,
  type AgentRef,
  type ClaimResult,
  type CloseRequest,
  type ConversationInput,
  type ConversationStateView,
  type CustomerMessage,
  type Language,
  type ReleaseInput,
  type RoutingPolicy,
  type Skill,
  type TranscriptEntry,
} from '../workflows/contract';
import { ApiError, ApiErrorCode } from './errors';
import { historyToPlainJson } from './history';
import type { CustomerClaims } from './tokens';

export type GatewayConfig = Pick<Config, 'TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL'> & PolicyEnv;

/**
 * Every Temporal call made for a request has a deadline, so a request never
 * hangs on a server or worker that does not answer (a query needs a worker).
 * Updates get longer: the claim's handler may wait for the handover summary.
 */
export const CALL_DEADLINE_MS = 10_000;
export const UPDATE_DEADLINE_MS = 60_000;

/** The gRPC status behind a client error: the client wraps it in a ServiceError ("Failed to signalWithStart Workflow"). */
function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  const cause = error instanceof ServiceError ? error.cause : undefined;
  return isGrpcServiceError(cause) ? cause.code : undefined;
}

export class Conversations {
  constructor(
    readonly client: Client,
    private readonly config: GatewayConfig,
    /** The payload codec (src/temporal/codec.ts), to decode histories for operators. */
    private readonly codec?: PayloadCodec,
    /** Registers the search attributes again when Temporal lost them (see sendCustomerMessage). */
    private readonly searchAttributes?: Pick<SearchAttributeGuard, 'ensure'>,
    /** The routing file's policy when it differs from the built-in one (it then travels in every conversation's input). */
    private readonly routing?: RoutingPolicy,
  ) {}

  private within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + ms, fn);
  }

  private handle(conversationId: string): WorkflowHandle<typeof conversationWorkflow> {
    return this.client.workflow.getHandle<typeof conversationWorkflow>(conversationWorkflowId(conversationId));
  }

  /**
   * Delivers a customer message, starting the workflow on the first one.
   * Id reuse is rejected so a message for a finished conversation cannot
   * start a fresh workflow under the same id; it fails with `conversation_closed`.
   *
   * `knownSeq` is the last transcript seq this client has seen. It matters
   * only when no workflow exists although the client saw entries — Temporal
   * lost the conversation: the workflow then starts again numbering after
   * `knownSeq`, with a notice to the customer, so the client never meets seq 1
   * twice (start arguments are ignored when the workflow is running).
   *
   * A start that Temporal refuses as invalid is retried once if the search
   * attributes it names had gone missing and are registered again.
   */
  async sendCustomerMessage(claims: CustomerClaims, message: CustomerMessage, knownSeq = 0): Promise<void> {
    try {
      await this.signalWithStart(claims, message, knownSeq);
    } catch (error) {
      if (!this.searchAttributes || grpcCodeOf(error) !== GrpcStatus.INVALID_ARGUMENT) throw error;
      const check = await this.searchAttributes.ensure(true);
      if (check.reregistered.length === 0) throw error;
      await this.signalWithStart(claims, message, knownSeq);
    }
  }

  private async signalWithStart(claims: CustomerClaims, message: CustomerMessage, knownSeq: number): Promise<void> {
    const input: ConversationInput = {
      conversationId: claims.conversationId,
      customer: claims.customer,
      locale: claims.locale,
      policy: policyFromConfig(this.config, this.routing),
      ...(knownSeq > 0 ? { recoveredAfterSeq: knownSeq } : {}),
    };
    await this.within(CALL_DEADLINE_MS, () => this.client.workflow.signalWithStart(conversationWorkflow, {
      workflowId: conversationWorkflowId(claims.conversationId),
      taskQueue: this.config.TASK_QUEUE,
      args: [input],
      signal: customerMessageSignal,
      signalArgs: [message],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: sa.status, value: 'ai' },
        { key: sa.tier, value: claims.customer.tier },
        { key: sa.customerId, value: claims.customer.id },
      ],
    }));
  }

  /** The state view; throws WorkflowNotFoundError when the conversation never started. */
  async state(conversationId: string): Promise<ConversationStateView> {
    return this.within(CALL_DEADLINE_MS, () => this.handle(conversationId).query(stateQuery));
  }

  /** The state view, or undefined when no message has started the workflow yet. */
  async stateIfStarted(conversationId: string): Promise<ConversationStateView | undefined> {
    try {
      return await this.state(conversationId);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async transcript(conversationId: string, afterSeq: number): Promise<TranscriptEntry[]> {
    return this.within(CALL_DEADLINE_MS, () => this.handle(conversationId).query(transcriptQuery, afterSeq));
  }

  /**
   * What a client resuming after `afterSeq` gets: the entries after it, or
   * `lost` when the conversation does not hold entry `afterSeq` — its workflow
   * is gone, or it is a new one numbering from 1 again. Reads from
   * `afterSeq - 1`, so one query tells both.
   */
  async resumeAfter(conversationId: string, afterSeq: number): Promise<{ entries: TranscriptEntry[]; lost: boolean }> {
    if (afterSeq <= 0) return { entries: await this.transcriptIfStarted(conversationId, 0), lost: false };
    const entries = await this.transcriptIfStarted(conversationId, afterSeq - 1);
    if (entries[0]?.seq !== afterSeq) return { entries: [], lost: true };
    return { entries: entries.slice(1), lost: false };
  }

  /** Transcript of a conversation that may not have started yet (then empty). */
  async transcriptIfStarted(conversationId: string, afterSeq: number): Promise<TranscriptEntry[]> {
    try {
      return await this.transcript(conversationId, afterSeq);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return [];
      throw error;
    }
  }

  /** Reports a customer socket (open / alive / closed) to a started conversation; a conversation not yet started is skipped. */
  async presence(conversationId: string, connectionId: string, state: 'open' | 'alive' | 'closed'): Promise<void> {
    try {
      await this.within(CALL_DEADLINE_MS, () => this.handle(conversationId).signal(customerPresenceSignal, { connectionId, state }));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
  }

  /** The claim update: its validator picks exactly one winner among concurrent claimers. */
  /** `agent.language`: the handover comes written in it (default: the conversation's language). */
  async claim(conversationId: string, agent: AgentRef & { language?: Language }): Promise<ClaimResult> {
    const input = { agentId: agent.id, agentName: agent.name, ...(agent.language ? { language: agent.language } : {}) };
    return this.within(UPDATE_DEADLINE_MS, () => this.handle(conversationId).executeUpdate(claimUpdate, { args: [input] }));
  }

  async release(conversationId: string, input: ReleaseInput): Promise<ConversationStateView> {
    return this.within(UPDATE_DEADLINE_MS, () => this.handle(conversationId).executeUpdate(releaseUpdate, { args: [input] }));
  }

  async transfer(
    conversationId: string,
    input: { agentId: string; skill: Skill; note?: string },
  ): Promise<ConversationStateView> {
    return this.within(UPDATE_DEADLINE_MS, () => this.handle(conversationId).executeUpdate(transferUpdate, { args: [input] }));
  }

  /**
   * Checks the caller is the assigned agent before writing. The workflow
   * checks again on receipt (a release may land in between); this check
   * exists so the caller gets a definite 403 instead of a silent drop.
   */
  async assertAssigned(conversationId: string, agentId: string): Promise<ConversationStateView> {
    const state = await this.state(conversationId);
    if (state.phase === 'closed') throw new ApiError(ApiErrorCode.Closed, 'the conversation is closed');
    if (state.phase !== 'human' || state.agent?.id !== agentId) {
      throw new ApiError(ApiErrorCode.NotAssigned, 'only the assigned agent may write to this conversation');
    }
    return state;
  }

  async agentMessage(conversationId: string, agentId: string, text: string, messageId?: string): Promise<string> {
    await this.assertAssigned(conversationId, agentId);
    const id = messageId ?? randomUUID();
    await this.within(CALL_DEADLINE_MS, () =>
      this.handle(conversationId).signal(agentMessageSignal, { agentId, messageId: id, text }),
    );
    return id;
  }

  async close(conversationId: string, request: CloseRequest): Promise<void> {
    await this.within(CALL_DEADLINE_MS, () => this.handle(conversationId).signal(closeSignal, request));
  }

  /**
   * The current run's event history as plain JSON, payloads decrypted and
   * card numbers masked (./history.ts), plus a Temporal UI link when configured.
   * Operators only: the route checks.
   */
  async history(conversationId: string): Promise<{ workflowId: string; uiUrl?: string; events: unknown[] }> {
    const workflowId = conversationWorkflowId(conversationId);
    let history;
    try {
      history = await this.within(CALL_DEADLINE_MS, () => this.handle(conversationId).fetchHistory());
    } catch (error) {
      // fetchHistory passes the raw gRPC error through instead of WorkflowNotFoundError.
      if (isGrpcServiceError(error) && error.code === GrpcStatus.NOT_FOUND) {
        throw new WorkflowNotFoundError('conversation not found', workflowId, undefined);
      }
      throw error;
    }
    const { events } = await historyToPlainJson(history, this.codec);
    const ui = this.config.TEMPORAL_UI_URL?.replace(/\/+$/, '');
    return {
      workflowId,
      ...(ui
        ? {
            uiUrl: `${ui}/namespaces/${encodeURIComponent(this.config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`,
          }
        : {}),
      events,
    };
  }
}
