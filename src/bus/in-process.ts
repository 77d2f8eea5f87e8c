import type { OutboundEvent } from '../workflows/contract';
import type { EventBus, EventHandler } from './types';

/** Single-process bus: the default when gateway and worker share a process (`npm start`). */
export class InProcessBus implements EventBus {
  private readonly handlers = new Set<EventHandler>();

  async publish(event: OutboundEvent): Promise<void> {
    for (const handler of this.handlers) {
      // One failing subscriber must not stop delivery to the others.
      try {
        handler(event);
      } catch {
        /* subscribers log their own errors */
      }
    }
  }

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
