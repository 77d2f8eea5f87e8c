import { TypedSearchAttributes } from '@temporalio/common';
import { AgentDirectory, AgentDirectoryError } from '../../src/gateway/agents';
import { countHumanRequests, detectHumanRequest } from '../../src/gateway/human-requests';
import { decodeFrame, customerFrameSchema, CUSTOMER_FRAME_TYPES } from '../../src/gateway/schemas';
import { CustomerTokens } from '../../src/gateway/tokens';
import { compareQueue, queueEstimate, summarize, type ConversationSummary } from '../../src/gateway/visibility';
import { searchAttributes as sa } from '../../src/workflows/contract';

describe('customer tokens', () => {
  const claims = { conversationId: 'c-1', customer: { id: 'u-1', tier: 'vip' as const }, locale: 'zh' as const };

  it('round-trips, and refuses tampering, another secret, garbage and expiry', () => {
    let now = 1_000_000;
    const tokens = new CustomerTokens('secret-secret-secret', 60, () => now);
    const token = tokens.issue(claims);
    expect(tokens.verify(token)).toEqual({ ...claims, exp: 1000 + 60 });

    const [payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, customer: { id: 'u-1', tier: 'vip' }, conversationId: 'c-2', exp: 9e9 })).toString('base64url');
    expect(tokens.verify(`${forged}.${sig}`)).toBeUndefined();
    expect(tokens.verify(`${payload}.${sig.slice(0, -2)}`)).toBeUndefined();
    expect(new CustomerTokens('another-secret-value', 60, () => now).verify(token)).toBeUndefined();
    for (const junk of ['', 'abc', 'a.b.c', '.', `${payload}.`, undefined]) expect(tokens.verify(junk)).toBeUndefined();

    now += 61_000;
    expect(tokens.verify(token)).toBeUndefined();
  });
});

describe('agent directory', () => {
  const good = { id: 'a', name: 'A', token: 'token-000000000001', skills: ['general'], maxConcurrent: 1 };

  it('authenticates by token and never exposes it', () => {
    const dir = AgentDirectory.fromJson([good, { ...good, id: 'op', token: 'token-000000000002', role: 'operator' }]);
    expect(dir.authenticate('token-000000000001')).toEqual({ id: 'a', name: 'A', skills: ['general'], maxConcurrent: 1, role: 'agent' });
    expect(dir.authenticate('token-00000000000')).toBeUndefined();
    expect(dir.authenticate(undefined)).toBeUndefined();
    expect(dir.countWithSkill('general')).toBe(1);
    expect(JSON.stringify(dir.all())).not.toContain('token-');
  });

  it('names every problem of a bad file', () => {
    let error: unknown;
    try {
      AgentDirectory.fromJson([good, { ...good, token: 'short', skills: ['cooking'] }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AgentDirectoryError);
    const text = (error as AgentDirectoryError).problems.join('\n');
    expect(text).toMatch(/1\.token/);
    expect(text).toMatch(/1\.skills/);
    expect(() => AgentDirectory.fromJson([good, { ...good, token: 'token-000000000009' }])).toThrow(/duplicate id a/);
    expect(() => AgentDirectory.fromJson([good, { ...good, id: 'b' }])).toThrow(/duplicate token/);
    expect(() => AgentDirectory.fromFile('/nonexistent/agents.json')).toThrow(AgentDirectoryError);
  });

  it('loads the shipped demo file', () => {
    const dir = AgentDirectory.fromFile(require.resolve('../../config/agents.demo.json'));
    expect(dir.all().some((a) => a.role === 'operator')).toBe(true);
    expect(dir.all().filter((a) => a.role === 'agent').length).toBeGreaterThanOrEqual(2);
  });
});

describe('human-request cap', () => {
  it('detects explicit requests in English and Chinese, including full-width text', () => {
    for (const yes of ['I want a human', 'let me talk to a real person', '转人工', '我要人工客服', 'ＨＵＭＡＮ please']) {
      expect({ yes, hit: detectHumanRequest(yes) }).toEqual({ yes, hit: true });
    }
    for (const no of ['where is my order 100000000002', 'the agent was rude', '我要退款']) {
      expect({ no, hit: detectHumanRequest(no) }).toEqual({ no, hit: false });
    }
  });

  it('counts earlier customer requests only', () => {
    const at = '2025-01-01T00:00:00Z';
    const transcript = [
      { seq: 1, from: 'customer' as const, text: 'human please', at, messageId: 'a' },
      { seq: 2, from: 'bot' as const, text: 'I will connect you to a human agent', at },
      { seq: 3, from: 'customer' as const, text: '转人工', at, messageId: 'b' },
      { seq: 4, from: 'customer' as const, text: 'thanks', at, messageId: 'c' },
    ];
    expect(countHumanRequests(transcript, detectHumanRequest)).toBe(2);
    expect(countHumanRequests(transcript, detectHumanRequest, 'b')).toBe(1);
  });
});

describe('frames and limits', () => {
  it('tells malformed JSON, unknown types and bad fields apart', () => {
    const decode = (raw: string) => decodeFrame(raw, customerFrameSchema, CUSTOMER_FRAME_TYPES);
    expect(decode('{')).toMatchObject({ ok: false, error: { code: 'malformed_json' } });
    expect(decode('[]')).toMatchObject({ ok: false, error: { code: 'unknown_frame' } });
    expect(decode('{"type":"Message"}')).toMatchObject({ ok: false, error: { code: 'unknown_frame' } });
    expect(decode('{"type":"message","id":"x","text":"hi","extra":1}')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(decode('{"type":"resume","afterSeq":1.5}')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(decode('{"type":"message","id":"x","text":"hi"}')).toEqual({ ok: true, frame: { type: 'message', id: 'x', text: 'hi' } });
  });
});

describe('queue order and estimate', () => {
  const row = (id: string, priority: ConversationSummary['priority'], waitingSince: string, skill: ConversationSummary['skill'] = 'general'): ConversationSummary => ({
    conversationId: id,
    workflowId: `conversation-${id}`,
    runId: 'r',
    executionStatus: 'RUNNING',
    status: 'queued',
    priority,
    skill,
    reasons: [],
    waitingSince,
    startTime: '2025-01-01T00:00:00.000Z',
  });

  it('orders by priority, then waiting time', () => {
    const rows = [
      row('late-normal', 'normal', '2025-01-01T00:05:00Z'),
      row('low', 'low', '2025-01-01T00:00:00Z'),
      row('urgent', 'urgent', '2025-01-01T00:09:00Z'),
      row('early-normal', 'normal', '2025-01-01T00:01:00Z'),
    ];
    expect(rows.sort(compareQueue).map((r) => r.conversationId)).toEqual(['urgent', 'early-normal', 'late-normal', 'low']);
  });

  it('positions within the skill queue; no estimate when nobody has the skill', () => {
    const rows = [row('g1', 'high', '1'), row('v1', 'high', '2', 'vip'), row('g2', 'normal', '3')];
    const agents = (skill: string) => (skill === 'general' ? 1 : 0);
    expect(queueEstimate(rows, 'g2', 100, agents)).toEqual({ position: 2, etaSeconds: 150 });
    expect(queueEstimate(rows, 'v1', 100, agents)).toEqual({ position: 1, etaSeconds: null });
    expect(queueEstimate(rows, 'missing', 100, agents)).toBeUndefined();
  });

  it('summarizes a visibility row through the contract keys, ignoring unknown values', () => {
    const info = {
      workflowId: 'conversation-abc',
      runId: 'r1',
      status: { name: 'RUNNING' },
      startTime: new Date('2025-01-01T00:00:00Z'),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: sa.status, value: 'queued' },
        { key: sa.priority, value: 'bogus' },
        { key: sa.escalationReasons, value: ['explicit_request', 'nonsense'] },
        { key: sa.waitingSince, value: new Date('2025-01-01T00:01:00Z') },
      ]),
    } as any;
    expect(summarize(info)).toMatchObject({
      conversationId: 'abc',
      status: 'queued',
      priority: undefined,
      reasons: ['explicit_request'],
      waitingSince: '2025-01-01T00:01:00.000Z',
    });
    expect(summarize({ ...info, workflowId: 'other-workflow' })).toBeUndefined();
  });
});
