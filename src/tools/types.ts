/**
 * Business tool shapes: what the commerce backend returns and what the tool
 * activities take. Type-only and workflow-safe (the policy code renders
 * replies from these results).
 */
import type { Priority } from '../workflows/contract';

export interface Money {
  amount: number;
  currency: string;
}

export type OrderStatus = 'processing' | 'shipped' | 'in_transit' | 'delivered' | 'cancelled' | 'returned';

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  price: Money;
}

export interface Order {
  orderNumber: string;
  customerId: string;
  status: OrderStatus;
  total: Money;
  items: OrderItem[];
  placedAt: string;
  deliveredAt?: string;
  shippingAddress: string;
  trackingNumber?: string;
}

export interface TrackingEvent {
  at: string;
  location: string;
  description: string;
  /** English wording when the carrier writes in another language (shown in English replies instead). */
  en?: { location: string; description: string };
}

export interface Shipment {
  orderNumber: string;
  carrier: string;
  /** English name of the carrier when `carrier` is in another script. */
  carrierEn?: string;
  trackingNumber: string;
  status: 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';
  estimatedDelivery?: string;
  events: TrackingEvent[];
}

export type RefundMethod = 'original_payment' | 'store_credit' | 'bank_transfer';

export interface RefundRequest {
  orderNumber: string;
  reason: string;
  method: RefundMethod;
  /** Optional partial amount; full order total when absent. */
  amount?: number;
}
export interface RefundResult {
  refundId: string;
  orderNumber: string;
  status: 'submitted' | 'approved' | 'rejected';
  amount: Money;
  method: RefundMethod;
}

export interface ReturnRequest {
  orderNumber: string;
  type: 'return' | 'exchange';
  reason: string;
  /** Ids (content hashes) of photos the customer sent as evidence. */
  evidence?: string[];
}
export interface ReturnResult {
  rmaId: string;
  orderNumber: string;
  type: 'return' | 'exchange';
  status: 'created';
  instructions: string;
}

export interface RepairRequest {
  orderNumber: string;
  product?: string;
  description: string;
  /** Ids (content hashes) of photos the customer sent as evidence. */
  evidence?: string[];
}
export interface RepairResult {
  repairId: string;
  orderNumber: string;
  status: 'scheduled';
  scheduledFor?: string;
}

export interface AddressChangeRequest {
  orderNumber: string;
  address: string;
}
export interface AddressChangeResult {
  orderNumber: string;
  shippingAddress: string;
  status: 'updated';
}

export interface CancelRequest {
  orderNumber: string;
  reason?: string;
}
export interface CancelResult {
  orderNumber: string;
  status: 'cancelled';
}

/** Does `contact` (an email or phone number) match the one on the order? The backend answers yes or no, never the contact itself. */
export interface VerifyContactRequest {
  orderNumber: string;
  contact: string;
}
export interface VerifyContactResult {
  orderNumber: string;
  verified: boolean;
}

export type TicketKind = 'complaint' | 'callback' | 'leave_message' | 'follow_up';

export interface TicketRequest {
  conversationId: string;
  customerId: string;
  kind: TicketKind;
  subject: string;
  description: string;
  priority: Priority;
  orderNumber?: string;
}
export interface TicketResult {
  ticketId: string;
  status: 'open';
}

export interface Customer360 {
  id: string;
  name: string;
  tier: 'vip' | 'enterprise' | 'regular';
  email?: string;
  phone?: string;
}
