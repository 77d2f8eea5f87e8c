import { ApplicationFailure } from '@temporalio/common';
import request from 'supertest';
import { createMetrics, instrumentActivities } from '../../src/metrics';
import { ErrorCode, type DeskNote } from '../../src/workflows/contract';
import { startHarness, TestSocket } from './harness';

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>): Promise<number> {
  // Histograms answer as <name>_sum / <name>_count.
  const base = name.replace(/_(sum|count)$/, '');
  const metric = await metrics.registry.getSingleMetric(base)!.get();
  const wanted = (v: { metricName?: string }) => base === name || v.metricName === name;
  return metric.values.find((v) => wanted(v as { metricName?: string }) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('instrumentActivities', () => {
  it('counts failed tool attempts by tool and type, and intent layers, without changing results or errors', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const failure = ApplicationFailure.create({ type: ErrorCode.ToolUnavailable, message: 'backend down' });
    const activities = instrumentActivities(
      {
        getOrder: async (input: { orderNumber: string }) => {
          if (input.orderNumber === 'bad') throw failure;
          return { orderNumber: input.orderNumber };
        },
        cancelOrder: async () => {
          throw new Error('plain');
        },
        understand: async () => ({ intent: 'track_order', layer: 'rule' }) as any,
        publishEvent: async () => undefined,
      },
      metrics,
    );
    await expect(activities.getOrder({ orderNumber: '1' })).resolves.toEqual({ orderNumber: '1' });
    await expect(activities.getOrder({ orderNumber: 'bad' })).rejects.toBe(failure);
    await expect(activities.getOrder({ orderNumber: 'bad' })).rejects.toBe(failure);
    await expect(activities.cancelOrder()).rejects.toThrow('plain');
    await expect(activities.understand()).resolves.toEqual({ intent: 'track_order', layer: 'rule' });
    await expect(activities.publishEvent()).resolves.toBeUndefined();

    expect(await value(metrics, 'switchboard_tool_failures_total', { tool: 'getOrder', type: 'tool_unavailable' })).toBe(2);
    expect(await value(metrics, 'switchboard_tool_failures_total', { tool: 'cancelOrder', type: 'error' })).toBe(1);
    expect(await value(metrics, 'switchboard_intent_layer_hits_total', { layer: 'rule' })).toBe(1);
  });

  it('counts each escalation once even when its event repeats, and releases, transfers and re-queues not at all', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const escalation = { reasons: ['explicit_request', 'negative_emotion'] as ('explicit_request' | 'negative_emotion')[], priority: 'high' as const, skill: 'general', at: '2025-01-01T00:00:00Z' };
    const event = {
      kind: 'status' as const,
      conversationId: 'c',
      phase: 'queued' as const,
      escalation,
      desk: [{ kind: 'escalated' as const, reasons: escalation.reasons, priority: 'high' as const, skill: 'general' }],
    };
    metrics.observeEvent(event);
    metrics.observeEvent(event);
    metrics.observeEvent({ ...event, phase: 'human', desk: undefined });
    // An agent puts it back in the queue: a status with the escalation, a release note, no escalation note.
    metrics.observeEvent({ ...event, desk: [{ kind: 'released', to: 'queue' }] });
    metrics.observeEvent({ ...event, desk: [{ kind: 'transferred', from: 'general', to: 'refunds' }] });
    expect(await value(metrics, 'switchboard_escalations_total', { reason: 'explicit_request' })).toBe(1);
    expect(await value(metrics, 'switchboard_escalations_total', { reason: 'negative_emotion' })).toBe(1);
    expect(await value(metrics, 'switchboard_escalated_conversations_total', { skill: 'general', priority: 'high' })).toBe(1);
    expect(await value(metrics, 'switchboard_agent_releases_total', { to: 'queue' })).toBe(1);
    expect(await value(metrics, 'switchboard_agent_transfers_total', { from: 'general', to: 'refunds' })).toBe(1);
  });

  it('gives the desk figures: started, closed by outcome, waits with abandoned ones, first response, handle time, turns, SLA, agents', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const status = (conversationId: string, desk: DeskNote[]) => metrics.observeEvent({ kind: 'status', conversationId, phase: 'ai', desk });
    status('a', [{ kind: 'started', tier: 'regular' }]);
    status('b', [{ kind: 'started', tier: 'vip' }]);
    status('a', [{ kind: 'closed', outcome: 'ai_resolved', aiTurns: 3, customerTurns: 3 }]);
    status('b', [{ kind: 'left_queue', outcome: 'abandoned', skill: 'vip', waitMs: 150_000 }, { kind: 'closed', outcome: 'abandoned', aiTurns: 1, customerTurns: 2 }]);
    status('c', [{ kind: 'assigned', agentId: 'ann', skill: 'general', waitMs: 40_000 }]);
    status('c', [{ kind: 'sla', steps: ['remind'], period: 1, tier: 'regular', skill: 'general', waitMs: 600_000 }]);
    status('c', [{ kind: 'sla', steps: ['alert'], period: 2, tier: 'regular', skill: 'general', waitMs: 1_200_000 }]);
    metrics.observeEvent({
      kind: 'message',
      conversationId: 'c',
      entry: { seq: 9, from: 'agent', text: 'hi', at: '2025-01-01T00:00:00Z' },
      desk: [{ kind: 'first_response', agentId: 'ann', ms: 12_000 }],
    });
    status('c', [{ kind: 'handled', agentId: 'ann', skill: 'general', handleMs: 300_000, outcome: 'resolved' }]);
    metrics.observeEvent({ kind: 'agent', agentId: 'ann', presence: 'online', status: 'online', load: 1, capacity: 3, at: '2025-01-01T00:00:00Z' });
    metrics.observeEvent({ kind: 'agent', agentId: 'bo', presence: 'away', status: 'away', load: 0, capacity: 2, at: '2025-01-01T00:00:00Z' });
    expect(await value(metrics, 'switchboard_conversations_started_total', { tier: 'vip' })).toBe(1);
    expect(await value(metrics, 'switchboard_conversations_closed_total', { outcome: 'ai_resolved' })).toBe(1);
    expect(await value(metrics, 'switchboard_conversations_closed_total', { outcome: 'abandoned' })).toBe(1);
    expect(await value(metrics, 'switchboard_queue_wait_seconds_count', { outcome: 'abandoned', skill: 'vip' })).toBe(1);
    expect(await value(metrics, 'switchboard_queue_wait_seconds_sum', { outcome: 'assigned', skill: 'general' })).toBe(40);
    expect(await value(metrics, 'switchboard_first_response_seconds_sum', {})).toBe(12);
    expect(await value(metrics, 'switchboard_handle_seconds_sum', { skill: 'general', outcome: 'resolved' })).toBe(300);
    expect(await value(metrics, 'switchboard_turns_per_conversation_sum', { speaker: 'customer' })).toBe(5);
    expect(await value(metrics, 'switchboard_sla_breaches_total', { tier: 'regular', skill: 'general' })).toBe(1);
    expect(await value(metrics, 'switchboard_sla_steps_total', { step: 'alert' })).toBe(1);
    expect(await value(metrics, 'switchboard_agents', { presence: 'online' })).toBe(1);
    expect(await value(metrics, 'switchboard_agents', { presence: 'away' })).toBe(1);
    expect(await value(metrics, 'switchboard_agent_load', { agent: 'ann' })).toBe(1);
  });
});

describe('socket gauge and heartbeats', () => {
  it('counts open sockets and terminates a client that stops answering pings', async () => {
    const h = await startHarness({}, { deps: { options: { heartbeatMs: 100, queueRefreshMs: 60_000, ackTimeoutMs: 3000 } } });
    try {
      const c = (await request(h.gateway.app).post('/api/conversations').send({}).expect(201)).body;
      const ws = await TestSocket.open(`${h.wsUrl}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`);
      await ws.waitFor((f) => f.type === 'status');
      expect(await value(h.metrics, 'switchboard_websocket_connections', { kind: 'customer' })).toBe(1);
      // A paused client reads nothing, so it never answers the server's pings.
      ws.ws.pause();
      const deadline = Date.now() + 5000;
      while (h.gateway.wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(h.gateway.wss.clients.size).toBe(0);
      expect(await value(h.metrics, 'switchboard_websocket_connections', { kind: 'customer' })).toBe(0);
      ws.ws.terminate();
    } finally {
      await h.close();
    }
  });
});
