/**
 * Restart safety (issue 7) with a Temporal that keeps nothing: the
 * standalone embedded server (`npm run temporal-server`) killed and started
 * again under a running gateway and worker. It comes back without
 * conversations and without Switchboard's search attributes. Then:
 * - /readyz fails once, saying exactly that, and the gateway registers the
 *   attributes again; the next probe is ready;
 * - a customer who resumes after the seq they had seen is told the
 *   conversation is lost (not handed silence);
 * - their next message starts it again numbering after that seq, with a
 *   notice, instead of a second seq 1.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../../src/temporal/dev-server';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/contract';
import { TestSocket } from '../gateway/harness';
import { createConversation, customerUrl, startApp, type App } from './app';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

function startEmbeddedProcess(port: number): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'embedded-temporal/src/cli.ts', '--port', String(port)], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`listening on 127.0.0.1:${port}`)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`embedded server exited (${code}) before listening: ${out}`)));
  });
}

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

let server: ChildProcessWithoutNullStreams | undefined;
let app: App | undefined;
afterAll(async () => {
  await app?.stop();
  if (server) await kill(server);
});

it('after Temporal lost everything: readiness says so and re-registers, resume says lost, the next message starts again numbering on', async () => {
  const port = await freePort();
  server = await startEmbeddedProcess(port);
  app = await startApp({ temporalAddress: `127.0.0.1:${port}` });

  const c = await createConversation(app, { locale: 'en' });
  const ws = await TestSocket.open(customerUrl(app, c));
  ws.send({ type: 'message', id: 'before-1', text: 'hello' });
  await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000);
  ws.send({ type: 'message', id: 'before-2', text: 'what are your opening hours?' });
  const second = await ws.waitFor((f) => f.type === 'message' && f.from === 'bot' && (f.seq as number) > 2, 30_000);
  const seenSeq = second.seq as number;
  ws.close();
  expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);

  await kill(server);
  server = await startEmbeddedProcess(port);
  // Wait until the new server answers, then probe readiness once: it must fail and say why.
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  try {
    await connection.workflowService.getSystemInfo({});
    const ours = async () => {
      const registered = Object.keys((await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {});
      return ALL_SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).filter((name) => registered.includes(name)).sort();
    };
    expect(await ours()).toEqual([]);
    // The readiness cache (1 s) must not answer from before the restart.
    await new Promise((r) => setTimeout(r, 1100));
    const failing = await fetch(`${app.baseUrl}/readyz`);
    expect(failing.status).toBe(503);
    const body = (await failing.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.checks.searchAttributes).toEqual({ ok: false, detail: expect.stringMatching(/had lost Switchboard's search attributes .*registered them again/) });
    expect(await ours()).toEqual(ALL_SEARCH_ATTRIBUTE_KEYS.map((k) => k.name).sort());
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  } finally {
    await connection.close();
  }

  // The customer comes back and asks for what came after the last entry they saw.
  const again = await TestSocket.open(customerUrl(app, c));
  again.send({ type: 'resume', afterSeq: seenSeq });
  const lost = await again.waitFor((f) => f.type === 'error', 15_000);
  expect(lost).toMatchObject({ code: 'conversation_lost', message: expect.stringMatching(/no longer show this conversation's earlier messages/) });
  expect(again.frames.filter((f) => f.type === 'message')).toEqual([]);

  again.send({ type: 'message', id: 'after-1', text: 'hello again' });
  const notice = await again.waitFor((f) => f.type === 'message' && f.from === 'system', 30_000);
  expect(notice).toMatchObject({ seq: seenSeq + 1, text: expect.stringMatching(/The earlier part of this conversation was lost on our side/) });
  expect(await again.waitFor((f) => f.type === 'ack' && f.id === 'after-1', 30_000)).toMatchObject({ seq: seenSeq + 2 });
  const reply = await again.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000);
  expect(reply.seq).toBe(seenSeq + 3);
  again.close();
});

it('after another restart, a new conversation works at once: the refused start registers the search attributes again and is retried', async () => {
  const port = Number(app!.temporalAddress.split(':').pop());
  await kill(server!);
  server = await startEmbeddedProcess(port);
  const c = await createConversation(app!, { locale: 'zh' });
  const ws = await TestSocket.open(customerUrl(app!, c));
  ws.send({ type: 'message', id: 'fresh-1', text: '你好' });
  const first = await ws.waitFor((f) => f.type === 'ack' || f.type === 'error', 30_000);
  expect(first).toMatchObject({ type: 'ack', id: 'fresh-1', seq: 1 });
  expect((await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000)).seq).toBe(2);
  ws.close();
});
