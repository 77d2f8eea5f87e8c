/**
 * Test harness: a gateway on 127.0.0.1:0 in front of the fake Temporal
 * client, plus a WebSocket client that records frames and waits for them.
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { InProcessBus } from '../../src/bus/in-process';
import type { EventBus } from '../../src/bus/types';
import { loadConfig, type Config } from '../../src/config';
import { AgentDirectory } from '../../src/gateway/agents';
import { createGateway, type Gateway, type GatewayDeps } from '../../src/gateway';
import { createLogger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { FakeTemporal, type FakeOptions } from './fake-temporal';

export const TEST_AGENTS = [
  { id: 'alice', name: 'Alice', token: 'token-alice-0000000001', skills: ['general', 'refunds'], maxConcurrent: 2 },
  { id: 'bob', name: 'Bob', token: 'token-bob-00000000000002', skills: ['general'], maxConcurrent: 2 },
  { id: 'tina', name: 'Tina', token: 'token-tina-0000000000003', skills: ['technical'], maxConcurrent: 1 },
  { id: 'olga', name: 'Olga', token: 'token-olga-0000000000004', skills: ['general'], maxConcurrent: 1, role: 'operator' },
  { id: 'sam', name: 'Sam', token: 'token-sam-00000000000005', skills: ['general'], maxConcurrent: 1, role: 'supervisor' },
];
export const TOKENS = Object.fromEntries(TEST_AGENTS.map((a) => [a.id, a.token])) as Record<string, string>;

export interface Harness {
  fake: FakeTemporal;
  bus: EventBus;
  gateway: Gateway;
  metrics: Metrics;
  config: Config;
  baseUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  opts: { fake?: FakeOptions; deps?: Partial<GatewayDeps> } = {},
): Promise<Harness> {
  const bus = new InProcessBus();
  const fake = new FakeTemporal({ bus, ...opts.fake });
  const config = loadConfig({ GATEWAY_SECRET: 'test-secret-0123456789', LOG_LEVEL: 'silent', ...env });
  const metrics = createMetrics({ defaultMetrics: false });
  const gateway = createGateway({
    config,
    client: fake.client,
    bus,
    agents: AgentDirectory.fromJson(TEST_AGENTS),
    logger: createLogger({ level: 'silent' }),
    metrics,
    options: { queueRefreshMs: 60_000, ackTimeoutMs: 3000 },
    ...opts.deps,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  await gateway.ready();
  const { port } = gateway.server.address() as AddressInfo;
  return {
    fake,
    bus,
    gateway,
    metrics,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    async close() {
      await gateway.close();
      await bus.close();
    },
  };
}

export type Frame = Record<string, any> & { type: string };

/** A WebSocket client that keeps every frame and can wait for one. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(frame)) {
          w.resolve(frame);
          return false;
        }
        return true;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) matching `pred`. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  waitClose(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  messages(): Frame[] {
    return this.frames.filter((f) => f.type === 'message');
  }

  close(): void {
    this.ws.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
