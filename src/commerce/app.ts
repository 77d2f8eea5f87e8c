/**
 * The sample commerce backend as an express app: orders, tracking, refunds,
 * returns, repairs, address changes, cancellations, tickets and customers,
 * with request validation, Idempotency-Key support on every POST and
 * runtime-controllable fault injection. Endpoints are listed in README.md
 * next to this file.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import {
  addressChangeBodySchema,
  cancelBodySchema,
  orderNumberSchema,
  refundRequestSchema,
  repairRequestSchema,
  returnRequestSchema,
  ticketRequestSchema,
  verifyContactBodySchema,
} from '../tools/schemas';
import { FaultController, faultPatchSchema, type FaultDecision } from './faults';
import { IDEMPOTENCY_HEADER, IdempotencyStore, isValidIdempotencyKey, requestFingerprint } from './idempotency';
import type { CommerceSeed } from './seed';
import { CommerceError, CommerceStore } from './store';

export interface CommerceAppOptions {
  seed?: CommerceSeed;
  faults?: FaultController;
  /** Clock for generated dates (repair slots, ticket times). */
  now?: () => Date;
}

export interface CommerceApp {
  app: express.Express;
  store: CommerceStore;
  faults: FaultController;
  idempotency: IdempotencyStore;
}

interface Outcome {
  status: number;
  body: unknown;
}

const ADMIN_PREFIX = '/__faults';

/**
 * Builds the app and its state. Each call gets fresh state from the seed, so
 * tests that build their own app never see each other's refunds.
 *
 * @example
 * const { app, store, faults } = createCommerceApp();
 * faults.set({ failNext: 2 });
 */
export function createCommerceApp(options: CommerceAppOptions = {}): CommerceApp {
  const store = new CommerceStore(options.seed, options.now);
  const faults = options.faults ?? new FaultController();
  const idempotency = new IdempotencyStore();
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get(ADMIN_PREFIX, (_req, res) => {
    res.json({ settings: faults.get(), stats: faults.stats(), hanging: faults.hanging });
  });
  app.post(ADMIN_PREFIX, (req, res) => {
    const parsed = faultPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      sendError(res, new CommerceError(400, 'validation_failed', describeIssues(parsed.error), issues(parsed.error)));
      return;
    }
    res.json({ settings: faults.set(parsed.data) });
  });
  app.post(`${ADMIN_PREFIX}/reset`, (_req, res) => {
    res.json({ settings: faults.reset() });
  });

  // Fault injection sits in front of every business route; the decision is
  // stashed for the handler because a "lost" response must still take effect.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!faults.matches(req.method, req.path)) {
      next();
      return;
    }
    const aborted = new AbortController();
    const onClose = () => aborted.abort();
    res.on('close', onClose);
    const decision = await faults.apply(aborted.signal);
    res.off('close', onClose);
    if (aborted.signal.aborted) return; // the client gave up while we stalled
    if (decision.kind === 'fail') {
      sendError(res, new CommerceError(decision.status, 'injected_fault', 'service temporarily unavailable (injected fault)'));
      return;
    }
    res.locals.fault = decision;
    next();
  });

  app.get('/orders/:orderNumber', (req, res) => {
    reply(res, run(() => ({ status: 200, body: store.getOrder(parseParam(req.params.orderNumber)) })));
  });
  app.get('/orders/:orderNumber/tracking', (req, res) => {
    reply(res, run(() => ({ status: 200, body: store.getShipment(parseParam(req.params.orderNumber)) })));
  });
  app.get('/customers/:id', (req, res) => {
    reply(res, run(() => ({ status: 200, body: store.getCustomer(req.params.id) })));
  });

  const post = (path: string, handler: (req: Request) => Outcome) => {
    app.post(path, (req, res) => {
      const key = req.get(IDEMPOTENCY_HEADER);
      if (key === undefined) {
        reply(res, run(() => handler(req)));
        return;
      }
      if (!isValidIdempotencyKey(key)) {
        reply(res, {
          status: 400,
          body: errorBody(
            new CommerceError(400, 'idempotency_key_invalid', `${IDEMPOTENCY_HEADER} must be 1-255 printable ASCII characters`),
          ),
        });
        return;
      }
      const fingerprint = requestFingerprint(req.method, req.path, req.body);
      const previous = idempotency.get(key);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          reply(res, {
            status: 422,
            body: errorBody(
              new CommerceError(
                422,
                'idempotency_key_reused',
                `${IDEMPOTENCY_HEADER} ${key} was already used for a different request`,
              ),
            ),
          });
          return;
        }
        res.set('Idempotent-Replayed', 'true');
        reply(res, previous);
        return;
      }
      // Handlers are synchronous, so no second request with this key can slip
      // in between executing and storing.
      const outcome = run(() => handler(req));
      idempotency.put(key, { fingerprint, ...outcome });
      reply(res, outcome);
    });
  };

  post('/refunds', (req) => ({ status: 201, body: store.submitRefund(parseBody(refundRequestSchema, req.body)) }));
  post('/returns', (req) => ({ status: 201, body: store.createReturn(parseBody(returnRequestSchema, req.body)) }));
  post('/repairs', (req) => ({ status: 201, body: store.createRepair(parseBody(repairRequestSchema, req.body)) }));
  post('/orders/:orderNumber/address', (req) => {
    const orderNumber = parseParam(req.params.orderNumber as string);
    const body = parseBody(addressChangeBodySchema, req.body);
    return { status: 200, body: store.changeAddress({ orderNumber, address: body.address }) };
  });
  post('/orders/:orderNumber/cancel', (req) => {
    const orderNumber = parseParam(req.params.orderNumber as string);
    const body = parseBody(cancelBodySchema, req.body ?? {});
    return { status: 200, body: store.cancelOrder({ orderNumber, reason: body.reason }) };
  });
  post('/orders/:orderNumber/verify', (req) => {
    const orderNumber = parseParam(req.params.orderNumber as string);
    const body = parseBody(verifyContactBodySchema, req.body);
    return { status: 200, body: store.verifyContact({ orderNumber, contact: body.contact }) };
  });
  post('/tickets', (req) => ({ status: 201, body: store.createTicket(parseBody(ticketRequestSchema, req.body)) }));

  app.use((req, res) => {
    sendError(res, new CommerceError(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
  });

  // Body-parser failures (malformed JSON, too large) and anything unexpected.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      sendError(res, new CommerceError(status, 'validation_failed', `request body rejected: ${(err as Error).message}`));
      return;
    }
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  });

  return { app, store, faults, idempotency };
}

function run(fn: () => Outcome): Outcome {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CommerceError) return { status: err.status, body: errorBody(err) };
    throw err;
  }
}

function reply(res: Response, outcome: Outcome): void {
  const fault = res.locals.fault as FaultDecision | undefined;
  if (fault?.kind === 'lose') {
    // The effect above already happened; only the answer is lost.
    sendError(res, new CommerceError(fault.status, 'injected_fault', 'service temporarily unavailable (injected fault)'));
    return;
  }
  if (fault?.kind === 'pass' && fault.replyDelayMs) {
    // The effect above already happened; the answer comes late (or never, if the caller is gone by then).
    setTimeout(() => {
      if (!res.destroyed) res.status(outcome.status).json(outcome.body);
    }, fault.replyDelayMs).unref();
    return;
  }
  res.status(outcome.status).json(outcome.body);
}

function sendError(res: Response, err: CommerceError): void {
  res.status(err.status).json(errorBody(err));
}

function errorBody(err: CommerceError) {
  return { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
}

function parseParam(orderNumber: string): string {
  const parsed = orderNumberSchema.safeParse(orderNumber);
  if (!parsed.success) {
    throw new CommerceError(400, 'validation_failed', `orderNumber: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new CommerceError(400, 'validation_failed', describeIssues(parsed.error), issues(parsed.error));
  }
  return parsed.data;
}

function issues(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function describeIssues(error: z.ZodError): string {
  return `invalid request: ${issues(error)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ')}`;
}
