/**
 * The business tools behind one interface, and its HTTP implementation
 * against the commerce backend's REST API (src/commerce/README.md).
 *
 * Errors come out as {@link ToolBadRequestError} (400/422 and other client
 * errors), {@link ToolNotFoundError} (404) or {@link ToolUnavailableError}
 * (5xx, 408/429, timeouts, connection failures, malformed responses). The
 * client does not retry: Temporal's activity retry policy does, and the
 * idempotency key passed in makes those retries safe.
 */
import type { z } from 'zod';
import {
  addressChangeResultSchema,
  cancelResultSchema,
  orderSchema,
  refundResultSchema,
  repairResultSchema,
  returnResultSchema,
  shipmentSchema,
  ticketResultSchema,
  toolErrorBodySchema,
  verifyContactResultSchema,
} from './schemas';
import { ToolBadRequestError, ToolNotFoundError, ToolUnavailableError, type ToolError } from './errors';
import type {
  AddressChangeRequest,
  AddressChangeResult,
  CancelRequest,
  CancelResult,
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

export interface ToolCallOptions {
  /** Sent as `Idempotency-Key`; side-effecting calls should always pass one. */
  idempotencyKey?: string;
  /** Cancels the call (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface OrderLookup {
  orderNumber: string;
}

export interface ToolClient {
  getOrder(req: OrderLookup, options?: ToolCallOptions): Promise<Order>;
  trackShipment(req: OrderLookup, options?: ToolCallOptions): Promise<Shipment>;
  submitRefund(req: RefundRequest, options?: ToolCallOptions): Promise<RefundResult>;
  createReturn(req: ReturnRequest, options?: ToolCallOptions): Promise<ReturnResult>;
  createRepair(req: RepairRequest, options?: ToolCallOptions): Promise<RepairResult>;
  changeAddress(req: AddressChangeRequest, options?: ToolCallOptions): Promise<AddressChangeResult>;
  cancelOrder(req: CancelRequest, options?: ToolCallOptions): Promise<CancelResult>;
  createTicket(req: TicketRequest, options?: ToolCallOptions): Promise<TicketResult>;
  /** Yes/no: is `contact` the email or phone on the order? (Read-only; the contact on file is never returned.) */
  verifyOrderContact(req: VerifyContactRequest, options?: ToolCallOptions): Promise<VerifyContactResult>;
}

export interface HttpToolClientOptions {
  /** e.g. http://127.0.0.1:4100 (a trailing slash or a path prefix is fine). */
  baseUrl: string;
  /** Per-request timeout in ms, body included. Keep it below the activity's startToCloseTimeout. Default 5000. */
  timeoutMs?: number;
  /** Extra headers on every request (e.g. an API key for a real backend). */
  headers?: Record<string, string>;
}

/**
 * @example
 * const tools = createHttpToolClient({ baseUrl: 'http://127.0.0.1:4100', timeoutMs: 5000 });
 * const order = await tools.getOrder({ orderNumber: '100000000001' });
 * await tools.submitRefund(
 *   { orderNumber: '100000000001', reason: 'damaged', method: 'original_payment' },
 *   { idempotencyKey: 'conversation-42/run/7' },
 * );
 */
export function createHttpToolClient(options: HttpToolClientOptions): ToolClient {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const timeoutMs = options.timeoutMs ?? 5000;

  async function call<T>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    body: unknown,
    opts: ToolCallOptions = {},
  ): Promise<T> {
    const url = new URL(path, base);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;

    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      // The caller's cancellation is not a tool failure: pass it through as is.
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      if (timeout.aborted) {
        throw new ToolUnavailableError(`${operation} timed out after ${timeoutMs} ms`, { operation, code: 'timeout' }, { cause: err });
      }
      throw new ToolUnavailableError(
        `${operation} could not reach the backend: ${(err as Error).message}`,
        { operation, code: 'connection_failed' },
        { cause: err },
      );
    }

    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(parseJson(text));
      if (!parsed.success) {
        throw new ToolUnavailableError(`${operation} got a malformed response (HTTP ${status})`, {
          operation,
          status,
          code: 'invalid_response',
        });
      }
      return parsed.data;
    }
    throw errorFor(operation, status, text);
  }

  const order = (n: string, suffix = '') => `orders/${encodeURIComponent(n)}${suffix}`;

  return {
    getOrder: (req, opts) => call('getOrder', 'GET', order(req.orderNumber), orderSchema, undefined, opts),
    trackShipment: (req, opts) =>
      call('trackShipment', 'GET', order(req.orderNumber, '/tracking'), shipmentSchema, undefined, opts),
    submitRefund: (req, opts) => call('submitRefund', 'POST', 'refunds', refundResultSchema, req, opts),
    createReturn: (req, opts) => call('createReturn', 'POST', 'returns', returnResultSchema, req, opts),
    createRepair: (req, opts) => call('createRepair', 'POST', 'repairs', repairResultSchema, req, opts),
    changeAddress: ({ orderNumber, ...body }, opts) =>
      call('changeAddress', 'POST', order(orderNumber, '/address'), addressChangeResultSchema, body, opts),
    cancelOrder: ({ orderNumber, ...body }, opts) =>
      call('cancelOrder', 'POST', order(orderNumber, '/cancel'), cancelResultSchema, body, opts),
    createTicket: (req, opts) => call('createTicket', 'POST', 'tickets', ticketResultSchema, req, opts),
    verifyOrderContact: ({ orderNumber, ...body }, opts) =>
      call('verifyOrderContact', 'POST', order(orderNumber, '/verify'), verifyContactResultSchema, body, opts),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFor(operation: string, status: number, text: string): ToolError {
  const body = toolErrorBodySchema.safeParse(parseJson(text));
  const code = body.success ? body.data.error.code : undefined;
  const detail = body.success ? body.data.error.message : `HTTP ${status}`;
  const info = { operation, status, code };
  if (status === 404) return new ToolNotFoundError(`${operation}: ${detail}`, info);
  // Timeouts and throttling are transient; auth failures are a deployment
  // problem, not the customer's input, so they surface as an outage too.
  if (status === 408 || status === 429 || status === 401 || status === 403 || status >= 500) {
    return new ToolUnavailableError(`${operation} failed: ${detail}`, info);
  }
  return new ToolBadRequestError(`${operation} rejected: ${detail}`, info);
}
