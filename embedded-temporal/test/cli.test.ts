/**
 * The standalone entry point, run as its own process the way
 * `npm run temporal-server -- --port <n>` runs it: one line on stdout, a
 * client from this process can use it, SIGTERM exits 0, bad flags exit 2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'embedded-temporal/src/cli.ts');

function start(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function firstLine(read: () => string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes('\n')) {
    if (Date.now() > deadline) throw new Error('no output from the CLI');
    await new Promise((r) => setTimeout(r, 50));
  }
  return read().split('\n')[0];
}

test('prints one line, serves a client from another process, exits 0 on SIGTERM', async () => {
  const proc = start(['--port', '0']);
  try {
    const line = await firstLine(proc.stdout);
    const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    expect(match).not.toBeNull();
    const connection = await Connection.connect({ address: `127.0.0.1:${match![1]}` });
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
    await connection.close();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.stdout()).toBe(`${line}\n`);
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
});

test('a bad flag is a usage error with exit code 2', async () => {
  const proc = start(['--prot', '7244']);
  expect(await proc.exited).toBe(2);
  expect(proc.stderr()).toMatch(/usage: npm run temporal-server/);
  expect(proc.stdout()).toBe('');
  const badPort = start(['--port', 'seventy']);
  expect(await badPort.exited).toBe(2);
  expect(badPort.stderr()).toMatch(/--port must be an integer/);
});
