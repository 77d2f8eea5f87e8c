import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { serveMetrics } from '../../worker';
import { createMetrics, instrumentActivities } from '../../src/metrics';
import { ErrorCode } from '../../src/workflows/contract';

describe('standalone worker metrics endpoint', () => {
  it('serves the activity counters on GET /metrics and 404 elsewhere', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const activities = instrumentActivities(
      {
        getOrder: async (_input: { orderNumber: string }) => {
          throw ApplicationFailure.create({ type: ErrorCode.ToolUnavailable, message: 'backend down' });
        },
      },
      metrics,
    );
    await expect(activities.getOrder({ orderNumber: '100000000001' })).rejects.toThrow('backend down');

    const server = await serveMetrics(metrics, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(/switchboard_tool_failures_total\{[^}]*tool="getOrder"[^}]*\} 1/);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
