/**
 * `temporal.api.testservice.v1.TestService`: the time-skipping controls that
 * `@temporalio/testing`'s `TestWorkflowEnvironment` drives. Its
 * `TimeSkippingWorkflowClient.result()` wraps the wait in
 * UnlockTimeSkipping … LockTimeSkipping, `env.sleep(ms)` calls
 * UnlockTimeSkippingWithSleep and `env.currentTimeMs()` calls GetCurrentTime.
 *
 * The harness's locks are accounted apart from the server's own (workflow
 * tasks, activities, RPCs). In Temporal's Java test server they share one
 * counter, so two concurrent `result()` calls can release a lock the server
 * holds for outstanding work and let time jump under a running activity. Here
 * an unlock that finds the harness holding nothing, while the server holds
 * locks, is recorded as owed: time is released as soon as that work finishes,
 * and the matching LockTimeSkipping settles the debt instead of taking a
 * lock. The unlock fails (FAILED_PRECONDITION) exactly where the Java server's
 * fails: when nothing at all holds time.
 *
 * The server must create its clock with `startLocked: true` (the harness lock
 * the Java server starts with), and build these handlers before any work
 * starts: the locks held at that moment are counted as the harness's.
 */
import * as grpc from '@grpc/grpc-js';
import type { ServerClock } from './clock-types';
import { ClockClosedError } from './clock';

interface ProtoTime {
  seconds?: number | string | { toString(): string } | null;
  nanos?: number | null;
}

export class TimeSkippingUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeSkippingUsageError';
  }
}

function protoTimeMs(t: ProtoTime | null | undefined, field: string): number {
  if (t == null) return 0;
  const seconds = Number(t.seconds == null ? 0 : typeof t.seconds === 'number' ? t.seconds : t.seconds.toString());
  const nanos = Number(t.nanos ?? 0);
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) throw new TimeSkippingUsageError(`${field} is not a valid time value`);
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function toTimestamp(ms: number): { seconds: number; nanos: number } {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  return { seconds, nanos: (whole - seconds * 1000) * 1e6 };
}

type Unary = grpc.handleUnaryCall<Record<string, unknown>, Record<string, unknown>>;

/** Keeps the harness's share of the clock's lock counter (see the module comment). */
class HarnessLocks {
  private held: number;
  private owed = 0;

  constructor(private readonly clock: ServerClock) {
    this.held = clock.lockCount;
  }

  lock(reason: string): void {
    if (this.owed > 0) {
      this.owed--;
      return;
    }
    this.clock.lock(reason);
    this.held++;
  }

  /** Throws, changing nothing, if an unlock now would be unbalanced. */
  checkUnlock(): void {
    if (this.held > 0 || this.clock.lockCount > 0) return;
    throw new TimeSkippingUsageError(
      'UnlockTimeSkipping without a matching LockTimeSkipping: time skipping is not locked. ' +
        'Start the server with its clock locked (startLocked) and pair every unlock with a lock.',
    );
  }

  unlock(reason: string): void {
    this.checkUnlock();
    if (this.held > 0) {
      this.held--;
      this.clock.unlock(reason);
    } else {
      this.owed++;
    }
  }
}

function respond(
  call: grpc.ServerUnaryCall<Record<string, unknown>, Record<string, unknown>>,
  callback: grpc.sendUnaryData<Record<string, unknown>>,
  work: () => Promise<Record<string, unknown>> | Record<string, unknown>,
): void {
  let answered = false;
  const send = (err: grpc.ServiceError | null, value?: Record<string, unknown>) => {
    if (answered) return;
    answered = true;
    callback(err, value);
  };
  const fail = (err: unknown) => {
    const code =
      err instanceof TimeSkippingUsageError
        ? grpc.status.FAILED_PRECONDITION
        : err instanceof ClockClosedError
          ? // Not UNAVAILABLE: the SDK retries that for seconds against a server that is going away.
            grpc.status.CANCELLED
          : grpc.status.INTERNAL;
    const details = err instanceof Error ? err.message : String(err);
    send({ name: 'TestServiceError', message: details, code, details, metadata: new grpc.Metadata() });
  };
  try {
    Promise.resolve(work()).then((value) => send(null, value), fail);
  } catch (err) {
    fail(err);
  }
  call.on('cancelled', () => {
    answered = true;
  });
}

const TEST_SERVICE_METHODS = ['LockTimeSkipping', 'UnlockTimeSkipping', 'Sleep', 'SleepUntil', 'UnlockTimeSkippingWithSleep', 'GetCurrentTime'] as const;

/**
 * A server whose clock does not skip time refuses every TestService call at
 * once with UNIMPLEMENTED, as Temporal's dev server does (it has no
 * TestService: "unknown service temporal.api.testservice.v1.TestService"),
 * but saying why and what to do. Served as a working service, Sleep would
 * wait the whole duration in wall time (`env.sleep(day)` for a day) and an
 * UnlockTimeSkipping would fail with a lock-count error that hides the cause.
 */
function refusingHandlers(): grpc.UntypedServiceImplementation {
  const refuse =
    (method: string): Unary =>
    (_call, callback) => {
      const details =
        `TestService.${method} is not available: time skipping is off on this embedded server. ` +
        'Start it with timeSkipping: true (npm run temporal-server -- --time-skipping), ' +
        'or use a plain environment (TestWorkflowEnvironment.createFromExistingServer) that waits in real time.';
      callback({ name: 'TestServiceError', message: details, code: grpc.status.UNIMPLEMENTED, details, metadata: new grpc.Metadata() });
    };
  return Object.fromEntries(TEST_SERVICE_METHODS.map((m) => [m, refuse(m)]));
}

export function createTestServiceHandlers(clock: ServerClock): grpc.UntypedServiceImplementation {
  if (!clock.timeSkipping) return refusingHandlers();
  const harness = new HarnessLocks(clock);

  const LockTimeSkipping: Unary = (call, callback) =>
    respond(call, callback, () => {
      harness.lock('TestService LockTimeSkipping');
      return {};
    });

  const UnlockTimeSkipping: Unary = (call, callback) =>
    respond(call, callback, () => {
      harness.unlock('TestService UnlockTimeSkipping');
      return {};
    });

  const Sleep: Unary = (call, callback) =>
    respond(call, callback, async () => {
      const ms = protoTimeMs(call.request.duration as ProtoTime | undefined, 'duration');
      if (ms < 0) throw new TimeSkippingUsageError(`Sleep duration must not be negative (got ${ms} ms)`);
      await clock.sleep(ms);
      return {};
    });

  const SleepUntil: Unary = (call, callback) =>
    respond(call, callback, async () => {
      const until = protoTimeMs(call.request.timestamp as ProtoTime | undefined, 'timestamp');
      const now = clock.now();
      if (until > now) await clock.sleep(until - now);
      return {};
    });

  const UnlockTimeSkippingWithSleep: Unary = (call, callback) =>
    respond(call, callback, async () => {
      const ms = protoTimeMs(call.request.duration as ProtoTime | undefined, 'duration');
      if (ms < 0) throw new TimeSkippingUsageError(`UnlockTimeSkippingWithSleep duration must not be negative (got ${ms} ms)`);
      harness.checkUnlock();
      const at = clock.now() + ms;
      // The lock is re-taken inside the timer callback, while the clock still
      // holds its firing lock, so time cannot run past `at` before it is held again.
      clock.schedule(at, () => harness.lock('TestService UnlockTimeSkippingWithSleep'), 'TestService UnlockTimeSkippingWithSleep');
      // Scheduled after the relock timer at the same instant, so it resolves
      // just after the lock is back; it also rejects if the clock closes.
      const woken = clock.sleep(ms);
      harness.unlock('TestService UnlockTimeSkippingWithSleep');
      await woken;
      return {};
    });

  const GetCurrentTime: Unary = (call, callback) => respond(call, callback, () => ({ time: toTimestamp(clock.now()) }));

  const handlers: Record<(typeof TEST_SERVICE_METHODS)[number], Unary> = {
    LockTimeSkipping,
    UnlockTimeSkipping,
    Sleep,
    SleepUntil,
    UnlockTimeSkippingWithSleep,
    GetCurrentTime,
  };
  return handlers;
}
