/**
 * The dialogue table (test/dialogues/cases.ts) through the real understanding
 * pipeline, the real policy and the sample backend's business rules.
 */
import { DIALOGUES } from './cases';
import { runDialogue } from './run';
import { SIDE_EFFECT_TOOLS } from '../../src/domain';

describe('dialogue table', () => {
  it('has at least 30 English and 30 Chinese dialogues, all multi-turn or single-purpose', () => {
    expect(DIALOGUES.filter((d) => d.lang === 'en').length).toBeGreaterThanOrEqual(30);
    expect(DIALOGUES.filter((d) => d.lang === 'zh').length).toBeGreaterThanOrEqual(30);
    expect(new Set(DIALOGUES.map((d) => d.name)).size).toBe(DIALOGUES.length);
  });

  it.each(DIALOGUES.map((d) => [d.name, d] as const))('%s', async (_name, d) => {
    const run = await runDialogue(d.who, d.lang, d.turns);
    const transcript = run.turns.map((t) => `> ${t.text}  [${t.intent} ${t.confidence.toFixed(2)}]\n< ${t.templates.join(' + ')}`).join('\n');
    const sideEffects = run.calls.filter((c) => SIDE_EFFECT_TOOLS.includes(c.tool)).map((c) => c.tool);
    const allowed = [...(d.tool ? [d.tool.tool] : []), ...(d.alsoTools ?? [])];
    expect({ transcript, unexpected: sideEffects.filter((t) => !allowed.includes(t)) }).toEqual({ transcript, unexpected: [] });
    if (d.tool) {
      const matching = run.calls.filter((c) => c.tool === d.tool!.tool);
      expect({ transcript, called: matching.length > 0 }).toEqual({ transcript, called: true });
      if (d.tool.input) expect(matching.at(-1)?.input).toMatchObject(d.tool.input);
    }
    if (d.escalate) {
      expect({ transcript, reasons: run.escalation?.reasons ?? [] }).toEqual({ transcript, reasons: expect.arrayContaining([d.escalate]) });
      // Escalation comes at the last turn, not before: every turn was answered.
      expect(run.turns).toHaveLength(d.turns.length);
    } else {
      expect({ transcript, escalated: run.escalation?.reasons }).toEqual({ transcript, escalated: undefined });
    }
    if (d.last) expect({ transcript, last: run.turns.at(-1)?.templates }).toEqual({ transcript, last: expect.arrayContaining([d.last]) });
    if (d.task) {
      expect(run.state.ai.task?.intent).toBe(d.task.intent);
      if (d.task.slots) expect(run.state.ai.task?.slots).toMatchObject(d.task.slots);
    }
    // Replies stay in the conversation's language (an email or a number alone does not change it).
    for (const t of run.turns) {
      for (const r of t.replies) expect({ reply: r, han: /\p{Script=Han}/u.test(r) }).toEqual({ reply: r, han: d.lang === 'zh' });
    }
    for (const text of d.neverSay ?? []) {
      for (const t of run.turns) for (const r of t.replies) expect({ reply: r, contains: r.includes(text) }).toEqual({ reply: r, contains: false });
    }
  });

  // Runs recorded before the answers-before-verification patch replay as they were decided then.
  it('decides the old way for runs from before the answers-before-verification patch', async () => {
    const old = await runDialogue('anon', 'zh', ['我要退款，订单100000000006', '不想要了'], undefined, { answersBeforeVerification: false });
    expect(old.turns.at(-1)?.templates).toEqual(['task_dropped']);
    const oldEn = await runDialogue('anon', 'en', ['I want a refund for order 100000000002', 'it arrived broken'], undefined, { answersBeforeVerification: false });
    expect(oldEn.turns.at(-1)?.templates).toEqual(['ask_verification']);
    expect(oldEn.state.ai.task?.slots.reason).toBeUndefined();
    const now = await runDialogue('anon', 'en', ['I want a refund for order 100000000002', 'it arrived broken']);
    expect(now.turns.at(-1)?.templates).toEqual(['noted_ask_verification']);
    expect(now.state.ai.counters.lowConfidenceStreak).toBe(0);
  });
});
