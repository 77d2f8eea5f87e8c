/**
 * The desk queue: waiting conversations from visibility, ordered in code
 * (priority, then wait), each with a short preview of what the customer said
 * last. One snapshot is shared by every caller for a moment, so many agent
 * sockets refreshing at once cost one visibility list, not one each.
 */
import type { Client } from '@temporalio/client';
import { maskPersonalData } from '../logger';
import type { EscalationReason, Priority, Skill, Tier } from '../workflows/contract';
import { servesSkill } from './access';
import type { Agent } from './agents';
import type { Conversations } from './conversations';
import { listQueue, queueEstimate, type ConversationSummary } from './visibility';

export interface QueueItem {
  conversationId: string;
  priority?: Priority;
  skill?: Skill;
  reasons: EscalationReason[];
  waitingSince?: string;
  customer: { id?: string; tier?: Tier };
  /** The customer's last message, shortened; empty when unavailable. */
  preview: string;
}

const PREVIEW_LENGTH = 140;
const PREVIEW_CONCURRENCY = 4;
/** Previews are read for the first this-many queued conversations; later ones show none. */
const PREVIEW_LIMIT = 100;

export interface QueueOptions {
  client: Client;
  conversations: Conversations;
  averageHandleSeconds: number;
  agentsWithSkill(skill: Skill): number;
  /** How long one snapshot is reused. */
  ttlMs?: number;
}

export class DeskQueue {
  private snapshot: { at: number; rows: Promise<ConversationSummary[]> } | undefined;
  private previews: { at: number; items: Promise<QueueItem[]> } | undefined;

  constructor(private readonly options: QueueOptions) {}

  private get ttl(): number {
    return this.options.ttlMs ?? 500;
  }

  /** Drops the shared snapshot (after a claim, so the next read is fresh). */
  invalidate(): void {
    this.snapshot = undefined;
    this.previews = undefined;
  }

  rows(): Promise<ConversationSummary[]> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > this.ttl) {
      const rows = listQueue(this.options.client);
      this.snapshot = { at: now, rows };
      // A failed list must not be served from the cache.
      rows.catch(() => {
        if (this.snapshot?.rows === rows) this.snapshot = undefined;
      });
    }
    return this.snapshot.rows;
  }

  /** All waiting conversations with previews, in queue order. */
  items(): Promise<QueueItem[]> {
    const now = Date.now();
    if (!this.previews || now - this.previews.at > this.ttl) {
      const items = this.rows().then((rows) => this.withPreviews(rows));
      this.previews = { at: now, items };
      items.catch(() => {
        if (this.previews?.items === items) this.previews = undefined;
      });
    }
    return this.previews.items;
  }

  /** The queue an agent works: conversations in the agent's skills (supervisors and operators see all). */
  async forAgent(agent: Agent): Promise<QueueItem[]> {
    const items = await this.items();
    return items.filter((item) => servesSkill(agent, item.skill));
  }

  async estimate(conversationId: string): Promise<{ position: number; etaSeconds: number | null } | undefined> {
    return queueEstimate(
      await this.rows(),
      conversationId,
      this.options.averageHandleSeconds,
      this.options.agentsWithSkill,
    );
  }

  private async withPreviews(rows: ConversationSummary[]): Promise<QueueItem[]> {
    const items: QueueItem[] = rows.map((row) => ({
      conversationId: row.conversationId,
      priority: row.priority,
      skill: row.skill,
      reasons: row.reasons,
      waitingSince: row.waitingSince,
      customer: { id: row.customerId, tier: row.tier },
      preview: '',
    }));
    const targets = items.slice(0, PREVIEW_LIMIT);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        const item = targets[next++];
        item.preview = await this.preview(item.conversationId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PREVIEW_CONCURRENCY, targets.length) }, worker));
    return items;
  }

  /**
   * The customer's last line, shortened and with personal data masked: an
   * agent who has not claimed the conversation learns what it is about, not
   * the card or phone number in it.
   */
  async preview(conversationId: string): Promise<string> {
    try {
      const transcript = await this.options.conversations.transcript(conversationId, 0);
      const last = [...transcript].reverse().find((e) => e.from === 'customer');
      if (!last) return '';
      const text = maskPersonalData(last.text);
      return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
    } catch {
      // A conversation that closed between the list and the query simply has no preview.
      return '';
    }
  }
}
