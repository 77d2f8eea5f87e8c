import {
  conversationIdFromWorkflowId,
  conversationWorkflowId,
  INTENTS,
  priorityRank,
  BITEXT_INTENTS,
} from '../../src/workflows/contract';

describe('contract', () => {
  it('round-trips conversation ids through workflow ids', () => {
    expect(conversationWorkflowId('abc-1')).toBe('conversation-abc-1');
    expect(conversationIdFromWorkflowId('conversation-abc-1')).toBe('abc-1');
    expect(conversationIdFromWorkflowId('other-abc')).toBeUndefined();
  });

  it('ranks priorities from urgent to low', () => {
    expect(['low', 'urgent', 'normal', 'high'].sort((a, b) => priorityRank(a as never) - priorityRank(b as never))).toEqual([
      'urgent',
      'high',
      'normal',
      'low',
    ]);
  });

  it('has the 27 Bitext intents plus the Switchboard ones, no duplicates', () => {
    expect(BITEXT_INTENTS).toHaveLength(27);
    expect(new Set(INTENTS).size).toBe(INTENTS.length);
    expect(INTENTS).toHaveLength(38);
  });
});
