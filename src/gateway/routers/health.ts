/**
 * Service endpoints: liveness, readiness (Temporal reachable, Switchboard's
 * search attributes registered — or registered again — and, when this
 * process runs one, the worker polling) and Prometheus metrics.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { SearchAttributeGuard } from '../../temporal/search-attributes';
import type { Phase } from '../../workflows/contract';
import { phaseQuery } from '../visibility';

export interface HealthRouterOptions {
  client: Client;
  metrics: Metrics;
  logger: Logger;
  /** Whether this process's worker is polling; omitted when the gateway runs alone. */
  workerRunning?: () => boolean;
  /** Registers the search attributes again when Temporal lost them; omitted in router tests with a fake client. */
  searchAttributes?: Pick<SearchAttributeGuard, 'ensure'>;
  /** Deadline of the Temporal probe. */
  probeTimeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createHealthRouter({ client, metrics, logger, workerRunning, searchAttributes, probeTimeoutMs = 2000 }: HealthRouterOptions): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await withTimeout(client.workflowService.getSystemInfo({}), probeTimeoutMs);
      checks.temporal = { ok: true };
    } catch (error) {
      checks.temporal = { ok: false, detail: 'Temporal is not reachable' };
      logger.warn({ err: error }, 'readiness: Temporal probe failed');
    }
    if (checks.temporal.ok && searchAttributes) {
      // Missing attributes fail this probe (Temporal lost its state) and are registered again for the next one.
      const sa = await searchAttributes.ensure();
      checks.searchAttributes = sa.ok ? { ok: true } : { ok: false, detail: sa.detail };
      if (!sa.ok) logger.warn({ reregistered: sa.reregistered, detail: sa.detail }, 'readiness: search attributes');
    }
    if (workerRunning) {
      const running = workerRunning();
      checks.worker = running ? { ok: true } : { ok: false, detail: 'the worker is not polling' };
    }
    const ready = Object.values(checks).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  router.get('/metrics', async (_req, res) => {
    try {
      await withTimeout(
        metrics.refreshPhases(async (phase: Phase) => (await client.workflow.count(phaseQuery(phase))).count),
        probeTimeoutMs,
      );
    } catch (error) {
      // The other metrics are still worth serving; the phase gauge keeps its last values.
      logger.warn({ err: error }, 'metrics: could not count conversations by phase');
    }
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  return router;
}
