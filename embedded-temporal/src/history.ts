/**
 * A run's event history: contiguous ids from 1, event times that never go
 * backwards, and an estimate of its encoded size (workers read it as
 * `historySize` to decide when to continue as new).
 */
import type { ServerClock } from './clock-types';
import { msTimestamp } from './time';
import type { Attributes, EventType, HistoryEvent } from './wire';

/** EVENT_TYPE_TIMER_FIRED → timerFiredEventAttributes: the oneof field of HistoryEvent that carries the attributes. */
export function attributesKey(type: EventType): string {
  const words = type.replace(/^EVENT_TYPE_/, '').toLowerCase().split('_');
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('') + 'EventAttributes';
}

const keyCache = new Map<EventType, string>();

export function attributesOf(event: HistoryEvent): Attributes {
  let key = keyCache.get(event.eventType);
  if (!key) {
    key = attributesKey(event.eventType);
    keyCache.set(event.eventType, key);
  }
  return (event[key] as Attributes | undefined) ?? {};
}

export class History {
  readonly events: HistoryEvent[] = [];
  private lastTimeMs = 0;
  private bytes = 0;

  constructor(private readonly clock: ServerClock) {}

  get nextEventId(): number {
    return this.events.length + 1;
  }

  get lastEventId(): number {
    return this.events.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get lastEventTimeMs(): number {
    return this.lastTimeMs;
  }

  append(type: EventType, attributes: Attributes): HistoryEvent {
    const now = Math.max(this.clock.now(), this.lastTimeMs);
    this.lastTimeMs = now;
    const eventId = this.events.length + 1;
    let key = keyCache.get(type);
    if (!key) {
      key = attributesKey(type);
      keyCache.set(type, key);
    }
    const event: HistoryEvent = { eventId, eventTime: msTimestamp(now), eventType: type, taskId: eventId, [key]: attributes };
    this.events.push(event);
    this.bytes += estimateSize(attributes);
    return event;
  }

  get(eventId: number): HistoryEvent | undefined {
    return this.events[eventId - 1];
  }
}

/** Payload bytes dominate real histories; everything else is charged a flat overhead. */
function estimateSize(value: unknown, depth = 0): number {
  if (depth > 6 || value == null) return 0;
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object') return 4;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += estimateSize(item, depth + 1);
    return total;
  }
  for (const key of Object.keys(value)) total += 2 + estimateSize((value as Record<string, unknown>)[key], depth + 1);
  return depth === 0 ? total + 16 : total;
}
