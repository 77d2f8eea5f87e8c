import {
  InvalidPolicyError,
  InvalidStateError,
  MAX_SEEN_IDS,
  decide,
  initialState,
  pendingCustomerText,
  recordCustomerMessage,
  resolvePolicy,
  restoreState,
  toView,
  transcriptAfter,
  type ConversationState,
} from '../../src/domain';
import { fresh, NOW, policy, seededTools, turn, u } from './helpers';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('conversation state', () => {
  it('numbers transcript entries 1, 2, 3 …', () => {
    let s = fresh();
    for (const id of ['a', 'b', 'c']) s = recordCustomerMessage(s, { messageId: id, text: `msg ${id}` }, NOW).state;
    expect(s.transcript.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(transcriptAfter(s, 1).map((e) => e.text)).toEqual(['msg b', 'msg c']);
    expect(transcriptAfter(s, 0)).toHaveLength(3);
  });

  it('ignores a repeated message id', () => {
    let s = recordCustomerMessage(fresh(), { messageId: 'a', text: 'hi' }, NOW).state;
    const again = recordCustomerMessage(s, { messageId: 'a', text: 'hi' }, NOW);
    expect(again.kind).toBe('duplicate');
    expect(again.state).toBe(s);
    s = again.state;
    expect(s.transcript).toHaveLength(1);
  });

  it('refuses malformed messages and changes nothing', () => {
    const s = fresh();
    for (const bad of [{ messageId: '', text: 'x' }, { messageId: 'a', text: '   ' }, { messageId: 'a', text: 'x'.repeat(4001) }, { messageId: 'x'.repeat(201), text: 'x' }]) {
      const r = recordCustomerMessage(s, bad, NOW);
      expect(r.kind).toBe('invalid');
      expect(r.state).toBe(s);
    }
  });

  it('keeps a bounded id memory that still catches recent duplicates', () => {
    let s = fresh();
    for (let i = 0; i < MAX_SEEN_IDS + 50; i++) s = recordCustomerMessage(s, { messageId: `id-${i}`, text: 't' }, NOW).state;
    expect(s.seen.customer).toHaveLength(MAX_SEEN_IDS);
    expect(recordCustomerMessage(s, { messageId: `id-${MAX_SEEN_IDS + 49}`, text: 't' }, NOW).kind).toBe('duplicate');
    expect(recordCustomerMessage(s, { messageId: 'id-0', text: 't' }, NOW).kind).toBe('recorded');
  });

  it('merges a burst of pending messages into one turn text', () => {
    let s = fresh();
    s = recordCustomerMessage(s, { messageId: 'a', text: 'I want a refund' }, NOW).state;
    s = recordCustomerMessage(s, { messageId: 'b', text: 'order 100000000001' }, NOW).state;
    expect(pendingCustomerText(s)).toEqual({ seqs: [1, 2], text: 'I want a refund\norder 100000000001', images: [] });
  });

  it('survives a JSON round trip unchanged (continue-as-new) and restores with a fresh run counter', () => {
    let r = turn(fresh(), u('get_refund', 'refund 100000000001 because broken', { entities: { orderNumber: '100000000001' } }));
    r = turn(r.state, u('track_order', 'track 100000000002', { entities: { orderNumber: '100000000002' } }));
    const s: ConversationState = { ...r.state, runTurns: 42 };
    const wire = JSON.parse(JSON.stringify(s));
    expect(wire).toEqual(s);
    const restored = restoreState(wire);
    expect(restored).toEqual({ ...s, runTurns: 0 });
    expect(initialState({ conversationId: 'ignored', customer: s.customer, carried: wire }, NOW).transcript).toEqual(s.transcript);
  });

  it('rejects carried state that is not a conversation state', () => {
    expect(() => restoreState({ schema: 99 })).toThrow(InvalidStateError);
    expect(() => restoreState(null)).toThrow(InvalidStateError);
  });

  it('validates the first-run input', () => {
    expect(() => initialState({ conversationId: '', customer: { id: 'c', tier: 'regular' } }, NOW)).toThrow(InvalidStateError);
    expect(() => initialState({ conversationId: 'x', customer: { id: 'c', tier: 'gold' as never } }, NOW)).toThrow(InvalidStateError);
    expect(() => initialState({ conversationId: 'x', customer: { id: 'c', tier: 'regular' }, locale: 'fr' as never }, NOW)).toThrow(InvalidStateError);
  });

  it('decide never mutates the state it is given', () => {
    const s = deepFreeze(turn(fresh(), u('get_refund', 'refund 100000000001', { entities: { orderNumber: '100000000001' } })).state);
    expect(() => decide(s, u('out_of_scope', 'broken', { confidence: 0.2 }), policy, NOW)).not.toThrow();
    expect(() => turn(s, u('out_of_scope', 'broken', { confidence: 0.2 }), seededTools())).not.toThrow();
  });

  it('answers the state query', () => {
    const r = turn(fresh(), u('get_refund', 'refund 100000000001', { entities: { orderNumber: '100000000001' } }));
    expect(toView(r.state)).toMatchObject({
      conversationId: 'conv-1',
      phase: 'ai',
      intent: 'get_refund',
      slots: { orderNumber: '100000000001' },
      emotion: 'neutral',
      turnCount: 1,
      lastSeq: 1,
    });
  });
});

describe('policy config', () => {
  it('merges overrides, including per-tier wait limits', () => {
    const p = resolvePolicy({ maxAiTurns: 5, waitLimitMs: { vip: 1000 } as never });
    expect(p.maxAiTurns).toBe(5);
    expect(p.waitLimitMs).toEqual({ vip: 1000, enterprise: 300_000, regular: 600_000 });
  });

  it('names every bad value', () => {
    try {
      resolvePolicy({ maxAiTurns: 0, lowConfidenceThreshold: 2, maxApologies: -1 });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidPolicyError);
      expect((err as InvalidPolicyError).problems).toHaveLength(3);
    }
  });
});
