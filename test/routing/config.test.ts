import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_ROUTING } from '../../src/domain/routing-policy';
import { AgentDirectory } from '../../src/gateway/agents';
import { loadRouting, resolveRouting, routingOverride, RoutingConfigError } from '../../src/routing/config';

const ENV = { OFFER_TIMEOUT_SECONDS: 30, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 180 };
const dir = mkdtempSync(path.join(tmpdir(), 'routing-'));
const file = (name: string, data: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
};

const BILLING = {
  skills: [
    { id: 'general', label: { en: 'customer service', zh: '综合客服' } },
    { id: 'billing', label: { en: 'billing', zh: '账单' }, hours: { timeZone: 'Asia/Shanghai', weekly: { mon: ['09:00-18:00'] }, holidays: ['2026-10-01'] } },
  ],
  intentSkills: { payment_issue: 'billing', check_invoice: 'billing' },
  assignment: { strategy: 'best_match', weights: { skill: 50, performance: 20, load: 20, availability: 10 } },
};

describe('routing configuration', () => {
  it('defaults to the built-in skills, the mixed strategy and the design’s weights', () => {
    const r = resolveRouting({}, ENV, 'defaults');
    expect(r.policy).toEqual({ ...DEFAULT_ROUTING, abandonAfterMs: 120_000 });
    expect(r.router).toMatchObject({ strategy: 'mixed', weights: { skill: 40, performance: 30, load: 20, availability: 10 }, offerTimeoutMs: 30_000, defaultHandleMs: 180_000 });
    expect(routingOverride(r.policy)).toBeUndefined();
  });

  it('takes any skill the file defines — "billing" included — and maps topics to it', () => {
    const r = loadRouting({ ...ENV, ROUTING_FILE: file('billing.json', BILLING) });
    expect(r.policy.skills.map((s) => s.id)).toEqual(['general', 'billing']);
    expect(r.policy.defaultSkill).toBe('general');
    // No "vip" skill in this file: no VIP desk.
    expect(r.policy.vipSkill).toBeUndefined();
    expect(r.policy.intentSkills).toEqual({ payment_issue: 'billing', check_invoice: 'billing' });
    expect(r.router).toMatchObject({ strategy: 'best_match', weights: { skill: 50, performance: 20, load: 20, availability: 10 } });
    expect(routingOverride(r.policy)).toBe(r.policy);
    const agents = AgentDirectory.fromJson([{ id: 'bea', name: 'Bea', token: 'token-bea-0000000000', skills: ['billing'], maxConcurrent: 3 }]);
    expect(() => agents.assertSkills(r.policy.skills.map((s) => s.id), r.source)).not.toThrow();
  });

  it('the environment overrides the strategy and the timers', () => {
    const r = resolveRouting(BILLING, { ...ENV, ROUTING_STRATEGY: 'load_balance', OFFER_TIMEOUT_SECONDS: 10 });
    expect(r.router).toMatchObject({ strategy: 'load_balance', offerTimeoutMs: 10_000 });
    expect(r.agent.offerTimeoutMs).toBe(10_000);
  });

  it('names every problem: unknown skills, bad hours, bad weights, unknown keys', () => {
    let error: RoutingConfigError | undefined;
    try {
      resolveRouting(
        {
          ...BILLING,
          skills: [...BILLING.skills, { id: 'Bad Id', label: { en: 'x', zh: 'x' } }, { id: 'night', label: { en: 'n', zh: '夜' }, hours: { timeZone: 'Nowhere/City', weekly: { mon: ['25:00-26:00'] } } }],
          colour: 'blue',
        },
        ENV,
        'bad.json',
      );
    } catch (e) {
      error = e as RoutingConfigError;
    }
    expect(error).toBeInstanceOf(RoutingConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^skills\.2\.id: lower-case letters/),
        expect.stringMatching(/^skills\.3\.hours: timeZone "Nowhere\/City" is not an IANA time zone/),
        expect.stringMatching(/^skills\.3\.hours: weekly\.mon: "25:00-26:00" is not "HH:MM-HH:MM"/),
        expect.stringMatching(/colour/),
      ]),
    );
    expect(() => resolveRouting({ ...BILLING, intentSkills: { payment_issue: 'accounts' } }, ENV)).toThrow(/intentSkills.payment_issue: "accounts" is not one of the skills \(general, billing\)/);
    expect(() => resolveRouting({ ...BILLING, defaultSkill: 'sales' }, ENV)).toThrow(/defaultSkill: "sales" is not one of the skills/);
    expect(() => resolveRouting({ ...BILLING, vipSkill: 'vip' }, ENV)).toThrow(/vipSkill: "vip" is not one of the skills/);
    expect(() => resolveRouting({ assignment: { weights: { skill: 0, performance: 0, load: 0, availability: 0 } } }, ENV)).toThrow(/at least one weight/);
    expect(() => resolveRouting({ assignment: { strategy: 'random' } }, ENV)).toThrow(RoutingConfigError);
  });

  it('stops the start with the variable named when the file is bad or missing', () => {
    const bad = file('broken.json', '{ not json');
    expect(() => loadConfig({ ROUTING_FILE: bad })).toThrow(ConfigError);
    let error: unknown;
    try {
      loadConfig({ ROUTING_FILE: file('unknown-skill.json', { ...BILLING, defaultSkill: 'sales' }) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^ROUTING_FILE \(.*unknown-skill\.json\): defaultSkill: "sales" is not one of the skills/)]);
    expect(() => loadConfig({ ROUTING_FILE: path.join(dir, 'missing.json') })).toThrow(/ROUTING_FILE .*cannot read/);
    expect(() => loadConfig({ FAQ_FILE: file('faq.json', { entries: [{ id: 'x', intents: ['nonsense'], en: 'a', zh: 'b' }] }) })).toThrow(/FAQ_FILE .*entries\.0\.intents\.0/);
  });

  it('ships an example routing file that is valid', () => {
    const r = loadRouting({ ...ENV, ROUTING_FILE: path.resolve(__dirname, '../../config/routing.example.json') });
    expect(r.policy.skills.length).toBeGreaterThan(1);
  });
});
