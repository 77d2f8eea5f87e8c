import {
  agentRejection,
  agentSilenceDeadline,
  assignAgent,
  buildHandover,
  claimRejection,
  closeConversation,
  closeRejection,
  enterQueue,
  idleDeadline,
  recordAgentMessage,
  recordCustomerMessage,
  release,
  requeueSilentAgent,
  transfer,
  type ConversationState,
} from '../../src/domain';
import { ErrorCode } from '../../src/workflows/contract';
import { fresh, NOW, policy, turn, u } from './helpers';

const LATER = '2025-06-01T10:05:00.000Z';

function queued(tier: 'regular' | 'vip' = 'regular'): ConversationState {
  const r = turn(fresh(tier), u('contact_human_agent', 'human please', { humanRequested: true }));
  return enterQueue(r.state, r.escalation!, buildHandover(r.state, r.escalation!), policy, NOW).state;
}

function human(): ConversationState {
  return assignAgent(queued(), { id: 'agent-1', name: 'Dana' }, policy, NOW).state;
}

describe('queue and claim', () => {
  it('enters the queue naming the team, without promising a callback by a fixed time', () => {
    const r = turn(fresh(), u('contact_human_agent', 'human please', { humanRequested: true }));
    const q = enterQueue(r.state, r.escalation!, buildHandover(r.state, r.escalation!), policy, NOW);
    expect(q.state.phase).toBe('queued');
    expect(q.state.queue).toEqual({ waitingSince: NOW, periods: 0, alerts: 0, cause: 'escalation' });
    expect(q.entries).toHaveLength(1);
    expect(q.entries[0]).toMatchObject({ from: 'system', seq: q.state.nextSeq - 1 });
    expect(q.entries[0].text).toContain('customer service team');
    expect(q.entries[0].text).not.toMatch(/within \d+ minutes/);
  });

  it('adds the self-service suggestions it is given, in one notice', () => {
    const r = turn(fresh('regular', 'zh'), u('contact_human_agent', '转人工', { humanRequested: true }));
    const q = enterQueue(r.state, r.escalation!, buildHandover(r.state, r.escalation!), policy, NOW, ['第一条', '第二条']);
    expect(q.entries.map((e) => e.text)).toEqual([expect.stringContaining('综合客服'), '等待期间，以下内容或许能帮到您：\n• 第一条\n• 第二条']);
  });

  it('refuses claims unless waiting, and refuses a second agent', () => {
    expect(claimRejection(fresh(), 'a')).toBe(ErrorCode.NotWaiting);
    expect(claimRejection(queued(), 'a')).toBeUndefined();
    expect(claimRejection(queued(), '')).toBe(ErrorCode.InvalidInput);
    const h = human();
    expect(claimRejection(h, 'agent-2')).toBe(ErrorCode.AlreadyClaimed);
    expect(claimRejection(h, 'agent-1')).toBeUndefined();
    const closed = closeConversation(h, { by: 'operator' }, NOW).state;
    expect(claimRejection(closed, 'agent-1')).toBe(ErrorCode.Closed);
  });

  it('assigns the agent and announces them', () => {
    const r = assignAgent(queued(), { id: 'agent-1', name: 'Dana' }, policy, NOW);
    expect(r.state).toMatchObject({ phase: 'human', agent: { id: 'agent-1', name: 'Dana' }, assignedAt: NOW, queue: undefined, hadAgent: true });
    expect(r.entries.map((e) => e.text)).toEqual(['Dana has joined the conversation.']);
    expect(assignAgent(r.state, { id: 'agent-1', name: 'Dana' }, policy, NOW).entries).toEqual([]);
  });

  it('builds a takeover handover when an agent is assigned during the AI phase', () => {
    const s = turn(fresh(), u('get_refund', 'refund 100000000001 because broken', { entities: { orderNumber: '100000000001' } })).state;
    const r = assignAgent(s, { id: 'agent-9', name: 'Lee' }, policy, NOW);
    expect(r.state.escalation?.reasons).toEqual(['agent_takeover']);
    expect(r.state.handover?.filledSlots).toEqual({ orderNumber: '100000000001', reason: 'broken' });
    expect(r.state.inbox).toEqual([]);
  });

  it('records customer messages in the queue without feeding the AI', () => {
    const r = recordCustomerMessage(queued(), { messageId: 'q1', text: 'still there?' }, NOW);
    expect(r.kind).toBe('recorded');
    expect(r.state.inbox).toEqual([]);
  });
});

describe('human phase', () => {
  it('accepts messages only from the assigned agent', () => {
    const h = human();
    expect(recordAgentMessage(h, { agentId: 'agent-2', messageId: 'x', text: 'hi' }, NOW).kind).toBe('not_assigned');
    const ok = recordAgentMessage(h, { agentId: 'agent-1', messageId: 'x', text: 'hi' }, NOW);
    expect(ok.kind).toBe('recorded');
    expect(ok.state.lastAgentSeq).toBe(ok.state.nextSeq - 1);
    expect(recordAgentMessage(ok.state, { agentId: 'agent-1', messageId: 'x', text: 'hi' }, NOW).kind).toBe('duplicate');
    expect(agentRejection(h, 'agent-2')).toBe(ErrorCode.NotAssigned);
    expect(agentRejection(h, 'agent-1')).toBeUndefined();
    expect(agentRejection(queued(), 'agent-1')).toBe(ErrorCode.NotAssigned);
  });

  it('releases to the AI with fresh counters and no open task', () => {
    let s = turn(fresh(), u('out_of_scope', 'x', { confidence: 0.1 })).state;
    s = turn(s, u('contact_human_agent', 'human', { humanRequested: true })).state;
    const esc = { reasons: ['explicit_request' as const], priority: 'normal' as const, skill: 'general' as const, at: NOW };
    s = enterQueue(s, esc, buildHandover(s, esc), policy, NOW).state;
    s = assignAgent(s, { id: 'agent-1', name: 'Dana' }, policy, NOW).state;
    const r = release(s, { agentId: 'agent-1', to: 'ai', note: 'solved the address issue' }, policy, LATER);
    expect(r.state.phase).toBe('ai');
    expect(r.state.agent).toBeUndefined();
    expect(r.state.escalation).toBeUndefined();
    expect(r.state.ai.counters).toMatchObject({ turns: 0, consecutiveAiFailures: 0, lowConfidenceStreak: 0, toolFailures: 0, totalTurns: 2 });
    expect(r.state.ai.attempts.at(-1)).toBe('Agent Dana handed back to the assistant: solved the address issue');
    expect(r.entries[0].text).toBe("You're back with the assistant. How else can I help?");
  });

  it('releases to the queue, keeping the reasons and adding why', () => {
    const r = release(human(), { agentId: 'agent-1', to: 'queue' }, policy, LATER);
    expect(r.state.phase).toBe('queued');
    expect(r.state.escalation?.reasons).toEqual(['explicit_request', 'released_to_queue']);
    expect(r.state.queue?.waitingSince).toBe(LATER);
  });

  it('transfers to another skill', () => {
    const r = transfer(human(), { agentId: 'agent-1', skill: 'technical', note: 'needs a technician' }, policy, LATER);
    expect(r.state.escalation).toMatchObject({ skill: 'technical', reasons: ['explicit_request', 'transfer'] });
    expect(r.state.handover?.skill).toBe('technical');
    expect(r.state.ai.attempts.at(-1)).toBe('Agent note: needs a technician');
    expect(r.entries[0].text).toContain('technical support');
  });

  it('re-queues a silent agent with a higher priority', () => {
    const r = requeueSilentAgent(human(), policy, LATER);
    expect(r.state.phase).toBe('queued');
    expect(r.state.escalation?.priority).toBe('high');
    expect(r.state.escalation?.reasons).toContain('agent_unresponsive');
  });

  it('computes the silence deadline from the first unanswered customer message', () => {
    let s = human();
    expect(agentSilenceDeadline(s, policy)).toBe(Date.parse(NOW) + policy.agentSilenceMs);
    s = recordAgentMessage(s, { agentId: 'agent-1', messageId: 'a1', text: 'Hi, Dana here' }, NOW).state;
    expect(agentSilenceDeadline(s, policy)).toBeUndefined();
    const r = recordCustomerMessage(s, { messageId: 'c9', text: 'hello?' }, LATER);
    s = r.state;
    s = recordCustomerMessage(s, { messageId: 'c10', text: 'anyone?' }, '2025-06-01T10:06:00.000Z').state;
    expect(agentSilenceDeadline(s, policy)).toBe(Date.parse(LATER) + policy.agentSilenceMs);
  });
});

describe('close and deadlines', () => {
  it('closes once; agents may close only their own conversation', () => {
    const h = human();
    expect(closeRejection(h, { by: 'agent', agentId: 'agent-2' })).toBe(ErrorCode.NotAssigned);
    expect(closeRejection(h, { by: 'agent', agentId: 'agent-1' })).toBeUndefined();
    expect(closeRejection(h, { by: 'customer' })).toBeUndefined();
    expect(closeRejection(h, { by: 'nobody' as never })).toBe(ErrorCode.InvalidInput);
    const c = closeConversation(h, { by: 'agent', agentId: 'agent-1', resolution: 'refund approved' }, LATER);
    expect(c.state.closed).toEqual({ by: 'agent', resolution: 'refund approved', at: LATER });
    expect(closeRejection(c.state, { by: 'customer' })).toBe(ErrorCode.Closed);
    expect(recordCustomerMessage(c.state, { messageId: 'late', text: 'hi' }, LATER).kind).toBe('closed');
  });

  it('measures idleness from the last activity', () => {
    const s = recordCustomerMessage(fresh(), { messageId: 'm', text: 'hi' }, LATER).state;
    expect(idleDeadline(s, policy)).toBe(Date.parse(LATER) + policy.idleCloseMs);
  });
});
