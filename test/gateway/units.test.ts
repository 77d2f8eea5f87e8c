import { TypedSearchAttributes } from '@temporalio/common';
import { AgentDirectory, AgentDirectoryError } from '../../src/gateway/agents';
import { alreadyRecorded, detectHumanRequest, MemorySlidingWindow } from '../../src/gateway/human-requests';
import { decodeFrame, customerFrameSchema, CUSTOMER_FRAME_TYPES } from '../../src/gateway/schemas';
import { CustomerTokens } from '../../src/gateway/tokens';
import { compareQueue, summarize, type ConversationSummary } from '../../src/gateway/visibility';
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
    expect(dir.authenticate('token-000000000001')).toEqual({
      id: 'a',
      name: 'A',
      skills: ['general'],
      skillLevels: [{ skill: 'general', level: 3 }],
      languages: ['en', 'zh'],
      maxConcurrent: 1,
      role: 'agent',
    });
    expect(dir.authenticate('token-00000000000')).toBeUndefined();
    expect(dir.authenticate(undefined)).toBeUndefined();
    expect(JSON.stringify(dir.all())).not.toContain('token-');
  });

  it('takes skills from configuration, with levels, languages and the supervisor role', () => {
    const dir = AgentDirectory.fromJson([
      { ...good, skills: ['billing', { skill: 'refunds', level: 5 }], languages: ['zh'], role: 'supervisor' },
    ]);
    expect(dir.get('a')).toMatchObject({ skills: ['billing', 'refunds'], skillLevels: [{ skill: 'billing', level: 3 }, { skill: 'refunds', level: 5 }], languages: ['zh'], role: 'supervisor' });
    // "billing" is fine as soon as the routing configuration defines it…
    expect(() => dir.assertSkills(['general', 'billing', 'refunds'], 'routing.json')).not.toThrow();
    // …and an error naming the agent, the skill and the known skills when it does not.
    expect(() => dir.assertSkills(['general', 'refunds'], 'routing.json')).toThrow(/a: skill "billing" is not defined in the routing configuration \(routing.json: general, refunds\)/);
    expect(() => AgentDirectory.fromJson([{ ...good, skills: [{ skill: 'refunds', level: 9 }] }])).toThrow(AgentDirectoryError);
    expect(() => AgentDirectory.fromJson([{ ...good, skills: ['Not A Skill'] }])).toThrow(/skills/);
  });

  it('names every problem of a bad file', () => {
    let error: unknown;
    try {
      AgentDirectory.fromJson([good, { ...good, token: 'short', skills: [] }]);
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

  it('knows a resent message from a new one', () => {
    const at = '2025-01-01T00:00:00Z';
    const transcript = [
      { seq: 1, from: 'customer' as const, text: 'human please', at, messageId: 'a' },
      { seq: 2, from: 'bot' as const, text: 'I will connect you to a human agent', at },
    ];
    expect(alreadyRecorded(transcript, 'a')).toBe(true);
    expect(alreadyRecorded(transcript, 'b')).toBe(false);
  });

  it('counts per key over a sliding window: a new conversation of the same customer does not reset it', async () => {
    const w = new MemorySlidingWindow();
    const MIN = 60_000;
    const take = (key: string, t: number) => w.take(key, 3, 60 * MIN, t);
    expect(await take('customer:u1', 0)).toEqual({ allowed: true, count: 1 });
    expect(await take('customer:u1', 10 * MIN)).toEqual({ allowed: true, count: 2 });
    expect(await take('customer:u1', 20 * MIN)).toEqual({ allowed: true, count: 3 });
    expect(await take('customer:u1', 30 * MIN)).toEqual({ allowed: false, count: 3 });
    expect(await take('customer:u2', 30 * MIN)).toEqual({ allowed: true, count: 1 });
    // The first request leaves the window an hour later; a refused one took no place.
    expect(await take('customer:u1', 60 * MIN + 1)).toEqual({ allowed: true, count: 3 });
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
