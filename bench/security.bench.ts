/**
 * `npm run bench:security` — what privacy at rest and the rate limits cost.
 * Figures only, no asserts. Each measurement runs its baseline in the same
 * process, interleaved round by round, and prints the ratio.
 *
 * 1. Payload codec (src/temporal/codec.ts, AES-256-GCM): the SDK's default
 *    payload converter alone against converter + codec, encode and decode,
 *    for three payloads the workflow really carries: one customer message
 *    signal, a conversation's state, and a long transcript (continue-as-new
 *    input). Per call p50/p99 in µs, and the size growth.
 * 2. Rate limits (src/gateway/limits.ts, in-memory store; Redis when
 *    REDIS_URL is set): `take()` per WebSocket frame, p50/p99 in µs; and an
 *    HTTP route through express with and without the limit middleware,
 *    sequential keep-alive requests from this process, p50/p99 and the
 *    ratio.
 * 3. Log masking (src/logger.ts): one log line with a message and an error
 *    through the service logger against plain pino, both to a null stream.
 *
 * Set BENCH_ROUNDS (default 5) and BENCH_N (default 2,000) to change the size.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import express from 'express';
import pino from 'pino';
import { createLimits, type LimitsConfig } from '../src/gateway/limits';
import { createLogger } from '../src/logger';
import { AesGcmPayloadCodec, KEY_BYTES } from '../src/temporal/codec';
import { percentile } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = Number(process.env.BENCH_N ?? 2000);

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const line = (label: string, xs: number[]) => `  ${label.padEnd(40)} p50 ${us(percentile(xs, 50)).padStart(10)}   p99 ${us(percentile(xs, 99)).padStart(10)}`;
const ratio = (a: number[], b: number[]) => (percentile(a, 50) / percentile(b, 50)).toFixed(2);

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

// ---- 1. payload codec -------------------------------------------------------

const message = { messageId: 'm-7f3a', text: 'I want a refund for order 100000000002, it arrived broken and the box was wet', at: '2026-12-01T10:00:00.000Z' };
function transcript(entries: number) {
  return Array.from({ length: entries }, (_, i) => ({
    seq: i + 1,
    from: i % 2 ? 'bot' : 'customer',
    text: i % 2 ? 'To confirm: a refund of USD 59.90 for order 100000000001, reason "it broke after a week", to store credit. Shall I submit it?' : '我要退款，订单100000000001，质量太差了',
    at: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
    messageId: `m-${i}`,
  }));
}
const state = { conversationId: 'c-1', phase: 'ai', customer: { id: 'cu-1', tier: 'vip', language: 'zh' }, ai: { task: { intent: 'get_refund', slots: { orderNumber: '100000000001' } } }, transcript: transcript(12) };
const longInput = { ...state, transcript: transcript(400) };

async function codecBench(): Promise<void> {
  const codec = new AesGcmPayloadCodec(new Map([['k1', Buffer.alloc(KEY_BYTES, 7)]]), 'k1');
  console.log('1. payload codec (AES-256-GCM) against the default converter alone');
  for (const [label, value] of [['customer message signal', message], ['conversation state', state], ['transcript of 400 entries', longInput]] as const) {
    const plain: number[] = [];
    const sealed: number[] = [];
    const decodePlain: number[] = [];
    const decodeSealed: number[] = [];
    let sizes = { plain: 0, sealed: 0 };
    const n = label.startsWith('transcript') ? Math.max(50, Math.floor(N / 20)) : N;
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < n; i++) {
        let p: Payload | undefined;
        plain.push(await time(() => (p = defaultPayloadConverter.toPayload(value))));
        let s: Payload[] = [];
        sealed.push(await time(async () => (s = await codec.encode([defaultPayloadConverter.toPayload(value)]))));
        decodePlain.push(await time(() => defaultPayloadConverter.fromPayload(p!)));
        decodeSealed.push(await time(async () => defaultPayloadConverter.fromPayload((await codec.decode(s))[0]!)));
        sizes = { plain: p!.data!.length, sealed: s[0]!.data!.length };
      }
    }
    console.log(` ${label} (${sizes.plain} B → ${sizes.sealed} B sealed, +${sizes.sealed - sizes.plain} B)`);
    console.log(line('encode, converter only', plain));
    console.log(line('encode, converter + codec', sealed) + `   ×${ratio(sealed, plain)}`);
    console.log(line('decode, converter only', decodePlain));
    console.log(line('decode, codec + converter', decodeSealed) + `   ×${ratio(decodeSealed, decodePlain)}`);
  }
}

// ---- 2. rate limits ---------------------------------------------------------

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function limitsBench(): Promise<void> {
  const config: LimitsConfig = {
    RATE_LIMIT_WINDOW_SECONDS: 60,
    RATE_LIMIT_PER_IP: 1_000_000_000,
    RATE_LIMIT_PER_CUSTOMER: 1_000_000_000,
    RATE_LIMIT_PER_AGENT: 1_000_000_000,
    REDIS_URL: process.env.REDIS_URL,
  };
  const store = config.REDIS_URL ? 'Redis store' : 'in-memory store';
  console.log(`\n2. rate limits (${store}; limits set high so nothing is refused)`);
  const limited = express();
  const limits = createLimits({ config, identify: () => undefined, app: limited, logger: silent });
  limited.use(...limits.http);
  limited.get('/api/ping', (_req, res) => res.json({ ok: true }));
  const bare = express();
  bare.get('/api/ping', (_req, res) => res.json({ ok: true }));
  const servers = [limited.listen(0, '127.0.0.1'), bare.listen(0, '127.0.0.1')];
  await Promise.all(servers.map((s) => once(s, 'listening')));
  const [withUrl, withoutUrl] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/ping`);
  try {
    const takes: number[] = [];
    const withLimit: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < N; i++) takes.push(await time(() => limits.take('customer', `cu-${i % 50}`)));
      for (let i = 0; i < N / 4; i++) {
        without.push(await time(async () => (await fetch(withoutUrl!)).arrayBuffer()));
        withLimit.push(await time(async () => (await fetch(withUrl!)).arrayBuffer()));
      }
    }
    console.log(line('take() per WebSocket frame', takes));
    console.log(line('HTTP GET, no limit middleware', without));
    console.log(line('HTTP GET, per-IP limit middleware', withLimit) + `   ×${ratio(withLimit, without)}`);
  } finally {
    for (const s of servers) s.close();
    await limits.close();
  }
}

// ---- 3. log masking ---------------------------------------------------------

async function loggingBench(): Promise<void> {
  console.log('\n3. log masking: one info line with a customer text and an error');
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const ours = createLogger({ level: 'info', format: 'json', destination: sink() });
  const plainPino = pino({ level: 'info' }, sink());
  const error = new Error('refund failed for card 4111 1111 1111 1111, phone 13800138000');
  const fields = { conversationId: 'c-1', text: 'my card 4111 1111 1111 1111 exp 12/29 was charged twice', err: error };
  const masked: number[] = [];
  const plain: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < N; i++) {
      plain.push(await time(() => plainPino.info(fields, 'tool call failed')));
      masked.push(await time(() => ours.info(fields, 'tool call failed')));
    }
  }
  console.log(line('plain pino (no masking)', plain));
  console.log(line('service logger (masking, redaction)', masked) + `   ×${ratio(masked, plain)}`);
}

async function main(): Promise<void> {
  console.log(`bench:security — ${ROUNDS} rounds × ${N} per measurement (Node ${process.version})\n`);
  await codecBench();
  await limitsBench();
  await loggingBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
