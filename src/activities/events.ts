/** Outbound events go to the bus; the workflow's transcript stays the record, so the bus may drop. */
import type { EventBus } from '../bus/types';
import type { OutboundEvent } from '../workflows/contract';

export function createEventActivities({ bus }: { bus: EventBus }) {
  return {
    async publishEvent(event: OutboundEvent): Promise<void> {
      await bus.publish(event);
    },
    /** In order, one after another: a client relies on seq order. */
    async publishEvents(events: OutboundEvent[]): Promise<void> {
      for (const event of events) await bus.publish(event);
    },
  };
}
