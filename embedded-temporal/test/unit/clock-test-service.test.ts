/**
 * TestService handlers served by grpc-js on their own, driven by the SDK's own
 * client (`Connection` with the test service enabled, as TestWorkflowEnvironment builds it).
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import { createClock } from '../../src/clock';
import type { ServerClock } from '../../src/clock-types';
import { createTestServiceHandlers } from '../../src/test-service';

const PROTOS = path.join(path.dirname(require.resolve('@temporalio/core-bridge/package.json')), 'sdk-core/crates/protos/protos');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function loadTestService(): grpc.ServiceDefinition {
  const def = protoLoader.loadSync('temporal/api/testservice/v1/service.proto', {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: [path.join(PROTOS, 'testsrv_upstream'), path.join(PROTOS, 'api_upstream'), PROTOS],
  });
  const root = grpc.loadPackageDefinition(def) as unknown as {
    temporal: { api: { testservice: { v1: { TestService: { service: grpc.ServiceDefinition } } } } };
  };
  return root.temporal.api.testservice.v1.TestService.service;
}

interface Harness {
  clock: ServerClock;
  server: grpc.Server;
  connection: Connection;
  testService: NonNullable<Connection['testService']>;
}

async function start(clock: ServerClock): Promise<Harness> {
  const server = new grpc.Server();
  server.addService(loadTestService(), createTestServiceHandlers(clock));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const connection = await Connection.connect({
    address: `127.0.0.1:${port}`,
    [InternalConnectionOptionsSymbol]: { supportsTestService: true },
  } as Parameters<typeof Connection.connect>[0]);
  return { clock, server, connection, testService: connection.testService! };
}

async function stop(h: Harness): Promise<void> {
  await h.connection.close();
  h.clock.close();
  h.server.forceShutdown();
}

describe('TestService handlers', () => {
  let h: Harness;
  afterEach(async () => {
    if (h) await stop(h);
  });

  it('GetCurrentTime returns the clock as a Timestamp', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true, startAtMs: 1_700_000_000_123 }));
    const { time } = await h.testService.getCurrentTime({});
    const ms = tsToMs(time);
    expect(ms).toBeGreaterThanOrEqual(1_700_000_000_123);
    expect(ms).toBeLessThan(1_700_000_000_123 + 5000);
    expect(Number(time!.nanos) % 1e6).toBe(0);
  });

  it('UnlockTimeSkippingWithSleep advances virtual time by the duration and re-locks', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    const before = tsToMs((await h.testService.getCurrentTime({})).time);
    const wall = Date.now();
    await h.testService.unlockTimeSkippingWithSleep({ duration: msToTs(30 * DAY) });
    const after = tsToMs((await h.testService.getCurrentTime({})).time);
    console.log(`30 virtual days took ${Date.now() - wall} ms of wall time`);
    expect(after - before).toBeGreaterThanOrEqual(30 * DAY);
    // It stops at the requested time, not at some later timer.
    expect(after - before).toBeLessThan(30 * DAY + 5000);
    expect(h.clock.lockCount).toBe(1);
  });

  it('UnlockTimeSkippingWithSleep does not run past the requested time when later timers exist', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    const t0 = h.clock.now();
    let laterFired = false;
    h.clock.schedule(t0 + 2 * HOUR, () => (laterFired = true));
    await h.testService.unlockTimeSkippingWithSleep({ duration: msToTs(HOUR) });
    expect(laterFired).toBe(false);
    expect(h.clock.now()).toBeLessThan(t0 + 2 * HOUR);
    expect(h.clock.now()).toBeGreaterThanOrEqual(t0 + HOUR);
  });

  it('Unlock then Lock lets queued timers fire, as result() does', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    let fired = false;
    h.clock.schedule(h.clock.now() + DAY, () => (fired = true));
    await h.testService.unlockTimeSkipping({});
    for (let i = 0; i < 100 && !fired; i++) await new Promise((r) => setTimeout(r, 5));
    await h.testService.lockTimeSkipping({});
    expect(fired).toBe(true);
    expect(h.clock.lockCount).toBe(1);
  });

  it('an unbalanced unlock fails with FAILED_PRECONDITION and the server keeps working', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    await h.testService.unlockTimeSkipping({});
    await expect(h.testService.unlockTimeSkipping({})).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    await expect(h.testService.unlockTimeSkippingWithSleep({ duration: msToTs(1000) })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    // The failed call left nothing behind: no lock change, no timer pulling time forward.
    expect(h.clock.lockCount).toBe(0);
    const t = h.clock.now();
    await new Promise((r) => setTimeout(r, 20));
    expect(h.clock.now() - t).toBeLessThan(1000);
    await h.testService.lockTimeSkipping({});
    expect(h.clock.lockCount).toBe(1);
  });

  it('never releases a lock the server holds for outstanding work', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    h.clock.lock('workflow task');
    let fired = false;
    h.clock.schedule(h.clock.now() + DAY, () => (fired = true));
    // Two concurrent result() calls: two unlocks, only one harness lock.
    await h.testService.unlockTimeSkipping({});
    await h.testService.unlockTimeSkipping({});
    expect(h.clock.lockCount).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    // The server finishing its work must not find its lock already gone.
    expect(() => h.clock.unlock('workflow task')).not.toThrow();
    for (let i = 0; i < 100 && !fired; i++) await new Promise((r) => setTimeout(r, 5));
    expect(fired).toBe(true);
    await h.testService.lockTimeSkipping({});
    await h.testService.lockTimeSkipping({});
    expect(h.clock.lockCount).toBe(1);
  });

  it('Sleep while locked waits wall time; SleepUntil in the past returns at once', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    const wall = Date.now();
    await h.testService.sleep({ duration: msToTs(50) });
    expect(Date.now() - wall).toBeGreaterThanOrEqual(45);
    const past = msToTs(h.clock.now() - DAY);
    const w2 = Date.now();
    await h.testService.sleepUntil({ timestamp: { seconds: past.seconds, nanos: past.nanos } });
    expect(Date.now() - w2).toBeLessThan(1000);
  });

  it('Sleep and SleepUntil skip when nothing holds time', async () => {
    h = await start(createClock({ timeSkipping: true }));
    const t0 = h.clock.now();
    await h.testService.sleep({ duration: msToTs(DAY) });
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(DAY);
    const target = msToTs(t0 + 3 * DAY);
    await h.testService.sleepUntil({ timestamp: { seconds: target.seconds, nanos: target.nanos } });
    expect(h.clock.now()).toBeGreaterThanOrEqual(t0 + 3 * DAY);
  });

  it('a negative duration is rejected without touching the clock', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    await expect(h.testService.unlockTimeSkippingWithSleep({ duration: msToTs(-5000) })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    expect(h.clock.lockCount).toBe(1);
  });

  it('a sleep pending at clock close ends promptly with CANCELLED instead of hanging or being retried', async () => {
    h = await start(createClock({ timeSkipping: true, startLocked: true }));
    const pending = h.testService.sleep({ duration: msToTs(DAY) });
    await new Promise((r) => setTimeout(r, 20));
    h.clock.close();
    const wall = Date.now();
    await expect(pending).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    expect(Date.now() - wall).toBeLessThan(1000);
  });
});
