import {
  agentSnapshot,
  agentView,
  initialAgentState,
  nextAgentDeadline,
  offerRejection,
  performanceOf,
  receiveOffer,
  recordConnection,
  releaseSlot,
  reserve,
  reserveRejection,
  respondOffer,
  setStatus,
  slotEvent,
  tick,
  withdrawOffer,
  type AgentEntityState,
  type AgentStep,
} from '../../src/routing/agent-state';
import { RoutingErrorCode, type AgentSettings, type OfferRequest } from '../../src/routing/contract';

const T0 = '2026-03-02T09:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const SETTINGS: AgentSettings = { offerTimeoutMs: 30_000, reservationTtlMs: 60_000, presenceLeaseMs: 90_000, awayAfterMissedOffers: 2, historySize: 50 };

function agent(maxConcurrent = 2): AgentEntityState {
  return initialAgentState(
    {
      profile: { id: 'alice', name: 'Alice', role: 'agent', skills: [{ skill: 'general', level: 4 }], languages: ['en', 'zh'], maxConcurrent },
      settings: SETTINGS,
      taskQueue: 'tq',
    },
    T0,
  );
}

function online(s = agent(), when = T0): AgentEntityState {
  return recordConnection(s, { connectionId: 'sock-1', state: 'open' }, when).state;
}

function offer(id: string, conversationId = `c-${id}`): OfferRequest {
  return {
    offerId: id,
    conversationId,
    skill: 'general',
    priority: 'normal',
    tier: 'regular',
    language: 'en',
    waitingSince: T0,
    expiresAt: at(30),
    reasons: ['explicit_request'],
    routerId: 'router-general',
  };
}

const kinds = (step: AgentStep) => step.effects.map((e) => (e.kind === 'publish' ? `publish:${e.event.kind}` : e.kind === 'offerEnded' ? `offerEnded:${e.ended.outcome}` : e.kind));

describe('agent entity: capacity', () => {
  it('refuses a slot beyond maxConcurrent, counting claims, offers and active conversations alike', () => {
    let s = online(agent(2));
    expect(reserveRejection(s, { conversationId: 'c1', skill: 'general' })).toBeUndefined();
    s = reserve(s, { conversationId: 'c1', skill: 'general' }, T0).state;
    s = receiveOffer(s, offer('o1'), T0).state;
    expect(s.slots.map((x) => x.state)).toEqual(['reserved', 'offered']);
    expect(reserveRejection(s, { conversationId: 'c3', skill: 'general' })).toBe(RoutingErrorCode.AtCapacity);
    // A retried claim of a conversation already held is not a new slot.
    expect(reserveRejection(s, { conversationId: 'c1', skill: 'general' })).toBeUndefined();
    expect(reserve(s, { conversationId: 'c1', skill: 'general' }, T0).state.slots).toHaveLength(2);
  });

  it('takes no new claim from an agent who chose away or offline; one who never opened a socket may still claim', () => {
    const never = agent(2);
    expect(never.presence).toBe('offline');
    expect(reserveRejection(never, { conversationId: 'c1', skill: 'general' })).toBeUndefined();
    const away = setStatus(online(), 'away', T0).state;
    expect(reserveRejection(away, { conversationId: 'c1', skill: 'general' })).toBe(RoutingErrorCode.NotAvailable);
    expect(reserveRejection(setStatus(never, 'offline', T0).state, { conversationId: 'c1', skill: 'general' })).toBe(RoutingErrorCode.NotAvailable);
  });

  it('a claim of the conversation the agent was offered takes the offer slot instead of a second one', () => {
    let s = receiveOffer(online(agent(1)), offer('o1', 'c1'), T0).state;
    expect(reserveRejection(s, { conversationId: 'c1', skill: 'general' })).toBeUndefined();
    s = reserve(s, { conversationId: 'c1', skill: 'general' }, at(5)).state;
    expect(s.slots).toEqual([expect.objectContaining({ conversationId: 'c1', state: 'reserved' })]);
  });

  it('turns a reserved slot active when the conversation confirms, and frees it with a history record when it ends', () => {
    let s = reserve(online(), { conversationId: 'c1', skill: 'general' }, T0).state;
    s = slotEvent(s, { conversationId: 'c1', kind: 'assigned', skill: 'general' }, at(2)).state;
    expect(s.slots[0]).toMatchObject({ state: 'active', since: at(2) });
    expect(s.slots[0].expiresAt).toBeUndefined();
    const ended = slotEvent(s, { conversationId: 'c1', kind: 'ended', skill: 'general', outcome: 'resolved', handleMs: 240_000 }, at(242));
    expect(ended.state.slots).toEqual([]);
    expect(ended.state.history).toEqual([{ conversationId: 'c1', skill: 'general', handleMs: 240_000, outcome: 'resolved', at: at(242) }]);
    expect(kinds(ended)).toEqual(['handled', 'report', 'publish:agent']);
  });

  it('lets a reservation the conversation never confirmed lapse', () => {
    let s = reserve(online(), { conversationId: 'c1', skill: 'general' }, T0).state;
    expect(nextAgentDeadline(s)).toBe(Date.parse(at(60)));
    s = tick(s, at(61)).state;
    expect(s.slots).toEqual([]);
  });

  it('gives a failed claim its slot back at once', () => {
    const s = reserve(online(), { conversationId: 'c1', skill: 'general' }, T0).state;
    expect(releaseSlot(s, 'c1', at(1)).state.slots).toEqual([]);
    // An active conversation is not released by a stale claim's clean-up.
    const active = slotEvent(s, { conversationId: 'c1', kind: 'assigned', skill: 'general' }, at(1)).state;
    expect(releaseSlot(active, 'c1', at(2)).state.slots).toHaveLength(1);
  });

  it('takes an operator assignment even without a slot (people outrank the count)', () => {
    let s = online(agent(1));
    s = reserve(s, { conversationId: 'c1', skill: 'general' }, T0).state;
    s = slotEvent(s, { conversationId: 'c2', kind: 'assigned', skill: 'general' }, T0).state;
    expect(s.slots).toHaveLength(2);
  });
});

describe('agent entity: presence', () => {
  it('is offline until a socket opens, online while one is live, offline again when the last closes', () => {
    let s = agent();
    expect(s.presence).toBe('offline');
    const opened = recordConnection(s, { connectionId: 'a', state: 'open' }, T0);
    expect(opened.state.presence).toBe('online');
    expect(kinds(opened)).toEqual(['publish:agent', 'report']);
    s = recordConnection(opened.state, { connectionId: 'b', state: 'open' }, T0).state;
    s = recordConnection(s, { connectionId: 'a', state: 'closed' }, at(5)).state;
    expect(s.presence).toBe('online');
    s = recordConnection(s, { connectionId: 'b', state: 'closed' }, at(6)).state;
    expect(s.presence).toBe('offline');
  });

  it('treats a socket whose gateway stopped reporting as gone once its lease lapses', () => {
    let s = online();
    s = recordConnection(s, { connectionId: 'sock-1', state: 'alive' }, at(60)).state;
    expect(nextAgentDeadline(s)).toBe(Date.parse(at(150)));
    expect(tick(s, at(149)).state.presence).toBe('online');
    s = tick(s, at(150)).state;
    expect(s.presence).toBe('offline');
    expect(s.connections).toEqual([]);
  });

  it('follows the chosen status: away keeps the socket but takes no work, offline wins over a socket', () => {
    let s = online();
    s = setStatus(s, 'away', at(1)).state;
    expect(s.presence).toBe('away');
    expect(receiveOffer(s, offer('o1'), at(2)).effects).toEqual([
      { kind: 'offerEnded', routerId: 'router-general', ended: { offerId: 'o1', conversationId: 'c-o1', agentId: 'alice', outcome: 'unavailable' } },
    ]);
    s = setStatus(s, 'offline', at(3)).state;
    expect(s.presence).toBe('offline');
    s = recordConnection(s, { connectionId: 'sock-2', state: 'open' }, at(4)).state;
    expect(s.presence).toBe('offline');
    expect(setStatus(s, 'online', at(5)).state.presence).toBe('online');
  });

  it('gives back pending offers when the agent stops being online', () => {
    const s = receiveOffer(online(), offer('o1'), T0).state;
    const away = setStatus(s, 'away', at(1));
    expect(away.state.slots).toEqual([]);
    expect(kinds(away)).toEqual(['publish:agent', 'report', 'publish:offer_ended', 'offerEnded:unavailable']);
  });
});

describe('agent entity: offers', () => {
  it('holds a slot for an offer and tells the agent', () => {
    const step = receiveOffer(online(), offer('o1'), T0);
    expect(step.state.slots[0]).toMatchObject({ state: 'offered', offerId: 'o1', expiresAt: at(30), routerId: 'router-general' });
    expect(kinds(step)).toEqual(['publish:offer', 'report']);
    expect(receiveOffer(step.state, offer('o1'), T0).effects).toEqual([]);
  });

  it('refuses an offer when full or not online', () => {
    const full = reserve(online(agent(1)), { conversationId: 'x', skill: 'general' }, T0).state;
    expect(kinds(receiveOffer(full, offer('o1'), T0))).toEqual(['offerEnded:unavailable']);
    expect(kinds(receiveOffer(agent(), offer('o1'), T0))).toEqual(['offerEnded:unavailable']);
  });

  it('accepts: the slot stays held while the claim lands', () => {
    const s = receiveOffer(online(), offer('o1', 'c9'), T0).state;
    expect(offerRejection(s, { offerId: 'o1', accept: true }, Date.parse(at(10)))).toBeUndefined();
    const r = respondOffer(s, { offerId: 'o1', accept: true }, at(10));
    expect(r.answer).toEqual({ conversationId: 'c9', skill: 'general' });
    expect(r.state.slots[0]).toMatchObject({ state: 'accepting', expiresAt: at(70) });
    expect(r.effects).toEqual([]);
    expect(offerRejection(r.state, { offerId: 'o1', accept: true }, Date.parse(at(11)))).toBe(RoutingErrorCode.OfferNotFound);
  });

  it('declines: the slot is freed and the router told', () => {
    const s = receiveOffer(online(), offer('o1'), T0).state;
    const r = respondOffer(s, { offerId: 'o1', accept: false }, at(3));
    expect(r.state.slots).toEqual([]);
    expect(r.state.recentMisses).toEqual([at(3)]);
    expect(kinds(r)).toEqual(['publish:offer_ended', 'offerEnded:declined', 'report']);
  });

  it('refuses answers to unknown or expired offers', () => {
    const s = receiveOffer(online(), offer('o1'), T0).state;
    expect(offerRejection(s, { offerId: 'nope', accept: true }, Date.parse(T0))).toBe(RoutingErrorCode.OfferNotFound);
    expect(offerRejection(s, { offerId: 'o1', accept: true }, Date.parse(at(30)))).toBe(RoutingErrorCode.OfferNotFound);
  });

  it('times an unanswered offer out, and sets the agent away after two in a row', () => {
    let s = receiveOffer(online(), offer('o1'), T0).state;
    const first = tick(s, at(30));
    expect(kinds(first)).toEqual(['publish:offer_ended', 'offerEnded:timeout', 'report']);
    expect(first.state.missedOffers).toBe(1);
    expect(first.state.presence).toBe('online');
    s = receiveOffer(first.state, offer('o2'), at(31)).state;
    s = tick(s, at(61)).state;
    expect(s.missedOffers).toBe(2);
    expect(s.status).toBe('away');
    expect(s.presence).toBe('away');
    // Choosing online again starts the count afresh.
    expect(setStatus(s, 'online', at(70)).state).toMatchObject({ presence: 'online', missedOffers: 0 });
  });

  it('withdraws an offer the router took back, without answering the router', () => {
    const s = receiveOffer(online(), offer('o1'), T0).state;
    const r = withdrawOffer(s, 'o1');
    expect(r.state.slots).toEqual([]);
    expect(kinds(r)).toEqual(['publish:offer_ended', 'report']);
  });
});

describe('agent entity: what it reports', () => {
  it('reports load, capacity, the start of active conversations and its performance', () => {
    let s = online();
    s = reserve(s, { conversationId: 'c1', skill: 'general' }, T0).state;
    s = slotEvent(s, { conversationId: 'c1', kind: 'assigned', skill: 'general' }, at(1)).state;
    s = receiveOffer(s, offer('o2'), at(2)).state;
    expect(agentSnapshot(s, 7)).toMatchObject({ agentId: 'alice', presence: 'online', used: 2, capacity: 2, activeSince: [at(1)], version: 7 });
    expect(agentView(s)).toMatchObject({ load: 1, offered: 1, capacity: 2, presence: 'online', status: 'online' });
  });

  it('measures performance from the agent’s own finished conversations', () => {
    expect(performanceOf([])).toEqual({ samples: 0 });
    const h = (outcome: 'resolved' | 'released_ai' | 'requeued' | 'unresponsive', handleMs: number) => ({ conversationId: 'c', skill: 'general', handleMs, outcome, at: T0 });
    expect(performanceOf([h('resolved', 100), h('released_ai', 300), h('requeued', 200), h('unresponsive', 900)])).toEqual({
      samples: 4,
      resolutionRate: 0.5,
      medianHandleMs: 250,
    });
  });
});
