/**
 * Recovery after a worker crash: `npm run bench:recovery [-- --conversations 24 --server embedded|dev|both]`.
 *
 * The crash soak's scene (test/crash/soak.ts): N conversations at a refund
 * confirmation, "yes" to all, the backend acts at once and answers 3 s later.
 * Two rounds in the same process, on a fresh world each:
 * - baseline: no crash; time from "yes" to the refund confirmation;
 * - crash: the worker is killed with SIGKILL once every refund reached the
 *   backend, and started again; time from the restart to each refund
 *   confirmation, and from "yes".
 * Prints p50/p99/max and the crash/baseline ratio. Expect recovery to be
 * dominated by the tool's start-to-close timeout (TOOL_TIMEOUT_MS, 10 s):
 * Temporal retries an activity whose worker died only when that timeout
 * passes, and the worker needs a few seconds to bundle the workflow code.
 */
import { parseArgs } from 'node:util';
import { refundSubmitted, send, startSoakWorld, toConfirmation, waitForTranscript, type SoakConversation, type SoakServer, type SoakWorld } from '../test/crash/soak';
import { percentile } from './stats';

const { values } = parseArgs({
  options: { conversations: { type: 'string', default: '24' }, server: { type: 'string', default: 'both' } },
});
const N = Number(values.conversations);
const servers: SoakServer[] = values.server === 'both' ? ['embedded', 'dev'] : [values.server as SoakServer];

async function round(server: SoakServer, crash: boolean): Promise<{ fromYes: number[]; fromRestart: number[]; restartToReady: number }> {
  const world: SoakWorld = await startSoakWorld({ server, conversations: N, workerEnv: { LOG_LEVEL: 'info' } });
  try {
    const conversations: SoakConversation[] = await Promise.all(Array.from({ length: N }, (_, i) => toConfirmation(world, i)));
    world.commerce.faults.set({ replyDelayMs: 3000, routes: ['POST /refunds'] });
    const yesAt = Date.now();
    await Promise.all(conversations.map((c) => send(c.handle, 'yes')));
    let restartAt = NaN;
    if (crash) {
      while (world.commerce.store.refunds.length < N) await new Promise((r) => setTimeout(r, 20));
      await world.worker.kill('SIGKILL');
      world.commerce.faults.reset();
      restartAt = Date.now();
      world.worker.start();
    }
    const doneAt = await Promise.all(
      conversations.map(async (c) => {
        await waitForTranscript(c.handle, (t) => refundSubmitted(t, c.orderNumber), 'the refund confirmation', 180_000);
        return Date.now();
      }),
    );
    const ready = await readyAt(world, restartAt);
    return { fromYes: doneAt.map((t) => t - yesAt), fromRestart: crash ? doneAt.map((t) => t - restartAt) : [], restartToReady: ready };
  } finally {
    await world.close();
  }
}

/** When the restarted worker said it polls (its "worker polling" line), relative to the restart. */
async function readyAt(world: SoakWorld, restartAt: number): Promise<number> {
  if (Number.isNaN(restartAt)) return NaN;
  const lines = world.worker.output().split('\n').filter((l) => l.includes('"worker polling"'));
  const last = lines.at(-1);
  const time = last ? (JSON.parse(last) as { time?: number }).time : undefined;
  return time ? time - restartAt : NaN;
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '   n/a' : `${(ms / 1000).toFixed(2).padStart(6)} s`);
const stats = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))}  p99 ${fmt(percentile(xs, 99))}  max ${fmt(Math.max(...xs))}`;

async function main(): Promise<void> {
  console.log(`recovery after a worker SIGKILL, ${N} conversations mid refund (the backend answers 3 s after acting)\n`);
  for (const server of servers) {
    const base = await round(server, false);
    const crash = await round(server, true);
    console.log(`${server === 'dev' ? "Temporal's dev server" : 'embedded server'}:`);
    console.log(`  no crash    "yes" → confirmation  ${stats(base.fromYes)}`);
    console.log(`  with crash  "yes" → confirmation  ${stats(crash.fromYes)}`);
    console.log(`              restart → confirmation ${stats(crash.fromRestart)}`);
    console.log(`              restart → worker polling ${fmt(crash.restartToReady)}`);
    console.log(`  ratio crash/no crash (p50, "yes" → confirmation): ${(percentile(crash.fromYes, 50) / percentile(base.fromYes, 50)).toFixed(1)}×\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
