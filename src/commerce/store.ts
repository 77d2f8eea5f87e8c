/**
 * In-memory state of the sample commerce backend and its business rules.
 *
 * Every operation either changes state and returns the result, or throws a
 * {@link CommerceError} and changes nothing. Records of side effects (refunds,
 * returns, repairs, tickets) are kept so tests can count them: the
 * idempotency tests assert that a retried call did not act twice.
 */
import type {
  AddressChangeRequest,
  AddressChangeResult,
  CancelRequest,
  CancelResult,
  Customer360,
  Order,
  RefundRequest,
  RefundResult,
  RepairRequest,
  RepairResult,
  ReturnRequest,
  ReturnResult,
  Shipment,
  TicketRequest,
  TicketResult,
  VerifyContactRequest,
  VerifyContactResult,
} from '../tools/types';
import { defaultSeed, type CommerceSeed } from './seed';

/** Stable error codes in the `error.code` field of every error response. */
export type CommerceErrorCode =
  | 'validation_failed'
  | 'order_not_found'
  | 'customer_not_found'
  | 'shipment_not_found'
  | 'route_not_found'
  | 'order_not_refundable'
  | 'refund_exceeds_remaining'
  | 'order_not_returnable'
  | 'order_not_repairable'
  | 'address_locked'
  | 'order_not_cancellable'
  | 'idempotency_key_reused'
  | 'idempotency_key_invalid'
  | 'injected_fault';

export class CommerceError extends Error {
  constructor(
    readonly status: number,
    readonly code: CommerceErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CommerceError';
  }
}

export interface TicketRecord extends TicketRequest, TicketResult {
  createdAt: string;
}

export class CommerceStore {
  readonly customers = new Map<string, Customer360>();
  readonly orders = new Map<string, Order>();
  readonly shipments = new Map<string, Shipment>();
  readonly refunds: RefundResult[] = [];
  readonly returns: ReturnResult[] = [];
  readonly repairs: RepairResult[] = [];
  readonly tickets: TicketRecord[] = [];
  private readonly counters = { refund: 0, rma: 0, repair: 0, ticket: 0 };

  constructor(
    seed: CommerceSeed | undefined = undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    seed ??= defaultSeed(now());
    // Deep copies: two apps built from one seed object must not share state.
    for (const c of structuredClone(seed.customers)) this.customers.set(c.id, c);
    for (const o of structuredClone(seed.orders)) this.orders.set(o.orderNumber, o);
    for (const s of structuredClone(seed.shipments)) this.shipments.set(s.orderNumber, s);
  }

  getCustomer(id: string): Customer360 {
    const customer = this.customers.get(id);
    if (!customer) throw new CommerceError(404, 'customer_not_found', `customer ${id} not found`);
    return customer;
  }

  getOrder(orderNumber: string): Order {
    const order = this.orders.get(orderNumber);
    if (!order) throw new CommerceError(404, 'order_not_found', `order ${orderNumber} not found`);
    return order;
  }

  getShipment(orderNumber: string): Shipment {
    this.getOrder(orderNumber);
    const shipment = this.shipments.get(orderNumber);
    if (!shipment) {
      throw new CommerceError(404, 'shipment_not_found', `order ${orderNumber} has not shipped yet`);
    }
    return shipment;
  }

  /**
   * Whether `contact` is the email or phone of the order's customer. Answers
   * only yes or no: the contact on file is never returned, so a guess learns
   * nothing but "wrong".
   */
  verifyContact(req: VerifyContactRequest): VerifyContactResult {
    const order = this.getOrder(req.orderNumber);
    const customer = this.customers.get(order.customerId);
    const given = req.contact.trim().toLowerCase();
    const digits = given.replace(/\D/g, '');
    const email = customer?.email?.toLowerCase();
    const phone = customer?.phone?.replace(/\D/g, '');
    // A phone matches on its last 8+ digits, so "+1 503 555 0102", "5035550102" and "555-0102"-style local forms of the same number agree.
    const phoneMatch = !!phone && digits.length >= 8 && (phone.endsWith(digits) || digits.endsWith(phone));
    const verified = (!!email && given === email) || phoneMatch;
    return { orderNumber: order.orderNumber, verified };
  }

  refundedSoFar(orderNumber: string): number {
    return this.refunds
      .filter((r) => r.orderNumber === orderNumber && r.status !== 'rejected')
      .reduce((sum, r) => sum + r.amount.amount, 0);
  }

  submitRefund(req: RefundRequest): RefundResult {
    const order = this.getOrder(req.orderNumber);
    if (order.status === 'processing' || order.status === 'cancelled') {
      throw new CommerceError(
        422,
        'order_not_refundable',
        order.status === 'processing'
          ? `order ${order.orderNumber} has not shipped; cancel it instead`
          : `order ${order.orderNumber} is cancelled`,
      );
    }
    const remaining = round2(order.total.amount - this.refundedSoFar(order.orderNumber));
    const amount = req.amount ?? remaining;
    if (amount <= 0 || amount > remaining) {
      throw new CommerceError(422, 'refund_exceeds_remaining', `refund of ${amount} exceeds the remaining ${remaining}`, {
        remaining,
      });
    }
    const result: RefundResult = {
      refundId: `RF-${pad(++this.counters.refund)}`,
      orderNumber: order.orderNumber,
      status: 'submitted',
      amount: { amount: round2(amount), currency: order.total.currency },
      method: req.method,
    };
    this.refunds.push(result);
    return result;
  }

  createReturn(req: ReturnRequest): ReturnResult {
    const order = this.getOrder(req.orderNumber);
    if (order.status !== 'delivered') {
      throw new CommerceError(422, 'order_not_returnable', `order ${order.orderNumber} is ${order.status}, not delivered`);
    }
    const rmaId = `RMA-${pad(++this.counters.rma)}`;
    const result: ReturnResult = {
      rmaId,
      orderNumber: order.orderNumber,
      type: req.type,
      status: 'created',
      instructions:
        req.type === 'return'
          ? `Pack the item with ${rmaId} written on the box and drop it at any carrier location within 14 days.`
          : `Pack the item with ${rmaId} written on the box; the replacement ships when the carrier scans it.`,
    };
    this.returns.push(result);
    return result;
  }

  createRepair(req: RepairRequest): RepairResult {
    const order = this.getOrder(req.orderNumber);
    if (order.status !== 'delivered') {
      throw new CommerceError(422, 'order_not_repairable', `order ${order.orderNumber} is ${order.status}, not delivered`);
    }
    const scheduled = new Date(this.now().getTime() + 3 * 24 * 3600 * 1000);
    const result: RepairResult = {
      repairId: `RP-${pad(++this.counters.repair)}`,
      orderNumber: order.orderNumber,
      status: 'scheduled',
      scheduledFor: scheduled.toISOString().slice(0, 10),
    };
    this.repairs.push(result);
    return result;
  }

  changeAddress(req: AddressChangeRequest): AddressChangeResult {
    const order = this.getOrder(req.orderNumber);
    if (order.status !== 'processing') {
      throw new CommerceError(
        422,
        'address_locked',
        `order ${order.orderNumber} is ${order.status}; the address can only change before shipping`,
      );
    }
    order.shippingAddress = req.address;
    return { orderNumber: order.orderNumber, shippingAddress: order.shippingAddress, status: 'updated' };
  }

  cancelOrder(req: CancelRequest): CancelResult {
    const order = this.getOrder(req.orderNumber);
    if (order.status !== 'processing') {
      throw new CommerceError(
        422,
        'order_not_cancellable',
        `order ${order.orderNumber} is ${order.status}; only orders that have not shipped can be cancelled`,
      );
    }
    order.status = 'cancelled';
    return { orderNumber: order.orderNumber, status: 'cancelled' };
  }

  createTicket(req: TicketRequest): TicketResult {
    // Tickets are accepted for unknown customers and order numbers on purpose:
    // an overflow or complaint ticket must not be lost over a typo; the agent
    // who works it sorts the details out.
    const result: TicketResult = { ticketId: `TK-${pad(++this.counters.ticket)}`, status: 'open' };
    this.tickets.push({ ...req, ...result, createdAt: this.now().toISOString() });
    return result;
  }
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
