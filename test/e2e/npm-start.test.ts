/**
 * `npm start` itself (src/main.ts) as a child process: it starts everything,
 * says where, serves a conversation, and stops cleanly on SIGINT. Also: a bad
 * configuration is reported by name with exit code 1.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { TestSocket } from '../gateway/harness';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = output().match(pattern);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('starts embedded Temporal, sample backend, worker and gateway, serves a chat, and stops cleanly on SIGINT', async () => {
  const app = start({ PORT: '0', EMBEDDED_TEMPORAL_PORT: '0', COMMERCE_PORT: '0', LOG_LEVEL: 'info' });
  try {
    const [, url] = await waitForOutput(app.output, /Switchboard is running: (http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
    const out = app.output();
    expect(out).toMatch(/embedded in-memory server on 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/TEMPORAL_ADDRESS=/);
    expect(out).toMatch(/sample commerce backend on http:\/\/127\.0\.0\.1:\d+/);

    const created = (await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as {
      conversationId: string;
      token: string;
    };
    const ws = await TestSocket.open(`${url.replace('http', 'ws')}/ws?conversationId=${created.conversationId}&token=${encodeURIComponent(created.token)}`);
    ws.send({ type: 'message', id: 'n-1', text: 'where is my order 100000000002?' });
    expect((await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000)).text).toMatch(/100000000002/);
    ws.close();
    // Tokens never reach the log.
    expect(app.output()).not.toContain(created.token);

    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(app.output()).toMatch(/stopped cleanly/);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
});

it('names each bad variable and exits 1', async () => {
  const app = start({ PORT: 'not-a-port', OPENAI_BASE_URL: 'nope' });
  expect(await app.exited).toBe(1);
  expect(app.output()).toMatch(/PORT/);
  expect(app.output()).toMatch(/OPENAI_BASE_URL/);
});
