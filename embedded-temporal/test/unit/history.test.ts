/** Event attribute field names, and event ids and times as workers require them. */
import { temporal } from '@temporalio/proto';
import type { ServerClock } from '../../src/clock-types';
import { attributesKey, History } from '../../src/history';
import type { EventType } from '../../src/wire';

test('every event type maps to its attributes field of HistoryEvent', () => {
  // The reflection root behind @temporalio/proto knows every field of the message.
  const reflected = (temporal as unknown as { lookupType(name: string): { fields: Record<string, unknown> } }).lookupType(
    'temporal.api.history.v1.HistoryEvent',
  );
  const fields = new Set(Object.keys(reflected.fields));
  const types = Object.keys(temporal.api.enums.v1.EventType).filter((k) => k.startsWith('EVENT_TYPE_') && k !== 'EVENT_TYPE_UNSPECIFIED');
  expect(types.length).toBeGreaterThan(40);
  const missing = types.filter((t) => !fields.has(attributesKey(t as EventType)));
  expect(missing).toEqual([]);
});

test('ids are contiguous from 1 and times never go backwards', () => {
  let now = 10_000;
  const clock = { now: () => now } as unknown as ServerClock;
  const history = new History(clock);
  history.append('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', {});
  now = 5_000;
  const second = history.append('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', {});
  expect(second.eventId).toBe(2);
  expect(second.eventTime).toEqual({ seconds: 10, nanos: 0 });
  expect(second.workflowTaskScheduledEventAttributes).toEqual({});
  expect(history.get(1)?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
});
