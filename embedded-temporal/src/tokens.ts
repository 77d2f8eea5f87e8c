/**
 * Task tokens are opaque to workers; ours are JSON so a stale or foreign token
 * is recognisable. The attempt (and, for workflow tasks, the started event id)
 * is part of the token, so a completion for a superseded task is refused.
 */
import { invalidArgument } from './errors';

export type TaskToken =
  | { kind: 'workflow'; namespace: string; runId: string; startedEventId: number; attempt: number }
  | { kind: 'activity'; namespace: string; runId: string; scheduledEventId: number; attempt: number }
  | { kind: 'query'; namespace: string; runId: string; queryId: string };

export function encodeToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token), 'utf8');
}

export function decodeToken(raw: Uint8Array | undefined, expected: TaskToken['kind']): TaskToken {
  // The real frontend's texts for a missing and an unreadable token.
  if (!raw || raw.length === 0) throw invalidArgument('Task token not set on request.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
  const t = parsed as Partial<TaskToken> | null;
  if (!t || typeof t !== 'object' || t.kind !== expected || typeof t.runId !== 'string' || typeof t.namespace !== 'string') {
    throw invalidArgument(`not a ${expected} task token`);
  }
  return t as TaskToken;
}
