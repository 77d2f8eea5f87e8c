/**
 * The desk queue an agent sees: the live queues of the agent's skills (the
 * routers' snapshots, in service-level order), each conversation with its
 * place, expected wait, the agent it is offered to, and a short preview of
 * what the customer said last. Previews are read for the first 100
 * conversations and shared for half a second, so many desks refreshing at
 * once cost one transcript query per conversation, not one each.
 */
import { compareQueued } from '../domain/routing-policy';
import { maskPersonalData } from '../logger';
import type { QueueSnapshot } from '../routing/contract';
import type { EscalationReason, Priority, Skill, Tier } from '../workflows/contract';
import { servesSkill } from './access';
import type { Agent } from './agents';
import type { Conversations } from './conversations';
import type { RoutingDesk } from './routing';

export interface QueueItem {
  conversationId: string;
  priority: Priority;
  skill: Skill;
  reasons: EscalationReason[];
  waitingSince: string;
  customer: { id: string; tier: Tier };
  /** 1-based place in its skill's queue. */
  position: number;
  /** Seconds until an agent is expected; null with nobody online who could take it. */
  etaSeconds: number | null;
  /** Offered to this agent right now. */
  offeredTo?: string;
  /** The customer's last message, shortened; empty when unavailable. */
  preview: string;
}

const PREVIEW_LENGTH = 140;
const PREVIEW_CONCURRENCY = 4;
/** Previews are read for the first this-many queued conversations; later ones show none. */
const PREVIEW_LIMIT = 100;
const PREVIEW_TTL_MS = 500;

export class DeskQueue {
  private previews = new Map<string, { at: number; text: Promise<string> }>();

  constructor(
    private readonly routing: RoutingDesk,
    private readonly conversations: Conversations,
  ) {}

  /** Drops the shared snapshots (after a claim, so the next read is fresh). */
  invalidate(skill?: Skill): void {
    this.routing.invalidate(skill);
  }

  /** Waiting conversations of these skills, in service-level order across them. */
  async items(skills: readonly Skill[], nowMs = Date.now()): Promise<QueueItem[]> {
    const snapshots = await this.routing.snapshots(skills);
    const rows = snapshots.flatMap((snap) => this.rows(snap, nowMs));
    const targets = this.routing.routing.policy.queueTargetsMs;
    rows.sort((a, b) => compareQueued(a, b, targets));
    await this.withPreviews(rows.slice(0, PREVIEW_LIMIT));
    return rows;
  }

  /** The queue an agent works: conversations in the agent's skills (supervisors and operators see all). */
  forAgent(agent: Agent): Promise<QueueItem[]> {
    return this.items(this.routing.skills.filter((skill) => servesSkill(agent, skill)));
  }

  private rows(snap: QueueSnapshot, nowMs: number): QueueItem[] {
    return snap.entries.map((e) => ({
      conversationId: e.conversationId,
      priority: e.priority,
      skill: snap.skill,
      reasons: e.reasons,
      waitingSince: e.waitingSince,
      customer: { id: e.customerId, tier: e.tier },
      position: e.position,
      etaSeconds: e.etaAt === undefined ? null : Math.max(0, Math.ceil((Date.parse(e.etaAt) - nowMs) / 1000)),
      ...(e.offeredTo ? { offeredTo: e.offeredTo } : {}),
      preview: '',
    }));
  }

  private async withPreviews(items: QueueItem[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const item = items[next++];
        item.preview = await this.preview(item.conversationId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PREVIEW_CONCURRENCY, items.length) }, worker));
  }

  /**
   * The customer's last line, shortened and with personal data masked: an
   * agent who has not claimed the conversation learns what it is about, not
   * the card or phone number in it.
   */
  preview(conversationId: string): Promise<string> {
    const now = Date.now();
    const cached = this.previews.get(conversationId);
    if (cached && now - cached.at <= PREVIEW_TTL_MS) return cached.text;
    const text = this.readPreview(conversationId);
    this.previews.set(conversationId, { at: now, text });
    if (this.previews.size > PREVIEW_LIMIT * 4) {
      for (const [id, p] of this.previews) if (now - p.at > PREVIEW_TTL_MS) this.previews.delete(id);
    }
    return text;
  }

  private async readPreview(conversationId: string): Promise<string> {
    try {
      const transcript = await this.conversations.transcript(conversationId, 0);
      const last = [...transcript].reverse().find((e) => e.from === 'customer');
      if (!last) return '';
      const text = maskPersonalData(last.text);
      return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
    } catch {
      // A conversation that closed between the snapshot and the query simply has no preview.
      return '';
    }
  }
}
