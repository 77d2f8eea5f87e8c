import request from 'supertest';
import { createCommerceApp } from '../../src/commerce';

describe('commerce backend endpoints', () => {
  let commerce: ReturnType<typeof createCommerceApp>;
  beforeEach(() => {
    commerce = createCommerceApp({ now: () => new Date('2025-06-01T12:00:00.000Z') });
  });

  describe('seed data', () => {
    it('serves the three documented orders with their status and totals', async () => {
      const one = await request(commerce.app).get('/orders/100000000001').expect(200);
      expect(one.body).toMatchObject({ status: 'delivered', total: { amount: 59.9, currency: 'USD' } });
      const two = await request(commerce.app).get('/orders/100000000002').expect(200);
      expect(two.body.status).toBe('in_transit');
      const three = await request(commerce.app).get('/orders/100000000003').expect(200);
      expect(three.body).toMatchObject({ status: 'delivered', total: { amount: 899, currency: 'USD' } });
    });

    it('has processing and cancelled orders too', async () => {
      expect((await request(commerce.app).get('/orders/100000000004')).body.status).toBe('processing');
      expect((await request(commerce.app).get('/orders/100000000005')).body.status).toBe('cancelled');
    });

    it('tracks the in-transit order with its events', async () => {
      const res = await request(commerce.app).get('/orders/100000000002/tracking').expect(200);
      expect(res.body).toMatchObject({ orderNumber: '100000000002', status: 'in_transit', carrier: 'UPS' });
      expect(res.body.events.length).toBeGreaterThanOrEqual(3);
    });

    it('serves a VIP customer and Chinese-named customers', async () => {
      const vip = await request(commerce.app).get('/customers/cust-vip-1').expect(200);
      expect(vip.body.tier).toBe('vip');
      const cn = await request(commerce.app).get('/customers/cust-cn-1').expect(200);
      expect(cn.body.name).toBe('王小明');
    });

    it('two apps built from the default seed do not share state', async () => {
      const other = createCommerceApp();
      await request(commerce.app).post('/orders/100000000004/cancel').send({}).expect(200);
      expect((await request(other.app).get('/orders/100000000004')).body.status).toBe('processing');
    });
  });

  describe('not found', () => {
    it('404 for an unknown order, with a code', async () => {
      const res = await request(commerce.app).get('/orders/999999999999').expect(404);
      expect(res.body.error.code).toBe('order_not_found');
    });
    it('404 shipment_not_found for an order that has not shipped', async () => {
      const res = await request(commerce.app).get('/orders/100000000004/tracking').expect(404);
      expect(res.body.error.code).toBe('shipment_not_found');
    });
    it('404 for an unknown customer and an unknown route', async () => {
      expect((await request(commerce.app).get('/customers/nobody').expect(404)).body.error.code).toBe('customer_not_found');
      expect((await request(commerce.app).get('/nope').expect(404)).body.error.code).toBe('route_not_found');
    });
    it('404 for a refund on an unknown order, and nothing recorded', async () => {
      await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '999999999999', reason: 'x', method: 'original_payment' })
        .expect(404);
      expect(commerce.store.refunds).toHaveLength(0);
    });
  });

  describe('validation', () => {
    it('400 for a malformed order number in the path', async () => {
      const res = await request(commerce.app).get('/orders/12345').expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed' });
      expect(res.body.error.message).toMatch(/12 digits/);
    });

    it('400 naming each bad field of a refund, and nothing recorded', async () => {
      const res = await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: 'abc', method: 'cash', amount: -5 })
        .expect(400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
      expect(paths).toEqual(['amount', 'method', 'orderNumber', 'reason']);
      expect(commerce.store.refunds).toHaveLength(0);
    });

    it('400 for malformed JSON', async () => {
      const res = await request(commerce.app)
        .post('/tickets')
        .set('content-type', 'application/json')
        .send('{"conversationId": ')
        .expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('400 for an empty address, and the order keeps its address', async () => {
      const before = commerce.store.orders.get('100000000004')!.shippingAddress;
      await request(commerce.app).post('/orders/100000000004/address').send({ address: '   ' }).expect(400);
      expect(commerce.store.orders.get('100000000004')!.shippingAddress).toBe(before);
    });

    it('400 for a ticket with an unknown priority', async () => {
      await request(commerce.app)
        .post('/tickets')
        .send({ conversationId: 'c1', customerId: 'cust-1001', kind: 'complaint', subject: 's', description: 'd', priority: 'asap' })
        .expect(400);
      expect(commerce.store.tickets).toHaveLength(0);
    });
  });

  describe('side effects and business rules', () => {
    it('refunds the full remaining amount by default, then refuses a second full refund', async () => {
      const res = await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000001', reason: 'arrived broken', method: 'original_payment' })
        .expect(201);
      expect(res.body).toMatchObject({
        orderNumber: '100000000001',
        status: 'submitted',
        amount: { amount: 59.9, currency: 'USD' },
        method: 'original_payment',
      });
      expect(res.body.refundId).toMatch(/^RF-/);
      const again = await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000001', reason: 'again', method: 'original_payment' })
        .expect(422);
      expect(again.body.error.code).toBe('refund_exceeds_remaining');
      expect(commerce.store.refunds).toHaveLength(1);
    });

    it('partial refunds add up to the total and no further', async () => {
      await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000003', reason: 'dent', method: 'store_credit', amount: 100 })
        .expect(201);
      await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000003', reason: 'dent', method: 'store_credit', amount: 800 })
        .expect(422);
      await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000003', reason: 'dent', method: 'store_credit', amount: 799 })
        .expect(201);
      expect(commerce.store.refundedSoFar('100000000003')).toBe(899);
    });

    it('refuses a refund on an order that has not shipped', async () => {
      const res = await request(commerce.app)
        .post('/refunds')
        .send({ orderNumber: '100000000004', reason: 'changed my mind', method: 'original_payment' })
        .expect(422);
      expect(res.body.error.code).toBe('order_not_refundable');
    });

    it('creates returns and exchanges only for delivered orders', async () => {
      const ok = await request(commerce.app)
        .post('/returns')
        .send({ orderNumber: '100000000001', type: 'exchange', reason: 'wrong size' })
        .expect(201);
      expect(ok.body).toMatchObject({ type: 'exchange', status: 'created' });
      expect(ok.body.instructions).toContain(ok.body.rmaId);
      const no = await request(commerce.app)
        .post('/returns')
        .send({ orderNumber: '100000000002', type: 'return', reason: 'late' })
        .expect(422);
      expect(no.body.error.code).toBe('order_not_returnable');
    });

    it('schedules a repair three days out', async () => {
      const res = await request(commerce.app)
        .post('/repairs')
        .send({ orderNumber: '100000000003', product: 'Laptop Pro 14', description: 'screen flickers' })
        .expect(201);
      expect(res.body).toMatchObject({ status: 'scheduled', scheduledFor: '2025-06-04' });
    });

    it('changes the address of a processing order but not of a shipped one', async () => {
      const res = await request(commerce.app)
        .post('/orders/100000000004/address')
        .send({ address: '1 New Road, Springfield' })
        .expect(200);
      expect(res.body).toEqual({ orderNumber: '100000000004', shippingAddress: '1 New Road, Springfield', status: 'updated' });
      expect((await request(commerce.app).get('/orders/100000000004')).body.shippingAddress).toBe('1 New Road, Springfield');
      const locked = await request(commerce.app).post('/orders/100000000002/address').send({ address: 'x street' }).expect(422);
      expect(locked.body.error.code).toBe('address_locked');
    });

    it('cancels a processing order once; a cancelled or delivered one cannot be cancelled', async () => {
      await request(commerce.app).post('/orders/100000000004/cancel').send({ reason: 'ordered twice' }).expect(200);
      expect(commerce.store.orders.get('100000000004')!.status).toBe('cancelled');
      const again = await request(commerce.app).post('/orders/100000000004/cancel').send({}).expect(422);
      expect(again.body.error.code).toBe('order_not_cancellable');
      await request(commerce.app).post('/orders/100000000001/cancel').send({}).expect(422);
    });

    it('opens tickets, also without a known order', async () => {
      const res = await request(commerce.app)
        .post('/tickets')
        .send({
          conversationId: 'conv-1',
          customerId: 'cust-cn-1',
          kind: 'callback',
          subject: '回电请求',
          description: '客户希望明天上午回电',
          priority: 'high',
        })
        .expect(201);
      expect(res.body).toEqual({ ticketId: 'TK-000001', status: 'open' });
      expect(commerce.store.tickets[0]).toMatchObject({ kind: 'callback', priority: 'high', subject: '回电请求' });
    });
  });

  describe('Idempotency-Key', () => {
    const refund = { orderNumber: '100000000003', reason: 'dent', method: 'original_payment', amount: 50 };

    it('same key and same body: same response, one refund', async () => {
      const first = await request(commerce.app).post('/refunds').set('Idempotency-Key', 'k-1').send(refund).expect(201);
      const second = await request(commerce.app).post('/refunds').set('Idempotency-Key', 'k-1').send(refund).expect(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(commerce.store.refunds).toHaveLength(1);
    });

    it('key order in the JSON body does not matter', async () => {
      const first = await request(commerce.app).post('/refunds').set('Idempotency-Key', 'k-2').send(refund).expect(201);
      const reordered = { amount: 50, method: 'original_payment', reason: 'dent', orderNumber: '100000000003' };
      const second = await request(commerce.app).post('/refunds').set('Idempotency-Key', 'k-2').send(reordered).expect(201);
      expect(second.body.refundId).toBe(first.body.refundId);
    });

    it('same key and a different body: 422 and no second effect', async () => {
      await request(commerce.app).post('/refunds').set('Idempotency-Key', 'k-3').send(refund).expect(201);
      const res = await request(commerce.app)
        .post('/refunds')
        .set('Idempotency-Key', 'k-3')
        .send({ ...refund, amount: 60 })
        .expect(422);
      expect(res.body.error.code).toBe('idempotency_key_reused');
      expect(commerce.store.refunds).toHaveLength(1);
    });

    it('same key on another route is a different request: 422', async () => {
      await request(commerce.app).post('/orders/100000000004/cancel').set('Idempotency-Key', 'k-4').send({}).expect(200);
      await request(commerce.app).post('/orders/100000000004/address').set('Idempotency-Key', 'k-4').send({ address: 'a' }).expect(422);
    });

    it('replays a business refusal too, instead of re-running it', async () => {
      const first = await request(commerce.app).post('/orders/100000000001/cancel').set('Idempotency-Key', 'k-5').send({}).expect(422);
      const second = await request(commerce.app).post('/orders/100000000001/cancel').set('Idempotency-Key', 'k-5').send({}).expect(422);
      expect(second.body).toEqual(first.body);
    });

    it('different keys act twice', async () => {
      await request(commerce.app).post('/refunds').set('Idempotency-Key', 'a').send(refund).expect(201);
      await request(commerce.app).post('/refunds').set('Idempotency-Key', 'b').send(refund).expect(201);
      expect(commerce.store.refunds).toHaveLength(2);
    });

    it('honoured on every POST route', async () => {
      const calls: Array<[string, object]> = [
        ['/returns', { orderNumber: '100000000001', type: 'return', reason: 'r' }],
        ['/repairs', { orderNumber: '100000000001', description: 'keys stick' }],
        ['/orders/100000000004/address', { address: '2 Oak Lane' }],
        ['/orders/100000000004/cancel', {}],
        ['/tickets', { conversationId: 'c', customerId: 'x', kind: 'complaint', subject: 's', description: 'd', priority: 'low' }],
      ];
      for (const [path, body] of calls) {
        const a = await request(commerce.app).post(path).set('Idempotency-Key', `key${path}`).send(body);
        const b = await request(commerce.app).post(path).set('Idempotency-Key', `key${path}`).send(body);
        expect(a.status).toBeLessThan(300);
        expect(b.status).toBe(a.status);
        expect(b.body).toEqual(a.body);
      }
      expect(commerce.store.returns).toHaveLength(1);
      expect(commerce.store.repairs).toHaveLength(1);
      expect(commerce.store.tickets).toHaveLength(1);
    });

    it('400 for a key that is not printable ASCII', async () => {
      const res = await request(commerce.app).post('/refunds').set('Idempotency-Key', 'x'.repeat(300)).send(refund).expect(400);
      expect(res.body.error.code).toBe('idempotency_key_invalid');
      expect(commerce.store.refunds).toHaveLength(0);
    });
  });
});
