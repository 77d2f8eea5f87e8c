/**
 * An embedded, in-memory Temporal server for tests and local development.
 *
 * It speaks Temporal's gRPC API (WorkflowService, OperatorService's search
 * attribute calls, and the TestService that `@temporalio/testing` uses for
 * time skipping) well enough that the unmodified `@temporalio/client` and
 * `@temporalio/worker` run real workflows against it. Production uses a real
 * Temporal cluster; application code only ever receives an address.
 *
 * ```ts
 * import { startEmbeddedTemporal } from '../embedded-temporal/src';
 *
 * const server = await startEmbeddedTemporal({ port: 0 });
 * const connection = await NativeConnection.connect({ address: server.address });
 * // … Worker.create({ connection, … }), Client, …
 * await server.stop();
 * ```
 *
 * With `timeSkipping: true` the server starts with one time-skipping lock
 * held (the test harness's, as Temporal's Java test server does); whenever
 * that lock is released (e.g. while `TestWorkflowEnvironment`'s client waits
 * for a result) and no workflow or activity work is outstanding, time jumps to
 * the next timer. `test/helpers/temporal-env.ts` wires that up.
 */
import * as grpc from '@grpc/grpc-js';
import { createClock } from './clock';
import type { ServerClock } from './clock-types';
import { Engine } from './engine';
import { DEFAULT_CONFIG, type ServerConfig } from './host';
import { loadServices } from './proto';
import { MUTATING_OPERATOR_METHODS, operatorServiceHandlers } from './rpc/operator-service';
import { MUTATING_WORKFLOW_METHODS, workflowServiceHandlers } from './rpc/workflow-service';
import { implementService } from './rpc/wrap';
import { createTestServiceHandlers } from './test-service';

export type { ServerClock } from './clock-types';

export interface EmbeddedTemporalOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** Virtual time that skips ahead when nothing is running (tests). Default false: wall-clock time. */
  timeSkipping?: boolean;
  /** Namespaces to create besides `default`, which always exists. */
  namespaces?: string[];
  /** Receives diagnostic lines (workflow task timeouts, internal errors). Default: discarded. */
  log?: (line: string) => void;
  /** Tuning for tests; see ServerConfig. */
  config?: Partial<ServerConfig>;
  /** Observes every WorkflowService/OperatorService call by method name as it arrives (tests, tracing). */
  onCall?: (method: string) => void;
}

export interface EmbeddedTemporal {
  /** `host:port`, ready for `NativeConnection.connect({ address })` and `Connection.connect({ address })`. */
  address: string;
  port: number;
  clock: ServerClock;
  /** Answers parked polls, stops the gRPC server and the clock. Idempotent. */
  stop(): Promise<void>;
}

export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions = {}): Promise<EmbeddedTemporal> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const timeSkipping = options.timeSkipping ?? false;
  const clock = createClock({ timeSkipping, startLocked: timeSkipping });
  // Built before any work exists: the TestService counts the locks held now as the harness's own.
  const testService = createTestServiceHandlers(clock);
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
  const engine = new Engine(clock, config, log);
  engine.register('default');
  for (const name of options.namespaces ?? []) if (name !== 'default') engine.register(name);

  const services = loadServices();
  const server = new grpc.Server({
    // Worker polls park for up to a minute; keep idle connections alive across them.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
  });
  server.addService(
    services.workflowService,
    implementService(services.workflowService, workflowServiceHandlers(engine), { clock, log, mutating: MUTATING_WORKFLOW_METHODS, onCall: options.onCall }),
  );
  server.addService(
    services.operatorService,
    implementService(services.operatorService, operatorServiceHandlers(engine), { clock, log, mutating: MUTATING_OPERATOR_METHODS, onCall: options.onCall }),
  );
  server.addService(services.testService, testService);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });

  let stopped: Promise<void> | undefined;
  return {
    address: `${host}:${port}`,
    port,
    clock,
    stop: () => {
      stopped ??= (async () => {
        engine.releaseAllPolls();
        // Closing the clock first ends TestService sleeps still waiting on it (CANCELLED), so they do not hold the shutdown.
        clock.close();
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
      })();
      return stopped;
    },
  };
}
