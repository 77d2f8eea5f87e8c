/**
 * The sample commerce backend: seeded demo orders and customers behind a small
 * REST API, with Idempotency-Key support and fault injection. `npm start` runs
 * it when TOOLS_BASE_URL is unset; tests start one per suite on a free port.
 *
 * @example
 * const commerce = await startCommerceServer();        // 127.0.0.1, free port
 * commerce.faults.set({ failNext: 2 });                // next two calls → 503
 * commerce.faults.set({ hang: true, routes: ['/orders/**'] });
 * commerce.faults.reset();
 * await commerce.close();
 */
export { createCommerceApp, type CommerceApp, type CommerceAppOptions } from './app';
export { startCommerceServer, type CommerceServer, type CommerceServerOptions } from './server';
export { FaultController, routeMatches, type FaultPatch, type FaultSettings, type FaultStats } from './faults';
export { CommerceStore, CommerceError, type CommerceErrorCode, type TicketRecord } from './store';
export { IdempotencyStore, IDEMPOTENCY_HEADER } from './idempotency';
export { defaultSeed, type CommerceSeed } from './seed';
