/**
 * Registry and payload helpers, checked against the SDK's own search
 * attribute encoders and decoders so the wire format is the one the client
 * and worker really use.
 */
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import {
  decodeTypedSearchAttributes,
  encodeUnifiedSearchAttributes,
  decodeSearchAttributes as sdkDecodeUntyped,
} from '@temporalio/common/lib/converter/payload-search-attributes';
import {
  decodeSearchAttributes,
  encodeSearchAttribute,
  encodeSearchAttributes,
  mergeSearchAttributes,
  parseRfc3339Ms,
  SearchAttributeError,
  SearchAttributeRegistry,
  type SearchAttributePayload,
} from '../../src/visibility';

function expectSaError(fn: () => unknown, kind: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SearchAttributeError);
  expect((caught as SearchAttributeError).kind).toBe(kind);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

describe('SearchAttributeRegistry', () => {
  it('starts with system, predefined and dev-server custom attributes', () => {
    const { customAttributes, systemAttributes } = new SearchAttributeRegistry().list();
    expect(systemAttributes).toMatchObject({
      WorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
      RunId: 'INDEXED_VALUE_TYPE_KEYWORD',
      WorkflowType: 'INDEXED_VALUE_TYPE_KEYWORD',
      TaskQueue: 'INDEXED_VALUE_TYPE_KEYWORD',
      ExecutionStatus: 'INDEXED_VALUE_TYPE_KEYWORD',
      StartTime: 'INDEXED_VALUE_TYPE_DATETIME',
      CloseTime: 'INDEXED_VALUE_TYPE_DATETIME',
      ExecutionTime: 'INDEXED_VALUE_TYPE_DATETIME',
      HistoryLength: 'INDEXED_VALUE_TYPE_INT',
      ExecutionDuration: 'INDEXED_VALUE_TYPE_INT',
      ParentWorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
      RootWorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD',
      TemporalChangeVersion: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
      BinaryChecksums: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
      BuildIds: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
    });
    expect(customAttributes).toEqual({
      CustomKeywordField: 'INDEXED_VALUE_TYPE_KEYWORD',
      CustomStringField: 'INDEXED_VALUE_TYPE_TEXT',
      CustomTextField: 'INDEXED_VALUE_TYPE_TEXT',
      CustomIntField: 'INDEXED_VALUE_TYPE_INT',
      CustomDoubleField: 'INDEXED_VALUE_TYPE_DOUBLE',
      CustomBoolField: 'INDEXED_VALUE_TYPE_BOOL',
      CustomDatetimeField: 'INDEXED_VALUE_TYPE_DATETIME',
    });
    expect(new SearchAttributeRegistry({ devServerCustomAttributes: false }).list().customAttributes).toEqual({});
  });

  it('add registers; the same name and type again is a no-op', () => {
    const r = new SearchAttributeRegistry();
    r.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
    r.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
    expect(r.typeOf('CustomerId')).toBe('INDEXED_VALUE_TYPE_KEYWORD');
    expect(r.list().customAttributes.CustomerId).toBe('INDEXED_VALUE_TYPE_KEYWORD');
    expect(r.isSettable('CustomerId')).toBe(true);
  });

  it('leaves a registered name as it is, whatever type a second registration names (as the real server does)', () => {
    const r = new SearchAttributeRegistry();
    r.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
    r.add('CustomerId', 'INDEXED_VALUE_TYPE_INT');
    r.addAll({ CustomIntField: 'INDEXED_VALUE_TYPE_TEXT', Fresh: 'INDEXED_VALUE_TYPE_BOOL' });
    expect(r.typeOf('CustomerId')).toBe('INDEXED_VALUE_TYPE_KEYWORD');
    expect(r.typeOf('CustomIntField')).toBe('INDEXED_VALUE_TYPE_INT');
    expect(r.typeOf('Fresh')).toBe('INDEXED_VALUE_TYPE_BOOL');
  });

  it('rejects a system name, a bad type and a bad name, changing nothing', () => {
    const r = new SearchAttributeRegistry();
    r.add('CustomerId', 'INDEXED_VALUE_TYPE_KEYWORD');
    const before = r.list();
    expect(() => r.addAll({ Later: 'INDEXED_VALUE_TYPE_KEYWORD', WorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD' })).toThrow(/reserved/);
    expectSaError(() => r.add('WorkflowId', 'INDEXED_VALUE_TYPE_KEYWORD'), 'RESERVED_NAME', /reserved/);
    expectSaError(() => r.add('TemporalChangeVersion', 'INDEXED_VALUE_TYPE_KEYWORD_LIST'), 'RESERVED_NAME');
    expectSaError(() => r.add('Other', 'INDEXED_VALUE_TYPE_UNSPECIFIED'), 'INVALID_TYPE');
    expectSaError(() => r.add('Other', 'KEYWORD'), 'INVALID_TYPE');
    expectSaError(() => r.add('', 'INDEXED_VALUE_TYPE_KEYWORD'), 'INVALID_NAME');
    expectSaError(() => r.add('has space', 'INDEXED_VALUE_TYPE_KEYWORD'), 'INVALID_NAME');
    expectSaError(() => r.add('1st', 'INDEXED_VALUE_TYPE_KEYWORD'), 'INVALID_NAME');
    expect(r.list()).toEqual(before);
  });

  it('addAll is all or nothing', () => {
    const r = new SearchAttributeRegistry();
    expectSaError(() => r.addAll({ A: 'INDEXED_VALUE_TYPE_KEYWORD', RunId: 'INDEXED_VALUE_TYPE_KEYWORD' }), 'RESERVED_NAME');
    expect(r.typeOf('A')).toBeUndefined();
    r.addAll({ A: 'INDEXED_VALUE_TYPE_KEYWORD', B: 'INDEXED_VALUE_TYPE_BOOL' });
    expect(r.typeOf('B')).toBe('INDEXED_VALUE_TYPE_BOOL');
  });

  it('remove deletes customs only', () => {
    const r = new SearchAttributeRegistry();
    r.add('A', 'INDEXED_VALUE_TYPE_KEYWORD');
    r.remove('A');
    expect(r.typeOf('A')).toBeUndefined();
    expectSaError(() => r.remove('A'), 'UNKNOWN_ATTRIBUTE');
    expectSaError(() => r.remove('StartTime'), 'RESERVED_NAME');
  });

  it('system attributes other than the predefined three cannot be set by workflows', () => {
    const r = new SearchAttributeRegistry();
    expect(r.isSettable('TemporalChangeVersion')).toBe(true);
    expect(r.isSettable('BuildIds')).toBe(true);
    expect(r.isSettable('WorkflowId')).toBe(false);
    expect(r.isSettable('Unregistered')).toBe(false);
  });
});

describe('search attribute payloads', () => {
  const registry = new SearchAttributeRegistry();
  registry.addAll({
    Kw: 'INDEXED_VALUE_TYPE_KEYWORD',
    Txt: 'INDEXED_VALUE_TYPE_TEXT',
    Num: 'INDEXED_VALUE_TYPE_INT',
    Dbl: 'INDEXED_VALUE_TYPE_DOUBLE',
    Flag: 'INDEXED_VALUE_TYPE_BOOL',
    When: 'INDEXED_VALUE_TYPE_DATETIME',
    List: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
  });
  const when = new Date('2024-05-06T07:08:09.123Z');

  const typedPairs = [
    { key: defineSearchAttributeKey('Kw', SearchAttributeType.KEYWORD), value: 'k-1' },
    { key: defineSearchAttributeKey('Txt', SearchAttributeType.TEXT), value: 'some words' },
    { key: defineSearchAttributeKey('Num', SearchAttributeType.INT), value: 42 },
    { key: defineSearchAttributeKey('Dbl', SearchAttributeType.DOUBLE), value: 1.5 },
    { key: defineSearchAttributeKey('Flag', SearchAttributeType.BOOL), value: true },
    { key: defineSearchAttributeKey('When', SearchAttributeType.DATETIME), value: when },
    { key: defineSearchAttributeKey('List', SearchAttributeType.KEYWORD_LIST), value: ['a', 'b'] },
  ];

  it('decodes what the SDK encodes for typed search attributes', () => {
    const wire = encodeUnifiedSearchAttributes(undefined, new TypedSearchAttributes(typedPairs as never));
    expect(decodeSearchAttributes(wire as Record<string, SearchAttributePayload>, registry)).toEqual({
      Kw: 'k-1',
      Txt: 'some words',
      Num: 42,
      Dbl: 1.5,
      Flag: true,
      When: when.getTime(),
      List: ['a', 'b'],
    });
  });

  it('decodes the legacy untyped encoding (values wrapped in arrays, no metadata.type)', () => {
    const wire = encodeUnifiedSearchAttributes({ Kw: ['k-1'], Num: [7], When: [when], List: ['x', 'y'], Flag: [false] }, undefined);
    expect(decodeSearchAttributes(wire as Record<string, SearchAttributePayload>, registry)).toEqual({
      Kw: 'k-1',
      Num: 7,
      When: when.getTime(),
      List: ['x', 'y'],
      Flag: false,
    });
  });

  it('a typed null or an empty legacy array means "remove"', () => {
    const wire = encodeUnifiedSearchAttributes({ Kw: [] }, [{ key: defineSearchAttributeKey('Num', SearchAttributeType.INT), value: null }] as never);
    const decoded = decodeSearchAttributes(wire as Record<string, SearchAttributePayload>, registry);
    expect(decoded).toEqual({ Kw: null, Num: null });
    expect(mergeSearchAttributes({ Kw: 'old', Num: 1, Dbl: 2 }, { ...decoded, Dbl: 3 })).toEqual({ Dbl: 3 });
  });

  it('the SDK decodes what we encode, with every type intact', () => {
    const values = { Kw: 'k-1', Txt: 'some words', Num: 42, Dbl: 1.5, Flag: true, When: when.getTime(), List: ['a', 'b'] };
    const encoded = encodeSearchAttributes(values, registry);
    for (const payload of Object.values(encoded)) expect(payload.metadata.type.length).toBeGreaterThan(0);
    const typed = decodeTypedSearchAttributes(encoded);
    for (const { key, value } of typedPairs) expect(typed.get(key as never)).toEqual(value);
    // And the deprecated untyped view sees them too (Datetime as a Date).
    const untyped = sdkDecodeUntyped(encoded);
    expect(untyped.When).toEqual([when]);
    expect(untyped.List).toEqual(['a', 'b']);
  });

  it('encodeSearchAttribute sets json/plain and the metadata type name', () => {
    const kw = encodeSearchAttribute('x', 'INDEXED_VALUE_TYPE_KEYWORD');
    expect(kw.metadata.encoding.toString()).toBe('json/plain');
    expect(kw.metadata.type.toString()).toBe('Keyword');
    expect(kw.data.toString()).toBe('"x"');
    expect(encodeSearchAttribute(['a'], 'INDEXED_VALUE_TYPE_KEYWORD_LIST').metadata.type.toString()).toBe('KeywordList');
    expect(encodeSearchAttribute(0, 'INDEXED_VALUE_TYPE_DATETIME').data.toString()).toBe('"1970-01-01T00:00:00.000Z"');
    expect(() => encodeSearchAttribute('x', 'INDEXED_VALUE_TYPE_INT')).toThrow(SearchAttributeError);
    expect(() => encodeSearchAttribute(1.5, 'INDEXED_VALUE_TYPE_INT')).toThrow(SearchAttributeError);
    expect(() => encodeSearchAttribute([1], 'INDEXED_VALUE_TYPE_KEYWORD_LIST')).toThrow(SearchAttributeError);
  });

  it('encodeSearchAttributes skips unregistered names and empty values', () => {
    expect(Object.keys(encodeSearchAttributes({ Kw: 'a', Ghost: 'b', Num: undefined }, registry))).toEqual(['Kw']);
  });

  const json = (value: unknown, type?: string): SearchAttributePayload => ({
    metadata: { encoding: Buffer.from('json/plain'), ...(type ? { type: Buffer.from(type) } : {}) },
    data: Buffer.from(JSON.stringify(value)),
  });

  it('rejects unregistered and system names', () => {
    expectSaError(() => decodeSearchAttributes({ Ghost: json('x', 'Keyword') }, registry), 'UNKNOWN_ATTRIBUTE', /Ghost is not defined/);
    expectSaError(() => decodeSearchAttributes({ WorkflowId: json('x', 'Keyword') }, registry), 'RESERVED_NAME');
    expect(decodeSearchAttributes({ TemporalChangeVersion: json(['p1'], 'KeywordList') }, registry)).toEqual({ TemporalChangeVersion: ['p1'] });
  });

  it('decodes by the registered type, rejecting values that do not fit it', () => {
    expectSaError(() => decodeSearchAttributes({ Num: json('42', 'Keyword') }, registry), 'INVALID_VALUE', /Num of type Int/);
    expectSaError(() => decodeSearchAttributes({ Num: json(1.5) }, registry), 'INVALID_VALUE');
    expectSaError(() => decodeSearchAttributes({ Flag: json('true') }, registry), 'INVALID_VALUE');
    expectSaError(() => decodeSearchAttributes({ When: json('yesterday') }, registry), 'INVALID_VALUE', /RFC 3339/);
    expectSaError(() => decodeSearchAttributes({ Kw: json(['a', 'b']) }, registry), 'INVALID_VALUE', /takes one value/);
    expectSaError(() => decodeSearchAttributes({ List: json([1]) }, registry), 'INVALID_VALUE');
    expectSaError(() => decodeSearchAttributes({ Kw: { metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from('zz') } }, registry), 'INVALID_VALUE', /json\/plain/);
    expectSaError(() => decodeSearchAttributes({ Kw: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{oops') } }, registry), 'INVALID_VALUE', /not valid JSON/);
  });

  it('a single string for a KeywordList becomes a one-element list', () => {
    expect(decodeSearchAttributes({ List: json('solo', 'KeywordList') }, registry)).toEqual({ List: ['solo'] });
  });

  it('one bad attribute rejects the whole set', () => {
    expectSaError(() => decodeSearchAttributes({ Kw: json('fine'), Num: json('bad') }, registry), 'INVALID_VALUE');
  });

  it('parseRfc3339Ms handles offsets, fractions and invalid dates', () => {
    expect(parseRfc3339Ms('2024-01-01T00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    expect(parseRfc3339Ms('2024-01-01T02:00:00+02:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseRfc3339Ms('2023-12-31T19:30:00-04:30')).toBe(Date.UTC(2024, 0, 1));
    expect(parseRfc3339Ms('2024-01-01T00:00:00.123456789Z')).toBe(Date.UTC(2024, 0, 1) + 123);
    expect(parseRfc3339Ms('1969-12-31T23:59:59.9995Z')).toBe(-1);
    expect(parseRfc3339Ms('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(parseRfc3339Ms('2024-01-01')).toBeUndefined();
    expect(parseRfc3339Ms('2024-01-01T00:00:00')).toBeUndefined();
  });
});
