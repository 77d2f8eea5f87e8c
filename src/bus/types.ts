/**
 * The event bus carries outbound conversation events (workflow → gateway that
 * holds the socket). The workflow's transcript stays the source of truth: a
 * missed event is recovered by `resume` with a sequence number, so the bus
 * may be at-most-once.
 */
import type { OutboundEvent } from '../workflows/contract';

export type EventHandler = (event: OutboundEvent) => void;

export interface EventBus {
  publish(event: OutboundEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(handler: EventHandler): () => void;
  close(): Promise<void>;
}
