/**
 * `npm start` itself (src/main.ts) as a child process:
 * - with Temporal's CLI installed (`npm run temporal:install`) it runs the
 *   real dev server with its SQLite file under DATA_DIR; the whole service
 *   killed with SIGKILL and started again keeps every conversation, its
 *   transcript and the customer's token, and leaves no server behind;
 * - LOCAL_TEMPORAL=embedded (or no CLI) runs the in-memory embedded server
 *   and says that conversations are lost on exit;
 * - LOCAL_TEMPORAL=dev without the CLI, and bad variables, stop the start
 *   with a message naming the problem.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestSocket } from '../gateway/harness';
import { requireTemporalBinary } from '../../src/temporal/binaries';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * node with tsx's loader, not the `tsx` launcher: the launcher runs the
 * program in a second process, and a SIGKILL of the launcher would leave that
 * one running — here one pid is the whole service.
 */
function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_FORMAT: 'json', ...env },
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

async function createConversation(url: string): Promise<{ conversationId: string; token: string }> {
  const res = await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"locale":"en"}' });
  expect(res.status).toBe(201);
  return (await res.json()) as { conversationId: string; token: string };
}

const socketUrl = (url: string, c: { conversationId: string; token: string }) =>
  `${url.replace('http', 'ws')}/ws?conversationId=${c.conversationId}&token=${encodeURIComponent(c.token)}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start with Temporal’s dev server', () => {
  let dataDir: string;
  beforeAll(() => {
    // The CLI must be installed for this suite: CI runs `npm run temporal:install` first.
    requireTemporalBinary('temporal');
    dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-npm-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every conversation across a SIGKILL of the whole service and a restart, and stops cleanly on SIGINT', async () => {
    const env = { PORT: '0', LOCAL_TEMPORAL_PORT: '0', COMMERCE_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    const first = start(env);
    let second: Started | undefined;
    try {
      const [, url] = await waitForOutput(first.output, /Switchboard is running: (http:\/\/127\.0\.0\.1:\d+)\//, 90_000);
      expect(first.output()).toMatch(/Temporal's dev server on 127\.0\.0\.1:\d+, conversations kept in .*dev-server\.sqlite; Web UI http:\/\/127\.0\.0\.1:\d+/);
      const conv = await createConversation(url);
      const ws = await TestSocket.open(socketUrl(url, conv));
      ws.send({ type: 'message', id: 'before-crash', text: 'where is my order 100000000002?' });
      const reply = await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000);
      expect(reply.text).toMatch(/100000000002/);
      ws.close();

      const serverPid = Number(readFileSync(path.join(dataDir, 'temporal', 'dev-server.sqlite.pid'), 'utf8'));
      expect(alive(serverPid)).toBe(true);
      first.child.kill('SIGKILL');
      await first.exited;
      // The watchdog takes the dev server down with the service: nothing holds the port or the SQLite file.
      for (let i = 0; i < 100 && alive(serverPid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(serverPid)).toBe(false);

      second = start(env);
      const [, url2] = await waitForOutput(second.output, /Switchboard is running: (http:\/\/127\.0\.0\.1:\d+)\//, 90_000);
      // Same token (the signing secret is kept in DATA_DIR), same conversation, same transcript.
      const again = await TestSocket.open(socketUrl(url2, conv));
      again.send({ type: 'resume', afterSeq: 0 });
      const resumed = await again.waitFor((f) => f.type === 'message' && f.seq === 2, 30_000);
      expect(resumed).toMatchObject({ from: 'bot', text: reply.text });
      again.send({ type: 'message', id: 'after-crash', text: 'I want a refund for order 100000000001' });
      const next = await again.waitFor((f) => f.type === 'message' && f.from === 'bot' && (f.seq as number) > 2, 30_000);
      expect(next.seq).toBe(4);
      again.close();
      expect(second.output()).not.toContain(conv.token);

      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
      expect(second.output()).toMatch(/stopped cleanly/);
    } finally {
      for (const app of [first, second]) if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });
});

it('LOCAL_TEMPORAL=embedded: the in-memory server, and the log says conversations are lost on exit', async () => {
  const app = start({ PORT: '0', LOCAL_TEMPORAL: 'embedded', LOCAL_TEMPORAL_PORT: '0', COMMERCE_PORT: '0', LOG_LEVEL: 'info', GATEWAY_SECRET: 'npm-start-test-secret-0001' });
  try {
    const [, url] = await waitForOutput(app.output, /Switchboard is running: (http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
    const out = app.output();
    expect(out).toMatch(/embedded in-memory server on 127\.0\.0\.1:\d+: conversations are LOST on exit/);
    expect(out).toMatch(/npm run temporal:install/);
    expect(out).toMatch(/sample commerce backend on http:\/\/127\.0\.0\.1:\d+/);

    const created = await createConversation(url);
    const ws = await TestSocket.open(socketUrl(url, created));
    ws.send({ type: 'message', id: 'n-1', text: 'where is my order 100000000002?' });
    expect((await ws.waitFor((f) => f.type === 'message' && f.from === 'bot', 30_000)).text).toMatch(/100000000002/);
    ws.close();
    expect(app.output()).not.toContain(created.token);

    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(app.output()).toMatch(/stopped cleanly/);
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
});

it('LOCAL_TEMPORAL=dev without the CLI: says how to install it and exits 1', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'switchboard-no-tools-'));
  try {
    const app = start({ LOCAL_TEMPORAL: 'dev', SWITCHBOARD_TOOLS_DIR: empty, PATH: path.dirname(process.execPath), PORT: '0', LOCAL_TEMPORAL_PORT: '0', COMMERCE_PORT: '0' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/LOCAL_TEMPORAL=dev but the Temporal CLI is not installed/);
    expect(app.output()).toMatch(/npm run temporal:install/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

it('names each bad variable and exits 1', async () => {
  const app = start({ PORT: 'not-a-port', OPENAI_BASE_URL: 'nope', LOCAL_TEMPORAL: 'sometimes' });
  expect(await app.exited).toBe(1);
  expect(app.output()).toMatch(/PORT/);
  expect(app.output()).toMatch(/OPENAI_BASE_URL/);
  expect(app.output()).toMatch(/LOCAL_TEMPORAL/);
});
