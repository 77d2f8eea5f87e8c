import type { Duration, Timestamp } from './wire';

/** Milliseconds of a protobuf Duration; `undefined` when the field is absent (absent and zero mean different things). */
export function durationMs(d: Duration | null | undefined): number | undefined {
  if (d == null) return undefined;
  return (d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function msDuration(ms: number): Duration {
  const whole = Math.max(0, Math.round(ms));
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1e6 };
}

export function msTimestamp(ms: number): Timestamp {
  const whole = Math.round(ms);
  return { seconds: Math.floor(whole / 1000), nanos: (((whole % 1000) + 1000) % 1000) * 1e6 };
}

export function timestampMs(t: Timestamp | null | undefined): number | undefined {
  if (t == null) return undefined;
  return (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}
