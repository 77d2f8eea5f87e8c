import { FaultController, routeMatches, startCommerceServer, type CommerceServer } from '../../src/commerce';

describe('commerce fault injection', () => {
  let server: CommerceServer;
  beforeEach(async () => {
    server = await startCommerceServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('failNext: the next N calls get 503 without effect, then service resumes', async () => {
    server.faults.set({ failNext: 2 });
    const refund = { orderNumber: '100000000001', reason: 'broken', method: 'original_payment' };
    const a = await post('/refunds', refund);
    const b = await post('/refunds', refund);
    expect([a.status, b.status]).toEqual([503, 503]);
    expect(((await a.json()) as any).error.code).toBe('injected_fault');
    expect(server.store.refunds).toHaveLength(0);
    expect((await post('/refunds', refund)).status).toBe(201);
    expect(server.store.refunds).toHaveLength(1);
    expect(server.faults.stats()).toMatchObject({ seen: 3, failed: 2 });
  });

  it('errorRate draws from a seeded PRNG: the same seed fails the same calls', async () => {
    const run = async () => {
      server.faults.set({ errorRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get('/orders/100000000001')).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(2);
    expect(failed).toBeLessThan(18);
    expect(first.every((s) => s === 503 || s === 200)).toBe(true);
  });

  it('errorRate 1 fails everything; 0 fails nothing', async () => {
    server.faults.set({ errorRate: 1 });
    for (let i = 0; i < 5; i++) expect((await get('/orders/100000000001')).status).toBe(503);
    server.faults.set({ errorRate: 0 });
    for (let i = 0; i < 5; i++) expect((await get('/orders/100000000001')).status).toBe(200);
  });

  it('latencyMs delays answers', async () => {
    server.faults.set({ latencyMs: 300 });
    const started = Date.now();
    const res = await get('/orders/100000000001');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('hang: no answer until reset, then the held request is handled', async () => {
    server.faults.set({ hang: true });
    const timedOut = await get('/orders/100000000001', { signal: AbortSignal.timeout(300) }).then(
      () => 'answered',
      (err: Error) => err.name,
    );
    expect(timedOut).toBe('TimeoutError');

    const held = get('/orders/100000000002');
    for (let i = 0; i < 50 && server.faults.hanging < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.faults.hanging).toBe(1);
    server.faults.reset();
    const res = await held;
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).orderNumber).toBe('100000000002');
  });

  it('loseNext: the effect happens but the answer is a 503; a retry with the same key gets the stored result', async () => {
    server.faults.set({ loseNext: 1 });
    const refund = { orderNumber: '100000000003', reason: 'dent', method: 'store_credit', amount: 20 };
    const lost = await post('/refunds', refund, { 'Idempotency-Key': 'retry-me' });
    expect(lost.status).toBe(503);
    expect(server.store.refunds).toHaveLength(1);
    const retry = await post('/refunds', refund, { 'Idempotency-Key': 'retry-me' });
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as any).refundId).toBe(server.store.refunds[0].refundId);
    expect(server.store.refunds).toHaveLength(1);
  });

  it('replyDelayMs: the effect happens at once, the answer comes late; a caller that gave up retries with its key and gets the stored result', async () => {
    server.faults.set({ replyDelayMs: 400, routes: ['POST /refunds'] });
    const refund = { orderNumber: '100000000001', reason: 'broken', method: 'original_payment' };
    const abandoned = new AbortController();
    const first = post('/refunds', refund, { 'Idempotency-Key': 'crash-me' });
    const gaveUp = fetch(`${server.url}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'crash-me-too' },
      body: JSON.stringify({ ...refund, orderNumber: '100000000006' }),
      signal: abandoned.signal,
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    // Both effects happened before either answer.
    expect(server.store.refunds.map((r) => r.orderNumber).sort()).toEqual(['100000000001', '100000000006']);
    abandoned.abort();
    expect(await gaveUp).toMatchObject({ name: 'AbortError' });
    expect((await first).status).toBe(201);
    server.faults.reset();
    const retry = await post('/refunds', { ...refund, orderNumber: '100000000006' }, { 'Idempotency-Key': 'crash-me-too' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(server.store.refunds).toHaveLength(2);
  });

  it('routes restricts faults to matching routes', async () => {
    server.faults.set({ errorRate: 1, routes: ['POST /refunds', '/orders/:n/tracking'] });
    expect((await get('/orders/100000000002/tracking')).status).toBe(503);
    expect((await get('/orders/100000000002')).status).toBe(200);
    expect((await post('/refunds', { orderNumber: '100000000001', reason: 'x', method: 'original_payment' })).status).toBe(503);
    expect((await post('/orders/100000000004/cancel', {})).status).toBe(200);
    server.faults.set({ routes: null });
    expect((await get('/orders/100000000002')).status).toBe(503);
  });

  it('custom 5xx status', async () => {
    server.faults.set({ failNext: 1, status: 502 });
    expect((await get('/orders/100000000001')).status).toBe(502);
  });

  it('the admin route controls faults over HTTP and validates its input', async () => {
    const set = await post('/__faults', { failNext: 1 });
    expect(set.status).toBe(200);
    expect(((await set.json()) as any).settings.failNext).toBe(1);
    expect((await get('/orders/100000000001')).status).toBe(503);
    expect((await get('/orders/100000000001')).status).toBe(200);

    const bad = await post('/__faults', { errorRate: 2, bogus: true });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('validation_failed');
    expect(server.faults.get().errorRate).toBe(0);

    await post('/__faults', { errorRate: 1 });
    // The admin and health routes stay reachable during an injected outage.
    const state = await get('/__faults');
    expect(state.status).toBe(200);
    expect(((await state.json()) as any).settings.errorRate).toBe(1);
    expect((await get('/health')).status).toBe(200);
    expect((await post('/__faults/reset', {})).status).toBe(200);
    expect((await get('/orders/100000000001')).status).toBe(200);
  });

  it('close() ends even with hung requests', async () => {
    server.faults.set({ hang: true });
    const pending = get('/orders/100000000001').catch(() => undefined);
    for (let i = 0; i < 50 && server.faults.hanging < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await server.close();
    await pending;
  });
});

describe('FaultController', () => {
  it('rejects invalid settings and keeps the old ones', () => {
    const faults = new FaultController();
    faults.set({ latencyMs: 10 });
    expect(() => faults.set({ errorRate: -1 })).toThrow();
    expect(() => faults.set({ status: 404 })).toThrow();
    expect(faults.get()).toMatchObject({ latencyMs: 10, errorRate: 0 });
  });
});

describe('routeMatches', () => {
  it.each([
    ['/orders/:n', 'GET', '/orders/100000000001', true],
    ['/orders/:n', 'GET', '/orders/100000000001/tracking', false],
    ['/orders/**', 'POST', '/orders/100000000001/cancel', true],
    ['POST /refunds', 'GET', '/refunds', false],
    ['post /refunds', 'POST', '/refunds', true],
    ['/orders/*/tracking', 'GET', '/orders/1/tracking', true],
    ['/tickets', 'POST', '/tickets?x=1', true],
  ])('%s vs %s %s → %s', (pattern, method, path, expected) => {
    expect(routeMatches(pattern, method, path)).toBe(expected);
  });
});
