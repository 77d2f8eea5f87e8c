/**
 * Demo data for the sample commerce backend. Tests and the README refer to
 * these order numbers; change them only together.
 *
 * Dates are written as of {@link SEED_REFERENCE_DATE} and moved by whole days
 * to the clock's today, so "placed last week, arrives in two days" stays true
 * whenever the demo runs (a delivery estimate is never in the past).
 */
import type { Customer360, Order, Shipment } from '../tools/types';

export interface CommerceSeed {
  customers: Customer360[];
  orders: Order[];
  shipments: Shipment[];
}

const usd = (amount: number) => ({ amount, currency: 'USD' });
const cny = (amount: number) => ({ amount, currency: 'CNY' });

/** The day the seed's dates were written for; `defaultSeed(now)` shifts them by (today − this) in whole days. */
export const SEED_REFERENCE_DATE = '2025-06-01';

const DAY_MS = 24 * 3600 * 1000;

export function defaultSeed(now: Date = new Date()): CommerceSeed {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const shift = Math.round((today - Date.parse(`${SEED_REFERENCE_DATE}T00:00:00.000Z`)) / DAY_MS) * DAY_MS;
  return shiftSeed(writtenSeed(), shift);
}

function shiftIso(iso: string, shift: number): string {
  return new Date(Date.parse(iso) + shift).toISOString();
}

function shiftDay(day: string, shift: number): string {
  return shiftIso(`${day}T00:00:00.000Z`, shift).slice(0, 10);
}

function shiftSeed(seed: CommerceSeed, shift: number): CommerceSeed {
  if (shift === 0) return seed;
  return {
    customers: seed.customers,
    orders: seed.orders.map((o) => ({
      ...o,
      placedAt: shiftIso(o.placedAt, shift),
      ...(o.deliveredAt ? { deliveredAt: shiftIso(o.deliveredAt, shift) } : {}),
    })),
    shipments: seed.shipments.map((s) => ({
      ...s,
      ...(s.estimatedDelivery ? { estimatedDelivery: shiftDay(s.estimatedDelivery, shift) } : {}),
      events: s.events.map((e) => ({ ...e, at: shiftIso(e.at, shift) })),
    })),
  };
}

function writtenSeed(): CommerceSeed {
  const customers: Customer360[] = [
    { id: 'cust-1001', name: 'Alice Johnson', tier: 'regular', email: 'alice@example.com', phone: '+1 217 555 0101' },
    { id: 'cust-1002', name: 'Bob Smith', tier: 'regular', email: 'bob@example.com', phone: '+1 503 555 0102' },
    { id: 'cust-vip-1', name: 'Victoria Park', tier: 'vip', email: 'victoria@example.com', phone: '+1 212 555 0103' },
    { id: 'cust-ent-1', name: 'Acme Facilities Ltd', tier: 'enterprise', email: 'procurement@acme.example', phone: '+1 512 555 0104' },
    { id: 'cust-cn-1', name: '王小明', tier: 'regular', email: 'xiaoming@example.cn', phone: '13800138006' },
    { id: 'cust-cn-vip', name: '李娜', tier: 'vip', email: 'lina@example.cn', phone: '13900139007' },
  ];

  const orders: Order[] = [
    {
      orderNumber: '100000000001',
      customerId: 'cust-1001',
      status: 'delivered',
      total: usd(59.9),
      items: [{ sku: 'KB-201', name: 'Wireless keyboard', quantity: 1, price: usd(59.9) }],
      placedAt: '2025-05-02T09:14:00.000Z',
      deliveredAt: '2025-05-06T15:40:00.000Z',
      shippingAddress: '12 Elm Street, Springfield, IL 62701, US',
      trackingNumber: '1Z999AA10000000001',
    },
    {
      orderNumber: '100000000002',
      customerId: 'cust-1002',
      status: 'in_transit',
      total: usd(129.0),
      items: [
        { sku: 'HP-310', name: 'Noise-cancelling headphones', quantity: 1, price: usd(119.0) },
        { sku: 'CB-USB', name: 'USB-C cable', quantity: 1, price: usd(10.0) },
      ],
      placedAt: '2025-05-20T18:02:00.000Z',
      shippingAddress: '88 Harbor Road, Portland, OR 97205, US',
      trackingNumber: '1Z999AA10000000002',
    },
    {
      orderNumber: '100000000003',
      customerId: 'cust-vip-1',
      status: 'delivered',
      total: usd(899.0),
      items: [{ sku: 'LT-PRO14', name: 'Laptop Pro 14', quantity: 1, price: usd(899.0) }],
      placedAt: '2025-04-11T11:30:00.000Z',
      deliveredAt: '2025-04-14T10:05:00.000Z',
      shippingAddress: '1 Park Avenue, Apt 20B, New York, NY 10016, US',
      trackingNumber: '1Z999AA10000000003',
    },
    {
      orderNumber: '100000000004',
      customerId: 'cust-1001',
      status: 'processing',
      total: usd(24.5),
      items: [{ sku: 'MS-100', name: 'Optical mouse', quantity: 1, price: usd(24.5) }],
      placedAt: '2025-05-28T08:00:00.000Z',
      shippingAddress: '12 Elm Street, Springfield, IL 62701, US',
    },
    {
      orderNumber: '100000000005',
      customerId: 'cust-1002',
      status: 'cancelled',
      total: usd(45.0),
      items: [{ sku: 'LP-STD', name: 'Laptop stand', quantity: 1, price: usd(45.0) }],
      placedAt: '2025-05-10T13:45:00.000Z',
      shippingAddress: '88 Harbor Road, Portland, OR 97205, US',
    },
    {
      orderNumber: '100000000006',
      customerId: 'cust-cn-1',
      status: 'delivered',
      total: cny(1299.0),
      items: [{ sku: 'AC-CN-12', name: '空气净化器', quantity: 1, price: cny(1299.0) }],
      placedAt: '2025-05-01T02:20:00.000Z',
      deliveredAt: '2025-05-03T07:10:00.000Z',
      shippingAddress: '上海市浦东新区世纪大道100号',
      trackingNumber: 'SF1000000000006',
    },
    {
      orderNumber: '100000000007',
      customerId: 'cust-cn-vip',
      status: 'in_transit',
      total: cny(3599.0),
      items: [{ sku: 'WM-CN-8', name: '滚筒洗衣机', quantity: 1, price: cny(3599.0) }],
      placedAt: '2025-05-25T04:00:00.000Z',
      shippingAddress: '北京市朝阳区建国路88号',
      trackingNumber: 'SF1000000000007',
    },
    {
      orderNumber: '100000000008',
      customerId: 'cust-ent-1',
      status: 'shipped',
      total: usd(2450.0),
      items: [{ sku: 'CH-ERG', name: 'Ergonomic office chair', quantity: 10, price: usd(245.0) }],
      placedAt: '2025-05-27T16:00:00.000Z',
      shippingAddress: '500 Industrial Way, Austin, TX 78701, US',
      trackingNumber: '1Z999AA10000000008',
    },
  ];

  const shipments: Shipment[] = [
    {
      orderNumber: '100000000001',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10000000001',
      status: 'delivered',
      events: [
        { at: '2025-05-03T08:00:00.000Z', location: 'Chicago, IL', description: 'Picked up' },
        { at: '2025-05-06T15:40:00.000Z', location: 'Springfield, IL', description: 'Delivered, front door' },
      ],
    },
    {
      orderNumber: '100000000002',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10000000002',
      status: 'in_transit',
      estimatedDelivery: '2025-06-03',
      events: [
        { at: '2025-05-21T10:12:00.000Z', location: 'Reno, NV', description: 'Picked up' },
        { at: '2025-05-22T04:30:00.000Z', location: 'Sacramento, CA', description: 'Departed facility' },
        { at: '2025-05-23T19:05:00.000Z', location: 'Portland, OR', description: 'Arrived at destination facility' },
      ],
    },
    {
      orderNumber: '100000000003',
      carrier: 'FedEx',
      trackingNumber: '1Z999AA10000000003',
      status: 'delivered',
      events: [
        { at: '2025-04-12T09:00:00.000Z', location: 'Memphis, TN', description: 'Picked up' },
        { at: '2025-04-14T10:05:00.000Z', location: 'New York, NY', description: 'Delivered, signed by V. PARK' },
      ],
    },
    {
      orderNumber: '100000000006',
      carrier: '顺丰速运',
      carrierEn: 'SF Express',
      trackingNumber: 'SF1000000000006',
      status: 'delivered',
      events: [
        { at: '2025-05-01T10:00:00.000Z', location: '杭州', description: '已揽收', en: { location: 'Hangzhou', description: 'Picked up' } },
        { at: '2025-05-03T07:10:00.000Z', location: '上海', description: '已签收', en: { location: 'Shanghai', description: 'Delivered' } },
      ],
    },
    {
      orderNumber: '100000000007',
      carrier: '顺丰速运',
      carrierEn: 'SF Express',
      trackingNumber: 'SF1000000000007',
      status: 'in_transit',
      estimatedDelivery: '2025-06-03',
      events: [
        { at: '2025-05-26T03:00:00.000Z', location: '广州', description: '已揽收', en: { location: 'Guangzhou', description: 'Picked up' } },
        { at: '2025-05-27T12:30:00.000Z', location: '武汉转运中心', description: '运输中', en: { location: 'Wuhan sorting centre', description: 'In transit' } },
      ],
    },
    {
      orderNumber: '100000000008',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10000000008',
      status: 'label_created',
      estimatedDelivery: '2025-06-05',
      events: [{ at: '2025-05-28T09:00:00.000Z', location: 'Dallas, TX', description: 'Shipping label created' }],
    },
  ];

  return { customers, orders, shipments };
}
