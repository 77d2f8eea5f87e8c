/**
 * Reading the desk from Temporal visibility: list queries built from the
 * contract's search attribute keys (never hard-coded names), one summary
 * shape for every list, and the queue order (priority, then waiting time)
 * applied in code, because the real dev server rejects ORDER BY.
 *
 * Visibility is eventually consistent on a real cluster (about a second):
 * it is only the list. Claims go through the workflow's update, which is
 * the authority.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import {
  conversationIdFromWorkflowId,
  ESCALATION_REASONS,
  PHASES,
  PRIORITIES,
  priorityRank,
  TIERS,
  searchAttributes as sa,
  type EscalationReason,
  type Phase,
  type Priority,
  type Skill,
  type Tier,
} from '../workflows/contract';

export interface ConversationSummary {
  conversationId: string;
  workflowId: string;
  runId: string;
  status?: Phase;
  /** Temporal's execution status: RUNNING, COMPLETED, … */
  executionStatus: string;
  priority?: Priority;
  skill?: Skill;
  agentId?: string;
  tier?: Tier;
  customerId?: string;
  intent?: string;
  reasons: EscalationReason[];
  waitingSince?: string;
  startTime: string;
  closeTime?: string;
}

/** A SQL-ish string literal for a visibility query (single quotes doubled). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function eq(key: SearchAttributeKey<SearchAttributeType>, value: string): string {
  return `${key.name} = ${literal(value)}`;
}

const RUNNING = `ExecutionStatus = 'Running'`;
/** A visibility list for a request must answer within this time. */
const LIST_DEADLINE_MS = 10_000;

/** Running conversations waiting for an agent. */
export function queuedQuery(): string {
  return `${eq(sa.status, 'queued')} AND ${RUNNING}`;
}

/** Running conversations assigned to one agent. */
export function assignedToQuery(agentId: string): string {
  return `${eq(sa.status, 'human')} AND ${eq(sa.agent, agentId)} AND ${RUNNING}`;
}

/**
 * The operator list. Closed conversations are closed runs, so `closed` does
 * not require Running; every other phase does (a continued-as-new run keeps
 * the phase it had when it continued).
 */
export function operatorQuery(taskQueue: string, status?: Phase): string {
  const base = `TaskQueue = ${literal(taskQueue)}`;
  return status ? `${base} AND ${phaseQuery(status)}` : base;
}

/** Conversations currently in a phase (closed ones within the namespace's retention). */
export function phaseQuery(phase: Phase): string {
  return phase === 'closed' ? eq(sa.status, 'closed') : `${eq(sa.status, phase)} AND ${RUNNING}`;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

function iso(value: unknown): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
}

/** One visibility row as the desk sees it; undefined for workflows that are not conversations. */
export function summarize(info: WorkflowExecutionInfo): ConversationSummary | undefined {
  const conversationId = conversationIdFromWorkflowId(info.workflowId);
  if (!conversationId) return undefined;
  const attrs = info.typedSearchAttributes;
  const reasons = (attrs.get(sa.escalationReasons) ?? []).filter((r): r is EscalationReason =>
    (ESCALATION_REASONS as readonly string[]).includes(r),
  );
  return {
    conversationId,
    workflowId: info.workflowId,
    runId: info.runId,
    status: oneOf(PHASES, attrs.get(sa.status)),
    executionStatus: info.status.name,
    priority: oneOf(PRIORITIES, attrs.get(sa.priority)),
    skill: attrs.get(sa.skill) || undefined,
    agentId: attrs.get(sa.agent) || undefined,
    tier: oneOf(TIERS, attrs.get(sa.tier)),
    customerId: attrs.get(sa.customerId) || undefined,
    intent: attrs.get(sa.intent) || undefined,
    reasons,
    waitingSince: iso(attrs.get(sa.waitingSince)),
    startTime: info.startTime.toISOString(),
    closeTime: iso(info.closeTime),
  };
}

/**
 * Lists conversations, newest run per workflow id only (continue-as-new
 * leaves older runs in visibility), reading at most `scanLimit` rows.
 */
export async function listConversations(
  client: Client,
  query: string,
  scanLimit: number,
): Promise<ConversationSummary[]> {
  const latest = new Map<string, ConversationSummary>();
  let scanned = 0;
  await client.withDeadline(Date.now() + LIST_DEADLINE_MS, async () => {
    for await (const info of client.workflow.list({ query, pageSize: Math.min(scanLimit, 1000) })) {
      if (++scanned > scanLimit) break;
      const summary = summarize(info);
      if (!summary) continue;
      const seen = latest.get(summary.workflowId);
      if (!seen || preferNewer(summary, seen)) latest.set(summary.workflowId, summary);
    }
  });
  return [...latest.values()];
}

function preferNewer(candidate: ConversationSummary, current: ConversationSummary): boolean {
  if (candidate.executionStatus === 'RUNNING' && current.executionStatus !== 'RUNNING') return true;
  if (current.executionStatus === 'RUNNING' && candidate.executionStatus !== 'RUNNING') return false;
  return candidate.startTime > current.startTime;
}

/** Queue order: most urgent priority first, then longest wait; ties by id for a stable order. */
export function compareQueue(a: ConversationSummary, b: ConversationSummary): number {
  const pa = a.priority ? priorityRank(a.priority) : PRIORITIES.length;
  const pb = b.priority ? priorityRank(b.priority) : PRIORITIES.length;
  if (pa !== pb) return pa - pb;
  const wa = a.waitingSince ?? a.startTime;
  const wb = b.waitingSince ?? b.startTime;
  if (wa !== wb) return wa < wb ? -1 : 1;
  return a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0;
}

/** Conversations waiting for an agent, in queue order. */
export async function listQueue(client: Client, scanLimit = 1000): Promise<ConversationSummary[]> {
  const rows = await listConversations(client, queuedQuery(), scanLimit);
  return rows.filter((r) => r.executionStatus === 'RUNNING' && r.status === 'queued').sort(compareQueue);
}
