import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, idempotencyKeyFor, type Activities, type ToolFailureDetails } from '../../src/activities';
import { InProcessBus } from '../../src/bus/in-process';
import { startCommerceServer, type CommerceServer } from '../../src/commerce';
import { createLogger } from '../../src/logger';
import type { Understander } from '../../src/nlu/types';
import { createHttpToolClient } from '../../src/tools/client';
import { ErrorCode } from '../../src/workflows/contract';

const unusedNlu: Understander = {
  understand: () => Promise.reject(new Error('not used in tool tests')),
  classify: () => Promise.reject(new Error('not used in tool tests')),
};

function env(activityId = '7', attempt = 1, runId = 'run-1') {
  return new MockActivityEnvironment({
    activityId,
    attempt,
    activityType: 'tool',
    workflowExecution: { workflowId: 'conversation-tools-test', runId },
  }, { logger: quietSdk });
}

// The SDK logs every failed attempt; the assertions below check them instead.
const quietSdk = new DefaultLogger('ERROR', () => undefined);

/** MockActivityEnvironment.run does not infer the result type from the function. */
function exec<P extends unknown[], R>(e: MockActivityEnvironment, fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
  return e.run(fn, ...args) as Promise<R>;
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('tool activities against the sample commerce backend', () => {
  let commerce: CommerceServer;
  let activities: Activities;

  beforeEach(async () => {
    commerce = await startCommerceServer();
    activities = createActivities({
      tools: createHttpToolClient({ baseUrl: commerce.url, timeoutMs: 500 }),
      nlu: unusedNlu,
      bus: new InProcessBus(),
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await commerce.close();
  });

  it('looks up an order and tracks a shipment', async () => {
    const order = await exec(env(), activities.getOrder, { orderNumber: '100000000001' });
    expect(order).toMatchObject({ orderNumber: '100000000001', status: 'delivered', total: { amount: 59.9 } });
    const shipment = await exec(env(), activities.trackShipment, { orderNumber: '100000000002' });
    expect(shipment.status).toBe('in_transit');
    expect(shipment.events.length).toBeGreaterThan(0);
  });

  it('runs every side-effecting tool', async () => {
    const refund = await exec(env('1'), activities.submitRefund, {
      orderNumber: '100000000001',
      reason: 'arrived broken',
      method: 'original_payment',
    });
    expect(refund).toMatchObject({ status: 'submitted', amount: { amount: 59.9, currency: 'USD' } });
    const rma = await exec(env('2'), activities.createReturn, { orderNumber: '100000000003', type: 'exchange', reason: 'wrong colour' });
    expect(rma.status).toBe('created');
    const repair = await exec(env('3'), activities.createRepair, { orderNumber: '100000000003', description: 'fan noise' });
    expect(repair.status).toBe('scheduled');
    const address = await exec(env('4'), activities.changeAddress, { orderNumber: '100000000004', address: '9 Pine St' });
    expect(address.shippingAddress).toBe('9 Pine St');
    const cancel = await exec(env('5'), activities.cancelOrder, { orderNumber: '100000000004', reason: 'duplicate' });
    expect(cancel.status).toBe('cancelled');
    const ticket = await exec(env('6'), activities.createTicket, {
      conversationId: 'c1',
      customerId: 'cust-1001',
      kind: 'complaint',
      subject: 'Late delivery',
      description: 'Customer is unhappy about the delay',
      priority: 'normal',
    });
    expect(ticket.ticketId).toMatch(/^TK-/);
    // One idempotency record per side-effecting call; reads carry no key.
    expect(commerce.idempotency.size).toBe(6);
  });

  it('404 → non-retryable ToolNotFound with the backend code in the details', async () => {
    const failure = await failureOf(exec(env(), activities.getOrder, { orderNumber: '999999999999' }));
    expect(failure.type).toBe(ErrorCode.ToolNotFound);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject<ToolFailureDetails>({ operation: 'getOrder', status: 404, code: 'order_not_found' });
  });

  it('an order that has not shipped → ToolNotFound with code shipment_not_found', async () => {
    const failure = await failureOf(exec(env(), activities.trackShipment, { orderNumber: '100000000004' }));
    expect(failure.type).toBe(ErrorCode.ToolNotFound);
    expect((failure.details?.[0] as ToolFailureDetails).code).toBe('shipment_not_found');
  });

  it('400 and 422 → non-retryable ToolBadRequest', async () => {
    const invalid = await failureOf(exec(env(), activities.getOrder, { orderNumber: '12345' }));
    expect(invalid.type).toBe(ErrorCode.ToolBadRequest);
    expect(invalid.nonRetryable).toBe(true);
    const refused = await failureOf(exec(env(), activities.cancelOrder, { orderNumber: '100000000001' }));
    expect(refused.type).toBe(ErrorCode.ToolBadRequest);
    expect(refused.nonRetryable).toBe(true);
    expect((refused.details?.[0] as ToolFailureDetails).code).toBe('order_not_cancellable');
  });

  it('503 → retryable ToolUnavailable', async () => {
    commerce.faults.set({ failNext: 1 });
    const failure = await failureOf(exec(env(), activities.getOrder, { orderNumber: '100000000001' }));
    expect(failure.type).toBe(ErrorCode.ToolUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect((failure.details?.[0] as ToolFailureDetails).status).toBe(503);
    // The next attempt goes through.
    await expect(exec(env('7', 2), activities.getOrder, { orderNumber: '100000000001' })).resolves.toMatchObject({
      orderNumber: '100000000001',
    });
  });

  it('a hanging backend → retryable ToolUnavailable after the client timeout', async () => {
    commerce.faults.set({ hang: true });
    const started = Date.now();
    const failure = await failureOf(exec(env(), activities.getOrder, { orderNumber: '100000000001' }));
    expect(failure.type).toBe(ErrorCode.ToolUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect((failure.details?.[0] as ToolFailureDetails).code).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('a backend that is down → retryable ToolUnavailable', async () => {
    await commerce.close();
    const failure = await failureOf(exec(env(), activities.getOrder, { orderNumber: '100000000001' }));
    expect(failure.type).toBe(ErrorCode.ToolUnavailable);
    expect((failure.details?.[0] as ToolFailureDetails).code).toBe('connection_failed');
  });

  it('a malformed 200 is not passed on as data', async () => {
    const { createServer } = await import('node:http');
    const liar = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"orderNumber":"x"}'));
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    try {
      const port = (liar.address() as { port: number }).port;
      const lying = createActivities({
        tools: createHttpToolClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 }),
        nlu: unusedNlu,
        bus: new InProcessBus(),
        logger: createLogger({ level: 'silent' }),
      });
      const failure = await failureOf(exec(env(), lying.getOrder, { orderNumber: '100000000001' }));
      expect(failure.type).toBe(ErrorCode.ToolUnavailable);
      expect((failure.details?.[0] as ToolFailureDetails).code).toBe('invalid_response');
    } finally {
      await new Promise((r) => liar.close(r));
    }
  });

  it('cancellation of the activity aborts the call and stays a cancellation', async () => {
    commerce.faults.set({ hang: true });
    const e = env();
    const running = exec(e, activities.getOrder, { orderNumber: '100000000001' });
    for (let i = 0; i < 50 && commerce.faults.hanging < 1; i++) await new Promise((r) => setTimeout(r, 10));
    e.cancel();
    const err = await running.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(CancelledFailure);
  });

  describe('idempotency', () => {
    const refund = { orderNumber: '100000000003', reason: 'dented lid', method: 'store_credit' as const, amount: 40 };

    it('the key is workflow id / run id / activity id, the same on every attempt', () => {
      const info = (attempt: number) => ({ ...env('12', attempt).context.info });
      expect(idempotencyKeyFor(info(1))).toBe('conversation-tools-test/run-1/12');
      expect(idempotencyKeyFor(info(3))).toBe(idempotencyKeyFor(info(1)));
    });

    it('ids a header cannot carry are hashed', () => {
      const info = new MockActivityEnvironment({
        activityId: '1',
        workflowExecution: { workflowId: 'conversation-王小明', runId: 'r' },
      }).context.info;
      expect(idempotencyKeyFor(info)).toMatch(/^sha256-[0-9a-f]{64}$/);
    });

    it('a retried attempt after a lost response gets the first result; the backend refunds once', async () => {
      commerce.faults.set({ loseNext: 1 });
      const first = await failureOf(exec(env('9', 1), activities.submitRefund, refund));
      expect(first.type).toBe(ErrorCode.ToolUnavailable);
      expect(first.nonRetryable).toBe(false);
      expect(commerce.store.refunds).toHaveLength(1);

      const second = await exec(env('9', 2), activities.submitRefund, refund);
      expect(second.refundId).toBe(commerce.store.refunds[0].refundId);
      expect(second.amount.amount).toBe(40);
      expect(commerce.store.refunds).toHaveLength(1);
      expect(commerce.idempotency.get('conversation-tools-test/run-1/9')).toBeDefined();
    });

    it('another activity, or the same activity id in the next run (after continue-as-new), acts again', async () => {
      await exec(env('9', 1, 'run-1'), activities.submitRefund, refund);
      await exec(env('10', 1, 'run-1'), activities.submitRefund, refund);
      await exec(env('9', 1, 'run-2'), activities.submitRefund, refund);
      expect(commerce.store.refunds).toHaveLength(3);
    });
  });
});
