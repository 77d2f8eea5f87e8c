/**
 * Tool timeouts come from configuration (TOOL_TIMEOUT_MS): a slow but working
 * backend within it is an answer, not a failure. The HTTP timeout used to be
 * a hard-coded 5 s, so a 6 s backend was reported as an outage.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivitiesFromConfig, toolHttpTimeoutMs } from '../../src/activities';
import { InProcessBus } from '../../src/bus/in-process';
import { startCommerceServer, type CommerceServer } from '../../src/commerce';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { ErrorCode } from '../../src/workflows/contract';
import { resolvePolicy, policyFromConfig } from '../../src/domain';

const quietSdk = new DefaultLogger('ERROR', () => undefined);
const env = () => new MockActivityEnvironment({ activityId: '1', attempt: 1, activityType: 'getOrder', workflowExecution: { workflowId: 'conversation-timeout-test', runId: 'r' } }, { logger: quietSdk });

describe('tool timeouts from configuration', () => {
  let commerce: CommerceServer;
  beforeAll(async () => {
    commerce = await startCommerceServer({ port: 0 });
  });
  afterAll(async () => {
    await commerce.close();
  });
  afterEach(() => {
    commerce.faults.reset();
  });

  const activitiesFor = (vars: Record<string, string>) =>
    createActivitiesFromConfig(loadConfig({ LOG_LEVEL: 'silent', ...vars }), { bus: new InProcessBus(), logger: createLogger({ level: 'silent' }), toolsBaseUrl: commerce.url });

  it('sets the HTTP timeout half a second under the activity timeout, and the workflow policy from the same variable', () => {
    expect(toolHttpTimeoutMs(loadConfig({}))).toBe(9500);
    expect(toolHttpTimeoutMs(loadConfig({ TOOL_TIMEOUT_MS: '3000' }))).toBe(2500);
    expect(resolvePolicy(policyFromConfig(loadConfig({ TOOL_TIMEOUT_MS: '3000' }))).toolTimeoutMs).toBe(3000);
    expect(() => loadConfig({ TOOL_TIMEOUT_MS: '10' })).toThrow(/TOOL_TIMEOUT_MS/);
  });

  it('answers from a backend that takes 6 s with the default configuration', async () => {
    commerce.faults.set({ latencyMs: 6000, routes: ['/orders/**'] });
    const activities = activitiesFor({});
    const order = await env().run(activities.getOrder, { orderNumber: '100000000001' });
    expect((order as { orderNumber: string }).orderNumber).toBe('100000000001');
  }, 20_000);

  it('reports a backend slower than the configured timeout as unavailable (retryable)', async () => {
    commerce.faults.set({ latencyMs: 3000, routes: ['/orders/**'] });
    const activities = activitiesFor({ TOOL_TIMEOUT_MS: '2000' });
    const err = await env().run(activities.getOrder, { orderNumber: '100000000001' }).then(() => undefined, (e: unknown) => e as { type?: string; nonRetryable?: boolean });
    expect(err).toMatchObject({ type: ErrorCode.ToolUnavailable, nonRetryable: false });
  }, 20_000);
});
