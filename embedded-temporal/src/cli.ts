/**
 * `npm run temporal-server -- --port 7244`: the embedded Temporal server as a
 * process of its own, for a worker and a client in other processes. Prints
 * exactly one line, `listening on 127.0.0.1:<port>`, on stdout once it
 * accepts connections, and serves until SIGINT or SIGTERM (then exits 0).
 * Bad arguments print usage on stderr and exit 2.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedTemporal } from './index';

const USAGE = `usage: npm run temporal-server -- [--port <n>] [--namespace <name>]... [--time-skipping] [--verbose]

  --port <n>          TCP port on 127.0.0.1 (default 7233; 0 = any free port)
  --namespace <name>  extra namespace to create (repeatable; "default" always exists)
  --time-skipping     virtual time that jumps to the next timer when nothing runs
                      (starts with the test harness's lock held; see README)
  --verbose           diagnostic lines on stderr
  --help              this text`;

class UsageError extends Error {}

interface CliOptions {
  port: number;
  namespaces: string[];
  timeSkipping: boolean;
  verbose: boolean;
}

function parse(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        namespace: { type: 'string', multiple: true },
        'time-skipping': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const rawPort = values.port ?? '7233';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(rawPort)}`);
  return {
    port: Number(rawPort),
    namespaces: values.namespace ?? [],
    timeSkipping: values['time-skipping'] ?? false,
    verbose: values.verbose ?? false,
  };
}

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`temporal-server: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.error(USAGE);
    return;
  }
  const verbose = options.verbose;
  const server = await startEmbeddedTemporal({
    port: options.port,
    namespaces: options.namespaces,
    timeSkipping: options.timeSkipping,
    log: verbose ? (line) => console.error(line) : undefined,
  });
  process.stdout.write(`listening on ${server.address}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (verbose) console.error(`temporal-server: ${signal}, stopping`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('temporal-server: error while stopping', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('temporal-server: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
