import { DEFAULT_ROUTING } from '../../src/domain/routing-policy';
import { resolveRouting } from '../../src/routing/config';
import type { AgentSnapshot, QueueRequest, RouterSettings } from '../../src/routing/contract';
import { estimateArrivals, medianOr } from '../../src/routing/eta';
import {
  agentStatus,
  dequeue,
  enqueue,
  expireOffers,
  handled,
  initialRouterState,
  offerEnded,
  route,
  snapshot,
  type RouterState,
} from '../../src/routing/router-state';
import type { Priority } from '../../src/workflows/contract';

const T0 = '2026-03-02T09:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const MIN = 60_000;
const ENV = { OFFER_TIMEOUT_SECONDS: 30, ABANDON_AFTER_SECONDS: 120, AVERAGE_HANDLE_SECONDS: 300 };

function settings(over: Partial<RouterSettings> = {}): RouterSettings {
  return { ...resolveRouting({}, ENV).router, ...over };
}

function router(over: Partial<RouterSettings> = {}): RouterState {
  return initialRouterState({ skill: 'general', taskQueue: 'tq', settings: settings(over) }, 'router-general', T0);
}

function req(id: string, priority: Priority, waitingSince: string, language: 'en' | 'zh' = 'en'): QueueRequest {
  return { conversationId: id, customerId: `cust-${id}`, tier: 'regular', language, priority, reasons: ['explicit_request'], waitingSince };
}

function agent(id: string, over: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    agentId: id,
    name: id,
    presence: 'online',
    used: 0,
    capacity: 2,
    activeSince: [],
    skills: [{ skill: 'general', level: 3 }],
    languages: ['en', 'zh'],
    performance: { samples: 0 },
    recentMisses: [],
    since: T0,
    version: 1,
    ...over,
  };
}

const order = (s: RouterState) => s.queue.map((q) => q.conversationId);

describe('router: queue order (earliest service-level deadline first)', () => {
  it('serves by deadline = waiting since + the priority target, then by wait', () => {
    let s = router();
    s = enqueue(s, req('normal-early', 'normal', T0), T0);
    s = enqueue(s, req('high-later', 'high', at(60)), at(60));
    s = enqueue(s, req('urgent-latest', 'urgent', at(120)), at(120));
    s = enqueue(s, req('low', 'low', at(10)), at(10));
    expect(order(s)).toEqual(['urgent-latest', 'high-later', 'normal-early', 'low']);
  });

  it('never lets a same- or lower-priority arrival move anyone back', () => {
    let s = router();
    for (let i = 0; i < 11; i++) s = enqueue(s, req(`c${i}`, 'normal', at(i)), at(i));
    const before = snapshot(s).entries.find((e) => e.conversationId === 'c10')!.position;
    s = enqueue(s, req('late-normal', 'normal', at(60)), at(60));
    s = enqueue(s, req('late-low', 'low', at(61)), at(61));
    expect(snapshot(s).entries.find((e) => e.conversationId === 'c10')!.position).toBe(before);
  });

  it('never lets a newcomer overtake someone already past their target', () => {
    let s = router();
    s = enqueue(s, req('waited-16min', 'normal', T0), T0);
    // 16 minutes later: the normal one is past its 15-minute target; an urgent arrival's deadline is now.
    s = enqueue(s, req('urgent-now', 'urgent', at(16 * 60)), at(16 * 60));
    expect(order(s)).toEqual(['waited-16min', 'urgent-now']);
    // Within the target, the urgent one does go first.
    let t = enqueue(router(), req('waited-1min', 'normal', T0), T0);
    t = enqueue(t, req('urgent-now', 'urgent', at(60)), at(60));
    expect(order(t)).toEqual(['urgent-now', 'waited-1min']);
  });

  it('treats enqueue as an upsert (a re-sent or re-prioritised entry keeps its declines)', () => {
    let s = enqueue(router(), req('a', 'normal', T0), T0);
    s = { ...s, queue: [{ ...s.queue[0], declined: [{ agentId: 'x', at: T0 }] }] };
    s = enqueue(s, req('a', 'high', T0), at(5));
    expect(s.queue).toHaveLength(1);
    expect(s.queue[0]).toMatchObject({ priority: 'high', declined: [{ agentId: 'x', at: T0 }], enqueuedAt: T0 });
  });
});

describe('router: push assignment', () => {
  it('offers the head of the queue to an eligible agent, at most one offer per agent', () => {
    let s = agentStatus(agentStatus(router(), agent('ann')), agent('bob'));
    for (const id of ['c1', 'c2', 'c3']) s = enqueue(s, req(id, 'normal', T0), T0);
    const r = route(s, at(1));
    expect(r.effects.map((e) => (e.kind === 'offer' ? [e.agentId, e.offer.conversationId] : e.kind))).toEqual([
      ['ann', 'c1'],
      ['bob', 'c2'],
    ]);
    expect(r.state.offers).toHaveLength(2);
    expect(r.effects[0]).toMatchObject({ offer: { offerId: 'general:1', routerId: 'router-general', expiresAt: at(31) } });
    // A second pass makes no new offers while those are pending.
    expect(route(r.state, at(2)).effects).toEqual([]);
  });

  it('skips agents who are offline, away, full or without the skill', () => {
    let s = router();
    s = agentStatus(s, agent('off', { presence: 'offline' }));
    s = agentStatus(s, agent('away', { presence: 'away' }));
    s = agentStatus(s, agent('full', { used: 2 }));
    s = agentStatus(s, agent('other', { skills: [{ skill: 'refunds', level: 5 }] }));
    s = enqueue(s, req('c1', 'normal', T0), T0);
    expect(route(s, at(1)).effects).toEqual([]);
    expect(s.roster.map((a) => a.agentId)).toEqual(['off', 'away', 'full']);
  });

  it('moves a declined or timed-out conversation to the next agent, and not back to the same one during the cooldown', () => {
    let s = agentStatus(agentStatus(router({ strategy: 'round_robin' }), agent('ann')), agent('bob'));
    s = enqueue(s, req('c1', 'normal', T0), T0);
    let r = route(s, at(1));
    expect(r.effects).toEqual([expect.objectContaining({ agentId: 'ann' })]);
    s = offerEnded(r.state, { offerId: 'general:1', conversationId: 'c1', agentId: 'ann', outcome: 'timeout' }, at(31));
    r = route(s, at(31));
    expect(r.effects).toEqual([expect.objectContaining({ agentId: 'bob' })]);
    s = offerEnded(r.state, { offerId: 'general:2', conversationId: 'c1', agentId: 'bob', outcome: 'declined' }, at(40));
    // Both declined within two minutes: nobody is offered it for now…
    expect(route(s, at(41)).effects).toEqual([]);
    // …and once the cooldown is over it goes round again.
    expect(route(s, at(31 + 120)).effects).toEqual([expect.objectContaining({ agentId: 'ann' })]);
  });

  it('counts an offer nobody answered long after it expired as lapsed', () => {
    let s = enqueue(agentStatus(router(), agent('ann')), req('c1', 'normal', T0), T0);
    s = route(s, T0).state;
    expect(expireOffers(s, at(30 + 29)).offers).toHaveLength(1);
    const lapsed = expireOffers(s, at(30 + 30));
    expect(lapsed.offers).toEqual([]);
    expect(lapsed.queue[0].declined).toEqual([{ agentId: 'ann', at: at(60) }]);
  });

  it('withdraws a pending offer when the conversation leaves the queue another way, and learns accept time when it is accepted', () => {
    let s = enqueue(agentStatus(router(), agent('ann')), req('c1', 'normal', T0), T0);
    s = enqueue(s, req('c2', 'normal', T0), T0);
    s = agentStatus(s, agent('bob'));
    s = route(s, T0).state;
    const claimedElsewhere = dequeue(s, { conversationId: 'c1', reason: 'assigned', agentId: 'carol' }, at(3));
    expect(claimedElsewhere.effects).toEqual([{ kind: 'withdraw', agentId: 'ann', offerId: 'general:1' }]);
    const accepted = dequeue(claimedElsewhere.state, { conversationId: 'c2', reason: 'assigned', agentId: 'bob' }, at(8));
    expect(accepted.effects).toEqual([]);
    expect(accepted.state.acceptSamples).toEqual([8000]);
    expect(accepted.state.queue).toEqual([]);
  });

  it('ignores an agent report older than the one it has', () => {
    let s = agentStatus(router(), agent('ann', { version: 5, used: 1 }));
    s = agentStatus(s, agent('ann', { version: 4, used: 0 }));
    expect(s.roster[0].used).toBe(1);
  });
});

describe('router: honest estimates', () => {
  it('gives no estimate when nobody who could take it is online', () => {
    let s = agentStatus(router(), agent('ann', { presence: 'offline' }));
    s = enqueue(s, req('c1', 'urgent', T0), T0);
    const snap = snapshot(route(s, T0).state);
    expect(snap.entries[0].etaAt).toBeUndefined();
    expect(snap.agents).toMatchObject({ online: 0, offline: 1 });
  });

  it('waits for the end of a full agent’s conversation, from its real start and the measured handle time', () => {
    let s = router();
    for (let i = 0; i < 5; i++) s = handled(s, { handleMs: 4 * MIN });
    // The only agent is full: one conversation started 30 s ago, capacity 1.
    s = agentStatus(s, agent('vera', { capacity: 1, used: 1, activeSince: [at(-30)] }));
    s = enqueue(s, req('vip-1', 'urgent', T0), T0);
    const snap = snapshot(route(s, T0).state);
    expect(snap.handleMeasured).toBe(true);
    expect(snap.handleMs).toBe(4 * MIN);
    // 4 minutes from the start of the current conversation, plus the accept time (10 s assumed).
    expect(Date.parse(snap.entries[0].etaAt!) - Date.parse(T0)).toBe(4 * MIN - 30_000 + 10_000);
  });

  it('counts down: the same queue a minute later expects the agent a minute sooner', () => {
    let s = agentStatus(router(), agent('vera', { capacity: 1, used: 1, activeSince: [T0] }));
    s = enqueue(s, req('c1', 'normal', T0), T0);
    const eta0 = snapshot(route(s, at(0)).state).entries[0].etaAt!;
    const eta60 = snapshot(route(s, at(60)).state).entries[0].etaAt!;
    expect(eta60).toBe(eta0);
    const left = (now: string, eta: string) => Date.parse(eta) - Date.parse(now);
    expect(left(at(60), eta60)).toBe(left(at(0), eta0) - 60_000);
  });
});

describe('eta simulation', () => {
  const base = { handleMs: 300_000, acceptMs: 10_000, overdueFraction: 0.25, nowMs: 0 };
  it('spreads the queue over free slots, then over slots as they free up', () => {
    const eta = estimateArrivals({ ...base, agents: [{ capacity: 2, used: 0, activeSince: [] }], count: 4 });
    expect(eta).toEqual([10_000, 10_000, 320_000, 320_000]);
  });

  it('assumes a share of a handle time is left for a conversation past its expected end', () => {
    const eta = estimateArrivals({ ...base, nowMs: 1_000_000, agents: [{ capacity: 1, used: 1, activeSince: [new Date(0).toISOString()] }], count: 1 });
    expect(eta).toEqual([1_000_000 + 75_000 + 10_000]);
  });

  it('treats offered or reserved slots as busy from now', () => {
    expect(estimateArrivals({ ...base, agents: [{ capacity: 1, used: 1, activeSince: [] }], count: 1 })).toEqual([310_000]);
  });

  it('says nothing without capacity', () => {
    expect(estimateArrivals({ ...base, agents: [], count: 2 })).toEqual([undefined, undefined]);
  });

  it('uses the median once there are enough samples', () => {
    expect(medianOr([1, 2, 3, 4], 99)).toBe(99);
    expect(medianOr([5, 1, 3, 2, 4], 99)).toBe(3);
    expect(medianOr([1, 2, 3, 4, 5, 6], 99)).toBe(4);
  });
});

describe('router defaults', () => {
  it('uses the routing policy’s service-level targets', () => {
    expect(router().settings.queueTargetsMs).toEqual(DEFAULT_ROUTING.queueTargetsMs);
  });
});

describe('router: the estimate of an offered conversation', () => {
  it('is the usual accept time, then the latest the agent can still answer — never "now" while the offer is open', () => {
    let s = enqueue(agentStatus(router(), agent('ann')), req('c1', 'normal', T0), T0);
    s = route(s, T0).state;
    expect(snapshot({ ...s, asOf: at(5) }).entries[0].etaAt).toBe(at(10));
    expect(snapshot({ ...s, asOf: at(15) }).entries[0].etaAt).toBe(at(30));
  });
});
