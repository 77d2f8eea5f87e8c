import { ApplicationFailure } from '@temporalio/common';
import request from 'supertest';
import { createMetrics, instrumentActivities } from '../../src/metrics';
import { ErrorCode } from '../../src/workflows/contract';
import { startHarness, TestSocket } from './harness';

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
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

  it('counts each escalation once even when its status event repeats', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const escalation = { reasons: ['explicit_request', 'negative_emotion'] as const, priority: 'high' as const, skill: 'general' as const, at: '2025-01-01T00:00:00Z' };
    const event = { kind: 'status' as const, conversationId: 'c', phase: 'queued' as const, escalation: { ...escalation, reasons: [...escalation.reasons] } };
    metrics.observeEvent(event);
    metrics.observeEvent(event);
    metrics.observeEvent({ ...event, phase: 'human' });
    expect(await value(metrics, 'switchboard_escalations_total', { reason: 'explicit_request' })).toBe(1);
    expect(await value(metrics, 'switchboard_escalations_total', { reason: 'negative_emotion' })).toBe(1);
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
