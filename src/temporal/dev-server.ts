/**
 * Temporal's own development server (`temporal server start-dev`: the real
 * server, SQLite persistence, the Web UI) as a child process, for `npm start`
 * and the test suites.
 *
 * The child runs under a small `sh` watchdog that reads our end of a pipe:
 * when this process ends — cleanly, by an exception, or by SIGKILL — the pipe
 * closes, the watchdog sends the server SIGTERM and waits for it. So a killed
 * `npm start` never leaves a server holding the port and the SQLite file. If
 * the watchdog itself was killed with SIGKILL, the server's pid file (beside
 * the SQLite file) lets the next start stop that orphan before it starts anew.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';

/** The shape `defineSearchAttributeKey` returns (the SDK does not export its type from the package root). */
interface SearchAttributeKey {
  name: string;
  type: SearchAttributeType;
}

export interface DevServerOptions {
  /** Path of the `temporal` CLI. */
  executable: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  ip?: string;
  /** Web UI port (default port + 1000; 0 picks a free one); ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file; unset keeps everything in memory. Its folder is created. */
  dbFile?: string;
  /** Namespaces besides `default`. */
  namespaces?: string[];
  /** Custom search attributes to register at launch. */
  searchAttributes?: readonly SearchAttributeKey[];
  /** Remote codec endpoint the Web UI should call to decode payloads. */
  uiCodecEndpoint?: string;
  /** `--dynamic-config-value` pairs. */
  dynamicConfig?: Record<string, unknown>;
  /** Server output lines (stderr and stdout). */
  log?: (line: string) => void;
  /** How long to wait for the frontend to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** host:port for the SDK. */
  address: string;
  /** The Web UI, unless headless. */
  uiUrl?: string;
  /** The server's own pid (not the watchdog's). */
  pid?: number;
  /** Resolves once the server process has exited. */
  exited: Promise<void>;
  /** SIGTERM through the watchdog, SIGKILL after `graceMs` (default 10 s). */
  stop(graceMs?: number): Promise<void>;
}

const SA_TYPE_FLAG: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * Parent-death watchdog. `$0 "$@"` is the server command line. The server's
 * stdin is closed (it never reads it); the watchdog's is our pipe, read by a
 * background loop that stops the server when the pipe closes. The watchdog
 * itself waits for the server, so it also ends when the server dies on its
 * own. The first line it prints is the server's pid.
 */
const WATCHDOG = [
  '"$0" "$@" <&- & server=$!',
  'echo "switchboard-dev-server-pid $server"',
  'trap \'kill -TERM $server 2>/dev/null\' TERM INT HUP',
  // An asynchronous list reads /dev/null unless told otherwise: hand it our pipe through fd 3.
  'exec 3<&0',
  '( while read -r _; do :; done; kill -TERM $server 2>/dev/null ) <&3 &',
  'wait $server',
].join('\n');

/** A free TCP port on `ip` (bound, read and released; the caller binds it next). */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, ip, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function devServerArgs(options: DevServerOptions & { port: number; uiPort?: number }): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip ?? '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  else {
    if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
    args.push('--ui-disable-news-fetch');
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  }
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const ns of options.namespaces ?? []) args.push('--namespace', ns);
  for (const key of options.searchAttributes ?? []) args.push('--search-attribute', `${key.name}=${SA_TYPE_FLAG[key.type]}`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

function pidFileOf(dbFile: string): string {
  return `${dbFile}.pid`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a server a previous, SIGKILLed watchdog left behind on the same SQLite file. */
async function stopOrphan(dbFile: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFileOf(dbFile), 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    // No /proc (not Linux): trust the pid file only if the process is ours to signal.
  }
  if (cmdline && !(cmdline.includes('start-dev') && cmdline.includes(dbFile))) return;
  log(`stopping a Temporal dev server left running by an earlier start (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal server start-dev exited (${child.exitCode ?? child.signalCode}) before serving:\n${output().slice(-2000)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`temporal server start-dev did not answer on ${address} within ${timeoutMs} ms (${lastError}):\n${output().slice(-2000)}`);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const ip = options.ip ?? '127.0.0.1';
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    await stopOrphan(options.dbFile, log);
  }
  const port = options.port === 0 ? await freePort(ip) : options.port;
  const uiPort = options.headless ? undefined : options.uiPort === 0 ? await freePort(ip) : (options.uiPort ?? port + 1000);
  const args = devServerArgs({ ...options, port, uiPort });

  const child = spawn('sh', ['-c', WATCHDOG, options.executable, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: a Ctrl-C in the terminal reaches us, not the server,
    // so we stop the worker before the server it talks to.
    detached: true,
  });
  let output = '';
  let serverPid: number | undefined;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    for (const line of text.split('\n')) {
      const m = /^switchboard-dev-server-pid (\d+)$/.exec(line.trim());
      if (m) {
        serverPid = Number(m[1]);
        if (options.dbFile) writeFileSync(pidFileOf(options.dbFile), `${serverPid}\n`);
      } else if (line.trim()) {
        log(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // A watchdog pipe error (we are exiting) must not crash us.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.unref();

  const address = `${ip}:${port}`;
  const stop = async (graceMs = 10_000): Promise<void> => {
    // Always: the watchdog's reader loop waits on this pipe even after the server died on its own.
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => {
        if (serverPid && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
        if (child.pid) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    if (options.dbFile) rmSync(pidFileOf(options.dbFile), { force: true });
  };

  try {
    await waitUntilServing(address, child, options.readyTimeoutMs ?? 60_000, () => output);
  } catch (error) {
    await stop(2000);
    throw error;
  }
  return {
    address,
    uiUrl: uiPort !== undefined ? `http://${ip}:${uiPort}` : undefined,
    get pid() {
      return serverPid;
    },
    exited,
    stop,
  };
}
