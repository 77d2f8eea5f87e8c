/**
 * Runs the sample commerce backend on an HTTP port (0 = any free port).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommerceApp, type CommerceAppOptions } from './app';
import type { FaultController } from './faults';
import type { IdempotencyStore } from './idempotency';
import type { CommerceStore } from './store';

export interface CommerceServerOptions extends CommerceAppOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface CommerceServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:4100 */
  url: string;
  port: number;
  faults: FaultController;
  store: CommerceStore;
  idempotency: IdempotencyStore;
  /** Releases hung requests, drops open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * @example
 * const commerce = await startCommerceServer();
 * const tools = createHttpToolClient({ baseUrl: commerce.url, timeoutMs: 2000 });
 * await commerce.close();
 */
export async function startCommerceServer(options: CommerceServerOptions = {}): Promise<CommerceServer> {
  const { app, faults, store, idempotency } = createCommerceApp(options);
  const server = createServer(app);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    faults,
    store,
    idempotency,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Hung requests would keep the server open forever.
        faults.reset();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
