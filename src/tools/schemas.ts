/**
 * Runtime schemas (zod) for the business tool wire format.
 *
 * The sample commerce backend validates requests with the request schemas; the
 * HTTP tool client validates responses with the response schemas, because the
 * workflow must never state data that did not really come back: a malformed
 * 200 is treated like an outage, not passed on. Each schema is checked against
 * its TypeScript shape in src/tools/types.ts at compile time.
 */
import { z } from 'zod';
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
} from './types';
import { PRIORITIES, TIERS } from '../workflows/contract';

/** Order numbers are exactly 12 digits. */
export const orderNumberSchema = z.string().regex(/^\d{12}$/, 'order number must be exactly 12 digits');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const refundMethodSchema = z.enum(['original_payment', 'store_credit', 'bank_transfer']);

export const refundRequestSchema = z.object({
  orderNumber: orderNumberSchema,
  reason: text(500),
  method: refundMethodSchema,
  amount: z.number().positive().max(1_000_000).optional(),
});

/** Photo ids (sha256 hex) attached as evidence. */
const evidenceSchema = z.array(z.string().regex(/^[0-9a-f]{64}$/, 'evidence ids are sha256 hex')).max(10).optional();

export const returnRequestSchema = z.object({
  orderNumber: orderNumberSchema,
  type: z.enum(['return', 'exchange']),
  reason: text(500),
  evidence: evidenceSchema,
});

export const repairRequestSchema = z.object({
  orderNumber: orderNumberSchema,
  product: text(200).optional(),
  description: text(2000),
  evidence: evidenceSchema,
});

/** Body of POST /orders/:orderNumber/verify. */
export const verifyContactBodySchema = z.object({ contact: text(200) });
export const verifyContactResultSchema = z.object({ orderNumber: orderNumberSchema, verified: z.boolean() });

/** Body of POST /orders/:orderNumber/address (the order number is in the path). */
export const addressChangeBodySchema = z.object({ address: text(300) });
/** Body of POST /orders/:orderNumber/cancel. */
export const cancelBodySchema = z.object({ reason: text(500).optional() });

export const ticketRequestSchema = z.object({
  conversationId: text(200),
  customerId: text(200),
  kind: z.enum(['complaint', 'callback', 'leave_message', 'follow_up']),
  subject: text(200),
  description: text(5000),
  priority: z.enum(PRIORITIES),
  orderNumber: orderNumberSchema.optional(),
});

const money = z.object({ amount: z.number(), currency: z.string().min(1) });

export const orderSchema = z.object({
  orderNumber: orderNumberSchema,
  customerId: z.string(),
  status: z.enum(['processing', 'shipped', 'in_transit', 'delivered', 'cancelled', 'returned']),
  total: money,
  items: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.number().int(), price: money })),
  placedAt: z.string(),
  deliveredAt: z.string().optional(),
  shippingAddress: z.string(),
  trackingNumber: z.string().optional(),
});

export const shipmentSchema = z.object({
  orderNumber: orderNumberSchema,
  carrier: z.string(),
  carrierEn: z.string().optional(),
  trackingNumber: z.string(),
  status: z.enum(['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception']),
  estimatedDelivery: z.string().optional(),
  events: z.array(
    z.object({
      at: z.string(),
      location: z.string(),
      description: z.string(),
      en: z.object({ location: z.string(), description: z.string() }).optional(),
    }),
  ),
});

export const refundResultSchema = z.object({
  refundId: z.string().min(1),
  orderNumber: orderNumberSchema,
  status: z.enum(['submitted', 'approved', 'rejected']),
  amount: money,
  method: refundMethodSchema,
});

export const returnResultSchema = z.object({
  rmaId: z.string().min(1),
  orderNumber: orderNumberSchema,
  type: z.enum(['return', 'exchange']),
  status: z.literal('created'),
  instructions: z.string(),
});

export const repairResultSchema = z.object({
  repairId: z.string().min(1),
  orderNumber: orderNumberSchema,
  status: z.literal('scheduled'),
  scheduledFor: z.string().optional(),
});

export const addressChangeResultSchema = z.object({
  orderNumber: orderNumberSchema,
  shippingAddress: z.string(),
  status: z.literal('updated'),
});

export const cancelResultSchema = z.object({ orderNumber: orderNumberSchema, status: z.literal('cancelled') });

export const ticketResultSchema = z.object({ ticketId: z.string().min(1), status: z.literal('open') });

export const customer360Schema = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.enum(TIERS),
  email: z.string().optional(),
  phone: z.string().optional(),
});

/** Error body every backend error response carries. */
export const toolErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ToolErrorBody = z.infer<typeof toolErrorBodySchema>;

// Compile-time agreement between the schemas and the hand-written types: a
// drift in either direction fails `tsc`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function agree<T extends true>(): T | undefined {
  return undefined;
}
agree<Same<z.infer<typeof refundRequestSchema>, RefundRequest>>();
agree<Same<z.infer<typeof returnRequestSchema>, ReturnRequest>>();
agree<Same<z.infer<typeof repairRequestSchema>, RepairRequest>>();
agree<Same<z.infer<typeof addressChangeBodySchema> & { orderNumber: string }, AddressChangeRequest>>();
agree<Same<z.infer<typeof cancelBodySchema> & { orderNumber: string }, CancelRequest>>();
agree<Same<z.infer<typeof ticketRequestSchema>, TicketRequest>>();
agree<Same<z.infer<typeof orderSchema>, Order>>();
agree<Same<z.infer<typeof shipmentSchema>, Shipment>>();
agree<Same<z.infer<typeof refundResultSchema>, RefundResult>>();
agree<Same<z.infer<typeof returnResultSchema>, ReturnResult>>();
agree<Same<z.infer<typeof repairResultSchema>, RepairResult>>();
agree<Same<z.infer<typeof addressChangeResultSchema>, AddressChangeResult>>();
agree<Same<z.infer<typeof cancelResultSchema>, CancelResult>>();
agree<Same<z.infer<typeof ticketResultSchema>, TicketResult>>();
agree<Same<z.infer<typeof customer360Schema>, Customer360>>();
agree<Same<z.infer<typeof verifyContactBodySchema> & { orderNumber: string }, VerifyContactRequest>>();
agree<Same<z.infer<typeof verifyContactResultSchema>, VerifyContactResult>>();
