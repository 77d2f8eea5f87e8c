/**
 * Search attribute values on the wire are JSON payloads. The SDK's typed
 * decoding (`TypedSearchAttributePayloadConverter`) drops any value whose
 * payload lacks `metadata.type`, so every payload the server returns carries
 * it. Incoming payloads are decoded by the attribute's registered type, not by
 * their own `metadata.type`, as the real server does: a value typed Keyword by
 * the client but registered as Int is rejected.
 */
import { SearchAttributeError, type SearchAttributeRegistry } from './registry';
import type { IndexedValueType, SearchAttributePayload } from './types';

const METADATA_TYPE: Record<IndexedValueType, string> = {
  INDEXED_VALUE_TYPE_TEXT: 'Text',
  INDEXED_VALUE_TYPE_KEYWORD: 'Keyword',
  INDEXED_VALUE_TYPE_INT: 'Int',
  INDEXED_VALUE_TYPE_DOUBLE: 'Double',
  INDEXED_VALUE_TYPE_BOOL: 'Bool',
  INDEXED_VALUE_TYPE_DATETIME: 'Datetime',
  INDEXED_VALUE_TYPE_KEYWORD_LIST: 'KeywordList',
};

export function metadataTypeName(type: IndexedValueType): string {
  return METADATA_TYPE[type];
}

/** Decoded value of one search attribute; see VisibilityRecord for the representation per type. */
export type SearchAttributeValue = string | number | boolean | string[];

/**
 * Encodes a decoded value as the payload the SDK expects (`json/plain` with
 * `metadata.type`). Datetime values are milliseconds since the epoch (a Date
 * or an RFC 3339 string is accepted too).
 */
export function encodeSearchAttribute(value: unknown, type: IndexedValueType): { metadata: { encoding: Buffer; type: Buffer }; data: Buffer } {
  const json = toJsonValue(value, type);
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(METADATA_TYPE[type]) },
    data: Buffer.from(JSON.stringify(json)),
  };
}

/** Encodes every attribute of a record for Describe/List responses. Unregistered names are skipped (they cannot have been stored). */
export function encodeSearchAttributes(
  values: Record<string, unknown>,
  registry: SearchAttributeRegistry,
): Record<string, { metadata: { encoding: Buffer; type: Buffer }; data: Buffer }> {
  const out: Record<string, { metadata: { encoding: Buffer; type: Buffer }; data: Buffer }> = {};
  for (const [name, value] of Object.entries(values)) {
    const type = registry.typeOf(name);
    if (type === undefined || value === undefined || value === null) continue;
    out[name] = encodeSearchAttribute(value, type);
  }
  return out;
}

function toJsonValue(value: unknown, type: IndexedValueType): unknown {
  switch (type) {
    case 'INDEXED_VALUE_TYPE_DATETIME': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? parseRfc3339Ms(value) : value;
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalid(`a Datetime value must be epoch milliseconds, got ${describe(value)}`);
      return new Date(ms).toISOString();
    }
    case 'INDEXED_VALUE_TYPE_KEYWORD_LIST':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw invalid(`a KeywordList value must be an array of strings, got ${describe(value)}`);
      }
      return value;
    default:
      return checkScalar(value, type, 'value');
  }
}

/**
 * Decodes `SearchAttributes.indexed_fields` from a start, upsert or
 * continue-as-new. A `null` in the result means "remove this attribute" (the
 * SDK sends JSON null to unset a typed attribute; older SDKs send an empty
 * array). Throws SearchAttributeError, before returning anything, for an
 * unregistered or system name or a value of the wrong type.
 */
export function decodeSearchAttributes(
  indexedFields: Record<string, SearchAttributePayload> | null | undefined,
  registry: SearchAttributeRegistry,
): Record<string, SearchAttributeValue | null> {
  const out: Record<string, SearchAttributeValue | null> = {};
  for (const [name, payload] of Object.entries(indexedFields ?? {})) {
    const type = registry.typeOf(name);
    if (type === undefined) {
      throw new SearchAttributeError('UNKNOWN_ATTRIBUTE', `search attribute ${name} is not defined`);
    }
    if (!registry.isSettable(name)) {
      throw new SearchAttributeError('RESERVED_NAME', `system search attribute ${name} cannot be set by a workflow`);
    }
    out[name] = decodeOne(name, payload, type);
  }
  return out;
}

/** Applies decoded changes (null = remove) to a record's attributes, returning a new object. */
export function mergeSearchAttributes(
  current: Record<string, unknown>,
  changes: Record<string, SearchAttributeValue | null>,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}

function decodeOne(name: string, payload: SearchAttributePayload, type: IndexedValueType): SearchAttributeValue | null {
  const encoding = payload?.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : undefined;
  if (encoding === 'binary/null') return null;
  if (encoding !== 'json/plain') {
    throw new SearchAttributeError(
      'INVALID_VALUE',
      `search attribute ${name}: payload encoding must be json/plain, got ${encoding ?? 'none'} (search attributes cannot go through a payload codec)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
  } catch {
    throw new SearchAttributeError('INVALID_VALUE', `search attribute ${name}: payload data is not valid JSON`);
  }
  if (raw === null) return null;
  if (Array.isArray(raw) && raw.length === 0) return null;
  try {
    if (type === 'INDEXED_VALUE_TYPE_KEYWORD_LIST') {
      const list = Array.isArray(raw) ? raw : [raw];
      if (!list.every((v) => typeof v === 'string')) throw invalid(`expected strings, got ${describe(raw)}`);
      return list as string[];
    }
    // Untyped (legacy) attributes arrive wrapped in a one-element array.
    if (Array.isArray(raw)) {
      if (raw.length > 1) throw invalid(`a ${METADATA_TYPE[type]} attribute takes one value, got ${raw.length}`);
      raw = raw[0];
    }
    if (type === 'INDEXED_VALUE_TYPE_DATETIME') {
      if (typeof raw !== 'string') throw invalid(`expected an RFC 3339 string, got ${describe(raw)}`);
      const ms = parseRfc3339Ms(raw);
      if (ms === undefined) throw invalid(`${JSON.stringify(raw)} is not an RFC 3339 date-time`);
      return ms;
    }
    return checkScalar(raw, type, 'value');
  } catch (err) {
    if (err instanceof SearchAttributeError) {
      throw new SearchAttributeError('INVALID_VALUE', `invalid value for search attribute ${name} of type ${METADATA_TYPE[type]}: ${err.message}`);
    }
    throw err;
  }
}

function checkScalar(value: unknown, type: IndexedValueType, what: string): string | number | boolean {
  switch (type) {
    case 'INDEXED_VALUE_TYPE_TEXT':
    case 'INDEXED_VALUE_TYPE_KEYWORD':
      if (typeof value === 'string') return value;
      break;
    case 'INDEXED_VALUE_TYPE_INT':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      break;
    case 'INDEXED_VALUE_TYPE_DOUBLE':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'INDEXED_VALUE_TYPE_BOOL':
      if (typeof value === 'boolean') return value;
      break;
    default:
      break;
  }
  throw invalid(`${what} ${describe(value)} is not a ${METADATA_TYPE[type]}`);
}

function invalid(message: string): SearchAttributeError {
  return new SearchAttributeError('INVALID_VALUE', message);
}

function describe(value: unknown): string {
  try {
    return `${JSON.stringify(value)} (${Array.isArray(value) ? 'array' : typeof value})`;
  } catch {
    return typeof value;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time into epoch nanoseconds (BigInt), or undefined. Sub-nanosecond digits are not allowed. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return undefined;
  // Date.UTC rolls 2024-02-31 over into March; RFC 3339 does not.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const offsetMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    ms -= sign * offsetMin * 60_000;
  }
  const fracNanos = frac ? BigInt(frac.slice(1).padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + fracNanos;
}

/** RFC 3339 → epoch milliseconds (fraction below a millisecond is dropped), or undefined. */
export function parseRfc3339Ms(text: string): number | undefined {
  const nanos = parseRfc3339Nanos(text);
  if (nanos === undefined) return undefined;
  // Floor division for dates before 1970 too.
  const q = nanos / 1_000_000n;
  return Number(nanos < 0n && q * 1_000_000n !== nanos ? q - 1n : q);
}
